import type { DeviceValue } from '../domain/machines/device-value.js';
import type { Machine } from '../domain/machines/machine.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import { countOfValues, valuesAllowed } from '../domain/machines/value-filter.js';
import type { ConsoleDeps } from './console-deps.js';
import { requireOperation } from './console-principal.js';
import { readAfter, reversed, segments, type SegmentRead } from './inventory-order.js';
import { readSegment } from './segment-reader.js';
import { inventoryFilter, SORT_KEYS, type InventoryView } from './inventory-view.js';

/** Filtered totals are counted up to this many; past it the page says "10,000+". */
export const COUNT_LIMIT = 10_000;

export interface InventoryPage {
  readonly machines: readonly Machine[];
  /** Every device the user may see, per value: exact, whatever the filters. */
  readonly counts: Readonly<Record<DeviceValue, number>>;
  /** Devices matching the whole view: exact unless `capped`, when more than COUNT_LIMIT match. */
  readonly total: number;
  readonly capped: boolean;
  /** Ids the previous and next pages start from (keyset cursors); undefined at either end. */
  readonly before: string | undefined;
  readonly after: string | undefined;
  /** True when the page shown is the first one (no cursor, or one that no longer points anywhere). */
  readonly first: boolean;
}

/**
 * One inventory page in time that does not grow with the fleet (issue 7: under 200 ms on a
 * million machines). The per-value counts come from the counts the database keeps; the total of
 * a filtered view is counted up to COUNT_LIMIT (a view without filters but device value is the
 * sum of exact counts); the page is a keyset range of an index, one row longer than shown to know
 * whether another page follows. Everything runs inside the caller's retention and device groups,
 * like the API's list.
 */
export async function readInventory(deps: ConsoleDeps, principal: DelegatedPrincipal, view: InventoryView): Promise<InventoryPage> {
  await requireOperation(deps.policy, principal, 'ListMachines');
  const store = deps.access.store;
  // The isolation facet reads the effects of finished actions: apply those due first, as the
  // device page does, so a device whose isolation has just succeeded is already counted.
  if (view.isolation !== '') await deps.actions.settleDue(200, { tenantId: principal.tenantId });
  const scope = await deps.access.visibilityFor(principal);
  const filter = inventoryFilter(view);
  const counts = await store.countByDeviceValue(scope);
  // A view filtering on device values alone is totalled from the counts just read, exactly.
  const values = valuesAllowed(filter);
  const matched = values ? countOfValues(values, counts) : await store.countMatchingUpTo(scope, filter, COUNT_LIMIT + 1);
  const capped = values === undefined && matched > COUNT_LIMIT;

  const order = segments(SORT_KEYS[view.sort], view.dir === 'desc');
  const read = (request: SegmentRead) => readSegment(store, scope, request, matched > COUNT_LIMIT);
  const cursor = view.after || view.before;
  const from = cursor ? await store.getById(scope, cursor) : undefined;
  const backwards = (view.before !== '' && from !== undefined) || (view.last && cursor === '');
  let machines: Machine[];
  let more: boolean;
  if (backwards) {
    const rows = await readAfter(reversed(order), filter, from, view.size + 1, read);
    more = rows.length > view.size;
    machines = rows.slice(0, view.size).reverse();
  } else {
    const rows = await readAfter(order, filter, from, view.size + 1, read);
    more = rows.length > view.size;
    machines = rows.slice(0, view.size);
  }
  const first = backwards ? !more : from === undefined;
  const last = backwards ? view.last || cursor === '' : !more;
  return {
    machines,
    counts,
    total: capped ? COUNT_LIMIT : matched,
    capped,
    before: first || machines.length === 0 ? undefined : machines[0]?.id,
    after: last || machines.length === 0 ? undefined : machines.at(-1)?.id,
    first,
  };
}
