import type {
  AlertClassification, AlertComment, AlertDetermination, AlertRecord, AlertSeverity, AlertStatus, Evidence, InvestigationState, RelatedUser,
} from '../../domain/alerts/alert.js';
import type { Timestamp } from '../../shared/timestamp.js';
import type { AlertRow } from '../schema.js';

/** Row mappers of alerts. Pure mapping; big integers arrive from PostgreSQL as strings. */
export const alertToRow = (a: AlertRecord): AlertRow => ({
  tenant_id: a.tenantId,
  id: a.id,
  machine_id: a.machineId,
  incident_id: a.incidentId,
  investigation_id: a.investigationId,
  assigned_to: a.assignedTo,
  assigned_to_lc: a.assignedTo?.toLowerCase() ?? null,
  severity: a.severity,
  status: a.status,
  classification: a.classification,
  determination: a.determination,
  investigation_state: a.investigationState,
  detection_source: a.detectionSource,
  detector_id: a.detectorId,
  category: a.category,
  threat_family_name: a.threatFamilyName,
  title: a.title,
  description: a.description,
  recommended_action: a.recommendedAction,
  created_at: a.alertCreationTime,
  first_event_at: a.firstEventTime,
  last_event_at: a.lastEventTime,
  last_update_at: a.lastUpdateTime,
  resolved_at: a.resolvedTime,
  threat_name: a.threatName,
  mitre_techniques: JSON.stringify(a.mitreTechniques),
  related_user: a.relatedUser === null ? null : JSON.stringify(a.relatedUser),
  comments: JSON.stringify(a.comments),
  evidence: JSON.stringify(a.evidence),
});

const long = (v: number | string | null): number | null => (v === null ? null : Number(v));

/** A row without its evidence column (a listing without `$expand`) has no evidence. */
export const rowToAlert = (r: Omit<AlertRow, 'evidence'> & { evidence?: string }): AlertRecord => ({
  tenantId: r.tenant_id,
  id: r.id,
  incidentId: long(r.incident_id),
  investigationId: long(r.investigation_id),
  assignedTo: r.assigned_to,
  severity: r.severity as AlertSeverity,
  status: r.status as AlertStatus,
  classification: r.classification as AlertClassification | null,
  determination: r.determination as AlertDetermination | null,
  investigationState: r.investigation_state as InvestigationState | null,
  detectionSource: r.detection_source,
  detectorId: r.detector_id,
  category: r.category,
  threatFamilyName: r.threat_family_name,
  title: r.title,
  description: r.description,
  recommendedAction: r.recommended_action,
  alertCreationTime: r.created_at as Timestamp,
  firstEventTime: r.first_event_at as Timestamp | null,
  lastEventTime: r.last_event_at as Timestamp | null,
  lastUpdateTime: r.last_update_at as Timestamp | null,
  resolvedTime: r.resolved_at as Timestamp | null,
  machineId: r.machine_id,
  threatName: r.threat_name,
  mitreTechniques: JSON.parse(r.mitre_techniques) as string[],
  relatedUser: r.related_user === null ? null : (JSON.parse(r.related_user) as RelatedUser),
  comments: JSON.parse(r.comments) as AlertComment[],
  evidence: r.evidence === undefined ? [] : (JSON.parse(r.evidence) as Evidence[]),
});
