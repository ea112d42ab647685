import { operation, type OperationId } from '../api/operations.js';
import type { AccessPolicy } from '../domain/identity/access-policy.js';
import { ApiError } from '../domain/errors.js';
import { ACTION_PERMISSIONS, type RolePermission } from '../domain/identity/permissions.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import type { Session } from './session.js';

import { CONSOLE_APP_ID } from '../domain/identity/actor-names.js';

export { CONSOLE_APP_ID };

/**
 * The user's own rights decide, so the console asks for the widest delegated permissions: the
 * machine and alert read and write permissions and every response action's own. The user's role
 * permissions and device groups then decide, exactly as for a delegated API call.
 */
const CONSOLE_SCOPES: ReadonlySet<string> = new Set(['Machine.Read', 'Machine.ReadWrite', 'Alert.Read', 'Alert.ReadWrite', ...ACTION_PERMISSIONS]);

export function consolePrincipal(session: Session): DelegatedPrincipal {
  return {
    kind: 'delegated',
    tenantId: session.tenantId,
    appId: CONSOLE_APP_ID,
    userId: session.userId,
    userPrincipalName: session.userPrincipalName,
    scopes: CONSOLE_SCOPES,
    expiresAt: Math.floor(session.expiresAt / 1000),
  };
}

/**
 * The API's own check for an operation-table row: the same role permissions and the same
 * message when refused. Device groups are applied by the services, as for the API.
 */
export async function requireOperation(policy: AccessPolicy, principal: DelegatedPrincipal, id: OperationId): Promise<void> {
  await policy.authorize(principal, operation(id).permission);
}

/** Whether to offer a control at all: a user who may not change a value sees no form for it. */
export async function allows(policy: AccessPolicy, principal: DelegatedPrincipal, id: OperationId): Promise<boolean> {
  try {
    await requireOperation(policy, principal, id);
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return false;
    throw error;
  }
}

/** Console-only rights that are not Machine API operations (the fault switches). */
export async function hasRole(policy: AccessPolicy, principal: DelegatedPrincipal, role: RolePermission): Promise<boolean> {
  return (await policy.rolePermissions(principal)).has(role);
}

export async function requireRole(policy: AccessPolicy, principal: DelegatedPrincipal, role: RolePermission): Promise<void> {
  if (!(await hasRole(policy, principal, role))) {
    throw new ApiError('Forbidden', `The user does not have any of the required role permissions (${role}) to access the resource.`);
  }
}

/**
 * Whether the user may read the fleet audit (the Activity page). It spans every device of the
 * tenant and the store reads it without device groups, so it takes what reading every device's
 * own history takes: View data (the device list's role permission, ListMachines) and every
 * device group. A user limited to some groups is refused rather than shown other groups' devices.
 */
export async function readsWholeFleet(policy: AccessPolicy, principal: DelegatedPrincipal): Promise<boolean> {
  if (!(await allows(policy, principal, 'ListMachines'))) return false;
  const [visible, groups] = await Promise.all([policy.visibleGroups(principal), policy.deviceGroups(principal.tenantId)]);
  return visible === null || groups.every((g) => visible.includes(g.id));
}
