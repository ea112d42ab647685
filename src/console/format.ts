import type { Timestamp } from '../shared/timestamp.js';
import { timestampToMillis } from '../shared/timestamp.js';

/**
 * Small helpers the templates call. Times show in UTC, to the minute, because the people reading
 * a device's history compare it with API logs, which are in UTC.
 */
export function when(ts: Timestamp | string | null | undefined): string {
  if (!ts) return '';
  const ms = typeof ts === 'string' && ts.length === 28 ? timestampToMillis(ts as Timestamp) : Date.parse(ts);
  return Number.isNaN(ms) ? String(ts) : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** To the millisecond, for the request journal: a retry two seconds later must be visible. */
export function instant(ts: string | null | undefined): string {
  if (!ts) return '';
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? String(ts) : `${new Date(ms).toISOString().slice(0, 23).replace('T', ' ')} UTC`;
}

/** "3 h ago": for the last-seen column, where recency matters more than the exact minute. */
export function ago(ts: Timestamp | string, nowMs: number): string {
  const ms = typeof ts === 'string' && ts.length === 28 ? timestampToMillis(ts as Timestamp) : Date.parse(ts);
  const minutes = Math.max(0, Math.round((nowMs - ms) / 60_000));
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} h ago`;
  return `${Math.round(hours / 24)} days ago`;
}

/** `ImpairedCommunication` -> `Impaired communication`; null -> an em dash. */
export function label(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return value.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/ ([A-Z])(?=[a-z])/g, (_, c: string) => ` ${c.toLowerCase()}`);
}

/** A CSS class fragment for a value from a closed set (`value-high`, `health-active`). */
export const token = (value: string | null | undefined): string => (value ?? 'none').toLowerCase().replace(/[^a-z0-9]+/g, '-');

export const number = (n: number): string => n.toLocaleString('en-US');

/** For the few attributes a template builds as a string (eta escapes everything written with `<%=`). */
export const attr = (text: string): string => text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A failed action's HRESULT as Windows people read it, with the wire's signed number: `0x80004005 (-2147467259)`. */
export const hresult = (n: number): string => `0x${(n >>> 0).toString(16).toUpperCase().padStart(8, '0')} (${n})`;

export const FORMAT = { when, instant, ago, label, token, number, attr, hresult };
