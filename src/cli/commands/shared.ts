import { InvalidArgumentError } from 'commander';
import { DEFAULT_RETENTION_DAYS } from '../../domain/identity/tenant.js';
import type { TenantStore } from '../../domain/ports.js';
import { isGuid } from '../../shared/ids.js';

export function wholeNumber(text: string): number {
  if (!/^\d+$/.test(text)) throw new InvalidArgumentError('expected a whole number');
  return Number(text);
}

/** `--tenant`: a GUID, checked while the command line is parsed, before anything is opened. */
export function tenantArg(text: string): string {
  if (!isGuid(text)) throw new InvalidArgumentError('expected a tenant id (a GUID)');
  return text.toLowerCase();
}

/** Seed and import create the tenant they write to, so a real inventory can be mirrored in one step. */
export async function ensureTenant(tenants: TenantStore, tenantId: string): Promise<string> {
  if (!(await tenants.getTenant(tenantId))) {
    await tenants.putTenant({ id: tenantId, name: `Tenant ${tenantId}`, retentionDays: DEFAULT_RETENTION_DAYS });
  }
  return tenantId;
}
