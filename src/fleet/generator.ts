import type { DeviceValue } from '../domain/machines/device-value.js';
import type { IpAddress, Machine, VmMetadata } from '../domain/machines/machine.js';
import { referenceMachine } from '../domain/machines/reference-machine.js';
import { timestampFromMillis } from '../shared/timestamp.js';
import {
  AV_STATUS, DOMAINS, EXCLUSION_REASONS, EXPOSURE, GROUPS_BY_KIND, HEALTH, LAB, LINUX_DISTRO, MANAGED_BY, ONBOARDING,
  PLATFORM_TABLE, PUBLIC_FIRST_OCTETS, REGIONS, RESOURCE_GROUPS, RISK, ROLES, TAG_COUNT, TAGS, WORKSTATION_CPU,
} from './catalog.js';
import type { Kind, Group } from './catalog.js';
import { Random, hexOfU32, mix32, weighted } from './random.js';

export { Random } from './random.js';

export interface FleetOptions {
  count: number;
  seed: number;
  nowMs: number;
  /** Share of machines whose lastSeen lies beyond the 180-day retention; default 0.05. */
  staleFraction?: number;
  /** Whether index 0 is the machine of the reference's examples; default true. */
  includeReferenceMachine?: boolean;
  /** Alerts per machine on average (seedFleet); default 2, 0 for none. */
  alertsPerMachine?: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** An address of the private ranges, as DHCP hands them out on corporate networks. */
export function privateIp(random: Random): string {
  const r = random.next();
  if (r < 0.5) return `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`;
  if (r < 0.75) return `172.${random.int(16, 31)}.${random.int(0, 255)}.${random.int(1, 254)}`;
  return `192.168.${random.int(0, 255)}.${random.int(1, 254)}`;
}

function deviceValueFor(random: Random, kind: Kind, role: string, group: Group): DeviceValue {
  // Domain controllers and servers are the crown jewels; lab kit is what admins mark as Low.
  if (role === 'dc') return random.chance(0.85) ? 'High' : 'Normal';
  if (group === LAB) return random.chance(0.35) ? 'Low' : 'Normal';
  const r = random.next();
  if (kind === 'server' || kind === 'linux') return r < 0.22 ? 'High' : r < 0.26 ? 'Low' : 'Normal';
  return r < 0.05 ? 'High' : r < 0.13 ? 'Low' : 'Normal';
}

export function generateMachine(random: Random, index: number, nowMs: number, stale: boolean): Machine {
  const platform = weighted(random, PLATFORM_TABLE);
  const { kind } = platform;
  const isWindows = kind === 'workstation' || kind === 'server';
  const [version, osBuild] = random.pick(platform.versions);
  const role = random.pick(ROLES[kind]);
  const domain = kind === 'mobile' ? null : weighted(random, DOMAINS);
  // The index makes the name unique without a set of names already issued.
  const host = `${role}-${String(index).padStart(5, '0')}`;

  const osProcessor =
    kind === 'mobile' ? 'arm64'
    : kind === 'mac' ? (random.chance(0.6) ? 'arm64' : 'x64')
    : kind === 'workstation' ? weighted(random, WORKSTATION_CPU)
    : kind === 'linux' ? (random.chance(0.1) ? 'arm64' : 'x64')
    : 'x64';
  const osVersion =
    osBuild !== null ? (random.chance(0.3) ? null : `10.0.${osBuild}.${random.int(100, 4500)}`)
    : kind === 'linux' ? (LINUX_DISTRO[version] ?? null)
    : `${version}.${random.int(0, 3)}`;
  const agentVersion = isWindows
    ? `10.${random.int(8000, 8760)}.${osBuild ?? 19041}.${random.int(1000, 9999)}`
    : `101.${random.int(23052, 24092)}.${String(random.int(1, 20)).padStart(4, '0')}`;

  // Most devices report continuously; a tail has gone quiet for days, and stale ones for months.
  const lastSeenAgo = stale ? random.int(200 * DAY, 400 * DAY)
    : random.chance(0.85) ? random.int(0, DAY)
    : random.chance(0.65) ? random.int(DAY, 7 * DAY)
    : random.int(7 * DAY, 30 * DAY);
  const lastSeenMs = nowMs - lastSeenAgo;
  const firstSeenMs = lastSeenMs - random.int(2 * HOUR, 3 * 365 * DAY);
  // The service marks a device Inactive after seven days without a report.
  const healthStatus = lastSeenAgo > 7 * DAY ? 'Inactive' : weighted(random, HEALTH);

  const group = weighted(random, GROUPS_BY_KIND[kind]);
  const tags: string[] = [];
  for (let n = weighted(random, TAG_COUNT); tags.length < n; ) {
    const tag = random.pick(TAGS);
    if (!tags.includes(tag)) tags.push(tag);
  }

  const aadChance = kind === 'workstation' ? 0.7 : kind === 'mobile' ? 0.8 : kind === 'mac' ? 0.3 : kind === 'server' ? 0.1 : 0;
  const isAadJoined = random.chance(aadChance);
  const isExcluded = random.chance(stale ? 0.1 : 0.01);
  const managedBy = kind === 'linux' ? (random.chance(0.7) ? 'MDE' : 'Unknown') : weighted(random, MANAGED_BY);

  const lastIpAddress = privateIp(random);
  const ipAddresses: IpAddress[] = [
    { ipAddress: lastIpAddress, macAddress: random.hex(12).toUpperCase(), type: 'Ethernet', operationalStatus: 'Up' },
  ];
  const roams = role === 'laptop' || kind === 'mac' || kind === 'mobile';
  if (random.chance(roams ? 0.7 : 0.05)) {
    ipAddresses.push({
      ipAddress: privateIp(random),
      macAddress: random.hex(12).toUpperCase(),
      type: 'Wireless80211',
      operationalStatus: random.chance(0.7) ? 'Up' : 'Down',
    });
  }
  if (kind !== 'mobile' && random.chance(0.6)) {
    ipAddresses.push({ ipAddress: '127.0.0.1', macAddress: null, type: 'SoftwareLoopback', operationalStatus: 'Up' });
  }

  let vmMetadata: VmMetadata | null = null;
  if (random.chance(kind === 'server' || kind === 'linux' ? 0.4 : kind === 'workstation' ? 0.03 : 0)) {
    const subscriptionId = random.guid();
    const rg = `${random.pick(RESOURCE_GROUPS)}-${random.pick(REGIONS)}`;
    vmMetadata = {
      vmId: random.guid(),
      cloudProvider: 'Azure',
      resourceId: `/subscriptions/${subscriptionId}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${host}`,
      subscriptionId,
    };
  }

  // Key order is the wire order (MACHINE_PROPERTIES).
  return {
    id: hexOfU32(mix32(index)) + random.hex(32),
    mergedIntoMachineId: random.chance(0.005) ? random.hex(40) : null,
    isPotentialDuplication: random.chance(0.01),
    isExcluded,
    exclusionReason: isExcluded ? (stale ? 'InactiveDevice' : random.pick(EXCLUSION_REASONS)) : null,
    computerDnsName: domain === null ? host : `${host}.${domain}`,
    firstSeen: timestampFromMillis(firstSeenMs),
    lastSeen: timestampFromMillis(lastSeenMs),
    osPlatform: platform.name,
    osVersion,
    osProcessor,
    version,
    lastIpAddress,
    lastExternalIpAddress: `${random.pick(PUBLIC_FIRST_OCTETS)}.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
    agentVersion,
    osBuild,
    healthStatus,
    deviceValue: deviceValueFor(random, kind, role, group),
    rbacGroupId: group[0],
    rbacGroupName: group[1],
    riskScore: weighted(random, RISK),
    exposureLevel: weighted(random, EXPOSURE),
    isAadJoined,
    aadDeviceId: isAadJoined && random.chance(0.95) ? random.guid() : null,
    machineTags: tags,
    defenderAvStatus: isWindows ? weighted(random, AV_STATUS) : random.chance(0.6) ? 'Updated' : 'Unknown',
    onboardingStatus: weighted(random, ONBOARDING),
    osArchitecture: osProcessor === 'x86' ? '32-bit' : '64-bit',
    managedBy,
    managedByStatus: managedBy !== 'Unknown' && random.chance(0.85) ? 'Managed' : 'Unknown',
    ipAddresses,
    vmMetadata,
  };
}

/** The machine of the reference's own examples, so documented requests work against the demo. */
function referenceMachineAt(nowMs: number): Machine {
  return referenceMachine(timestampFromMillis(nowMs - 2 * 365 * DAY - 5 * HOUR), timestampFromMillis(nowMs - 3 * HOUR));
}

/**
 * The machines of generateFleet, in ascending id order. A million random ids inserted in random
 * order make every batch rewrite pages all over every index; in id order most index writes are
 * appends, several times faster. A first pass records the generator's state before each machine
 * (16 bytes each), the second regenerates each machine from its state, in the order of the ids'
 * first eight hex digits (unique per index, see mix32).
 */
export function* generateFleetInIdOrder(options: FleetOptions): Generator<Machine> {
  const { count, seed, nowMs, staleFraction = 0.05, includeReferenceMachine = true } = options;
  const random = new Random(seed);
  const staleRandom = new Random(seed ^ 0x5a1e5a1e);
  const states = new Uint32Array(count * 4);
  const stale = new Uint8Array(count);
  const reference = (index: number) => index === 0 && includeReferenceMachine;
  for (let index = 0; index < count; index++) {
    stale[index] = staleRandom.chance(staleFraction) && index !== 0 ? 1 : 0;
    states.set(random.state(), index * 4);
    if (!reference(index)) generateMachine(random, index, nowMs, stale[index] === 1);
  }
  const keys = Uint32Array.from({ length: count }, (_, index) => mix32(index));
  const order = Uint32Array.from({ length: count }, (_, index) => index).sort((a, b) => (keys[a] as number) - (keys[b] as number));
  for (const index of order) {
    if (reference(index)) yield referenceMachineAt(nowMs);
    else yield generateMachine(Random.fromState(states.subarray(index * 4, index * 4 + 4)), index, nowMs, stale[index] === 1);
  }
}

/** Deterministic: same options -> same machines. Yields machines one at a time so a million never sit in memory at once. */
export function* generateFleet(options: FleetOptions): Generator<Machine> {
  const { count, seed, nowMs, staleFraction = 0.05, includeReferenceMachine = true } = options;
  const random = new Random(seed);
  // A separate stream picks the stale machines, so which ones go stale does not shift with the
  // number of draws a machine happens to take.
  const staleRandom = new Random(seed ^ 0x5a1e5a1e);
  for (let index = 0; index < count; index++) {
    const stale = staleRandom.chance(staleFraction) && index !== 0;
    if (index === 0 && includeReferenceMachine) yield referenceMachineAt(nowMs);
    else yield generateMachine(random, index, nowMs, stale);
  }
}

