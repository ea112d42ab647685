import type { Timestamp } from '../../shared/timestamp.js';

/*
 * The Alert entity (shared/spec/alerts.md section 2): its closed value sets and the facts a store
 * keeps. The device's name and group are not copied into the alert: they are read from the
 * device when the alert is read, so an alert follows its device into another group.
 */

export const ALERT_SEVERITIES = ['UnSpecified', 'Informational', 'Low', 'Medium', 'High'] as const;
export const ALERT_STATUSES = ['Unknown', 'New', 'InProgress', 'Resolved'] as const;
export const ALERT_CLASSIFICATIONS = ['TruePositive', 'InformationalExpectedActivity', 'FalsePositive'] as const;
/**
 * Determinations: the union of every documented list (alerts.md and batch-update, update-alert,
 * and what XSOAR sends), stored verbatim as the spec advises (section 2a). The values retired in
 * August 2022 (`Apt`, `SecurityPersonnel`) are not among them.
 */
export const ALERT_DETERMINATIONS = [
  'MultiStagedAttack', 'MaliciousUserActivity', 'CompromisedUser', 'Malware', 'Phishing', 'UnwantedSoftware', 'Other',
  'SecurityTesting', 'LineOfBusinessApplication', 'ConfirmedUserActivity', 'ConfirmedActivity', 'Clean', 'NotMalicious',
  'InsufficientData', 'NotAvailable',
] as const;
export const INVESTIGATION_STATES = [
  'Unknown', 'Terminated', 'SuccessfullyRemediated', 'Benign', 'Failed', 'PartiallyRemediated', 'Running', 'PendingApproval',
  'PendingResource', 'PartiallyInvestigated', 'TerminatedByUser', 'TerminatedBySystem', 'Queued', 'InnerFailure',
  'PreexistingAlert', 'UnsupportedOs', 'UnsupportedAlertType', 'SuppressedAlert',
] as const;
export const DETECTION_SOURCES = [
  'WindowsDefenderAtp', 'WindowsDefenderAv', 'WindowsDefenderSmartScreen', 'CustomDetection', 'CustomerTI', 'AutomatedInvestigation',
  'MTP', 'OfficeATP', 'ThreatExperts', 'ThirdPartySensors',
] as const;
export const ALERT_CATEGORIES = [
  'General', 'CommandAndControl', 'Collection', 'CredentialAccess', 'DefenseEvasion', 'Discovery', 'Exfiltration', 'Exploit',
  'Execution', 'InitialAccess', 'LateralMovement', 'Malware', 'Persistence', 'PrivilegeEscalation', 'Ransomware', 'SuspiciousActivity',
] as const;
export const EVIDENCE_TYPES = ['User', 'Process', 'File', 'Ip', 'Url', 'RegistryValue'] as const;

export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type AlertClassification = (typeof ALERT_CLASSIFICATIONS)[number];
export type AlertDetermination = (typeof ALERT_DETERMINATIONS)[number];
export type InvestigationState = (typeof INVESTIGATION_STATES)[number];
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];
export type EvidenceType = (typeof EVIDENCE_TYPES)[number];

export interface AlertComment {
  readonly comment: string;
  readonly createdBy: string;
  readonly createdTime: Timestamp;
}

export interface RelatedUser {
  readonly userName: string;
  readonly domainName: string;
}

/** One evidence element (spec section 3): the fields of its kind set, the others null. */
export interface Evidence {
  readonly entityType: EvidenceType;
  readonly evidenceCreationTime: Timestamp;
  readonly sha1: string | null;
  readonly sha256: string | null;
  readonly fileName: string | null;
  readonly filePath: string | null;
  readonly processId: number | null;
  readonly processCommandLine: string | null;
  readonly processCreationTime: Timestamp | null;
  readonly parentProcessId: number | null;
  readonly parentProcessCreationTime: Timestamp | null;
  readonly parentProcessFileName: string | null;
  readonly parentProcessFilePath: string | null;
  readonly ipAddress: string | null;
  readonly url: string | null;
  readonly registryKey: string | null;
  readonly registryHive: string | null;
  readonly registryValueType: string | null;
  readonly registryValue: string | null;
  readonly accountName: string | null;
  readonly domainName: string | null;
  readonly userSid: string | null;
  readonly aadUserId: string | null;
  readonly userPrincipalName: string | null;
  readonly detectionStatus: 'Detected' | null;
}

/** What a store keeps of an alert (the wire adds the device's current name and group). */
export interface AlertRecord {
  readonly tenantId: string;
  /** `da<ticks>_<int32>`, stored lower case. */
  readonly id: string;
  readonly incidentId: number | null;
  readonly investigationId: number | null;
  readonly assignedTo: string | null;
  readonly severity: AlertSeverity;
  readonly status: AlertStatus;
  readonly classification: AlertClassification | null;
  readonly determination: AlertDetermination | null;
  readonly investigationState: InvestigationState | null;
  readonly detectionSource: string;
  readonly detectorId: string;
  readonly category: string;
  readonly threatFamilyName: string | null;
  readonly title: string;
  readonly description: string;
  /** Not on the wire; CreateAlertByReference's `recommendedAction`, kept for the console. */
  readonly recommendedAction: string | null;
  readonly alertCreationTime: Timestamp;
  readonly firstEventTime: Timestamp | null;
  readonly lastEventTime: Timestamp | null;
  readonly lastUpdateTime: Timestamp | null;
  readonly resolvedTime: Timestamp | null;
  readonly machineId: string;
  readonly threatName: string | null;
  readonly mitreTechniques: readonly string[];
  readonly relatedUser: RelatedUser | null;
  readonly comments: readonly AlertComment[];
  readonly evidence: readonly Evidence[];
}

/** An alert as read for a caller: the record plus its device's current name and group. */
export interface AlertView {
  readonly alert: AlertRecord;
  readonly computerDnsName: string;
  readonly rbacGroupName: string | null;
  readonly aadTenantId: string;
}
