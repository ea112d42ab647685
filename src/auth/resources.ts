import { MACHINE_API_HOSTS } from './microsoft-hosts.js';

/** The WindowsDefenderATP application's id: `scope=fc780465-.../.default` names the API too. */
export const WINDOWS_DEFENDER_ATP_APP_ID = 'fc780465-2017-40d4-a0c5-307022471b92';

/**
 * The resource URIs under which the Machine API is known to Entra ID (spec section 7): every API
 * host (regional, legacy and government ones included), the historical App ID URI and the
 * application's id. A token's `aud` is the resource as it was requested, as Entra's v1 tokens
 * carry it (lower case, without a trailing slash), and must be one of these.
 */
export const MACHINE_API_RESOURCES: readonly string[] = [
  ...MACHINE_API_HOSTS.map((host) => `https://${host}`),
  'https://securitycenter.onmicrosoft.com/windowsatpservice',
  WINDOWS_DEFENDER_ATP_APP_ID,
];

const BY_URI = new Set(MACHINE_API_RESOURCES);

/** Accepts the resource with or without a trailing slash, case-insensitively. */
export function resourceFromUri(uri: string): string | undefined {
  const wanted = uri.replace(/\/+$/, '').toLowerCase();
  return BY_URI.has(wanted) ? wanted : undefined;
}
