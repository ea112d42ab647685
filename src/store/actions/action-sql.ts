import { sql, type Expression, type ExpressionBuilder, type RawBuilder, type SqlBool } from 'kysely';
import type { ActionFilter, ActionOrderKey, ActionProperty } from '../../domain/actions/action-query.js';
import { ACTION_PROPERTIES } from '../../domain/actions/action-query.js';
import type { Timestamp } from '../../shared/timestamp.js';
import { compileEntityFilter, type FilterColumns } from '../filter-sql.js';
import type { Database } from '../schema.js';

type Actions = ExpressionBuilder<Database, 'machine_actions'>;

/**
 * An action's status at `now` in SQL: the same rule as actionStateAt (domain/actions/
 * action-lifecycle.ts), so the listing can filter and sort on it without loading every action.
 */
export const statusAt = (now: Timestamp): RawBuilder<string> =>
  sql<string>`(case when ${sql.ref('machine_actions.cancelled_at')} is not null then 'Cancelled' when ${sql.ref('machine_actions.ends_at')} <= ${now} then ${sql.ref('machine_actions.outcome')} when ${sql.ref('machine_actions.picked_up_at')} <= ${now} then 'InProgress' else 'Pending' end)`;

/** When the status last changed, at `now` (actionStateAt's lastUpdate). */
export const lastUpdateAt = (now: Timestamp): RawBuilder<string> =>
  sql<string>`(case when ${sql.ref('machine_actions.cancelled_at')} is not null then ${sql.ref('machine_actions.cancelled_at')} when ${sql.ref('machine_actions.ends_at')} <= ${now} then ${sql.ref('machine_actions.ends_at')} when ${sql.ref('machine_actions.picked_up_at')} <= ${now} then ${sql.ref('machine_actions.picked_up_at')} else ${sql.ref('machine_actions.created_at')} end)`;

function column(property: ActionProperty, now: Timestamp): Expression<string> {
  switch (property) {
    case 'id':
      return sql.ref('machine_actions.id');
    case 'status':
      return statusAt(now);
    case 'machineId':
      return sql.ref('machine_actions.machine_id');
    case 'type':
      return sql.ref('machine_actions.type');
    // Ids are stored lower-case; a requestor (a UPN or an application's name) as given.
    case 'requestor':
      return sql<string>`lower(${sql.ref('machine_actions.requestor')})`;
    case 'creationDateTimeUtc':
      return sql.ref('machine_actions.created_at');
    case 'lastUpdateDateTimeUtc':
      return lastUpdateAt(now);
  }
}

export function compileActionFilter(eb: Actions, filter: ActionFilter, now: Timestamp): Expression<SqlBool> {
  const columns: FilterColumns<ActionProperty> = { column: (p) => column(p, now), nullable: (p) => ACTION_PROPERTIES[p].nullable };
  return compileEntityFilter(eb, filter, columns);
}

/** The ORDER BY of a page: the keys asked for (default: newest first), then id, so paging is stable. */
export function actionOrder(orderBy: readonly ActionOrderKey[], now: Timestamp): { expression: Expression<string>; descending: boolean }[] {
  const keys = orderBy.length > 0 ? orderBy : [{ property: 'creationDateTimeUtc' as const, descending: true }];
  const last = keys[keys.length - 1]?.descending ?? true;
  return [...keys.map((k) => ({ expression: column(k.property, now), descending: k.descending })), { expression: sql.ref('machine_actions.id'), descending: last }];
}
