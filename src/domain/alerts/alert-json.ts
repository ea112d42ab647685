import { wireTimestamp, type Timestamp } from '../../shared/timestamp.js';
import type { AlertView, Evidence } from './alert.js';

/*
 * The wire JSON of alerts. It lives in the domain, as machine-json.ts does, so the CLI and the
 * console can print the same objects without importing the API's internals (ADR 1).
 */

const ts = (t: Timestamp | null): string | null => (t === null ? null : wireTimestamp(t));

/** The 29 keys in the order of the docs' real response (spec section 2), nulls written out. */
export const ALERT_KEYS = [
  'id', 'incidentId', 'investigationId', 'assignedTo', 'severity', 'status', 'classification', 'determination',
  'investigationState', 'detectionSource', 'detectorId', 'category', 'threatFamilyName', 'title', 'description',
  'alertCreationTime', 'firstEventTime', 'lastEventTime', 'lastUpdateTime', 'resolvedTime', 'machineId', 'computerDnsName',
  'rbacGroupName', 'aadTenantId', 'threatName', 'mitreTechniques', 'relatedUser', 'comments', 'evidence',
] as const;
export type AlertKey = (typeof ALERT_KEYS)[number];

/** An alert on the wire; `evidence` is `[]` unless `withEvidence` (spec section 3). */
export function alertToJson(view: AlertView, withEvidence: boolean): Record<AlertKey, unknown> {
  const a = view.alert;
  return {
    id: a.id,
    incidentId: a.incidentId,
    investigationId: a.investigationId,
    assignedTo: a.assignedTo,
    severity: a.severity,
    status: a.status,
    classification: a.classification,
    determination: a.determination,
    investigationState: a.investigationState,
    detectionSource: a.detectionSource,
    detectorId: a.detectorId,
    category: a.category,
    threatFamilyName: a.threatFamilyName,
    title: a.title,
    description: a.description,
    alertCreationTime: wireTimestamp(a.alertCreationTime),
    firstEventTime: ts(a.firstEventTime),
    lastEventTime: ts(a.lastEventTime),
    lastUpdateTime: ts(a.lastUpdateTime),
    resolvedTime: ts(a.resolvedTime),
    machineId: a.machineId,
    computerDnsName: view.computerDnsName,
    rbacGroupName: view.rbacGroupName,
    aadTenantId: view.aadTenantId,
    threatName: a.threatName,
    mitreTechniques: [...a.mitreTechniques],
    relatedUser: a.relatedUser === null ? null : { userName: a.relatedUser.userName, domainName: a.relatedUser.domainName },
    comments: a.comments.map((c) => ({ comment: c.comment, createdBy: c.createdBy, createdTime: wireTimestamp(c.createdTime) })),
    evidence: withEvidence ? a.evidence.map(evidenceToJson) : [],
  };
}

/** The 25 keys of an evidence element, in the docs' order, every one present. */
export function evidenceToJson(e: Evidence): Record<string, unknown> {
  return {
    entityType: e.entityType,
    evidenceCreationTime: wireTimestamp(e.evidenceCreationTime),
    sha1: e.sha1,
    sha256: e.sha256,
    fileName: e.fileName,
    filePath: e.filePath,
    processId: e.processId,
    processCommandLine: e.processCommandLine,
    processCreationTime: ts(e.processCreationTime),
    parentProcessId: e.parentProcessId,
    parentProcessCreationTime: ts(e.parentProcessCreationTime),
    parentProcessFileName: e.parentProcessFileName,
    parentProcessFilePath: e.parentProcessFilePath,
    ipAddress: e.ipAddress,
    url: e.url,
    registryKey: e.registryKey,
    registryHive: e.registryHive,
    registryValueType: e.registryValueType,
    registryValue: e.registryValue,
    accountName: e.accountName,
    domainName: e.domainName,
    userSid: e.userSid,
    aadUserId: e.aadUserId,
    userPrincipalName: e.userPrincipalName,
    detectionStatus: e.detectionStatus,
  };
}
