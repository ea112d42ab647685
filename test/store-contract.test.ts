/**
 * The store contract: the same cases against every backend (SQLite, PostgreSQL). A feature that
 * works on one backend only fails here. PostgreSQL cases skip with the reason where it is absent;
 * CI (RAMPART_REQUIRE_SERVICES) makes them mandatory.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { machineToJson } from '../src/domain/machines/machine-json.js';
import type { MachineFilter, MachinePage } from '../src/domain/machines/machine-query.js';
import type { MachineScope, Store } from '../src/domain/ports.js';
import type { ChangeContext } from '../src/domain/machines/value-change.js';
import { generateFleet } from '../src/fleet/generator.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TENANT = 'c0c0c0c0-0000-4000-8000-0000000000c1';
const OTHER = 'c0c0c0c0-0000-4000-8000-0000000000c2';
const at = (ms: number) => timestampFromMillis(ms) as Timestamp;
const change = (route: ChangeContext['route'], requestId: string | null = null): ChangeContext => ({ at: at(NOW), appId: 'app-1', userId: null, route, requestId });
const scopeOf = (tenantId: string, rbacGroupIds: readonly number[] | null = null, days = 180): MachineScope => ({ tenantId, visibleSince: at(NOW - days * DAY), rbacGroupIds });
const PAGE: MachinePage = { filter: null, orderBy: [], skip: 0, limit: 10_000 };

/** A small fleet: ids ascending, every fifth machine beyond retention, groups 0/101/140, a few tags. */
function fleet(count: number): Machine[] {
  return [...generateFleet({ count, seed: 5, nowMs: NOW })].map((m, i) => ({
    ...m,
    lastSeen: at(NOW - (i % 5 === 4 ? 400 : i % 30) * DAY),
    rbacGroupId: [0, 101, 140][i % 3] as number,
    rbacGroupName: [null, 'Servers', 'The-A-Team'][i % 3] as string | null,
    machineTags: i % 4 === 0 ? ['VIP', `tag-${i}`] : [],
    deviceValue: 'Normal' as DeviceValue,
  }));
}

for (const backend of BACKENDS) {
  describe(`store contract: ${backend.name}`, async () => {
    const reason = await backend.skip();
    const opts = { skip: reason };
    let opened: OpenedBackend;
    let store: Store;
    const machines = fleet(60);
    const visible = machines.filter((_, i) => i % 5 !== 4);
    const byId = [...machines].sort((a, b) => (a.id < b.id ? -1 : 1));

    before(async () => {
      if (reason) return;
      opened = await backend.open();
      store = opened.store;
      await store.putTenant({ id: TENANT, name: 'Contract', retentionDays: 180 });
      await store.putMachines(TENANT, machines, change('seed'));
      await store.putMachines(OTHER, machines.slice(0, 5), change('seed'));
    });
    after(async () => {
      if (!reason) await opened.dispose();
    });

    it('keeps tenants and applications, replacing on a second put', opts, async () => {
      await store.putTenant({ id: OTHER, name: 'First', retentionDays: 30 });
      await store.putTenant({ id: OTHER, name: 'Second', retentionDays: 90, limits: { enabled: true, perMinute: 5 } });
      assert.deepEqual(await store.getTenant(OTHER), { id: OTHER, name: 'Second', retentionDays: 90, limits: { enabled: true, perMinute: 5 } });
      assert.deepEqual((await store.listTenants()).map((t) => t.id), [TENANT, OTHER]);
      assert.equal(await store.getTenant('nope'), undefined);
      const app = { tenantId: TENANT, clientId: 'b-app', name: 'B', secretHash: 'h', roles: ['Machine.Read.All'], delegatedPermissions: [] };
      await store.putApplication({ ...app, name: 'old' });
      await store.putApplication(app);
      await store.putApplication({ ...app, clientId: 'a-app', secretHash: null });
      assert.deepEqual(await store.getApplication(TENANT, 'b-app'), app);
      assert.deepEqual((await store.listApplications(TENANT)).map((a) => [a.clientId, a.secretHash]), [['a-app', null], ['b-app', 'h']]);
    });

    it('keeps one active signing key', opts, async () => {
      const key = (kid: string, createdAt: string, active: boolean) => ({ kid, privateJwk: `{"p":"${kid}"}`, publicJwk: `{"k":"${kid}"}`, createdAt, active });
      await store.putSigningKey(key('k1', '2026-01-01T00:00:00Z', true));
      await store.putSigningKey(key('k2', '2026-02-01T00:00:00Z', true));
      await store.putSigningKey(key('k0', '2025-12-01T00:00:00Z', false));
      assert.deepEqual((await store.listSigningKeys()).map((k) => [k.kid, k.active]), [['k0', false], ['k1', false], ['k2', true]]);
    });

    it('replaces the directory as a whole and finds users without case', opts, async () => {
      const user = (upn: string) => ({ tenantId: OTHER, id: `id-${upn}`, userPrincipalName: upn, displayName: upn, passwordHash: null, userGroups: ['g'] });
      const group = (id: number, rank: number) => ({ tenantId: OTHER, id, name: `G${id}`, rank, description: '', rules: { tags: ['x'] }, userGroups: [] });
      const directory = {
        applications: [{ tenantId: OTHER, clientId: 'app', name: 'A', secretHash: null, roles: [], delegatedPermissions: ['Machine.Read'] }],
        users: [user('Zed@contoso.com'), user('amy@contoso.com')],
        roles: [{ tenantId: OTHER, name: 'R', permissions: ['View data' as const], userGroups: ['g'] }],
        deviceGroups: [group(7, 2), group(9, 1)],
      };
      await store.replaceDirectory(OTHER, directory);
      assert.deepEqual((await store.listUsers(OTHER)).map((u) => u.userPrincipalName), ['amy@contoso.com', 'Zed@contoso.com']);
      assert.equal((await store.getUserByPrincipalName(OTHER, 'ZED@CONTOSO.COM'))?.id, 'id-Zed@contoso.com');
      assert.deepEqual(await store.listRoles(OTHER), directory.roles);
      assert.deepEqual((await store.listDeviceGroups(OTHER)).map((g) => g.id), [9, 7]);
      assert.deepEqual(await store.listApplications(OTHER), directory.applications);
      await store.replaceDirectory(OTHER, { applications: [], users: [], roles: [], deviceGroups: [] });
      assert.deepEqual([await store.listUsers(OTHER), await store.listRoles(OTHER), await store.listDeviceGroups(OTHER)], [[], [], []]);

      // Two instances replacing one tenant's directory and fault rules at once take turns: both
      // succeed (no duplicate key), and the result is one of the two sets, whole.
      const second = opened.again ? await opened.again() : store;
      const rules = (id: string) => [{ id, error: 'ServiceUnavailable' as const }];
      for (let round = 0; round < 5; round++) {
        await Promise.all([
          store.replaceDirectory(OTHER, directory),
          second.replaceDirectory(OTHER, directory),
          store.replaceFaultRules(OTHER, rules('a')),
          second.replaceFaultRules(OTHER, rules('b')),
        ]);
        assert.equal((await store.listApplications(OTHER)).length, 1);
        assert.equal((await store.listFaultRules(OTHER)).length, 1);
      }
      await store.replaceDirectory(OTHER, { applications: [], users: [], roles: [], deviceGroups: [] });
      await store.replaceFaultRules(OTHER, []);
    });

    it('stores whole machines and reads them back by id, name and aadDeviceId within scope', opts, async () => {
      const scope = scopeOf(TENANT);
      for (const m of visible) assert.deepEqual(await store.getById(scope, m.id), m);
      const hidden = machines[4] as Machine;
      assert.equal(await store.getById(scope, hidden.id), undefined, 'beyond retention');
      assert.deepEqual(await store.getById(scopeOf(TENANT, null, 1000), hidden.id), hidden);
      const first = visible[0] as Machine;
      assert.deepEqual(await store.idsByDnsName(scope, first.computerDnsName.toLowerCase(), 5), [first.id]);
      const aad = visible.find((m) => m.aadDeviceId !== null) as Machine;
      assert.deepEqual(await store.idsByAadDeviceId(scope, (aad.aadDeviceId as string).toLowerCase(), 5), [aad.id]);
      assert.equal(await store.countMachines(TENANT), machines.length);
      assert.equal(await store.countMachines(OTHER), 5);
    });

    it('scopes by device groups inside the query', opts, async () => {
      const groups = async (ids: readonly number[] | null) => (await store.listMachines(scopeOf(TENANT, ids), PAGE)).map((m) => m.id);
      const expect = (ids: readonly number[] | null) => visible.filter((m) => ids === null || ids.includes(m.rbacGroupId)).map((m) => m.id).sort();
      assert.deepEqual(await groups(null), expect(null));
      assert.deepEqual(await groups([]), []);
      assert.deepEqual(await groups([140]), expect([140]));
      assert.deepEqual(await groups([0, 101]), expect([0, 101]));
      assert.equal(await store.countMatching(scopeOf(TENANT, [140]), null), expect([140]).length);
      const outside = visible.find((m) => m.rbacGroupId === 0) as Machine;
      assert.equal(await store.getById(scopeOf(TENANT, [140]), outside.id), undefined);
      assert.equal(await store.update({ scope: scopeOf(TENANT, [140]), machineId: outside.id, deviceValue: 'High', change: change('setDeviceValue') }), undefined);
    });

    it('lists pages in order, filters and counts inside the query', opts, async () => {
      const scope = scopeOf(TENANT);
      const vip: MachineFilter = { kind: 'anyTag', predicate: { kind: 'compare', property: 'tag', op: 'eq', value: 'VIP' } };
      const tagged = visible.filter((m) => m.machineTags.includes('VIP')).map((m) => m.id).sort();
      assert.deepEqual((await store.listMachines(scope, { ...PAGE, filter: vip })).map((m) => m.id), tagged);
      assert.equal(await store.countMatching(scope, vip), tagged.length);
      const page = await store.listMachines(scope, { ...PAGE, skip: 3, limit: 4 });
      assert.deepEqual(page.map((m) => m.id), visible.map((m) => m.id).sort().slice(3, 7));
      const prefix = visible[1]?.computerDnsName.slice(0, 3).toLowerCase() as string;
      const starts: MachineFilter = { kind: 'startsWith', property: 'computerDnsName', prefix };
      const expected = visible.filter((m) => m.computerDnsName.toLowerCase().startsWith(prefix)).map((m) => m.id).sort();
      assert.deepEqual((await store.listMachines(scope, { ...PAGE, filter: starts })).map((m) => m.id), expected);
      // Nullable sort keys: nulls first ascending, last descending, on every backend.
      const risk = await store.listMachines(scope, { ...PAGE, orderBy: [{ property: 'aadDeviceId', descending: false }] });
      const nulls = risk.filter((m) => m.aadDeviceId === null).length;
      assert.ok(nulls > 0 && nulls < risk.length);
      assert.ok(risk.slice(0, nulls).every((m) => m.aadDeviceId === null));
      const down = await store.listMachines(scope, { ...PAGE, orderBy: [{ property: 'aadDeviceId', descending: true }] });
      assert.ok(down.slice(-nulls).every((m) => m.aadDeviceId === null));
      assert.equal(await store.countMatching(scope, null), visible.length);
    });

    it('writes the JSON list byte for byte as machineToJson, with and without $select', opts, async () => {
      const scope = scopeOf(TENANT);
      const texts = await store.listMachineJson(scope, PAGE, null);
      const full = await store.listMachines(scope, PAGE);
      assert.deepEqual(texts, full.map((m) => JSON.stringify(machineToJson(m))));
      const some = await store.listMachineJson(scope, { ...PAGE, limit: 5 }, ['osBuild', 'id', 'isAadJoined', 'lastSeen', 'vmMetadata', 'machineTags']);
      assert.deepEqual(
        some,
        full.slice(0, 5).map((m) => {
          const json = machineToJson(m);
          return JSON.stringify({ osBuild: json.osBuild, id: json.id, isAadJoined: json.isAadJoined, lastSeen: json.lastSeen, vmMetadata: json.vmMetadata, machineTags: json.machineTags });
        }),
      );
    });

    it('updates value, tags and group atomically with a history entry for the value', opts, async () => {
      const target = visible[2] as Machine;
      const scope = scopeOf(TENANT);
      const result = await store.update({
        scope,
        machineId: target.id,
        deviceValue: 'High',
        machineTags: ['Lab', 'new'],
        group: { rbacGroupId: 103, rbacGroupName: 'Lab' },
        change: change('patch', 'req-1'),
      });
      assert.equal(result?.previousDeviceValue, 'Normal');
      const expected = { ...target, deviceValue: 'High' as DeviceValue, machineTags: ['Lab', 'new'], rbacGroupId: 103, rbacGroupName: 'Lab' };
      assert.deepEqual(result?.machine, expected);
      assert.deepEqual(await store.getById(scope, target.id), expected);
      const lab: MachineFilter = { kind: 'anyTag', predicate: { kind: 'compare', property: 'tag', op: 'eq', value: 'Lab' } };
      assert.deepEqual((await store.listMachines(scope, { ...PAGE, filter: lab })).map((m) => m.id), [target.id]);
      const [entry, ...rest] = await store.history(TENANT, target.id, 10);
      assert.equal(rest.length, 0);
      assert.deepEqual({ ...entry, seq: 0 }, { seq: 0, tenantId: TENANT, machineId: target.id, oldValue: 'Normal', newValue: 'High', ...change('patch', 'req-1') });
      const tagsOnly = await store.update({ scope, machineId: target.id, machineTags: [], change: change('tags') });
      assert.deepEqual(tagsOnly?.machine.machineTags, []);
      assert.equal((await store.history(TENANT, target.id, 10)).length, 1, 'no value change, no entry');
      assert.equal(await store.update({ scope, machineId: 'f'.repeat(40), deviceValue: 'Low', change: change('setDeviceValue') }), undefined);
    });

    it('records a history entry when putMachines changes a value, and none when it does not', opts, async () => {
      const target = visible[3] as Machine;
      await store.putMachines(TENANT, [{ ...target, deviceValue: 'Low', machineTags: ['imported'] }], change('import'));
      await store.putMachines(TENANT, [{ ...target, deviceValue: 'Low', machineTags: ['imported'] }], change('import'));
      const history = await store.history(TENANT, target.id, 10);
      assert.deepEqual(history.map((h) => [h.oldValue, h.newValue, h.route]), [['Normal', 'Low', 'import']]);
      const tagged: MachineFilter = { kind: 'anyTag', predicate: { kind: 'compare', property: 'tag', op: 'eq', value: 'imported' } };
      assert.deepEqual((await store.listMachines(scopeOf(TENANT), { ...PAGE, filter: tagged })).map((m) => m.id), [target.id]);
      // The same machine twice in one call: both transitions, in order.
      await store.putMachines(TENANT, [{ ...target, deviceValue: 'High' }, { ...target, deviceValue: 'Normal' }], change('import'));
      assert.deepEqual((await store.history(TENANT, target.id, 10)).map((h) => [h.oldValue, h.newValue]), [['High', 'Normal'], ['Low', 'High'], ['Normal', 'Low']]);
    });

    it('keeps history newest first, each old value the previous new value, limited', opts, async () => {
      const target = visible[5] as Machine;
      const values: DeviceValue[] = ['High', 'Low', 'Normal', 'High', 'High', 'Low'];
      for (const [i, value] of values.entries()) {
        await store.update({ scope: scopeOf(TENANT), machineId: target.id, deviceValue: value, change: change('setDeviceValue', `r${i}`) });
      }
      const history = await store.history(TENANT, target.id, 100);
      // r4 sets the value r3 set: a no-op, which is not history.
      assert.deepEqual(history.map((h) => h.requestId), ['r5', 'r3', 'r2', 'r1', 'r0']);
      assertChained(history, 'Normal');
      assert.deepEqual((await store.history(TENANT, target.id, 2)).map((h) => h.requestId), ['r5', 'r3']);
      assert.ok(history.every((h, i) => i === 0 || (history[i - 1] as { seq: number }).seq > h.seq));
    });

    it('serialises concurrent updates of one machine: none lost, history chained', opts, async () => {
      const target = visible[6] as Machine;
      const second = opened.again ? await opened.again() : store; // PostgreSQL: a second instance (its own pool)
      const values: DeviceValue[] = ['Low', 'Normal', 'High'];
      const writes = Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? store : second).update({ scope: scopeOf(TENANT), machineId: target.id, deviceValue: values[i % 3] as DeviceValue, change: change('setDeviceValue', `c${i}`) }),
      );
      const results = await Promise.all(writes);
      assert.ok(results.every((r) => r !== undefined));
      const history = await store.history(TENANT, target.id, 100);
      // Interleaved writers may set the value just set: only real changes are history.
      const changed = results.flatMap((r, i) => (r?.previousDeviceValue !== values[i % 3] ? [`c${i}`] : []));
      assert.ok(changed.length > 0);
      assert.deepEqual(new Set(history.map((h) => h.requestId)), new Set(changed));
      assert.equal(history.length, changed.length);
      assertChained(history, 'Normal');
      assert.equal((await second.getById(scopeOf(TENANT), target.id))?.deviceValue, history[0]?.newValue);
      // Each reply's previous value is the old value of its own history entry (a no-op's, its own value).
      for (const [i, r] of results.entries()) {
        assert.equal(r?.previousDeviceValue, history.find((h) => h.requestId === `c${i}`)?.oldValue ?? values[i % 3]);
      }
    });

    it('finds machines by the addresses they held', opts, async () => {
      const [a, b] = visible as [Machine, Machine];
      await store.putIpHistory(TENANT, [
        { machineId: a.id, ipAddress: '10.9.9.9', from: at(NOW - 10 * DAY), to: at(NOW - 5 * DAY) },
        { machineId: b.id, ipAddress: '10.9.9.9', from: at(NOW - 4 * DAY), to: at(NOW - 1 * DAY) },
        { machineId: b.id, ipAddress: '10.9.9.9', from: at(NOW - 4 * DAY), to: at(NOW) }, // same start: replaces
      ]);
      const search = (from: number, to: number) => store.machinesByIp(scopeOf(TENANT), { ipAddress: '10.9.9.9', from: at(from), to: at(to) }, 10);
      assert.deepEqual((await search(NOW - 7 * DAY, NOW - 6 * DAY)).map((m) => m.id), [a.id]);
      assert.deepEqual((await search(NOW - 1000, NOW)).map((m) => m.id), [b.id]);
      assert.deepEqual((await search(NOW - 20 * DAY, NOW)).map((m) => m.id), [a.id, b.id].sort());
      assert.deepEqual(await store.machinesByIp(scopeOf(OTHER), { ipAddress: '10.9.9.9', from: at(NOW - 20 * DAY), to: at(NOW) }, 10), []);
    });

    it('walks every machine in id order, retention ignored, and re-groups them', opts, async () => {
      const seen: string[] = [];
      for await (const batch of store.allMachines(TENANT, 7)) seen.push(...batch.map((m) => m.id));
      assert.deepEqual(seen, byId.map((m) => m.id));
      const facts = await store.machineGroupFacts(TENANT, '', 3);
      assert.deepEqual(facts.map((f) => f.id), byId.slice(0, 3).map((m) => m.id));
      await store.setMachineGroups(TENANT, [{ machineId: byId[0]?.id as string, rbacGroupId: 77, rbacGroupName: 'Moved' }]);
      const moved = (await store.machineGroupFacts(TENANT, '', 1))[0];
      assert.deepEqual([moved?.rbacGroupId, moved?.rbacGroupName], [77, 'Moved']);
      assert.deepEqual((await store.machineGroupFacts(TENANT, byId.at(-2)?.id as string, 10)).map((f) => f.id), [byId.at(-1)?.id]);
    });

    it('keeps fault rules and limit counters', opts, async () => {
      await store.replaceFaultRules(TENANT, [{ id: 'one', error: 'ServiceUnavailable' }, { id: 'two', latencyMs: 5, enabled: false }]);
      await store.replaceFaultRules(OTHER, [{ id: 'x', drop: true }]);
      await store.replaceFaultRules(OTHER, []);
      assert.deepEqual(await store.listFaultRules(TENANT), [{ id: 'one', error: 'ServiceUnavailable' }, { id: 'two', latencyMs: 5, enabled: false }]);
      assert.deepEqual(await store.tenantsWithFaultRules(), [TENANT]);
      const counters = [
        { key: 'a/b/c', minuteStart: NOW, minuteCount: 3, hourStart: NOW - 1000, hourCount: 9 },
        { key: 'b/c/d', minuteStart: NOW + 1, minuteCount: 1, hourStart: NOW, hourCount: 1 },
      ];
      await store.saveLimitCounters(counters);
      assert.deepEqual(await store.loadLimitCounters(), counters);
      await store.saveLimitCounters(counters.slice(1));
      assert.deepEqual(await store.loadLimitCounters(), counters.slice(1));
      // One key at a time (each admitted call): a new key is added, a known one replaced.
      const first = counters[0] as (typeof counters)[number];
      await store.saveLimitCounter(first);
      await store.saveLimitCounter({ ...first, minuteCount: 4, hourCount: 10 });
      assert.deepEqual(await store.loadLimitCounters(), [{ ...first, minuteCount: 4, hourCount: 10 }, ...counters.slice(1)]);
    });

    it('deletes a tenant\'s machines with their tags, addresses and history, and nothing else', opts, async () => {
      await store.update({ scope: scopeOf(OTHER), machineId: machines[0]?.id as string, deviceValue: 'High', change: change('setDeviceValue') });
      await store.deleteMachines(OTHER);
      assert.equal(await store.countMachines(OTHER), 0);
      assert.deepEqual(await store.history(OTHER, machines[0]?.id as string, 10), []);
      assert.equal(await store.countMachines(TENANT), machines.length);
      assert.ok((await store.history(TENANT, (visible[5] as Machine).id, 10)).length > 0);
      assert.equal(store.healthy, true);
    });
  });
}

function assertChained(newestFirst: readonly { oldValue: string; newValue: string }[], initial: string): void {
  const oldestFirst = [...newestFirst].reverse();
  oldestFirst.forEach((entry, i) => assert.equal(entry.oldValue, i === 0 ? initial : oldestFirst[i - 1]?.newValue, `entry ${i} chains`));
}
