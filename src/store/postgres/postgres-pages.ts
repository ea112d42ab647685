import type { CompiledQuery, Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import type { MachinePage } from '../../domain/machines/machine-query.js';
import type { MachineScope } from '../../domain/ports.js';
import { pageRows, seenBetweenQuery } from '../machine-queries.js';
import { anyTagNodes } from '../query-compiler.js';
import type { Database } from '../schema.js';
import { bookmarkable, SkipBookmarks } from '../skip-bookmarks.js';
import { listVersion } from './list-versions.js';

type PageRows = ReturnType<typeof pageRows>;
type Columns<R> = (q: PageRows) => SelectQueryBuilder<Database, 'machines', R>;

/**
 * Listing pages on PostgreSQL, with `$skip` bookmarks (docs/adr/0018-postgresql-deep-skip.md).
 * A deep `$skip` is an OFFSET that steps over every skipped machine (1.3 s at 500,000), so a page
 * in id order is read from the nearest bookmark before it instead (`id > afterId`, skipping the
 * rest), which gives exactly the rows OFFSET would as long as no change that could move a
 * machine in or out of the listing was committed since the bookmark was made. That is checked in
 * the page's own snapshot: one REPEATABLE READ transaction reads the listing's version
 * (list-versions.ts), then the page, so the version read is the version of the rows read, and a
 * bookmark made at another version is never used. A bookmark is only made from rows read in the
 * same snapshot as the version it is filed under.
 */
export class PostgresPages {
  private readonly bookmarks = new SkipBookmarks();

  constructor(
    private readonly db: Kysely<Database>,
    /** Refuses what PostgreSQL cannot hold (a NUL): such a query finds nothing (postgres-store.ts). */
    private readonly answerable: (query: CompiledQuery) => boolean,
  ) {}

  async read<R extends { id: string }>(scope: MachineScope, page: MachinePage, columns: Columns<R>): Promise<R[]> {
    const rare = new Set(anyTagNodes(page.filter));
    if (page.skip === 0 || !bookmarkable(page)) return this.run(this.db, columns(pageRows(this.db, scope, page, rare)).compile());
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .setAccessMode('read only')
      .execute(async (trx) => {
        const version = await listVersion(trx, page.filter);
        if (version === undefined) return this.run(trx, columns(pageRows(this.db, scope, page, rare)).compile());
        const gap = this.bookmarks.retentionGap(scope, page, version);
        if (gap) {
          const crossed = await this.run(trx, seenBetweenQuery(this.db, scope.tenantId, gap[0], gap[1]));
          this.bookmarks.settleGap(scope, page, version, crossed.length > 0);
        }
        const seek = this.bookmarks.seek(scope, page, version);
        const lead = seek.skip > 0 ? 1 : 0; // one row in front names the bookmark of this page's start
        const read = { ...page, skip: seek.skip - lead, limit: page.limit + lead };
        const rows = await this.run(trx, columns(pageRows(this.db, scope, read, rare, seek.afterId)).compile());
        const first = lead === 1 ? rows.shift() : undefined;
        if (first && rows.length > 0) this.bookmarks.remember(scope, page, version, page.skip, first.id);
        const last = rows.at(-1);
        if (last) this.bookmarks.remember(scope, page, version, page.skip + rows.length, last.id);
        return rows;
      });
  }

  private async run<R>(on: Kysely<Database> | Transaction<Database>, query: CompiledQuery<R>): Promise<R[]> {
    if (!this.answerable(query)) return [];
    return [...(await on.executeQuery(query)).rows];
  }
}
