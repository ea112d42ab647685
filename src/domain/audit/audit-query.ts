import { describeValue, parseDeviceValue, type DeviceValue } from '../machines/device-value.js';
import { CHANGE_ROUTES, type ChangeRoute } from '../machines/value-change.js';
import { invalidInput } from '../errors.js';
import { parseTimestamp, type Timestamp } from '../../shared/timestamp.js';
import { decodeAuditCursor, type AuditPosition } from './audit-cursor.js';

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

/** The filters of the fleet audit as a caller writes them (names not yet resolved to ids). */
export interface AuditRequest {
  /** Changes at or after this moment. */
  readonly from?: Timestamp;
  /** Changes before this moment. */
  readonly to?: Timestamp;
  /** A user's object id or principal name. */
  readonly user?: string;
  /** An application's client id or display name. */
  readonly application?: string;
  /** A machine id, aadDeviceId or computer name. */
  readonly device?: string;
  readonly oldValue?: DeviceValue;
  readonly newValue?: DeviceValue;
  readonly route?: ChangeRoute;
  readonly limit: number;
  readonly after?: AuditPosition;
}

/** The filters as the store runs them: every name resolved to the ids recorded in the history. */
export interface AuditFilter {
  readonly from?: Timestamp;
  readonly to?: Timestamp;
  readonly userId?: string;
  /** Several applications may share a display name. */
  readonly appIds?: readonly string[];
  readonly machineId?: string;
  readonly oldValue?: DeviceValue;
  readonly newValue?: DeviceValue;
  readonly route?: ChangeRoute;
}

const PARAMETERS = ['from', 'to', 'user', 'application', 'device', 'oldValue', 'newValue', 'route', 'limit', '$skiptoken'] as const;
type Parameter = (typeof PARAMETERS)[number];

/**
 * Reads the audit's query parameters. Every bad value is a 400 naming its parameter, and an
 * unknown parameter is refused rather than ignored: a misspelt filter must not quietly answer
 * the whole tenant's history.
 */
export function parseAuditRequest(query: Readonly<Record<string, unknown>>): AuditRequest {
  const text: Partial<Record<Parameter, string>> = {};
  for (const [name, value] of Object.entries(query)) {
    if (!(PARAMETERS as readonly string[]).includes(name)) {
      throw invalidInput(`Unknown query parameter ${describeValue(name)}. The audit takes ${PARAMETERS.join(', ')}.`);
    }
    if (typeof value !== 'string') throw invalidInput(`The parameter ${name} may be given once, as text.`);
    text[name as Parameter] = value;
  }
  const from = time(text.from, 'from');
  const to = time(text.to, 'to');
  if (from && to && from >= to) throw invalidInput('The parameter from must be earlier than to.');
  return {
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    ...name(text.user, 'user', 'user'),
    ...name(text.application, 'application', 'application'),
    ...name(text.device, 'device', 'device'),
    ...(text.oldValue === undefined ? {} : { oldValue: parseDeviceValue(text.oldValue, 'oldValue') }),
    ...(text.newValue === undefined ? {} : { newValue: parseDeviceValue(text.newValue, 'newValue') }),
    ...(text.route === undefined ? {} : { route: parseRoute(text.route) }),
    limit: parseLimit(text.limit),
    ...(text.$skiptoken === undefined ? {} : { after: decodeAuditCursor(text.$skiptoken) }),
  };
}

function time(value: string | undefined, parameter: string): Timestamp | undefined {
  if (value === undefined) return undefined;
  const parsed = parseTimestamp(value);
  if (!parsed) throw invalidInput(`The value ${describeValue(value)} is not valid for ${parameter}: expected an ISO 8601 time such as 2026-12-01T00:00:00Z, or a date.`);
  return parsed;
}

function name<K extends string>(value: string | undefined, parameter: string, key: K): Partial<Record<K, string>> {
  if (value === undefined) return {};
  if (value.trim() === '' || value.length > 1024) throw invalidInput(`The parameter ${parameter} must be a non-empty name or id of at most 1024 characters.`);
  return { [key]: value.trim() } as Partial<Record<K, string>>;
}

function parseRoute(value: string): ChangeRoute {
  const route = CHANGE_ROUTES.find((r) => r.toLowerCase() === value.toLowerCase());
  if (!route) throw invalidInput(`The value ${describeValue(value)} is not valid for route. Allowed values: ${CHANGE_ROUTES.join(', ')}.`);
  return route;
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return AUDIT_DEFAULT_LIMIT;
  const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(n >= 1 && n <= AUDIT_MAX_LIMIT)) throw invalidInput(`The value ${describeValue(value)} is not valid for limit: it must be a whole number from 1 to ${AUDIT_MAX_LIMIT}.`);
  return n;
}
