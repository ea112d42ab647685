import type { Kysely } from 'kysely';
import type { Database, MachineRow, MachineTagRow } from '../schema.js';

/** Insert-or-replace of a whole machine row, in SQL both dialects accept (ON CONFLICT DO UPDATE). */
export function machineUpsert(db: Kysely<Database>, row: MachineRow) {
  const { tenant_id: _t, id: _i, ...rest } = row;
  return db
    .insertInto('machines')
    .values(row)
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

export const tagRows = (tenantId: string, machineId: string, tags: readonly string[]): MachineTagRow[] =>
  tags.map((tag) => ({ tenant_id: tenantId, machine_id: machineId, tag }));
