/**
 * `rampart seed` into an empty SQLite store bulk-loads (issue 14): indexes and count triggers set
 * aside, rows in one transaction, indexes built at the end. What it leaves must be exactly what
 * the row-by-row path leaves: the same schema (every index and trigger, as the migrations wrote
 * them), the same rows and the same counts. A load that fails, or is killed, leaves the store as
 * it was before, indexes included.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { seedFleet } from '../src/fleet/seed.js';
import { generateFleetWithHistory } from '../src/fleet/address-history.js';
import { LOADED_TABLES } from '../src/store/loaded-tables.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { assertDeclined, seedSecondTenant, seedTwenty } from './helpers/bulk-seed.js';
import { REPO_ROOT } from './helpers/process.js';

const TENANT = '0b5e55ed-0000-4000-8000-000000000001';
const FLEET = { count: 2000, seed: 4242, nowMs: Date.UTC(2026, 11, 1), staleFraction: 0.1 } as const;
/** Every table a seed writes, and the counts kept from them. */
const COMPARED = [...LOADED_TABLES, 'machine_counts', 'value_history'] as const;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rampart-bulk-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function openWithTenant(name: string): Promise<SqliteStore> {
  const store = await SqliteStore.open(join(dir, name));
  await store.putTenant({ id: TENANT, name: 'Bulk', retentionDays: 180 });
  return store;
}

/** Indexes, triggers and tables, as sqlite_master holds them (autoindexes of keys included). */
function schemaOf(path: string): string[] {
  const db = new Database(path, { readonly: true });
  try {
    const rows = db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY type, name").all();
    return rows.map((r) => JSON.stringify(r));
  } finally {
    db.close();
  }
}

function rowsOf(path: string, table: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    // Sorted by every column: alert_history's seq (the order rows went in) included.
    const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => `"${c.name}"`);
    return db.prepare(`SELECT * FROM ${table} ORDER BY ${columns.join(', ')}`).all();
  } finally {
    db.close();
  }
}

/** The indexes of machines that sqlite_stat1 holds statistics for, read beside the open store. */
const analyzedIndexes = (path: string): string[] => {
  const db = new Database(path, { readonly: true });
  try {
    const stat = db.prepare("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'").get();
    if (!stat) return [];
    return (db.prepare("SELECT DISTINCT idx AS name FROM sqlite_stat1 WHERE tbl = 'machines' ORDER BY idx").all() as { name: string }[]).map((r) => r.name);
  } finally {
    db.close();
  }
};

const countRows = (path: string, table: string) => {
  const db = new Database(path, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
};

describe('seed bulk load (SQLite)', () => {
  let bulkPath: string;
  let rowPath: string;
  let freshPath: string;
  let analyzedRightAfter: string[];

  before(async () => {
    bulkPath = join(dir, 'bulk.db');
    rowPath = join(dir, 'row.db');
    freshPath = join(dir, 'fresh.db');
    const bulk = await openWithTenant('bulk.db');
    const bulkResult = await seedFleet(bulk, TENANT, FLEET, undefined, { bulk: true });
    analyzedRightAfter = analyzedIndexes(bulkPath);
    await bulk.close();
    const row = await openWithTenant('row.db');
    const rowResult = await seedFleet(row, TENANT, FLEET);
    await row.close();
    assert.deepEqual(bulkResult, rowResult);
    assert.equal(bulkResult.machines, FLEET.count);
    assert.ok(bulkResult.alerts > FLEET.count, 'about two alerts a machine');
    await (await SqliteStore.open(freshPath)).close();
  });

  it('leaves the schema the migrations make: every table, index and trigger, the same SQL', () => {
    const fresh = schemaOf(freshPath);
    assert.deepEqual(schemaOf(bulkPath), fresh);
    assert.deepEqual(schemaOf(rowPath), fresh);
    assert.ok(fresh.some((o) => o.includes('"trigger"') && o.includes('machine_counts_insert')));
    assert.ok(fresh.filter((o) => o.includes('"index"') && o.includes('"tbl_name":"machines"')).length >= 15);
  });

  it('writes the same rows as the row-by-row path, and the same counts', () => {
    for (const table of COMPARED) assert.deepEqual(rowsOf(bulkPath, table), rowsOf(rowPath, table), table);
    assert.equal(countRows(bulkPath, 'machines'), FLEET.count);
    const counted = new Database(bulkPath, { readonly: true });
    try {
      const total = counted.prepare('SELECT sum(n) AS n FROM machine_counts').get() as { n: number };
      assert.equal(total.n, FLEET.count, 'every machine counted once');
    } finally {
      counted.close();
    }
  });

  it('leaves statistics on every index of machines at once, before the store closes (the planner needs them)', () => {
    const db = new Database(bulkPath, { readonly: true });
    try {
      const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'machines' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      assert.deepEqual(analyzedRightAfter, indexes);
    } finally {
      db.close();
    }
  });

  it('leaves a database that passes SQLite integrity check, in WAL mode', () => {
    const db = new Database(bulkPath);
    try {
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    } finally {
      db.close();
    }
  });

  it('is not used on a store that already has machines: a second seed writes the usual way, with the triggers counting', async () => {
    await seedSecondTenant(await SqliteStore.open(bulkPath), FLEET);
    const db = new Database(bulkPath, { readonly: true });
    try {
      const total = db.prepare('SELECT sum(n) AS n FROM machine_counts').get() as { n: number };
      assert.equal(total.n, FLEET.count + 100);
    } finally {
      db.close();
    }
  });
});

describe('a bulk load beside another connection', () => {
  it('is declined (the journal cannot leave WAL), and the store keeps writing the usual way', async () => {
    const store = await openWithTenant('shared.db');
    const other = new Database(join(dir, 'shared.db'));
    try {
      other.prepare('SELECT count(*) FROM machines').get();
      await assertDeclined(store);
      await seedTwenty(store, TENANT, FLEET);
    } finally {
      other.close();
      await store.close();
    }
  });
});

describe('an interrupted bulk load', () => {
  it('that fails rolls back everything, indexes included, and the store keeps working', async () => {
    const path = join(dir, 'failed.db');
    const fresh = join(dir, 'failed-fresh.db');
    await (await SqliteStore.open(fresh)).close();
    const store = await openWithTenant('failed.db');
    const [entry] = [...generateFleetWithHistory({ ...FLEET, count: 1 })];
    assert.ok(entry);
    await assert.rejects(
      store.bulkLoad(async (sink) => {
        const change = { at: timestampFromMillis(FLEET.nowMs), appId: null, userId: null, route: 'seed' as const, requestId: null };
        await sink.putMachines(TENANT, [entry.machine], change);
        throw new Error('generator failed');
      }),
      /generator failed/,
    );
    assert.equal(await store.countMachines(TENANT), 0);
    // The group commit is back: ordinary writes work and are durable.
    await seedFleet(store, TENANT, { ...FLEET, count: 10 });
    assert.equal(await store.countMachines(TENANT), 10);
    await store.close();
    assert.deepEqual(schemaOf(path), schemaOf(fresh));
  });

  it('that is killed (SIGKILL) is rolled back when the database is next opened: no machine, every index', async () => {
    const dataDir = await mkdtemp(join(dir, 'killed-'));
    const db = join(dataDir, 'rampart.db');
    const fresh = join(dir, 'killed-fresh.db');
    await (await SqliteStore.open(fresh)).close();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', 'seed', '--count', '1000000', '--json', '--data-dir', dataDir], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', RAMPART_LOG_LEVEL: 'warn' },
      stdio: 'ignore',
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      // Killed mid-load: the rollback journal is there and the load has written well past the schema.
      const deadline = Date.now() + 120_000;
      while (!(existsSync(`${db}-journal`) && statSync(db).size > 20_000_000)) {
        assert.ok(Date.now() < deadline, 'the load did not start in time');
        assert.equal(child.exitCode, null, 'the seed ended before it could be killed');
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
    assert.ok(existsSync(`${db}-journal`), 'a hot journal is left behind');
    const store = await SqliteStore.open(db);
    try {
      assert.equal(await store.countMachines('7e57da7a-de70-4e2a-9c3d-000000000001'), 0);
    } finally {
      await store.close();
    }
    for (const table of LOADED_TABLES) assert.equal(countRows(db, table), 0, table);
    const schema = (path: string) => schemaOf(path).filter((o) => !o.includes('"name":"sqlite_stat'));
    assert.deepEqual(schema(db), schema(fresh));
    const check = new Database(db);
    try {
      assert.equal(check.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      check.close();
    }
  });
});
