import { sql, type Kysely } from 'kysely';
import { isPostgres } from '../dialect.js';

/**
 * Planner statistics for alerts on databases made before bulk loads analyzed them (issue 16).
 * XSOAR's fetch (`alertCreationTime gt <t>` and a status filter, oldest first, 50) is a walk of
 * `alerts_by_created` that stops after the page, but PostgreSQL picks it only when it knows how
 * common each status is: on an alerts table never analyzed it reads and sorts every alert of the
 * time window instead (half a second at 100,000 machines, growing with the fleet). The index the
 * walk needs exists since 0011; what an older database lacks is the statistics, gathered here
 * once. SQLite's store gathers its own when it opens (sqlite-inventory.ts), and its page query
 * does not depend on alert statistics for its shape.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  if (isPostgres(db)) await sql`analyze alerts`.execute(db);
}

export async function down(): Promise<void> {
  // Statistics are not schema: nothing to undo.
}
