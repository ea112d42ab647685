import type { Timestamp } from '../../shared/timestamp.js';
import type { DeviceValue } from './device-value.js';

/** How a change arrived; recorded with every value change (and a filter of the fleet audit). */
export const CHANGE_ROUTES = ['setDeviceValue', 'patch', 'tags', 'bulkTags', 'console', 'cli', 'import', 'seed', 'rule'] as const;
export type ChangeRoute = (typeof CHANGE_ROUTES)[number];

/** Who made a change and through which call: the audit part of a value-history entry. */
export interface ChangeContext {
  readonly at: Timestamp;
  readonly appId: string | null;
  readonly userId: string | null;
  readonly route: ChangeRoute;
  readonly requestId: string | null;
}

/**
 * Only a real change is history: setting the value a machine already has (setDeviceValue, PATCH,
 * the console's bulk bar, a rule, a seed or import) succeeds and stays in the request journal, but
 * writes no "Normal -> Normal" entry (docs/compat.md). Stores decide it on the row read under
 * their lock, so the entries still chain; PostgreSQL's grouped statement (value-batch.ts) says the
 * same in SQL, on the locked row.
 */
export const isValueChange = (previous: string, next: string | undefined): next is string => next !== undefined && next !== previous;

/** One entry of a machine's device-value history. */
export interface ValueChange extends ChangeContext {
  readonly seq: number;
  readonly tenantId: string;
  readonly machineId: string;
  readonly oldValue: DeviceValue;
  readonly newValue: DeviceValue;
}

