import type { Timestamp } from '../shared/timestamp.js';
import type { DeviceValue } from './machines/device-value.js';
import type { Machine } from './machines/machine.js';
import type { IpAssignment, IpSearch } from './machines/ip-history.js';
import type { MachineFilter, MachinePage, MachinePropertyName } from './machines/machine-query.js';
import type { GroupAssignment } from './identity/device-groups.js';
import type { DeviceGroup, Role, User } from './identity/directory.js';
import type { FaultSpec } from './traffic/fault-spec.js';
import type { LimitCounter, LimitOverride } from './traffic/limits.js';
import type { Tenant } from './identity/tenant.js';
import type { ChangeContext, ValueChange } from './machines/value-change.js';
import type { ActionStore } from './actions/action-ports.js';
import type { AlertChangeContext, AlertStore, AlertWrite } from './alerts/alert-ports.js';
import type { AuditStore } from './audit/audit-service.js';
import type { ValueRuleStore } from './rules/value-rule-ports.js';

/**
 * The storage port. Each backend (SQLite today, PostgreSQL later) implements it by mapping rows
 * and running queries; the rules that decide what to ask for live in the services. Every query
 * takes `visibleSince` so retention is applied inside the query, never by filtering afterwards.
 */
/**
 * Which machines a query may touch: one tenant's, last seen at or after `visibleSince`
 * (retention), and, unless `rbacGroupIds` is null, only those in these device groups.
 */
export interface MachineScope {
  readonly tenantId: string;
  readonly visibleSince: Timestamp;
  readonly rbacGroupIds: readonly number[] | null;
}

export interface MachineStore extends AuditStore {
  getById(scope: MachineScope, id: string): Promise<Machine | undefined>;
  /** Ids of visible machines with this aadDeviceId (lower case), at most `limit`. */
  idsByAadDeviceId(scope: MachineScope, aadDeviceId: string, limit: number): Promise<string[]>;
  /** Ids of visible machines whose computerDnsName equals this one ignoring case, at most `limit`. */
  idsByDnsName(scope: MachineScope, dnsNameLower: string, limit: number): Promise<string[]>;
  /**
   * Applies the changes atomically and durably (flushed to disk before the promise resolves).
   * When `deviceValue` is set and differs from the machine's value, a value-history entry with the
   * old and new value and `change` is written in the same transaction (only real changes are
   * history: setting the value a machine already has writes none). Undefined when the machine is not (or no longer) visible.
   */
  update(update: MachineUpdate): Promise<MachineUpdateResult | undefined>;
  history(tenantId: string, machineId: string, limit: number): Promise<ValueChange[]>;
  /**
   * Inserts or replaces whole machines (seed, import); durable when it resolves. Where a machine
   * already existed with another deviceValue, a value-history entry with `change` is written in
   * the same transaction, so the history always ends at the current value.
   */
  putMachines(tenantId: string, machines: readonly Machine[], change: ChangeContext): Promise<void>;
  /** Every machine of a tenant in id order, retention ignored (export mirrors the store). */
  allMachines(tenantId: string, batchSize?: number): AsyncIterable<Machine[]>;
  countMachines(tenantId: string): Promise<number>;
  /** Removes every machine of a tenant with its tags, address and value history, and its alerts (a reset). */
  deleteMachines(tenantId: string): Promise<void>;
  /** One page of the visible machines matching the filter, in the page's order (id breaking ties). */
  listMachines(scope: MachineScope, page: MachinePage): Promise<Machine[]>;
  /**
   * The same page as each machine's wire JSON text (`machineToJson`), only the `select`ed
   * properties (all when null) in wire order: large pages without building objects.
   */
  listMachineJson(scope: MachineScope, page: MachinePage, select: readonly MachinePropertyName[] | null): Promise<string[]>;
  /** How many visible machines match the filter (null: all of them). */
  countMatching(scope: MachineScope, filter: MachineFilter | null): Promise<number>;
  /** min(how many visible machines match, `limit`), reading at most `limit` of them (every any() read from the tag index). */
  countMatchingUpTo(scope: MachineScope, filter: MachineFilter | null, limit: number): Promise<number>;
  /**
   * Visible machines per device value, exact, in time that does not grow with the fleet: from the
   * counts the database keeps per group, value and day (migration 0008), plus the retention
   * cutoff's own day counted from an index.
   */
  countByDeviceValue(scope: MachineScope): Promise<Record<DeviceValue, number>>;
  /** Records address history (seed, import); an entry with the same machine, address and start is replaced. */
  putIpHistory(tenantId: string, entries: readonly IpAssignment[]): Promise<void>;
  /** Visible machines that held the address at some moment of the search window, by id, at most `limit`. */
  machinesByIp(scope: MachineScope, search: IpSearch, limit: number): Promise<Machine[]>;
}

/**
 * The writes of a seed, as a bulk load receives them: the same rows as the store's own
 * putMachines, putIpHistory and insertNewAlerts, durable only when the whole load has committed.
 */
export interface BulkLoadSink {
  putMachines(tenantId: string, machines: readonly Machine[], change: ChangeContext): Promise<void>;
  putIpHistory(tenantId: string, entries: readonly IpAssignment[]): Promise<void>;
  insertNewAlerts(writes: readonly AlertWrite[], context: AlertChangeContext): Promise<void>;
}

/**
 * A backend that can load a large fleet faster than row by row (SQLite and PostgreSQL: indexes built once at the
 * end). `bulkLoad` runs `load` with a sink and commits everything it wrote at once, or nothing;
 * it answers undefined, having run nothing, where it cannot (the store already holds machines or
 * alerts, or another process or session is using them), and the caller writes the usual way.
 */
export interface BulkLoader {
  /** `onIndexed` is told after each index built at the end (building them takes a while on a million rows). */
  bulkLoad<T>(load: (sink: BulkLoadSink) => Promise<T>, onIndexed?: (built: number, total: number) => void): Promise<{ readonly value: T } | undefined>;
}

export interface MachineUpdate {
  readonly scope: MachineScope;
  readonly machineId: string;
  readonly deviceValue?: DeviceValue;
  readonly machineTags?: readonly string[];
  /** The device group the machine moves to (tags or name changed). */
  readonly group?: GroupAssignment;
  readonly change: ChangeContext;
}

export interface MachineUpdateResult {
  readonly machine: Machine;
  readonly previousDeviceValue: DeviceValue;
}

export interface TenantStore {
  getTenant(id: string): Promise<Tenant | undefined>;
  putTenant(tenant: Tenant): Promise<void>;
  listTenants(): Promise<Tenant[]>;
}

/** A client application registered in a tenant. */
export interface Application {
  readonly tenantId: string;
  readonly clientId: string;
  readonly name: string;
  /** Hash of the client secret (never the secret); null for a public client. */
  readonly secretHash: string | null;
  /** Application permissions granted (become the token's `roles`). */
  readonly roles: readonly string[];
  /** Delegated permissions users may grant it (become the token's `scp`). */
  readonly delegatedPermissions: readonly string[];
  /** Rate limits of this application (issue 4); absent: the tenant's. */
  readonly limits?: LimitOverride;
}

export interface ApplicationStore {
  getApplication(tenantId: string, clientId: string): Promise<Application | undefined>;
  putApplication(app: Application): Promise<void>;
  listApplications(tenantId: string): Promise<Application[]>;
}

/** The machine facts device-group rules look at, with the machine's current group. */
export interface MachineGroupFacts {
  readonly id: string;
  readonly computerDnsName: string;
  readonly osPlatform: string;
  readonly machineTags: readonly string[];
  readonly rbacGroupId: number;
  readonly rbacGroupName: string | null;
}

export interface GroupChange {
  readonly machineId: string;
  readonly rbacGroupId: number;
  readonly rbacGroupName: string | null;
}

/** A tenant's users, roles and device groups, replaced as a whole when a tenant document is applied. */
export interface DirectoryStore {
  listUsers(tenantId: string): Promise<User[]>;
  getUserByPrincipalName(tenantId: string, userPrincipalName: string): Promise<User | undefined>;
  listRoles(tenantId: string): Promise<Role[]>;
  listDeviceGroups(tenantId: string): Promise<DeviceGroup[]>;
  /** Atomically replaces applications, users, roles and device groups of the tenant. */
  replaceDirectory(tenantId: string, directory: Directory): Promise<void>;
  /** Machines of the tenant in id order after `afterId` (retention ignored), for re-grouping. */
  machineGroupFacts(tenantId: string, afterId: string, limit: number): Promise<MachineGroupFacts[]>;
  setMachineGroups(tenantId: string, changes: readonly GroupChange[]): Promise<void>;
}

export interface Directory {
  readonly applications: readonly Application[];
  readonly users: readonly User[];
  readonly roles: readonly Role[];
  readonly deviceGroups: readonly DeviceGroup[];
}

/** A token-signing key pair of the built-in authority, as JWK JSON text. */
export interface SigningKeyRecord {
  readonly kid: string;
  readonly privateJwk: string;
  readonly publicJwk: string;
  readonly createdAt: string;
  /** The active key signs new tokens; the others only verify tokens they signed earlier. */
  readonly active: boolean;
}

export interface SigningKeyStore {
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /** Stores the key and, when it is active, makes every other key inactive, atomically. */
  putSigningKey(key: SigningKeyRecord): Promise<void>;
}

/** Fault rules of each tenant, in the written form (issue 4). */
export interface FaultRuleStore {
  listFaultRules(tenantId: string): Promise<FaultSpec[]>;
  /** Tenants that have at least one rule, for loading them all at start. */
  tenantsWithFaultRules(): Promise<string[]>;
  replaceFaultRules(tenantId: string, rules: readonly FaultSpec[]): Promise<void>;
}

/** Rate-limit counters saved across restarts (a single instance's in-memory limiter). */
export interface LimitCounterStore {
  loadLimitCounters(): Promise<LimitCounter[]>;
  saveLimitCounters(counters: readonly LimitCounter[]): Promise<void>;
  /** One key's windows, written (durably, as any write) before the promise resolves. */
  saveLimitCounter(counter: LimitCounter): Promise<void>;
}

/**
 * Server-side revocation of the console's signed session cookies (issue 7), so a sign-out or an
 * admin's revocation holds on every instance and across restarts. Times are epoch milliseconds.
 */
export interface ConsoleSessionStore {
  /** Refuses session `sid` from now on; `expiresAt` is when it would have ended anyway. Drops records expired at `nowMs`. */
  revokeConsoleSession(sid: string, expiresAt: number, nowMs: number): Promise<void>;
  isConsoleSessionRevoked(sid: string): Promise<boolean>;
  /** Refuses every console session of the user that began at or before `atMs` (a later call may only move it later). */
  revokeUserConsoleSessions(tenantId: string, userId: string, atMs: number): Promise<void>;
  /** The latest such moment for the user, if any. */
  userConsoleSessionsRevokedAt(tenantId: string, userId: string): Promise<number | undefined>;
}

/** Everything the services need from a backend, and its life cycle. */
export interface Store
  extends MachineStore, TenantStore, ApplicationStore, SigningKeyStore, DirectoryStore, FaultRuleStore, LimitCounterStore, ConsoleSessionStore {
  /** False once the backend can no longer accept writes (readiness reports it). */
  readonly healthy: boolean;
  /** Machine actions and investigations (issue 11). */
  readonly actions: ActionStore;
  /** Alerts and their history of changes (issue 16). */
  readonly alerts: AlertStore;
  /** Value rules and their apply runs (issue 13). */
  readonly rules: ValueRuleStore;
  close(): Promise<void>;
}
