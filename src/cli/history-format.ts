import type { HistoryEntry } from '../domain/audit/history-entry.js';
import { HISTORY_COLUMNS } from '../domain/audit/history-entry.js';
import { whoOf } from '../domain/identity/actor-names.js';
import { csvRow } from '../shared/csv.js';

export const HISTORY_FORMATS = ['table', 'csv', 'json'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** One line of the table: the names people read (UPN, application name, computer name); ids are in CSV and JSON. */
export function tableLine(e: HistoryEntry): string {
  const device = (e.computerDnsName ?? e.machineId).padEnd(32);
  const via = e.userId && e.appId ? ` via ${e.appName ?? e.appId}` : '';
  return `${e.at.padEnd(28)} ${device} ${e.oldValue.padEnd(6)} -> ${e.newValue.padEnd(6)}  ${e.route.padEnd(14)} ${whoOf(e)}${via}  request ${e.requestId ?? '-'}\n`;
}

export const CSV_HEADER = `${HISTORY_COLUMNS.join(',')}\r\n`;

/** RFC 4180, with both ids and names; a cell a spreadsheet would run as a formula is prefixed with '. */
export function csvLine(e: HistoryEntry): string {
  return csvRow(HISTORY_COLUMNS.map((c) => e[c]));
}
