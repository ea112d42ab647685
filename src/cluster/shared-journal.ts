import type { Kysely } from 'kysely';
import type { Journal, JournalEntry } from '../domain/traffic/journal.js';
import type { Database } from '../store/schema.js';

const FLUSH_MS = 100;
const FLUSH_AT = 200;

/**
 * The request journal of several instances, in the database: whichever instance served a call,
 * every instance lists it. Recording never waits for the database: entries are written in
 * batches every FLUSH_MS (or every FLUSH_AT entries), and listing first writes this instance's
 * pending ones, so a caller always sees its own calls. The leader trims each tenant to its last
 * `capacity` entries (`trim`); until then a listing simply stops at `capacity`.
 */
export class SharedJournal implements Journal {
  private pending: { tenant_id: string; entry: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly capacity: number,
  ) {}

  record(tenantId: string, entry: JournalEntry): void {
    if (this.capacity === 0) return;
    this.pending.push({ tenant_id: tenantId, entry: JSON.stringify(entry) });
    if (this.pending.length >= FLUSH_AT) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  async list(tenantId: string, limit: number): Promise<JournalEntry[]> {
    await this.flush();
    const rows = await this.db
      .selectFrom('journal_entries')
      .select('entry')
      .where('tenant_id', '=', tenantId)
      .orderBy('seq', 'desc')
      .limit(Math.min(limit, this.capacity))
      .execute();
    return rows.map((r) => JSON.parse(r.entry) as JournalEntry);
  }

  async clear(tenantId: string): Promise<void> {
    await this.flush();
    await this.db.deleteFrom('journal_entries').where('tenant_id', '=', tenantId).execute();
  }

  /** Keeps each tenant's newest `capacity` entries (periodic work of the leader). */
  async trim(): Promise<void> {
    if (this.capacity === 0) {
      await this.db.deleteFrom('journal_entries').execute();
      return;
    }
    const tenants = await this.db.selectFrom('journal_entries').select('tenant_id').distinct().execute();
    for (const { tenant_id } of tenants) {
      const oldestKept = await this.db
        .selectFrom('journal_entries')
        .select('seq')
        .where('tenant_id', '=', tenant_id)
        .orderBy('seq', 'desc')
        .offset(this.capacity - 1)
        .limit(1)
        .executeTakeFirst();
      if (oldestKept) await this.db.deleteFrom('journal_entries').where('tenant_id', '=', tenant_id).where('seq', '<', oldestKept.seq).execute();
    }
  }

  /** Writes what is pending; entries that cannot be written are dropped (the journal is an aid, not a record). */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.writing = this.writing.then(async () => {
      if (batch.length > 0) await this.db.insertInto('journal_entries').values(batch).execute().catch(() => {});
    });
    return this.writing;
  }
}
