import { DEVICE_VALUES, type DeviceValue } from '../domain/device-value.js';
import { ApiError } from '../domain/errors.js';
import type { Machine } from '../domain/machine.js';
import type { DelegatedPrincipal } from '../domain/principal.js';
import type { ConsoleDeps } from './console-deps.js';
import { requireOperation } from './console-principal.js';
import { allOf, inventoryFilter, inventoryOrder, type InventoryView } from './inventory-view.js';

export interface InventoryPage {
  readonly machines: readonly Machine[];
  /** Matching devices per value, over every filter but the value facet. */
  readonly counts: Readonly<Record<DeviceValue, number>>;
  /** Matching devices over every filter. */
  readonly total: number;
  /** The page shown: the one asked for, or the last one when the filter left fewer pages. */
  readonly page: number;
  readonly pages: number;
}

/**
 * One inventory page in four indexed queries: a count per device value (inside the caller's
 * retention and device groups, like the list) and the page itself through InventoryService, the
 * API's own list. The total is the sum of the counts the value facet keeps, so no query counts
 * the whole filter again, and nothing ever loads more than a page of machines.
 */
export async function readInventory(deps: ConsoleDeps, principal: DelegatedPrincipal, view: InventoryView): Promise<InventoryPage> {
  await requireOperation(deps.policy, principal, 'ListMachines');
  const scope = await deps.access.visibilityFor(principal);
  const base = inventoryFilter(view, { withValue: false });
  const counts = {} as Record<DeviceValue, number>;
  for (const value of DEVICE_VALUES) {
    const filter = allOf([base, { kind: 'compare', property: 'deviceValue', op: 'eq', value }]);
    counts[value] = await deps.access.store.countMatching(scope, filter);
  }
  const kept = view.values.length === 0 ? DEVICE_VALUES : view.values;
  const total = kept.reduce((sum, value) => sum + counts[value], 0);
  const pages = Math.max(1, Math.ceil(total / view.size));
  const page = Math.min(view.page, pages);
  const machines = total === 0 ? [] : await listPage(deps, principal, view, page, total);
  return { machines, counts, total, page, pages };
}

/**
 * Past the middle of the result, the page is read from the other end (order reversed, rows
 * flipped back): the store skips with OFFSET, which costs as many rows as it skips, so the last
 * page of a million machines reads 50 rows instead of a million. The order is total (id breaks
 * ties), so both ends give the same page.
 */
async function listPage(deps: ConsoleDeps, principal: DelegatedPrincipal, view: InventoryView, page: number, total: number): Promise<Machine[]> {
  const skip = (page - 1) * view.size;
  const top = Math.min(view.size, total - skip);
  const fromEnd = skip > total / 2;
  const query = fromEnd
    ? { filter: inventoryFilter(view), orderBy: inventoryOrder(view, true), select: null, top, skip: total - skip - top, count: false }
    : { filter: inventoryFilter(view), orderBy: inventoryOrder(view), select: null, top: view.size, skip, count: false };
  try {
    const { machines } = await deps.inventory.list(principal, query);
    return fromEnd ? machines.reverse() : machines;
  } catch (error) {
    // The API's "no recent machines" 404 is, for a table, just an empty page.
    if (error instanceof ApiError && error.code === 'ResourceNotFound') return [];
    throw error;
  }
}
