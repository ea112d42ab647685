import type { ActionOutcome, ActionType, RequestSource } from '../../domain/actions/action-types.js';
import type { InvestigationRecord } from '../../domain/actions/investigation.js';
import type { LiveResponseCommand, MachineActionRecord } from '../../domain/actions/machine-action.js';
import type { Timestamp } from '../../shared/timestamp.js';
import type { InvestigationRow, MachineActionRow } from '../schema.js';

/** Row mappers of machine actions and investigations. Pure mapping. */
export const actionToRow = (a: MachineActionRecord): MachineActionRow => ({
  tenant_id: a.tenantId,
  id: a.id,
  type: a.type,
  machine_id: a.machineId,
  computer_dns_name: a.computerDnsName,
  scope: a.scope,
  requestor: a.requestor,
  requestor_comment: a.requestorComment,
  request_source: a.requestSource,
  app_id: a.appId,
  user_id: a.userId,
  request_id: a.requestId,
  created_at: a.createdAt,
  picked_up_at: a.pickedUpAt,
  ends_at: a.endsAt,
  outcome: a.outcome,
  error_hresult: a.errorHResult,
  file_sha1: a.fileSha1,
  commands: JSON.stringify(a.commands),
  cancellation_requestor: a.cancellation?.requestor ?? null,
  cancellation_comment: a.cancellation?.comment ?? null,
  cancelled_at: a.cancellation?.at ?? null,
  effect_pending: a.effectPending ? 1 : 0,
});

export const rowToAction = (r: MachineActionRow): MachineActionRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  type: r.type as ActionType,
  machineId: r.machine_id,
  computerDnsName: r.computer_dns_name,
  scope: r.scope,
  requestor: r.requestor,
  requestorComment: r.requestor_comment,
  requestSource: r.request_source as RequestSource,
  appId: r.app_id,
  userId: r.user_id,
  requestId: r.request_id,
  createdAt: r.created_at as Timestamp,
  pickedUpAt: r.picked_up_at as Timestamp | null,
  endsAt: r.ends_at as Timestamp,
  outcome: r.outcome as ActionOutcome,
  errorHResult: Number(r.error_hresult),
  fileSha1: r.file_sha1,
  commands: JSON.parse(r.commands) as LiveResponseCommand[],
  cancellation:
    r.cancelled_at === null ? null : { requestor: r.cancellation_requestor ?? '', comment: r.cancellation_comment ?? '', at: r.cancelled_at as Timestamp },
  effectPending: Number(r.effect_pending) === 1,
});

export const investigationToRow = (i: InvestigationRecord): InvestigationRow => ({
  tenant_id: i.tenantId,
  id: i.id,
  machine_id: i.machineId,
  computer_dns_name: i.computerDnsName,
  comment: i.comment,
  requestor: i.requestor,
  app_id: i.appId,
  user_id: i.userId,
  request_id: i.requestId,
  created_at: i.createdAt,
  picked_up_at: i.pickedUpAt,
  ends_at: i.endsAt,
  outcome: i.outcome,
});

export const rowToInvestigation = (r: InvestigationRow): InvestigationRecord => ({
  id: r.id,
  tenantId: r.tenant_id,
  machineId: r.machine_id,
  computerDnsName: r.computer_dns_name,
  comment: r.comment,
  requestor: r.requestor,
  appId: r.app_id,
  userId: r.user_id,
  requestId: r.request_id,
  createdAt: r.created_at as Timestamp,
  pickedUpAt: r.picked_up_at as Timestamp | null,
  endsAt: r.ends_at as Timestamp,
  outcome: r.outcome as ActionOutcome,
});
