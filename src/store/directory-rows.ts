import type { DeviceGroup, DeviceGroupRules, Role, User } from '../domain/identity/directory.js';
import type { RolePermission } from '../domain/identity/permissions.js';
import type { Application } from '../domain/ports.js';
import type { LimitCounter, LimitOverride } from '../domain/traffic/limits.js';
import type { FleetSeed, Tenant } from '../domain/identity/tenant.js';
import type { TenantActionSettings } from '../domain/actions/action-settings.js';
import type { ApplicationRow, DeviceGroupRow, LimitCounterRow, RoleRow, TenantRow, UserRow } from './schema.js';

/** Row mappers for a tenant's applications, users, roles and device groups. Pure mapping. */
const list = (json: string): string[] => JSON.parse(json) as string[];

type ApplicationValues = Omit<ApplicationRow, 'delegated_permissions'> & { delegated_permissions: string };

export const applicationToRow = (a: Application): ApplicationValues => ({
  tenant_id: a.tenantId,
  client_id: a.clientId,
  name: a.name,
  secret_hash: a.secretHash ?? '',
  roles: JSON.stringify(a.roles),
  delegated_permissions: JSON.stringify(a.delegatedPermissions),
  limits: a.limits ? JSON.stringify(a.limits) : null,
});

export const rowToApplication = (r: ApplicationValues): Application => ({
  tenantId: r.tenant_id,
  clientId: r.client_id,
  name: r.name,
  secretHash: r.secret_hash === '' ? null : r.secret_hash,
  roles: list(r.roles),
  delegatedPermissions: list(r.delegated_permissions),
  ...(r.limits ? { limits: JSON.parse(r.limits) as LimitOverride } : {}),
});

export const tenantToRow = (t: Tenant): TenantRow => ({
  id: t.id,
  name: t.name,
  retention_days: t.retentionDays,
  limits: t.limits ? JSON.stringify(t.limits) : null,
  seed: t.seed ? JSON.stringify(t.seed) : null,
  actions: t.actions ? JSON.stringify(t.actions) : null,
});

export const rowToTenant = (r: TenantRow): Tenant => ({
  id: r.id,
  name: r.name,
  retentionDays: Number(r.retention_days),
  ...(r.limits ? { limits: JSON.parse(r.limits) as LimitOverride } : {}),
  ...(r.seed ? { seed: JSON.parse(r.seed) as FleetSeed } : {}),
  ...(r.actions ? { actions: JSON.parse(r.actions) as TenantActionSettings } : {}),
});

export const userToRow = (u: User): UserRow => ({
  tenant_id: u.tenantId,
  id: u.id,
  user_principal_name: u.userPrincipalName,
  user_principal_name_lc: u.userPrincipalName.toLowerCase(),
  display_name: u.displayName,
  password_hash: u.passwordHash,
  user_groups: JSON.stringify(u.userGroups),
});

export const rowToUser = (r: UserRow): User => ({
  tenantId: r.tenant_id,
  id: r.id,
  userPrincipalName: r.user_principal_name,
  displayName: r.display_name,
  passwordHash: r.password_hash,
  userGroups: list(r.user_groups),
});

export const roleToRow = (r: Role): RoleRow => ({
  tenant_id: r.tenantId,
  name: r.name,
  permissions: JSON.stringify(r.permissions),
  user_groups: JSON.stringify(r.userGroups),
});

export const rowToRole = (r: RoleRow): Role => ({
  tenantId: r.tenant_id,
  name: r.name,
  permissions: list(r.permissions) as RolePermission[],
  userGroups: list(r.user_groups),
});

export const deviceGroupToRow = (g: DeviceGroup): DeviceGroupRow => ({
  tenant_id: g.tenantId,
  id: g.id,
  name: g.name,
  rank: g.rank,
  description: g.description,
  rules: JSON.stringify(g.rules),
  user_groups: JSON.stringify(g.userGroups),
});

export const rowToDeviceGroup = (r: DeviceGroupRow): DeviceGroup => ({
  tenantId: r.tenant_id,
  id: Number(r.id),
  name: r.name,
  rank: Number(r.rank),
  description: r.description,
  rules: JSON.parse(r.rules) as DeviceGroupRules,
  userGroups: list(r.user_groups),
});

/** A saved rate-limit window; PostgreSQL returns its bigints as text. */
export const rowToLimitCounter = (r: LimitCounterRow): LimitCounter => ({
  key: r.key,
  minuteStart: Number(r.minute_start),
  minuteCount: Number(r.minute_count),
  hourStart: Number(r.hour_start),
  hourCount: Number(r.hour_count),
});
