/**
 * src/store/postgres/key-reads.ts: key lookups as named (prepared) statements. They must answer as
 * unnamed ones do, keep answering when another instance's migration changes the table's columns
 * under a connection's prepared statement, and stop naming new texts past their bound.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import pg from 'pg';
import { KeyReads } from '../src/store/postgres/key-reads.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';

const skip = await skipWithoutPostgres();

describe('key reads on PostgreSQL', { skip }, () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const byId = CompiledQuery.raw('SELECT * FROM devices WHERE id = $1', ['d1']);

  before(async () => {
    database = await createTestDatabase();
    // One connection: every read reuses the statement it prepared.
    pool = new pg.Pool({ connectionString: database.url, max: 1 });
    await pool.query("CREATE TABLE devices (id text PRIMARY KEY, value text); INSERT INTO devices VALUES ('d1', 'High'), ('d2', 'Low')");
  });
  after(async () => {
    await pool?.end();
    await database?.drop();
  });

  it('reads by a prepared statement, and finds nothing for a missing key', async () => {
    const reads = new KeyReads(pool);
    assert.deepEqual(await reads.one(byId), { id: 'd1', value: 'High' });
    assert.deepEqual(await reads.one(CompiledQuery.raw(byId.sql, ['d2'])), { id: 'd2', value: 'Low' });
    assert.equal(await reads.one(CompiledQuery.raw(byId.sql, ['none'])), undefined);
    const prepared = await pool.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'rampart_key_%'");
    assert.equal(prepared.rows[0].n, 1);
  });

  it('keeps answering, with the new columns, after a migration elsewhere changed the table', async () => {
    const reads = new KeyReads(pool);
    assert.deepEqual(await reads.one(byId), { id: 'd1', value: 'High' });
    await pool.query("ALTER TABLE devices ADD COLUMN tag text NOT NULL DEFAULT 'new'");
    assert.deepEqual(await reads.one(byId), { id: 'd1', value: 'High', tag: 'new' });
    assert.deepEqual(await reads.one(byId), { id: 'd1', value: 'High', tag: 'new' });
  });

  it('runs texts past its bound unnamed, still answering', async () => {
    const reads = new KeyReads(pool);
    for (let i = 0; i < 120; i++) {
      const row = await reads.one<{ id: string; n: number }>(CompiledQuery.raw(`SELECT id, ${i} AS n FROM devices WHERE id = $1`, ['d2']));
      assert.deepEqual(row, { id: 'd2', n: i });
    }
    const prepared = await pool.query("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE name LIKE 'rampart_key_%'");
    assert.ok(prepared.rows[0].n <= 101, String(prepared.rows[0].n));
  });
});
