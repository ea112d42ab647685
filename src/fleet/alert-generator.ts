import type { AlertDetermination, AlertClassification, AlertRecord, AlertSeverity, Evidence, EvidenceType } from '../domain/alerts/alert.js';
import { createAlert, evidenceOf } from '../domain/alerts/alert-factory.js';
import type { Machine } from '../domain/machines/machine.js';
import { stableGuid } from '../shared/ids.js';
import { timestampFromMillis, timestampToMillis, type Timestamp } from '../shared/timestamp.js';
import { ALERT_KINDS, ALERT_RATE_BY_VALUE, ANALYSTS, SEVERITY_BY_VALUE, USER_NAMES, type AlertKind } from './alert-catalog.js';
import { Random, weighted, type Weighted } from './random.js';

/** Alerts per machine on average when none is asked for (issue 16: about two). */
export const DEFAULT_ALERTS_PER_MACHINE = 2;

const MINUTE = 60_000;
const DAY = 86_400_000;
/** How far back a device's alerts go from when it was last seen. */
const HISTORY_DAYS = 30;

/** The triage a generated alert already has; older alerts are more likely done with. */
const TRIAGE: Weighted<'New' | 'InProgress' | 'Resolved'> = [['New', 45], ['InProgress', 15], ['Resolved', 40]];
const VERDICTS: Weighted<readonly [AlertClassification, AlertDetermination]> = [
  [['TruePositive', 'Malware'], 30], [['TruePositive', 'MultiStagedAttack'], 8], [['TruePositive', 'CompromisedUser'], 7],
  [['InformationalExpectedActivity', 'SecurityTesting'], 20], [['InformationalExpectedActivity', 'LineOfBusinessApplication'], 10],
  [['FalsePositive', 'NotMalicious'], 15], [['FalsePositive', 'InsufficientData'], 10],
];

/**
 * The alerts of one device, deterministic for (seed, device): a stream of its own per device, so
 * neither the fleet's order nor its size changes them. The count averages `perMachine` over a
 * fleet (more on High-value devices, fewer on Low), severities follow the device value, and
 * each alert is made by the domain's pure factory, as the API raises them.
 */
export function generateAlerts(seed: number, tenantId: string, machine: Machine, perMachine = DEFAULT_ALERTS_PER_MACHINE): AlertRecord[] {
  if (perMachine <= 0) return [];
  const random = new Random((seed * 31) ^ Number.parseInt(machine.id.slice(0, 8), 16) ^ 0xa1e27);
  const mean = perMachine * ALERT_RATE_BY_VALUE[machine.deviceValue];
  // Uniform on 0..2*mean keeps the mean without a long tail; the fraction is drawn as a chance.
  const span = 2 * mean;
  const count = random.int(0, Math.floor(span)) + (random.chance(span - Math.floor(span)) ? 1 : 0);
  const lastSeen = timestampToMillis(machine.lastSeen);
  const since = Math.max(timestampToMillis(machine.firstSeen), lastSeen - HISTORY_DAYS * DAY);
  const alerts: AlertRecord[] = [];
  for (let i = 0; i < count; i++) alerts.push(oneAlert(random, tenantId, machine, since, lastSeen));
  return alerts;
}

/** Per kind, computed once: a seed of a million machines asked for them two million times. */
const detectorIds = new Map<AlertKind, string>();
const fileNames = new Map<AlertKind, string>();
function detectorIdOf(kind: AlertKind): string {
  let id = detectorIds.get(kind);
  if (id === undefined) detectorIds.set(kind, (id = stableGuid(`rampart-fleet/${kind.title}`)));
  return id;
}
function fileNameOf(kind: AlertKind): string {
  let name = fileNames.get(kind);
  if (name === undefined) fileNames.set(kind, (name = (kind.threatFamilyName ?? kind.category).toLowerCase().replace(/[^a-z0-9]/g, '') + '.exe'));
  return name;
}

function oneAlert(random: Random, tenantId: string, machine: Machine, since: number, until: number): AlertRecord {
  const severity = weighted(random, SEVERITY_BY_VALUE[machine.deviceValue]);
  const kind = random.pick(ALERT_KINDS[severity]);
  const createdMs = random.int(since, until);
  const firstEventMs = createdMs - random.int(MINUTE, 30 * MINUTE);
  const at = timestampFromMillis(firstEventMs);
  const user = random.pick(USER_NAMES);
  const domain = machine.computerDnsName.includes('.') ? (machine.computerDnsName.split('.')[1] ?? 'contoso').toUpperCase() : 'WORKGROUP';
  const alert = createAlert({
    tenantId,
    machineId: machine.id,
    nowMs: createdMs,
    idSuffix: random.uint32() | 0,
    detectorId: detectorIdOf(kind),
    severity,
    category: kind.category,
    title: kind.title,
    description: `${kind.title} on ${machine.computerDnsName}. ${kind.recommendedAction}`,
    detectionSource: kind.detectionSource,
    recommendedAction: kind.recommendedAction,
    firstEventTime: at,
    lastEventTime: timestampFromMillis(firstEventMs + random.int(0, createdMs - firstEventMs)),
    threatFamilyName: kind.threatFamilyName ?? null,
    threatName: kind.threatName ?? null,
    mitreTechniques: kind.mitreTechniques,
    relatedUser: kind.evidence.includes('User') ? { userName: user, domainName: domain } : null,
    evidence: kind.evidence.map((type) => evidenceFor(random, type, kind, machine, user, domain, at)),
    overrides: triageOf(random, severity, createdMs, until),
  });
  // Triage came after creation: the last update is the resolution, or a moment of the work on it.
  if (alert.status === 'New') return alert;
  return { ...alert, lastUpdateTime: alert.resolvedTime ?? timestampFromMillis(random.int(createdMs, Math.max(createdMs, until))) };
}

/** Some alerts are already being worked on or resolved (with a verdict), as in a live queue. */
function triageOf(random: Random, severity: AlertSeverity, createdMs: number, until: number): NonNullable<Parameters<typeof createAlert>[0]['overrides']> {
  const status = weighted(random, TRIAGE);
  const incidentId = random.int(1, 99_999);
  if (status === 'New') return { incidentId };
  const assignedTo = random.pick(ANALYSTS);
  if (status === 'InProgress') return { status, assignedTo, incidentId, investigationState: severity === 'High' ? 'Running' : null };
  const [classification, determination] = weighted(random, VERDICTS);
  const resolvedTime = timestampFromMillis(random.int(createdMs, Math.max(createdMs, until)));
  return { status, assignedTo, classification, determination, resolvedTime, incidentId, investigationState: 'Benign' };
}

function evidenceFor(random: Random, type: EvidenceType, kind: AlertKind, machine: Machine, user: string, domain: string, at: Timestamp): Evidence {
  const file = fileNameOf(kind);
  switch (type) {
    case 'File':
      return evidenceOf('File', at, { sha1: random.hex(40), sha256: random.hex(64), fileName: file, filePath: `C:\\Users\\${user}\\AppData\\Local\\Temp`, detectionStatus: 'Detected' });
    case 'Process':
      return evidenceOf('Process', at, {
        fileName: 'powershell.exe', filePath: 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0', sha1: random.hex(40), sha256: random.hex(64),
        processId: random.int(1000, 30_000), processCommandLine: `powershell.exe -NoP -W Hidden -Enc ${random.hex(24)}`, processCreationTime: at,
        parentProcessId: random.int(500, 9_000), parentProcessCreationTime: at, parentProcessFileName: 'explorer.exe', parentProcessFilePath: 'C:\\Windows',
        accountName: user, domainName: domain,
      });
    case 'User':
      return evidenceOf('User', at, { accountName: user, domainName: domain, userSid: `S-1-5-21-${random.int(1e8, 4e9)}-${random.int(1e8, 4e9)}-${random.int(1000, 9999)}`, userPrincipalName: `${user}@contoso.com`, aadUserId: random.guid() });
    case 'Ip':
      return evidenceOf('Ip', at, { ipAddress: `${random.pick([45, 91, 185, 193])}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}` });
    case 'Url':
      return evidenceOf('Url', at, { url: `http://${random.hex(10)}.example.net/${random.hex(6)}` });
    case 'RegistryValue':
      return evidenceOf('RegistryValue', at, { registryKey: 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run', registryHive: 'HKEY_LOCAL_MACHINE', registryValueType: 'String', registryValue: `C:\\ProgramData\\${file}` });
  }
}
