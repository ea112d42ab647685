import type { ActionOutcome, ActionType, RequestSource } from '../../domain/actions/action-types.js';
import type { InvestigationRecord } from '../../domain/actions/investigation.js';
import type { DeviceRequest, LiveResponseCommand, MachineActionRecord } from '../../domain/actions/machine-action.js';
import type { Timestamp } from '../../shared/timestamp.js';
import type { DeviceRequestColumns, InvestigationRow, MachineActionRow } from '../schema.js';

/** Row mappers of machine actions and investigations. Pure mapping. */
const requestToColumns = (r: DeviceRequest & { readonly id: string }): DeviceRequestColumns => ({
  tenant_id: r.tenantId,
  id: r.id,
  machine_id: r.machineId,
  computer_dns_name: r.computerDnsName,
  requestor: r.requestor,
  app_id: r.appId,
  user_id: r.userId,
  request_id: r.requestId,
  created_at: r.createdAt,
  picked_up_at: r.pickedUpAt,
  ends_at: r.endsAt,
  outcome: r.outcome,
});

const columnsToRequest = (r: DeviceRequestColumns): DeviceRequest & { readonly id: string } => ({
  id: r.id,
  tenantId: r.tenant_id,
  machineId: r.machine_id,
  computerDnsName: r.computer_dns_name,
  requestor: r.requestor,
  appId: r.app_id,
  userId: r.user_id,
  requestId: r.request_id,
  createdAt: r.created_at as Timestamp,
  pickedUpAt: r.picked_up_at as Timestamp | null,
  endsAt: r.ends_at as Timestamp,
  outcome: r.outcome as ActionOutcome,
});

export const actionToRow = (a: MachineActionRecord): MachineActionRow => ({
  ...requestToColumns(a),
  type: a.type,
  scope: a.scope,
  requestor_comment: a.requestorComment,
  request_source: a.requestSource,
  error_hresult: a.errorHResult,
  file_sha1: a.fileSha1,
  commands: JSON.stringify(a.commands),
  cancellation_requestor: a.cancellation?.requestor ?? null,
  cancellation_comment: a.cancellation?.comment ?? null,
  cancelled_at: a.cancellation?.at ?? null,
  effect_pending: a.effectPending ? 1 : 0,
});

export const rowToAction = (r: MachineActionRow): MachineActionRecord => ({
  ...columnsToRequest(r),
  type: r.type as ActionType,
  scope: r.scope,
  requestorComment: r.requestor_comment,
  requestSource: r.request_source as RequestSource,
  errorHResult: Number(r.error_hresult),
  fileSha1: r.file_sha1,
  commands: JSON.parse(r.commands) as LiveResponseCommand[],
  cancellation:
    r.cancelled_at === null ? null : { requestor: r.cancellation_requestor ?? '', comment: r.cancellation_comment ?? '', at: r.cancelled_at as Timestamp },
  effectPending: Number(r.effect_pending) === 1,
});

export const investigationToRow = (i: InvestigationRecord): InvestigationRow => ({ ...requestToColumns(i), comment: i.comment });

export const rowToInvestigation = (r: InvestigationRow): InvestigationRecord => ({ ...columnsToRequest(r), comment: r.comment });
