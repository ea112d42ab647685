import type { ActionView } from '../../domain/actions/action-view.js';
import type { InvestigationRecord, InvestigationState } from '../../domain/actions/investigation.js';
import { wireTimestamp, type Timestamp } from '../../shared/timestamp.js';

const ts = (t: Timestamp | null): string | null => (t === null ? null : wireTimestamp(t));

export const actionsContext = (base: string): string => `${base}/api/$metadata#MachineActions`;
export const investigationsContext = (base: string): string => `${base}/api/$metadata#Investigations`;

/** A MachineAction as the real service writes it (spec section 2); the schema fixes the key order. */
export function actionToWire(view: ActionView): Record<string, unknown> {
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

export const actionEntity = (base: string, view: ActionView): Record<string, unknown> => ({ '@odata.context': `${actionsContext(base)}/$entity`, ...actionToWire(view) });

export function investigationToWire(i: InvestigationRecord, state: { state: InvestigationState; endTime: Timestamp | null }): Record<string, unknown> {
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
