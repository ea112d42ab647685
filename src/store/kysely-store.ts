import type { CompiledQuery, Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import { DEVICE_VALUES, type DeviceValue } from '../domain/machines/device-value.js';
import type { DeviceGroup, Role, User } from '../domain/identity/directory.js';
import type { FaultSpec } from '../domain/traffic/fault-spec.js';
import type { LimitCounter } from '../domain/traffic/limits.js';
import type { Machine } from '../domain/machines/machine.js';
import type { MachineFilter } from '../domain/machines/machine-query.js';
import type { Application, Directory, GroupChange, MachineGroupFacts, MachineScope, SigningKeyRecord } from '../domain/ports.js';
import type { Tenant } from '../domain/identity/tenant.js';
import type { ChangeRoute, ValueChange } from '../domain/machines/value-change.js';
import type { Timestamp } from '../shared/timestamp.js';
import {
  applicationToRow, deviceGroupToRow, roleToRow, rowToApplication, rowToDeviceGroup, rowToLimitCounter, rowToRole, rowToTenant, rowToUser, tenantToRow, userToRow,
} from './directory-rows.js';
import { rowToMachine } from './machine-rows.js';
import { inScope } from './machine-scope.js';
import { countMachinesUpToQuery } from './machine-queries.js';
import { anyTagNodes } from './query-compiler.js';
import type { Database, MachineRow, ValueHistoryRow } from './schema.js';
import type { AuditPosition } from '../domain/audit/audit-cursor.js';
import type { AuditFilter } from '../domain/audit/audit-query.js';
import type { AuditEntry } from '../domain/audit/history-entry.js';
import { auditPageQuery } from './audit-sql.js';
import type { ActionStore } from '../domain/actions/action-ports.js';
import { KyselyValueRuleStore } from './rules/kysely-value-rule-store.js';
import type { ValueRuleStore } from '../domain/rules/value-rule-ports.js';
import { KyselyActionStore } from './actions/kysely-action-store.js';
import type { AlertStore } from '../domain/alerts/alert-ports.js';
import { KyselyAlertStore } from './alerts/kysely-alert-store.js';

/**
 * The part of the Store every backend answers with the same Kysely queries: machine lookups,
 * history, tenants, applications, signing keys, the directory, fault rules and limit counters.
 * A backend says how to run a read (`all`) and how to commit statements atomically and durably
 * (`exec`); the machine writes and the inventory listing, where the backends differ, stay with it.
 */
export abstract class KyselyStore {
  /** Machine actions and investigations (issue 11), through this backend's reads and writes. */
  readonly actions: ActionStore;
  /** Alerts (issue 16), the same way. */
  readonly alerts: AlertStore;
  /** Value rules and their apply runs (issue 13). */
  readonly rules: ValueRuleStore;

  protected constructor(protected readonly db: Kysely<Database>) {
    const runner = {
      all: <R>(query: CompiledQuery<R>) => this.all(query),
      // Only where the backend makes arrays cheaper (SQLite); elsewhere the stores read objects.
      arrays: this.arrays?.bind(this),
      exec: (...statements: CompiledQuery[]) => this.exec(...statements),
    };
    this.actions = new KyselyActionStore(db, runner);
    this.alerts = new KyselyAlertStore(db, runner);
    this.rules = new KyselyValueRuleStore(db, runner, (key) => this.serialized(key));
  }

  /** Runs one read; SQLite answers synchronously, PostgreSQL over the pool. */
  protected abstract all<R>(query: CompiledQuery<R>): R[] | Promise<R[]>;
  /** One read's rows as arrays in the order of its selected columns (StatementRunner.arrays), where cheaper. */
  protected arrays?(query: CompiledQuery): Promise<unknown[][]>;

  /** Commits the statements in one transaction, durable when it resolves. */
  protected abstract exec(...statements: CompiledQuery[]): Promise<void>;

  /**
   * Statements that make the transaction they start wait for any other transaction holding the
   * same `key`: a replace (delete, then insert) run by two writers at once must not both insert.
   * None where one writer commits everything in turn (SQLite).
   */
  protected serialized(_key: string): CompiledQuery[] {
    return [];
  }

  protected async one<R>(query: CompiledQuery<R>): Promise<R | undefined> {
    return (await this.all(query))[0];
  }

  // --- machines -------------------------------------------------------------------------

  /** GET by id, the hottest read: each backend has its own fast path (precompiled on SQLite, grouped on PostgreSQL). */
  abstract getById(scope: MachineScope, id: string): Promise<Machine | undefined>;

  async idsByAadDeviceId(scope: MachineScope, aadDeviceId: string, limit: number): Promise<string[]> {
    return this.ids(this.db.selectFrom('machines').select('id').where('aad_device_id', '=', aadDeviceId), scope, limit);
  }

  async idsByDnsName(scope: MachineScope, dnsNameLower: string, limit: number): Promise<string[]> {
    return this.ids(this.db.selectFrom('machines').select('id').where('computer_dns_name_lc', '=', dnsNameLower), scope, limit);
  }

  private async ids(query: SelectQueryBuilder<Database, 'machines', { id: string }>, scope: MachineScope, limit: number): Promise<string[]> {
    return (await this.all(inScope(query, scope).limit(limit).compile())).map((r) => r.id);
  }

  async history(tenantId: string, machineId: string, limit: number): Promise<ValueChange[]> {
    const query = this.db
      .selectFrom('value_history')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('machine_id', '=', machineId)
      .orderBy('seq', 'desc')
      .limit(limit);
    return (await this.all(query.compile())).map(rowToValueChange);
  }

  async auditHistory(tenantId: string, filter: AuditFilter, after: AuditPosition | undefined, limit: number): Promise<AuditEntry[]> {
    const rows = await this.all(auditPageQuery(this.db, tenantId, filter, after, limit).compile());
    return rows.map((r) => ({ ...rowToValueChange(r), computerDnsName: r.computer_dns_name }));
  }

  async *allMachines(tenantId: string, batchSize = 1000): AsyncIterable<Machine[]> {
    let after = '';
    for (;;) {
      const query = this.db.selectFrom('machines').selectAll().where('tenant_id', '=', tenantId).where('id', '>', after).orderBy('id').limit(batchSize);
      const rows: MachineRow[] = await this.all(query.compile());
      if (rows.length === 0) return;
      after = rows[rows.length - 1]?.id ?? after;
      yield rows.map(rowToMachine);
    }
  }

  async countMachines(tenantId: string): Promise<number> {
    const row = await this.one(this.db.selectFrom('machines').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant_id', '=', tenantId).compile());
    return Number(row?.n ?? 0);
  }

  async deleteMachines(tenantId: string): Promise<void> {
    await this.exec(
      ...(['alert_history', 'alerts', 'machine_tags', 'machine_ip_history', 'value_history', 'machine_actions', 'machine_response_states', 'investigations', 'machines'] as const).map((table) =>
        this.db.deleteFrom(table).where('tenant_id', '=', tenantId).compile(),
      ),
    );
  }

  // --- tenants, applications, keys ------------------------------------------------------

  async getTenant(id: string): Promise<Tenant | undefined> {
    const row = await this.one(this.db.selectFrom('tenants').selectAll().where('id', '=', id).compile());
    return row && rowToTenant(row);
  }

  async listTenants(): Promise<Tenant[]> {
    return (await this.all(this.db.selectFrom('tenants').selectAll().orderBy('id').compile())).map(rowToTenant);
  }

  async putTenant(tenant: Tenant): Promise<void> {
    const row = tenantToRow(tenant);
    const { id: _id, ...changes } = row;
    await this.exec(this.db.insertInto('tenants').values(row).onConflict((oc) => oc.column('id').doUpdateSet(changes)).compile());
  }

  async getApplication(tenantId: string, clientId: string): Promise<Application | undefined> {
    const row = await this.one(this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('client_id', '=', clientId).compile());
    return row && rowToApplication(row);
  }

  async listApplications(tenantId: string): Promise<Application[]> {
    const query = this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).orderBy('client_id');
    return (await this.all(query.compile())).map(rowToApplication);
  }

  async putApplication(app: Application): Promise<void> {
    const row = applicationToRow(app);
    const { tenant_id: _t, client_id: _c, ...changes } = row;
    await this.exec(this.db.insertInto('applications').values(row).onConflict((oc) => oc.columns(['tenant_id', 'client_id']).doUpdateSet(changes)).compile());
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = await this.all(this.db.selectFrom('signing_keys').selectAll().orderBy('created_at').compile());
    return rows.map((r) => ({ kid: r.kid, privateJwk: r.private_jwk, publicJwk: r.public_jwk, createdAt: r.created_at, active: Number(r.active) === 1 }));
  }

  async putSigningKey(key: SigningKeyRecord): Promise<void> {
    const insert = this.db
      .insertInto('signing_keys')
      .values({ kid: key.kid, private_jwk: key.privateJwk, public_jwk: key.publicJwk, created_at: key.createdAt, active: key.active ? 1 : 0 })
      .compile();
    await this.exec(...(key.active ? [this.db.updateTable('signing_keys').set({ active: 0 }).compile()] : []), insert);
  }

  // --- directory (users, roles, device groups) ------------------------------------------

  async listUsers(tenantId: string): Promise<User[]> {
    const query = this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('user_principal_name_lc');
    return (await this.all(query.compile())).map(rowToUser);
  }

  async getUserByPrincipalName(tenantId: string, userPrincipalName: string): Promise<User | undefined> {
    const query = this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('user_principal_name_lc', '=', userPrincipalName.toLowerCase());
    const row = await this.one(query.compile());
    return row && rowToUser(row);
  }

  async listRoles(tenantId: string): Promise<Role[]> {
    return (await this.all(this.db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).orderBy('name').compile())).map(rowToRole);
  }

  async listDeviceGroups(tenantId: string): Promise<DeviceGroup[]> {
    return (await this.all(this.db.selectFrom('device_groups').selectAll().where('tenant_id', '=', tenantId).orderBy('rank').compile())).map(rowToDeviceGroup);
  }

  async replaceDirectory(tenantId: string, d: Directory): Promise<void> {
    const statements: CompiledQuery[] = [...this.serialized(`directory/${tenantId}`)];
    for (const table of ['applications', 'users', 'roles', 'device_groups'] as const) {
      statements.push(this.db.deleteFrom(table).where('tenant_id', '=', tenantId).compile());
    }
    for (const a of d.applications) statements.push(this.db.insertInto('applications').values(applicationToRow(a)).compile());
    for (const u of d.users) statements.push(this.db.insertInto('users').values(userToRow(u)).compile());
    for (const r of d.roles) statements.push(this.db.insertInto('roles').values(roleToRow(r)).compile());
    for (const g of d.deviceGroups) statements.push(this.db.insertInto('device_groups').values(deviceGroupToRow(g)).compile());
    await this.exec(...statements);
  }

  async machineGroupFacts(tenantId: string, afterId: string, limit: number): Promise<MachineGroupFacts[]> {
    const query = this.db
      .selectFrom('machines')
      .select(['id', 'computer_dns_name', 'os_platform', 'machine_tags', 'rbac_group_id', 'rbac_group_name'])
      .where('tenant_id', '=', tenantId)
      .where('id', '>', afterId)
      .orderBy('id')
      .limit(limit);
    return (await this.all(query.compile())).map((r) => ({
      id: r.id,
      computerDnsName: r.computer_dns_name,
      osPlatform: r.os_platform,
      machineTags: JSON.parse(r.machine_tags) as string[],
      rbacGroupId: Number(r.rbac_group_id),
      rbacGroupName: r.rbac_group_name,
    }));
  }

  async setMachineGroups(tenantId: string, changes: readonly GroupChange[]): Promise<void> {
    if (changes.length === 0) return;
    await this.exec(
      ...changes.map((c) =>
        this.db
          .updateTable('machines')
          .set({ rbac_group_id: c.rbacGroupId, rbac_group_name: c.rbacGroupName })
          .where('tenant_id', '=', tenantId)
          .where('id', '=', c.machineId)
          .compile(),
      ),
    );
  }

  // --- fault rules and saved limit counters (issue 4) ------------------------------------

  async listFaultRules(tenantId: string): Promise<FaultSpec[]> {
    const rows = await this.all(this.db.selectFrom('fault_rules').select('spec').where('tenant_id', '=', tenantId).orderBy('position').compile());
    return rows.map((r) => JSON.parse(r.spec) as FaultSpec);
  }

  async tenantsWithFaultRules(): Promise<string[]> {
    return (await this.all(this.db.selectFrom('fault_rules').select('tenant_id').distinct().orderBy('tenant_id').compile())).map((r) => r.tenant_id);
  }

  async replaceFaultRules(tenantId: string, rules: readonly FaultSpec[]): Promise<void> {
    await this.exec(
      ...this.serialized(`faults/${tenantId}`),
      this.db.deleteFrom('fault_rules').where('tenant_id', '=', tenantId).compile(),
      ...rules.map((spec, position) => this.db.insertInto('fault_rules').values({ tenant_id: tenantId, position, spec: JSON.stringify(spec) }).compile()),
    );
  }

  async loadLimitCounters(): Promise<LimitCounter[]> {
    return (await this.all(this.db.selectFrom('limit_counters').selectAll().orderBy('key').compile())).map(rowToLimitCounter);
  }

  async saveLimitCounter(c: LimitCounter): Promise<void> {
    const values = { minute_start: c.minuteStart, minute_count: c.minuteCount, hour_start: c.hourStart, hour_count: c.hourCount };
    await this.exec(this.db.insertInto('limit_counters').values({ key: c.key, ...values }).onConflict((oc) => oc.column('key').doUpdateSet(values)).compile());
  }

  async saveLimitCounters(counters: readonly LimitCounter[]): Promise<void> {
    await this.exec(
      this.db.deleteFrom('limit_counters').compile(),
      ...counters.map((c) =>
        this.db
          .insertInto('limit_counters')
          .values({ key: c.key, minute_start: c.minuteStart, minute_count: c.minuteCount, hour_start: c.hourStart, hour_count: c.hourCount })
          .compile(),
      ),
    );
  }

  // --- counts for the console (issue 7) ------------------------------------------------------

  async countMatchingUpTo(scope: MachineScope, filter: MachineFilter | null, limit: number): Promise<number> {
    return Number((await this.one(countMachinesUpToQuery(this.db, scope, filter, limit, new Set(anyTagNodes(filter)))))?.n ?? 0);
  }

  async countByDeviceValue(scope: MachineScope): Promise<Record<DeviceValue, number>> {
    const counts = Object.fromEntries(DEVICE_VALUES.map((v) => [v, 0])) as Record<DeviceValue, number>;
    const cutoffDay = scope.visibleSince.slice(0, 10);
    const nextDay = new Date(Date.parse(`${cutoffDay}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const visible = scope.rbacGroupIds === null ? null : scope.rbacGroupIds.length > 0 ? [...scope.rbacGroupIds] : [-1];
    const later = this.db
      .selectFrom('machine_counts')
      .select(['machine_counts.device_value as value', (eb) => eb.fn.sum<number>('machine_counts.n').as('n')])
      .where('machine_counts.tenant_id', '=', scope.tenantId)
      .where('machine_counts.seen_day', '>=', nextDay)
      .$if(visible !== null, (q) => q.where('machine_counts.rbac_group_id', 'in', visible as number[]))
      .groupBy('machine_counts.device_value');
    const cutoff = inScope(this.db.selectFrom('machines'), scope)
      .select(['machines.device_value as value', (eb) => eb.fn.countAll<number>().as('n')])
      .where('machines.last_seen', '<', nextDay)
      .groupBy('machines.device_value');
    for (const row of [...(await this.all(later.compile())), ...(await this.all(cutoff.compile()))]) {
      if (row.value in counts) counts[row.value as DeviceValue] += Number(row.n);
    }
    return counts;
  }

  // --- console sessions (issue 7) --------------------------------------------------------

  async revokeConsoleSession(sid: string, expiresAt: number, nowMs: number): Promise<void> {
    await this.exec(
      this.db.deleteFrom('console_revoked_sessions').where('expires_at', '<=', nowMs).compile(),
      this.db.insertInto('console_revoked_sessions').values({ sid, expires_at: expiresAt }).onConflict((oc) => oc.column('sid').doNothing()).compile(),
    );
  }

  async isConsoleSessionRevoked(sid: string): Promise<boolean> {
    return (await this.one(this.db.selectFrom('console_revoked_sessions').select('sid').where('sid', '=', sid).compile())) !== undefined;
  }

  async revokeUserConsoleSessions(tenantId: string, userId: string, atMs: number): Promise<void> {
    const insert = this.db
      .insertInto('console_session_cutoffs')
      .values({ tenant_id: tenantId, user_id: userId, revoked_at: atMs })
      .onConflict((oc) => oc.columns(['tenant_id', 'user_id']).doUpdateSet({ revoked_at: atMs }).where('console_session_cutoffs.revoked_at', '<', atMs));
    await this.exec(insert.compile());
  }

  async userConsoleSessionsRevokedAt(tenantId: string, userId: string): Promise<number | undefined> {
    const query = this.db.selectFrom('console_session_cutoffs').select('revoked_at').where('tenant_id', '=', tenantId).where('user_id', '=', userId);
    const row = await this.one(query.compile());
    return row && Number(row.revoked_at);
  }
}

const rowToValueChange = (r: Selectable<ValueHistoryRow>): ValueChange => ({
  seq: Number(r.seq),
  tenantId: r.tenant_id,
  machineId: r.machine_id,
  oldValue: r.old_value as DeviceValue,
  newValue: r.new_value as DeviceValue,
  at: r.changed_at as Timestamp,
  appId: r.app_id,
  userId: r.user_id,
  route: r.route as ChangeRoute,
  requestId: r.request_id,
});
