/**
 * Migration 0016 (PostgreSQL: the facet indexes carry the scope's columns, so the console's
 * filtered counts read indexes alone) upgrades a database made by the schema before it, with
 * machines in it: the indexes come out with their INCLUDE columns, filtered listings and counts
 * answer as before, and going back down restores the plain indexes.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import type { MachineFilter, MachinePage } from '../src/domain/machines/machine-query.js';
import type { MachineScope } from '../src/domain/ports.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
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
const TENANT = 'd0d0d0d0-0000-4000-8000-000000000016';
const BEFORE = '0015-alerts-fetch-statistics';
const COVERED = ['machines_by_health', 'machines_by_id_seen', 'machines_by_platform'];

const indexDefinitions = async (db: Kysely<Database>) =>
  (await sql<{ name: string; definition: string }>`select indexname as name, indexdef as definition from pg_indexes where tablename = 'machines' and indexname = any (${COVERED}) order by indexname`.execute(db)).rows;

const skip = await skipWithoutPostgres();
describe('migration 0016 on PostgreSQL', { skip }, () => {
  let database: TestDatabase | undefined;
  after(() => database?.drop());

  it('upgrades a database with machines in it; filtered pages and counts answer as before; down restores the plain indexes', async () => {
    database = await createTestDatabase();
    const fleet = testFleet(7, 120, NOW);
    const db = kyselyOver(newPool(database.url, 2));
    try {
      const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo(BEFORE);
      assert.equal(migrated.error, undefined);
      await db.executeQuery(machineUpsert(db, fleet.map((m) => machineToRow(TENANT, m))));
      assert.ok((await indexDefinitions(db)).every((i) => !i.definition.includes('INCLUDE')));

      const store = await PostgresStore.open(database.url); // migrates to the newest
      try {
        assert.deepEqual(
          (await indexDefinitions(db)).map((i) => i.definition.replace(/^.* USING btree /, '')),
          ['(tenant_id, health_status, id) INCLUDE (last_seen, rbac_group_id, os_platform)', '(tenant_id, id, last_seen) INCLUDE (rbac_group_id)', '(tenant_id, os_platform, id) INCLUDE (last_seen, rbac_group_id, health_status)'],
        );
        const some = fleet[0];
        assert.ok(some);
        const scopes: MachineScope[] = [
          { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 90 * 86_400_000), rbacGroupIds: null },
          { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 400 * 86_400_000), rbacGroupIds: [some.rbacGroupId] },
        ];
        const filters: MachineFilter[] = [
          { kind: 'compare', property: 'healthStatus', op: 'eq', value: some.healthStatus },
          { kind: 'and', left: { kind: 'compare', property: 'healthStatus', op: 'eq', value: some.healthStatus }, right: { kind: 'compare', property: 'osPlatform', op: 'eq', value: some.osPlatform } },
        ];
        for (const scope of scopes) {
          for (const filter of filters) {
            const page: MachinePage = { filter, orderBy: [], skip: 0, limit: 200 };
            const expected = evaluatePage(fleet, scope, page).map((m) => m.id);
            assert.ok(expected.length > 0, 'the filter matches something');
            assert.deepEqual((await store.listMachines(scope, page)).map((m) => m.id), expected);
            assert.equal(await store.countMatching(scope, filter), expected.length);
          }
        }
      } finally {
        await store.close();
      }

      const down = await new Migrator({ db, provider: migrationProvider }).migrateTo(BEFORE);
      assert.equal(down.error, undefined);
      assert.deepEqual((await indexDefinitions(db)).map((i) => i.name), COVERED);
      assert.ok((await indexDefinitions(db)).every((i) => !i.definition.includes('INCLUDE')));
    } finally {
      await db.destroy();
    }
  });
});
