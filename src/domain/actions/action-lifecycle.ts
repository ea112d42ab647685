import { timestampFromMillis, timestampToMillis, type Timestamp } from '../../shared/timestamp.js';
import type { ActionOutcome, ActionStatus } from './action-types.js';
import type { Cancellation, LiveResponseCommand } from './machine-action.js';

/**
 * An action's status over time, as a pure function of facts fixed at creation and the clock
 * (spec section 3): Pending until the device picks it up, InProgress until it ends, then its
 * outcome; Cancelled from the moment a cancel was accepted. Nothing runs in the background to
 * move an action on, so every instance and every restart reads the same status at the same time.
 */
export interface Timeline {
  readonly createdAt: Timestamp;
  readonly pickedUpAt: Timestamp | null;
  readonly endsAt: Timestamp;
  readonly outcome: ActionOutcome;
  readonly cancellation: Cancellation | null;
}

export interface ActionState {
  readonly status: ActionStatus;
  /** When the status last changed (the creation time while Pending). */
  readonly lastUpdate: Timestamp;
}

export function actionStateAt(a: Timeline, nowMs: number): ActionState {
  if (a.cancellation) return { status: 'Cancelled', lastUpdate: a.cancellation.at };
  if (nowMs >= timestampToMillis(a.endsAt)) return { status: a.outcome, lastUpdate: a.endsAt };
  if (a.pickedUpAt !== null && nowMs >= timestampToMillis(a.pickedUpAt)) return { status: 'InProgress', lastUpdate: a.pickedUpAt };
  return { status: 'Pending', lastUpdate: a.createdAt };
}

/** Pending or InProgress: the action still occupies its family on the device and may be cancelled. */
export const isActiveAt = (a: Timeline, nowMs: number): boolean => {
  const { status } = actionStateAt(a, nowMs);
  return status === 'Pending' || status === 'InProgress';
};

/** How long an action waits for its device, runs, and may wait before timing out. */
export interface Timing {
  readonly pendingMs: number;
  readonly inProgressMs: number;
  readonly timeoutMs: number;
}

/** An outcome a tester asked for through a fault rule (spec section 3, "steered for testing"). */
export type Steer = { readonly outcome: 'Failed'; readonly errorHResult: number } | { readonly outcome: 'TimeOut' } | { readonly outcome: 'Pending' };

export interface TimelinePlan {
  readonly pickedUpAt: Timestamp | null;
  readonly endsAt: Timestamp;
  readonly outcome: ActionOutcome;
  readonly errorHResult: number;
}

/** E_FAIL, the HRESULT of a failure nobody described. */
export const E_FAIL = -2147467259;
/** HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND): a live-response command named a file that is not there. */
export const FILE_NOT_FOUND = -2147024894;

/**
 * Fixes an action's timeline when it is created. A device that is not Active never picks the
 * action up, nor does one told by a fault rule to stay Pending: both time out after the tenant's
 * timeout. A TimeOut rule times out as soon as the pending time is over; a Failed rule fails at
 * the end of the run. Live-response commands share the run time equally, one after another, and
 * one that must fail (the caller marks it, a Failed rule marks the last) ends the action there.
 */
export function planTimeline(createdMs: number, timing: Timing, reachable: boolean, steer: Steer | null, commands: readonly LiveResponseCommand[] = []): TimelinePlan {
  const at = timestampFromMillis;
  if (!reachable || steer?.outcome === 'Pending') return { pickedUpAt: null, endsAt: at(createdMs + timing.timeoutMs), outcome: 'TimeOut', errorHResult: 0 };
  if (steer?.outcome === 'TimeOut') return { pickedUpAt: null, endsAt: at(createdMs + timing.pendingMs), outcome: 'TimeOut', errorHResult: 0 };
  const pickedUpMs = createdMs + timing.pendingMs;
  const endMs = pickedUpMs + timing.inProgressMs;
  const failing = commands.findIndex((c) => c.failure !== null);
  if (failing >= 0) {
    const slot = Math.floor(timing.inProgressMs / commands.length);
    const errorHResult = steer?.outcome === 'Failed' ? steer.errorHResult : FILE_NOT_FOUND;
    return { pickedUpAt: at(pickedUpMs), endsAt: at(pickedUpMs + (failing + 1) * slot), outcome: 'Failed', errorHResult };
  }
  if (steer?.outcome === 'Failed') return { pickedUpAt: at(pickedUpMs), endsAt: at(endMs), outcome: 'Failed', errorHResult: steer.errorHResult };
  return { pickedUpAt: at(pickedUpMs), endsAt: at(endMs), outcome: 'Succeeded', errorHResult: 0 };
}

export type CommandStatus = 'Created' | 'Completed' | 'Failed';

export interface CommandState {
  readonly index: number;
  readonly startTime: Timestamp | null;
  readonly endTime: Timestamp | null;
  readonly status: CommandStatus;
  readonly errors: readonly string[];
}

/**
 * Each live-response command at a moment: it starts in its turn once the device has picked the
 * action up, and completes (or fails) at the end of its slot. A cancel stops the clock for the
 * commands; commands after a failed one never run.
 */
export function commandStatesAt(a: Timeline & { readonly commands: readonly LiveResponseCommand[] }, nowMs: number): CommandState[] {
  const stopMs = a.cancellation ? Math.min(nowMs, timestampToMillis(a.cancellation.at)) : nowMs;
  const pickedMs = a.pickedUpAt === null ? null : timestampToMillis(a.pickedUpAt);
  const failing = a.commands.findIndex((c) => c.failure !== null);
  // The slot planTimeline gave each command, read back from where the run ends.
  const ran = failing >= 0 ? failing + 1 : a.commands.length;
  const slot = pickedMs === null ? 0 : Math.floor((timestampToMillis(a.endsAt) - pickedMs) / Math.max(ran, 1));
  return a.commands.map((command, index) => {
    const idle: CommandState = { index, startTime: null, endTime: null, status: 'Created', errors: [] };
    if (pickedMs === null || (failing >= 0 && index > failing)) return idle;
    const startMs = pickedMs + index * slot;
    const endMs = startMs + slot;
    if (stopMs < startMs) return idle;
    if (stopMs < endMs) return { ...idle, startTime: timestampFromMillis(startMs) };
    const failed = command.failure !== null;
    return { index, startTime: timestampFromMillis(startMs), endTime: timestampFromMillis(endMs), status: failed ? 'Failed' : 'Completed', errors: failed ? [command.failure as string] : [] };
  });
}
