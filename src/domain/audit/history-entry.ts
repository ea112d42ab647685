import type { ActorNames } from '../identity/actor-names.js';
import type { ValueChange } from '../machines/value-change.js';
import { wireTimestamp } from '../../shared/timestamp.js';

/** A value-history entry as it is stored, with the name of its machine (null once the machine is gone). */
export interface AuditEntry extends ValueChange {
  readonly computerDnsName: string | null;
}

/**
 * One entry of a device-value history as every surface shows it (the admin API's per-device
 * history and fleet audit, the CLI's JSON and CSV): the ids as recorded and, beside them, the
 * names people read (ActorNames), null where the directory does not know the id.
 */
export interface HistoryEntry {
  readonly seq: number;
  readonly tenantId: string;
  readonly machineId: string;
  readonly computerDnsName: string | null;
  readonly oldValue: string;
  readonly newValue: string;
  readonly at: string;
  readonly appId: string | null;
  readonly appName: string | null;
  readonly userId: string | null;
  readonly userPrincipalName: string | null;
  readonly route: string;
  readonly requestId: string | null;
}

export function describeChange(change: AuditEntry, names: ActorNames): HistoryEntry {
  return {
    seq: change.seq,
    tenantId: change.tenantId,
    machineId: change.machineId,
    computerDnsName: change.computerDnsName,
    oldValue: change.oldValue,
    newValue: change.newValue,
    at: wireTimestamp(change.at),
    appId: change.appId,
    appName: names.appName(change.appId),
    userId: change.userId,
    userPrincipalName: names.userName(change.userId),
    route: change.route,
    requestId: change.requestId,
  };
}

/** The columns of the CLI's CSV and table, in this order. */
export const HISTORY_COLUMNS = Object.keys({
  seq: 0, tenantId: 0, machineId: 0, computerDnsName: 0, oldValue: 0, newValue: 0, at: 0, appId: 0, appName: 0, userId: 0, userPrincipalName: 0, route: 0, requestId: 0,
} satisfies Record<keyof HistoryEntry, 0>) as (keyof HistoryEntry)[];
