import type { Kysely } from 'kysely';

/**
 * The fleet audit (issue 13) on a million history rows: its page is ordered by (changed_at, seq),
 * newest first, so each filter gets an index that leads with it and ends in that order. The
 * database then reads one index backwards from the keyset position and stops after a page,
 * instead of sorting every matching entry. One value alone (three of them) and time ranges read
 * the tenant-wide index, where about every third row matches; a pair of values has its own.
 */
const INDEXES: Record<string, readonly string[]> = {
  value_history_by_time: ['tenant_id', 'changed_at', 'seq'],
  value_history_by_machine_time: ['tenant_id', 'machine_id', 'changed_at', 'seq'],
  value_history_by_user_time: ['tenant_id', 'user_id', 'changed_at', 'seq'],
  value_history_by_app_time: ['tenant_id', 'app_id', 'changed_at', 'seq'],
  value_history_by_route_time: ['tenant_id', 'route', 'changed_at', 'seq'],
  // Both values together: a transition that is rare (or never happens) is found by a seek, not a scan.
  value_history_by_transition_time: ['tenant_id', 'old_value', 'new_value', 'changed_at', 'seq'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, columns] of Object.entries(INDEXES)) {
    await db.schema.createIndex(name).ifNotExists().on('value_history').columns([...columns]).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of Object.keys(INDEXES)) await db.schema.dropIndex(name).ifExists().execute();
}
