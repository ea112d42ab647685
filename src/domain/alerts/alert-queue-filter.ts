import { ALERT_CATEGORIES, ALERT_SEVERITIES, ALERT_STATUSES, type AlertCategory, type AlertSeverity, type AlertStatus } from './alert.js';
import type { AlertFilter, AlertOrderKey } from './alert-query.js';
import type { Timestamp } from '../../shared/timestamp.js';

/** The queue's everyday filters (console Alerts page, `rampart alerts list`): each optional. */
export interface QueueFilter {
  readonly severity?: AlertSeverity;
  readonly status?: AlertStatus;
  readonly category?: AlertCategory;
  /** Created at or after. */
  readonly from?: Timestamp;
  /** Created before. */
  readonly to?: Timestamp;
}

/** Where the previous page ended: newest first by creation time, then id. */
export interface QueueCursor {
  readonly createdAt: Timestamp;
  readonly id: string;
}

/** Newest first; the id breaks ties, so keyset pages neither skip nor repeat an alert. */
export const QUEUE_ORDER: readonly AlertOrderKey[] = [
  { property: 'alertCreationTime', descending: true },
  { property: 'id', descending: true },
];

export const QUEUE_VALUES = { severity: ALERT_SEVERITIES, status: ALERT_STATUSES, category: ALERT_CATEGORIES } as const;

/**
 * The queue filters as the API's `$filter` tree, so the console and the CLI select exactly what
 * `GET /api/alerts?$filter=...` would, through the same store query.
 */
export function queueFilter(filter: QueueFilter, after?: QueueCursor): AlertFilter | null {
  const parts: AlertFilter[] = [];
  const eq = (property: 'severity' | 'status' | 'category', value: string | undefined) => {
    if (value !== undefined) parts.push({ kind: 'compare', property, op: 'eq', value });
  };
  eq('severity', filter.severity);
  eq('status', filter.status);
  eq('category', filter.category);
  if (filter.from !== undefined) parts.push({ kind: 'compare', property: 'alertCreationTime', op: 'ge', value: filter.from });
  if (filter.to !== undefined) parts.push({ kind: 'compare', property: 'alertCreationTime', op: 'lt', value: filter.to });
  if (after !== undefined) {
    parts.push({
      kind: 'or',
      left: { kind: 'compare', property: 'alertCreationTime', op: 'lt', value: after.createdAt },
      right: {
        kind: 'and',
        left: { kind: 'compare', property: 'alertCreationTime', op: 'eq', value: after.createdAt },
        right: { kind: 'compare', property: 'id', op: 'lt', value: after.id },
      },
    });
  }
  return parts.reduce<AlertFilter | null>((all, part) => (all === null ? part : { kind: 'and', left: all, right: part }), null);
}
