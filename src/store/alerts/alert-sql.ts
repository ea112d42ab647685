import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import { ALERT_PROPERTIES, type AlertFilter, type AlertOrderKey, type AlertProperty } from '../../domain/alerts/alert-query.js';
import { compileEntityFilter, type FilterColumns } from '../filter-sql.js';
import type { Database } from '../schema.js';

type Alerts = ExpressionBuilder<Database, 'alerts' | 'machines'>;

const COLUMNS: Record<AlertProperty, string> = {
  alertCreationTime: 'alerts.created_at',
  lastUpdateTime: 'alerts.last_update_at',
  incidentId: 'alerts.incident_id',
  investigationId: 'alerts.investigation_id',
  // Ids are stored lower case, user names compared through their lower-cased copy.
  id: 'alerts.id',
  assignedTo: 'alerts.assigned_to_lc',
  detectionSource: 'alerts.detection_source',
  lastEventTime: 'alerts.last_event_at',
  status: 'alerts.status',
  severity: 'alerts.severity',
  category: 'alerts.category',
};

const column = (property: AlertProperty): Expression<string | number | null> => sql.ref(COLUMNS[property]);

/**
 * The filter as SQL. With `rangeStated`, the query already states the filter's creation-time
 * range on `created_at` (a page's walk, creationRange below), and the filter's own comparisons on
 * creation time are kept out of the index (`|| ''` leaves the text as it is): given two lower
 * bounds on `created_at`, SQLite planned a skip-scan of the whole index and a sort of every alert
 * in the range (4 s for a three-day fetch at a million machines, `npm run bench:alerts`).
 */
export function compileAlertFilter(eb: Alerts, filter: AlertFilter, { rangeStated = false }: { readonly rangeStated?: boolean } = {}): Expression<SqlBool> {
  const filterColumn = (p: AlertProperty): Expression<string | number | null> => (rangeStated && p === 'alertCreationTime' ? sql<string>`(${column(p)} || '')` : column(p));
  const columns: FilterColumns<AlertProperty> = { column: filterColumn, nullable: (p) => ALERT_PROPERTIES[p].nullable };
  return compileEntityFilter(eb, filter, columns);
}

/**
 * The ORDER BY of a page: the keys asked for (default: newest first), then id, so paging is
 * stable. Nullable keys sort as if null were the least value on both backends (SQLite puts NULL
 * first ascending, PostgreSQL last), which is what OData asks.
 */
export function alertOrder(orderBy: readonly AlertOrderKey[]): { expression: Expression<unknown>; descending: boolean }[] {
  const keys = orderBy.length > 0 ? orderBy : [{ property: 'alertCreationTime' as const, descending: true }];
  const last = keys[keys.length - 1]?.descending ?? true;
  const expression = (p: AlertProperty): Expression<unknown> => {
    if (!ALERT_PROPERTIES[p].nullable) return column(p);
    const least = ALERT_PROPERTIES[p].type === 'integer' ? sql.lit(-9_007_199_254_740_991) : sql.lit('');
    return sql`coalesce(${column(p)}, ${least})`;
  };
  const ordered = keys.map((k) => ({ expression: expression(k.property), descending: k.descending }));
  return keys.some((k) => k.property === 'id') ? ordered : [...ordered, { expression: sql.ref('alerts.id'), descending: last }];
}

/** The creation times a filter can match at all: bounds implied by it, inclusive, each optional. */
export interface CreationRange {
  readonly from?: string;
  readonly to?: string;
}

const range = (from?: string, to?: string): CreationRange => ({ ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
const later = (a?: string, b?: string) => (a === undefined ? b : b === undefined || a > b ? a : b);
const earlier = (a?: string, b?: string) => (a === undefined ? b : b === undefined || a < b ? a : b);

/**
 * The range of `alertCreationTime` every alert matching the filter lies in (a necessary
 * condition, never a sufficient one): `and` narrows, `or` widens to cover both sides, and
 * anything else on creation time (`ne`, `not`) implies nothing. The page query states it as a
 * plain range on `created_at`, so both backends start and stop the index walk there even when
 * the bound sits inside an `or` (the console's keyset cursor) or beside the retention bound.
 * Stored times and filter literals have one fixed-width form, so text order is time order.
 */
export function creationRange(filter: AlertFilter | null): CreationRange {
  if (filter === null) return {};
  switch (filter.kind) {
    case 'and': {
      const [l, r] = [creationRange(filter.left), creationRange(filter.right)];
      return range(later(l.from, r.from), earlier(l.to, r.to));
    }
    case 'or': {
      const [l, r] = [creationRange(filter.left), creationRange(filter.right)];
      const bounded = (a?: string, b?: string) => a !== undefined && b !== undefined;
      return range(bounded(l.from, r.from) ? earlier(l.from, r.from) : undefined, bounded(l.to, r.to) ? later(l.to, r.to) : undefined);
    }
    case 'compare': {
      if (filter.property !== 'alertCreationTime' || typeof filter.value !== 'string') return {};
      const at = filter.value;
      if (filter.op === 'eq') return { from: at, to: at };
      if (filter.op === 'gt' || filter.op === 'ge') return { from: at };
      if (filter.op === 'lt' || filter.op === 'le') return { to: at };
      return {};
    }
    case 'in': {
      if (filter.property !== 'alertCreationTime' || filter.values.length === 0) return {};
      const values = filter.values.map(String);
      return { from: values.reduce((a, b) => (a < b ? a : b)), to: values.reduce((a, b) => (a > b ? a : b)) };
    }
    default:
      return {};
  }
}
