import { invalidInput } from '../errors.js';
import type { MachineAccess } from '../machines/machine-access.js';
import { stableGuid } from '../../shared/ids.js';
import { ALERT_CATEGORIES, ALERT_SEVERITIES, DETECTION_SOURCES, type AlertCategory, type AlertSeverity, type AlertView } from './alert.js';
import type { NewAlert } from './alert-factory.js';
import type { AlertCall, AlertService } from './alert-service.js';
import { member, text } from './alert-triage.js';

/** What a scripted alert is when the request says nothing more (the body may be `{}`). */
export const FIRE_DEFAULTS = {
  title: 'Suspicious activity on the device',
  severity: 'Medium',
  category: 'SuspiciousActivity',
  detectionSource: 'WindowsDefenderAtp',
} as const;

const KEYS = ['title', 'severity', 'category', 'description', 'detectionSource', 'recommendedAction', 'mitreTechniques', 'threatName', 'threatFamilyName'] as const;
const NAMES = /[\u0000-\u001f\u007f]/;
const TECHNIQUE = /^T\d{4}(\.\d{3})?$/;

export type FireRequest = Omit<NewAlert, 'tenantId' | 'machineId' | 'nowMs' | 'idSuffix' | 'detectorId' | 'description'> & { readonly description: string | null };

/**
 * The body of "an alert fires on this device now" (admin API, CLI): every key optional, an
 * unknown key refused (a misspelt `severty` must not pass silently), enums in any case.
 */
export function parseFireAlert(body: unknown): FireRequest {
  const object = body === undefined || body === null ? {} : body;
  if (typeof object !== 'object' || Array.isArray(object)) throw invalidInput('The body must be a JSON object (it may be empty).');
  const given = object as Record<string, unknown>;
  const unknown = Object.keys(given).find((k) => !(KEYS as readonly string[]).includes(k));
  if (unknown !== undefined) throw invalidInput(`Unknown key ${JSON.stringify(unknown.slice(0, 80))}. Allowed keys: ${KEYS.join(', ')}.`);
  const has = (key: string) => given[key] !== undefined && given[key] !== null;
  return {
    title: has('title') ? text(given.title, 'title', 256, NAMES) : FIRE_DEFAULTS.title,
    severity: (has('severity') ? member(given.severity, 'severity', ALERT_SEVERITIES, false) : FIRE_DEFAULTS.severity) as AlertSeverity,
    category: (has('category') ? member(given.category, 'category', ALERT_CATEGORIES, false) : FIRE_DEFAULTS.category) as AlertCategory,
    detectionSource: has('detectionSource') ? (member(given.detectionSource, 'detectionSource', DETECTION_SOURCES, false) as string) : FIRE_DEFAULTS.detectionSource,
    description: has('description') ? text(given.description, 'description', 10_000, /\u0000/) : null,
    recommendedAction: has('recommendedAction') ? text(given.recommendedAction, 'recommendedAction', 10_000, /\u0000/) : null,
    threatName: has('threatName') ? text(given.threatName, 'threatName', 256, NAMES) : null,
    threatFamilyName: has('threatFamilyName') ? text(given.threatFamilyName, 'threatFamilyName', 256, NAMES) : null,
    mitreTechniques: has('mitreTechniques') ? techniques(given.mitreTechniques) : [],
  };
}

function techniques(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 50 || !value.every((t) => typeof t === 'string' && TECHNIQUE.test(t))) {
    throw invalidInput('mitreTechniques must be an array of MITRE ATT&CK technique ids such as T1059.001.');
  }
  return value as string[];
}

/**
 * An alert fires on a device of a tenant now, as its sensor would raise it: no caller's groups
 * apply (the admin key or the data folder's owner asks), retention does (a device gone from the
 * API takes no alert). The alert is made by the service's `raise`, so it is timed, spaced and
 * audited as every other new alert.
 */
export async function fireAlert(access: MachineAccess, alerts: AlertService, tenantId: string, machineKey: string, body: unknown, call: AlertCall): Promise<AlertView> {
  const request = parseFireAlert(body);
  const scope = await access.visibility(tenantId);
  const machine = await access.resolve(scope, machineKey);
  const [alert] = await alerts.raise(scope.tenantId, [
    {
      ...request,
      machineId: machine.id,
      detectorId: stableGuid(`rampart-fire/${request.title}`),
      description: request.description ?? `${request.title} on ${machine.computerDnsName}.`,
    },
  ], call);
  if (!alert) throw new Error('raise returned no alert');
  return { alert, computerDnsName: machine.computerDnsName, rbacGroupName: machine.rbacGroupName, aadTenantId: scope.tenantId };
}
