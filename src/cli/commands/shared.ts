import { InvalidArgumentError } from 'commander';
import { DEFAULT_RETENTION_DAYS } from '../../domain/tenant.js';
import type { TenantStore } from '../../domain/ports.js';
import { isGuid } from '../../shared/ids.js';

export function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('expected a whole number');
  return Number(text);
}

/** Seed and import create the tenant they write to, so a real inventory can be mirrored in one step. */
export async function ensureTenant(tenants: TenantStore, id: string): Promise<string> {
  const tenantId = id.toLowerCase();
  if (!isGuid(tenantId)) throw new InvalidArgumentError(`tenant '${id}' is not a GUID`);
  if (!(await tenants.getTenant(tenantId))) {
    await tenants.putTenant({ id: tenantId, name: `Tenant ${tenantId}`, retentionDays: DEFAULT_RETENTION_DAYS });
  }
  return tenantId;
}
