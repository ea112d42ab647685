import { randomUUID } from 'node:crypto';

/**
 * Token-endpoint errors in Entra ID's shape (`error`, `error_description` with the AADSTS code,
 * `error_codes`, trace and correlation ids), which MSAL and SDKs parse.
 */
export class AuthorityError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    readonly description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
  }

  body(nowMs: number): Record<string, unknown> {
    const traceId = randomUUID();
    return {
      error: this.error,
      error_description: `AADSTS${this.aadsts}: ${this.description} Trace ID: ${traceId} Correlation ID: ${traceId} Timestamp: ${new Date(nowMs).toISOString().replace('T', ' ').slice(0, 19)}Z`,
      error_codes: [this.aadsts],
      timestamp: `${new Date(nowMs).toISOString().replace('T', ' ').slice(0, 19)}Z`,
      trace_id: traceId,
      correlation_id: traceId,
      error_uri: `https://login.microsoftonline.com/error?code=${this.aadsts}`,
    };
  }
}

export const authorityErrors = {
  tenantNotFound: (tenant: string) =>
    new AuthorityError(400, 'invalid_request', 90002, `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`),
  missingParameter: (name: string) =>
    new AuthorityError(400, 'invalid_request', 900144, `The request body must contain the following parameter: '${name}'.`),
  unsupportedGrant: () =>
    new AuthorityError(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.'),
  unknownClient: (clientId: string, tenant: string) =>
    new AuthorityError(400, 'unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`),
  missingSecret: () =>
    new AuthorityError(401, 'invalid_client', 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'."),
  badSecret: (clientId: string) =>
    new AuthorityError(401, 'invalid_client', 7000215, `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`),
  invalidScope: (scope: string) =>
    new AuthorityError(400, 'invalid_scope', 1002012, `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`),
  badUserCredentials: () =>
    new AuthorityError(400, 'invalid_grant', 50126, 'Error validating credentials due to invalid username or password.'),
  notConsented: (clientId: string, permission: string) =>
    new AuthorityError(400, 'invalid_grant', 65001, `The user or administrator has not consented to use the application with ID '${clientId}'. Send an interactive authorization request for this user and resource (permission ${permission}).`),
  publicClientWithSecret: (clientId: string) =>
    new AuthorityError(401, 'invalid_client', 700025, `Client '${clientId}' is public so neither 'client_assertion' nor 'client_secret' should be presented.`),
  publicClientCredentials: (clientId: string) =>
    new AuthorityError(401, 'invalid_client', 7000218, `The application '${clientId}' is a public client: the client_credentials grant needs a client secret.`),
  unknownResource: (resource: string, tenant: string) =>
    new AuthorityError(400, 'invalid_resource', 500011, `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`),
};
