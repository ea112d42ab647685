/**
 * `rampart seed` into an empty PostgreSQL store bulk-loads (src/store/postgres/bulk-load.ts):
 * indexes dropped and row triggers disabled inside one transaction, rows in a statement a table,
 * indexes rebuilt and counts backfilled at the end. What it leaves must be what the row-by-row
 * path leaves: the same schema (every index, trigger and constraint, as the migrations wrote
 * them), the same rows and the same counts; a load that fails leaves the store as it was.
 * Runs with RAMPART_TEST_STORE=postgres (npm run test:postgres), as the SQLite twin is
 * test/seed-bulk-load.test.ts.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { generateFleetWithHistory } from '../src/fleet/address-history.js';
import { seedFleet } from '../src/fleet/seed.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { LOADED_TABLES } from '../src/store/loaded-tables.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';
import { assertDeclined, seedSecondTenant, seedTwenty } from './helpers/bulk-seed.js';
import { REPO_ROOT } from './helpers/process.js';

const TENANT = '0b5e55ed-0000-4000-8000-000000000001';
const FLEET = { count: 300, seed: 4242, nowMs: Date.UTC(2026, 11, 1), staleFraction: 0.1 } as const;

const skip = process.env.RAMPART_TEST_STORE === 'postgres' ? await skipWithoutPostgres() : 'runs with RAMPART_TEST_STORE=postgres (npm run test:postgres)';

const databases: TestDatabase[] = [];
after(() => Promise.all(databases.map((d) => d.drop())));

async function database(): Promise<TestDatabase> {
  const created = await createTestDatabase();
  databases.push(created);
  return created;
}

async function query<R extends object>(url: string, text: string): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(text)).rows;
  } finally {
    await client.end();
  }
}

async function openWithTenant(url: string): Promise<PostgresStore> {
  const store = await PostgresStore.open(url, { poolSize: 4 });
  await store.putTenant({ id: TENANT, name: 'Bulk', retentionDays: 180 });
  return store;
}

/** Indexes, triggers (enabled or not) and constraints of the current schema, as the catalogue writes them. */
async function schemaOf(url: string): Promise<unknown[]> {
  return query(
    url,
    `select 'index' as kind, tablename as table, indexname as name, indexdef as definition from pg_indexes where schemaname = current_schema()
     union all
     select 'trigger', c.relname, t.tgname, t.tgenabled::text || ' ' || pg_get_triggerdef(t.oid) from pg_trigger t join pg_class c on c.oid = t.tgrelid
      where not t.tgisinternal and c.relnamespace = current_schema()::regnamespace
     union all
     select 'constraint', c.relname, k.conname, pg_get_constraintdef(k.oid) from pg_constraint k join pg_class c on c.oid = k.conrelid
      where c.relnamespace = current_schema()::regnamespace
     order by 1, 2, 3`,
  );
}

/** A table's rows, sorted by every column (alert_history's seq, the order rows went in, included). */
const rowsOf = (url: string, table: string) => query(url, `select to_jsonb(t) as row from ${table} t order by to_jsonb(t)::text`);

/** The counts readers see: the sum of a key's rows (PostgreSQL's triggers append -1 and +1 rows). */
const countsOf = (url: string) =>
  query<{ n: string }>(url, `select tenant_id, rbac_group_id, device_value, seen_day, sum(n)::int as n from machine_counts group by 1, 2, 3, 4 having sum(n) <> 0 order by 1, 2, 3, 4`);

const rowCount = async (url: string, table: string) => Number((await query<{ n: string }>(url, `select count(*) as n from ${table}`))[0]?.n);

describe('seed bulk load (PostgreSQL)', { skip }, () => {
  let bulk: TestDatabase;
  let row: TestDatabase;
  let fresh: TestDatabase;

  before(async () => {
    [bulk, row, fresh] = await Promise.all([database(), database(), database()]);
    const bulkStore = await openWithTenant(bulk.url);
    let loaded = false;
    const load = bulkStore.bulkLoad.bind(bulkStore);
    bulkStore.bulkLoad = async (...args) => {
      const result = await load(...args);
      loaded = result !== undefined;
      return result;
    };
    const bulkResult = await seedFleet(bulkStore, TENANT, FLEET, undefined, { bulk: true });
    await bulkStore.close();
    assert.ok(loaded, 'the empty store was bulk-loaded');
    const rowStore = await openWithTenant(row.url);
    const rowResult = await seedFleet(rowStore, TENANT, FLEET);
    await rowStore.close();
    assert.deepEqual(bulkResult, rowResult);
    assert.equal(bulkResult.machines, FLEET.count);
    assert.ok(bulkResult.alerts > FLEET.count, 'about two alerts a machine');
    await (await PostgresStore.open(fresh.url)).close();
  });

  it('leaves the schema the migrations make: every index, trigger (enabled) and constraint', async () => {
    const expected = await schemaOf(fresh.url);
    assert.deepEqual(await schemaOf(bulk.url), expected);
    assert.deepEqual(await schemaOf(row.url), expected);
    const names = JSON.stringify(expected);
    for (const name of ['machine_counts_insert_delete', 'machine_list_members', 'machines_pk']) assert.ok(names.includes(name), name);
    assert.ok(expected.filter((o) => JSON.stringify(o).includes('"table":"machines"')).length >= 15);
  });

  it('writes the same rows as the row-by-row path, and the same counts', async () => {
    for (const table of [...LOADED_TABLES, 'value_history', 'machine_values']) assert.deepEqual(await rowsOf(bulk.url, table), await rowsOf(row.url, table), table);
    assert.equal(await rowCount(bulk.url, 'machines'), FLEET.count);
    assert.equal(await rowCount(bulk.url, 'machine_values'), FLEET.count, 'the value table filled by its statement triggers during the load');
    const counts = await countsOf(bulk.url);
    assert.deepEqual(counts, await countsOf(row.url));
    assert.equal(
      counts.reduce((sum, c) => sum + Number(c.n), 0),
      FLEET.count,
      'every machine counted once',
    );
  });

  it('moves the listing versions, and leaves the tables analyzed', async () => {
    const versions = await query<{ kind: string; n: string }>(bulk.url, 'select kind, sum(n)::int as n from machine_list_changes group by kind order by kind');
    const of = (kind: string) => Number(versions.find((v) => v.kind === kind)?.n);
    // The migration starts each version at 1; machines and their tags went in since.
    assert.ok(of('members') > 1 && of('tags') > 1, JSON.stringify(versions));
    const analyzed = await query<{ relname: string }>(bulk.url, `select relname from pg_stat_user_tables where last_analyze is not null order by relname`);
    for (const table of LOADED_TABLES) assert.ok(analyzed.some((t) => t.relname === table), table);
  });

  it('is not used on a store that already has machines: a second seed writes the usual way, with the triggers counting', async () => {
    await seedSecondTenant(await PostgresStore.open(bulk.url), FLEET);
    const total = await query<{ n: number }>(bulk.url, 'select sum(n)::int as n from machine_counts');
    assert.equal(total[0]?.n, FLEET.count + 100);
  });
});

describe('a PostgreSQL bulk load that cannot or does not finish', { skip }, () => {
  it('that fails mid-way rolls back everything, indexes and triggers included, and the store keeps working', async () => {
    const [failed, fresh] = await Promise.all([database(), database()]);
    await (await PostgresStore.open(fresh.url)).close();
    const store = await openWithTenant(failed.url);
    try {
      const entries = [...generateFleetWithHistory({ ...FLEET, count: 50 })];
      const change = { at: timestampFromMillis(FLEET.nowMs), appId: null, userId: null, route: 'seed' as const, requestId: null };
      await assert.rejects(
        store.bulkLoad(async (sink) => {
          await sink.putMachines(TENANT, entries.map((e) => e.machine), change);
          // Still queued when the load fails: it must not run after the rollback, outside the transaction.
          for (const entry of entries) sink.putIpHistory(TENANT, entry.ipHistory).catch(() => {});
          throw new Error('generator failed');
        }),
        /generator failed/,
      );
      assert.deepEqual(await schemaOf(failed.url), await schemaOf(fresh.url));
      for (const table of LOADED_TABLES) assert.equal(await rowCount(failed.url, table), 0, table);
      // The triggers are back: an ordinary seed is counted by them.
      await seedFleet(store, TENANT, { ...FLEET, count: 10 });
      assert.equal(await store.countMachines(TENANT), 10);
      assert.equal((await query<{ n: number }>(failed.url, 'select sum(n)::int as n from machine_counts'))[0]?.n, 10);
    } finally {
      await store.close();
    }
  });

  it('that is killed (SIGKILL) mid-load is rolled back by PostgreSQL: no machine, every index', async () => {
    const [killed, fresh] = await Promise.all([database(), database()]);
    await (await PostgresStore.open(fresh.url)).close();
    const dataDir = await mkdtemp(join(tmpdir(), 'rampart-pg-killed-'));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'seed', '--count', '1000000', '--json', '--store', killed.url, '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RAMPART_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const loading = `select count(*)::int as n from pg_stat_activity where datname = current_database() and query like 'INSERT INTO alert%'`;
    try {
      // Killed once the load has written alerts: the indexes are dropped and thousands of rows are in.
      const deadline = Date.now() + 120_000;
      while ((await query<{ n: number }>(killed.url, loading))[0]?.n === 0) {
        assert.ok(Date.now() < deadline, 'the load did not start in time');
        assert.equal(child.exitCode, null, 'the seed ended before it could be killed');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    }
    // The server ends the session (and rolls it back) once it sees the connection gone.
    const others = `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()`;
    for (const deadline = Date.now() + 60_000; (await query<{ n: number }>(killed.url, others))[0]?.n !== 0; ) {
      assert.ok(Date.now() < deadline, 'the killed session did not end');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    for (const table of LOADED_TABLES) assert.equal(await rowCount(killed.url, table), 0, table);
    assert.deepEqual(await schemaOf(killed.url), await schemaOf(fresh.url));
  });

  it('is declined, having run nothing, while another session holds a loaded table', async () => {
    const busy = await database();
    const store = await openWithTenant(busy.url);
    const other = new pg.Client({ connectionString: busy.url });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('LOCK TABLE alerts IN ACCESS SHARE MODE');
      await assertDeclined(store);
      await other.query('ROLLBACK');
      await seedTwenty(store, TENANT, FLEET);
    } finally {
      await other.end();
      await store.close();
    }
  });
});
