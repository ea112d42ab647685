import type { MachinePage } from '../domain/machines/machine-query.js';
import type { MachineScope } from '../domain/ports.js';

/** "Exactly `position` visible machines matching the query have an id <= `afterId`." */
interface Bookmark {
  readonly position: number;
  readonly afterId: string;
}

interface QueryBookmarks {
  /** The data version the positions were counted at (the backend's; see `version` below). */
  readonly version: string;
  /**
   * Retention cutoffs the positions hold under: no machine was last seen in [from, to), so every
   * cutoff in between shows the same machines. Requests each come with their own cutoff (now
   * minus the retention), so a range, not one value: concurrent pages would otherwise keep
   * discarding each other's bookmarks.
   */
  from: string;
  to: string;
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
 * `$skip` without a cost proportional to it, for pages in id order. OFFSET steps over every
 * skipped index entry (SQLite: about 15 ms per 100,000 machines; PostgreSQL visits each skipped row
 * for the retention test: 1.3 s at 500,000); a client walking nextLinks would pay that again for
 * each page. Each page served leaves bookmarks: the id just before it and its last id, with their
 * positions. A later page of the same query starts from the nearest bookmark at or before it
 * (`id > afterId`), which gives exactly the rows OFFSET would, as long as the positions still hold.
 *
 * Whether they hold is the backend's `version`: a string that changes whenever a commit could
 * have moved a machine in or out of the query (SQLite: its data_version, any commit; PostgreSQL:
 * the counters its triggers keep, read in the page's own snapshot, list-versions.ts). Bookmarks
 * are only used at the version they were made at. Time moving the retention cutoff is checked
 * apart: `retentionGap` names the span to ask about, `settleGap` takes the answer.
 * Everything here is synchronous, so concurrent pages (PostgreSQL's) see each other's changes whole.
 */
export class SkipBookmarks {
  private readonly queries = new Map<string, QueryBookmarks>();

  /** When this query's bookmarks were counted under other cutoffs: the span [from, to) a machine may have crossed. */
  retentionGap(scope: MachineScope, page: MachinePage, version: string): readonly [string, string] | undefined {
    if (page.skip === 0) return undefined;
    const entry = this.entry(scope, page, version);
    const since = scope.visibleSince;
    if (!entry || (entry.from <= since && since <= entry.to)) return undefined;
    return since < entry.from ? [since, entry.from] : [entry.to, since];
  }

  /** Whether a machine of the tenant was last seen inside the retention gap: then the positions are gone. */
  settleGap(scope: MachineScope, page: MachinePage, version: string, crossed: boolean): void {
    const entry = this.entry(scope, page, version);
    if (!entry) return;
    if (crossed) {
      this.queries.delete(keyOf(scope, page));
      return;
    }
    // Nothing aged out in between: the positions hold under this cutoff too.
    if (scope.visibleSince < entry.from) entry.from = scope.visibleSince;
    if (scope.visibleSince > entry.to) entry.to = scope.visibleSince;
  }

  seek(scope: MachineScope, page: MachinePage, version: string): Seek {
    if (page.skip === 0) return { afterId: null, skip: 0 };
    const entry = this.entry(scope, page, version);
    const marks = entry && holds(entry, scope) ? entry.marks : [];
    let best: Bookmark | undefined;
    for (const mark of marks) if (mark.position <= page.skip && (!best || mark.position > best.position)) best = mark;
    return best ? { afterId: best.afterId, skip: page.skip - best.position } : { afterId: null, skip: page.skip };
  }

  /** Files a position counted at `version` under the page's cutoff. */
  remember(scope: MachineScope, page: MachinePage, version: string, position: number, afterId: string): void {
    if (!bookmarkable(page) || position === 0) return;
    const key = keyOf(scope, page);
    let entry = this.queries.get(key);
    if (entry && entry.version === version && !holds(entry, scope)) return; // counted under a cutoff the others were not checked against
    if (!entry || entry.version !== version) {
      entry = { version, from: scope.visibleSince, to: scope.visibleSince, marks: [] };
      this.queries.delete(key);
      if (this.queries.size >= MAX_QUERIES) this.queries.delete(this.queries.keys().next().value as string);
      this.queries.set(key, entry);
    }
    if (entry.marks.some((m) => m.position === position)) return;
    if (entry.marks.length >= MAX_MARKS) entry.marks.shift();
    entry.marks.push({ position, afterId });
  }

  private entry(scope: MachineScope, page: MachinePage, version: string): QueryBookmarks | undefined {
    if (!bookmarkable(page)) return undefined;
    const entry = this.queries.get(keyOf(scope, page));
    return entry?.version === version ? entry : undefined;
  }
}

const holds = (entry: QueryBookmarks, scope: MachineScope): boolean => entry.from <= scope.visibleSince && scope.visibleSince <= entry.to;

/** Bookmarks name positions in id order, of a plain `$skip` page. */
export const bookmarkable = (page: MachinePage): boolean => page.orderBy.length === 0 && page.after === undefined && page.window === undefined;

const keyOf = (scope: MachineScope, page: MachinePage): string => JSON.stringify([scope.tenantId, scope.rbacGroupIds, page.filter]);
