import type { HistoryEntry } from '../domain/audit/history-entry.js';
import { HISTORY_COLUMNS } from '../domain/audit/history-entry.js';
import { whoOf } from '../domain/identity/actor-names.js';

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
  return `${HISTORY_COLUMNS.map((c) => csvCell(e[c])).join(',')}\r\n`;
}

export function csvCell(value: string | number | boolean | null): string {
  if (value === null) return '';
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text) && typeof value === 'string') text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
