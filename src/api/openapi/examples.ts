import type { Machine } from '../../domain/machines/machine.js';
import { referenceMachine } from '../../domain/machines/reference-machine.js';
import { parseTimestamp, timestampToMillis, type Timestamp } from '../../shared/timestamp.js';
import type { OperationId } from '../operations.js';
import { machinesCollection } from '../wire/collection-wire.js';
import { machineEntity } from '../wire/machine-wire.js';
import { actionsContext, investigationsContext } from '../wire/action-wire.js';
import { alertEntity, alertsCollection } from '../wire/alert-wire.js';
import { createAlert, evidenceOf } from '../../domain/alerts/alert-factory.js';
import type { AlertView } from '../../domain/alerts/alert.js';

/**
 * Examples for the OpenAPI document: a request body (when the operation takes one) and the
 * success answer. Machines go through the same wire mappers the routes use, so their examples
 * show exactly what is served; the linter's example check (test/openapi.test.ts) holds the
 * others to the response schemas.
 */
export interface OperationExample {
  readonly request?: unknown;
  /** undefined: the answer is an empty body. */
  readonly response: unknown;
}

/** The real service's host: the examples read as the reference's own. */
const BASE = 'https://api.securitycenter.microsoft.com';

const at = (text: string): Timestamp => {
  const timestamp = parseTimestamp(text);
  if (!timestamp) throw new Error(`bad example timestamp ${text}`);
  return timestamp;
};

/** The machine of the reference's examples (the demo tenant serves it too), at the docs' own times. */
const MACHINE: Machine = referenceMachine(at('2018-08-02T14:55:03.7791856Z'), at('2018-08-02T14:55:03.7791856Z'));
const HIGH: Machine = { ...MACHINE, deviceValue: 'High' };
const TAGGED: Machine = { ...MACHINE, machineTags: [...MACHINE.machineTags, 'ExampleTag'] };

const ACTION_ID = '7327b54fd718525cbca07dacde913b5ac3c85673';
function action(type: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'b89eb834-4578-496c-8be0-03f004061435',
    type,
    title: null,
    requestor: 'Analyst@TestPrd.onmicrosoft.com',
    requestorComment: 'Check machine for viruses due to alert 3212',
    status: 'Pending',
    machineId: MACHINE.id,
    computerDnsName: MACHINE.computerDnsName,
    creationDateTimeUtc: '2019-01-02T14:39:38.2262283Z',
    lastUpdateDateTimeUtc: '2019-01-02T14:40:44.6596267Z',
    cancellationRequestor: null,
    cancellationComment: null,
    cancellationDateTimeUtc: null,
    errorHResult: 0,
    scope: null,
    externalId: null,
    requestSource: 'PublicApi',
    relatedFileInfo: null,
    commands: [],
    troubleshootInfo: null,
    ...extra,
  };
}
const actionEntity = (type: string, extra?: Record<string, unknown>) => ({ '@odata.context': `${actionsContext(BASE)}/$entity`, ...action(type, extra) });
const INVESTIGATION = {
  id: '5708',
  startTime: '2021-02-01T15:21:00.5566667Z',
  endTime: null,
  cancelledBy: null,
  investigationState: 'Running',
  statusDetails: null,
  machineId: MACHINE.id,
  computerDnsName: MACHINE.computerDnsName,
  triggeringAlertId: null,
};
const comment = { Comment: 'Isolate machine due to alert 1234' };
const link = (token: string) => ({ '@odata.context': `${BASE}/api/$metadata#Edm.String`, value: `${BASE}/downloads/${token}` });

/** One per served Machine API operation; test/openapi.test.ts fails when a served one has none. */
/** The reference's alert example, raised through the same factory the service uses. */
const ALERT_TIME = '2021-01-26T20:33:57.7220239Z';
const ALERT: AlertView = {
  alert: createAlert({
    tenantId: 'a839b112-1253-6432-9bf6-94542403f21c',
    machineId: MACHINE.id,
    nowMs: timestampToMillis(at(ALERT_TIME)),
    idSuffix: 1364969609,
    detectorId: '17e10bbc-3a68-474a-8aad-faef14d43952',
    severity: 'High',
    category: 'Execution',
    title: 'Low-reputation arbitrary code executed by signed executable',
    description: 'Binaries signed by Microsoft can be used to run low-reputation arbitrary code.',
    detectionSource: 'WindowsDefenderAtp',
    mitreTechniques: ['T1064', 'T1085', 'T1220'],
    evidence: [evidenceOf('File', at(ALERT_TIME), { sha1: 'd4447dffdbb2889b4b4e746b0bc882df1b854101', fileName: 'WFtrojan.exe', filePath: 'C:\\Users\\Alice\\Downloads' })],
  }),
  computerDnsName: MACHINE.computerDnsName,
  rbacGroupName: MACHINE.rbacGroupName,
  aadTenantId: 'a839b112-1253-6432-9bf6-94542403f21c',
};
const TRIAGE = { status: 'Resolved', assignedTo: 'secop2@contoso.com', classification: 'FalsePositive', determination: 'Malware', comment: 'Resolve my alert and assign to secop2' };
const RESOLVED: AlertView = {
  ...ALERT,
  alert: {
    ...ALERT.alert,
    status: 'Resolved',
    assignedTo: 'secop2@contoso.com',
    classification: 'FalsePositive',
    determination: 'Malware',
    resolvedTime: at('2021-01-27T08:12:05.31Z'),
    lastUpdateTime: at('2021-01-27T08:12:05.31Z'),
    comments: [{ comment: TRIAGE.comment, createdBy: 'secop2@contoso.com', createdTime: at('2021-01-27T08:12:05.31Z') }],
  },
};
const alertList = alertsCollection(BASE, [ALERT], { select: null, withEvidence: false, count: undefined, nextLink: undefined });

export const EXAMPLES: Partial<Record<OperationId, OperationExample>> = {
  GetMachine: { response: machineEntity(BASE, MACHINE) },
  SetDeviceValue: { request: { DeviceValue: 'High' }, response: machineEntity(BASE, HIGH) },
  UpdateMachine: { request: { deviceValue: 'High', machineTags: ['test tag 1', 'test tag 2'] }, response: machineEntity(BASE, HIGH) },
  ListMachines: { response: machinesCollection(BASE, [MACHINE]) },
  AddOrRemoveTag: { request: { Value: 'ExampleTag', Action: 'Add' }, response: machineEntity(BASE, TAGGED) },
  AddOrRemoveTagForMultipleMachines: {
    request: { Value: 'ExampleTag', Action: 'Add', MachineIds: [MACHINE.id] },
    response: machinesCollection(BASE, [TAGGED]),
  },
  FindMachinesByTag: { response: machinesCollection(BASE, [MACHINE]) },
  FindMachinesByIp: { response: machinesCollection(BASE, [MACHINE]) },
  Isolate: { request: { ...comment, IsolationType: 'Full' }, response: actionEntity('Isolate') },
  Unisolate: { request: { Comment: 'Unisolate machine since it was clean and validated' }, response: actionEntity('Unisolate') },
  RunAntiVirusScan: { request: { Comment: 'Check machine for viruses due to alert 3212', ScanType: 'Full' }, response: actionEntity('RunAntiVirusScan') },
  RestrictCodeExecution: { request: { Comment: 'Restrict code execution due to alert 1234' }, response: actionEntity('RestrictCodeExecution') },
  UnrestrictCodeExecution: { request: { Comment: 'Unrestrict code execution since machine was cleaned and validated' }, response: actionEntity('UnrestrictCodeExecution') },
  CollectInvestigationPackage: { request: { Comment: 'Collect forensics due to alert 1234' }, response: actionEntity('CollectInvestigationPackage') },
  Offboard: { request: { Comment: 'Offboard machine by automation' }, response: actionEntity('Offboard') },
  StopAndQuarantineFile: {
    request: { Comment: 'Stop and quarantine file on machine due to alert 441688558380765161_2136280442', Sha1: '87662bc3d60e4200ceaf7aae249d1c343f4b83c9' },
    response: actionEntity('StopAndQuarantineFile', { relatedFileInfo: { fileIdentifier: '87662bc3d60e4200ceaf7aae249d1c343f4b83c9', fileIdentifierType: 'Sha1' } }),
  },
  RunLiveResponse: {
    request: { Comment: 'Testing Live Response API', Commands: [{ type: 'RunScript', params: [{ key: 'ScriptName', value: 'minidump.ps1' }, { key: 'Args', value: 'OfficeClickToRun' }] }] },
    response: actionEntity('LiveResponse', {
      commands: [{ index: 0, startTime: null, endTime: null, commandStatus: 'Created', errors: [], command: { type: 'RunScript', params: [{ key: 'ScriptName', value: 'minidump.ps1' }, { key: 'Args', value: 'OfficeClickToRun' }] } }],
    }),
  },
  StartInvestigation: { request: { Comment: 'Test investigation' }, response: { '@odata.context': `${investigationsContext(BASE)}/$entity`, ...INVESTIGATION } },
  ListMachineActions: { response: { '@odata.context': actionsContext(BASE), value: [action('RunAntiVirusScan', { status: 'Succeeded' })] } },
  GetMachineAction: { response: actionEntity('RunAntiVirusScan', { status: 'Succeeded' }) },
  CancelMachineAction: {
    request: { Comment: 'Cancel the scan: the alert was a false positive' },
    response: actionEntity('RunAntiVirusScan', {
      status: 'Cancelled',
      cancellationRequestor: 'Analyst@TestPrd.onmicrosoft.com',
      cancellationComment: 'Cancel the scan: the alert was a false positive',
      cancellationDateTimeUtc: '2019-01-02T14:40:44.6596267Z',
    }),
  },
  GetPackageUri: { response: link(`${ACTION_ID}.example-package-token`) },
  GetLiveResponseResultDownloadLink: { response: link(`${ACTION_ID}.example-result-token`) },
  ListInvestigations: { response: { '@odata.context': investigationsContext(BASE), value: [INVESTIGATION] } },
  GetInvestigation: { response: { '@odata.context': `${investigationsContext(BASE)}/$entity`, ...INVESTIGATION } },
  ListAlerts: { response: alertList },
  ListMachineAlerts: { response: alertList },
  GetAlert: { response: alertEntity(BASE, ALERT) },
  GetAlertMachine: { response: machineEntity(BASE, MACHINE) },
  UpdateAlert: { request: TRIAGE, response: alertEntity(BASE, RESOLVED) },
  BatchUpdateAlerts: { request: { alertIds: [ALERT.alert.id], status: 'Resolved', assignedTo: 'secop2@contoso.com', comment: 'Resolved by playbook' }, response: undefined },
  CreateAlertByReference: {
    request: { machineId: MACHINE.id, severity: 'Low', title: 'example', description: 'example alert', recommendedAction: 'nothing', eventTime: '2018-08-03T16:45:21.7115182Z', reportId: '20776', category: 'Exploit' },
    response: alertEntity(BASE, ALERT),
  },
};
