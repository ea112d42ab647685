import { DEMO_FLEET_SEED } from '../src/config/demo.js';
import { DEFAULT_RETENTION_DAYS } from '../src/domain/identity/tenant.js';
import { generateFleet } from '../src/fleet/generator.js';
import { timestampToMillis } from '../src/shared/timestamp.js';

const DAY_MS = 86_400_000;

/**
 * The ids of the first `take` visible machines of the demo fleet the server will seed. There is
 * no list endpoint yet, so we regenerate the fleet: ids depend only on the seed and index, not on
 * the clock, so our `nowMs` matching the server's to the millisecond does not matter. Machines
 * whose lastSeen lies beyond retention would answer 404, so they are skipped (with a day of
 * margin, so a machine near the edge cannot drop out during the run).
 */
export function demoMachineIds(fleetSize: number, take: number, nowMs = Date.now()): string[] {
  const cutoff = nowMs - (DEFAULT_RETENTION_DAYS - 1) * DAY_MS;
  const ids: string[] = [];
  for (const machine of generateFleet({ count: fleetSize, seed: DEMO_FLEET_SEED, nowMs })) {
    if (timestampToMillis(machine.lastSeen) < cutoff) continue;
    ids.push(machine.id);
    if (ids.length === take) break;
  }
  return ids;
}
