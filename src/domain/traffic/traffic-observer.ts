import type { FaultAction } from './faults.js';

/** How a rate-limit check ended: within budget, over it (429), or the shared limiter could not answer (503). */
export type LimitDecision = 'admitted' | 'limited' | 'unavailable';

/**
 * Told of every rate-limit and fault decision, for /metrics. A port: the domain names what
 * happened, the metrics room counts it.
 */
export interface TrafficObserver {
  limit(operation: string, decision: LimitDecision): void;
  fault(operation: string, kind: FaultAction['kind']): void;
}

export const NO_TRAFFIC_OBSERVER: TrafficObserver = { limit() {}, fault() {} };
