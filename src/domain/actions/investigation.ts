import type { Timestamp } from '../../shared/timestamp.js';
import { actionStateAt } from './action-lifecycle.js';
import type { DeviceRequest } from './machine-action.js';

/**
 * An automated investigation started by hand (`POST /machines/{id}/startInvestigation`). It runs
 * on the same timeline as a machine action (spec: "it follows the same timings as actions").
 */
export interface InvestigationRecord extends DeviceRequest {
  /** A number, as the real service's investigation ids (and alerts' investigationId) are. */
  readonly id: string;
  readonly comment: string;
}

export type InvestigationState = 'Running' | 'Benign' | 'Failed' | 'TerminatedBySystem';

/** Running until it ends; a clean run is Benign, a failed one Failed, one that never ran TerminatedBySystem. */
export function investigationStateAt(i: InvestigationRecord, nowMs: number): { state: InvestigationState; endTime: Timestamp | null } {
  const { status } = actionStateAt({ ...i, cancellation: null }, nowMs);
  switch (status) {
    case 'Succeeded':
      return { state: 'Benign', endTime: i.endsAt };
    case 'Failed':
      return { state: 'Failed', endTime: i.endsAt };
    case 'TimeOut':
      return { state: 'TerminatedBySystem', endTime: i.endsAt };
    default:
      return { state: 'Running', endTime: null };
  }
}

/** A ten-digit id: unique enough for any one tenant, and shaped like the real ones. */
export const newInvestigationId = (random: () => number = Math.random): string => String(1_000_000_000 + Math.floor(random() * 8_999_999_999));
