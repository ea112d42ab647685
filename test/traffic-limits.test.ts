import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_READONLY_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { ManualClock } from '../src/shared/clock.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectEntity, expectError, get, send } from './helpers/wire.js';

const ID = REFERENCE_MACHINE.id;

describe('rate limits', () => {
  const clock = new ManualClock(Date.now());
  let server: TestServer;
  let demo: string;
  let readonly: string;
  const url = (path: string) => `${server.base}${path}`;
  const admin = (path: string, init: RequestInit = {}) =>
    call(url(`/admin/tenants/${DEMO_TENANT_ID}${path}`), { ...init, headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json', ...init.headers } });

  before(async () => {
    server = await startTestServer({ rateLimits: true, rateLimitPerMinute: 3, rateLimitPerHour: 5 }, clock);
    demo = await server.token();
    readonly = await server.token(DEMO_READONLY_APP);
  });
  let restartedDir: string | undefined;
  after(async () => {
    await server.close();
    if (restartedDir) await rm(restartedDir, { recursive: true, force: true });
  });

  it('admits the 3rd call of a minute and refuses the 4th with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) await expectEntity(await get(url(`/api/machines/${ID}`), demo));
    clock.advance(20_000);
    const refused = await get(url(`/api/machines/${ID}`), demo);
    assert.equal(refused.headers.get('retry-after'), '40');
    await expectError(refused, 429, 'TooManyRequests', 'Rate limit is exceeded. Try again in 40 seconds.');
  });

  it('keeps separate budgets per application and per operation', async () => {
    await expectEntity(await get(url(`/api/machines/${ID}`), readonly));
    await expectEntity(await send(url(`/api/machines/${ID}/setDeviceValue`), demo, 'POST', '{"DeviceValue":"Low"}'));
  });

  it('does not count calls that failed authentication', async () => {
    for (let i = 0; i < 5; i++) await expectError(await get(url(`/api/machines/${ID}`), 'not-a-token'), 401, 'Unauthorized');
    await expectEntity(await get(url(`/api/machines/${ID}`), readonly));
  });

  it('admits again once the minute window closes, until the hour budget is spent', async () => {
    clock.advance(40_000);
    await expectEntity(await get(url(`/api/machines/${ID}`), demo));
    await expectEntity(await get(url(`/api/machines/${ID}`), demo));
    // 5 admitted this hour: the hour window refuses, with the time until it closes.
    const refused = await get(url(`/api/machines/${ID}`), demo);
    assert.equal(refused.headers.get('retry-after'), String(3600 - 60));
    await expectError(refused, 429, 'TooManyRequests');
  });

  it('shows the windows of each application and operation', async () => {
    const body = (await (await admin('/limits')).json()) as { value: { application: string; operation: string; minuteCount: number; hourCount: number; perMinute: number }[] };
    const row = body.value.find((r) => r.application === DEMO_APP.clientId && r.operation === 'GetMachine');
    assert.deepEqual({ minute: row?.minuteCount, hour: row?.hourCount, perMinute: row?.perMinute }, { minute: 2, hour: 5, perMinute: 3 });
  });

  it('lets a tenant turn its limits off at once', async () => {
    const document = (await (await admin('')).json()) as Record<string, unknown>;
    const put = await admin('', { method: 'PUT', body: JSON.stringify({ ...document, limits: { enabled: false } }) });
    assert.equal(put.status, 200);
    await expectEntity(await get(url(`/api/machines/${ID}`), demo));
  });

  it('keeps counters across a restart of the server', async () => {
    const dataDir = server.dataDir;
    const document = (await (await admin('')).json()) as Record<string, unknown>;
    delete document.limits;
    await admin('', { method: 'PUT', body: JSON.stringify(document) });
    await server.app.close();
    server = await startTestServer({ dataDir, store: server.app.config.store, rateLimits: true, rateLimitPerMinute: 3, rateLimitPerHour: 5 }, clock);
    restartedDir = dataDir;
    await expectError(await get(url(`/api/machines/${ID}`), demo), 429, 'TooManyRequests');
  });
});
