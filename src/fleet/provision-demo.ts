import { hashSecret } from '../auth/secrets.js';
import { DEMO_APP, DEMO_FLEET_SEED, DEMO_READONLY_APP, DEMO_TENANT_ID, DEMO_TENANT_NAME } from '../config/demo.js';
import type { ApplicationStore, MachineStore, TenantStore } from '../domain/ports.js';
import { DEFAULT_RETENTION_DAYS } from '../domain/tenant.js';
import type { Clock } from '../shared/clock.js';
import { seedFleet } from './seed.js';

/**
 * Makes sure the well-known demo tenant, its applications and a fleet exist. Idempotent: what is
 * already there (including device values users changed) is left alone.
 */
export async function provisionDemo(
  store: TenantStore & ApplicationStore & MachineStore,
  clock: Clock,
  fleetSize: number,
): Promise<{ seeded: number }> {
  if (!(await store.getTenant(DEMO_TENANT_ID))) {
    await store.putTenant({ id: DEMO_TENANT_ID, name: DEMO_TENANT_NAME, retentionDays: DEFAULT_RETENTION_DAYS });
  }
  for (const app of [DEMO_APP, DEMO_READONLY_APP]) {
    if (await store.getApplication(DEMO_TENANT_ID, app.clientId)) continue;
    await store.putApplication({
      tenantId: DEMO_TENANT_ID,
      clientId: app.clientId,
      name: app.name,
      secretHash: hashSecret(app.clientSecret),
      roles: app.roles,
    });
  }
  if ((await store.countMachines(DEMO_TENANT_ID)) > 0) return { seeded: 0 };
  const seeded = await seedFleet(store, DEMO_TENANT_ID, { count: fleetSize, seed: DEMO_FLEET_SEED, nowMs: clock.now() });
  return { seeded };
}
