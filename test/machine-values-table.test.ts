/**
 * Migration 0017 (PostgreSQL: device values move out of the machines' indexes into the narrow
 * machine_values table, so a device-value change is a HOT update): it upgrades a database with
 * machines in it, no index of `machines` holds device_value afterwards, value filters answer as
 * they did (their matches found through the table), the table follows every way machines are
 * written, and going down restores the two indexes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import { DEVICE_VALUES, type DeviceValue } from '../src/domain/machines/device-value.js';
import type { MachineFilter, MachinePage } from '../src/domain/machines/machine-query.js';
import type { MachineScope } from '../src/domain/ports.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { machineToRow } from '../src/store/machine-rows.js';
import { machineUpsert } from '../src/store/machine-writes.js';
import { migrationProvider } from '../src/store/migrations/index.js';
import { kyselyOver, newPool } from '../src/store/postgres/pool.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Database } from '../src/store/schema.js';
import { evaluatePage } from './helpers/evaluate-query.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';
import { testFleet } from './helpers/query-arbitraries.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const TENANT = 'd0d0d0d0-0000-4000-8000-000000000017';
const BEFORE = '0016-covering-scope-indexes';
const VALUE_INDEXES = ['machines_by_value', 'machines_value_counts'];

/** Indexes of machines with device_value among their columns (key or INCLUDE). */
const indexesHoldingValue = async (db: Kysely<Database>) =>
  (await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'machines' and indexdef like '%device_value%' order by indexname`.execute(db)).rows.map((r) => r.name);

/** machine_values and what it must be: each machine's (tenant, value, id). */
async function valueRows(db: Kysely<Database>): Promise<{ kept: string[]; expected: string[] }> {
  const key = (r: { tenant_id: string; device_value: string; id: string }) => `${r.tenant_id} ${r.device_value} ${r.id}`;
  const kept = await db.selectFrom('machine_values').select(['tenant_id', 'device_value', 'id']).orderBy('tenant_id').orderBy('id').execute();
  const expected = await db.selectFrom('machines').select(['tenant_id', 'device_value', 'id']).orderBy('tenant_id').orderBy('id').execute();
  return { kept: kept.map(key), expected: expected.map(key) };
}

const value = (v: DeviceValue): MachineFilter => ({ kind: 'compare', property: 'deviceValue', op: 'eq', value: v });

const skip = await skipWithoutPostgres();
describe('migration 0017 on PostgreSQL: device values in a table of their own', { skip }, () => {
  const databases: TestDatabase[] = [];
  after(() => Promise.all(databases.map((d) => d.drop())));

  it('upgrades a database with machines in it; value filters and counts answer as before; down restores the indexes', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const fleet = testFleet(17, 150, NOW);
    const db = kyselyOver(newPool(database.url, 2));
    try {
      assert.equal((await new Migrator({ db, provider: migrationProvider }).migrateTo(BEFORE)).error, undefined);
      await db.executeQuery(machineUpsert(db, fleet.map((m) => machineToRow(TENANT, m))));
      assert.deepEqual(await indexesHoldingValue(db), VALUE_INDEXES);

      const store = await PostgresStore.open(database.url); // migrates to the newest
      try {
        assert.deepEqual(await indexesHoldingValue(db), [], 'no index of machines holds device_value: a value change can be a HOT update');
        const { kept, expected } = await valueRows(db);
        assert.equal(kept.length, fleet.length);
        assert.deepEqual(kept, expected);
        const options = await sql<{ options: string[] | null }>`select reloptions as options from pg_class where relname = 'machines'`.execute(db);
        assert.deepEqual(options.rows[0]?.options, ['fillfactor=90']);

        const some = fleet[0];
        assert.ok(some);
        const scopes: MachineScope[] = [
          { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 90 * 86_400_000), rbacGroupIds: null },
          { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 400 * 86_400_000), rbacGroupIds: [some.rbacGroupId] },
        ];
        const health: MachineFilter = { kind: 'compare', property: 'healthStatus', op: 'ne', value: 'Active' };
        const filters: MachineFilter[] = [
          value('High'),
          value('Low'),
          { kind: 'in', property: 'deviceValue', values: ['High', 'Low'] },
          { kind: 'and', left: value('High'), right: health },
          { kind: 'and', left: health, right: { kind: 'and', left: value('Normal'), right: { kind: 'in', property: 'deviceValue', values: ['Normal', 'Low'] } } },
          { kind: 'or', left: value('High'), right: health },
          { kind: 'not', operand: value('Normal') },
          { kind: 'compare', property: 'deviceValue', op: 'ne', value: 'High' },
          // Another tenant's value table rows never match: the lookup is by tenant too.
          { kind: 'and', left: value('High'), right: { kind: 'compare', property: 'id', op: 'ne', value: some.id } },
        ];
        for (const scope of scopes) {
          for (const filter of filters) {
            for (const orderBy of [[], [{ property: 'riskScore', descending: true }]] as MachinePage['orderBy'][]) {
              const page: MachinePage = { filter, orderBy, skip: 3, limit: 200 };
              const wanted = evaluatePage(fleet, scope, page).map((m) => m.id);
              assert.ok(wanted.length > 0, `${JSON.stringify(filter)} matches something`);
              assert.deepEqual((await store.listMachines(scope, page)).map((m) => m.id), wanted, JSON.stringify(filter));
            }
            const all = evaluatePage(fleet, scope, { filter, orderBy: [], skip: 0, limit: 1_000 }).length;
            assert.equal(await store.countMatching(scope, filter), all);
            assert.equal(await store.countMatchingUpTo(scope, filter, 5), Math.min(all, 5));
          }
          const counts = await store.countByDeviceValue(scope);
          for (const v of DEVICE_VALUES) assert.equal(counts[v], evaluatePage(fleet, scope, { filter: value(v), orderBy: [], skip: 0, limit: 1_000 }).length, v);
        }
      } finally {
        await store.close();
      }

      assert.equal((await new Migrator({ db, provider: migrationProvider }).migrateTo(BEFORE)).error, undefined);
      assert.deepEqual(await indexesHoldingValue(db), VALUE_INDEXES);
      const table = await sql<{ n: number }>`select count(*)::int as n from pg_class where relname = 'machine_values'`.execute(db);
      assert.equal(table.rows[0]?.n, 0);
    } finally {
      await db.destroy();
    }
  });

  it('follows every write of machines: value changes grouped or alone, imports, regrouping, deletes', async () => {
    const database = await createTestDatabase();
    databases.push(database);
    const store = await PostgresStore.open(database.url, { poolSize: 4 });
    const db = kyselyOver(newPool(database.url, 1));
    const at = timestampFromMillis(NOW) as Timestamp;
    const change = { at, appId: 'test', userId: null, route: 'setDeviceValue' as const, requestId: null };
    const scope: MachineScope = { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 400 * 86_400_000), rbacGroupIds: null };
    const agree = async (step: string) => {
      const { kept, expected } = await valueRows(db);
      assert.deepEqual(kept, expected, step);
    };
    try {
      await store.putTenant({ id: TENANT, name: 'values', retentionDays: 400 });
      await store.putTenant({ id: `${TENANT.slice(0, -1)}8`, name: 'other', retentionDays: 400 });
      const fleet = testFleet(18, 60, NOW);
      await store.putMachines(TENANT, fleet, { ...change, route: 'seed' });
      await store.putMachines(`${TENANT.slice(0, -1)}8`, fleet.slice(0, 10), { ...change, route: 'seed' });
      await agree('seeded');

      // Concurrent value changes go in groups (value-batch.ts); some set the value a machine has.
      await Promise.all(fleet.slice(0, 30).map((m, i) => store.update({ scope, machineId: m.id, deviceValue: DEVICE_VALUES[i % 3] as DeviceValue, change })));
      await agree('grouped value changes');
      const first = fleet[0];
      assert.ok(first);
      await store.update({ scope, machineId: first.id, deviceValue: 'Low', machineTags: ['moved'], change });
      await agree('a value change with tags');
      await store.update({ scope, machineId: first.id, machineTags: ['again'], change });
      await agree('tags only');

      // An import: existing machines with other values, and new ones.
      const flipped = fleet.slice(20, 40).map((m) => ({ ...m, deviceValue: (m.deviceValue === 'High' ? 'Low' : 'High') as DeviceValue }));
      await store.putMachines(TENANT, [...flipped, ...testFleet(19, 5, NOW).map((m) => ({ ...m, id: `${m.id.slice(0, -4)}beef` }))], { ...change, route: 'import' });
      await agree('an import');
      await store.setMachineGroups(TENANT, [{ machineId: first.id, rbacGroupId: 99, rbacGroupName: 'Moved' }]);
      await agree('regrouped');

      await store.deleteMachines(TENANT);
      await agree('deleted');
      assert.equal((await valueRows(db)).kept.length, 10, "the other tenant's machines stay");
    } finally {
      await db.destroy();
      await store.close();
    }
  });
});
