import assert from 'node:assert/strict';
import type { Core } from '../../src/core.js';
import type { AlertRecord } from '../../src/domain/alerts/alert.js';
import { ALERT_KEYS } from '../../src/domain/alerts/alert-json.js';
import { evidenceOf, type NewAlert } from '../../src/domain/alerts/alert-factory.js';
import { DEMO_TENANT_ID } from '../../src/config/demo.js';
import { timestampFromMillis } from '../../src/shared/timestamp.js';
import { expectEntityEnvelope, ODATA_CONTENT_TYPE } from './wire.js';
import type { Json } from './actions.js';

export { ALERT_KEYS };

/** The 25 keys of an evidence element, in the docs' order (spec section 3). */
export const EVIDENCE_KEYS = [
  'entityType', 'evidenceCreationTime', 'sha1', 'sha256', 'fileName', 'filePath', 'processId', 'processCommandLine', 'processCreationTime',
  'parentProcessId', 'parentProcessCreationTime', 'parentProcessFileName', 'parentProcessFilePath', 'ipAddress', 'url', 'registryKey',
  'registryHive', 'registryValueType', 'registryValue', 'accountName', 'domainName', 'userSid', 'aadUserId', 'userPrincipalName', 'detectionStatus',
];

export type AlertInput = Omit<NewAlert, 'tenantId' | 'nowMs' | 'idSuffix'>;

/** A realistic alert for a device: a process and a file as evidence, two MITRE techniques. */
export function alertInput(machineId: string, nowMs: number, overrides: Partial<AlertInput> = {}): AlertInput {
  const at = timestampFromMillis(nowMs);
  return {
    machineId,
    detectorId: '17e10bbc-3a68-474a-8aad-faef14d43952',
    severity: 'Medium',
    category: 'Execution',
    title: 'Suspicious PowerShell command line',
    description: 'A suspicious PowerShell activity was observed on the machine.',
    detectionSource: 'WindowsDefenderAtp',
    threatFamilyName: null,
    mitreTechniques: ['T1059.001', 'T1064'],
    relatedUser: { userName: 'alex', domainName: 'CONTOSO' },
    evidence: [
      evidenceOf('Process', at, { sha1: 'a'.repeat(40), fileName: 'powershell.exe', filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', processId: 4812, processCommandLine: 'powershell.exe -enc SQBFAFgA', processCreationTime: at, detectionStatus: 'Detected' }),
      evidenceOf('User', at, { accountName: 'alex', domainName: 'CONTOSO', userSid: 'S-1-5-21-1-2-3-1001' }),
    ],
    ...overrides,
  };
}

/** Raises alerts in the demo tenant through the domain, at the clock's now. */
export async function raiseAlerts(app: Pick<Core, 'alerts'>, inputs: readonly AlertInput[], nowMs?: number): Promise<AlertRecord[]> {
  return app.alerts.raise(DEMO_TENANT_ID, inputs, { requestId: null, route: 'seed' }, nowMs);
}

/** The exact entity envelope of an alert answer: status, OData headers, context, key order. */
export async function expectAlert(response: Response, base: string, status = 200): Promise<Json> {
  const body = await expectEntityEnvelope(response, status, base, 'Alerts', ALERT_KEYS);
  for (const e of body.evidence as Json[]) assert.deepEqual(Object.keys(e), EVIDENCE_KEYS);
  return body;
}

/** A collection answer: headers, context, and each alert's keys in wire order. */
export async function expectAlerts(response: Response, base: string, context = `${base}/api/$metadata#Alerts`): Promise<Json[]> {
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.equal(response.headers.get('content-type'), ODATA_CONTENT_TYPE);
  assert.equal(response.headers.get('odata-version'), '4.0');
  const body = JSON.parse(text) as { '@odata.context': string; value: Json[] };
  assert.equal(body['@odata.context'], context);
  return body.value;
}
