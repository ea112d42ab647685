import { ApiError, invalidInput } from '../domain/errors.js';
import { parseDeviceValue, type DeviceValue } from '../domain/machines/device-value.js';
import type { Machine } from '../domain/machines/machine.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import { MAX_BULK_MACHINES } from '../domain/machines/tag-commands.js';
import type { ConsoleDeps } from './console-deps.js';
import { COUNT_LIMIT } from './inventory-reader.js';
import { matchingMachines } from './inventory-stream.js';
import { FIRST_PAGE, parseInventoryView, type InventoryView } from './inventory-view.js';

/**
 * "All n matching this filter" sets at most this many devices at once: the inventory counts
 * exactly up to here, and a count the user confirms must be exact.
 */
export const FILTER_SELECTION_LIMIT = COUNT_LIMIT;

/** A device the user asked for but may not change, and why. */
export interface Refusal {
  readonly key: string;
  readonly reason: string;
}

/** What a bulk write did: every device is either set (changed, or already at the value) or refused. */
export interface BulkOutcome {
  readonly value: DeviceValue;
  readonly set: readonly Machine[];
  /** Of `set`, those that already had the value when the selection was read. */
  readonly already: number;
  readonly refused: readonly Refusal[];
}

/** The value the user chose: there is no default, so an empty choice is refused, never read as Low. */
export function chosenValue(raw: unknown): DeviceValue {
  if (raw === undefined || raw === '') throw invalidInput('Choose the device value to set: Low, Normal or High.');
  return parseDeviceValue(raw, 'Device value');
}

/** The ticked devices of the form: at most MAX_BULK_MACHINES, like the API's bulk operations. */
export function selectedIds(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const ids = [...new Set(list.filter((id): id is string => typeof id === 'string').map((id) => id.trim()).filter((id) => id !== '' && id.length <= 1024))];
  if (ids.length === 0) throw invalidInput('Select at least one device.');
  if (ids.length > MAX_BULK_MACHINES) {
    throw new ApiError('MaximumBatchSizeExceeded', `Maximum batch size exceeded. Received: ${ids.length}, allowed: ${MAX_BULK_MACHINES}.`);
  }
  return ids;
}

/** The inventory view a "matching this filter" selection names, from its query string; page cursors do not narrow it. */
export function selectionView(back: string): InventoryView {
  const params = new URLSearchParams(back.startsWith('?') ? back.slice(1) : back);
  const query: Record<string, string[]> = {};
  for (const key of new Set(params.keys())) query[key] = params.getAll(key);
  return { ...parseInventoryView(query), ...FIRST_PAGE };
}

/** A device the user cannot reach is refused by name, never skipped in silence; anything else is a real failure. */
export function refusal(key: string, error: unknown): Refusal {
  if (error instanceof ApiError && error.status === 404) return { key, reason: 'Not found, or outside your device groups' };
  if (error instanceof ApiError && error.status < 500) return { key, reason: error.message };
  throw error;
}

/**
 * The devices a filter matches NOW, read when the write happens rather than when it was
 * confirmed, so a change in between can only narrow the set, never widen it past what the filter
 * matches. Undefined when more match than the user confirmed: then nothing is written and the
 * user confirms the new count.
 */
export async function matchingNow(deps: ConsoleDeps, principal: DelegatedPrincipal, view: InventoryView, confirmed: number): Promise<Machine[] | undefined> {
  const found: Machine[] = [];
  for await (const batch of await matchingMachines(deps, principal, view)) {
    found.push(...batch);
    if (found.length > confirmed) return undefined;
  }
  return found;
}

/**
 * One setDeviceValue per device through MachineService (its permission, device groups and
 * history entry each, the same request id and route `console`), issued a chunk at a time so the
 * store commits each chunk in one group without holding thousands of writes in flight.
 */
export async function setValues(
  deps: ConsoleDeps,
  principal: DelegatedPrincipal,
  targets: readonly { key: string; before?: DeviceValue }[],
  value: DeviceValue,
  call: { requestId: string; route: 'console' },
): Promise<BulkOutcome> {
  const set: Machine[] = [];
  const refused: Refusal[] = [];
  let already = 0;
  for (let i = 0; i < targets.length; i += MAX_BULK_MACHINES) {
    const chunk = targets.slice(i, i + MAX_BULK_MACHINES);
    const outcomes = await Promise.all(
      chunk.map((t) => deps.machines.setDeviceValue(principal, t.key, { DeviceValue: value }, call).then((machine) => ({ machine, before: t.before }), (error: unknown) => refusal(t.key, error))),
    );
    for (const o of outcomes) {
      if ('reason' in o) refused.push(o);
      else {
        set.push(o.machine);
        if (o.before === value) already++;
      }
    }
  }
  return { value, set, already, refused };
}
