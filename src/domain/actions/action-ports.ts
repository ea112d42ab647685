import type { Timestamp } from '../../shared/timestamp.js';
import type { DeviceEffect, DeviceResponse } from './action-effects.js';
import type { ActionFilter, ActionPage } from './action-query.js';
import type { ActionType } from './action-types.js';
import type { InvestigationRecord } from './investigation.js';
import type { Cancellation, MachineActionRecord } from './machine-action.js';

/**
 * Which actions a caller may see: its tenant's, and for delegated callers only those of devices
 * in its device groups (null: every group). Applied inside the queries, so lists and counts are right.
 */
export interface ActionScope {
  readonly tenantId: string;
  readonly rbacGroupIds: readonly number[] | null;
}

/**
 * The storage of machine actions and investigations. Stores keep facts; the status at a moment is
 * the domain's (action-lifecycle.ts), which the store only mirrors in SQL to filter and sort on it.
 */
export interface ActionStore {
  /** Durable when it resolves. */
  insertAction(action: MachineActionRecord): Promise<void>;
  getAction(scope: ActionScope, id: string): Promise<MachineActionRecord | undefined>;
  /** The device's actions of these types that are neither cancelled nor ended at `now`. */
  activeActions(tenantId: string, machineId: string, types: readonly ActionType[], now: Timestamp): Promise<MachineActionRecord[]>;
  /** How many of the tenant's actions of this type are neither cancelled nor ended at `now`. */
  countActive(tenantId: string, type: ActionType, now: Timestamp): Promise<number>;
  listActions(scope: ActionScope, page: ActionPage): Promise<MachineActionRecord[]>;
  /** How many actions `listActions` would find over all pages (of one device when `machineId` is given). */
  countActions(scope: ActionScope, filter: ActionFilter | null, now: Timestamp, machineId?: string): Promise<number>;
  /** Records the cancellation if the action has not ended by its moment; false when it had (or does not exist). */
  cancelAction(tenantId: string, id: string, cancellation: Cancellation): Promise<boolean>;
  /** Succeeded actions whose effect on the device is not applied yet, oldest end first (of one tenant, or one device, when given). */
  actionsDue(now: Timestamp, limit: number, where?: { readonly tenantId: string; readonly machineId?: string }): Promise<MachineActionRecord[]>;
  /**
   * Applies the effect (if any) and marks the action settled, in one transaction. Applying one
   * twice, or an older one after a newer one of its family, leaves the newer state.
   */
  settleAction(action: MachineActionRecord, effect: DeviceEffect | null): Promise<void>;
  deviceResponse(tenantId: string, machineId: string): Promise<DeviceResponse>;

  insertInvestigation(investigation: InvestigationRecord): Promise<void>;
  getInvestigation(scope: ActionScope, id: string): Promise<InvestigationRecord | undefined>;
  /** Newest first. */
  listInvestigations(scope: ActionScope, skip: number, limit: number): Promise<InvestigationRecord[]>;
}
