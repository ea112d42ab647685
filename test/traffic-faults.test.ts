import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectEntity, expectError, get, send } from './helpers/wire.js';

const ID = REFERENCE_MACHINE.id;

describe('fault injection, journal and reset', () => {
  let server: TestServer;
  let token: string;
  const url = (path: string) => `${server.base}${path}`;
  const admin = (path: string, init: RequestInit = {}) =>
    call(url(`/admin/tenants/${DEMO_TENANT_ID}${path}`), { ...init, headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json', ...init.headers } });
  const addFault = async (rule: Record<string, unknown>) => {
    const response = await admin('/faults', { method: 'POST', body: JSON.stringify(rule) });
    assert.equal(response.status, 201, await response.clone().text());
    return (await response.json()) as { id: string };
  };
  const setValue = (value: string) => send(url(`/api/machines/${ID}/setDeviceValue`), token, 'POST', JSON.stringify({ DeviceValue: value }));
  const stored = async () => (await server.app.machines.history(DEMO_TENANT_ID, ID)).length;

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(() => server.close());

  it('fails calls 1-2 of one operation in the real envelope, changes nothing, then lets calls through', async () => {
    await addFault({ id: 'flaky', operations: ['SetDeviceValue'], error: 'ServiceUnavailable', calls: '1-2' });
    const before = await stored();
    await expectError(await setValue('High'), 503, 'ServiceUnavailable');
    await expectEntity(await get(url(`/api/machines/${ID}`), token)); // another operation is untouched
    await expectError(await setValue('High'), 503, 'ServiceUnavailable');
    assert.equal(await stored(), before, 'an injected fault never changes data');
    assert.equal((await expectEntity(await setValue('High'))).deviceValue, 'High');
    assert.equal(await stored(), before + 1);
  });

  it('throttles with Retry-After exactly like a real 429', async () => {
    await addFault({ id: 'throttle', operations: ['GetMachine'], error: 'TooManyRequests', retryAfterSeconds: 7, calls: '1' });
    const refused = await get(url(`/api/machines/${ID}`), token);
    assert.equal(refused.headers.get('retry-after'), '7');
    await expectError(refused, 429, 'TooManyRequests', 'Rate limit is exceeded. Try again in 7 seconds.');
  });

  it('drops the connection or truncates the body when asked', async () => {
    await addFault({ id: 'drop', operations: ['GetMachine'], drop: true, calls: '1' });
    await assert.rejects(get(url(`/api/machines/${ID}`), token));
    await addFault({ id: 'cut', operations: ['GetMachine'], truncate: true, calls: '1' });
    await assert.rejects(async () => JSON.parse(await (await get(url(`/api/machines/${ID}`), token)).text()));
    await expectEntity(await get(url(`/api/machines/${ID}`), token));
  });

  it('delays a call and still serves it', async () => {
    await addFault({ id: 'slow', operations: ['GetMachine'], latencyMs: 50, calls: '1' });
    await expectEntity(await get(url(`/api/machines/${ID}`), token));
  });

  it('lists, removes and refuses bad rules', async () => {
    const list = (await (await admin('/faults')).json()) as { value: { id: string }[] };
    assert.deepEqual(list.value.map((r) => r.id), ['flaky', 'throttle', 'drop', 'cut', 'slow']);
    const off = await admin('/faults/flaky', { method: 'PATCH', body: '{"enabled":false}' });
    assert.equal(off.status, 200);
    assert.equal(((await off.json()) as { enabled?: boolean }).enabled, false);
    await expectEntity(await setValue('Low')); // switched off: no longer fires, though its calls 1-2 are long past anyway
    assert.equal((await admin('/faults/flaky', { method: 'PATCH', body: '{"enabled":true}' })).status, 200);
    assert.equal((await admin('/faults/slow', { method: 'DELETE' })).status, 204);
    await expectError(await admin('/faults/slow', { method: 'DELETE' }), 404, 'ResourceNotFound');
    await expectError(await admin('/faults', { method: 'POST', body: JSON.stringify({ drop: true, truncate: true }) }), 400, 'InvalidInput', /exactly one/);
    await expectError(await call(url(`/admin/tenants/${DEMO_TENANT_ID}/faults`), { headers: { authorization: `Bearer ${token}` } }), 401, 'Unauthorized');
  });

  it('journals every call with the fault that shaped it, newest first, and clears', async () => {
    const journal = (await (await admin('/journal?limit=50')).json()) as { value: { operation: string; status: number; fault: string | null }[] };
    const faulted = journal.value.filter((e) => e.fault !== null).map((e) => `${e.fault}:${e.status}`);
    assert.deepEqual(faulted.reverse(), ['flaky:503', 'flaky:503', 'throttle:429', 'drop:0', 'cut:200', 'slow:200']);
    assert.ok(journal.value.some((e) => e.operation === 'SetDeviceValue' && e.status === 200 && e.fault === null));
    assert.equal((await admin('/journal', { method: 'DELETE' })).status, 204);
    assert.deepEqual(((await (await admin('/journal')).json()) as { value: unknown[] }).value, []);
  });

  it('resets the tenant: machines back to their seed, history, journal and fault rules gone', async () => {
    await addFault({ id: 'again', error: 'InternalServerError' });
    const reset = await admin('/reset', { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.deepEqual(await reset.json(), { tenant: DEMO_TENANT_ID, machines: server.app.config.demoMachines });
    assert.equal((await expectEntity(await get(url(`/api/machines/${ID}`), token))).deviceValue, 'Normal');
    assert.equal(await stored(), 0);
    assert.deepEqual(((await (await admin('/faults')).json()) as { value: unknown[] }).value, []);
  });
});
