import type { LimitOverride } from '../traffic/limits.js';
import type { TenantActionSettings } from '../actions/action-settings.js';

export const DEFAULT_RETENTION_DAYS = 180;
const DAY_MS = 86_400_000;

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly retentionDays: number;
  /** Rate limits the tenant sets for all its applications (issue 4); absent: the global ones. */
  readonly limits?: LimitOverride;
  /** Action timings and the live-response library (issue 11); absent: the server's defaults. */
  readonly actions?: TenantActionSettings;
  /** How the tenant's fleet was generated, so a reset can generate it again. */
  readonly seed?: FleetSeed;
}

/** The parameters of a generated fleet: the same ones give the same machines. */
export interface FleetSeed {
  readonly count: number;
  readonly seed: number;
  readonly nowMs: number;
  readonly staleFraction?: number;
  /** Absent: the generator's default. */
  readonly alertsPerMachine?: number;
}

/**
 * Machines whose lastSeen is older than the tenant's retention period are invisible to every
 * machine route (spec section 7). Returns the oldest lastSeen still visible, in epoch ms.
 */
export const retentionCutoff = (tenant: Tenant, nowMs: number): number => nowMs - tenant.retentionDays * DAY_MS;
