import type { CompiledQuery, Kysely } from 'kysely';
import type { MachineUpdate } from '../domain/ports.js';
import { isValueChange, type ChangeContext } from '../domain/machines/value-change.js';
import type { Database, MachineIpRow, MachineRow, MachineTagRow } from './schema.js';

/*
 * The statements of the machine writes, for every dialect. Each backend decides how to lock and
 * commit them (SQLite: the group commit's transaction; PostgreSQL: a row lock on the machine).
 */

/** Insert-or-replace of whole machine rows, in SQL both dialects accept (ON CONFLICT DO UPDATE). */
export function machineUpsert(db: Kysely<Database>, rows: MachineRow | readonly MachineRow[]) {
  const template = Array.isArray(rows) ? (rows[0] as MachineRow) : (rows as MachineRow);
  const { tenant_id: _t, id: _i, ...rest } = template;
  return db
    .insertInto('machines')
    .values(Array.isArray(rows) ? [...(rows as readonly MachineRow[])] : (rows as MachineRow))
    .onConflict((oc) =>
      oc
        .columns(['tenant_id', 'id'])
        .doUpdateSet((eb) =>
          // Every column but the key takes the incoming value; the cast names the dynamic keys.
          Object.fromEntries(Object.keys(rest).map((c) => [c, eb.ref(`excluded.${c}` as 'excluded.id')])) as never,
        ),
    )
    .compile();
}

/** Address history rows; an entry with the same machine, address and start is replaced. */
export function ipUpsert(db: Kysely<Database>, rows: readonly MachineIpRow[]) {
  return db
    .insertInto('machine_ip_history')
    .values([...rows])
    .onConflict((oc) => oc.columns(['tenant_id', 'machine_id', 'ip_address', 'seen_from']).doUpdateSet((eb) => ({ seen_to: eb.ref('excluded.seen_to') })))
    .compile();
}

export const tagRows = (tenantId: string, machineId: string, tags: readonly string[]): MachineTagRow[] =>
  tags.map((tag) => ({ tenant_id: tenantId, machine_id: machineId, tag }));

/** A written machine's tag rows: a tag listed twice is one row (the table's key). */
export const machineTagRows = (row: MachineRow): MachineTagRow[] => tagRows(row.tenant_id, row.id, [...new Set(JSON.parse(row.machine_tags) as string[])]);

/**
 * Address rows for one statement, which may not touch a row twice: the last entry for a key wins,
 * as it would written one by one.
 */
export function latestIpRows(rows: readonly MachineIpRow[]): MachineIpRow[] {
  const byKey = new Map<string, MachineIpRow>();
  for (const row of rows) byKey.set(JSON.stringify([row.machine_id, row.ip_address, row.seen_from]), row);
  return [...byKey.values()];
}

export interface UpdatePlan {
  /** The machine row as the update leaves it. */
  readonly row: MachineRow;
  readonly previousDeviceValue: string;
  readonly statements: CompiledQuery[];
}

/**
 * What a MachineUpdate writes, given the machine's current row (read under the backend's lock):
 * the changed columns, the tags table when the tags change, and a value-history entry whose old
 * value is the row's, so consecutive entries always chain.
 */
export function planUpdate(db: Kysely<Database>, current: MachineRow, u: MachineUpdate): UpdatePlan {
  const tenantId = u.scope.tenantId;
  const row = applyUpdate({ ...current }, u);
  const statements: CompiledQuery[] = [];
  if (u.machineTags !== undefined) {
    statements.push(db.deleteFrom('machine_tags').where('tenant_id', '=', tenantId).where('machine_id', '=', u.machineId).compile());
    if (u.machineTags.length > 0) statements.push(db.insertInto('machine_tags').values(tagRows(tenantId, u.machineId, u.machineTags)).compile());
  }
  // Only the columns the update is about: on PostgreSQL which columns an UPDATE sets decides
  // which listing versions move (migration 0014), so a tag change keeps unfiltered $skip bookmarks.
  const groupMoved = row.rbac_group_id !== current.rbac_group_id || row.rbac_group_name !== current.rbac_group_name;
  const changes = {
    ...(u.deviceValue !== undefined || (u.machineTags === undefined && !groupMoved) ? { device_value: row.device_value } : {}),
    ...(u.machineTags !== undefined ? { machine_tags: row.machine_tags } : {}),
    ...(groupMoved ? { rbac_group_id: row.rbac_group_id, rbac_group_name: row.rbac_group_name } : {}),
  };
  statements.unshift(
    db
      .updateTable('machines')
      .set(changes)
      .where('tenant_id', '=', tenantId)
      .where('id', '=', u.machineId)
      .compile(),
  );
  if (isValueChange(current.device_value, u.deviceValue)) {
    statements.push(valueChangeInsert(db, [{ tenantId, machineId: u.machineId, oldValue: current.device_value, newValue: u.deviceValue }], u.change));
  }
  return { row, previousDeviceValue: current.device_value, statements };
}

/** The columns a MachineUpdate changes, set on `row` (changed in place, and returned). */
export function applyUpdate(row: MachineRow, u: MachineUpdate): MachineRow {
  if (u.deviceValue !== undefined) row.device_value = u.deviceValue;
  if (u.machineTags !== undefined) row.machine_tags = JSON.stringify(u.machineTags);
  if (u.group !== undefined) {
    row.rbac_group_id = u.group.rbacGroupId;
    row.rbac_group_name = u.group.rbacGroupName;
  }
  return row;
}

/** A seed or import replacing a machine is a value change only when the machine existed with another value. */
export function valueTransition(row: MachineRow, previous: string | undefined): ValueTransition | undefined {
  return previous !== undefined && isValueChange(previous, row.device_value) ? { tenantId: row.tenant_id, machineId: row.id, oldValue: previous, newValue: row.device_value } : undefined;
}

export interface ValueTransition {
  readonly tenantId: string;
  readonly machineId: string;
  readonly oldValue: string;
  readonly newValue: string;
}

/** Value-history entries, in the order given (their seq follows it). */
export function valueChangeInsert(db: Kysely<Database>, transitions: readonly ValueTransition[], change: ChangeContext): CompiledQuery {
  return db
    .insertInto('value_history')
    .values(
      transitions.map((t) => ({
        tenant_id: t.tenantId,
        machine_id: t.machineId,
        old_value: t.oldValue,
        new_value: t.newValue,
        changed_at: change.at,
        app_id: change.appId,
        user_id: change.userId,
        route: change.route,
        request_id: change.requestId,
      })),
    )
    .compile();
}
