import type { Timestamp } from '../../shared/timestamp.js';
import type { EntityFilter, OrderKey, PropertyInfo } from '../query-filter.js';
import { ACTION_STATUSES, ACTION_TYPES } from './action-types.js';

/**
 * What `GET /api/machineactions` may filter and order by (spec section 5). `status` and
 * `lastUpdateDateTimeUtc` change with time: the store computes them for the moment of the query.
 */
export const ACTION_PROPERTIES = {
  id: { type: 'string', nullable: false, caseInsensitive: true },
  status: { type: 'string', nullable: false, members: ACTION_STATUSES },
  machineId: { type: 'string', nullable: false, caseInsensitive: true },
  type: { type: 'string', nullable: false, members: ACTION_TYPES },
  requestor: { type: 'string', nullable: false, caseInsensitive: true },
  creationDateTimeUtc: { type: 'timestamp', nullable: false },
  lastUpdateDateTimeUtc: { type: 'timestamp', nullable: false },
} as const satisfies Record<string, PropertyInfo>;

export type ActionProperty = keyof typeof ACTION_PROPERTIES;
export type ActionFilter = EntityFilter<ActionProperty>;
export type ActionOrderKey = OrderKey<ActionProperty>;

/** The listing as the OData layer describes it: filterable properties, and the two dates to sort by. */
export const ACTION_LISTING = {
  name: 'MachineAction',
  properties: ACTION_PROPERTIES,
  orderable: ['creationDateTimeUtc', 'lastUpdateDateTimeUtc'] as ActionProperty[],
};

export interface ActionQuery {
  readonly filter: ActionFilter | null;
  /** Empty: newest first by creation time. */
  readonly orderBy: readonly ActionOrderKey[];
  readonly top: number | null;
  readonly skip: number;
  readonly count: boolean;
}

/** One page of actions as the store runs it, at the moment `now` (status and last update depend on it). */
export interface ActionPage {
  readonly filter: ActionFilter | null;
  readonly orderBy: readonly ActionOrderKey[];
  readonly skip: number;
  readonly limit: number;
  readonly now: Timestamp;
  /** Only this device's actions (the console's device page). */
  readonly machineId?: string;
}
