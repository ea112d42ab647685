/**
 * The host names under which Microsoft serves the Machine API and Entra ID's sign-in, as real
 * clients hard-code them (spec section 1). Rampart accepts each API host's URI as a token
 * resource and audience, and its forward proxy answers for every host here (src/net).
 */
const REGIONS = ['us', 'eu', 'uk', 'au'] as const;

export const MACHINE_API_HOSTS: readonly string[] = [
  'api.securitycenter.microsoft.com',
  ...REGIONS.map((r) => `api-${r}.securitycenter.microsoft.com`),
  // Legacy (Windows Defender ATP) names, global and regional.
  'api.securitycenter.windows.com',
  ...REGIONS.map((r) => `api-${r}.securitycenter.windows.com`),
  'api.security.microsoft.com',
  ...[...REGIONS, 'swa', 'ina'].map((r) => `${r}.api.security.microsoft.com`),
  ...REGIONS.map((r) => `api-${r}.security.microsoft.com`),
  // US Government: GCC, and GCC High / DoD.
  'api-gcc.securitycenter.microsoft.us',
  'api-gov.securitycenter.microsoft.us',
];

/** Entra ID's sign-in hosts: the public cloud's aliases, and the US Government cloud's. */
export const LOGIN_HOSTS: readonly string[] = ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'login.microsoftonline.us'];

/** The public cloud's aliases as Entra's instance discovery lists them (MSAL keeps the same list). */
export const PUBLIC_CLOUD_ALIASES = {
  preferred_network: 'login.microsoftonline.com',
  preferred_cache: 'login.windows.net',
  aliases: ['login.microsoftonline.com', 'login.windows.net', 'login.microsoft.com', 'sts.windows.net'],
} as const;
