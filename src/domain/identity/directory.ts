import type { RolePermission } from './permissions.js';

/**
 * A tenant's identities and access model, as a tenant file or the admin API describes it
 * (spec section 7): users in user groups, roles that grant role permissions to user groups, and
 * ranked device groups whose rules decide membership and whose user groups decide visibility.
 */
export interface User {
  readonly tenantId: string;
  /** The object id (`oid` claim), a GUID. */
  readonly id: string;
  /** The user principal name (`upn` claim), unique in the tenant; compared without case. */
  readonly userPrincipalName: string;
  readonly displayName: string;
  /** `salt:hash` of the password, for the built-in authority's password grant. */
  readonly passwordHash: string | null;
  readonly userGroups: readonly string[];
}

export interface Role {
  readonly tenantId: string;
  readonly name: string;
  readonly permissions: readonly RolePermission[];
  readonly userGroups: readonly string[];
}

/** Conditions of a device-group rule: OR between the values of one condition, AND between conditions. */
export interface DeviceGroupRules {
  /** Device name (first label of computerDnsName) starts with one of these (case-insensitive). */
  readonly names?: readonly string[];
  /** Domain (computerDnsName after the first label) starts with one of these (case-insensitive). */
  readonly domains?: readonly string[];
  /** Carries one of these tags (case-insensitive, exact). */
  readonly tags?: readonly string[];
  /** osPlatform is one of these (case-insensitive). */
  readonly osPlatforms?: readonly string[];
}

export interface DeviceGroup {
  readonly tenantId: string;
  /** The machine's `rbacGroupId`; 0 is reserved for "Ungrouped devices (default)". */
  readonly id: number;
  readonly name: string;
  /** 1 is the highest: a device joins the highest-ranked group whose rules match. */
  readonly rank: number;
  readonly description: string;
  readonly rules: DeviceGroupRules;
  /** User groups that may see the group's devices; none means every user. */
  readonly userGroups: readonly string[];
}

export const UNGROUPED_ID = 0;
