import type { HistoryEntry } from '../domain/audit/history-entry.js';
import { whoOf } from '../domain/identity/actor-names.js';

export const HISTORY_FORMATS = ['table', 'csv', 'json'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** One line of the table: the names people read (UPN, application name, computer name); ids are in CSV (domain/audit/history-csv.ts) and JSON. */
export function tableLine(e: HistoryEntry): string {
  const device = (e.computerDnsName ?? e.machineId).padEnd(32);
  const via = e.userId && e.appId ? ` via ${e.appName ?? e.appId}` : '';
  return `${e.at.padEnd(28)} ${device} ${e.oldValue.padEnd(6)} -> ${e.newValue.padEnd(6)}  ${e.route.padEnd(14)} ${whoOf(e)}${via}  request ${e.requestId ?? '-'}\n`;
}
