/**
 * `node --import tsx bench/alerts-plan.ts <sqlite file | postgres URL>`: the plans of the alert
 * listing's hot queries (XSOAR's fetch, the default newest-first page) as the store compiles them,
 * with SQLite's EXPLAIN QUERY PLAN or PostgreSQL's EXPLAIN (ANALYZE, BUFFERS), and each query's
 * time over a few runs. Read-only on SQLite; the database must hold a seeded tenant.
 */
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import type { AlertFilter, AlertPage, AlertScope } from '../src/domain/alerts/alert-query.js';
import { KyselyAlertStore } from '../src/store/alerts/kysely-alert-store.js';
import type { Database as Schema } from '../src/store/schema.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';

const target = process.argv[2] ?? '';
const postgres = /^postgres(ql)?:\/\//.test(target);
const DAY = 86_400_000;

/** Runs a compiled query on the database, returning its rows. */
type Runner = (query: CompiledQuery) => Promise<Record<string, unknown>[]>;

function open(): { dialect: Kysely<Schema>; run: Runner; explain: (q: CompiledQuery) => Promise<string>; close: () => Promise<void> } {
  if (postgres) {
    const pool = new pg.Pool({ connectionString: target, max: 1 });
    const dialect = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
    const run: Runner = async (q) => (await pool.query(q.sql, [...q.parameters])).rows as Record<string, unknown>[];
    const explain = async (q: CompiledQuery) => (await pool.query(`explain (analyze, buffers) ${q.sql}`, [...q.parameters])).rows.map((r) => String(r['QUERY PLAN'])).join('\n');
    return { dialect, run, explain, close: () => pool.end() };
  }
  const raw = new Database(target, { readonly: true, fileMustExist: true });
  const dialect = new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) });
  const run: Runner = async (q) => raw.prepare(q.sql).all(...(q.parameters as unknown[])) as Record<string, unknown>[];
  const explain = async (q: CompiledQuery) =>
    (raw.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail).join('\n');
  return { dialect, run, explain, close: async () => void raw.close() };
}

const db = open();
// The store compiles; this runner keeps the last statement so it can be explained and timed.
let last: CompiledQuery | undefined;
const store = new KyselyAlertStore(db.dialect, {
  all: async (q) => {
    last = q;
    return db.run(q) as never;
  },
  exec: async () => {},
});

const [newest] = await db.run(db.dialect.selectFrom('alerts').select('created_at').where('tenant_id', '=', DEMO_TENANT_ID).orderBy('created_at', 'desc').limit(1).compile());
const newestMs = Date.parse(String(newest?.created_at));
const scope: AlertScope = { tenantId: DEMO_TENANT_ID, visibleSince: timestampFromMillis(newestMs - 180 * DAY), rbacGroupIds: null };
const since = (ms: number): AlertFilter => ({ kind: 'compare', property: 'alertCreationTime', op: 'gt', value: timestampFromMillis(ms) as Timestamp });
const open2: AlertFilter = {
  kind: 'or',
  left: { kind: 'compare', property: 'status', op: 'eq', value: 'New' },
  right: { kind: 'compare', property: 'status', op: 'eq', value: 'InProgress' },
};
const asc = [{ property: 'alertCreationTime' as const, descending: false }];
const page = (filter: AlertFilter | null, orderBy = asc): AlertPage => ({ filter, orderBy, skip: 0, limit: 50, withEvidence: false });
const scenarios: [string, AlertScope, AlertPage][] = [
  ['fetch: gt 3 days back, asc, top 50', scope, page(since(newestMs - 3 * DAY))],
  ['fetch: gt 1 hour back, asc, top 50', scope, page(since(newestMs - 3_600_000))],
  ['first fetch looking back 179 days, asc, top 50', scope, page(since(newestMs - 179 * DAY))],
  ['fetch: gt 3 days back and New/InProgress, asc, top 50', scope, page({ kind: 'and', left: since(newestMs - 3 * DAY), right: open2 })],
  ['default: newest first, top 50', scope, page(null, [])],
  ['delegated, 2 device groups: gt 3 days back, asc, top 50', { ...scope, rbacGroupIds: [101, 102] }, page(since(newestMs - 3 * DAY))],
];
for (const [name, s, p] of scenarios) {
  const times: number[] = [];
  let rows = 0;
  for (let i = 0; i < 7; i++) {
    const t0 = performance.now();
    rows = (await store.listAlerts(s, p)).length;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  process.stdout.write(`\n## ${name}: ${rows} rows, median ${times[3]?.toFixed(1)} ms, max ${times[6]?.toFixed(1)} ms\n`);
  if (last) process.stdout.write(`${await db.explain(last)}\n`);
}
await db.close();
