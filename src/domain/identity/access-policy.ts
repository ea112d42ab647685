import type { Clock } from '../../shared/clock.js';
import { UNGROUPED_ID, type DeviceGroup, type Role, type User } from './directory.js';
import { ApiError } from '../errors.js';
import { requirePermission, type PermissionRequirement, type RolePermission } from './permissions.js';
import type { LimitOverride } from '../traffic/limits.js';
import type { Application, ApplicationStore, DirectoryStore, TenantStore } from '../ports.js';
import type { Tenant } from './tenant.js';
import type { DelegatedPrincipal, Principal } from './principal.js';

const CACHE_MS = 2000;

interface TenantAccess {
  readonly loadedAt: number;
  readonly tenant: Tenant | undefined;
  readonly apps: ReadonlyMap<string, Application>;
  readonly users: ReadonlyMap<string, User>;
  readonly roles: readonly Role[];
  readonly groups: readonly DeviceGroup[];
}

/**
 * Who may do what, as Defender for Endpoint decides it (spec section 7). Application tokens
 * need the operation's application permission and see the whole tenant. Delegated tokens need
 * the delegated permission in `scp`, a role permission granted to one of the user's groups, and
 * see only the device groups open to their user groups. A tenant's settings and directory are
 * read at most every two seconds (and at once after a change made here), so the checks on the
 * hot path cost a map lookup.
 */
export class AccessPolicy {
  private readonly cache = new Map<string, TenantAccess>();
  /** Loads in flight: the requests that find an expired entry together share one read. */
  private readonly loading = new Map<string, Promise<TenantAccess>>();
  private readonly listeners: ((tenantId: string) => void)[] = [];

  constructor(
    private readonly directory: DirectoryStore & TenantStore & ApplicationStore,
    private readonly clock: Clock,
  ) {}

  /** Display names of the tenant's users (by id: their principal name) and applications (by client id), from the same cache. */
  async names(tenantId: string): Promise<{ users: Map<string, string>; apps: Map<string, string> }> {
    const access = await this.load(tenantId);
    return {
      users: new Map([...access.users.values()].map((u) => [u.id, u.userPrincipalName])),
      apps: new Map([...access.apps.values()].map((a) => [a.clientId, a.name])),
    };
  }

  /** The tenant's settings (retention...), from the same short-lived cache. */
  async tenant(tenantId: string): Promise<Tenant | undefined> {
    return (await this.load(tenantId)).tenant;
  }

  async authorize(principal: Principal, need: PermissionRequirement): Promise<void> {
    requirePermission(principal, need);
    if (principal.kind === 'application') return;
    const permissions = await this.rolePermissions(principal);
    if (!permissions.has(need.role)) {
      throw new ApiError('Forbidden', `The user does not have any of the required role permissions (${need.role}) to access the resource.`);
    }
  }

  /**
   * Device groups a caller sees; null means every group: application callers, and every caller
   * of a tenant that defines no device groups (as in the product before groups are set up).
   */
  async visibleGroups(principal: Principal): Promise<number[] | null> {
    if (principal.kind === 'application') return null;
    const access = await this.load(principal.tenantId);
    if (access.groups.length === 0) return null;
    const user = access.users.get(principal.userId);
    if (!user) return [];
    const mine = new Set(user.userGroups);
    const open = (g: { userGroups: readonly string[] }) => g.userGroups.length === 0 || g.userGroups.some((u) => mine.has(u));
    const visible = access.groups.filter((g) => g.id !== UNGROUPED_ID && open(g)).map((g) => g.id);
    // "Ungrouped devices (default)" is open to everyone unless the tenant restricts it.
    const ungrouped = access.groups.find((g) => g.id === UNGROUPED_ID);
    if (!ungrouped || open(ungrouped)) visible.push(UNGROUPED_ID);
    return visible.sort((a, b) => a - b);
  }

  async rolePermissions(principal: DelegatedPrincipal): Promise<ReadonlySet<RolePermission>> {
    const access = await this.load(principal.tenantId);
    const user = access.users.get(principal.userId);
    const granted = new Set<RolePermission>();
    if (!user) return granted;
    for (const role of access.roles) {
      if (role.userGroups.some((g) => user.userGroups.includes(g))) for (const p of role.permissions) granted.add(p);
    }
    return granted;
  }

  /** The limits a tenant and one of its applications set for themselves (issue 4). */
  async limitsOf(tenantId: string, appId: string): Promise<{ tenant?: LimitOverride; app?: LimitOverride }> {
    const access = await this.load(tenantId);
    const app = access.apps.get(appId);
    return { ...(access.tenant?.limits ? { tenant: access.tenant.limits } : {}), ...(app?.limits ? { app: app.limits } : {}) };
  }

  /** The tenant's device groups, for placing a machine whose tags or name changed. */
  async deviceGroups(tenantId: string): Promise<readonly DeviceGroup[]> {
    return (await this.load(tenantId)).groups;
  }

  /** Forget a tenant's cached directory after it changed here; listeners tell other instances. */
  invalidate(tenantId: string): void {
    this.forget(tenantId);
    for (const listener of this.listeners) listener(tenantId);
  }

  /** Forget a tenant's cached directory that another instance changed (nobody else to tell). */
  forget(tenantId: string): void {
    this.cache.delete(tenantId);
    this.loading.delete(tenantId); // a read begun before the change must not be cached
  }

  onInvalidate(listener: (tenantId: string) => void): void {
    this.listeners.push(listener);
  }

  private load(tenantId: string): Promise<TenantAccess> | TenantAccess {
    const cached = this.cache.get(tenantId);
    if (cached && this.clock.now() - cached.loadedAt < CACHE_MS) return cached;
    const inFlight = this.loading.get(tenantId);
    if (inFlight) return inFlight;
    const read = this.read(tenantId).then(
      (access) => {
        if (this.loading.get(tenantId) === read) this.cache.set(tenantId, access);
        return access;
      },
    ).finally(() => {
      if (this.loading.get(tenantId) === read) this.loading.delete(tenantId);
    });
    this.loading.set(tenantId, read);
    return read;
  }

  private async read(tenantId: string): Promise<TenantAccess> {
    const [tenant, apps, users, roles, groups] = await Promise.all([
      this.directory.getTenant(tenantId),
      this.directory.listApplications(tenantId),
      this.directory.listUsers(tenantId),
      this.directory.listRoles(tenantId),
      this.directory.listDeviceGroups(tenantId),
    ]);
    return {
      loadedAt: this.clock.now(),
      tenant,
      apps: new Map(apps.map((a) => [a.clientId, a])),
      users: new Map(users.map((u) => [u.id, u])),
      roles,
      groups,
    };
  }
}
