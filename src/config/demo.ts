import { ACTION_PERMISSIONS, ROLE_PERMISSIONS } from '../domain/identity/permissions.js';
import type { TenantDocument } from '../domain/identity/tenant-document.js';
import { REFERENCE_MACHINE_ID, REFERENCE_MACHINE_NAME } from '../domain/machines/reference-machine.js';

/**
 * The well-known demo identities, like Azurite's development account: fixed, documented in the
 * README, and only provisioned when the demo is on (the default for `npm start`). Never use them
 * for anything but local development and tests.
 */
export const DEMO_TENANT_ID = '7e57da7a-de70-4e2a-9c3d-000000000001';
export const DEMO_TENANT_NAME = 'Rampart demo tenant';

export const DEMO_APP = {
  clientId: 'de70a99c-0000-4000-8000-000000000001',
  clientSecret: 'rampart-demo-secret',
  name: 'Rampart demo application',
  roles: ['Machine.Read.All', 'Machine.ReadWrite.All', ...ACTION_PERMISSIONS, 'Alert.Read.All', 'Alert.ReadWrite.All'],
  delegated: ['Machine.Read', 'Machine.ReadWrite', ...ACTION_PERMISSIONS, 'Alert.Read', 'Alert.ReadWrite'],
} as const;

export const DEMO_READONLY_APP = {
  clientId: 'de70a99c-0000-4000-8000-000000000002',
  clientSecret: 'rampart-readonly-secret',
  name: 'Rampart demo read-only application',
  roles: ['Machine.Read.All'],
  delegated: ['Machine.Read'],
} as const;

/** Demo users showing the access model: every role; View data only; values in the Lab group only. */
export const DEMO_USERS = {
  admin: { userPrincipalName: 'admin@rampart.demo', password: 'rampart-admin', displayName: 'Sam Admin', userGroups: ['secops-admins'] },
  analyst: { userPrincipalName: 'analyst@rampart.demo', password: 'rampart-analyst', displayName: 'Alex Analyst', userGroups: ['secops-analysts'] },
  operator: { userPrincipalName: 'operator@rampart.demo', password: 'rampart-operator', displayName: 'Olivia Operator', userGroups: ['lab-operators'] },
} as const;

/** The demo tenant as a tenant document: applied through the same path as a tenant file. */
export const DEMO_TENANT: TenantDocument = {
  id: DEMO_TENANT_ID,
  name: DEMO_TENANT_NAME,
  retentionDays: 180,
  applications: [DEMO_APP, DEMO_READONLY_APP].map((a) => ({
    clientId: a.clientId,
    name: a.name,
    secret: a.clientSecret,
    applicationPermissions: a.roles,
    delegatedPermissions: a.delegated,
  })),
  users: Object.values(DEMO_USERS),
  roles: [
    { name: 'Security administrator', permissions: [...ROLE_PERMISSIONS], userGroups: ['secops-admins'] },
    { name: 'Security analyst', permissions: ['View data'], userGroups: ['secops-analysts'] },
    { name: 'Lab operator', permissions: ['View data', 'Manage security setting'], userGroups: ['lab-operators'] },
  ],
  deviceGroups: [
    { id: 140, name: 'The-A-Team', rank: 1, description: 'VIP devices', rules: { tags: ['VIP', 'test tag 1'] }, userGroups: ['secops-admins', 'secops-analysts'] },
    { id: 103, name: 'Lab', rank: 2, description: 'Lab and test kit', rules: { tags: ['Lab'] }, userGroups: ['secops-admins', 'secops-analysts', 'lab-operators'] },
    { id: 101, name: 'Servers', rank: 3, description: 'Windows and Linux servers', rules: { osPlatforms: ['WindowsServer2016', 'WindowsServer2019', 'WindowsServer2022', 'Linux'] }, userGroups: ['secops-admins', 'secops-analysts'] },
    { id: 102, name: 'Workstations', rank: 4, description: 'Desktops and laptops', rules: { osPlatforms: ['Windows10', 'Windows11', 'macOS'] }, userGroups: ['secops-admins', 'secops-analysts'] },
    { id: 0, name: 'Ungrouped devices (default)', rank: 5, description: 'Devices no rule matches', userGroups: ['secops-admins', 'secops-analysts'] },
  ],
  // What live response's PutFile and RunScript may name (spec section 4).
  actions: {
    library: [
      { name: 'collect-triage.ps1', description: 'Collects running processes and open connections', content: 'Get-Process | Sort-Object CPU -Descending | Select-Object -First 20\r\nGet-NetTCPConnection -State Established\r\n' },
      { name: 'triage.sh', description: 'Collects processes and sockets on Linux and macOS', content: '#!/bin/sh\nps aux --sort=-%cpu | head -20\nss -tunap 2>/dev/null || netstat -an\n' },
      { name: 'remediation-tool.exe', description: 'A tool to place on a device with PutFile' },
    ],
  },
};

/** The machine of the reference's own examples, always present in the demo fleet. */
export const REFERENCE_MACHINE = { id: REFERENCE_MACHINE_ID, computerDnsName: REFERENCE_MACHINE_NAME } as const;

export const DEMO_FLEET_SIZE = 300;
export const DEMO_FLEET_SEED = 20180802;
