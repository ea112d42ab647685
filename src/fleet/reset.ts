import type { DirectoryStore, MachineStore, TenantStore } from '../domain/ports.js';
import { seedFleet } from './seed.js';

/**
 * Puts a tenant's machines back to how they were generated: every machine, tag, address and
 * value-history entry goes, and the recorded seed generates the same fleet again. A tenant whose
 * machines were imported rather than generated is left empty (import the file again).
 */
export async function resetMachines(store: MachineStore & DirectoryStore & TenantStore, tenantId: string): Promise<number> {
  const tenant = await store.getTenant(tenantId);
  await store.deleteMachines(tenantId);
  if (!tenant?.seed) return 0;
  const { seed, count, nowMs, staleFraction } = tenant.seed;
  return seedFleet(store, tenantId, { seed, count, nowMs, ...(staleFraction !== undefined ? { staleFraction } : {}) });
}
