import type { Machine } from '../domain/machines/machine.js';

/** The columns of the inventory's CSV export, in order: the page's columns, then the id. */
export const CSV_HEADER = ['Device name', 'Device value', 'Health', 'OS platform', 'Risk', 'Exposure', 'Last seen (UTC)', 'Device group', 'Tags', 'Machine id'] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces,
 * quotes doubled. A field a spreadsheet would read as a formula (starting with = + - @, or a tab
 * or carriage return that hides one) gets a leading apostrophe first: device names and tags are
 * written by API clients, and opening an export must never run what one of them typed.
 */
export function csvField(value: string | number | null | undefined): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvRow = (fields: readonly (string | number | null | undefined)[]): string => `${fields.map(csvField).join(',')}\r\n`;

export function machineCsvRow(m: Machine): string {
  return csvRow([
    m.computerDnsName,
    m.deviceValue,
    m.healthStatus,
    m.osPlatform,
    m.riskScore,
    m.exposureLevel,
    m.lastSeen,
    m.rbacGroupName || 'Ungrouped',
    m.machineTags.join('; '),
    m.id,
  ]);
}

/** The export as text chunks, one per batch of machines: the caller streams them. */
export async function* inventoryCsv(batches: AsyncIterable<readonly Machine[]>): AsyncGenerator<string> {
  yield csvRow(CSV_HEADER);
  for await (const batch of batches) yield batch.map(machineCsvRow).join('');
}
