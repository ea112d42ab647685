/**
 * Migration 0012 upgrades a PostgreSQL database in place: a database made by the schema before it
 * (0010), with machines and their counts in it, comes out with no index holding `device_value`
 * (so a value change is a HOT update), a fillfactor leaving room for it, every row as it was, and
 * value changes still recorded and counted. Undoing it restores both indexes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import { generateFleet } from '../src/fleet/generator.js';
import { machineToRow } from '../src/store/machine-rows.js';
import { machineUpsert } from '../src/store/machine-writes.js';
import { migrationProvider } from '../src/store/migrations/index.js';
import { connectKysely } from '../src/store/postgres/pool.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Database } from '../src/store/schema.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';

const TENANT = 'c0c0c0c0-0000-4000-8000-0000000000d1';
const NOW = Date.now();
const at = (ms: number) => timestampFromMillis(ms) as Timestamp;

/** Names of the indexes on `machines` that hold `device_value`. */
async function valueIndexes(db: Kysely<Database>): Promise<string[]> {
  const rows = await sql<{ name: string }>`
    select distinct i.relname as name from pg_index x
    join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
    join pg_attribute a on a.attrelid = t.oid and a.attnum = any (x.indkey)
    where t.relname = 'machines' and a.attname = 'device_value' order by 1`.execute(db);
  return rows.rows.map((r) => r.name);
}

const fillfactor = async (db: Kysely<Database>) => (await sql<{ options: string[] | null }>`select reloptions as options from pg_class where relname = 'machines'`.execute(db)).rows[0]?.options ?? null;

describe('PostgreSQL migration 0012 (device value out of the indexes)', async () => {
  const reason = await skipWithoutPostgres();
  const opts = { skip: reason };
  let database: TestDatabase;
  let db: Kysely<Database>;
  const machines = [...generateFleet({ count: 200, seed: 3, nowMs: NOW })].map((m) => ({ ...m, lastSeen: at(NOW - 86_400_000) }));

  before(async () => {
    if (reason) return;
    database = await createTestDatabase();
    db = connectKysely(database.url, 2);
    const migrator = new Migrator({ db: db as Kysely<unknown>, provider: migrationProvider });
    const { error } = await migrator.migrateTo('0010-machine-actions');
    if (error) throw error;
    await db.insertInto('tenants').values({ id: TENANT, name: 'Upgrade', retention_days: 180 } as never).execute();
    await db.executeQuery(machineUpsert(db, machines.map((m) => machineToRow(TENANT, m))));
  });
  after(async () => {
    if (reason) return;
    await db.destroy();
    await database.drop();
  });

  it('starts from the schema before it, with both value indexes', opts, async () => {
    assert.deepEqual(await valueIndexes(db), ['machines_by_value', 'machines_value_counts']);
  });

  it('drops them and sets a fillfactor, keeping every row and count', opts, async () => {
    const rowsBefore = await db.selectFrom('machines').selectAll().orderBy('id').execute();
    const countsBefore = await db.selectFrom('machine_counts').select(['device_value', (eb) => eb.fn.sum<string>('n').as('n')]).groupBy('device_value').orderBy('device_value').execute();
    const store = await PostgresStore.open(database.url, { poolSize: 2 }); // migrates to the newest schema
    try {
      assert.deepEqual(await valueIndexes(db), []);
      assert.deepEqual(await fillfactor(db), ['fillfactor=80']);
      assert.deepEqual(await db.selectFrom('machines').selectAll().orderBy('id').execute(), rowsBefore);
      assert.deepEqual(await db.selectFrom('machine_counts').select(['device_value', (eb) => eb.fn.sum<string>('n').as('n')]).groupBy('device_value').orderBy('device_value').execute(), countsBefore);

      // A value change still writes its history entry and moves the machine between counts.
      const target = machines[0] as (typeof machines)[number];
      const next: DeviceValue = target.deviceValue === 'High' ? 'Low' : 'High';
      const scope = { tenantId: TENANT, visibleSince: at(NOW - 180 * 86_400_000), rbacGroupIds: null };
      const change = { at: at(NOW), appId: 'a', userId: null, route: 'setDeviceValue' as const, requestId: 'up-1' };
      const result = await store.update({ scope, machineId: target.id, deviceValue: next, change });
      assert.equal(result?.previousDeviceValue, target.deviceValue);
      const [entry] = await store.history(TENANT, target.id, 1);
      assert.deepEqual([entry?.oldValue, entry?.newValue, entry?.requestId], [target.deviceValue, next, 'up-1']);
      const counts = await store.countByDeviceValue(scope);
      const expected = Object.fromEntries((['Low', 'Normal', 'High'] as const).map((v) => [v, machines.filter((m) => (m.id === target.id ? next : m.deviceValue) === v).length]));
      assert.deepEqual(counts, expected);
    } finally {
      await store.close();
    }
  });

  it('restores both indexes when undone', opts, async () => {
    const migrator = new Migrator({ db: db as Kysely<unknown>, provider: migrationProvider });
    const { error } = await migrator.migrateTo('0010-machine-actions');
    assert.equal(error, undefined);
    assert.deepEqual(await valueIndexes(db), ['machines_by_value', 'machines_value_counts']);
    assert.equal(await fillfactor(db), null);
  });
});
