import type { MachinePage } from '../../domain/machines/machine-query.js';
import type { MachineScope } from '../../domain/ports.js';

/** "Exactly `position` visible machines matching the query have an id <= `afterId`." */
interface Bookmark {
  readonly position: number;
  readonly afterId: string;
}

interface QueryBookmarks {
  /** The retention cutoff the positions were counted under. */
  since: string;
  readonly marks: Bookmark[];
}

/** Where to start reading a page: after `afterId`, skipping `skip` more (afterId null: from the start). */
export interface Seek {
  readonly afterId: string | null;
  readonly skip: number;
}

const MAX_QUERIES = 200;
const MAX_MARKS = 64;

/**
 * `$skip` without a cost proportional to it, for pages in id order. SQLite's OFFSET steps over
 * every skipped index entry (about 15 ms per 100,000 machines); a client walking nextLinks would
 * pay that again for each page. Each page served leaves bookmarks: the id just before it and its
 * last id, with their positions. A later page of the same query starts from the nearest bookmark
 * at or before it (`id > afterId`), which gives exactly the rows OFFSET would, as long as the
 * positions still hold. So every bookmark is dropped when anything was committed since (SQLite's
 * data_version), and a query's bookmarks when a machine crossed the retention cutoff since.
 */
export class SkipBookmarks {
  private readonly queries = new Map<string, QueryBookmarks>();
  private dataVersion = -1;

  constructor(
    private readonly currentDataVersion: () => number,
    /** Whether any machine of the tenant has lastSeen in [from, to). */
    private readonly anySeenBetween: (tenantId: string, from: string, to: string) => boolean,
  ) {}

  seek(scope: MachineScope, page: MachinePage): Seek {
    if (page.skip === 0) return { afterId: null, skip: 0 };
    const marks = this.valid(scope, page);
    let best: Bookmark | undefined;
    for (const mark of marks?.marks ?? []) if (mark.position <= page.skip && (!best || mark.position > best.position)) best = mark;
    return best ? { afterId: best.afterId, skip: page.skip - best.position } : { afterId: null, skip: page.skip };
  }

  remember(scope: MachineScope, page: MachinePage, position: number, afterId: string): void {
    if (page.orderBy.length > 0 || position === 0) return;
    const key = keyOf(scope, page);
    let entry = this.queries.get(key);
    if (!entry || entry.since !== scope.visibleSince) {
      entry = { since: scope.visibleSince, marks: [] };
      this.queries.delete(key);
      if (this.queries.size >= MAX_QUERIES) this.queries.delete(this.queries.keys().next().value as string);
      this.queries.set(key, entry);
    }
    if (entry.marks.some((m) => m.position === position)) return;
    if (entry.marks.length >= MAX_MARKS) entry.marks.shift();
    entry.marks.push({ position, afterId });
  }

  private valid(scope: MachineScope, page: MachinePage): QueryBookmarks | undefined {
    if (page.orderBy.length > 0) return undefined;
    const version = this.currentDataVersion();
    if (version !== this.dataVersion) {
      this.queries.clear();
      this.dataVersion = version;
      return undefined;
    }
    const key = keyOf(scope, page);
    const entry = this.queries.get(key);
    if (!entry || entry.since === scope.visibleSince) return entry;
    const [from, to] = entry.since < scope.visibleSince ? [entry.since, scope.visibleSince] : [scope.visibleSince, entry.since];
    if (this.anySeenBetween(scope.tenantId, from, to)) {
      this.queries.delete(key);
      return undefined;
    }
    entry.since = scope.visibleSince; // nothing aged out in between: the positions still hold
    return entry;
  }
}

const keyOf = (scope: MachineScope, page: MachinePage): string =>
  JSON.stringify([scope.tenantId, scope.rbacGroupIds, page.filter]);
