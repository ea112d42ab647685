/**
 * The alert page as a bounded index walk (issue 16): the creation-time range a filter implies,
 * SQLite's plan of the fetch loop's and the default page's query under a large fleet's
 * statistics (no sort, no Bloom filter built over every machine), and migration 0015 upgrading a
 * database of the previous schema in place (on PostgreSQL when RAMPART_TEST_STORE=postgres).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { AlertFilter, AlertPage, AlertScope } from '../src/domain/alerts/alert-query.js';
import { QUEUE_ORDER, queueFilter } from '../src/domain/alerts/alert-queue-filter.js';
import { creationRange } from '../src/store/alerts/alert-sql.js';
import { KyselyAlertStore } from '../src/store/alerts/kysely-alert-store.js';
import { migrateToLatest } from '../src/store/migrate.js';
import { migrationProvider } from '../src/store/migrations/index.js';
import type { Database as Schema } from '../src/store/schema.js';
import type { Timestamp } from '../src/shared/timestamp.js';
import { createTestDatabase, skipWithoutPostgres } from './helpers/postgres.js';

const T = (s: string) => s as Timestamp;
const at = (op: 'gt' | 'ge' | 'lt' | 'le' | 'eq' | 'ne', value: string): AlertFilter => ({ kind: 'compare', property: 'alertCreationTime', op, value });
const status: AlertFilter = { kind: 'compare', property: 'status', op: 'eq', value: 'New' };

describe('creationRange', () => {
  it('reads bounds from comparisons and in-lists, and nothing from other properties, ne or not', () => {
    assert.deepEqual(creationRange(null), {});
    assert.deepEqual(creationRange(at('gt', 'b')), { from: 'b' });
    assert.deepEqual(creationRange(at('le', 'b')), { to: 'b' });
    assert.deepEqual(creationRange(at('eq', 'b')), { from: 'b', to: 'b' });
    assert.deepEqual(creationRange(at('ne', 'b')), {});
    assert.deepEqual(creationRange({ kind: 'not', operand: at('gt', 'b') }), {});
    assert.deepEqual(creationRange(status), {});
    assert.deepEqual(creationRange({ kind: 'in', property: 'alertCreationTime', values: ['c', 'a', 'b'] }), { from: 'a', to: 'c' });
  });

  it('narrows through and, and widens through or only as far as both sides are bounded', () => {
    assert.deepEqual(creationRange({ kind: 'and', left: at('gt', 'b'), right: { kind: 'and', left: at('ge', 'c'), right: at('lt', 'f') } }), { from: 'c', to: 'f' });
    assert.deepEqual(creationRange({ kind: 'and', left: status, right: at('gt', 'b') }), { from: 'b' });
    assert.deepEqual(creationRange({ kind: 'or', left: at('gt', 'b'), right: at('gt', 'a') }), { from: 'a' });
    assert.deepEqual(creationRange({ kind: 'or', left: at('gt', 'b'), right: status }), {});
    // The console's keyset cursor: before the last row, or at its time with a smaller id.
    const cursor = queueFilter({}, { createdAt: T('2026-03-01T10:00:00.0000000Z'), id: 'da1' });
    assert.deepEqual(creationRange(cursor), { to: '2026-03-01T10:00:00.0000000Z' });
  });
});

/**
 * A migrated in-memory SQLite database whose statistics say "100,000 machines, 207,568 alerts"
 * (figures of a seeded fleet's ANALYZE), so the planner plans as it would on one.
 */
async function largeFleetPlanner(): Promise<{ explain: (page: AlertPage, scope?: Partial<AlertScope>) => Promise<string[]>; lastSql: () => string; close: () => void }> {
  const raw = new Database(':memory:');
  const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  await migrateToLatest(db as Kysely<unknown>);
  // Every index of both tables: one tenant holds all rows, the columns after tenant_id (nearly) unique.
  const rows = { machines: 100_000, alerts: 207_568 } as const;
  raw.exec('ANALYZE');
  raw.exec('DELETE FROM sqlite_stat1');
  const indexes = raw.prepare("SELECT tbl_name AS tbl, name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('machines', 'alerts')").all() as { tbl: keyof typeof rows; name: string }[];
  for (const { tbl, name } of indexes) {
    const columns = (raw.prepare('SELECT count(*) AS n FROM pragma_index_info(?)').get(name) as { n: number }).n;
    const stat = name === 'alerts_by_machine' ? '207568 207568 3 1' : [rows[tbl], rows[tbl], ...Array<number>(columns - 1).fill(1)].join(' ');
    raw.prepare('INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)').run(tbl, name, stat);
  }
  raw.exec('ANALYZE sqlite_schema'); // reloads the statistics just written
  let last: CompiledQuery | undefined;
  const store = new KyselyAlertStore(db, {
    all: async (q) => {
      last = q;
      return raw.prepare(q.sql).all(...(q.parameters as unknown[])) as never;
    },
    exec: async () => {},
  });
  const scope: AlertScope = { tenantId: 't1', visibleSince: T('2026-01-01T00:00:00.0000000Z'), rbacGroupIds: null };
  return {
    explain: async (page, over = {}) => {
      await store.listAlerts({ ...scope, ...over }, page);
      const q = last as CompiledQuery;
      return (raw.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail);
    },
    lastSql: () => (last as CompiledQuery).sql,
    close: () => raw.close(),
  };
}

describe("the alert page's plan on SQLite", () => {
  const page = (filter: AlertFilter | null, orderBy: AlertPage['orderBy']): AlertPage => ({ filter, orderBy, skip: 0, limit: 50, withEvidence: false });
  const fetch = { kind: 'and', left: at('gt', '2026-03-01T00:00:00.1230000Z'), right: { kind: 'or', left: status, right: { ...status, value: 'InProgress' } } } as const;
  const cases: [string, AlertPage, Partial<AlertScope>][] = [
    ["XSOAR's fetch, oldest first", page(fetch, [{ property: 'alertCreationTime', descending: false }]), {}],
    ['a first fetch looking back the whole retention', page(at('gt', '2026-01-01T00:00:00.0010000Z'), [{ property: 'alertCreationTime', descending: false }]), {}],
    ['the default page, newest first', page(null, []), {}],
    ["the console's next page (keyset cursor)", page(queueFilter({}, { createdAt: T('2026-03-01T10:00:00.0000000Z'), id: 'da1' }), QUEUE_ORDER), {}],
    ['a delegated caller in two device groups', page(fetch, [{ property: 'alertCreationTime', descending: false }]), { rbacGroupIds: [101, 102] }],
  ];
  for (const [name, p, scope] of cases) {
    it(`${name}: walks alerts_by_created in order and probes each alert's device`, async () => {
      const planner = await largeFleetPlanner();
      try {
        const plan = await planner.explain(p, scope);
        const text = plan.join('\n');
        assert.match(plan[0] ?? '', /^SEARCH alerts USING (COVERING )?INDEX alerts_by_created \(tenant_id=\? AND created_at[<>]\?( AND created_at<\?)?\)$/, text);
        assert.doesNotMatch(text, /TEMP B-TREE|BLOOM FILTER|SCAN (alerts|machines|device)/, text);
        // No join with the device either: with a real seed's sqlite_stat4 (which these statistics
        // cannot imitate), a join on a wide walk planned a Bloom filter over every machine.
        assert.doesNotMatch(planner.lastSql(), /\bjoin\b/i);
        // The range is stated once, by the walk: with the filter's own bounds as index terms too, the
        // full statistics of a million-machine seed (sqlite_stat4) made SQLite skip-scan and sort.
        const bounds = planner.lastSql().match(/"alerts"\."created_at" (>|>=|<|<=) /g) ?? [];
        assert.ok(bounds.length <= 2 && new Set(bounds).size === bounds.length, `one lower and one upper bound at most: ${bounds.join(', ')}`);
      } finally {
        planner.close();
      }
    });
  }
});

const onPostgres = process.env.RAMPART_TEST_STORE === 'postgres';
const pgSkip = onPostgres ? await skipWithoutPostgres() : false;

describe('migration 0015 on a database of the previous schema', () => {

  it('upgrades in place, keeping the alerts (PostgreSQL: and gathers their statistics)', { skip: pgSkip }, async () => {
    const database = onPostgres ? await createTestDatabase() : undefined;
    const db = database
      ? new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: database.url, max: 2 }) }) })
      : new Kysely<unknown>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    try {
      const { error } = await new Migrator({ db, provider: migrationProvider }).migrateTo('0014-list-versions');
      assert.equal(error, undefined);
      await sql`insert into alerts (tenant_id, id, machine_id, severity, status, detection_source, detector_id, category, title, description, created_at, mitre_techniques, comments, evidence)
        values ('t1', 'da1_1', ${'a'.repeat(40)}, 'High', 'New', 'CustomerTI', 'd', 'Malware', 'x', 'y', '2026-03-01T00:00:00.0000000Z', '[]', '[]', '[]')`.execute(db);
      assert.equal((await migrateToLatest(db))[0], '0015-alerts-fetch-statistics', 'it upgrades through 0015 (and any later migration)');
      const { rows } = await sql<{ n: number | string }>`select count(*) as n from alerts`.execute(db);
      assert.equal(Number(rows[0]?.n), 1);
      if (onPostgres) {
        const analyzed = await sql<{ at: Date | null }>`select last_analyze as at from pg_stat_user_tables where relname = 'alerts'`.execute(db);
        assert.notEqual(analyzed.rows[0]?.at ?? null, null);
      }
    } finally {
      await db.destroy();
      await database?.drop();
    }
  });
});
