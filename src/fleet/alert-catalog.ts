// The alert kinds the fleet generator draws from: what a Defender queue really fills up with.
import type { AlertCategory, AlertSeverity, EvidenceType } from '../domain/alerts/alert.js';
import type { DeviceValue } from '../domain/machines/device-value.js';
import type { Weighted } from './random.js';

export interface AlertKind {
  readonly title: string;
  readonly category: AlertCategory;
  readonly detectionSource: string;
  readonly mitreTechniques: readonly string[];
  /** The evidence kinds an alert of this kind carries (a Process also names its File). */
  readonly evidence: readonly EvidenceType[];
  readonly threatFamilyName?: string;
  readonly threatName?: string;
  readonly recommendedAction: string;
}

const kind = (k: AlertKind): AlertKind => k;

/** By severity: a kind is raised at the severity it is listed under. */
export const ALERT_KINDS: Readonly<Record<Exclude<AlertSeverity, 'UnSpecified'>, readonly AlertKind[]>> = {
  High: [
    kind({ title: 'Ransomware behavior detected in the file system', category: 'Ransomware', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1486', 'T1490'], evidence: ['Process', 'File', 'User'], threatFamilyName: 'LockBit', recommendedAction: 'Isolate the device and collect an investigation package.' }),
    kind({ title: 'Credential dumping from LSASS memory', category: 'CredentialAccess', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1003.001'], evidence: ['Process', 'File', 'User'], recommendedAction: 'Reset the credentials of the users signed in to the device.' }),
    kind({ title: "Suspected DCSync attack (replication of directory services)", category: 'CredentialAccess', detectionSource: 'MTP', mitreTechniques: ['T1003.006'], evidence: ['User', 'Ip'], recommendedAction: 'Check which account requested replication and disable it if unexpected.' }),
    kind({ title: 'Hands-on-keyboard attack via Cobalt Strike', category: 'CommandAndControl', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1071.001', 'T1055'], evidence: ['Process', 'Ip', 'Url'], threatFamilyName: 'CobaltStrike', recommendedAction: 'Isolate the device; block the command-and-control addresses.' }),
    kind({ title: "'Mimikatz' credential theft tool was detected", category: 'Malware', detectionSource: 'WindowsDefenderAv', mitreTechniques: ['T1003'], evidence: ['File', 'Process'], threatFamilyName: 'Mimikatz', threatName: 'HackTool:Win32/Mimikatz.D', recommendedAction: 'Run a full antivirus scan and reset exposed credentials.' }),
    kind({ title: 'Lateral movement using remote service creation', category: 'LateralMovement', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1021.002', 'T1569.002'], evidence: ['Process', 'User', 'Ip'], recommendedAction: 'Review the account used and the devices it reached.' }),
  ],
  Medium: [
    kind({ title: 'Suspicious PowerShell command line', category: 'Execution', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1059.001'], evidence: ['Process', 'File'], recommendedAction: 'Review the command line and the process tree.' }),
    kind({ title: 'Suspicious scheduled task created', category: 'Persistence', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1053.005'], evidence: ['Process', 'RegistryValue'], recommendedAction: 'Check the task and remove it if unexpected.' }),
    kind({ title: 'Connection to a known malicious URL', category: 'CommandAndControl', detectionSource: 'WindowsDefenderSmartScreen', mitreTechniques: ['T1071.001'], evidence: ['Url', 'Ip', 'Process'], recommendedAction: 'Block the URL and check what else reached it.' }),
    kind({ title: 'Anomalous account lookups', category: 'Discovery', detectionSource: 'MTP', mitreTechniques: ['T1087.002', 'T1069.002'], evidence: ['User', 'Process'], recommendedAction: 'Confirm the enumeration was expected.' }),
    kind({ title: 'Suspicious registry run key modification', category: 'Persistence', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1547.001'], evidence: ['RegistryValue', 'Process'], recommendedAction: 'Remove the run key if unexpected.' }),
    kind({ title: "'Emotet' malware was prevented", category: 'Malware', detectionSource: 'WindowsDefenderAv', mitreTechniques: ['T1204.002'], evidence: ['File'], threatFamilyName: 'Emotet', threatName: 'Trojan:Win32/Emotet.A', recommendedAction: 'No action needed: the file was quarantined.' }),
    kind({ title: 'Defender antivirus tampering attempt', category: 'DefenseEvasion', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1562.001'], evidence: ['Process', 'RegistryValue', 'User'], recommendedAction: 'Check who changed the antivirus settings.' }),
  ],
  Low: [
    kind({ title: 'Suspicious file downloaded from the internet', category: 'InitialAccess', detectionSource: 'WindowsDefenderSmartScreen', mitreTechniques: ['T1566.002'], evidence: ['File', 'Url'], recommendedAction: 'Confirm the download was expected.' }),
    kind({ title: 'Potentially unwanted application detected', category: 'Malware', detectionSource: 'WindowsDefenderAv', mitreTechniques: [], evidence: ['File'], threatFamilyName: 'BrowserModifier', threatName: 'PUA:Win32/Presenoker', recommendedAction: 'Remove the application.' }),
    kind({ title: 'Unusual sign-in from a new location', category: 'InitialAccess', detectionSource: 'MTP', mitreTechniques: ['T1078'], evidence: ['User', 'Ip'], recommendedAction: 'Confirm the sign-in with the user.' }),
    kind({ title: 'Network scan from this device', category: 'Discovery', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1046'], evidence: ['Process', 'Ip'], recommendedAction: 'Check whether the scanner is an approved tool.' }),
  ],
  Informational: [
    kind({ title: 'Security testing tool detected', category: 'SuspiciousActivity', detectionSource: 'WindowsDefenderAtp', mitreTechniques: ['T1059'], evidence: ['Process', 'File'], recommendedAction: 'Confirm a penetration test is under way.' }),
    kind({ title: 'Automated investigation started', category: 'General', detectionSource: 'AutomatedInvestigation', mitreTechniques: [], evidence: ['File'], recommendedAction: 'Follow the investigation.' }),
    kind({ title: 'Remote management tool used', category: 'SuspiciousActivity', detectionSource: 'ThirdPartySensors', mitreTechniques: ['T1219'], evidence: ['Process', 'Ip'], recommendedAction: 'Confirm the tool is sanctioned.' }),
  ],
};

/**
 * Severity by device value: the most severe alerts land on the High-value devices (domain
 * controllers, key servers), as attackers aim there; Low-value kit (labs) gets no High alert.
 */
export const SEVERITY_BY_VALUE: Readonly<Record<DeviceValue, Weighted<Exclude<AlertSeverity, 'UnSpecified'>>>> = {
  High: [['High', 50], ['Medium', 35], ['Low', 10], ['Informational', 5]],
  Normal: [['High', 4], ['Medium', 31], ['Low', 40], ['Informational', 25]],
  Low: [['Medium', 15], ['Low', 45], ['Informational', 40]],
};

/** How many alerts a device of each value has, relative to the fleet's average. */
export const ALERT_RATE_BY_VALUE: Readonly<Record<DeviceValue, number>> = { High: 1.5, Normal: 1, Low: 0.75 };

export const ANALYSTS = ['secops@contoso.com', 'alex.wilber@contoso.com', 'megan.bowen@contoso.com', 'soar-automation@contoso.com'] as const;
export const USER_NAMES = ['alex.wilber', 'megan.bowen', 'lee.gu', 'nestor.wilke', 'svc-backup', 'administrator'] as const;
