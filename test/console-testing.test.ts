import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createCore, type Core } from '../src/core.js';
import type { ConsoleTesting } from '../src/console/console-deps.js';
import { consolePlugin } from '../src/console/console-plugin.js';
import { faultSwitchboard } from '../src/console/fault-switchboard.js';
import { DEMO_APP, DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import { loadConfig } from '../src/config/load-config.js';
import { MemoryJournal } from '../src/domain/traffic/journal.js';
import { limitKey, MDE_LIMITS } from '../src/domain/traffic/limits.js';
import { WindowLimiter } from '../src/limits/window-limiter.js';
import { ManualClock } from '../src/shared/clock.js';
import type { Login } from './helpers/console-session.js';
import { fakeFaultAdmin } from './helpers/fault-admin.js';

/**
 * The tester panels against hand-written pieces (a memory journal, the window limiter, a fault
 * service fake) through `inject`: what they show, who may switch a fault, and "not available"
 * when the server runs without them.
 */
const T0 = Date.UTC(2026, 10, 28, 12, 0, 0);

const faultAdmin = () => fakeFaultAdmin([{ id: 'throttle-writes', operations: ['SetDeviceValue'], error: 'TooManyRequests', calls: '1-3' }]);

async function consoleOn(core: Core, testing: ConsoleTesting): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(consolePlugin, {
    prefix: '/console',
    sessionSecret: 'test-secret-test-secret',
    defaultTenantId: DEMO_TENANT_ID,
    clock: core.clock,
    policy: core.policy,
    access: core.access,
    machines: core.machines,
    inventory: core.inventory,
    tags: core.tags,
    alerts: core.alerts,
    actions: core.actions.actions,
    directory: core.store,
    sessions: core.store,
    testing,
  });
  return app;
}

const cookieOf = (setCookie: string | string[] | undefined): string =>
  (Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []).map((c) => c.split(';')[0]).filter((c) => !c?.endsWith('=')).join('; ');

async function signIn(app: FastifyInstance, login: Login): Promise<{ cookie: string; csrf: string }> {
  const form = await app.inject({ url: '/console/login' });
  const token = /name="_login" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
  const payload = new URLSearchParams({ _login: token, tenant: DEMO_TENANT_ID, username: login.userPrincipalName, password: login.password }).toString();
  const done = await app.inject({ method: 'POST', url: '/console/login', payload, headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookieOf(form.headers['set-cookie']) } });
  const cookie = cookieOf(done.headers['set-cookie']);
  const page = await app.inject({ url: '/console/testing', headers: { cookie } });
  return { cookie, csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '' };
}

describe('console tester panels', () => {
  let dataDir: string;
  let core: Core;
  let wired: FastifyInstance;
  let bare: FastifyInstance;
  const admin = faultAdmin();

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'rampart-console-'));
    const clock = new ManualClock(T0);
    core = await createCore({ ...loadConfig({}, {}), dataDir, logLevel: 'silent', demoMachines: 20 }, clock, { provision: true });
    const journal = new MemoryJournal(50);
    journal.record(DEMO_TENANT_ID, {
      at: new Date(T0).toISOString(), requestId: 'r-1', method: 'POST', path: '/api/machines/abc/setDeviceValue',
      operation: 'SetDeviceValue', appId: DEMO_APP.clientId, userId: null, status: 429, latencyMs: 3.4, fault: 'throttle-writes',
    });
    journal.record('another-tenant', { at: new Date(T0).toISOString(), requestId: 'r-2', method: 'GET', path: '/api/secret-of-another-tenant', operation: 'GetMachine', appId: 'x', userId: null, status: 200, latencyMs: 1, fault: null });
    const limiter = new WindowLimiter(clock);
    for (let i = 0; i < 3; i++) limiter.consume(limitKey(DEMO_TENANT_ID, DEMO_APP.clientId, 'GetMachine'), MDE_LIMITS);
    wired = await consoleOn(core, { journal, limiter, faults: faultSwitchboard(admin, clock) });
    bare = await consoleOn(core, {});
  });
  after(async () => {
    await wired?.close();
    await bare?.close();
    await core?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('shows the tenant\'s journal (and only its own), live as a fragment too', async () => {
    const { cookie } = await signIn(wired, DEMO_USERS.analyst);
    const page = await wired.inject({ url: '/console/testing', headers: { cookie } });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /hx-get="\/console\/testing\/journal" hx-trigger="every 2s"/);
    assert.match(page.body, /<code class="small">POST \/api\/machines\/abc\/setDeviceValue<\/code>/);
    assert.match(page.body, /<td>Rampart demo application<\/td>\s*<td>429<\/td>\s*<td>3<\/td>\s*<td>throttle-writes<\/td>/);
    assert.doesNotMatch(page.body, /secret-of-another-tenant/);
    const fragment = await wired.inject({ url: '/console/testing/journal', headers: { cookie } });
    assert.match(fragment.body, /^\s*<div class="table-wrap">/);
    assert.doesNotMatch(fragment.body, /<html/);
  });

  it('shows rate-limit counters per application against the limits in force', async () => {
    const { cookie } = await signIn(wired, DEMO_USERS.analyst);
    const fragment = await wired.inject({ url: '/console/testing/limits', headers: { cookie } });
    assert.match(fragment.body, /<h3>Rampart demo application/);
    assert.match(fragment.body, /<td>GetMachine<\/td>\s*<td>3 \/ 100<\/td>\s*<td>3 \/ 1500<\/td>\s*<td>in 60 s<\/td>/);
  });

  it('lets only a user with Manage portal system settings switch a fault rule', async () => {
    const analyst = await signIn(wired, DEMO_USERS.analyst);
    const seen = await wired.inject({ url: '/console/testing', headers: { cookie: analyst.cookie } });
    assert.match(seen.body, /TooManyRequests \(Retry-After 1 s\)/);
    assert.doesNotMatch(seen.body, /\/console\/testing\/faults\//);
    const form = (csrf: string, enabled: string) => ({
      method: 'POST' as const, url: '/console/testing/faults/throttle-writes',
      payload: new URLSearchParams({ _csrf: csrf, enabled }).toString(),
    });
    const refused = await wired.inject({ ...form(analyst.csrf, 'off'), headers: { cookie: analyst.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(refused.statusCode, 403);
    assert.match(refused.body, /required role permissions \(Manage portal system settings\)/);
    assert.deepEqual(admin.specs.map((s) => s.id), ['throttle-writes']);

    const owner = await signIn(wired, DEMO_USERS.admin);
    const off = await wired.inject({ ...form(owner.csrf, 'off'), headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(off.statusCode, 303);
    assert.deepEqual(admin.specs.map((s) => [s.id, s.enabled]), [['throttle-writes', false]], 'switched off, still defined');
    const switched = await wired.inject({ url: '/console/testing?done=fault', headers: { cookie: owner.cookie } });
    assert.match(switched.body, /<span class="state off">Off<\/span>\s*<button type="submit" aria-label="Turn rule throttle-writes on">Turn on<\/button>/);
    const on = await wired.inject({ ...form(owner.csrf, 'on'), headers: { cookie: owner.cookie, 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(on.statusCode, 303);
    assert.deepEqual(admin.specs.map((s) => [s.id, s.enabled]), [['throttle-writes', true]]);
  });

  it('says "not available" for each piece the server does not run', async () => {
    const { cookie } = await signIn(bare, DEMO_USERS.admin);
    const page = await bare.inject({ url: '/console/testing', headers: { cookie } });
    assert.equal(page.statusCode, 200);
    for (const id of ['journal-unavailable', 'limits-unavailable', 'faults-unavailable']) assert.match(page.body, new RegExp(`id="${id}"`));
  });
});
