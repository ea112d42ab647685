import { PostgresAdapter, type Kysely } from 'kysely';

/**
 * Where SQLite and PostgreSQL need different SQL, the query builders ask this one question of the
 * Kysely instance they were given, so each difference is decided in one place.
 */
export const isPostgres = (db: Kysely<never> | Kysely<unknown>): boolean => db.getExecutor().adapter instanceof PostgresAdapter;
