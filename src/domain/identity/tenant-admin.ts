import { stableGuid } from '../../shared/ids.js';
import type { AccessPolicy } from './access-policy.js';
import { assignGroup } from './device-groups.js';
import type { DeviceGroup, Role, User } from './directory.js';
import { ApiError, invalidInput } from '../errors.js';
import type { ActionTimingsSpec } from '../actions/action-timings.js';
import type { Application, ApplicationStore, DirectoryStore, FaultRuleStore, GroupChange, TenantStore } from '../ports.js';
import { DEFAULT_RETENTION_DAYS } from './tenant.js';
import type { TenantDocument } from './tenant-document.js';
import type { ValueRuleSpec } from '../rules/value-rule.js';

/**
 * The document schema (TypeBox, about a third of a second to load) only when a document is
 * written: a CLI command that reads (export, history) builds a TenantAdmin but never validates.
 */
const schema = () => import('./tenant-document-schema.js');

/** Hashing of secrets and passwords, provided by the auth layer. */
export interface SecretHasher {
  hash(secret: string): string;
  verify(secret: string, hash: string): boolean;
}

/** The tenant's value rules: the one validator, and the replace that keeps what was applied (ValueRuleService). */
export interface ValueRuleBook {
  check(data: unknown): ValueRuleSpec[];
  replace(tenantId: string, data: unknown): Promise<unknown>;
  list(tenantId: string): Promise<readonly ValueRuleSpec[]>;
}

const REGROUP_BATCH = 5000;

/**
 * Applies tenant documents (tenant files, the admin API) and keeps device-group membership true
 * to the rules. Applying the same document twice changes nothing.
 */
export class TenantAdmin {
  constructor(
    private readonly store: TenantStore & ApplicationStore & DirectoryStore & FaultRuleStore,
    private readonly hasher: SecretHasher,
    private readonly policy: AccessPolicy,
    private readonly rules?: ValueRuleBook,
  ) {}

  async apply(doc: TenantDocument): Promise<{ regrouped: number }> {
    const { firstDuplicate } = await schema();
    const tenantId = doc.id.toLowerCase();
    const duplicate = firstDuplicate(doc);
    if (duplicate) throw invalidInput(`tenant document ${duplicate}`);
    // Before anything is written: a bad rule refuses the whole document.
    const valueRules = this.checkRules(doc.valueRules ?? []);
    const existing = await this.store.getTenant(tenantId);
    await this.store.putTenant({
      ...existing,
      id: tenantId,
      name: doc.name,
      retentionDays: doc.retentionDays ?? existing?.retentionDays ?? DEFAULT_RETENTION_DAYS,
      ...(doc.limits ? { limits: doc.limits } : { limits: undefined }),
      ...(doc.actions ? { actions: doc.actions } : { actions: undefined }),
    });
    const current = new Map((await this.store.listApplications(tenantId)).map((a) => [a.clientId, a]));
    const currentUsers = new Map((await this.store.listUsers(tenantId)).map((u) => [u.userPrincipalName.toLowerCase(), u]));
    await this.store.replaceDirectory(tenantId, {
      applications: (doc.applications ?? []).map((a): Application => ({
        tenantId,
        clientId: a.clientId.toLowerCase(),
        name: a.name,
        secretHash: this.keepOrHash(a.secret, a.secretHash, current.get(a.clientId.toLowerCase())?.secretHash),
        roles: a.applicationPermissions ?? [],
        delegatedPermissions: a.delegatedPermissions ?? [],
        ...(a.limits ? { limits: a.limits } : {}),
      })),
      users: (doc.users ?? []).map((u): User => ({
        tenantId,
        id: (u.id ?? stableGuid(`${tenantId}/user/${u.userPrincipalName.toLowerCase()}`)).toLowerCase(),
        userPrincipalName: u.userPrincipalName,
        displayName: u.displayName ?? u.userPrincipalName,
        passwordHash: this.keepOrHash(u.password, u.passwordHash, currentUsers.get(u.userPrincipalName.toLowerCase())?.passwordHash),
        userGroups: u.userGroups ?? [],
      })),
      roles: (doc.roles ?? []).map((r): Role => ({ tenantId, name: r.name, permissions: r.permissions, userGroups: r.userGroups ?? [] })),
      deviceGroups: (doc.deviceGroups ?? []).map((g): DeviceGroup => ({
        tenantId,
        id: g.id,
        name: g.name,
        rank: g.rank,
        description: g.description ?? '',
        rules: g.rules ?? {},
        userGroups: g.userGroups ?? [],
      })),
    });
    await this.store.replaceFaultRules(tenantId, doc.faults ?? []);
    await this.rules?.replace(tenantId, valueRules);
    this.policy.invalidate(tenantId);
    return { regrouped: await this.regroup(tenantId) };
  }

  /**
   * Replaces only the tenant's action timings (the rest of its document stays): what the admin
   * API's `PUT .../actions/timings` and `rampart actions timings` do. Actions already requested
   * keep the timeline they were given.
   */
  async setActionTimings(tenantId: string, data: unknown): Promise<ActionTimingsSpec> {
    const { validateActionTimings } = await schema();
    const checked = validateActionTimings(data);
    if (!checked.ok) throw invalidInput(`action timings ${checked.error}`);
    const tenant = await this.store.getTenant(tenantId);
    if (!tenant) throw new ApiError('ResourceNotFound', `Tenant ${tenantId} was not found`);
    await this.store.putTenant({ ...tenant, actions: { ...tenant.actions, timings: checked.timings } });
    this.policy.invalidate(tenantId);
    return checked.timings;
  }

  async exists(tenantId: string): Promise<boolean> {
    return (await this.store.getTenant(tenantId)) !== undefined;
  }

  /** The tenant as a document (hashes, never secrets), ready to edit and apply again. */
  async document(tenantId: string): Promise<TenantDocument | undefined> {
    const tenant = await this.store.getTenant(tenantId);
    if (!tenant) return undefined;
    const [apps, users, roles, groups] = await Promise.all([
      this.store.listApplications(tenantId),
      this.store.listUsers(tenantId),
      this.store.listRoles(tenantId),
      this.store.listDeviceGroups(tenantId),
    ]);
    const faults = await this.store.listFaultRules(tenantId);
    const valueRules = (await this.rules?.list(tenantId)) ?? [];
    return {
      id: tenant.id,
      name: tenant.name,
      retentionDays: tenant.retentionDays,
      ...(tenant.limits ? { limits: tenant.limits } : {}),
      applications: apps.map((a) => ({
        clientId: a.clientId,
        name: a.name,
        ...(a.secretHash ? { secretHash: a.secretHash } : {}),
        applicationPermissions: a.roles,
        delegatedPermissions: a.delegatedPermissions,
        ...(a.limits ? { limits: a.limits } : {}),
      })),
      users: users.map((u) => ({
        id: u.id,
        userPrincipalName: u.userPrincipalName,
        displayName: u.displayName,
        ...(u.passwordHash ? { passwordHash: u.passwordHash } : {}),
        userGroups: u.userGroups,
      })),
      roles: roles.map((r) => ({ name: r.name, permissions: r.permissions, userGroups: r.userGroups })),
      deviceGroups: groups.map((g) => ({ id: g.id, name: g.name, rank: g.rank, description: g.description, rules: g.rules, userGroups: g.userGroups })),
      ...(faults.length > 0 ? { faults } : {}),
      ...(tenant.actions ? { actions: tenant.actions } : {}),
      ...(valueRules.length > 0 ? { valueRules: valueRules.map(({ name, filter, deviceValue }) => ({ name, filter, deviceValue })) } : {}),
    };
  }

  private checkRules(data: readonly unknown[]): ValueRuleSpec[] {
    if (!this.rules) return [];
    try {
      return this.rules.check(data);
    } catch (error) {
      if (error instanceof ApiError) throw invalidInput(`tenant document /valueRules: ${error.message}`);
      throw error;
    }
  }

  /**
   * Re-evaluates every machine's device group. A tenant that defines no device groups keeps the
   * groups its machines were imported with, so a mirrored inventory keeps its real groups.
   */
  async regroup(tenantId: string): Promise<number> {
    const groups = await this.store.listDeviceGroups(tenantId);
    if (groups.length === 0) return 0;
    let moved = 0;
    let after = '';
    for (;;) {
      const batch = await this.store.machineGroupFacts(tenantId, after, REGROUP_BATCH);
      if (batch.length === 0) return moved;
      after = batch[batch.length - 1]?.id ?? after;
      const changes: GroupChange[] = [];
      for (const m of batch) {
        const next = assignGroup(groups, m);
        if (next.rbacGroupId !== m.rbacGroupId || next.rbacGroupName !== m.rbacGroupName) changes.push({ machineId: m.id, ...next });
      }
      await this.store.setMachineGroups(tenantId, changes);
      moved += changes.length;
    }
  }

  /** A secret given in clear keeps its stored hash when it still matches, so re-applying is a no-op. */
  private keepOrHash(secret: string | undefined, hash: string | undefined, stored: string | null | undefined): string | null {
    if (secret === undefined) return hash ?? null;
    if (stored && this.hasher.verify(secret, stored)) return stored;
    return this.hasher.hash(secret);
  }
}
