import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { IpAssignment, IpSearch } from '../../domain/machines/ip-history.js';
import type { Machine } from '../../domain/machines/machine.js';
import type { AnyTag, MachineFilter, MachinePage, MachinePropertyName } from '../../domain/machines/machine-query.js';
import type { MachineScope } from '../../domain/ports.js';
import { countMachinesQuery, ipRows, machinesByIpQuery, pageRows, seenBetweenQuery, tagMatchesQuery } from '../machine-queries.js';
import { SkipBookmarks } from '../skip-bookmarks.js';
import { CompiledCache } from './compiled-cache.js';
import { machineJson } from '../machine-json-sql.js';
import { anyTagNodes } from '../query-compiler.js';
import { rowToMachine } from '../machine-rows.js';
import type { Database, MachineRow } from '../schema.js';
import type { SyncExecutor } from './sync-executor.js';
import type { WriteOp } from './write-protocol.js';

const IP_BATCH = 5000;
type PageRows = ReturnType<typeof pageRows>;
/** An any() matching fewer tags than this is read from the tag index first (see compileFilter). */
const RARE_TAG_MATCHES = 2000;
/** For queries that do not depend on a scope. */
const NO_SCOPE: MachineScope = { tenantId: '', visibleSince: '' as MachineScope['visibleSince'], rbacGroupIds: null };

/** The inventory half of the SQLite store: OData listing, counts and the address history. */
export class SqliteInventory {
  private readonly bookmarks = new SkipBookmarks();
  private readonly compiled = new CompiledCache();
  private readonly anySeenBetween: (tenantId: string, from: string, to: string) => boolean;

  constructor(
    private readonly db: Kysely<Database>,
    private readonly read: SyncExecutor,
    private readonly write: (op: WriteOp) => Promise<unknown>,
    /** Changes whenever anything was committed: this connection's commits and other processes'. */
    private readonly dataVersion: () => number,
  ) {
    // Asked on every deep page: compiled once, with markers standing for the values.
    const seen = seenBetweenQuery(db, '\u0000tenant', '\u0000from', '\u0000to');
    this.anySeenBetween = (tenantId, from, to) => {
      const values: Record<string, unknown> = { '\u0000tenant': tenantId, '\u0000from': from, '\u0000to': to };
      return read.get({ sql: seen.sql, parameters: seen.parameters.map((p) => (typeof p === 'string' ? values[p] : p)) }) !== undefined;
    };
  }

  listMachines(scope: MachineScope, page: MachinePage): Machine[] {
    return this.page(scope, page, 'rows', (q) => q.selectAll()).map(rowToMachine);
  }

  /** The page as wire JSON text, built by SQLite: no row objects, no parse, no stringify. */
  listMachineJson(scope: MachineScope, page: MachinePage, select: readonly MachinePropertyName[] | null): string[] {
    return this.page(scope, page, `json ${select ?? '*'}`, (q) => q.select(['machines.id', machineJson(this.db, select).as('json')])).map((r) => r.json);
  }

  /**
   * Reads one page, starting from a skip bookmark when there is one, and leaves bookmarks for the
   * pages after it. (A commit between the bookmark check and the read can shift that one page
   * the way any concurrent change shifts $skip paging; the next request sees the new data version.)
   */
  private page<R extends { id: string }>(
    scope: MachineScope,
    page: MachinePage,
    shape: string,
    columns: (q: PageRows) => SelectQueryBuilder<Database, 'machines', R>,
  ): R[] {
    const version = String(this.dataVersion());
    const gap = this.bookmarks.retentionGap(scope, page, version);
    if (gap) this.bookmarks.settleGap(scope, page, version, this.anySeenBetween(scope.tenantId, gap[0], gap[1]));
    const seek = this.bookmarks.seek(scope, page, version);
    const lead = seek.skip > 0 ? 1 : 0; // one row in front names the bookmark of this page's start
    const read = { ...page, skip: seek.skip - lead, limit: page.limit + lead };
    const rare = this.rareTags(scope.tenantId, page.filter);
    const plan = anyTagNodes(page.filter).map((n) => rare.has(n));
    const key = JSON.stringify([shape, scope.tenantId, scope.rbacGroupIds, read, seek.afterId, plan]);
    const query = this.compiled.get(key, scope, (s) => columns(pageRows(this.db, s, read, rare, seek.afterId)).compile());
    const rows = this.read.all<R>(query);
    const first = lead === 1 ? rows.shift() : undefined;
    if (first && rows.length > 0) this.bookmarks.remember(scope, page, version, page.skip, first.id);
    const last = rows.at(-1);
    if (last) this.bookmarks.remember(scope, page, version, page.skip + rows.length, last.id);
    return rows;
  }

  countMatching(scope: MachineScope, filter: MachineFilter | null): number {
    return Number(this.read.get(countMachinesQuery(this.db, scope, filter, this.rareTags(scope.tenantId, filter)))?.n ?? 0);
  }

  /** A probe of at most RARE_TAG_MATCHES index entries per any(), so the plan fits the tag's frequency. */
  private rareTags(tenantId: string, filter: MachineFilter | null): Set<AnyTag> {
    const rare = new Set<AnyTag>();
    for (const node of anyTagNodes(filter)) {
      const probe = this.compiled.get(JSON.stringify(['tags', tenantId, node]), NO_SCOPE, () => tagMatchesQuery(this.db, tenantId, node, RARE_TAG_MATCHES));
      if (Number(this.read.get<{ n: number }>(probe)?.n ?? 0) < RARE_TAG_MATCHES) rare.add(node);
    }
    return rare;
  }

  machinesByIp(scope: MachineScope, search: IpSearch, limit: number): Machine[] {
    return this.read.all<MachineRow>(machinesByIpQuery(this.db, scope, search.ipAddress, search.from, search.to, limit)).map(rowToMachine);
  }

  /**
   * The query planner needs statistics to choose between an index that filters and one that
   * gives the order (at a million machines the wrong choice costs seconds, not milliseconds).
   * They are gathered at open when missing (also for an index a migration added since: without
   * statistics the planner trusts it blindly), and at close when bulk writes (seed, import) at
   * least doubled the machines since they were gathered. `ANALYZE` reads every index: about 6 s
   * for a million machines.
   */
  async refreshStatistics(force: boolean): Promise<void> {
    const analyzed = this.analyzedMachines();
    if (!force && analyzed !== undefined && this.bulkRows <= Math.max(1000, analyzed) && !this.unanalyzedIndexes()) return;
    await this.write({ op: 'exec', statements: [{ sql: 'PRAGMA analysis_limit = 0', parameters: [] }, { sql: 'ANALYZE', parameters: [] }] });
    this.bulkRows = 0;
  }

  /** A quick ANALYZE reading a few hundred rows of each index: estimates good enough to plan by. */
  async sampleStatistics(): Promise<void> {
    await this.write({ op: 'exec', statements: [{ sql: 'PRAGMA analysis_limit = 400', parameters: [] }, { sql: 'ANALYZE', parameters: [] }] });
  }

  private bulkRows = 0;

  noteBulkWrite(rows: number): void {
    this.bulkRows += rows;
  }

  private unanalyzedIndexes(): boolean {
    const sql = `SELECT count(*) AS n FROM sqlite_master m WHERE m.type = 'index' AND m.tbl_name IN ('machines', 'machine_tags', 'machine_ip_history')
      AND NOT EXISTS (SELECT 1 FROM sqlite_stat1 s WHERE s.idx = m.name)`;
    return Number(this.read.get<{ n: number }>({ sql, parameters: [] })?.n ?? 0) > 0;
  }

  /** Machines counted by the last ANALYZE; undefined when there has been none. */
  private analyzedMachines(): number | undefined {
    const stats = this.read.get<{ n: number }>({ sql: "SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'", parameters: [] });
    if (!stats?.n) return undefined;
    const row = this.read.get<{ stat: string }>({ sql: "SELECT stat FROM sqlite_stat1 WHERE tbl = 'machines' LIMIT 1", parameters: [] });
    return row ? Number.parseInt(row.stat, 10) : undefined;
  }

  async putIpHistory(tenantId: string, entries: readonly IpAssignment[]): Promise<void> {
    const writes: Promise<unknown>[] = [];
    for (let i = 0; i < entries.length; i += IP_BATCH) {
      writes.push(this.write({ op: 'putIpHistory', rows: ipRows(tenantId, entries.slice(i, i + IP_BATCH)) }));
    }
    await Promise.all(writes);
  }
}
