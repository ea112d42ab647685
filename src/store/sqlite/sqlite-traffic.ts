import type { Kysely } from 'kysely';
import type { FaultSpec } from '../../domain/fault-spec.js';
import type { LimitCounter } from '../../domain/limits.js';
import type { Database } from '../schema.js';
import type { SyncExecutor } from './sync-executor.js';
import type { Statement } from './write-protocol.js';

type Exec = (...statements: Statement[]) => Promise<void>;

/** The FaultRuleStore and LimitCounterStore halves of the SQLite store (issue 4). */
export class SqliteTraffic {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly read: SyncExecutor,
    private readonly exec: Exec,
  ) {}

  listFaultRules(tenantId: string): FaultSpec[] {
    const rows = this.read.all(this.db.selectFrom('fault_rules').select('spec').where('tenant_id', '=', tenantId).orderBy('position').compile());
    return rows.map((r) => JSON.parse(r.spec) as FaultSpec);
  }

  tenantsWithFaultRules(): string[] {
    return this.read.all(this.db.selectFrom('fault_rules').select('tenant_id').distinct().compile()).map((r) => r.tenant_id);
  }

  async replaceFaultRules(tenantId: string, rules: readonly FaultSpec[]): Promise<void> {
    await this.exec(
      this.db.deleteFrom('fault_rules').where('tenant_id', '=', tenantId).compile(),
      ...rules.map((spec, position) => this.db.insertInto('fault_rules').values({ tenant_id: tenantId, position, spec: JSON.stringify(spec) }).compile()),
    );
  }

  loadLimitCounters(): LimitCounter[] {
    return this.read.all(this.db.selectFrom('limit_counters').selectAll().compile()).map((r) => ({
      key: r.key,
      minuteStart: Number(r.minute_start),
      minuteCount: Number(r.minute_count),
      hourStart: Number(r.hour_start),
      hourCount: Number(r.hour_count),
    }));
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
}
