import { ApiError } from '../errors.js';
import type { Principal } from './principal.js';

/** The response actions' own permissions: the same name as application and as delegated permission. */
export const ACTION_PERMISSIONS = [
  'Machine.Isolate',
  'Machine.Scan',
  'Machine.RestrictExecution',
  'Machine.CollectForensics',
  'Machine.Offboard',
  'Machine.StopAndQuarantine',
  'Machine.LiveResponse',
] as const;
export const APP_PERMISSIONS = ['Machine.Read.All', 'Machine.ReadWrite.All', ...ACTION_PERMISSIONS, 'Alert.Read.All', 'Alert.ReadWrite.All'] as const;
export const DELEGATED_PERMISSIONS = ['Machine.Read', 'Machine.ReadWrite', ...ACTION_PERMISSIONS, 'Alert.Read', 'Alert.ReadWrite'] as const;
export const ROLE_PERMISSIONS = [
  'View data',
  'Alerts investigation',
  'Active remediation actions',
  'Manage security setting',
  'Manage portal system settings',
  'Live response basic',
  'Live response advanced',
  'Security baselines',
] as const;
export type RolePermission = (typeof ROLE_PERMISSIONS)[number];

/** What one operation demands of a caller (a row of the operation table carries one). */
export interface PermissionRequirement {
  readonly application: readonly string[];
  readonly delegated: readonly string[];
  readonly role: RolePermission;
}

/**
 * Token-level permission check: the token must hold one of the operation's permissions.
 * (Role permissions and device groups of delegated users are checked by the services, which
 * know the device.) The message is the real service's wording.
 */
export function requirePermission(principal: Principal, need: PermissionRequirement): void {
  if (principal.kind === 'application') {
    if (need.application.some((p) => principal.roles.has(p))) return;
    throw new ApiError(
      'Forbidden',
      `The application does not have any of the required application permissions (${need.application.join(', ')}) to access the resource.`,
    );
  }
  if (need.delegated.some((p) => principal.scopes.has(p))) return;
  throw new ApiError(
    'Forbidden',
    `The application does not have any of the required delegated permissions (${need.delegated.join(', ')}) to access the resource.`,
  );
}
