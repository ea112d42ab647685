import { PostgresAdapter, sql, type RawBuilder } from 'kysely';

interface HasExecutor {
  getExecutor(): { readonly adapter: unknown };
}

/**
 * Where SQLite and PostgreSQL need different SQL, the query builders ask this one question of the
 * Kysely instance they were given, so each difference is decided in one place.
 */
export const isPostgres = (db: HasExecutor): boolean => db.getExecutor().adapter instanceof PostgresAdapter;

/**
 * The type of every text column. SQLite compares text by code point (BINARY); PostgreSQL by the
 * database's collation, which is often a language's (`en_US.UTF-8` sorts `a` < `B` and ignores
 * punctuation). `$orderby`, `startswith` (an index range up to the prefix's successor) and every
 * paging order must be the same on both, so PostgreSQL's text columns collate as "C".
 */
export const textType = (db: HasExecutor): 'text' | RawBuilder<unknown> => (isPostgres(db) ? sql`text collate "C"` : 'text');
