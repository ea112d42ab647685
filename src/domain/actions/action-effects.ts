import type { Timestamp } from '../../shared/timestamp.js';
import type { ActionType } from './action-types.js';

/**
 * What a succeeded action changes on its device (spec section 3, "Effects"): isolation and
 * restriction state (Rampart's own view: the Machine entity has no such field), and offboarding,
 * which makes the device stop reporting. Scans, collections, quarantine and live response change
 * nothing visible.
 */
export type DeviceEffect =
  | { readonly kind: 'isolation'; readonly state: 'Isolated' | 'NotIsolated'; readonly detail: string | null }
  | { readonly kind: 'restriction'; readonly state: 'Restricted' | 'NotRestricted'; readonly detail: null }
  | { readonly kind: 'offboard' };

export function effectOf(type: ActionType, scope: string | null): DeviceEffect | null {
  switch (type) {
    case 'Isolate':
      return { kind: 'isolation', state: 'Isolated', detail: scope };
    case 'Unisolate':
      return { kind: 'isolation', state: 'NotIsolated', detail: null };
    case 'RestrictCodeExecution':
      return { kind: 'restriction', state: 'Restricted', detail: null };
    case 'UnrestrictCodeExecution':
      return { kind: 'restriction', state: 'NotRestricted', detail: null };
    case 'Offboard':
      return { kind: 'offboard' };
    default:
      return null;
  }
}

/** A device's isolation or restriction state, as the last succeeded action of the family left it. */
export interface ResponseState {
  readonly family: 'isolation' | 'restriction';
  readonly state: string;
  /** The isolation type of an isolation. */
  readonly detail: string | null;
  readonly since: Timestamp;
  readonly actionId: string;
}

/** Isolation and restriction of a device; a device no action reached is neither. */
export interface DeviceResponse {
  readonly isolation: ResponseState | null;
  readonly restriction: ResponseState | null;
}
