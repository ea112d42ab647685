import type { Clock } from '../../shared/clock.js';
import type { AccessPolicy } from '../identity/access-policy.js';
import { assignGroup, type GroupAssignment, type GroupFacts } from '../identity/device-groups.js';
import { isGuid } from '../../shared/ids.js';
import { timestampFromMillis } from '../../shared/timestamp.js';
import { ApiError, machineNotFound } from '../errors.js';
import type { Machine } from './machine.js';
import type { MachineScope, MachineStore, MachineUpdate } from '../ports.js';
import type { Principal } from '../identity/principal.js';
import { retentionCutoff, type Tenant } from '../identity/tenant.js';
import type { ChangeRoute } from './value-change.js';

const MACHINE_ID = /^[0-9a-f]{40}$/;

/** The request-scoped facts a write records in the value history. */
export interface CallInfo {
  readonly requestId: string | null;
  readonly route: ChangeRoute;
}

/**
 * What a caller may see of its tenant: machines last seen at or after `visibleSince` (retention)
 * and, for delegated callers, only those in `rbacGroupIds` (null: every group). Stores apply it
 * inside their queries, so paging and counts are right.
 */
export interface Visibility extends MachineScope {
  readonly tenant: Tenant;
}

export type MachineChanges = Pick<MachineUpdate, 'deviceValue' | 'machineTags'>;

/**
 * The one way every service reaches machines: what a caller may see, how a `{machineId}` path
 * segment resolves to a device, and how a change is written with its audit context.
 */
export class MachineAccess {
  constructor(
    readonly store: MachineStore,
    readonly policy: AccessPolicy,
    readonly clock: Clock,
  ) {}

  /** Retention for everyone; device groups for delegated callers (inside every query). */
  async visibilityFor(principal: Principal): Promise<Visibility> {
    const [scope, rbacGroupIds] = await Promise.all([this.visibility(principal.tenantId), this.policy.visibleGroups(principal)]);
    return { ...scope, rbacGroupIds };
  }

  /** Retention only; `cutoffMs` overrides it (history reads see devices that aged out). */
  async visibility(tenantId: string, cutoffMs?: number): Promise<Visibility> {
    const tenant = await this.policy.tenant(tenantId);
    if (!tenant) throw new ApiError('Unauthorized', `Tenant ${tenantId} is not served here.`);
    const since = cutoffMs ?? retentionCutoff(tenant, this.clock.now());
    return { tenant, tenantId: tenant.id, visibleSince: timestampFromMillis(Math.max(since, 0)), rbacGroupIds: null };
  }

  /** id wins, then aadDeviceId, then a unique computerDnsName; an ambiguous name is not found. */
  async resolve(scope: MachineScope, key: string): Promise<Machine> {
    const lower = key.toLowerCase();
    let id: string | undefined;
    if (MACHINE_ID.test(lower)) {
      const machine = await this.store.getById(scope, lower);
      if (machine) return machine;
    }
    if (isGuid(lower)) id = single(await this.store.idsByAadDeviceId(scope, lower, 2));
    id ??= single(await this.store.idsByDnsName(scope, lower, 2));
    const machine = id === undefined ? undefined : await this.store.getById(scope, id);
    if (!machine) throw machineNotFound(key);
    return machine;
  }

  /**
   * The common case of a write, made cheap: a `{machineId}` that is a machine id and changes that
   * cannot move the machine between device groups go straight to the store, without reading the
   * machine first. Undefined when no visible machine has that id (the caller then resolves the
   * key as usual, so an aadDeviceId or name still works).
   */
  async writeById(principal: Principal, scope: MachineScope, key: string, changes: MachineChanges, call: CallInfo): Promise<Machine | undefined> {
    const id = key.toLowerCase();
    if (!MACHINE_ID.test(id) || changes.machineTags !== undefined) return undefined;
    return this.update(principal, scope, id, changes, {}, call);
  }

  /**
   * Writes changes to one visible machine, stamped with who and which call made them. A tag
   * change moves the machine to the device group its rules now pick, in the same write.
   * Undefined when the machine left the caller's view between lookup and write.
   */
  async write(principal: Principal, scope: MachineScope, target: Machine, changes: MachineChanges, call: CallInfo): Promise<Machine | undefined> {
    const group = changes.machineTags ? await this.regroup(scope.tenantId, { ...target, machineTags: changes.machineTags }) : {};
    return this.update(principal, scope, target.id, changes, group, call);
  }

  private async update(
    principal: Principal,
    scope: MachineScope,
    machineId: string,
    changes: MachineChanges,
    group: { group?: GroupAssignment },
    call: CallInfo,
  ): Promise<Machine | undefined> {
    const result = await this.store.update({
      scope,
      machineId,
      ...changes,
      ...group,
      change: {
        at: timestampFromMillis(this.clock.now()),
        appId: principal.appId,
        userId: principal.kind === 'delegated' ? principal.userId : null,
        route: call.route,
        requestId: call.requestId,
      },
    });
    return result?.machine;
  }

  private async regroup(tenantId: string, facts: GroupFacts): Promise<{ group?: GroupAssignment }> {
    const groups = await this.policy.deviceGroups(tenantId);
    // A tenant without device groups keeps the groups its machines were imported with.
    return groups.length === 0 ? {} : { group: assignGroup(groups, facts) };
  }
}

const single = (ids: string[]): string | undefined => (ids.length === 1 ? ids[0] : undefined);
