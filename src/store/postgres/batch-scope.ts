import type { MachineScope } from '../../domain/ports.js';

/*
 * What a batched statement needs to apply each item's own scope (tenant, retention, device
 * groups; src/store/machine-scope.ts for one query) row by row: three input arrays, element i
 * describing item i, and the condition that keeps a machine `m` visible to its input row `i`.
 */

/** Keeps machine `m` only when input row `i`'s caller may see it (`i.groups` an integer[]). */
export const VISIBLE_TO_INPUT = 'm.last_seen >= i.visible_since and (i.groups is null or m.rbac_group_id = any (i.groups))';

/** Tenants, retention cutoffs and device groups, as text arrays. */
export function scopeArrays(scopes: readonly MachineScope[]): [string[], string[], (string | null)[]] {
  return [
    scopes.map((s) => s.tenantId),
    scopes.map((s) => s.visibleSince),
    // A PostgreSQL array literal of whole numbers (null: every group; '{}': none, so nothing is visible).
    scopes.map((s) => (s.rbacGroupIds === null ? null : `{${s.rbacGroupIds.map((g) => Math.trunc(g)).join(',')}}`)),
  ];
}
