import type { Timestamp } from '../../shared/timestamp.js';
import type { AlertChange } from './alert-triage.js';
import type { AlertRecord, AlertView } from './alert.js';
import type { AlertFilter, AlertPage, AlertScope } from './alert-query.js';

/** Who made a change and through which call: the audit part of an alert-history entry. */
export interface AlertChangeContext {
  readonly at: string;
  /** Null for changes no API call made (seeding, the CLI). */
  readonly appId: string | null;
  readonly userId: string | null;
  readonly route: AlertRoute;
  readonly requestId: string | null;
}

export type AlertRoute = 'patch' | 'batchUpdate' | 'createByReference' | 'console' | 'cli' | 'seed' | 'admin';

/** One entry of an alert's history: what changed (field -> [old, new]) and who changed it. */
export interface AlertHistoryEntry extends AlertChangeContext {
  readonly seq: number;
  readonly tenantId: string;
  readonly alertId: string;
  readonly changes: readonly AlertChange[];
}

/** A new state of an alert with what changed, for one transaction of several. */
export interface AlertWrite {
  readonly alert: AlertRecord;
  readonly changes: readonly AlertChange[];
}

/**
 * The storage of alerts. Stores keep facts and run queries; triage rules are the domain's
 * (alert-triage.ts). Reads apply the scope inside the query: the alert's device must be visible
 * (retention and device groups) and the alert itself within retention.
 */
export interface AlertStore {
  getAlert(scope: AlertScope, id: string): Promise<AlertView | undefined>;
  /** Several alerts by id (lower case), those visible; evidence included. */
  getAlerts(scope: AlertScope, ids: readonly string[]): Promise<AlertView[]>;
  /**
   * The device id of an alert of the tenant within retention, reading the alert only: the
   * caller then reads the device under its scope (the device decides the rest of visibility).
   */
  machineIdOf(scope: AlertScope, id: string): Promise<string | undefined>;
  listAlerts(scope: AlertScope, page: AlertPage): Promise<AlertView[]>;
  countAlerts(scope: AlertScope, filter: AlertFilter | null, machineId?: string): Promise<number>;
  /** The creation time of the tenant's newest alert (any device, retention ignored), if any. */
  newestCreation(tenantId: string): Promise<Timestamp | null>;
  /** The device's alerts not Resolved with exactly this title (CreateAlertByReference merges into one). */
  openAlertsTitled(tenantId: string, machineId: string, title: string): Promise<AlertRecord[]>;
  /**
   * Inserts new alerts and replaces changed ones, with a history entry per alert that has
   * changes, in one durable transaction.
   */
  writeAlerts(writes: readonly AlertWrite[], context: AlertChangeContext): Promise<void>;
  alertHistory(tenantId: string, alertId: string, limit: number): Promise<AlertHistoryEntry[]>;
  /**
   * Inserts alerts known to be new, each with one history entry of its own changes, in
   * multi-row statements and one durable transaction: a seed's thousands at a time.
   */
  insertNewAlerts(writes: readonly AlertWrite[], context: AlertChangeContext): Promise<void>;
}
