import type { Machine } from '../domain/machines/machine.js';
import { SCALAR_PROPERTIES, type MachineFilter, type OrderKey, type ScalarProperty } from '../domain/machines/machine-query.js';

/**
 * The inventory's order as keyset segments. A page starts after (or ends before) a machine, and
 * the store reads it as one row-value range of an index, `(key, id) > (v, id)`, at the same cost
 * on the first page and the ten-thousandth. Row values cannot hold a null, so a nullable key
 * (risk, exposure) is two segments: machines without a value, by id, then those with one, by
 * value and id; nulls come first ascending and last descending, the API's (SQLite's) order.
 */
export interface Segment {
  /** Added to the view's filter: which machines this segment holds. */
  readonly filter: MachineFilter | null;
  readonly orderBy: readonly OrderKey[];
  /** Whether a machine falls in this segment. */
  holds(machine: Machine): boolean;
  /** The machine's position in the segment's order: the keyset `after` values. */
  position(machine: Machine): (string | number)[];
}

export function segments(property: ScalarProperty, descending: boolean): Segment[] {
  const value = (m: Machine): string | number | null => {
    const v = m[property as keyof Machine] as string | number | null;
    // Names sort and compare lower-cased (the store orders the lower-cased copy).
    return property === 'computerDnsName' && typeof v === 'string' ? v.toLowerCase() : v;
  };
  const keyed: Segment = {
    filter: SCALAR_PROPERTIES[property].nullable ? { kind: 'compare', property, op: 'ne', value: null } : null,
    orderBy: [{ property, descending }, { property: 'id', descending }],
    holds: (m) => value(m) !== null,
    position: (m) => [value(m) as string | number, m.id],
  };
  if (!SCALAR_PROPERTIES[property].nullable) return [keyed];
  const unset: Segment = {
    filter: { kind: 'compare', property, op: 'eq', value: null },
    orderBy: [{ property: 'id', descending }],
    holds: (m) => value(m) === null,
    position: (m) => [m.id],
  };
  return descending ? [keyed, unset] : [unset, keyed];
}

/** One read of a segment: the view's filter and the segment's own kept apart (see MachinePage.window). */
export interface SegmentRead {
  readonly filter: MachineFilter | null;
  readonly segment: Segment;
  readonly after: (string | number)[] | undefined;
  readonly limit: number;
}

/**
 * Up to `limit` machines in order after `from` (from the start when undefined), reading the
 * segments one after another; `read` reads one segment.
 */
export async function readAfter(
  order: readonly Segment[],
  filter: MachineFilter | null,
  from: Machine | undefined,
  limit: number,
  read: (request: SegmentRead) => Promise<Machine[]>,
): Promise<Machine[]> {
  const start = from === undefined ? 0 : order.findIndex((s) => s.holds(from));
  const rows: Machine[] = [];
  for (let i = Math.max(0, start); i < order.length && rows.length < limit; i++) {
    const segment = order[i] as Segment;
    const after = from !== undefined && i === start ? segment.position(from) : undefined;
    rows.push(...(await read({ filter, segment, after, limit: limit - rows.length })));
  }
  return rows;
}

/** The same order read backwards: segments last to first, each key in the other direction. */
export const reversed = (order: readonly Segment[]): Segment[] =>
  [...order].reverse().map((s) => ({ ...s, orderBy: s.orderBy.map((k) => ({ ...k, descending: !k.descending })) }));
