import { InvalidArgumentError } from 'commander';
import type { Core } from '../../core.js';
import { DEMO_TENANT, DEMO_TENANT_ID } from '../../config/demo.js';
import { DEFAULT_RETENTION_DAYS } from '../../domain/identity/tenant.js';
import { isGuid } from '../../shared/ids.js';

export function wholeNumber(text: string): number {
  if (!/^\d{1,15}$/.test(text.trim())) throw new InvalidArgumentError('expected a whole number');
  return Number(text);
}

/** A whole number within bounds, for flags where 0 or a billion is a mistake. */
export const countBetween = (min: number, max: number) => (text: string): number => {
  const n = wholeNumber(text);
  if (n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}`);
  return n;
};

/** A share: a number from 0 to 1. */
export function fraction(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('expected a number from 0 to 1');
  return n;
}

/** `--tenant`: a GUID, checked while the command line is parsed, before anything is opened. */
export function tenantArg(text: string): string {
  if (!isGuid(text)) throw new InvalidArgumentError('expected a tenant id (a GUID)');
  return text.toLowerCase();
}

/**
 * Seed and import create the tenant they write to, so a real inventory can be mirrored in one
 * step. The demo tenant is created whole (applications, users, roles, device groups), as `serve`
 * would: otherwise the credentials the banner prints would be refused by the token endpoint.
 */
export async function ensureTenant(core: Core, tenantId: string): Promise<string> {
  if (await core.store.getTenant(tenantId)) return tenantId;
  if (tenantId === DEMO_TENANT_ID && core.config.demo) await core.tenants.apply(DEMO_TENANT);
  else await core.store.putTenant({ id: tenantId, name: `Tenant ${tenantId}`, retentionDays: DEFAULT_RETENTION_DAYS });
  return tenantId;
}
