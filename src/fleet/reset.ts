import { seedFleet, type SeedStore } from './seed.js';

/**
 * Puts a tenant's machines back to how they were generated: every machine, tag, address,
 * value-history entry and alert goes, and the recorded seed generates the same fleet again. A tenant whose
 * machines were imported rather than generated is left empty (import the file again).
 */
export async function resetMachines(store: SeedStore, tenantId: string): Promise<number> {
  const tenant = await store.getTenant(tenantId);
  await store.deleteMachines(tenantId);
  if (!tenant?.seed) return 0;
  return (await seedFleet(store, tenantId, tenant.seed)).machines;
}
