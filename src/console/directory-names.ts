import type { AccessPolicy } from '../domain/identity/access-policy.js';
import { CONSOLE_APP_ID } from './console-principal.js';

/**
 * Who did something, as the console shows it: users by principal name, applications by name,
 * the console itself as "Rampart console". From the access policy's cached directory, not the store.
 */
export async function directoryNames(policy: AccessPolicy, tenantId: string): Promise<{ users: Map<string, string>; apps: Map<string, string> }> {
  const names = await policy.names(tenantId);
  names.apps.set(CONSOLE_APP_ID, 'Rampart console');
  return names;
}
