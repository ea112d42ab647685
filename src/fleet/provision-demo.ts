import { DEMO_FLEET_SEED, DEMO_TENANT, DEMO_TENANT_ID } from '../config/demo.js';
import type { TenantAdmin } from '../domain/identity/tenant-admin.js';
import type { Clock } from '../shared/clock.js';
import { seedFleet, type SeedStore } from './seed.js';

/**
 * Makes sure the well-known demo tenant and a fleet exist. The demo document is applied only
 * when the tenant is new, and the fleet only generated when the tenant has no machine, so what
 * users changed (device values, tenant settings) survives restarts.
 */
export async function provisionDemo(
  store: SeedStore,
  admin: TenantAdmin,
  clock: Clock,
  fleetSize: number,
): Promise<{ seeded: number }> {
  if (!(await store.getTenant(DEMO_TENANT_ID))) await admin.apply(DEMO_TENANT);
  if ((await store.countMachines(DEMO_TENANT_ID)) > 0) return { seeded: 0 };
  const { machines: seeded } = await seedFleet(store, DEMO_TENANT_ID, { count: fleetSize, seed: DEMO_FLEET_SEED, nowMs: clock.now() });
  return { seeded };
}
