import type { Machine } from '../domain/machines/machine.js';
import type { MachineFilter, MachinePage } from '../domain/machines/machine-query.js';
import type { MachineScope, MachineStore } from '../domain/ports.js';
import type { SegmentRead } from './inventory-order.js';

/** The first window of the order a page of a common filter looks in; then one sized to the matches seen. */
const FIRST_WINDOW = 1000;
const LARGEST_WINDOW = 20_000;

const both = (a: MachineFilter | null, b: MachineFilter | null): MachineFilter | null => (a === null ? b : b === null ? a : { kind: 'and', left: a, right: b });

/**
 * Reads one segment of an inventory page with bounded work; `common` says whether the view's
 * filter matches many machines (more than the console counts exactly). A rare filter's page comes
 * from the filter's own index, sorting its few matches (the plain page). A common filter's page is
 * found by walking the order's index through a window of machines (MachinePage.window), because
 * the planner would rather collect and sort every match: a first window of 1,000 machines, then
 * one sized to the rate of matches seen (up to 20,000); if the window still held too few (the
 * order clusters the matches elsewhere) and the order did not end inside it, the plain page.
 * Without a view filter the page is a plain index range.
 */
export async function readSegment(
  store: MachineStore,
  scope: MachineScope,
  request: SegmentRead,
  common: boolean,
  windows: { first: number; largest: number } = { first: FIRST_WINDOW, largest: LARGEST_WINDOW },
): Promise<Machine[]> {
  const { filter, segment, limit } = request;
  const plain: MachinePage = { filter: both(filter, segment.filter), orderBy: segment.orderBy, skip: 0, limit, ...(request.after ? { after: request.after } : {}) };
  if (filter === null || !common) return store.listMachines(scope, plain);
  let size = windows.first;
  for (;;) {
    const rows = await store.listMachines(scope, { ...plain, filter, window: { size, filter: segment.filter } });
    if (rows.length >= limit) return rows;
    // Did the order end inside the window? Then the window held every match there is.
    const beyond = await store.listMachines(scope, { ...plain, filter: segment.filter, skip: size - 1, limit: 1 });
    if (beyond.length === 0) return rows;
    if (rows.length === 0 || size >= windows.largest) return store.listMachines(scope, plain);
    size = Math.min(windows.largest, Math.ceil((size * limit * 1.5) / rows.length));
  }
}
