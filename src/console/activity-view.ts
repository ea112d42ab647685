import { decodeAuditCursor } from '../domain/audit/audit-cursor.js';
import { ApiError, invalidInput } from '../domain/errors.js';
import { describeValue } from '../domain/machines/device-value.js';

/**
 * The Activity page's state, all in the query string (`?user=admin@rampart.demo&newValue=High
 * &from=2026-12-01&after=<token>`): the fleet audit's own filters under the admin API's names,
 * so a link reads the same in both. The page only translates; AuditService.list validates every
 * value and resolves the names. An unknown parameter or one given twice is refused here, and
 * a bad value there: both are a 400 page naming the parameter, never a wider view than the
 * link says.
 */
export interface ActivityView {
  /** The filters as given (trimmed), to fill the form and build links; '' for not set. */
  readonly form: Readonly<Record<ActivityFilter, string>>;
  /** The audit's `$skiptoken` the page starts at; '' for the first page. */
  readonly after: string;
}

export const ACTIVITY_FILTERS = ['from', 'to', 'user', 'application', 'device', 'oldValue', 'newValue', 'route'] as const;
export type ActivityFilter = (typeof ACTIVITY_FILTERS)[number];

export const ACTIVITY_PAGE_SIZE = 50;

const PARAMETERS: readonly string[] = [...ACTIVITY_FILTERS, 'after'];

/** Times as the page shows them (`2026-12-07 09:14`, UTC), with or without seconds or "UTC". */
const PAGE_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2})?(?: ?UTC)?$/i;

export function parseActivityView(query: Readonly<Record<string, unknown>>): ActivityView {
  const form = Object.fromEntries(ACTIVITY_FILTERS.map((f) => [f, ''])) as Record<ActivityFilter, string>;
  let after = '';
  for (const [name, raw] of Object.entries(query)) {
    if (!PARAMETERS.includes(name)) throw invalidInput(`Unknown parameter ${describeValue(name)}. The Activity page takes ${PARAMETERS.join(', ')}.`);
    if (typeof raw !== 'string') throw invalidInput(`The parameter ${name} may be given once.`);
    if (name === 'after') after = raw.trim();
    else form[name as ActivityFilter] = raw.trim();
  }
  if (after !== '') checkCursor(after);
  return { form, after };
}

/** The audit would name its own `$skiptoken`; the page's parameter is `after`. */
function checkCursor(after: string): void {
  try {
    decodeAuditCursor(after);
  } catch (error) {
    if (error instanceof ApiError) throw invalidInput(`The value of after is not a page this console linked to: follow the Next page link as it is.`);
    throw error;
  }
}

/**
 * The audit's parameters for the view: an empty form field is no filter (a form sends every
 * field), and a time typed as the page shows it is UTC. Everything else goes as it was given.
 */
export function auditParameters(view: ActivityView, withCursor: boolean): Record<string, string> {
  const parameters: Record<string, string> = {};
  for (const f of ACTIVITY_FILTERS) {
    const value = view.form[f];
    if (value === '') continue;
    const pageTime = f === 'from' || f === 'to' ? PAGE_TIME.exec(value) : null;
    parameters[f] = pageTime ? `${pageTime[1]}T${pageTime[2]}${pageTime[3] ?? ':00'}Z` : value;
  }
  if (withCursor && view.after !== '') parameters.$skiptoken = view.after;
  return parameters;
}

/** The page (or its CSV) with the same filters, starting at `after` ('' for the first page). */
export function activityLink(view: ActivityView, after: string, path = '/console/activity'): string {
  const params = new URLSearchParams();
  for (const f of ACTIVITY_FILTERS) if (view.form[f] !== '') params.set(f, view.form[f]);
  if (after !== '') params.set('after', after);
  const text = params.toString();
  return `${path}${text === '' ? '' : `?${text}`}`;
}
