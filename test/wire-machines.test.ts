import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { MACHINE_PROPERTIES, type Machine } from '../src/domain/machines/machine.js';
import type { ChangeContext } from '../src/domain/machines/value-change.js';
import type { MachineScope } from '../src/domain/ports.js';
import type { Timestamp } from '../src/shared/timestamp.js';
import { call, startTestServer, type TestServer } from './helpers/server.js';
import { expectEntity, expectError, get, GUID, send, WIRE_TIMESTAMP } from './helpers/wire.js';

const ID = REFERENCE_MACHINE.id;
const AAD_DEVICE_ID = '80fe8ff8-2624-418e-9591-41f0491218f9';
/** The whole demo tenant, retention ignored: for looking behind the API. */
const EVERYTHING: MachineScope = { tenantId: DEMO_TENANT_ID, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };

/** Checks one machine's wire JSON property by property (spec section 2). */
function assertMachineShape(body: Record<string, unknown>): void {
  assert.deepEqual(Object.keys(body), ['@odata.context', ...MACHINE_PROPERTIES]);
  assert.match(String(body.id), /^[0-9a-f]{40}$/);
  for (const key of ['firstSeen', 'lastSeen'] as const) assert.match(String(body[key]), WIRE_TIMESTAMP, `${key} ${String(body[key])}`);
  assert.equal(typeof body.rbacGroupId, 'number');
  assert.ok(Number.isInteger(body.rbacGroupId));
  assert.ok(body.osBuild === null || typeof body.osBuild === 'number');
  for (const key of ['isPotentialDuplication', 'isExcluded', 'isAadJoined'] as const) assert.equal(typeof body[key], 'boolean');
  assert.ok(Array.isArray(body.machineTags) && body.machineTags.every((t) => typeof t === 'string'));
  assert.ok(Array.isArray(body.ipAddresses));
  for (const ip of body.ipAddresses as Record<string, unknown>[]) {
    assert.deepEqual(Object.keys(ip), ['ipAddress', 'macAddress', 'type', 'operationalStatus']);
    assert.ok(ip.macAddress === null || /^[0-9A-F]{12}$/.test(String(ip.macAddress)));
  }
  if (body.vmMetadata !== null) assert.deepEqual(Object.keys(body.vmMetadata as object), ['vmId', 'cloudProvider', 'resourceId', 'subscriptionId']);
  if (body.rbacGroupId === 0) assert.equal(body.rbacGroupName, null);
}

describe('Machine API wire format: successes', () => {
  let server: TestServer;
  let token: string;
  const url = (path: string) => `${server.base}${path}`;
  const setValue = (key: string, value: unknown) => send(url(`/api/machines/${key}/setDeviceValue`), token, 'POST', JSON.stringify({ DeviceValue: value }));
  const patch = (key: string, body: unknown) => send(url(`/api/machines/${key}`), token, 'PATCH', JSON.stringify(body));
  const stored = async (): Promise<Machine> => {
    const machine = await server.app.store.getById(EVERYTHING, ID);
    assert.ok(machine);
    return machine;
  };

  before(async () => {
    server = await startTestServer();
    token = await server.token();
  });
  after(() => server.close());

  it('GET by id answers the reference machine with every property, in wire order, explicit nulls', async () => {
    const response = await get(url(`/api/machines/${ID}`), token);
    const body = await expectEntity(response);
    assert.equal(body['@odata.context'], `${server.base}/api/$metadata#Machines/$entity`);
    assertMachineShape(body);
    assert.equal(Object.keys(body).length, 33);
    assert.equal(body.id, ID);
    assert.equal(body.computerDnsName, REFERENCE_MACHINE.computerDnsName);
    assert.equal(body.aadDeviceId, AAD_DEVICE_ID);
    assert.equal(body.rbacGroupId, 140);
    assert.equal(body.rbacGroupName, 'The-A-Team');
    assert.equal(body.osBuild, 18209);
    assert.deepEqual(body.machineTags, ['test tag 1', 'test tag 2']);
    for (const key of ['mergedIntoMachineId', 'exclusionReason', 'osVersion', 'vmMetadata']) {
      assert.ok(Object.hasOwn(body, key), key);
      assert.equal(body[key], null, key);
    }
    assert.deepEqual(body.ipAddresses, [
      { ipAddress: '172.17.230.209', macAddress: '00155D5A2C3E', type: 'Ethernet', operationalStatus: 'Up' },
      { ipAddress: '127.0.0.1', macAddress: null, type: 'SoftwareLoopback', operationalStatus: 'Up' },
    ]);
  });

  it('serialises every visible machine of the demo fleet in the same exact shape', async () => {
    const cutoff = Date.now() - 179 * 86_400_000;
    let checked = 0;
    for await (const batch of server.app.store.allMachines(DEMO_TENANT_ID)) {
      for (const machine of batch) {
        if (Date.parse(`${machine.lastSeen.slice(0, 23)}Z`) < cutoff) continue;
        assertMachineShape(await expectEntity(await get(url(`/api/machines/${machine.id}`), token)));
        checked++;
      }
    }
    assert.ok(checked >= 50, `checked ${checked}`);
  });

  it('resolves the same entity by id, aadDeviceId, computer name in any case, /api/v1.0, any path case and a trailing slash', async () => {
    const reference = await expectEntity(await get(url(`/api/machines/${ID}`), token));
    for (const path of [
      `/api/machines/${AAD_DEVICE_ID}`,
      `/api/machines/${AAD_DEVICE_ID.toUpperCase()}`,
      `/api/machines/${REFERENCE_MACHINE.computerDnsName}`,
      `/api/machines/MyMachine1.CONTOSO.com`,
      `/api/machines/${ID.toUpperCase()}`,
      `/api/v1.0/machines/${ID}`,
      `/api/v1.0/machines/${REFERENCE_MACHINE.computerDnsName.toUpperCase()}`,
      `/API/Machines/${ID}`,
      `/Api/V1.0/MACHINES/${ID}`,
      `/api/machines/${ID}/`,
      `/api/v1.0/machines/${AAD_DEVICE_ID}/`,
    ]) {
      assert.deepEqual(await expectEntity(await get(url(path), token)), reference, path);
    }
  });

  it('accepts Accept and Content-Type: application/json on a GET without a body', async () => {
    const headers = { accept: 'application/json', 'content-type': 'application/json' };
    assert.equal((await expectEntity(await get(url(`/api/machines/${ID}`), token, headers))).id, ID);
  });

  it('setDeviceValue stores each value canonically and answers the updated entity', async () => {
    for (const [sent, canonical] of [['Low', 'Low'], ['Normal', 'Normal'], ['High', 'High'], ['high', 'High'], ['LOW', 'Low'], ['nOrMaL', 'Normal']]) {
      const body = await expectEntity(await setValue(ID, sent));
      assert.equal(body.deviceValue, canonical, sent);
      assert.equal(body['@odata.context'], `${server.base}/api/$metadata#Machines/$entity`);
      assert.deepEqual(Object.keys(body), ['@odata.context', ...MACHINE_PROPERTIES]);
      assert.equal((await stored()).deviceValue, canonical);
      assert.equal((await expectEntity(await get(url(`/api/machines/${ID}`), token))).deviceValue, canonical);
    }
  });

  it('setting the value the machine already has is 200 both times, and only the real change is history', async () => {
    const before = await server.app.machines.history(DEMO_TENANT_ID, ID);
    const current = (await stored()).deviceValue;
    assert.equal((await expectEntity(await setValue(ID, 'High'))).deviceValue, 'High');
    assert.equal((await expectEntity(await setValue(ID, 'High'))).deviceValue, 'High');
    const history = await server.app.machines.history(DEMO_TENANT_ID, ID);
    assert.equal(history.length, before.length + (current === 'High' ? 0 : 1));
    assert.equal(history[0]?.newValue, 'High');
    assert.notEqual(history[0]?.oldValue, 'High');
  });

  it('PATCH deviceValue changes the value; PATCH machineTags replaces the tag set and leaves deviceValue alone', async () => {
    await expectEntity(await setValue(ID, 'Normal'));
    const changed = await expectEntity(await patch(ID, { deviceValue: 'Low' }));
    assert.equal(changed.deviceValue, 'Low');
    assert.equal((await stored()).deviceValue, 'Low');

    const historyBefore = (await server.app.machines.history(DEMO_TENANT_ID, ID)).length;
    const tagged = await expectEntity(await patch(ID, { machineTags: ['a', 'b', 'a'] }));
    assert.deepEqual(tagged.machineTags, ['a', 'b']);
    assert.equal(tagged.deviceValue, 'Low');
    assert.deepEqual((await stored()).machineTags, ['a', 'b']);
    assert.equal((await stored()).deviceValue, 'Low');
    assert.equal((await server.app.machines.history(DEMO_TENANT_ID, ID)).length, historyBefore, 'a tags-only PATCH is not a value change');
    const read = await expectEntity(await get(url(`/api/machines/${AAD_DEVICE_ID}`), token));
    assert.deepEqual(read.machineTags, ['a', 'b']);
    assert.equal(read.deviceValue, 'Low');

    const both = await expectEntity(await patch(REFERENCE_MACHINE.computerDnsName, { machineTags: [], deviceValue: 'high' }));
    assert.deepEqual(both.machineTags, []);
    assert.equal(both.deviceValue, 'High');
    assert.equal((await expectEntity(await get(url(`/api/v1.0/machines/${ID}`), token))).deviceValue, 'High');
  });

  it('records one history entry per call with old/new value, route, app id and the response request-id', async () => {
    const start = (await stored()).deviceValue;
    const first = await setValue(AAD_DEVICE_ID, 'Low');
    await expectEntity(first.clone());
    const second = await patch(ID, { deviceValue: 'High' });
    await expectEntity(second.clone());
    const third = await setValue(REFERENCE_MACHINE.computerDnsName, 'normal');
    await expectEntity(third.clone());

    const history = await server.app.machines.history(DEMO_TENANT_ID, ID);
    const expected = [
      { route: 'setDeviceValue', oldValue: 'High', newValue: 'Normal', requestId: third.headers.get('request-id') },
      { route: 'patch', oldValue: 'Low', newValue: 'High', requestId: second.headers.get('request-id') },
      { route: 'setDeviceValue', oldValue: start, newValue: 'Low', requestId: first.headers.get('request-id') },
    ];
    for (const [i, want] of expected.entries()) {
      const entry = history[i];
      assert.ok(entry, `entry ${i}`);
      assert.match(String(want.requestId), GUID);
      assert.deepEqual(
        { route: entry.route, oldValue: entry.oldValue, newValue: entry.newValue, requestId: entry.requestId },
        want,
        `entry ${i}`,
      );
      assert.equal(entry.appId, DEMO_APP.clientId);
      assert.equal(entry.userId, null);
      assert.equal(entry.tenantId, DEMO_TENANT_ID);
      assert.equal(entry.machineId, ID);
    }
    assert.ok(history[0]!.seq > history[1]!.seq && history[1]!.seq > history[2]!.seq);
  });

  it('the admin history route answers {"value": [...]} newest first with the admin key only', async () => {
    const historyUrl = url(`/admin/tenants/${DEMO_TENANT_ID}/machines/${ID}/history`);
    const response = await call(historyUrl, { headers: { authorization: `Bearer ${server.app.adminKey}` } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
    const body = (await response.json()) as { value: Record<string, unknown>[] };
    assert.deepEqual(Object.keys(body), ['value']);
    const history = await server.app.machines.history(DEMO_TENANT_ID, ID);
    assert.equal(body.value.length, history.length);
    assert.ok(body.value.length >= 3);
    for (const [i, entry] of body.value.entries()) {
      assert.equal(entry.seq, history[i]?.seq);
      assert.equal(entry.requestId, history[i]?.requestId);
      assert.equal(entry.newValue, history[i]?.newValue);
      assert.match(String(entry.at), WIRE_TIMESTAMP);
      if (i > 0) assert.ok(Number(entry.seq) < Number(body.value[i - 1]?.seq), 'newest first');
    }

    await expectError(await call(historyUrl), 401, 'Unauthorized');
    await expectError(await call(historyUrl, { headers: { authorization: `Bearer ${token}` } }), 401, 'Unauthorized');
    await expectError(await call(historyUrl, { headers: { authorization: `Bearer ${server.app.adminKey}x` } }), 401, 'Unauthorized');
  });

  it('serves /healthz, /readyz, /openapi.json and /docs', async () => {
    const health = await call(url('/healthz'));
    assert.equal(health.status, 200);
    await health.arrayBuffer();
    const ready = await call(url('/readyz'));
    assert.equal(ready.status, 200);
    await ready.arrayBuffer();

    const openapi = await call(url('/openapi.json'));
    assert.equal(openapi.status, 200);
    const doc = (await openapi.json()) as { openapi?: string; paths?: Record<string, Record<string, unknown>> };
    assert.match(String(doc.openapi), /^3\.\d+\.\d+$/);
    const path = doc.paths?.['/api/machines/{machineId}/setDeviceValue'];
    assert.ok(path?.post, 'setDeviceValue is documented');
    assert.ok(doc.paths?.['/api/machines/{machineId}']?.get);

    const docs = await call(url('/docs'), { redirect: 'follow' });
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /text\/html/);
    await docs.arrayBuffer();
  });

  const IMPORT: ChangeContext = { at: '2026-01-01T00:00:00.0000000Z' as Timestamp, appId: null, userId: null, route: 'import', requestId: null };

  // Router path parameters are limited to 1024 characters, enough for any DNS name (253).
  it('addresses a machine by a long (138-character) computer name', async () => {
    const reference = await stored();
    const longName = `host-${'a'.repeat(55)}.${'b'.repeat(60)}.corp.contoso.com`;
    const id = 'ab'.repeat(20);
    await server.app.store.putMachines(DEMO_TENANT_ID, [{ ...reference, id, computerDnsName: longName, aadDeviceId: null }], IMPORT);
    assert.equal((await expectEntity(await get(url(`/api/machines/${id}`), token))).computerDnsName, longName);
    assert.equal((await expectEntity(await get(url(`/api/machines/${longName}`), token))).id, id);
  });
});
