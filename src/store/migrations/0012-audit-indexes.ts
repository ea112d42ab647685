import type { Kysely } from 'kysely';

const VALUES = ['route', 'old_value', 'new_value'] as const;

/**
 * The fleet audit (issue 13) on a million history rows: its page is ordered by (changed_at, seq),
 * newest first, so each filter gets an index that leads with it and ends in that order. The
 * database then reads one index backwards from the keyset position and stops after a page,
 * instead of sorting every matching entry. The other filters ride along as trailing columns, so
 * a second filter is checked in the index (no table row read for an entry it rejects): "route
 * seed by this user", which matches nothing, reads index entries only. Device filters are
 * selective enough alone; a pair of values has its own index, so a transition that never
 * happens is a seek.
 */
const INDEXES: Record<string, readonly string[]> = {
  value_history_by_time: ['tenant_id', 'changed_at', 'seq', ...VALUES],
  value_history_by_machine_time: ['tenant_id', 'machine_id', 'changed_at', 'seq'],
  value_history_by_user_time: ['tenant_id', 'user_id', 'changed_at', 'seq', 'app_id', ...VALUES],
  value_history_by_app_time: ['tenant_id', 'app_id', 'changed_at', 'seq', 'user_id', ...VALUES],
  value_history_by_route_time: ['tenant_id', 'route', 'changed_at', 'seq', 'user_id', 'app_id', 'old_value', 'new_value'],
  value_history_by_transition_time: ['tenant_id', 'old_value', 'new_value', 'changed_at', 'seq', 'route'],
};

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [name, columns] of Object.entries(INDEXES)) {
    await db.schema.createIndex(name).ifNotExists().on('value_history').columns([...columns]).execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of Object.keys(INDEXES)) await db.schema.dropIndex(name).ifExists().execute();
}
