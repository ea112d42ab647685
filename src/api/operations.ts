import type { PermissionRequirement } from '../domain/identity/permissions.js';
import type { LimitSettings } from '../domain/traffic/limits.js';
import {
  ACTION_READ, ACTION_REQUIREMENTS, CANCEL_REQUIREMENT, INVESTIGATE, INVESTIGATION_READ, LIVE_RESPONSE_LINK, PACKAGE_LINK,
} from '../domain/actions/action-permissions.js';
import { ALERT_READ, ALERT_WRITE } from '../domain/alerts/alert-permissions.js';
import type { OperationMethod, OperationName } from '../domain/traffic/operation-names.js';

export type HttpMethod = OperationMethod;

/**
 * The operation table: one row per Machine API operation (spec sections 3-5). Routing, the
 * permission check, rate-limit buckets, the OpenAPI document and docs/compat.md all come from
 * it, so no route can forget its permission. `implemented: false` rows answer 501 NotImplemented
 * until their issue lands, instead of a misleading 404 or 405.
 */
export interface Operation {
  /** One of the domain's operation names (fault rules name operations by it). */
  readonly id: OperationName;
  readonly method: HttpMethod;
  /** Path below `/api` (and `/api/v1.0`), in Fastify's syntax. */
  readonly path: string;
  readonly summary: string;
  readonly permission: PermissionRequirement;
  readonly implemented: boolean;
  /** The operation's own limits, lower than the general 100 a minute and 1,500 an hour. */
  readonly limits?: Partial<LimitSettings>;
}

const READ: PermissionRequirement = {
  application: ['Machine.Read.All', 'Machine.ReadWrite.All'],
  delegated: ['Machine.Read', 'Machine.ReadWrite'],
  role: 'View data',
};
const WRITE = (role: PermissionRequirement['role']): PermissionRequirement => ({
  application: ['Machine.ReadWrite.All'],
  delegated: ['Machine.ReadWrite'],
  role,
});

/**
 * Permissions of the real API's other entities, for the rows Rampart does not serve yet: a
 * tenant document cannot grant them until their issue lands (see machine-api.ts).
 */
const OTHER = (entity: string, role: PermissionRequirement['role'] = 'View data', write = false): PermissionRequirement => ({
  application: write ? [`${entity}.ReadWrite.All`] : [`${entity}.Read.All`, ...(entity === 'Alert' ? ['Alert.ReadWrite.All'] : [])],
  delegated: write ? [`${entity}.ReadWrite`] : [`${entity}.Read`, ...(entity === 'Alert' ? ['Alert.ReadWrite'] : [])],
  role,
});

export const OPERATIONS = [
  { id: 'GetMachine', method: 'GET', path: '/machines/:machineId', summary: 'Get a machine by id, aadDeviceId or computer name', permission: READ, implemented: true },
  { id: 'SetDeviceValue', method: 'POST', path: '/machines/:machineId/setDeviceValue', summary: "Set a machine's device value", permission: WRITE('Manage security setting'), implemented: true },
  { id: 'UpdateMachine', method: 'PATCH', path: '/machines/:machineId', summary: "Update a machine's tags and/or device value", permission: WRITE('Alerts investigation'), implemented: true },
  { id: 'ListMachines', method: 'GET', path: '/machines', summary: 'List machines (OData)', permission: READ, implemented: true },
  { id: 'AddOrRemoveTag', method: 'POST', path: '/machines/:machineId/tags', summary: 'Add or remove a machine tag', permission: WRITE('Manage security setting'), implemented: true },
  { id: 'AddOrRemoveTagForMultipleMachines', method: 'POST', path: '/machines/AddOrRemoveTagForMultipleMachines', summary: 'Add or remove a tag on up to 500 machines', permission: WRITE('Manage security setting'), implemented: true },
  { id: 'FindMachinesByTag', method: 'GET', path: '/machines/findbytag', summary: 'Find machines by tag', permission: READ, implemented: true },
  // The arguments are part of the path segment, `findbyip(ip='10.1.2.3',timestamp=...)`: hence the wildcard.
  { id: 'FindMachinesByIp', method: 'GET', path: '/machines/findbyip*', summary: 'Find machines that held an internal IP around a time', permission: READ, implemented: true },
  // Machine actions (shared/spec/machine-actions.md).
  { id: 'Isolate', method: 'POST', path: '/machines/:machineId/isolate', summary: 'Isolate a device from the network', permission: ACTION_REQUIREMENTS.Isolate, implemented: true },
  { id: 'Unisolate', method: 'POST', path: '/machines/:machineId/unisolate', summary: 'Release a device from isolation', permission: ACTION_REQUIREMENTS.Unisolate, implemented: true },
  { id: 'RunAntiVirusScan', method: 'POST', path: '/machines/:machineId/runAntiVirusScan', summary: 'Run a Microsoft Defender Antivirus scan', permission: ACTION_REQUIREMENTS.RunAntiVirusScan, implemented: true },
  { id: 'RestrictCodeExecution', method: 'POST', path: '/machines/:machineId/restrictCodeExecution', summary: 'Restrict a device to Microsoft-signed code', permission: ACTION_REQUIREMENTS.RestrictCodeExecution, implemented: true },
  { id: 'UnrestrictCodeExecution', method: 'POST', path: '/machines/:machineId/unrestrictCodeExecution', summary: 'Lift the code execution restriction', permission: ACTION_REQUIREMENTS.UnrestrictCodeExecution, implemented: true },
  { id: 'CollectInvestigationPackage', method: 'POST', path: '/machines/:machineId/collectInvestigationPackage', summary: 'Collect an investigation package', permission: ACTION_REQUIREMENTS.CollectInvestigationPackage, implemented: true },
  { id: 'Offboard', method: 'POST', path: '/machines/:machineId/offboard', summary: 'Offboard a device', permission: ACTION_REQUIREMENTS.Offboard, implemented: true },
  { id: 'StopAndQuarantineFile', method: 'POST', path: '/machines/:machineId/StopAndQuarantineFile', summary: 'Stop a file and quarantine it', permission: ACTION_REQUIREMENTS.StopAndQuarantineFile, implemented: true },
  { id: 'RunLiveResponse', method: 'POST', path: '/machines/:machineId/runliveresponse', summary: 'Run live-response commands', permission: ACTION_REQUIREMENTS.LiveResponse, implemented: true, limits: { perMinute: 10 } },
  { id: 'StartInvestigation', method: 'POST', path: '/machines/:machineId/startInvestigation', summary: 'Start an automated investigation', permission: INVESTIGATE, implemented: true },
  { id: 'ListMachineActions', method: 'GET', path: '/machineactions', summary: 'List machine actions (OData)', permission: ACTION_READ, implemented: true },
  { id: 'GetMachineAction', method: 'GET', path: '/machineactions/:actionId', summary: 'Get a machine action', permission: ACTION_READ, implemented: true },
  { id: 'CancelMachineAction', method: 'POST', path: '/machineactions/:actionId/cancel', summary: 'Cancel a Pending or InProgress machine action', permission: CANCEL_REQUIREMENT, implemented: true },
  { id: 'GetPackageUri', method: 'GET', path: '/machineactions/:actionId/getPackageUri', summary: 'Get a download link for an investigation package', permission: PACKAGE_LINK, implemented: true, limits: { perMinute: 2, perHour: 120 } },
  // Called as GetLiveResponseResultDownloadLink(index=0): the argument sits in the path segment.
  { id: 'GetLiveResponseResultDownloadLink', method: 'GET', path: '/machineactions/:actionId/GetLiveResponseResultDownloadLink*', summary: "Get a download link for a live-response command's result", permission: LIVE_RESPONSE_LINK, implemented: true },
  { id: 'ListInvestigations', method: 'GET', path: '/investigations', summary: 'List automated investigations', permission: INVESTIGATION_READ, implemented: true },
  { id: 'GetInvestigation', method: 'GET', path: '/investigations/:investigationId', summary: 'Get an automated investigation', permission: INVESTIGATION_READ, implemented: true },
  // Alerts (shared/spec/alerts.md).
  { id: 'ListAlerts', method: 'GET', path: '/alerts', summary: 'List alerts (OData)', permission: ALERT_READ, implemented: true },
  { id: 'GetAlert', method: 'GET', path: '/alerts/:alertId', summary: 'Get an alert, with its evidence', permission: ALERT_READ, implemented: true },
  { id: 'UpdateAlert', method: 'PATCH', path: '/alerts/:alertId', summary: "Update an alert's status, assignee, classification, determination or comments", permission: ALERT_WRITE, implemented: true },
  { id: 'BatchUpdateAlerts', method: 'POST', path: '/alerts/batchUpdate', summary: 'Update several alerts at once', permission: ALERT_WRITE, implemented: true, limits: { perMinute: 10, perHour: 500 } },
  { id: 'CreateAlertByReference', method: 'POST', path: '/alerts/CreateAlertByReference', summary: 'Create an alert on a device from an event', permission: ALERT_WRITE, implemented: true, limits: { perMinute: 15 } },
  { id: 'ListMachineAlerts', method: 'GET', path: '/machines/:machineId/alerts', summary: 'Alerts of a machine', permission: ALERT_READ, implemented: true },
  { id: 'GetAlertMachine', method: 'GET', path: '/alerts/:alertId/machine', summary: 'The machine of an alert', permission: READ, implemented: true },
  // Known routes of the real API not served yet: 501 NotImplemented rather than a bare 404 (docs/compat.md).
  { id: 'ListMachineLogonUsers', method: 'GET', path: '/machines/:machineId/logonusers', summary: 'Users who logged on to a machine', permission: OTHER('User'), implemented: false },
  { id: 'ListMachineSoftware', method: 'GET', path: '/machines/:machineId/software', summary: 'Software installed on a machine', permission: OTHER('Software'), implemented: false },
  { id: 'ListMachineVulnerabilities', method: 'GET', path: '/machines/:machineId/vulnerabilities', summary: 'Vulnerabilities of a machine', permission: OTHER('Vulnerability'), implemented: false },
  { id: 'ListMachineRecommendations', method: 'GET', path: '/machines/:machineId/recommendations', summary: 'Security recommendations for a machine', permission: OTHER('SecurityRecommendation'), implemented: false },
  { id: 'GetAlertUser', method: 'GET', path: '/alerts/:alertId/user', summary: 'The user of an alert', permission: OTHER('Alert'), implemented: false },
  { id: 'ListAlertDomains', method: 'GET', path: '/alerts/:alertId/domains', summary: 'Domains related to an alert', permission: OTHER('Alert'), implemented: false },
  { id: 'ListAlertFiles', method: 'GET', path: '/alerts/:alertId/files', summary: 'Files related to an alert', permission: OTHER('Alert'), implemented: false },
  { id: 'ListAlertIps', method: 'GET', path: '/alerts/:alertId/ips', summary: 'IP addresses related to an alert', permission: OTHER('Alert'), implemented: false },
  { id: 'ListSoftware', method: 'GET', path: '/software', summary: 'Software inventory', permission: OTHER('Software'), implemented: false },
  { id: 'ListVulnerabilities', method: 'GET', path: '/vulnerabilities', summary: 'Vulnerabilities', permission: OTHER('Vulnerability'), implemented: false },
  { id: 'ListRecommendations', method: 'GET', path: '/recommendations', summary: 'Security recommendations', permission: OTHER('SecurityRecommendation'), implemented: false },
] as const satisfies readonly Operation[];

export type OperationId = OperationName;

/**
 * Compiles only when every operation name has a row (`satisfies` above refuses an id that is not
 * a name); the error names the missing operation.
 */
type Rowless = Exclude<OperationName, (typeof OPERATIONS)[number]['id']>;
export const EVERY_OPERATION_HAS_A_ROW: [Rowless] extends [never] ? true : Rowless = true;

export const operation = (id: OperationId): Operation => {
  const found = OPERATIONS.find((o) => o.id === id);
  if (!found) throw new Error(`unknown operation ${id}`);
  return found;
};
