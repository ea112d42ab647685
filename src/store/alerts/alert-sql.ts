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

export function compileAlertFilter(eb: Alerts, filter: AlertFilter): Expression<SqlBool> {
  const columns: FilterColumns<AlertProperty> = { column, nullable: (p) => ALERT_PROPERTIES[p].nullable };
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
