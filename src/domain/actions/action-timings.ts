import type { Timing } from './action-lifecycle.js';
import type { ActionType } from './action-types.js';

/** What action timings apply to: each action type, and automated investigations. */
export type TimedKind = ActionType | 'Investigation';

export const TIMING_PRESETS = ['fast', 'instant', 'realistic'] as const;
export type TimingPreset = (typeof TIMING_PRESETS)[number];

export interface PhaseSeconds {
  readonly pendingSeconds?: number;
  readonly inProgressSeconds?: number;
}

/**
 * A tenant's action timings as written in its tenant document (`actions.timings`), the admin API
 * and the CLI: a preset, optionally with figures that override it for every type or for one.
 */
export interface ActionTimingsSpec extends PhaseSeconds {
  readonly preset?: TimingPreset;
  /** How long an action a device never picks up stays Pending before it is TimeOut. */
  readonly timeoutSeconds?: number;
  readonly types?: Readonly<Partial<Record<TimedKind, PhaseSeconds>>>;
}

/** Three days: the window the real service documents for retrying an isolation. */
export const DEFAULT_TIMEOUT_SECONDS = 3 * 86_400;

const FAST: PhaseSeconds = { pendingSeconds: 2, inProgressSeconds: 3 };

/**
 * Roughly what real devices take (spec section 3): an isolation about a minute, a collection
 * or a live-response session about three, a full scan far longer.
 */
const REALISTIC: Readonly<Record<TimedKind, PhaseSeconds>> = {
  Isolate: { pendingSeconds: 15, inProgressSeconds: 45 },
  Unisolate: { pendingSeconds: 15, inProgressSeconds: 45 },
  RunAntiVirusScan: { pendingSeconds: 20, inProgressSeconds: 280 },
  RestrictCodeExecution: { pendingSeconds: 15, inProgressSeconds: 45 },
  UnrestrictCodeExecution: { pendingSeconds: 15, inProgressSeconds: 45 },
  CollectInvestigationPackage: { pendingSeconds: 20, inProgressSeconds: 160 },
  Offboard: { pendingSeconds: 15, inProgressSeconds: 45 },
  StopAndQuarantineFile: { pendingSeconds: 15, inProgressSeconds: 45 },
  LiveResponse: { pendingSeconds: 30, inProgressSeconds: 150 },
  Investigation: { pendingSeconds: 60, inProgressSeconds: 840 },
};

function presetPhases(preset: TimingPreset, kind: TimedKind): PhaseSeconds {
  switch (preset) {
    case 'instant':
      return { pendingSeconds: 0, inProgressSeconds: 0 };
    case 'fast':
      return FAST;
    case 'realistic':
      return REALISTIC[kind];
  }
}

/**
 * The timing of one kind for a tenant: its own figures for the kind, then its figures for every
 * kind, then its preset (or the server's default preset, `--action-timings`).
 */
export function timingFor(spec: ActionTimingsSpec | undefined, defaultPreset: TimingPreset, kind: TimedKind): Timing {
  const preset = presetPhases(spec?.preset ?? defaultPreset, kind);
  const own = spec?.types?.[kind];
  const seconds = (key: keyof PhaseSeconds): number => own?.[key] ?? spec?.[key] ?? preset[key] ?? 0;
  return {
    pendingMs: seconds('pendingSeconds') * 1000,
    inProgressMs: seconds('inProgressSeconds') * 1000,
    timeoutMs: (spec?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000,
  };
}
