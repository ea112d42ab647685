import type { AccessPolicy } from '../identity/access-policy.js';
import type { Principal } from '../identity/principal.js';

/**
 * Who asked, as actions and investigations name them: a user's principal name; for an
 * application, its display name in the tenant (its client id when it has none).
 */
export async function requestorOf(principal: Principal, policy: AccessPolicy): Promise<string> {
  if (principal.kind === 'delegated') return principal.userPrincipalName ?? principal.userId;
  return (await policy.names(principal.tenantId)).apps.get(principal.appId) ?? principal.appId;
}
