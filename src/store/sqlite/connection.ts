import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database as Schema } from '../schema.js';

export type Durability = 'full' | 'normal';

/**
 * Opens a connection in WAL mode: readers on the main thread never wait for the writer thread.
 * `full` makes every commit fsync the WAL, so an acknowledged write survives power loss too;
 * `normal` survives a process crash (kill -9) but not an OS crash.
 */
export function openSqlite(path: string, durability: Durability): { raw: Database.Database; kysely: Kysely<Schema> } {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  return { raw, kysely: new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) }) };
}
