import { invalidInput } from '../domain/errors.js';
import { alertIdMillis } from '../domain/alerts/alert-factory.js';
import { QUEUE_VALUES, type QueueCursor, type QueueFilter } from '../domain/alerts/alert-queue-filter.js';
import type { AlertCategory, AlertSeverity, AlertStatus } from '../domain/alerts/alert.js';
import { parseTimestamp, timestampFromMillis } from '../shared/timestamp.js';

/**
 * The Alerts page's state, all in the query string (`?severity=High&status=New&from=2026-03-01
 * &device=dc-01&after=<alert id>`). Unlike the inventory's facets, an unknown value is refused
 * with a 400 naming the parameter: a dropped `severity=Huge` would show every alert under a
 * link that says otherwise.
 */
export interface AlertQueueView {
  readonly filter: QueueFilter;
  /** Device id, aadDeviceId or name, as the API resolves it; '' for every device. */
  readonly device: string;
  /** The alert the page starts after (newest first); '' for the first page. */
  readonly after: string;
  /** The form's values as given, to fill the form and build links. */
  readonly form: Readonly<Record<string, string>>;
}

export const QUEUE_PAGE_SIZE = 50;

type Query = Readonly<Record<string, unknown>>;

function one(query: Query, name: string): string {
  const raw = query[name];
  const value = Array.isArray(raw) ? raw[0] : raw;
  return typeof value === 'string' ? value.trim().slice(0, 300) : '';
}

function member<T extends string>(query: Query, name: string, allowed: readonly T[]): T | undefined {
  const given = one(query, name);
  if (given === '') return undefined;
  const found = allowed.find((a) => a.toLowerCase() === given.toLowerCase());
  if (found === undefined) throw invalidInput(`The value '${given.slice(0, 60)}' is not valid for ${name}. Allowed values: ${allowed.join(', ')}.`);
  return found;
}

function time(query: Query, name: string) {
  const given = one(query, name);
  if (given === '') return undefined;
  const parsed = parseTimestamp(given);
  if (!parsed) throw invalidInput(`The value '${given.slice(0, 60)}' is not valid for ${name}: give a date (2026-03-01) or a date and time (2026-03-01T12:00:00Z).`);
  return parsed;
}

export function parseAlertQueueView(query: Query): AlertQueueView {
  const severity = member(query, 'severity', QUEUE_VALUES.severity) as AlertSeverity | undefined;
  const status = member(query, 'status', QUEUE_VALUES.status) as AlertStatus | undefined;
  const category = member(query, 'category', QUEUE_VALUES.category) as AlertCategory | undefined;
  const from = time(query, 'from');
  const to = time(query, 'to');
  const after = one(query, 'after').toLowerCase();
  if (after !== '' && alertIdMillis(after) === undefined) throw invalidInput(`The value '${after.slice(0, 60)}' is not valid for after: an alert id is expected.`);
  const filter: QueueFilter = { ...(severity ? { severity } : {}), ...(status ? { status } : {}), ...(category ? { category } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
  const form = { severity: severity ?? '', status: status ?? '', category: category ?? '', from: one(query, 'from'), to: one(query, 'to'), device: one(query, 'device') };
  return { filter, device: form.device, after, form };
}

/** Where a page after this alert starts: an id carries its creation time (ticks), so the id is the whole cursor. */
export function cursorOf(alertId: string): QueueCursor | undefined {
  const createdMs = alertIdMillis(alertId);
  return createdMs === undefined ? undefined : { createdAt: timestampFromMillis(createdMs), id: alertId };
}

/** A link to the queue with the same filters, starting after `after` ('' for the first page). */
export function queueLink(view: AlertQueueView, after: string): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(view.form)) if (v !== '') params.set(k, v);
  if (after !== '') params.set('after', after);
  const text = params.toString();
  return `/console/alerts${text === '' ? '' : `?${text}`}`;
}
