import type { Timestamp } from '../../shared/timestamp.js';
import type { ActionOutcome, ActionType, LiveResponseCommandType, RequestSource } from './action-types.js';

/** One parameter of a live-response command, keys lower-case as on the wire. */
export interface CommandParam {
  readonly key: string;
  readonly value: string;
}

/** A live-response command as requested, with what Rampart decided it will do. */
export interface LiveResponseCommand {
  readonly type: LiveResponseCommandType;
  readonly params: readonly CommandParam[];
  /** Why the command fails (a PutFile of a file not in the library); null when it completes. */
  readonly failure: string | null;
}

export interface Cancellation {
  readonly requestor: string;
  readonly comment: string;
  readonly at: Timestamp;
}

/** What every request to a device records, machine action or investigation: where, who, and its timeline. */
export interface DeviceRequest {
  readonly tenantId: string;
  readonly machineId: string;
  /** The device's name when it was requested. */
  readonly computerDnsName: string;
  readonly requestor: string;
  /** Who asked, for the audit trail: the application, and the user of a delegated call. */
  readonly appId: string;
  readonly userId: string | null;
  readonly requestId: string | null;
  readonly createdAt: Timestamp;
  /** When the device picks it up (Pending -> InProgress); null: never (the device is not reachable). */
  readonly pickedUpAt: Timestamp | null;
  /** When it leaves Pending/InProgress for `outcome`, unless cancelled before. */
  readonly endsAt: Timestamp;
  readonly outcome: ActionOutcome;
}

/**
 * A machine action as stored: the facts fixed when it was created (its timeline included) and a
 * cancellation if one came. Its status at any moment is a function of these facts and the clock
 * (action-lifecycle.ts), so every instance, and every restart, reads the same status.
 */
export interface MachineActionRecord extends DeviceRequest {
  readonly id: string;
  readonly type: ActionType;
  /** Isolation type for Isolate, scan type for RunAntiVirusScan, else null. */
  readonly scope: string | null;
  readonly requestorComment: string;
  readonly requestSource: RequestSource;
  /** 0, or the negative HRESULT a failed action reports. */
  readonly errorHResult: number;
  /** The SHA-1 of the file of a StopAndQuarantineFile action. */
  readonly fileSha1: string | null;
  readonly commands: readonly LiveResponseCommand[];
  readonly cancellation: Cancellation | null;
  /**
   * A succeeded isolation, restriction or offboarding whose effect on the device is still to be
   * applied (false for every other action, and once applied or cancelled).
   */
  readonly effectPending: boolean;
}
