/**
 * The SQLite store keeps the query planner's statistics fresh (sqlite-inventory.ts): without them
 * a million-machine list picks the wrong index and takes seconds instead of milliseconds.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { generateFleet } from '../src/fleet/generator.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import pg from 'pg';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createTestDatabase, skipWithoutPostgres } from './helpers/postgres.js';

const TENANT = 'e0e0e0e0-0000-4000-8000-00000000000e';
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('planner statistics', () => {
  let dir: string;
  let path: string;
  const stats = () => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare("SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'machines'").all() as { idx: string; stat: string }[];
    } finally {
      db.close();
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-stats-'));
    path = join(dir, 'rampart.db');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('are gathered at close after a bulk load, counting every machine', async () => {
    const store = await SqliteStore.open(path, 'normal');
    await store.putMachines(TENANT, [...generateFleet({ count: 3000, seed: 5, nowMs: NOW })], { at: timestampFromMillis(NOW), appId: null, userId: null, route: 'seed', requestId: null });
    await store.close();
    const rows = stats();
    assert.ok(rows.length > 5);
    assert.ok(rows.every((r) => r.stat.startsWith('3000 ')), JSON.stringify(rows));
  });

  it('are gathered again at open for an index created since', async () => {
    const db = new Database(path);
    db.exec('CREATE INDEX machines_test_added ON machines (tenant_id, version)');
    db.close();
    assert.ok(!stats().some((r) => r.idx === 'machines_test_added'));
    await (await SqliteStore.open(path, 'normal')).close();
    assert.ok(stats().some((r) => r.idx === 'machines_test_added' && r.stat.startsWith('3000 ')));
  });
});

describe('planner statistics on PostgreSQL', { skip: await skipWithoutPostgres() }, () => {
  it('are gathered after a bulk load, even with autovacuum off', async () => {
    const database = await createTestDatabase();
    try {
      const store = await PostgresStore.open(database.url);
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      const planned = async () => Number((await client.query<{ n: number }>("select reltuples as n from pg_class where relname = 'machines'")).rows[0]?.n);
      try {
        assert.ok((await planned()) <= 0, 'a new table has no statistics');
        const change = { at: timestampFromMillis(NOW), appId: null, userId: null, route: 'seed' as const, requestId: null };
        await store.putMachines(TENANT, [...generateFleet({ count: 12_000, seed: 5, nowMs: NOW })], change);
        assert.equal(await planned(), 12_000, 'the planner knows the machines after the load');
      } finally {
        await client.end();
        await store.close();
      }
    } finally {
      await database.drop();
    }
  });
});
