import type { Timestamp } from '../../shared/timestamp.js';
import { ApiError, invalidInput, missingParameter } from '../errors.js';
import { requireObject } from '../machines/machine-commands.js';
import { ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS, type AlertClassification, type AlertDetermination, type AlertRecord } from './alert.js';

/** Most alerts one batchUpdate may name (spec section 4 gives no number; docs/compat.md). */
export const MAX_BATCH_ALERTS = 500;
export const MAX_COMMENT_LENGTH = 10_000;
const MAX_ASSIGNEE_LENGTH = 256;

/** The statuses a caller may set; `Unknown` is the service's alone. */
export const SETTABLE_STATUSES = ['New', 'InProgress', 'Resolved'] as const;
type SettableStatus = (typeof SETTABLE_STATUSES)[number];

/** One triage request: the keys present in the body, each validated. */
export interface Triage {
  readonly status?: SettableStatus;
  readonly assignedTo?: string | null;
  readonly classification?: AlertClassification | null;
  readonly determination?: AlertDetermination | null;
  readonly comment?: string;
}

/** One changed field, for the alert's history; a comment is a change with no old value. */
export interface AlertChange {
  readonly field: string;
  readonly from: string | null;
  readonly to: string | null;
}

const TRIAGE_KEYS = ['status', 'assignedTo', 'classification', 'determination', 'comment'] as const;

/**
 * `PATCH /alerts/{id}`: any subset of the five keys. Keys are case-sensitive (documented), so a
 * body naming none of them (`{"Status": ...}`) is MissingRequiredParameter rather than a silent
 * success; other keys are ignored. Enum values match without case and are stored canonically.
 */
export function parseTriage(body: unknown): Triage {
  const object = requireObject(body);
  if (!TRIAGE_KEYS.some((k) => Object.hasOwn(object, k))) throw missingParameter(TRIAGE_KEYS.join(', '));
  const has = (key: string) => Object.hasOwn(object, key);
  return {
    ...(has('status') ? { status: member(object.status, 'status', SETTABLE_STATUSES, false) as SettableStatus } : {}),
    ...(has('assignedTo') ? { assignedTo: assignee(object.assignedTo) } : {}),
    // COMPAT: XSOAR sends classification `Unknown`, which is no value of the entity: it clears it.
    ...(has('classification') ? { classification: classificationOf(object.classification) } : {}),
    ...(has('determination') ? { determination: member(object.determination, 'determination', ALERT_DETERMINATIONS, true) as AlertDetermination | null } : {}),
    ...(has('comment') ? { comment: commentOf(object.comment) } : {}),
  };
}

/** `POST /alerts/batchUpdate`: `alertIds` (required, at most 500, duplicates counted once) and the same keys. */
export function parseBatchUpdate(body: unknown): { alertIds: string[]; triage: Triage } {
  const object = requireObject(body);
  if (!Object.hasOwn(object, 'alertIds')) throw missingParameter('alertIds');
  const ids = object.alertIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string' && id.trim() !== '' && id.length <= 200)) {
    throw invalidInput('alertIds must be a non-empty array of alert ids.');
  }
  if (ids.length > MAX_BATCH_ALERTS) {
    throw new ApiError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${ids.length}, allowed: ${MAX_BATCH_ALERTS}.`);
  }
  const { alertIds: _ids, ...rest } = object;
  return { alertIds: [...new Set((ids as string[]).map((id) => id.toLowerCase()))], triage: parseTriage(rest) };
}

/**
 * The triage applied to an alert at `now` by `by` (the caller's name): the new alert and what
 * changed. Resolving stamps `resolvedTime`; reopening clears it. Any change moves
 * `lastUpdateTime`; setting what is already set changes nothing and records nothing.
 */
export function applyTriage(alert: AlertRecord, triage: Triage, by: string, now: Timestamp): { alert: AlertRecord; changes: AlertChange[] } {
  const changes: AlertChange[] = [];
  let next: AlertRecord = alert;
  const set = <K extends 'status' | 'assignedTo' | 'classification' | 'determination'>(key: K, value: AlertRecord[K] | undefined) => {
    if (value === undefined || value === next[key]) return;
    changes.push({ field: key, from: next[key], to: value });
    next = { ...next, [key]: value };
  };
  set('status', triage.status);
  set('assignedTo', triage.assignedTo);
  set('classification', triage.classification);
  set('determination', triage.determination);
  if (triage.status !== undefined && triage.status !== alert.status) {
    next = { ...next, resolvedTime: triage.status === 'Resolved' ? now : null };
  }
  if (triage.comment !== undefined) {
    changes.push({ field: 'comment', from: null, to: triage.comment });
    next = { ...next, comments: [...next.comments, { comment: triage.comment, createdBy: by, createdTime: now }] };
  }
  if (changes.length > 0) next = { ...next, lastUpdateTime: now };
  return { alert: next, changes };
}

/** A string of a closed set, any case, stored as the member; null allowed where `nullable`. */
export function member(value: unknown, name: string, members: readonly string[], nullable: boolean): string | null {
  if (value === null && nullable) return null;
  const found = typeof value === 'string' ? members.find((m) => m.toLowerCase() === value.toLowerCase()) : undefined;
  if (found === undefined) throw invalidInput(`The value ${JSON.stringify(value)?.slice(0, 80)} is not valid for ${name}. Allowed values: ${members.join(', ')}.`);
  return found;
}

function classificationOf(value: unknown): AlertClassification | null {
  if (typeof value === 'string' && value.toLowerCase() === 'unknown') return null;
  return member(value, 'classification', ALERT_CLASSIFICATIONS, true) as AlertClassification | null;
}

/** A user principal name, or null to unassign. */
function assignee(value: unknown): string | null {
  if (value === null) return null;
  return text(value, 'assignedTo', MAX_ASSIGNEE_LENGTH, /[\u0000-\u001f\u007f]/);
}

function commentOf(value: unknown): string {
  return text(value, 'comment', MAX_COMMENT_LENGTH, /\u0000/);
}

/**
 * A non-empty string within its length. COMPAT: NUL (and, in names, every control character) is
 * refused: PostgreSQL text cannot hold NUL, and both backends must refuse alike.
 */
export function text(value: unknown, name: string, max: number, forbidden: RegExp): string {
  if (typeof value !== 'string' || value.trim() === '' || value.length > max) {
    throw invalidInput(`${name} must be a non-empty string of at most ${max} characters.`);
  }
  if (forbidden.test(value)) throw invalidInput(`${name} must not contain control characters.`);
  return value;
}
