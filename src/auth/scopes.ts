import { authorityErrors as errors } from './authority-errors.js';
import { resourceFromUri } from './resources.js';

/** What a token request asks for: the audience, and which delegated permissions (or all). */
export interface ResourceRequest {
  readonly audience: string;
  readonly permissions: 'default' | readonly string[];
}

// OpenID Connect scopes a client may add to a user token request; they do not name the resource.
const OIDC_SCOPES = new Set(['openid', 'profile', 'email', 'offline_access']);

/**
 * v1 names the resource (`resource=`); v2 names scopes under it (`scope=<resource>/.default` or
 * `<resource>/Machine.Read ...`). Client credentials accept only `/.default`, as Entra does.
 */
export function requestedResource(version: 'v1' | 'v2', form: Readonly<Record<string, string>>, grantType: string, tenantId: string): ResourceRequest {
  if (version === 'v1') {
    const requested = form.resource;
    if (!requested) throw errors.missingParameter('resource');
    const audience = resourceFromUri(requested);
    if (!audience) throw errors.unknownResource(requested, tenantId);
    return { audience, permissions: 'default' };
  }
  const scope = form.scope;
  if (!scope) throw errors.missingParameter('scope');
  const scopes = scope.split(' ').filter((s) => s !== '' && !OIDC_SCOPES.has(s.toLowerCase()));
  if (scopes.length === 0) throw errors.invalidScope(scope);
  if (grantType === 'client_credentials' && (scopes.length !== 1 || !scopes[0]?.endsWith('/.default'))) throw errors.invalidScope(scope);
  let audience: string | undefined;
  const permissions: string[] = [];
  for (const s of scopes) {
    const slash = s.lastIndexOf('/');
    const resource = slash > 0 ? resourceFromUri(s.slice(0, slash)) : undefined;
    if (!resource) throw errors.unknownResource(slash > 0 ? s.slice(0, slash) : s, tenantId);
    if (audience && audience !== resource) throw errors.invalidScope(scope);
    audience = resource;
    permissions.push(s.slice(slash + 1));
  }
  if (!audience) throw errors.invalidScope(scope);
  return { audience, permissions: permissions.includes('.default') ? 'default' : permissions };
}
