import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database as Schema } from '../schema.js';

export type Durability = 'full' | 'normal';

/**
 * Opens the store's connection in WAL mode, fully synchronous: migrations and anything else run
 * before the group commit takes over are flushed by SQLite itself. The group commit then switches
 * it to `synchronous=OFF` and does the flushing and checkpointing its own way (group-commit.ts).
 */
export function openSqlite(path: string): { raw: Database.Database; kysely: Kysely<Schema> } {
  const raw = new Database(path);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = FULL');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('foreign_keys = ON');
  return { raw, kysely: new Kysely<Schema>({ dialect: new SqliteDialect({ database: raw }) }) };
}
