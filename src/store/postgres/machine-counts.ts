import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Folds the -1/+1 rows PostgreSQL's trigger appends to `machine_counts` (migration 0008) into one
 * row per key, dropping keys that sum to zero. Only keys with more than one row (or a zero) are
 * rewritten, so an idle fleet costs one grouped read and no dead rows. One statement: readers see
 * the rows before or after, never half, and rows appended meanwhile are not in the DELETE's
 * snapshot, so they stay. Run by the leader (src/cluster/deployment.ts); readers sum whatever is
 * there, so a late fold only costs them time, never correctness.
 */
export async function compactMachineCounts(db: Kysely<Database>): Promise<void> {
  await sql`
    with loose as (
      select tenant_id, rbac_group_id, device_value, seen_day from machine_counts
      group by tenant_id, rbac_group_id, device_value, seen_day
      having count(*) > 1 or sum(n) = 0
    ), folded as (
      delete from machine_counts m using loose k
      where m.tenant_id = k.tenant_id and m.rbac_group_id = k.rbac_group_id and m.device_value = k.device_value and m.seen_day = k.seen_day
      returning m.tenant_id, m.rbac_group_id, m.device_value, m.seen_day, m.n
    )
    insert into machine_counts (tenant_id, rbac_group_id, device_value, seen_day, n)
    select tenant_id, rbac_group_id, device_value, seen_day, sum(n) from folded
    group by tenant_id, rbac_group_id, device_value, seen_day
    having sum(n) <> 0`.execute(db);
}
