import type { Machine } from '../domain/machines/machine.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import type { ConsoleDeps } from './console-deps.js';
import { requireOperation } from './console-principal.js';
import { COUNT_LIMIT } from './inventory-reader.js';
import { readAfter, segments, type SegmentRead } from './inventory-order.js';
import { inventoryFilter, SORT_KEYS, type InventoryView } from './inventory-view.js';
import { readSegment } from './segment-reader.js';

/** Machines read per batch: enough to amortise a query, few enough to keep memory flat. */
export const STREAM_BATCH = 500;

/**
 * Every machine matching a view (its filters and order; its page cursor ignored), in batches,
 * read as keyset ranges one after another like the inventory's pages: memory holds one batch,
 * whatever the fleet. Permission and visibility are the inventory's (ListMachines, the caller's
 * device groups and retention), checked before the first batch, so a refusal is an error page
 * and never a half-written download.
 */
export async function matchingMachines(deps: ConsoleDeps, principal: DelegatedPrincipal, view: InventoryView, batch = STREAM_BATCH): Promise<AsyncGenerator<Machine[]>> {
  await requireOperation(deps.policy, principal, 'ListMachines');
  const store = deps.access.store;
  if (view.isolation !== '') await deps.actions.settleDue(200, { tenantId: principal.tenantId });
  const scope = await deps.access.visibilityFor(principal);
  const filter = inventoryFilter(view);
  // Like a page: a filter matching many machines is read through windows of the order's index.
  const common = filter !== null && (await store.countMatchingUpTo(scope, filter, COUNT_LIMIT + 1)) > COUNT_LIMIT;
  const order = segments(SORT_KEYS[view.sort], view.dir === 'desc');
  const read = (request: SegmentRead) => readSegment(store, scope, request, common);
  return (async function* () {
    let from: Machine | undefined;
    for (;;) {
      const rows = await readAfter(order, filter, from, batch, read);
      if (rows.length > 0) yield rows;
      if (rows.length < batch) return;
      from = rows.at(-1);
    }
  })();
}
