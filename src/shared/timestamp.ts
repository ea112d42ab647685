/**
 * Timestamps are stored in one fixed-width form, `YYYY-MM-DDTHH:MM:SS.fffffffZ` (7 fractional
 * digits, like .NET's DateTime), so they sort correctly as text in every SQL dialect and keep the
 * full precision the real service emits. On the wire trailing zeros are dropped, as the service does.
 */
export type Timestamp = string & { readonly __timestamp: unique symbol };

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7})\d*)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})Z?$/;

export function timestampFromMillis(ms: number): Timestamp {
  const iso = new Date(ms).toISOString(); // 2021-01-26T20:33:59.200Z
  return `${iso.slice(0, 23)}0000Z` as Timestamp;
}

/** Parses ISO-8601 (with or without fraction, `Z` or an offset, or a bare date); undefined if invalid. */
export function parseTimestamp(text: string): Timestamp | undefined {
  const dateOnly = DATE_ONLY.exec(text);
  if (dateOnly) return parseTimestamp(`${dateOnly[1]}-${dateOnly[2]}-${dateOnly[3]}T00:00:00Z`);
  const m = ISO.exec(text);
  if (!m) return undefined;
  const fraction = (m[7] ?? '').padEnd(7, '0');
  const base = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[8]}`);
  if (Number.isNaN(base)) return undefined;
  const whole = new Date(base).toISOString().slice(0, 19);
  return `${whole}.${fraction}Z` as Timestamp;
}

export function timestampToMillis(ts: Timestamp): number {
  return Date.parse(`${ts.slice(0, 23)}Z`);
}

/** The wire form: up to 7 fractional digits, trailing zeros (and a bare dot) dropped. */
export function wireTimestamp(ts: Timestamp): string {
  let end = ts.length - 1; // index of 'Z'
  while (ts[end - 1] === '0') end--;
  if (ts[end - 1] === '.') end--;
  return `${ts.slice(0, end)}Z`;
}
