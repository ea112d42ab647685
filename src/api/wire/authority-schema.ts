import { Type } from 'typebox';

/*
 * The built-in authority's wire, for the OpenAPI document: form-encoded token requests and
 * Entra's own answers (not the Machine API's envelope). Bodies are read by the authority itself.
 */

const grantType = Type.Union([Type.Literal('client_credentials'), Type.Literal('password')], { description: 'client_credentials for applications; password (ROPC) for a user of the tenant' });
const client = {
  grant_type: grantType,
  client_id: Type.String({ description: 'the application (client) id; or in HTTP Basic' }),
  client_secret: Type.Optional(Type.String({ description: 'the client secret; or in HTTP Basic. Public clients send none' })),
  username: Type.Optional(Type.String({ description: 'password grant only' })),
  password: Type.Optional(Type.String({ description: 'password grant only', format: 'password' })),
};

export const TokenFormV1 = Type.Object(
  { ...client, resource: Type.String({ description: 'the API, e.g. https://api.securitycenter.microsoft.com' }) },
  { description: 'application/x-www-form-urlencoded, as Entra v1 takes it' },
);

export const TokenFormV2 = Type.Object(
  { ...client, scope: Type.String({ description: 'e.g. https://api.securitycenter.microsoft.com/.default' }) },
  { description: 'application/x-www-form-urlencoded, as Entra v2 takes it' },
);

export const TokenSchema = Type.Object(
  {
    token_type: Type.Literal('Bearer'),
    expires_in: Type.Union([Type.Integer(), Type.String()], { description: 'seconds (v1 writes numbers as strings, as Entra does)' }),
    ext_expires_in: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    access_token: Type.String(),
  },
  { description: 'An access token; v1 adds expires_on, not_before and resource', additionalProperties: true },
);

export const AuthorityErrorSchema = Type.Object(
  {
    error: Type.String({ description: 'e.g. invalid_client, unauthorized_client, invalid_request' }),
    error_description: Type.String({ description: 'AADSTS code and text, as Entra writes it' }),
    error_codes: Type.Array(Type.Integer()),
    timestamp: Type.String(),
    trace_id: Type.String(),
    correlation_id: Type.String(),
    error_uri: Type.String(),
  },
  { description: "Entra's error answer" },
);
