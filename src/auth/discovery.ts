import { issuerFor } from './token-issuer.js';

/**
 * OpenID Connect discovery documents of the built-in authority, in Entra ID's shape, so MSAL and
 * other OIDC libraries can find the token endpoint and the signing keys.
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
    issuer: issuerFor(issuerBase, tenantId),
    grant_types_supported: ['client_credentials', 'password'],
    authorization_endpoint: `${path}/authorize`,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nbf', 'tid', 'oid', 'upn', 'appid', 'roles', 'scp'],
    tenant_region_scope: null,
    cloud_instance_name: 'rampart.local',
  };
}
