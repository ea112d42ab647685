import assert from 'node:assert/strict';
import { DEMO_USERS } from '../../src/config/demo.js';
import type { ManualClock } from '../../src/shared/clock.js';
import { actionClient, type Json } from './actions.js';
import { consoleGet, consolePost, consoleSignIn, type ConsoleUser } from './console-session.js';
import { startTestServer, type TestServer } from './server.js';

/** A test server on a hand-moved clock with the three demo users signed in to its console. */
export interface ActionConsole {
  readonly server: TestServer;
  readonly admin: ConsoleUser;
  readonly analyst: ConsoleUser;
  readonly operator: ConsoleUser;
  /** The Machine API with the demo application's token, to read what the console did. */
  readonly api: ReturnType<typeof actionClient>;
}

export async function startActionConsole(clock: ManualClock): Promise<ActionConsole> {
  const server = await startTestServer({}, clock);
  const [admin, analyst, operator] = (await Promise.all([DEMO_USERS.admin, DEMO_USERS.analyst, DEMO_USERS.operator].map((u) => consoleSignIn(server.base, u)))) as [ConsoleUser, ConsoleUser, ConsoleUser];
  return { server, admin, analyst, operator, api: actionClient(server.base, await server.token()) };
}

/** POSTs an action form of the device page: without `confirm: 'yes'` the first step, with it the second. */
export const runAction = (c: ActionConsole, user: ConsoleUser, machineId: string, form: Record<string, string>): Promise<Response> =>
  consolePost(c.server.base, `/console/machines/${machineId}/actions`, user.cookie, { _csrf: user.csrf, ...form });

export const cancelAction = (c: ActionConsole, user: ConsoleUser, machineId: string, actionId: string, form: Record<string, string>): Promise<Response> =>
  consolePost(c.server.base, `/console/machines/${machineId}/actions/${actionId}/cancel`, user.cookie, { _csrf: user.csrf, ...form });

/** The polled part of the device page, as htmx fetches it every 2 seconds. */
export async function actionsFragment(c: ActionConsole, user: ConsoleUser, machineId: string): Promise<string> {
  const r = await consoleGet(c.server.base, `/console/machines/${machineId}/actions`, user.cookie, { 'hx-request': 'true' });
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return text;
}

/** The device's actions through the Machine API, newest first. */
export async function actionsOn(c: ActionConsole, machineId: string): Promise<Json[]> {
  const r = await c.api.get(`/machineactions?$filter=machineId eq '${machineId}'`);
  const text = await r.text();
  assert.equal(r.status, 200, text);
  return (JSON.parse(text) as { value: Json[] }).value;
}

/** The status a row of the actions table shows for an action. */
export function statusIn(html: string, actionId: string): string | undefined {
  return new RegExp(`<tr id="action-${actionId}" data-action-type="\\w+" data-status="(\\w+)">`).exec(html)?.[1];
}

/** A redirect's target, followed with the user's cookie. */
export async function follow(c: ActionConsole, user: ConsoleUser, response: Response): Promise<string> {
  assert.equal(response.status, 303, await response.clone().text());
  const page = await consoleGet(c.server.base, response.headers.get('location') ?? '', user.cookie);
  assert.equal(page.status, 200);
  return page.text();
}
