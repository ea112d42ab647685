import { csvRow } from '../../shared/csv.js';
import { HISTORY_COLUMNS, type HistoryEntry } from './history-entry.js';

/**
 * The history's CSV, one format for `rampart history --format csv` and the console's Activity
 * download: the entry's fields in HISTORY_COLUMNS order, ids beside names. RFC 4180, and a cell
 * a spreadsheet would run as a formula is prefixed with ' (shared/csv.ts).
 */
export const HISTORY_CSV_HEADER = `${HISTORY_COLUMNS.join(',')}\r\n`;

export function historyCsvLine(e: HistoryEntry): string {
  return csvRow(HISTORY_COLUMNS.map((c) => e[c]));
}
