import { sql, type Kysely } from 'kysely';
import type { FaultCounters } from '../domain/traffic/faults.js';
import type { Database } from '../store/schema.js';

/**
 * Fault-rule call counters in the database, so a rule counts the calls of every instance once:
 * one upsert per matching call of a count or rate rule, and nothing for other calls.
 */
export class SharedFaultCounters implements FaultCounters {
  constructor(private readonly db: Kysely<Database>) {}

  async next(tenantId: string, ruleKey: string): Promise<number> {
    const row = await this.db
      .insertInto('fault_counters')
      .values({ tenant_id: tenantId, rule_key: ruleKey, calls: 1 })
      .onConflict((oc) => oc.columns(['tenant_id', 'rule_key']).doUpdateSet({ calls: sql`fault_counters.calls + 1` }))
      .returning('calls')
      .executeTakeFirstOrThrow();
    return Number(row.calls);
  }

  async used(tenantId: string, ruleKey: string): Promise<number> {
    const row = await this.db.selectFrom('fault_counters').select('calls').where('tenant_id', '=', tenantId).where('rule_key', '=', ruleKey).executeTakeFirst();
    return row ? Number(row.calls) : 0;
  }

  async forget(tenantId: string, keep: readonly string[]): Promise<void> {
    let query = this.db.deleteFrom('fault_counters').where('tenant_id', '=', tenantId);
    if (keep.length > 0) query = query.where('rule_key', 'not in', keep);
    await query.execute();
  }
}
