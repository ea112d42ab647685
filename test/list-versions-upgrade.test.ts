/**
 * Migration 0014 (the listing versions PostgreSQL's $skip bookmarks are checked against) upgrades
 * a database made by the schema before it, with machines in it, on both backends; afterwards deep
 * pages are OFFSET's pages, and on PostgreSQL each kind of write moves the version it should.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Migrator, sql, type Kysely } from 'kysely';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachinePage } from '../src/domain/machines/machine-query.js';
import type { MachineScope } from '../src/domain/ports.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { machineToRow } from '../src/store/machine-rows.js';
import { machineUpsert, tagRows } from '../src/store/machine-writes.js';
import { migrationProvider } from '../src/store/migrations/index.js';
import { kyselyOver, newPool } from '../src/store/postgres/pool.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import type { Database } from '../src/store/schema.js';
import { openSqlite } from '../src/store/sqlite/connection.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { evaluatePage } from './helpers/evaluate-query.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';
import { testFleet } from './helpers/query-arbitraries.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const TENANT = 'd0d0d0d0-0000-4000-8000-00000000000e';
const SCOPE: MachineScope = { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 400 * 86_400_000), rbacGroupIds: null };
const CHANGE = { at: timestampFromMillis(NOW), appId: null, userId: null, route: 'setDeviceValue', requestId: null } as const;
const BEFORE = '0013-value-rules';

/** A database at the schema before migration 0014, with the fleet written as that schema's code wrote it. */
async function previousSchema(db: Kysely<Database>, fleet: readonly Machine[]): Promise<void> {
  const migrated = await new Migrator({ db, provider: migrationProvider }).migrateTo(BEFORE);
  assert.equal(migrated.error, undefined);
  const rows = fleet.map((m) => machineToRow(TENANT, m));
  await db.executeQuery(machineUpsert(db, rows));
  const tags = fleet.flatMap((m) => tagRows(TENANT, m.id, [...new Set(m.machineTags)]));
  if (tags.length > 0) await db.insertInto('machine_tags').values(tags).execute();
}

async function deepPagesMatch(store: SqliteStore | PostgresStore, fleet: readonly Machine[]): Promise<void> {
  for (const skip of [0, 37, 38, 80, 37]) {
    const page: MachinePage = { filter: null, orderBy: [], skip, limit: 10 };
    assert.deepEqual((await store.listMachines(SCOPE, page)).map((m) => m.id), evaluatePage(fleet, SCOPE, page).map((m) => m.id), `$skip=${skip}`);
  }
}

describe('migration 0014 on SQLite', () => {
  it('upgrades a database with machines in it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rampart-upgrade-'));
    after(() => rm(dir, { recursive: true, force: true }));
    const fleet = testFleet(5, 90, NOW);
    const { raw, kysely } = openSqlite(join(dir, 'rampart.db'));
    await previousSchema(kysely as unknown as Kysely<Database>, fleet);
    raw.close();
    const store = await SqliteStore.open(join(dir, 'rampart.db'), 'normal');
    try {
      await deepPagesMatch(store, fleet);
    } finally {
      await store.close();
    }
  });
});

const skipPostgres = await skipWithoutPostgres();
describe('migration 0014 on PostgreSQL', { skip: skipPostgres }, () => {
  let database: TestDatabase | undefined;
  after(() => database?.drop());

  it('upgrades a database with machines in it; each kind of write moves its own version', async () => {
    database = await createTestDatabase();
    const fleet = testFleet(6, 90, NOW);
    const db = kyselyOver(newPool(database.url, 2));
    await previousSchema(db, fleet);
    await db.destroy();

    const store = await PostgresStore.open(database.url);
    const check = kyselyOver(newPool(database.url, 1));
    try {
      await deepPagesMatch(store, fleet);
      const versions = async () => {
        const rows = await sql<{ kind: string; n: string }>`select kind, sum(n)::text as n from machine_list_changes group by kind`.execute(check);
        return Object.fromEntries(rows.rows.map((r) => [r.kind, Number(r.n)]));
      };
      const start = await versions();
      assert.deepEqual(Object.keys(start).sort(), ['members', 'tags', 'values']);

      const target = fleet[3] as Machine;
      const deviceValue = target.deviceValue === 'High' ? 'Low' : 'High';
      await store.update({ scope: SCOPE, machineId: target.id, deviceValue, change: CHANGE });
      const afterValue = await versions();
      assert.equal(afterValue.values, (start.values ?? 0) + 1, 'setDeviceValue moves the values version');
      assert.equal(afterValue.members, start.members, 'and not the members version: unfiltered bookmarks stay');

      await store.update({ scope: SCOPE, machineId: target.id, machineTags: ['Upgraded'], change: { ...CHANGE, route: 'tags' } });
      assert.ok(((await versions()).tags ?? 0) > (afterValue.tags ?? 0), 'a tag change moves the tags version');

      const added: Machine = { ...target, id: `${'0'.repeat(39)}1`, computerDnsName: 'added.contoso.com' };
      await store.putMachines(TENANT, [added], { ...CHANGE, route: 'import' });
      assert.ok(((await versions()).members ?? 0) > (afterValue.members ?? 0), 'a new machine moves the members version');
      fleet[3] = { ...target, deviceValue, machineTags: ['Upgraded'] };
      await deepPagesMatch(store, [added, ...fleet]);
    } finally {
      await check.destroy();
      await store.close();
    }
  });

  it("the members trigger covers every column of machines but the value and the tags (a new column must be added to it)", async () => {
    const db = kyselyOver(newPool((database as TestDatabase).url, 1));
    try {
      const columns = await sql<{ name: string }>`
        select a.attname as name from pg_attribute a
        where a.attrelid = 'machines'::regclass and a.attnum > 0 and not a.attisdropped order by a.attname`.execute(db);
      const watched = await sql<{ name: string }>`
        select a.attname as name from pg_trigger t join pg_attribute a on a.attrelid = t.tgrelid and a.attnum = any (t.tgattr::int2[])
        where t.tgname = 'machine_list_members_update' order by a.attname`.execute(db);
      const expected = columns.rows.map((r) => r.name).filter((c) => c !== 'device_value' && c !== 'machine_tags');
      assert.ok(expected.length > 20);
      assert.deepEqual(watched.rows.map((r) => r.name), expected);
    } finally {
      await db.destroy();
    }
  });
});
