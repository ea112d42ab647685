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
  roles: ['Machine.Read.All', 'Machine.ReadWrite.All'],
} as const;

export const DEMO_READONLY_APP = {
  clientId: 'de70a99c-0000-4000-8000-000000000002',
  clientSecret: 'rampart-readonly-secret',
  name: 'Rampart demo read-only application',
  roles: ['Machine.Read.All'],
} as const;

/** The machine of the reference's own examples, always present in the demo fleet. */
export const REFERENCE_MACHINE = {
  id: '1e5bc9d7e413ddd7902c2932e418702b84d0cc07',
  computerDnsName: 'mymachine1.contoso.com',
} as const;

export const DEMO_FLEET_SIZE = 300;
export const DEMO_FLEET_SEED = 20180802;
