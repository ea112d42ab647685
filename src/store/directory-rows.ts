import type { DeviceGroup, DeviceGroupRules, Role, User } from '../domain/directory.js';
import type { RolePermission } from '../domain/permissions.js';
import type { Application } from '../domain/ports.js';
import type { ApplicationRow, DeviceGroupRow, RoleRow, UserRow } from './schema.js';

/** Row mappers for a tenant's applications, users, roles and device groups. Pure mapping. */
const list = (json: string): string[] => JSON.parse(json) as string[];

export const applicationToRow = (a: Application): Omit<ApplicationRow, 'delegated_permissions'> & { delegated_permissions: string } => ({
  tenant_id: a.tenantId,
  client_id: a.clientId,
  name: a.name,
  secret_hash: a.secretHash ?? '',
  roles: JSON.stringify(a.roles),
  delegated_permissions: JSON.stringify(a.delegatedPermissions),
});

export const rowToApplication = (r: Omit<ApplicationRow, 'delegated_permissions'> & { delegated_permissions: string }): Application => ({
  tenantId: r.tenant_id,
  clientId: r.client_id,
  name: r.name,
  secretHash: r.secret_hash === '' ? null : r.secret_hash,
  roles: list(r.roles),
  delegatedPermissions: list(r.delegated_permissions),
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
