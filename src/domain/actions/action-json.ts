import { wireTimestamp, type Timestamp } from '../../shared/timestamp.js';
import type { ActionView } from './action-view.js';
import type { InvestigationRecord, InvestigationState } from './investigation.js';

/*
 * The wire JSON of machine actions and investigations. It lives in the domain, as machine-json.ts
 * does, because the CLI prints the same objects and may not import the API's internals (ADR 1).
 */

const ts = (t: Timestamp | null): string | null => (t === null ? null : wireTimestamp(t));

/** A MachineAction as the real service writes it (spec section 2); the schema fixes the key order. */
export function actionToJson(view: ActionView): Record<string, unknown> {
  const { action, state } = view;
  return {
    id: action.id,
    type: action.type,
    title: null,
    requestor: action.requestor,
    requestorComment: action.requestorComment,
    status: state.status,
    machineId: action.machineId,
    computerDnsName: action.computerDnsName,
    creationDateTimeUtc: wireTimestamp(action.createdAt),
    lastUpdateDateTimeUtc: wireTimestamp(state.lastUpdate),
    cancellationRequestor: action.cancellation?.requestor ?? null,
    cancellationComment: action.cancellation?.comment ?? null,
    cancellationDateTimeUtc: ts(action.cancellation?.at ?? null),
    errorHResult: state.status === 'Failed' ? action.errorHResult : 0,
    scope: action.scope,
    externalId: null,
    requestSource: action.requestSource,
    relatedFileInfo: action.fileSha1 === null ? null : { fileIdentifier: action.fileSha1, fileIdentifierType: 'Sha1' },
    commands: view.commands.map((c, i) => ({
      index: c.index,
      startTime: ts(c.startTime),
      endTime: ts(c.endTime),
      commandStatus: c.status,
      errors: c.errors,
      command: { type: action.commands[i]?.type, params: action.commands[i]?.params ?? [] },
    })),
    troubleshootInfo: null,
  };
}

export function investigationToJson(i: InvestigationRecord, state: { state: InvestigationState; endTime: Timestamp | null }): Record<string, unknown> {
  return {
    id: i.id,
    startTime: wireTimestamp(i.createdAt),
    endTime: ts(state.endTime),
    cancelledBy: null,
    investigationState: state.state,
    statusDetails: null,
    machineId: i.machineId,
    computerDnsName: i.computerDnsName,
    triggeringAlertId: null,
  };
}
