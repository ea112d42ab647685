import { timestampFromMillis, type Timestamp } from '../../shared/timestamp.js';
import type { AlertCategory, AlertRecord, AlertSeverity, Evidence, EvidenceType, RelatedUser } from './alert.js';

/** .NET ticks (100 ns since 0001-01-01) at the Unix epoch: the real ids carry ticks. */
const EPOCH_TICKS = 621_355_968_000_000_000n;

/**
 * An id in the real service's form, `da<ticks>_<int32>` (`da637472900382838869_1364969609`): the
 * ticks of the creation moment and a signed 32-bit number, which can be negative.
 */
export function alertIdFor(createdMs: number, int32: number): string {
  const ticks = EPOCH_TICKS + BigInt(Math.trunc(createdMs)) * 10_000n;
  return `da${ticks}_${int32 | 0}`;
}

const ALERT_ID = /^da(\d{18,19})_-?\d{1,10}$/;

/** The creation moment (ms) an id of alertIdFor's form carries; undefined for anything else. */
export function alertIdMillis(id: string): number | undefined {
  const ticks = ALERT_ID.exec(id)?.[1];
  return ticks === undefined ? undefined : Number((BigInt(ticks) - EPOCH_TICKS) / 10_000n);
}

/** What is needed to raise an alert on a device; the rest starts empty, as a new alert does. */
export interface NewAlert {
  readonly tenantId: string;
  readonly machineId: string;
  readonly nowMs: number;
  /** A signed 32-bit number for the id's second part (random in the services). */
  readonly idSuffix: number;
  readonly detectorId: string;
  readonly severity: AlertSeverity;
  readonly category: AlertCategory;
  readonly title: string;
  readonly description: string;
  readonly detectionSource: string;
  readonly recommendedAction?: string | null;
  readonly firstEventTime?: Timestamp;
  readonly lastEventTime?: Timestamp;
  readonly threatFamilyName?: string | null;
  readonly threatName?: string | null;
  readonly mitreTechniques?: readonly string[];
  readonly relatedUser?: RelatedUser | null;
  readonly evidence?: readonly Evidence[];
  /** Generated fleets backdate alerts and give some a triage already. */
  readonly overrides?: Partial<Pick<AlertRecord, 'status' | 'assignedTo' | 'classification' | 'determination' | 'resolvedTime' | 'incidentId' | 'investigationId' | 'investigationState'>>;
}

/**
 * A new alert as the service raises it: status New, nothing assigned or classified, created,
 * and last updated, now. Pure, so the CreateAlertByReference route, tests and a fleet generator
 * raise alerts the same way.
 */
export function createAlert(input: NewAlert): AlertRecord {
  const now = timestampFromMillis(input.nowMs);
  return {
    tenantId: input.tenantId,
    id: alertIdFor(input.nowMs, input.idSuffix),
    incidentId: null,
    investigationId: null,
    assignedTo: null,
    severity: input.severity,
    status: 'New',
    classification: null,
    determination: null,
    investigationState: null,
    detectionSource: input.detectionSource,
    detectorId: input.detectorId,
    category: input.category,
    threatFamilyName: input.threatFamilyName ?? null,
    title: input.title,
    description: input.description,
    recommendedAction: input.recommendedAction ?? null,
    alertCreationTime: now,
    firstEventTime: input.firstEventTime ?? now,
    lastEventTime: input.lastEventTime ?? input.firstEventTime ?? now,
    lastUpdateTime: now,
    resolvedTime: null,
    machineId: input.machineId,
    threatName: input.threatName ?? null,
    mitreTechniques: input.mitreTechniques ?? [],
    relatedUser: input.relatedUser ?? null,
    comments: [],
    evidence: input.evidence ?? [],
    ...input.overrides,
  };
}

const EMPTY_EVIDENCE: Omit<Evidence, 'entityType' | 'evidenceCreationTime'> = {
  sha1: null, sha256: null, fileName: null, filePath: null, processId: null, processCommandLine: null, processCreationTime: null,
  parentProcessId: null, parentProcessCreationTime: null, parentProcessFileName: null, parentProcessFilePath: null, ipAddress: null,
  url: null, registryKey: null, registryHive: null, registryValueType: null, registryValue: null, accountName: null, domainName: null,
  userSid: null, aadUserId: null, userPrincipalName: null, detectionStatus: null,
};

/** An evidence element of one kind: the given fields, every other one null (spec section 3). */
export function evidenceOf(entityType: EvidenceType, at: Timestamp, fields: Partial<Omit<Evidence, 'entityType' | 'evidenceCreationTime'>> = {}): Evidence {
  return { entityType, evidenceCreationTime: at, ...EMPTY_EVIDENCE, ...fields };
}
