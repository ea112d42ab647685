/**
 * The resource URIs under which the Machine API is known to Entra ID (spec section 7). A token's
 * `aud` is the resource it was requested for, and must be one of these.
 */
export const MACHINE_API_RESOURCES = [
  'https://api.securitycenter.microsoft.com',
  'https://api.securitycenter.windows.com',
  'https://securitycenter.onmicrosoft.com/windowsatpservice',
  'https://api.security.microsoft.com',
] as const;

/** Accepts the resource with or without a trailing slash, case-insensitively. */
export function resourceFromUri(uri: string): string | undefined {
  const wanted = uri.replace(/\/+$/, '').toLowerCase();
  return MACHINE_API_RESOURCES.find((r) => r === wanted);
}
