import type { OperationId } from '../api/operations.js';
import { paramValue } from '../domain/actions/action-commands.js';
import type { DeviceResponse } from '../domain/actions/action-effects.js';
import { supportsAction } from '../domain/actions/action-platforms.js';
import type { LibraryFile } from '../domain/actions/action-settings.js';
import type { ActionStatus, ActionType } from '../domain/actions/action-types.js';
import { isActiveView, type ActionView } from '../domain/actions/action-view.js';
import type { Cancellation } from '../domain/actions/machine-action.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import type { Machine } from '../domain/machines/machine.js';
import type { Timestamp } from '../shared/timestamp.js';
import { CONSOLE_ACTIONS, type ConsoleAction } from './console-actions.js';
import type { ConsoleDeps } from './console-deps.js';
import { allows, requireOperation } from './console-principal.js';

/** The device page lists this many of the device's actions, newest first: the page stays small. */
export const ACTIONS_SHOWN = 20;

/** One action as the device page's table shows it. */
export interface ActionRow {
  readonly id: string;
  readonly type: ActionType;
  readonly scope: string | null;
  readonly status: ActionStatus;
  readonly requestor: string;
  /** Requested from this console (requestSource Portal) rather than through the API. */
  readonly fromConsole: boolean;
  readonly createdAt: Timestamp;
  readonly lastUpdate: Timestamp;
  readonly comment: string;
  readonly cancellation: Cancellation | null;
  /** Only for a Failed action, as the wire has it. */
  readonly errorHResult: number | null;
  readonly sha1: string | null;
  readonly commands: readonly { type: string; target: string; status: string; errors: readonly string[] }[];
  readonly canCancel: boolean;
}

/** Isolation or restriction as the device page says it. */
export interface StateLine {
  readonly on: boolean;
  readonly label: string;
  readonly since: Timestamp | null;
}

export interface ActionPanel {
  readonly machineId: string;
  readonly rows: readonly ActionRow[];
  readonly isolation: StateLine;
  readonly restriction: StateLine;
  /** Actions the user may run on this device, and those the user may run but its platform cannot. */
  readonly offered: readonly ConsoleAction[];
  readonly unsupported: readonly ConsoleAction[];
}

const operationOf = (type: ActionType): OperationId | undefined => CONSOLE_ACTIONS.find((a) => a.type === type)?.operation;

/**
 * The operations the user's role lets them run, asked the way the API asks (the token's scopes,
 * then the role); device groups were settled when the device was found.
 */
async function permitted(deps: ConsoleDeps, principal: DelegatedPrincipal): Promise<ReadonlySet<OperationId>> {
  const operations = [...new Set(CONSOLE_ACTIONS.map((a) => a.operation))];
  const answers = await Promise.all(operations.map((id) => allows(deps.policy, principal, id)));
  return new Set(operations.filter((_, i) => answers[i]));
}

function row(view: ActionView, mayRun: ReadonlySet<OperationId>): ActionRow {
  const { action, state } = view;
  const operation = operationOf(action.type);
  return {
    id: action.id,
    type: action.type,
    scope: action.scope,
    status: state.status,
    requestor: action.requestor,
    fromConsole: action.requestSource === 'Portal',
    createdAt: action.createdAt,
    lastUpdate: state.lastUpdate,
    comment: action.requestorComment,
    cancellation: action.cancellation,
    errorHResult: state.status === 'Failed' ? action.errorHResult : null,
    sha1: action.fileSha1,
    commands: view.commands.map((c, i) => {
      const command = action.commands[i];
      const target = command ? (paramValue(command.params, command.type === 'GetFile' ? 'Path' : command.type === 'PutFile' ? 'FileName' : 'ScriptName') ?? '') : '';
      return { type: command?.type ?? '', target, status: c.status, errors: c.errors };
    }),
    canCancel: isActiveView(view) && operation !== undefined && mayRun.has(operation),
  };
}

function states(response: DeviceResponse): Pick<ActionPanel, 'isolation' | 'restriction'> {
  const { isolation, restriction } = response;
  return {
    isolation: isolation?.state === 'Isolated'
      ? { on: true, label: `Isolated (${isolation.detail ?? 'Full'})`, since: isolation.since }
      : { on: false, label: 'Not isolated', since: isolation?.since ?? null },
    restriction: restriction?.state === 'Restricted'
      ? { on: true, label: 'App execution restricted', since: restriction.since }
      : { on: false, label: 'Not restricted', since: restriction?.since ?? null },
  };
}

/**
 * The device page's "Response actions": the device's latest actions with their status now, its
 * isolation and restriction, and the actions the user may run on it. The device was found for
 * the user first, so its device group is one they see.
 */
export async function actionPanel(deps: ConsoleDeps, principal: DelegatedPrincipal, machine: Machine): Promise<ActionPanel> {
  await requireOperation(deps.policy, principal, 'ListMachineActions');
  const query = { filter: null, orderBy: [], top: ACTIONS_SHOWN, skip: 0, count: false };
  const [mayRun, library] = await Promise.all([permitted(deps, principal), liveResponseLibrary(deps, principal.tenantId)]);
  // The list first: what it reads as Succeeded is settled, so the state read next shows its effect.
  const list = await deps.actions.list(principal, query, ACTIONS_SHOWN, machine.id);
  const response = await deps.actions.deviceResponse(principal.tenantId, machine);
  // A script can only be chosen from the library: without one there is nothing to offer.
  const allowed = CONSOLE_ACTIONS.filter((a) => mayRun.has(a.operation) && (a.key !== 'run-script' || library.length > 0));
  return {
    machineId: machine.id,
    rows: list.actions.map((view) => row(view, mayRun)),
    ...states(response),
    offered: allowed.filter((a) => supportsAction(machine.osPlatform, a.type)),
    unsupported: allowed.filter((a) => !supportsAction(machine.osPlatform, a.type)),
  };
}

/** The tenant's live-response library: what a script can be chosen from. */
export async function liveResponseLibrary(deps: ConsoleDeps, tenantId: string): Promise<readonly LibraryFile[]> {
  return (await deps.policy.tenant(tenantId))?.actions?.library ?? [];
}
