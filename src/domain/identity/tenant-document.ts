import type { DeviceGroupRules } from './directory.js';
import type { FaultSpec } from '../traffic/fault-spec.js';
import type { TenantActionSettings } from '../actions/action-settings.js';
import type { LimitOverride } from '../traffic/limits.js';
import type { RolePermission } from './permissions.js';
import type { ValueRuleSpec } from '../rules/value-rule.js';

/**
 * A tenant described declaratively: what a tenant file holds and what the admin API's
 * `PUT /admin/tenants/{id}` takes. Applying it is idempotent; its lists replace the tenant's.
 * Secrets may be given in clear (hashed on apply) or as a stored hash.
 */
export interface TenantDocument {
  readonly id: string;
  readonly name: string;
  readonly retentionDays?: number;
  readonly applications?: readonly ApplicationSpec[];
  readonly users?: readonly UserSpec[];
  readonly roles?: readonly RoleSpec[];
  readonly deviceGroups?: readonly DeviceGroupSpec[];
  /** Rate limits for every application of the tenant (issue 4). */
  readonly limits?: LimitOverride;
  /** Fault rules for testers (issue 4); replaced as a whole on apply. */
  readonly faults?: readonly FaultSpec[];
  /** Machine-action timings and the live-response library (issue 11). */
  readonly actions?: TenantActionSettings;
  /** Ordered value rules (issue 13, docs/value-rules.md); replaced as a whole on apply. */
  readonly valueRules?: readonly ValueRuleSpec[];
}

export interface ApplicationSpec {
  readonly clientId: string;
  readonly name: string;
  /** Absent for a public client, which may only use the password grant. */
  readonly secret?: string;
  readonly secretHash?: string;
  readonly applicationPermissions?: readonly string[];
  readonly delegatedPermissions?: readonly string[];
  readonly limits?: LimitOverride;
}

export interface UserSpec {
  /** The object id; derived from the user principal name when absent. */
  readonly id?: string;
  readonly userPrincipalName: string;
  readonly displayName?: string;
  readonly password?: string;
  readonly passwordHash?: string;
  readonly userGroups?: readonly string[];
}

export interface RoleSpec {
  readonly name: string;
  readonly permissions: readonly RolePermission[];
  readonly userGroups?: readonly string[];
}

export interface DeviceGroupSpec {
  readonly id: number;
  readonly name: string;
  readonly rank: number;
  readonly description?: string;
  readonly rules?: DeviceGroupRules;
  readonly userGroups?: readonly string[];
}
