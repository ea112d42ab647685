import type BetterSqlite3 from 'better-sqlite3';
import type { CompiledQuery } from 'kysely';

/**
 * Runs Kysely-compiled queries synchronously through better-sqlite3, preparing each distinct
 * SQL text once. Kysely stays the single source of SQL, without its async driver's per-query
 * overhead on the hot paths (docs/adr/0002, 0007).
 */
const MAX_STATEMENTS = 500;

export class SyncExecutor {
  private readonly statements = new Map<string, BetterSqlite3.Statement>();

  constructor(readonly db: BetterSqlite3.Database) {}

  all<R>(query: CompiledQuery<R> | { sql: string; parameters: readonly unknown[] }): R[] {
    return this.prepare(query.sql).all(...query.parameters) as R[];
  }

  /** The rows as arrays in the statement's column order (better-sqlite3's raw mode). */
  arrays(query: { sql: string; parameters: readonly unknown[] }): unknown[][] {
    const statement = this.prepare(query.sql);
    try {
      return statement.raw(true).all(...query.parameters) as unknown[][];
    } finally {
      statement.raw(false);
    }
  }

  get<R>(query: CompiledQuery<R> | { sql: string; parameters: readonly unknown[] }): R | undefined {
    return this.prepare(query.sql).get(...query.parameters) as R | undefined;
  }

  run(query: { sql: string; parameters: readonly unknown[] }): void {
    this.prepare(query.sql).run(...query.parameters);
  }

  private prepare(sql: string): BetterSqlite3.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      // OData filters make the SQL text as varied as the clients' queries: keep the most recent
      // statements only (a Map iterates in insertion order, so the first key is the oldest).
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value as string);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
