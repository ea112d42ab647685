import type { Kysely } from 'kysely';
import type { Database, MachineIpRow, MachineRow } from '../schema.js';
import { ipUpsert, machineUpsert } from '../machine-writes.js';
import { MACHINE_COLUMNS } from './machine-row-values.js';
import type { SyncExecutor } from './sync-executor.js';

/**
 * The seed/import write path of the group commit. Kysely writes each statement's SQL once, from
 * a template row; every row then only binds its parameters to the prepared statement. Compiling
 * per row cost more than the inserts themselves at a million machines.
 */
export class BulkSql {
  private readonly upsertMachine: string;
  private readonly selectValue: string;
  private readonly deleteTags: string;
  private readonly insertTag: string;
  private readonly upsertIp: string;

  constructor(
    kysely: Kysely<Database>,
    private readonly exec: SyncExecutor,
  ) {
    const template = Object.fromEntries(MACHINE_COLUMNS.map((c) => [c, null])) as unknown as MachineRow;
    this.upsertMachine = machineUpsert(kysely, template).sql;
    this.selectValue = kysely.selectFrom('machines').select('device_value').where('tenant_id', '=', '').where('id', '=', '').compile().sql;
    this.deleteTags = kysely.deleteFrom('machine_tags').where('tenant_id', '=', '').where('machine_id', '=', '').compile().sql;
    this.insertTag = kysely.insertInto('machine_tags').values({ tenant_id: '', machine_id: '', tag: '' }).onConflict((oc) => oc.doNothing()).compile().sql;
    this.upsertIp = ipUpsert(kysely, [{ tenant_id: '', machine_id: '', ip_address: '', seen_from: '', seen_to: '' }]).sql;
  }

  /** Inserts or replaces one machine and its tags; returns the device value it had before, if it existed. */
  putMachine(row: MachineRow): string | undefined {
    const existing = this.exec.get<{ device_value: string }>({ sql: this.selectValue, parameters: [row.tenant_id, row.id] });
    this.exec.run({ sql: this.upsertMachine, parameters: MACHINE_COLUMNS.map((c) => row[c]) });
    if (existing) this.exec.run({ sql: this.deleteTags, parameters: [row.tenant_id, row.id] });
    for (const tag of JSON.parse(row.machine_tags) as string[]) this.exec.run({ sql: this.insertTag, parameters: [row.tenant_id, row.id, tag] });
    return existing?.device_value;
  }

  putIpRows(rows: readonly MachineIpRow[]): void {
    for (const r of rows) this.exec.run({ sql: this.upsertIp, parameters: [r.tenant_id, r.machine_id, r.ip_address, r.seen_from, r.seen_to] });
  }
}
