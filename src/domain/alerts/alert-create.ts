import { parseTimestamp, type Timestamp } from '../../shared/timestamp.js';
import { invalidInput, missingParameter } from '../errors.js';
import { requireObject } from '../machines/machine-commands.js';
import { ALERT_CATEGORIES, type AlertCategory } from './alert.js';
import { member, text } from './alert-triage.js';

/** The severities CreateAlertByReference accepts (the docs list three). */
export const CREATE_SEVERITIES = ['Low', 'Medium', 'High'] as const;

export interface CreateAlertRequest {
  readonly machineId: string;
  readonly severity: (typeof CREATE_SEVERITIES)[number];
  readonly title: string;
  readonly description: string;
  readonly recommendedAction: string;
  readonly eventTime: Timestamp;
  readonly reportId: string;
  readonly category: AlertCategory;
}

const REQUIRED = ['machineId', 'severity', 'title', 'description', 'recommendedAction', 'eventTime', 'reportId', 'category'] as const;
const NAMES = /[\u0000-\u001f\u007f]/;

/**
 * `POST /alerts/CreateAlertByReference`: every key required, case-sensitive as documented;
 * severity and category match without case and are stored canonically.
 */
export function parseCreateAlert(body: unknown): CreateAlertRequest {
  const object = requireObject(body);
  for (const key of REQUIRED) if (!Object.hasOwn(object, key) || object[key] === null) throw missingParameter(key);
  const eventTime = typeof object.eventTime === 'string' ? parseTimestamp(object.eventTime) : undefined;
  if (!eventTime) throw invalidInput('eventTime must be an ISO 8601 date and time, such as 2024-05-01T12:00:00Z.');
  const reportId = object.reportId;
  if (!(typeof reportId === 'string' && reportId.trim() !== '' && reportId.length <= 100) && !(typeof reportId === 'number' && Number.isSafeInteger(reportId))) {
    throw invalidInput('reportId must be the ReportId of an event (a number or a non-empty string).');
  }
  return {
    machineId: text(object.machineId, 'machineId', 300, NAMES),
    severity: member(object.severity, 'severity', CREATE_SEVERITIES, false) as CreateAlertRequest['severity'],
    title: text(object.title, 'title', 256, NAMES),
    description: text(object.description, 'description', 10_000, /\u0000/),
    recommendedAction: recommendation(object.recommendedAction),
    eventTime,
    reportId: String(reportId),
    category: member(object.category, 'category', ALERT_CATEGORIES, false) as AlertCategory,
  };
}

/** May be empty (nothing to recommend), unlike the other texts. */
function recommendation(value: unknown): string {
  if (typeof value !== 'string' || value.length > 10_000 || value.includes('\u0000')) throw invalidInput('recommendedAction must be a string of at most 10000 characters.');
  return value;
}
