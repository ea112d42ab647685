/**
 * Timestamps are stored in one fixed-width form, `YYYY-MM-DDTHH:MM:SS.fffffffZ` (7 fractional
 * digits, like .NET's DateTime), so they sort correctly as text in every SQL dialect and keep the
 * full precision the real service emits. On the wire trailing zeros are dropped, as the service does.
 */
export type Timestamp = string & { readonly __timestamp: unique symbol };

const ISO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,7})\d*)?(Z|[+-]\d{2}:\d{2})$/;
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})Z?$/;

const DAY_MS = 86_400_000;
/** Years 1970 to 9999: where the arithmetic below and toISOString agree. */
const FAST_UNTIL = Date.UTC(10000, 0, 1);
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
/** `YYYY-MM-DDT` of recent days: a seed formats millions of times within a few months. */
const dayPrefixes = new Map<number, string>();

export function timestampFromMillis(ms: number): Timestamp {
  // Building a Date and its ISO string for every timestamp was the fleet generator's largest
  // cost (issue 14): the date part is cached per day and the time of day is formatted here.
  if (!Number.isInteger(ms) || ms < 0 || ms >= FAST_UNTIL) {
    const iso = new Date(ms).toISOString(); // 2021-01-26T20:33:59.200Z
    return `${iso.slice(0, 23)}0000Z` as Timestamp;
  }
  const day = Math.floor(ms / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    if (dayPrefixes.size >= 4096) dayPrefixes.clear();
    dayPrefixes.set(day, prefix);
  }
  let rest = ms - day * DAY_MS;
  const millis = rest % 1000;
  rest = (rest - millis) / 1000;
  const seconds = rest % 60;
  rest = (rest - seconds) / 60;
  const minutes = rest % 60;
  const hours = (rest - minutes) / 60;
  return `${prefix}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[millis]}0000Z` as Timestamp;
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

/** Midnight of recent `YYYY-MM-DD` days, in ms. */
const dayStarts = new Map<string, number>();
/** Where the stored form has digits: `YYYY-MM-DDTHH:MM:SS.fff`. */
const DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

export function timestampToMillis(ts: Timestamp): number {
  // The stored form is parsed by hand (the day's start cached), for the same reason as above.
  if (ts.length !== 28 || ts.charCodeAt(10) !== 84 /* T */ || !DIGITS.every((i) => ts.charCodeAt(i) - 48 <= 9 && ts.charCodeAt(i) >= 48)) return Date.parse(`${ts.slice(0, 23)}Z`);
  const digit = (i: number) => ts.charCodeAt(i) - 48;
  const hours = digit(11) * 10 + digit(12);
  const minutes = digit(14) * 10 + digit(15);
  const seconds = digit(17) * 10 + digit(18);
  const key = ts.slice(0, 10);
  let start = dayStarts.get(key);
  if (start === undefined) {
    start = Date.parse(`${key}T00:00:00Z`);
    if (dayStarts.size >= 4096) dayStarts.clear();
    dayStarts.set(key, start);
  }
  if (hours > 23 || minutes > 59 || seconds > 59 || Number.isNaN(start)) return Date.parse(`${ts.slice(0, 23)}Z`);
  return start + ((hours * 60 + minutes) * 60 + seconds) * 1000 + digit(20) * 100 + digit(21) * 10 + digit(22);
}

/** The wire form: up to 7 fractional digits, trailing zeros (and a bare dot) dropped. */
export function wireTimestamp(ts: Timestamp): string {
  let end = ts.length - 1; // index of 'Z'
  while (ts[end - 1] === '0') end--;
  if (ts[end - 1] === '.') end--;
  return `${ts.slice(0, end)}Z`;
}
