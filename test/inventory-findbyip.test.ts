/**
 * GET /api/machines/findbyip(ip='...',timestamp=...) over real HTTP, and the address history the
 * generator and the import fill (spec section 4).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, REFERENCE_MACHINE } from '../src/config/demo.js';
import { snapshotEntry, generateFleetWithHistory } from '../src/fleet/address-history.js';
import { generateFleet } from '../src/fleet/generator.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineScope } from '../src/domain/ports.js';
import type { ChangeContext } from '../src/domain/machines/value-change.js';
import { timestampFromMillis, timestampToMillis, type Timestamp } from '../src/shared/timestamp.js';
import { expectCollection, idsOf } from './helpers/collection.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectEntity, expectError, get, rawRequest } from './helpers/wire.js';

const MINUTE = 60_000;
const DAY = 1440 * MINUTE;
const EVERYTHING: MachineScope = { tenantId: DEMO_TENANT_ID, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };
const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('findbyip', () => {
  let server: TestServer;
  let token: string;
  let reference: Machine;
  const START = Date.now() - 2 * DAY;
  const find = (ip: string, at: number) => get(`${server.base}/api/machines/findbyip(ip='${ip}',timestamp=${iso(at)})`, token);

  before(async () => {
    server = await startTestServer();
    token = await server.token();
    const found = await server.app.store.getById(EVERYTHING, REFERENCE_MACHINE.id);
    assert.ok(found);
    reference = found;
    // One machine held 10.99.0.1 for exactly one hour, two days ago; a stale one held it too.
    const put: ChangeContext = { at: timestampFromMillis(Date.now()), appId: null, userId: null, route: 'import', requestId: null };
    const held = { ...reference, id: 'ab'.repeat(20), computerDnsName: 'findbyip-lab.contoso.com', aadDeviceId: null };
    const stale = { ...reference, id: 'cd'.repeat(20), computerDnsName: 'stale', aadDeviceId: null, lastSeen: timestampFromMillis(Date.now() - 200 * DAY) };
    await server.app.store.putMachines(DEMO_TENANT_ID, [held, stale], put);
    const window = { ipAddress: '10.99.0.1', from: timestampFromMillis(START), to: timestampFromMillis(START + 60 * MINUTE) };
    await server.app.store.putIpHistory(DEMO_TENANT_ID, [{ machineId: held.id, ...window }, { machineId: stale.id, ...window }]);
  });
  after(() => server.close());

  it('finds a machine that held the address within 15 minutes either side of the timestamp', async () => {
    const ids = async (at: number) => idsOf(await expectCollection(await find('10.99.0.1', at)));
    assert.deepEqual(await ids(START + 30 * MINUTE), ['ab'.repeat(20)]);
    assert.deepEqual(await ids(START - 14 * MINUTE), ['ab'.repeat(20)]);
    assert.deepEqual(await ids(START + 74 * MINUTE), ['ab'.repeat(20)]);
    assert.deepEqual(await ids(START - 16 * MINUTE), []);
    assert.deepEqual(await ids(START + 76 * MINUTE), []);
    assert.deepEqual(await ids(START + 30 * MINUTE - 1), ['ab'.repeat(20)], 'the stale machine stays invisible');
  });

  it("finds the demo reference machine at its address from the generated history, in every spelling of the path", async () => {
    const at = timestampToMillis(reference.lastSeen) - 60 * MINUTE;
    const want = [REFERENCE_MACHINE.id];
    assert.deepEqual(idsOf(await expectCollection(await find('172.17.230.209', at))), want);
    for (const path of [
      `/api/machines/findbyip(ip=%27172.17.230.209%27,timestamp=${iso(at)})`,
      `/api/v1.0/Machines/FindByIp(ip='172.17.230.209',timestamp=${iso(at)})`,
      `/api/machines/findbyip(timestamp=${iso(at)},IP='172.17.230.209')/`,
      `/api/machines/findbyip(ip='172.17.230.209',timestamp='${iso(at)}')`,
    ]) {
      const reply = await rawRequest(server.base, { method: 'GET', path, headers: { authorization: `Bearer ${token}` } });
      assert.equal(reply.status, 200, `${path} ${reply.text.slice(0, 200)}`);
      assert.deepEqual(JSON.parse(reply.text).value.map((m: Machine) => m.id), want, path);
    }
  });

  it('refuses old timestamps, bad addresses and malformed arguments', async () => {
    await expectError(await find('10.99.0.1', Date.now() - 31 * DAY), 400, 'InvalidInput', /30 days/);
    await expectError(await find('10.99.0.300', Date.now()), 400, 'InvalidInput', /IP address/);
    const path = (args: string) => get(`${server.base}/api/machines/findbyip${args}`, token);
    await expectError(await path(`(timestamp=${iso(Date.now())})`), 400, 'MissingRequiredParameter', 'Parameter ip is missing.');
    await expectError(await path("(ip='10.0.0.1')"), 400, 'MissingRequiredParameter', 'Parameter timestamp is missing.');
    await expectError(await path("(ip='10.0.0.1',timestamp=yesterday)"), 400, 'InvalidInput', /timestamp/);
    await expectError(await path("(ip='10.0.0.1',when=2020-01-01Z)"), 400, 'ODataError', /when/);
    await expectError(await path("(ip='10.0.0.1',ip='10.0.0.2')"), 400, 'ODataError', /more than once/);
    await expectError(await path("(ip='10.0.0.1'"), 400, 'ODataError');
  });

  it('a machine whose name starts with "findbyip" is still reachable by name', async () => {
    assert.equal((await expectEntity(await get(`${server.base}/api/machines/findbyip-lab.contoso.com`, token))).id, 'ab'.repeat(20));
    await expectError(await get(`${server.base}/api/machines/findbyipnothing`, token), 404, 'ResourceNotFound');
  });
});

describe('address history from the generator and the import', () => {
  const NOW = Date.parse('2026-03-01T00:00:00Z');
  const entries = [...generateFleetWithHistory({ count: 2000, seed: 3, nowMs: NOW })];

  it('yields exactly the machines of generateFleet, in id order (which makes a million inserts fast)', () => {
    const byId = (a: Machine, b: Machine) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const ids = entries.map((e) => e.machine.id);
    assert.deepEqual(ids.slice(1), [...ids.slice(1)].sort(), 'in id order (after the reference machine)');
    assert.deepEqual(entries.map((e) => e.machine).sort(byId), [...generateFleet({ count: 2000, seed: 3, nowMs: NOW })].sort(byId));
  });

  it('gives each machine its current non-loopback addresses up to lastSeen, and older leases only within 31 days', () => {
    let older = 0;
    for (const { machine, ipHistory } of entries) {
      const current = ipHistory.filter((h) => h.to === machine.lastSeen);
      assert.ok(current.some((h) => h.ipAddress === machine.lastIpAddress), machine.id);
      for (const h of ipHistory) {
        assert.equal(h.machineId, machine.id);
        assert.doesNotMatch(h.ipAddress, /^127\./);
        assert.ok(h.from <= h.to && h.from >= machine.firstSeen && h.to <= machine.lastSeen, JSON.stringify(h));
        if (h.to !== machine.lastSeen) {
          older++;
          assert.ok(timestampToMillis(h.from) >= NOW - 31 * DAY, JSON.stringify(h));
        }
      }
    }
    assert.ok(older > 200, `roaming machines have earlier leases (${older})`);
  });

  it('an imported snapshot records each address at lastSeen', () => {
    const { machine, ipHistory } = snapshotEntry(entries[0]?.machine as Machine);
    assert.deepEqual(ipHistory, [{ machineId: machine.id, ipAddress: '172.17.230.209', from: machine.lastSeen, to: machine.lastSeen }]);
  });
});
