import type { Timestamp } from '../../shared/timestamp.js';
import type { EntityFilter, OrderKey, PropertyInfo } from '../query-filter.js';
import { ALERT_CATEGORIES, ALERT_SEVERITIES, ALERT_STATUSES, DETECTION_SOURCES } from './alert.js';
import { ALERT_KEYS, type AlertKey } from './alert-json.js';

/**
 * What `GET /api/alerts` may filter on (spec section 5): the documented eleven, names without
 * case. Ids and user names compare without case; enum values in any case read as the member.
 */
export const ALERT_PROPERTIES = {
  alertCreationTime: { type: 'timestamp', nullable: false },
  lastUpdateTime: { type: 'timestamp', nullable: true },
  incidentId: { type: 'integer', nullable: true },
  investigationId: { type: 'integer', nullable: true },
  id: { type: 'string', nullable: false, caseInsensitive: true },
  assignedTo: { type: 'string', nullable: true, caseInsensitive: true },
  detectionSource: { type: 'string', nullable: false, members: DETECTION_SOURCES },
  lastEventTime: { type: 'timestamp', nullable: true },
  status: { type: 'string', nullable: false, members: ALERT_STATUSES },
  severity: { type: 'string', nullable: false, members: ALERT_SEVERITIES },
  category: { type: 'string', nullable: false, members: ALERT_CATEGORIES },
} as const satisfies Record<string, PropertyInfo>;

export type AlertProperty = keyof typeof ALERT_PROPERTIES;
export type AlertFilter = EntityFilter<AlertProperty>;
export type AlertOrderKey = OrderKey<AlertProperty>;

/** The listing as the OData layer describes it. */
export const ALERT_LISTING = {
  name: 'Alert',
  properties: ALERT_PROPERTIES,
  // COMPAT: the docs name no $orderby; clients sort by alertCreationTime (docs/compat.md).
  orderable: ['alertCreationTime', 'lastUpdateTime', 'lastEventTime', 'incidentId', 'investigationId', 'id'] as AlertProperty[],
  selectable: ALERT_KEYS as readonly AlertKey[],
  expandable: ['evidence'],
};

export interface AlertQuery {
  readonly filter: AlertFilter | null;
  /** Empty: newest first by creation time. */
  readonly orderBy: readonly AlertOrderKey[];
  readonly top: number | null;
  readonly skip: number;
  readonly count: boolean;
  /** Null: every key. */
  readonly select: readonly AlertKey[] | null;
  readonly expandEvidence: boolean;
}

/** One page as a store runs it. */
export interface AlertPage {
  readonly filter: AlertFilter | null;
  readonly orderBy: readonly AlertOrderKey[];
  readonly skip: number;
  readonly limit: number;
  /** Only this device's alerts. */
  readonly machineId?: string;
  /** Read the evidence too (it is the bulk of a row). */
  readonly withEvidence: boolean;
}

/** Alerts and their devices visible to a caller: retention (of both) and device groups. */
export interface AlertScope {
  readonly tenantId: string;
  readonly visibleSince: Timestamp;
  readonly rbacGroupIds: readonly number[] | null;
}
