import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { DeviceValue } from '../../domain/device-value.js';
import type { Machine } from '../../domain/machine.js';
import type { IpAssignment, IpSearch } from '../../domain/ip-history.js';
import type { MachineFilter, MachinePage, MachinePropertyName } from '../../domain/machine-query.js';
import type { DeviceGroup, Role, User } from '../../domain/directory.js';
import type {
  Application,
  Directory,
  GroupChange,
  MachineGroupFacts,
  MachineScope,
  MachineUpdate,
  MachineUpdateResult,
  SigningKeyRecord,
  Store,
} from '../../domain/ports.js';
import type { Tenant } from '../../domain/tenant.js';
import type { ChangeContext, ChangeRoute, ValueChange } from '../../domain/value-change.js';
import type { Timestamp } from '../../shared/timestamp.js';
import type { FaultSpec } from '../../domain/fault-spec.js';
import type { LimitCounter } from '../../domain/limits.js';
import { applicationToRow, rowToApplication, rowToTenant, tenantToRow } from '../directory-rows.js';
import { SqliteTraffic } from './sqlite-traffic.js';
import { machineToRow, rowToMachine } from '../machine-rows.js';
import { inScope } from '../machine-scope.js';
import { migrateToLatest } from '../migrate.js';
import type { Database, MachineRow } from '../schema.js';
import { openSqlite, type Durability } from './connection.js';
import { SqliteDirectory } from './sqlite-directory.js';
import { SqliteInventory } from './sqlite-inventory.js';
import { SyncExecutor } from './sync-executor.js';
import type { Statement, WriteOp } from './write-protocol.js';
import { WriteQueue } from './write-queue.js';

const PUT_BATCH = 2000;

/**
 * The embedded backend. Reads run synchronously on the calling thread over a WAL connection;
 * every write goes to the writer thread (write-worker.ts), which group-commits.
 */
export class SqliteStore implements Store {
  private readonly directory: SqliteDirectory;
  private readonly traffic: SqliteTraffic;
  private readonly inventory: SqliteInventory;

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly read: SyncExecutor,
    private readonly writes: WriteQueue,
  ) {
    this.directory = new SqliteDirectory(db, read, (...statements) => this.exec(...statements));
    this.traffic = new SqliteTraffic(db, read, (...statements) => this.exec(...statements));
    this.inventory = new SqliteInventory(db, read, (op) => this.write(op));
  }

  static async open(path: string, durability: Durability = 'full'): Promise<SqliteStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const { raw, kysely } = openSqlite(path, durability);
    await migrateToLatest(kysely as Kysely<unknown>);
    const store = new SqliteStore(kysely, new SyncExecutor(raw), new WriteQueue({ path, durability }));
    await store.inventory.refreshStatistics(false);
    return store;
  }

  get healthy(): boolean {
    return this.writes.healthy;
  }

  async close(): Promise<void> {
    if (this.writes.healthy) await this.inventory.refreshStatistics(false);
    await this.writes.close();
    this.read.db.close();
  }

  // --- machines -------------------------------------------------------------------------

  async getById(scope: MachineScope, id: string): Promise<Machine | undefined> {
    const row = this.read.get(inScope(this.db.selectFrom('machines').selectAll(), scope).where('id', '=', id).compile());
    return row && rowToMachine(row);
  }

  async idsByAadDeviceId(scope: MachineScope, aadDeviceId: string, limit: number): Promise<string[]> {
    return this.ids(this.db.selectFrom('machines').select('id').where('aad_device_id', '=', aadDeviceId), scope, limit);
  }

  async idsByDnsName(scope: MachineScope, dnsNameLower: string, limit: number): Promise<string[]> {
    return this.ids(this.db.selectFrom('machines').select('id').where('computer_dns_name_lc', '=', dnsNameLower), scope, limit);
  }

  private ids(query: SelectQueryBuilder<Database, 'machines', { id: string }>, scope: MachineScope, limit: number): string[] {
    return this.read.all(inScope(query, scope).limit(limit).compile()).map((r) => r.id);
  }

  async update(update: MachineUpdate): Promise<MachineUpdateResult | undefined> {
    const outcome = await this.write({ op: 'update', update });
    return (
      outcome && { machine: rowToMachine(outcome.row), previousDeviceValue: outcome.previousDeviceValue as DeviceValue }
    );
  }

  async history(tenantId: string, machineId: string, limit: number): Promise<ValueChange[]> {
    const rows = this.read.all(
      this.db
        .selectFrom('value_history')
        .selectAll()
        .where('tenant_id', '=', tenantId)
        .where('machine_id', '=', machineId)
        .orderBy('seq', 'desc')
        .limit(limit)
        .compile(),
    );
    return rows.map((r) => ({
      seq: r.seq,
      tenantId: r.tenant_id,
      machineId: r.machine_id,
      oldValue: r.old_value as DeviceValue,
      newValue: r.new_value as DeviceValue,
      at: r.changed_at as Timestamp,
      appId: r.app_id,
      userId: r.user_id,
      route: r.route as ChangeRoute,
      requestId: r.request_id,
    }));
  }

  async putMachines(tenantId: string, machines: readonly Machine[], change: ChangeContext): Promise<void> {
    const writes: Promise<unknown>[] = [];
    this.inventory.noteBulkWrite(machines.length);
    for (let i = 0; i < machines.length; i += PUT_BATCH) {
      const rows = machines.slice(i, i + PUT_BATCH).map((m) => machineToRow(tenantId, m));
      writes.push(this.write({ op: 'putMachines', rows, change }));
    }
    await Promise.all(writes);
  }

  async *allMachines(tenantId: string, batchSize = 1000): AsyncIterable<Machine[]> {
    let after = '';
    for (;;) {
      const rows: MachineRow[] = this.read.all(
        this.db
          .selectFrom('machines')
          .selectAll()
          .where('tenant_id', '=', tenantId)
          .where('id', '>', after)
          .orderBy('id')
          .limit(batchSize)
          .compile(),
      );
      if (rows.length === 0) return;
      after = rows[rows.length - 1]?.id ?? after;
      yield rows.map(rowToMachine);
    }
  }

  async deleteMachines(tenantId: string): Promise<void> {
    await this.exec(
      ...(['machine_tags', 'machine_ip_history', 'value_history', 'machines'] as const).map((table) =>
        this.db.deleteFrom(table).where('tenant_id', '=', tenantId).compile(),
      ),
    );
  }

  // --- fault rules and saved limit counters (issue 4) ------------------------------------

  async listFaultRules(tenantId: string): Promise<FaultSpec[]> {
    return this.traffic.listFaultRules(tenantId);
  }

  async tenantsWithFaultRules(): Promise<string[]> {
    return this.traffic.tenantsWithFaultRules();
  }

  async replaceFaultRules(tenantId: string, rules: readonly FaultSpec[]): Promise<void> {
    return this.traffic.replaceFaultRules(tenantId, rules);
  }

  async loadLimitCounters(): Promise<LimitCounter[]> {
    return this.traffic.loadLimitCounters();
  }

  async saveLimitCounters(counters: readonly LimitCounter[]): Promise<void> {
    return this.traffic.saveLimitCounters(counters);
  }

  async countMachines(tenantId: string): Promise<number> {
    const row = this.read.get(
      this.db
        .selectFrom('machines')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', tenantId)
        .compile(),
    );
    return Number(row?.n ?? 0);
  }

  // --- inventory (OData listing, address history) ---------------------------------------

  async listMachines(scope: MachineScope, page: MachinePage): Promise<Machine[]> {
    return this.inventory.listMachines(scope, page);
  }

  async listMachineJson(scope: MachineScope, page: MachinePage, select: readonly MachinePropertyName[] | null): Promise<string[]> {
    return this.inventory.listMachineJson(scope, page, select);
  }

  async countMatching(scope: MachineScope, filter: MachineFilter | null): Promise<number> {
    return this.inventory.countMatching(scope, filter);
  }

  async putIpHistory(tenantId: string, entries: readonly IpAssignment[]): Promise<void> {
    return this.inventory.putIpHistory(tenantId, entries);
  }

  async machinesByIp(scope: MachineScope, search: IpSearch, limit: number): Promise<Machine[]> {
    return this.inventory.machinesByIp(scope, search, limit);
  }

  // --- tenants, applications, keys ------------------------------------------------------

  async getTenant(id: string): Promise<Tenant | undefined> {
    const row = this.read.get(this.db.selectFrom('tenants').selectAll().where('id', '=', id).compile());
    return row && rowToTenant(row);
  }

  async listTenants(): Promise<Tenant[]> {
    const rows = this.read.all(this.db.selectFrom('tenants').selectAll().orderBy('id').compile());
    return rows.map(rowToTenant);
  }

  async putTenant(tenant: Tenant): Promise<void> {
    const row = tenantToRow(tenant);
    const { id: _id, ...changes } = row;
    await this.exec(
      this.db
        .insertInto('tenants')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(changes))
        .compile(),
    );
  }

  async getApplication(tenantId: string, clientId: string): Promise<Application | undefined> {
    const row = this.read.get(
      this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).where('client_id', '=', clientId).compile(),
    );
    return row && rowToApplication(row);
  }

  async listApplications(tenantId: string): Promise<Application[]> {
    const rows = this.read.all(this.db.selectFrom('applications').selectAll().where('tenant_id', '=', tenantId).orderBy('client_id').compile());
    return rows.map(rowToApplication);
  }

  async putApplication(app: Application): Promise<void> {
    const row = applicationToRow(app);
    const { tenant_id: _t, client_id: _c, ...changes } = row;
    await this.exec(
      this.db
        .insertInto('applications')
        .values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'client_id']).doUpdateSet(changes))
        .compile(),
    );
  }

  // --- directory (users, roles, device groups) ------------------------------------------

  async listUsers(tenantId: string): Promise<User[]> {
    return this.directory.listUsers(tenantId);
  }

  async getUserByPrincipalName(tenantId: string, userPrincipalName: string): Promise<User | undefined> {
    return this.directory.getUserByPrincipalName(tenantId, userPrincipalName);
  }

  async listRoles(tenantId: string): Promise<Role[]> {
    return this.directory.listRoles(tenantId);
  }

  async listDeviceGroups(tenantId: string): Promise<DeviceGroup[]> {
    return this.directory.listDeviceGroups(tenantId);
  }

  async replaceDirectory(tenantId: string, directory: Directory): Promise<void> {
    return this.directory.replaceDirectory(tenantId, directory);
  }

  async machineGroupFacts(tenantId: string, afterId: string, limit: number): Promise<MachineGroupFacts[]> {
    return this.directory.machineGroupFacts(tenantId, afterId, limit);
  }

  async setMachineGroups(tenantId: string, changes: readonly GroupChange[]): Promise<void> {
    return this.directory.setMachineGroups(tenantId, changes);
  }

  async listSigningKeys(): Promise<SigningKeyRecord[]> {
    const rows = this.read.all(this.db.selectFrom('signing_keys').selectAll().orderBy('created_at').compile());
    return rows.map((r) => ({ kid: r.kid, privateJwk: r.private_jwk, publicJwk: r.public_jwk, createdAt: r.created_at, active: r.active === 1 }));
  }

  async putSigningKey(key: SigningKeyRecord): Promise<void> {
    const statements: Statement[] = [];
    if (key.active) statements.push(this.db.updateTable('signing_keys').set({ active: 0 }).compile());
    statements.push(
      this.db
        .insertInto('signing_keys')
        .values({ kid: key.kid, private_jwk: key.privateJwk, public_jwk: key.publicJwk, created_at: key.createdAt, active: key.active ? 1 : 0 })
        .compile(),
    );
    await this.exec(...statements);
  }

  // --- plumbing -------------------------------------------------------------------------

  private async exec(...statements: Statement[]): Promise<void> {
    await this.write({ op: 'exec', statements: statements.map((s) => ({ sql: s.sql, parameters: [...s.parameters] })) });
  }

  private async write(op: WriteOp) {
    const result = await this.writes.submit(op);
    if (!result.ok) throw new Error(`write failed: ${result.message}`);
    return result.value;
  }
}
