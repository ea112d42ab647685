import { sql, type Kysely, type Transaction } from 'kysely';
import type { MachineFilter } from '../../domain/machines/machine-query.js';
import type { Database } from '../schema.js';

/*
 * The versions of the machine listing kept by migration 0014's triggers: per kind of change, the
 * sum of `machine_list_changes.n`. Read inside a page's snapshot, a version that equals the one a
 * bookmark was made at means no change of that kind was committed in between (rows are only
 * appended, and folding keeps each sum).
 */

/** What a filter reads besides the machines' other columns, so which kinds of change can move its matches. */
interface Reads {
  values: boolean;
  tags: boolean;
  /** A response state (the console's isolation facet) lives in another table no trigger watches. */
  unwatched: boolean;
}

function reads(filter: MachineFilter | null, into: Reads = { values: false, tags: false, unwatched: false }): Reads {
  if (filter === null) return into;
  switch (filter.kind) {
    case 'and':
    case 'or':
      reads(filter.left, into);
      return reads(filter.right, into);
    case 'not':
      return reads(filter.operand, into);
    case 'anyTag':
      into.tags = true;
      return into;
    case 'responseState':
      into.unwatched = true;
      return into;
    default:
      if (filter.property === 'deviceValue') into.values = true;
      return into;
  }
}

/**
 * The listing's version for pages of `filter`, as `trx`'s snapshot sees it; undefined when no
 * version covers the filter (bookmarks are then not used). Membership changes always count; value
 * and tag changes only for a filter that reads them, so setDeviceValue keeps an unfiltered
 * listing's bookmarks.
 */
export async function listVersion(trx: Transaction<Database>, filter: MachineFilter | null): Promise<string | undefined> {
  const r = reads(filter);
  if (r.unwatched) return undefined;
  const sums = await sql<{ kind: string; n: string }>`select kind, sum(n)::text as n from machine_list_changes group by kind order by kind`.execute(trx);
  const of = (kind: string) => sums.rows.find((row) => row.kind === kind)?.n ?? '0';
  return [`m${of('members')}`, r.values ? `v${of('values')}` : '', r.tags ? `t${of('tags')}` : ''].join('');
}

/**
 * Folds the appended rows into one per kind (when there is more than that), in one statement: readers see the rows before or
 * after, never half, and rows appended meanwhile are outside the DELETE's snapshot, so they stay
 * and every sum is kept. Run by the leader, with the machine counts' folding.
 */
export async function compactListChanges(db: Kysely<Database>): Promise<void> {
  await sql`
    with folded as (delete from machine_list_changes where (select count(*) from machine_list_changes) > 3 returning kind, n)
    insert into machine_list_changes (kind, n) select kind, sum(n) from folded group by kind`.execute(db);
}
