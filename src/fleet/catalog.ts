// The realistic value tables the fleet generator draws from.
import type { Weighted } from './random.js';

export type Kind = 'workstation' | 'server' | 'linux' | 'mac' | 'mobile';
export interface Platform {
  name: string;
  kind: Kind;
  weight: number;
  /** version -> Windows build (null off Windows) */
  versions: readonly (readonly [string, number | null])[];
}

export const PLATFORMS: readonly Platform[] = [
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
export const PLATFORM_TABLE: Weighted<Platform> = PLATFORMS.map((p) => [p, p.weight] as const);

export const LINUX_DISTRO: Readonly<Record<string, string>> = {
  '20.04': 'Ubuntu 20.04.6 LTS', '22.04': 'Ubuntu 22.04.4 LTS', '8.8': 'Red Hat Enterprise Linux 8.8',
  '9.2': 'Red Hat Enterprise Linux 9.2', '11': 'Debian 11', '12': 'Debian 12', '7.9': 'CentOS Linux 7.9',
};

export const ROLES: Readonly<Record<Kind, readonly string[]>> = {
  workstation: ['desktop', 'laptop', 'ws', 'laptop', 'kiosk'],
  server: ['srv', 'sql', 'web', 'app', 'file', 'dc'],
  linux: ['lnx', 'web', 'db', 'k8s-node', 'build'],
  mac: ['mac', 'mbp'],
  mobile: ['iphone', 'android'],
};
export const DOMAINS: Weighted<string | null> = [
  ['contoso.com', 40], ['corp.contoso.com', 30], ['fabrikam.local', 20], ['eu.contoso.com', 5], [null, 5],
];

export type Group = readonly [number, string | null];
export const UNGROUPED: Group = [0, null];
export const A_TEAM: Group = [140, 'The-A-Team'];
export const SERVERS: Group = [101, 'Servers'];
export const WORKSTATIONS: Group = [102, 'Workstations'];
export const LAB: Group = [103, 'Lab'];
export const GROUPS_BY_KIND: Readonly<Record<Kind, Weighted<Group>>> = {
  workstation: [[WORKSTATIONS, 70], [A_TEAM, 10], [LAB, 8], [UNGROUPED, 12]],
  server: [[SERVERS, 80], [LAB, 8], [UNGROUPED, 12]],
  linux: [[SERVERS, 70], [LAB, 15], [UNGROUPED, 15]],
  mac: [[WORKSTATIONS, 75], [A_TEAM, 10], [UNGROUPED, 15]],
  mobile: [[WORKSTATIONS, 60], [UNGROUPED, 40]],
};

export const HEALTH: Weighted<string> = [
  ['Active', 78], ['ImpairedCommunication', 6], ['NoSensorData', 5], ['NoSensorDataImpairedCommunication', 3], ['Unknown', 8],
];
export const RISK: Weighted<string | null> = [[null, 5], ['None', 25], ['Informational', 10], ['Low', 30], ['Medium', 22], ['High', 8]];
export const EXPOSURE: Weighted<string | null> = [[null, 5], ['None', 10], ['Low', 35], ['Medium', 38], ['High', 12]];
export const ONBOARDING: Weighted<string> = [['Onboarded', 93], ['CanBeOnboarded', 4], ['Unsupported', 1.5], ['InsufficientInfo', 1.5]];
export const AV_STATUS: Weighted<string> = [['Updated', 80], ['NotUpdated', 10], ['Disabled', 3], ['Unknown', 7]];
export const MANAGED_BY: Weighted<string> = [['Intune', 50], ['MEM', 20], ['MDE', 10], ['Unknown', 20]];
export const WORKSTATION_CPU: Weighted<string> = [['x64', 92], ['arm64', 5], ['x86', 3]];
export const TAG_COUNT: Weighted<number> = [[0, 50], [1, 30], [2, 15], [3, 5]];
export const TAGS = ['PCI', 'Production', 'Finance', 'Lab', 'Kiosk', 'VIP', 'DMZ', 'HR', 'Legacy', 'Remote'] as const;
export const EXCLUSION_REASONS = ['InactiveDevice', 'DuplicateDevice', 'OutOfScope', 'Other'] as const;
export const PUBLIC_FIRST_OCTETS = [13, 20, 23, 40, 51, 52, 65, 70, 104, 131, 137, 142, 151, 157, 167, 185, 203, 212] as const;
export const RESOURCE_GROUPS = ['rg-prod', 'rg-dev', 'rg-shared', 'rg-web', 'rg-data'] as const;
export const REGIONS = ['weu', 'neu', 'eus', 'wus2'] as const;
