import { ApiError, invalidInput, missingParameter } from '../errors.js';
import { ipSearch } from './ip-history.js';
import type { MachineAccess, Visibility } from './machine-access.js';
import { parseTag } from './machine-commands.js';
import { MAX_TOP, type MachineFilter, type MachinePage, type MachineQuery } from './machine-query.js';
import type { Machine } from './machine.js';
import type { Principal } from '../identity/principal.js';

export interface MachineList<T = Machine> {
  readonly machines: T[];
  /** `$count=true`: how many machines match, over all pages. */
  readonly count: number | undefined;
  /** Where the next page starts, when there is one (paging without `$top`). */
  readonly nextSkip: number | undefined;
}

export interface InventoryOptions {
  /** Most machines in one page of a list without `$top` (10,000 in the real service). */
  readonly pageSize: number;
}

/**
 * Finding machines: the OData list, find by tag and find by internal IP. Every query runs inside
 * the caller's visibility (tenant, retention, device groups), so pages and counts are right.
 */
export class InventoryService {
  constructor(
    private readonly access: MachineAccess,
    private readonly options: InventoryOptions,
  ) {}

  /**
   * With `$top`, at most that many and no next page. Without, a page of at most the page size,
   * and a next page only when one more machine exists: a page is read one machine long to know.
   */
  async list(principal: Principal, query: MachineQuery): Promise<MachineList> {
    return this.page(principal, query, (scope, page) => this.access.store.listMachines(scope, page));
  }

  /** The same list with each machine as its wire JSON text, only the `$select`ed properties: what the API sends. */
  async listJson(principal: Principal, query: MachineQuery): Promise<MachineList<string>> {
    return this.page(principal, query, (scope, page) => this.access.store.listMachineJson(scope, page, query.select));
  }

  private async page<T>(principal: Principal, query: MachineQuery, read: (scope: Visibility, page: MachinePage) => Promise<T[]>): Promise<MachineList<T>> {
    const scope = await this.access.visibilityFor(principal);
    const store = this.access.store;
    const limit = query.top ?? this.options.pageSize;
    const paging = query.top === null;
    const page = { filter: query.filter, orderBy: query.orderBy, skip: query.skip };
    const rows = await read(scope, { ...page, limit: paging ? limit + 1 : limit });
    const more = paging && rows.length > limit;
    const machines = more ? rows.slice(0, limit) : rows;
    if (machines.length === 0 && !(await this.anyVisible(scope, query))) {
      // The reference: "If no recent machines found - 404 Not Found". A filter that matches nothing is 200 [].
      throw new ApiError('ResourceNotFound', 'No machine of this tenant has been seen within its retention period.');
    }
    const count = query.count ? await store.countMatching(scope, query.filter) : undefined;
    return { machines, count, nextSkip: more ? query.skip + limit : undefined };
  }

  /**
   * `findbytag?tag=x&useStartsWithFilter=true`: exact (case-sensitive) or prefix, by id, as wire JSON text.
   * COMPAT: at most 10,000 machines and no paging; the reference documents neither (docs/compat.md).
   */
  async findByTag(principal: Principal, tag: unknown, useStartsWithFilter: unknown): Promise<string[]> {
    if (tag === undefined) throw missingParameter('tag');
    const value = parseTag(tag, 'tag');
    const filter: MachineFilter = {
      kind: 'anyTag',
      predicate: parseBoolean(useStartsWithFilter, 'useStartsWithFilter')
        ? { kind: 'startsWith', property: 'tag', prefix: value }
        : { kind: 'compare', property: 'tag', op: 'eq', value },
    };
    const scope = await this.access.visibilityFor(principal);
    return this.access.store.listMachineJson(scope, { filter, orderBy: [], skip: 0, limit: MAX_TOP }, null);
  }

  /** `findbyip(ip='10.1.2.3',timestamp=...)`: machines that held the address within 15 minutes of the timestamp. */
  async findByIp(principal: Principal, args: Readonly<Record<string, string>>): Promise<Machine[]> {
    const search = ipSearch(args, this.access.clock.now());
    const scope = await this.access.visibilityFor(principal);
    return this.access.store.machinesByIp(scope, search, MAX_TOP);
  }

  private async anyVisible(scope: Visibility, query: MachineQuery): Promise<boolean> {
    // An unfiltered first page that came back empty already says the tenant shows nothing.
    if (query.filter === null && query.skip === 0) return false;
    const first = await this.access.store.listMachines(scope, { filter: null, orderBy: [], skip: 0, limit: 1 });
    return first.length > 0;
  }
}

/** Query booleans arrive as `true`, `False`, `TRUE`...; absent is false. */
function parseBoolean(input: unknown, name: string): boolean {
  if (input === undefined) return false;
  if (typeof input === 'string' && /^(true|false)$/i.test(input)) return input.toLowerCase() === 'true';
  throw invalidInput(`The value ${typeof input === 'string' ? `'${input.slice(0, 40)}'` : 'given'} is not valid for ${name}: use true or false.`);
}
