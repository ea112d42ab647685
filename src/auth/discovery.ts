import { PUBLIC_CLOUD_ALIASES } from './microsoft-hosts.js';
import { issuerFor } from './token-issuer.js';

/**
 * OpenID Connect discovery documents of the built-in authority, in Entra ID's shape, so MSAL and
 * other OIDC libraries can find the token endpoint and the signing keys. `base` is the scheme and
 * host the client called (`https://login.microsoftonline.com` through the proxy).
 *
 * The issuers are Entra's: the v1 document names the issuer of the (v1) access tokens, the v2
 * document `<base>/<tenant>/v2.0`, which MSAL checks against the authority it was given (same
 * scheme and host) before it uses the document. Entra's MDE tokens are v1 tokens too, whose `iss`
 * is not the v2 document's issuer.
 */
export function openIdConfiguration(base: string, issuerBase: string, tenantId: string, version: 'v1' | 'v2') {
  const v2 = version === 'v2';
  const path = `${base}/${tenantId}/oauth2${v2 ? '/v2.0' : ''}`;
  return {
    token_endpoint: `${path}/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
    jwks_uri: `${base}/${tenantId}/discovery${v2 ? '/v2.0' : ''}/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    // COMPAT: the v2 issuer follows the host called, as Entra's does (docs/compat.md).
    issuer: v2 ? `${base}/${tenantId}/v2.0` : issuerFor(issuerBase, tenantId),
    grant_types_supported: ['client_credentials', 'password'],
    authorization_endpoint: `${path}/authorize`,
    end_session_endpoint: `${path}/logout`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'upn', 'appid', 'roles', 'scp'],
    tenant_region_scope: null,
    cloud_instance_name: 'rampart.local',
  };
}

/**
 * Entra's instance discovery (`/common/discovery/instance?authorization_endpoint=...`), which MSAL
 * calls for an authority it does not know: where the tenant's discovery document is, and which
 * host names are aliases of one another. Microsoft's login hosts are one cloud, as in Entra; any
 * other host (127.0.0.1:4322) is a cloud of its own.
 */
export function instanceDiscovery(base: string, authorizationEndpoint: string | undefined) {
  const host = new URL(base).host;
  const own = { preferred_network: host, preferred_cache: host, aliases: [host] };
  return {
    tenant_discovery_endpoint: `${authorityOf(authorizationEndpoint) ?? `${base}/common`}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: (PUBLIC_CLOUD_ALIASES.aliases as readonly string[]).includes(host) ? [PUBLIC_CLOUD_ALIASES] : [PUBLIC_CLOUD_ALIASES, own],
  };
}

/** `https://host/tenant/oauth2/v2.0/authorize` -> `https://host/tenant`; undefined when it is not such a URL. */
function authorityOf(endpoint: string | undefined): string | undefined {
  if (!endpoint || !URL.canParse(endpoint)) return undefined;
  const url = new URL(endpoint);
  const tenant = url.pathname.split('/')[1];
  return /^https?:$/.test(url.protocol) && tenant && /^[\w.-]{1,100}$/.test(tenant) ? `${url.protocol}//${url.host}/${tenant}` : undefined;
}
