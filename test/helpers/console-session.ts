import { DEMO_TENANT_ID, DEMO_USERS } from '../../src/config/demo.js';
import type { Machine } from '../../src/domain/machines/machine.js';
import type { MachineFilter } from '../../src/domain/machines/machine-query.js';
import type { MachineScope } from '../../src/domain/ports.js';
import { timestampFromMillis, type Timestamp } from '../../src/shared/timestamp.js';
import { startTestServer, type TestServer } from './server.js';

/** A signed-in console browser, as far as HTTP is concerned: its cookie and its CSRF token. */
export interface ConsoleUser {
  readonly cookie: string;
  readonly csrf: string;
}

import type { UserLogin as Login } from './tokens.js';
export type { Login };

const TIMEOUT = 10_000;

/** The `name=value` pairs a response sets, ready for a Cookie header. */
export const cookiesOf = (response: Response): string =>
  response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0] ?? '')
    .filter((c) => !c.endsWith('='))
    .join('; ');

export const field = (html: string, name: string): string | undefined => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

export function consoleGet(base: string, path: string, cookie = '', headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${base}${path}`, { redirect: 'manual', headers: { ...(cookie ? { cookie } : {}), ...headers }, signal: AbortSignal.timeout(TIMEOUT) });
}

export function consolePost(base: string, path: string, cookie: string, form: Record<string, string | string[]>): Promise<Response> {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) for (const v of Array.isArray(value) ? value : [value]) body.append(key, v);
  return fetch(`${base}${path}`, { method: 'POST', redirect: 'manual', headers: cookie ? { cookie } : {}, body, signal: AbortSignal.timeout(TIMEOUT) });
}

/** Opens the sign-in form (which sets its nonce cookie) and posts it; the raw answer. */
export async function postSignIn(base: string, login: Login, tenant = DEMO_TENANT_ID, next = ''): Promise<Response> {
  const form = await consoleGet(base, '/console/login');
  const html = await form.text();
  const fields = { _login: field(html, '_login') ?? '', tenant, username: login.userPrincipalName, password: login.password, ...(next ? { next } : {}) };
  return consolePost(base, '/console/login', cookiesOf(form), fields);
}

/** Signs in and reads the CSRF token from the inventory page. */
export async function consoleSignIn(base: string, login: Login, tenant = DEMO_TENANT_ID): Promise<ConsoleUser> {
  const signedIn = await postSignIn(base, login, tenant);
  if (signedIn.status !== 303) throw new Error(`sign-in failed: ${signedIn.status}`);
  const cookie = cookiesOf(signedIn);
  const page = await consoleGet(base, '/console/machines', cookie);
  const csrf = field(await page.text(), '_csrf');
  if (!csrf) throw new Error('no CSRF token on the inventory page');
  return { cookie, csrf };
}

const everything = (tenantId: string): MachineScope => ({ tenantId, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null });
const recent = (server: TestServer): MachineScope => ({ ...everything(DEMO_TENANT_ID), visibleSince: timestampFromMillis(server.app.clock.now() - 90 * 86_400_000) });

/** Recently seen demo machines matching a filter, read from the store (not through the console). */
export async function demoMachines(server: TestServer, filter: MachineFilter | null, limit = 10): Promise<Machine[]> {
  return server.app.store.listMachines(recent(server), { filter, orderBy: [], skip: 0, limit });
}

export const inGroup = (id: number): MachineFilter => ({ kind: 'compare', property: 'rbacGroupId', op: 'eq', value: id });

export const readMachine = async (server: TestServer, id: string): Promise<Machine | undefined> => server.app.store.getById(everything(DEMO_TENANT_ID), id);

/** A test server with the three demo users signed in to its console. */
export interface DemoConsole {
  readonly server: TestServer;
  readonly admin: ConsoleUser;
  readonly analyst: ConsoleUser;
  readonly operator: ConsoleUser;
}

export async function startDemoConsole(): Promise<DemoConsole> {
  const server = await startTestServer();
  const [admin, analyst, operator] = await Promise.all([DEMO_USERS.admin, DEMO_USERS.analyst, DEMO_USERS.operator].map((user) => consoleSignIn(server.base, user)));
  return { server, admin: admin as ConsoleUser, analyst: analyst as ConsoleUser, operator: operator as ConsoleUser };
}
