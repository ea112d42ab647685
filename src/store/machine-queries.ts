import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { IpAssignment } from '../domain/machines/ip-history.js';
import { SCALAR_PROPERTIES, type AnyTag, type MachineFilter, type MachinePage, type ScalarProperty } from '../domain/machines/machine-query.js';
import type { MachineScope } from '../domain/ports.js';
import { conjuncts } from '../domain/machines/value-filter.js';
import type { Timestamp } from '../shared/timestamp.js';
import { isPostgres } from './dialect.js';
import { inScope } from './machine-scope.js';
import { COLUMNS, compileFilter, compileTag } from './query-compiler.js';
import type { Database, MachineIpRow } from './schema.js';

/*
 * The inventory's read queries, built with Kysely for any dialect: scope (tenant, retention,
 * device groups) and filter both inside the SQL, then a stable order (by id unless told
 * otherwise, id breaking ties) so that `$skip` paging never repeats or skips a machine.
 */

/**
 * The rows of one page, in order, for the caller to choose columns. The page's ids come first and
 * then their rows: the ids can come from an index alone (a deep $skip steps over index entries,
 * not rows), and only the rows of the page are read.
 */
export function pageRows(db: Kysely<Database>, scope: MachineScope, page: MachinePage, rareTags?: ReadonlySet<AnyTag>, afterId?: string | null) {
  const matching = filtered(db, scope, page.filter, rareTags).select('machines.id');
  const from = afterId == null ? matching : matching.where('machines.id', '>', afterId); // a keyset start (id order only)
  const nulls: NullOrder = { explicit: isPostgres(db), excluded: nonNullIn(page.filter, page.window?.filter ?? null) };
  const ids =
    page.window === undefined
      ? ordered(page.after ? after(from, page) : from, page.orderBy, nulls).limit(page.limit).offset(page.skip)
      : windowed(db, scope, page, page.window, nulls, rareTags);
  return ordered(db.selectFrom('machines').where('machines.tenant_id', '=', scope.tenantId).where('machines.id', 'in', ids), page.orderBy, nulls);
}

/**
 * The ids of a page found in a window of the order: the window's machines are read from the
 * order's index (with only the window's own, index-friendly filter), then each is looked up by
 * key and filtered. So the planner cannot choose to collect every match of a filter's index and
 * sort them all, which it prefers for a filter matching a tenth of a million machines; the caller
 * falls back to the plain page when the window held too few matches.
 */
function windowed(db: Kysely<Database>, scope: MachineScope, page: MachinePage, window: NonNullable<MachinePage['window']>, nulls: NullOrder, rareTags?: ReadonlySet<AnyTag>) {
  const own = window.filter;
  const visible = inScope(db.selectFrom('machines'), scope).select('machines.id');
  const inOrder = own === null ? visible : visible.where((eb) => compileFilter(eb, own, scope.tenantId));
  // This scan applies only the window's own filter, so only that filter can keep a sort key set here.
  const rows = ordered(page.after ? after(inOrder, page) : inOrder, page.orderBy, { explicit: nulls.explicit, excluded: nonNullIn(own) }).limit(window.size);
  // CROSS JOIN: SQLite then keeps the window as the outer loop (PostgreSQL plans it as any join).
  const hits = db
    .selectFrom(rows.as('w'))
    .crossJoin('machines')
    .whereRef('machines.id', '=', 'w.id')
    .where('machines.tenant_id', '=', scope.tenantId)
    .select('machines.id') as unknown as SelectQueryBuilder<Database, 'machines', { id: string }>;
  const filter = page.filter;
  const matching = filter === null ? hits : hits.where((eb) => compileFilter(eb, filter, scope.tenantId, rareTags));
  return ordered(matching, page.orderBy, nulls).limit(page.limit);
}

/** `(k1, k2, ...) > (v1, v2, ...)` (or `<` descending): one row-value comparison, an index range. */
function after<Q extends SelectQueryBuilder<Database, 'machines', object>>(query: Q, page: MachinePage): Q {
  const keys = page.orderBy;
  const values = page.after ?? [];
  const descending = keys[0]?.descending ?? false;
  if (keys.length === 0 || keys.length !== values.length || keys.some((k) => k.descending !== descending)) {
    throw new Error('a keyset page needs one value per order key and every key in the same direction');
  }
  const op = descending ? '<' : '>';
  const columns = keys.map((k) => `machines.${COLUMNS[k.property]}` as 'machines.id');
  return query.where((eb) =>
    columns.length === 1
      ? eb(eb.ref(columns[0] as 'machines.id'), op, values[0] as string)
      : eb(eb.refTuple(...(columns as ['machines.id', 'machines.id'])), op, eb.tuple(...(values as [string, string]))),
  ) as Q;
}

/** How to spell the order of nullable properties (see `ordered`). */
interface NullOrder {
  /** PostgreSQL: spell SQLite's placement of nulls out. */
  readonly explicit: boolean;
  /** Properties the filter already keeps non-null: where nulls go cannot matter. */
  readonly excluded: ReadonlySet<ScalarProperty>;
}

/**
 * SQLite sorts nulls first in ascending order and last in descending order; PostgreSQL the other
 * way round. On PostgreSQL the order spells SQLite's out, so `$orderby` on a nullable property
 * pages the same on both; except where the filter keeps the property non-null (the console's
 * sorted segments), since an order with NULLS FIRST/LAST is not one a btree index gives, and
 * PostgreSQL would then read and sort every match (700 ms on a million machines) instead of
 * walking the index (4 ms).
 */
function ordered<Q extends SelectQueryBuilder<Database, 'machines', object>>(query: Q, orderBy: MachinePage['orderBy'], nulls: NullOrder): Q {
  let sorted = query;
  for (const key of orderBy) {
    const column = `machines.${COLUMNS[key.property]}` as const;
    const nullable = nulls.explicit && SCALAR_PROPERTIES[key.property].nullable && !nulls.excluded.has(key.property);
    if (!nullable) sorted = sorted.orderBy(column, key.descending ? 'desc' : 'asc') as Q;
    else sorted = sorted.orderBy(column, (ob) => (key.descending ? ob.desc().nullsLast() : ob.asc().nullsFirst())) as Q;
  }
  return orderBy.some((k) => k.property === 'id') ? sorted : (sorted.orderBy('machines.id') as Q);
}

/** Properties that every match of the filters has set: those compared `eq` to a value or `ne` to null, in a top-level `and`. */
function nonNullIn(...filters: (MachineFilter | null)[]): Set<ScalarProperty> {
  const found = new Set<ScalarProperty>();
  for (const test of filters.flatMap((f) => (f === null ? [] : conjuncts(f)))) {
    if (test.kind === 'compare' && ((test.op === 'ne' && test.value === null) || (test.op === 'eq' && test.value !== null))) found.add(test.property);
  }
  return found;
}

export function countMachinesQuery(db: Kysely<Database>, scope: MachineScope, filter: MachineFilter | null, rareTags?: ReadonlySet<AnyTag>) {
  return filtered(db, scope, filter, rareTags)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .compile();
}

/** The count, reading at most `limit` matches: min(count, limit), in time bounded by the limit. */
export function countMachinesUpToQuery(db: Kysely<Database>, scope: MachineScope, filter: MachineFilter | null, limit: number, rareTags?: ReadonlySet<AnyTag>) {
  const matches = filtered(db, scope, filter, rareTags).select('machines.id').limit(limit);
  return db.selectFrom(matches.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).compile();
}

/**
 * The caller's visible machines that match. On PostgreSQL a value test also reads machine_values
 * (query-compiler.ts): only here, where the matches are found; a window's scan walks another
 * order's index and tests the value of the few rows it reads.
 */
function filtered(db: Kysely<Database>, scope: MachineScope, filter: MachineFilter | null, rareTags?: ReadonlySet<AnyTag>) {
  const query = inScope(db.selectFrom('machines'), scope);
  const valueIndex = isPostgres(db) ? 'table' : 'column';
  return filter === null ? query : query.where((eb) => compileFilter(eb, filter, scope.tenantId, rareTags, valueIndex));
}

/** Whether any machine of the tenant was last seen in [from, to): did one cross a retention cutoff? */
export function seenBetweenQuery(db: Kysely<Database>, tenantId: string, from: string, to: string) {
  return db.selectFrom('machines').select('machines.id').where('machines.tenant_id', '=', tenantId).where('machines.last_seen', '>=', from).where('machines.last_seen', '<', to).limit(1).compile();
}

/** How many tags match an any() (all tags of the tenant when it has no predicate), counting to `cap` at most. */
export function tagMatchesQuery(db: Kysely<Database>, tenantId: string, node: AnyTag, cap: number) {
  const predicate = node.predicate;
  const matches = db
    .selectFrom('machine_tags')
    .select('machine_tags.machine_id')
    .where('machine_tags.tenant_id', '=', tenantId)
    .$if(predicate !== null, (q) => q.where((eb) => compileTag(eb, predicate as NonNullable<typeof predicate>)))
    .limit(cap);
  return db.selectFrom(matches.as('m')).select((eb) => eb.fn.countAll<number>().as('n')).compile();
}

/** Visible machines that held `ip` at some moment of [from, to], by id. */
export function machinesByIpQuery(db: Kysely<Database>, scope: MachineScope, ip: string, from: Timestamp, to: Timestamp, limit: number) {
  const holders = db
    .selectFrom('machine_ip_history')
    .select('machine_ip_history.machine_id')
    .where('machine_ip_history.tenant_id', '=', scope.tenantId)
    .where('machine_ip_history.ip_address', '=', ip)
    .where('machine_ip_history.seen_from', '<=', to)
    .where('machine_ip_history.seen_to', '>=', from);
  return inScope(db.selectFrom('machines').selectAll(), scope).where('machines.id', 'in', holders).orderBy('machines.id').limit(limit).compile();
}

export const ipRows = (tenantId: string, entries: readonly IpAssignment[]): MachineIpRow[] =>
  entries.map((e) => ({ tenant_id: tenantId, machine_id: e.machineId, ip_address: e.ipAddress, seen_from: e.from, seen_to: e.to }));
