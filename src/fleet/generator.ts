import type { DeviceValue } from '../domain/device-value.js';
import type { IpAddress, Machine, VmMetadata } from '../domain/machine.js';
import { REFERENCE_MACHINE } from '../config/demo.js';
import { timestampFromMillis } from '../shared/timestamp.js';

export interface FleetOptions {
  count: number;
  seed: number;
  nowMs: number;
  /** Share of machines whose lastSeen lies beyond the 180-day retention; default 0.05. */
  staleFraction?: number;
  /** Whether index 0 is the machine of the reference's examples; default true. */
  includeReferenceMachine?: boolean;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// Byte-to-hex table: string building dominates the cost of a million machines, so avoid toString(16).
const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * sfc32 seeded through splitmix32: 128 bits of state, so consecutive outputs are not a function of
 * one 32-bit word (as with mulberry32) and 128-bit random ids do not collide by construction.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const split = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = split();
    this.b = split();
    this.c = split();
    this.d = split();
    for (let i = 0; i < 12; i++) this.uint32(); // let the seed's bits diffuse through the state
  }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  next(): number {
    return this.uint32() / 4294967296;
  }

  int(min: number, maxInclusive: number): number {
    return min + Math.floor(this.next() * (maxInclusive - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length) {
      out += hexOfU32(this.uint32());
    }
    return out.length === length ? out : out.slice(0, length);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A lowercase version-4 GUID, the form Entra ID and Azure use. */
  guid(): string {
    const h = this.hex(32);
    const variant = '89ab'[this.uint32() & 3]!;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
  }
}

/** A weighted choice; weights need not sum to 1. */
type Weighted<T> = readonly (readonly [T, number])[];
function weighted<T>(random: Random, table: Weighted<T>): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let r = random.next() * total;
  for (const [value, w] of table) {
    r -= w;
    if (r < 0) return value;
  }
  return table[table.length - 1]![0];
}

function hexOfU32(w: number): string {
  return HEX[w >>> 24]! + HEX[(w >>> 16) & 255]! + HEX[(w >>> 8) & 255]! + HEX[w & 255]!;
}

/** murmur3's finaliser: a bijection on 32 bits, so distinct indexes always give distinct id prefixes. */
function mix32(x: number): number {
  let z = x >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

type Kind = 'workstation' | 'server' | 'linux' | 'mac' | 'mobile';
interface Platform {
  name: string;
  kind: Kind;
  weight: number;
  /** version -> Windows build (null off Windows) */
  versions: readonly (readonly [string, number | null])[];
}

const PLATFORMS: readonly Platform[] = [
  { name: 'Windows10', kind: 'workstation', weight: 34, versions: [['1809', 17763], ['1909', 18363], ['20H2', 19042], ['21H2', 19044], ['22H2', 19045], ['22H2', 19045]] },
  { name: 'Windows11', kind: 'workstation', weight: 26, versions: [['21H2', 22000], ['22H2', 22621], ['23H2', 22631], ['23H2', 22631], ['24H2', 26100]] },
  { name: 'WindowsServer2016', kind: 'server', weight: 4, versions: [['1607', 14393]] },
  { name: 'WindowsServer2019', kind: 'server', weight: 9, versions: [['1809', 17763]] },
  { name: 'WindowsServer2022', kind: 'server', weight: 10, versions: [['21H2', 20348]] },
  { name: 'Linux', kind: 'linux', weight: 9, versions: [['20.04', null], ['22.04', null], ['8.8', null], ['9.2', null], ['11', null], ['12', null], ['7.9', null]] },
  { name: 'macOS', kind: 'mac', weight: 5, versions: [['12.6', null], ['13.4', null], ['13.6', null], ['14.2', null], ['14.5', null]] },
  { name: 'iOS', kind: 'mobile', weight: 1.5, versions: [['16.7', null], ['17.1', null], ['17.4', null]] },
  { name: 'Android', kind: 'mobile', weight: 1.5, versions: [['12', null], ['13', null], ['14', null]] },
];
const PLATFORM_TABLE: Weighted<Platform> = PLATFORMS.map((p) => [p, p.weight] as const);

const LINUX_DISTRO: Readonly<Record<string, string>> = {
  '20.04': 'Ubuntu 20.04.6 LTS', '22.04': 'Ubuntu 22.04.4 LTS', '8.8': 'Red Hat Enterprise Linux 8.8',
  '9.2': 'Red Hat Enterprise Linux 9.2', '11': 'Debian 11', '12': 'Debian 12', '7.9': 'CentOS Linux 7.9',
};

const ROLES: Readonly<Record<Kind, readonly string[]>> = {
  workstation: ['desktop', 'laptop', 'ws', 'laptop', 'kiosk'],
  server: ['srv', 'sql', 'web', 'app', 'file', 'dc'],
  linux: ['lnx', 'web', 'db', 'k8s-node', 'build'],
  mac: ['mac', 'mbp'],
  mobile: ['iphone', 'android'],
};
const DOMAINS: Weighted<string | null> = [
  ['contoso.com', 40], ['corp.contoso.com', 30], ['fabrikam.local', 20], ['eu.contoso.com', 5], [null, 5],
];

type Group = readonly [number, string | null];
const UNGROUPED: Group = [0, null];
const A_TEAM: Group = [140, 'The-A-Team'];
const SERVERS: Group = [101, 'Servers'];
const WORKSTATIONS: Group = [102, 'Workstations'];
const LAB: Group = [103, 'Lab'];
const GROUPS_BY_KIND: Readonly<Record<Kind, Weighted<Group>>> = {
  workstation: [[WORKSTATIONS, 70], [A_TEAM, 10], [LAB, 8], [UNGROUPED, 12]],
  server: [[SERVERS, 80], [LAB, 8], [UNGROUPED, 12]],
  linux: [[SERVERS, 70], [LAB, 15], [UNGROUPED, 15]],
  mac: [[WORKSTATIONS, 75], [A_TEAM, 10], [UNGROUPED, 15]],
  mobile: [[WORKSTATIONS, 60], [UNGROUPED, 40]],
};

const HEALTH: Weighted<string> = [
  ['Active', 78], ['ImpairedCommunication', 6], ['NoSensorData', 5], ['NoSensorDataImpairedCommunication', 3], ['Unknown', 8],
];
const RISK: Weighted<string | null> = [[null, 5], ['None', 25], ['Informational', 10], ['Low', 30], ['Medium', 22], ['High', 8]];
const EXPOSURE: Weighted<string | null> = [[null, 5], ['None', 10], ['Low', 35], ['Medium', 38], ['High', 12]];
const ONBOARDING: Weighted<string> = [['Onboarded', 93], ['CanBeOnboarded', 4], ['Unsupported', 1.5], ['InsufficientInfo', 1.5]];
const AV_STATUS: Weighted<string> = [['Updated', 80], ['NotUpdated', 10], ['Disabled', 3], ['Unknown', 7]];
const MANAGED_BY: Weighted<string> = [['Intune', 50], ['MEM', 20], ['MDE', 10], ['Unknown', 20]];
const WORKSTATION_CPU: Weighted<string> = [['x64', 92], ['arm64', 5], ['x86', 3]];
const TAG_COUNT: Weighted<number> = [[0, 50], [1, 30], [2, 15], [3, 5]];
const TAGS = ['PCI', 'Production', 'Finance', 'Lab', 'Kiosk', 'VIP', 'DMZ', 'HR', 'Legacy', 'Remote'] as const;
const EXCLUSION_REASONS = ['InactiveDevice', 'DuplicateDevice', 'OutOfScope', 'Other'] as const;
const PUBLIC_FIRST_OCTETS = [13, 20, 23, 40, 51, 52, 65, 70, 104, 131, 137, 142, 151, 157, 167, 185, 203, 212] as const;
const RESOURCE_GROUPS = ['rg-prod', 'rg-dev', 'rg-shared', 'rg-web', 'rg-data'] as const;
const REGIONS = ['weu', 'neu', 'eus', 'wus2'] as const;

function privateIp(random: Random): string {
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
function referenceMachine(nowMs: number): Machine {
  return {
    id: REFERENCE_MACHINE.id,
    mergedIntoMachineId: null,
    isPotentialDuplication: false,
    isExcluded: false,
    exclusionReason: null,
    computerDnsName: REFERENCE_MACHINE.computerDnsName,
    firstSeen: timestampFromMillis(nowMs - 2 * 365 * DAY - 5 * HOUR),
    lastSeen: timestampFromMillis(nowMs - 3 * HOUR),
    osPlatform: 'Windows10',
    osVersion: null,
    osProcessor: 'x64',
    version: '1709',
    lastIpAddress: '172.17.230.209',
    lastExternalIpAddress: '167.220.196.71',
    agentVersion: '10.5830.18209.1001',
    osBuild: 18209,
    healthStatus: 'Active',
    deviceValue: 'Normal',
    rbacGroupId: 140,
    rbacGroupName: 'The-A-Team',
    riskScore: 'Low',
    exposureLevel: 'Medium',
    isAadJoined: true,
    aadDeviceId: '80fe8ff8-2624-418e-9591-41f0491218f9',
    machineTags: ['test tag 1', 'test tag 2'],
    defenderAvStatus: 'Updated',
    onboardingStatus: 'Onboarded',
    osArchitecture: '64-bit',
    managedBy: 'Intune',
    managedByStatus: 'Unknown',
    ipAddresses: [
      { ipAddress: '172.17.230.209', macAddress: '00155D5A2C3E', type: 'Ethernet', operationalStatus: 'Up' },
      { ipAddress: '127.0.0.1', macAddress: null, type: 'SoftwareLoopback', operationalStatus: 'Up' },
    ],
    vmMetadata: null,
  };
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
    if (index === 0 && includeReferenceMachine) yield referenceMachine(nowMs);
    else yield generateMachine(random, index, nowMs, stale);
  }
}
