import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { DeviceValue } from '../../domain/device-value.js';
import type { Machine } from '../../domain/machine.js';
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
import { applicationToRow, rowToApplication } from '../directory-rows.js';
import { machineToRow, rowToMachine } from '../machine-rows.js';
import { inScope } from '../machine-scope.js';
import { migrateToLatest } from '../migrate.js';
import type { Database, MachineRow } from '../schema.js';
import { openSqlite, type Durability } from './connection.js';
import { SqliteDirectory } from './sqlite-directory.js';
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

  private constructor(
    private readonly db: Kysely<Database>,
    private readonly read: SyncExecutor,
    private readonly writes: WriteQueue,
  ) {
    this.directory = new SqliteDirectory(db, read, (...statements) => this.exec(...statements));
  }

  static async open(path: string, durability: Durability = 'full'): Promise<SqliteStore> {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    const { raw, kysely } = openSqlite(path, durability);
    await migrateToLatest(kysely as Kysely<unknown>);
    return new SqliteStore(kysely, new SyncExecutor(raw), new WriteQueue({ path, durability }));
  }

  get healthy(): boolean {
    return this.writes.healthy;
  }

  async close(): Promise<void> {
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

  // --- tenants, applications, keys ------------------------------------------------------

  async getTenant(id: string): Promise<Tenant | undefined> {
    const row = this.read.get(this.db.selectFrom('tenants').selectAll().where('id', '=', id).compile());
    return row && { id: row.id, name: row.name, retentionDays: row.retention_days };
  }

  async listTenants(): Promise<Tenant[]> {
    const rows = this.read.all(this.db.selectFrom('tenants').selectAll().orderBy('id').compile());
    return rows.map((row) => ({ id: row.id, name: row.name, retentionDays: row.retention_days }));
  }

  async putTenant(tenant: Tenant): Promise<void> {
    const row = { id: tenant.id, name: tenant.name, retention_days: tenant.retentionDays };
    await this.exec(
      this.db
        .insertInto('tenants')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet({ name: row.name, retention_days: row.retention_days }))
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
