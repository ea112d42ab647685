/** A CSV cell's value: text, a number or a flag; null and undefined are an empty cell. */
export type CsvValue = string | number | boolean | null | undefined;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, a quote, a line break or edge spaces,
 * quotes doubled. Text a spreadsheet would read as a formula (starting with = + - @, or a tab or
 * carriage return that hides one) gets a leading apostrophe first: device names, tags and rule
 * names are written by clients, and opening an export must never run what one of them typed.
 * A number is never a formula, so -1 stays -1.
 */
export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, CRLF-terminated. */
export const csvRow = (fields: readonly CsvValue[]): string => `${fields.map(csvField).join(',')}\r\n`;
