import { sql, type Kysely } from 'kysely';
import type { Database } from '../schema.js';

/**
 * Folds the -1/+1 rows PostgreSQL's trigger appends to `machine_counts` (migration 0008) into one
 * row per key, dropping keys that sum to zero. One statement: readers see the rows before or
 * after, never half, and rows appended meanwhile are not in the DELETE's snapshot, so they stay.
 * Run by the leader (src/cluster/deployment.ts); readers sum whatever is there, so a late fold
 * only costs them time, never correctness.
 */
export async function compactMachineCounts(db: Kysely<Database>): Promise<void> {
  await sql`
    with folded as (delete from machine_counts returning tenant_id, rbac_group_id, device_value, seen_day, n)
    insert into machine_counts (tenant_id, rbac_group_id, device_value, seen_day, n)
    select tenant_id, rbac_group_id, device_value, seen_day, sum(n) from folded
    group by tenant_id, rbac_group_id, device_value, seen_day
    having sum(n) <> 0`.execute(db);
}
