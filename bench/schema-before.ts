/**
 * `--schema-before`: the PostgreSQL schema as it was before issue 15, for a side-by-side figure
 * in one run (on a shared machine, runs minutes apart are not comparable). The instances start on
 * the newest schema, then migration 0012 is undone under them: the same code, the value column
 * indexed again and the default fillfactor, so only the schema differs.
 */
import type { Kysely } from 'kysely';
import { down } from '../src/store/migrations/0012-hot-device-value.js';
import { connectKysely } from '../src/store/postgres/pool.js';

export async function undoHotValues(url: string): Promise<void> {
  const db = connectKysely(url, 1);
  try {
    await down(db as Kysely<unknown>);
  } finally {
    await db.destroy();
  }
}
