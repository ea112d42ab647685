export const DEFAULT_RETENTION_DAYS = 180;
const DAY_MS = 86_400_000;

export interface Tenant {
  readonly id: string;
  readonly name: string;
  readonly retentionDays: number;
}

/**
 * Machines whose lastSeen is older than the tenant's retention period are invisible to every
 * machine route (spec section 7). Returns the oldest lastSeen still visible, in epoch ms.
 */
export const retentionCutoff = (tenant: Tenant, nowMs: number): number => nowMs - tenant.retentionDays * DAY_MS;
