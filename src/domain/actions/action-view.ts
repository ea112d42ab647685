import { actionStateAt, commandStatesAt, type ActionState, type CommandState } from './action-lifecycle.js';
import type { MachineActionRecord } from './machine-action.js';

/** An action as a client sees it at one moment: its facts, its status then, and its commands' states. */
export interface ActionView {
  readonly action: MachineActionRecord;
  readonly state: ActionState;
  readonly commands: readonly CommandState[];
}

export const viewAt = (action: MachineActionRecord, nowMs: number): ActionView => ({
  action,
  state: actionStateAt(action, nowMs),
  commands: action.type === 'LiveResponse' ? commandStatesAt(action, nowMs) : [],
});

/** Pending or InProgress at the moment of the view: the action may still be cancelled. */
export const isActiveView = (view: ActionView): boolean => view.state.status === 'Pending' || view.state.status === 'InProgress';
