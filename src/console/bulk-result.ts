import { DEVICE_VALUES, type DeviceValue } from '../domain/machines/device-value.js';
import type { BulkOutcome } from './bulk-selection.js';
import { LARGEST_SEALED } from './flash.js';

/** How many device names the result page lists of each kind; the counts are always whole. */
const LISTED = 20;

/** A bulk write's result as it travels from the POST to the result page (short keys: it rides in a cookie). */
export interface BulkResult {
  readonly value: DeviceValue;
  readonly set: number;
  readonly already: number;
  readonly refusedCount: number;
  /** The first devices set, [id, name], and the first refused, [key, reason]. */
  readonly setShown: readonly (readonly [string, string])[];
  readonly refusedShown: readonly (readonly [string, string])[];
  /** The inventory view to go back to (a query string). */
  readonly back: string;
}

/** The result, with as many names as fit in a cookie beside the counts. */
export function summarize(outcome: BulkOutcome, back: string): BulkResult {
  let listed = LISTED;
  for (;;) {
    const result: BulkResult = {
      value: outcome.value,
      set: outcome.set.length,
      already: outcome.already,
      refusedCount: outcome.refused.length,
      setShown: outcome.set.slice(0, listed).map((m) => [m.id, m.computerDnsName.slice(0, 100)] as const),
      refusedShown: outcome.refused.slice(0, listed).map((r) => [r.key.slice(0, 100), r.reason.slice(0, 200)] as const),
      back: back.slice(0, 1000),
    };
    // base64url grows the JSON by a third; the seal adds its MAC and expiry.
    if (listed === 0 || (JSON.stringify(result).length * 4) / 3 + 120 < LARGEST_SEALED) return result;
    listed = Math.floor(listed / 2);
  }
}

const pairs = (v: unknown): v is [string, string][] => Array.isArray(v) && v.every((p) => Array.isArray(p) && p.length === 2 && p.every((x) => typeof x === 'string'));
const count = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** A sealed payload read back; anything not shaped like a result is no result. */
export function asBulkResult(payload: unknown): BulkResult | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const p = payload as Record<string, unknown>;
  const ok =
    DEVICE_VALUES.includes(p.value as DeviceValue) &&
    count(p.set) &&
    count(p.already) &&
    count(p.refusedCount) &&
    pairs(p.setShown) &&
    pairs(p.refusedShown) &&
    typeof p.back === 'string' &&
    /^(\?[^#\\]*)?$/.test(p.back);
  return ok ? (p as unknown as BulkResult) : undefined;
}
