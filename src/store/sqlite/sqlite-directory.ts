import type { Kysely } from 'kysely';
import type { DeviceGroup, Role, User } from '../../domain/directory.js';
import type { Directory, GroupChange, MachineGroupFacts } from '../../domain/ports.js';
import {
  applicationToRow,
  deviceGroupToRow,
  roleToRow,
  rowToDeviceGroup,
  rowToRole,
  rowToUser,
  userToRow,
} from '../directory-rows.js';
import type { Database } from '../schema.js';
import type { SyncExecutor } from './sync-executor.js';
import type { Statement } from './write-protocol.js';

type Exec = (...statements: Statement[]) => Promise<void>;

/** The DirectoryStore half of the SQLite store: users, roles, device groups and re-grouping. */
export class SqliteDirectory {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly read: SyncExecutor,
    private readonly exec: Exec,
  ) {}

  listUsers(tenantId: string): User[] {
    return this.read.all(this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).orderBy('user_principal_name_lc').compile()).map(rowToUser);
  }

  getUserByPrincipalName(tenantId: string, userPrincipalName: string): User | undefined {
    const row = this.read.get(
      this.db.selectFrom('users').selectAll().where('tenant_id', '=', tenantId).where('user_principal_name_lc', '=', userPrincipalName.toLowerCase()).compile(),
    );
    return row && rowToUser(row);
  }

  listRoles(tenantId: string): Role[] {
    return this.read.all(this.db.selectFrom('roles').selectAll().where('tenant_id', '=', tenantId).orderBy('name').compile()).map(rowToRole);
  }

  listDeviceGroups(tenantId: string): DeviceGroup[] {
    return this.read.all(this.db.selectFrom('device_groups').selectAll().where('tenant_id', '=', tenantId).orderBy('rank').compile()).map(rowToDeviceGroup);
  }

  async replaceDirectory(tenantId: string, d: Directory): Promise<void> {
    const statements: Statement[] = [];
    for (const table of ['applications', 'users', 'roles', 'device_groups'] as const) {
      statements.push(this.db.deleteFrom(table).where('tenant_id', '=', tenantId).compile());
    }
    for (const a of d.applications) statements.push(this.db.insertInto('applications').values(applicationToRow(a)).compile());
    for (const u of d.users) statements.push(this.db.insertInto('users').values(userToRow(u)).compile());
    for (const r of d.roles) statements.push(this.db.insertInto('roles').values(roleToRow(r)).compile());
    for (const g of d.deviceGroups) statements.push(this.db.insertInto('device_groups').values(deviceGroupToRow(g)).compile());
    await this.exec(...statements);
  }

  machineGroupFacts(tenantId: string, afterId: string, limit: number): MachineGroupFacts[] {
    const rows = this.read.all(
      this.db
        .selectFrom('machines')
        .select(['id', 'computer_dns_name', 'os_platform', 'machine_tags', 'rbac_group_id', 'rbac_group_name'])
        .where('tenant_id', '=', tenantId)
        .where('id', '>', afterId)
        .orderBy('id')
        .limit(limit)
        .compile(),
    );
    return rows.map((r) => ({
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
}
