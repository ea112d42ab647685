import { observedAddresses, type IpAssignment } from '../domain/machines/ip-history.js';
import type { Machine } from '../domain/machines/machine.js';
import { timestampFromMillis, timestampToMillis } from '../shared/timestamp.js';
import { generateFleetInIdOrder, privateIp, type FleetOptions } from './generator.js';
import { Random } from './random.js';

/** A machine with the internal addresses it held, as seed and import write them. */
export interface FleetEntry {
  readonly machine: Machine;
  readonly ipHistory: readonly IpAssignment[];
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ROAMING_PLATFORMS = new Set(['macOS', 'iOS', 'Android']);

/**
 * The machines of `generateFleet`, in id order (fast to insert), each with the addresses it held
 * over the last month: what findbyip searches. Each history is drawn from a stream of its own,
 * seeded by the machine id, so neither the machines nor the order change it.
 */
export function* generateFleetWithHistory(options: FleetOptions): Generator<FleetEntry> {
  for (const machine of generateFleetInIdOrder(options)) {
    const random = new Random(options.seed ^ Number.parseInt(machine.id.slice(0, 8), 16));
    yield { machine, ipHistory: generateIpHistory(random, machine, options.nowMs) };
  }
}

/**
 * Wired machines keep their address for weeks or months. Roaming ones (Wi-Fi laptops, Macs,
 * phones) held their current addresses for hours or days, and before that a few other DHCP
 * leases, with gaps while they were off; nothing older than 31 days, which findbyip cannot ask for.
 */
export function generateIpHistory(random: Random, machine: Machine, nowMs: number): IpAssignment[] {
  const lastSeen = timestampToMillis(machine.lastSeen);
  const firstSeen = timestampToMillis(machine.firstSeen);
  const roams = ROAMING_PLATFORMS.has(machine.osPlatform) || machine.ipAddresses.some((a) => a.type === 'Wireless80211');
  const start = Math.max(firstSeen, lastSeen - (roams ? random.int(2 * HOUR, 4 * DAY) : random.int(10 * DAY, 120 * DAY)));
  const history = observedAddresses(machine).map((a) => ({ ...a, from: timestampFromMillis(start) }));
  if (!roams) return history;
  const horizon = Math.max(firstSeen, nowMs - 31 * DAY);
  let end = start - random.int(0, 12 * HOUR);
  for (let leases = random.int(1, 4); leases > 0 && end > horizon; leases--) {
    const from = Math.max(horizon, end - random.int(2 * HOUR, 3 * DAY));
    history.push({ machineId: machine.id, ipAddress: privateIp(random), from: timestampFromMillis(from), to: timestampFromMillis(end) });
    end = from - random.int(0, 12 * HOUR);
  }
  return history;
}

/** An imported snapshot knows each machine's addresses at its lastSeen only. */
export const snapshotEntry = (machine: Machine): FleetEntry => ({ machine, ipHistory: observedAddresses(machine) });
