import type { Application, ApplicationStore, DirectoryStore, TenantStore } from '../domain/ports.js';
import type { Tenant } from '../domain/identity/tenant.js';
import type { Clock } from '../shared/clock.js';
import { authorityErrors as errors } from './authority-errors.js';
import { requestedResource, type ResourceRequest } from './scopes.js';
import { verifySecret, verifyUserPassword } from './secrets.js';
import { TOKEN_LIFETIME_SECONDS, type IssuedToken, type TokenIssuer } from './token-issuer.js';

export type EndpointVersion = 'v1' | 'v2';

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

type Form = Readonly<Record<string, string>>;

/**
 * Rampart's Entra-compatible token endpoint: `POST /{tenant}/oauth2/token` (v1, `resource=`) and
 * `POST /{tenant}/oauth2/v2.0/token` (v2, `scope=`), with the client-credentials grant
 * (application tokens) and the password grant (delegated tokens for a user). Checks run in
 * Entra's order, so a client sees the same error it would see in production.
 */
export class Authority {
  constructor(
    private readonly tenants: TenantStore,
    private readonly apps: ApplicationStore & DirectoryStore,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
  ) {}

  async token(tenantPath: string, version: EndpointVersion, form: Form, basic?: ClientCredentials) {
    const tenant = await this.tenants.getTenant(tenantPath.toLowerCase());
    if (!tenant) throw errors.tenantNotFound(tenantPath);
    const grantType = form.grant_type;
    if (!grantType) throw errors.missingParameter('grant_type');
    if (grantType !== 'client_credentials' && grantType !== 'password') throw errors.unsupportedGrant();

    const clientId = basic?.clientId ?? form.client_id;
    if (!clientId) throw errors.missingParameter('client_id');
    const resource = requestedResource(version, form, grantType, tenant.id);
    const app = await this.apps.getApplication(tenant.id, clientId.toLowerCase());
    if (!app) throw errors.unknownClient(clientId, tenant.id);
    const confidential = this.authenticateClient(app, basic?.clientSecret ?? form.client_secret, grantType);

    const issued =
      grantType === 'client_credentials'
        ? await this.issuer.issueAppToken({ tenantId: tenant.id, clientId: app.clientId, appName: app.name, audience: resource.audience, roles: app.roles })
        : await this.userToken(tenant, app, resource, form, confidential);
    return this.answer(version, resource, issued, grantType === 'password' ? this.grantedScopes(app, resource) : undefined);
  }

  now(): number {
    return this.clock.now();
  }

  /** Confidential clients prove themselves with their secret; public clients may not send one. */
  private authenticateClient(app: Application, secret: string | undefined, grantType: string): boolean {
    if (app.secretHash === null) {
      if (secret !== undefined) throw errors.publicClientWithSecret(app.clientId);
      if (grantType === 'client_credentials') throw errors.publicClientCredentials(app.clientId);
      return false;
    }
    if (!secret) throw errors.missingSecret();
    if (!verifySecret(secret, app.secretHash)) throw errors.badSecret(app.clientId);
    return true;
  }

  private async userToken(tenant: Tenant, app: Application, resource: ResourceRequest, form: Form, confidential: boolean): Promise<IssuedToken> {
    if (!form.username) throw errors.missingParameter('username');
    if (!form.password) throw errors.missingParameter('password');
    const user = verifyUserPassword(await this.apps.getUserByPrincipalName(tenant.id, form.username), form.password);
    if (!user) throw errors.badUserCredentials();
    return this.issuer.issueUserToken({
      tenantId: tenant.id,
      clientId: app.clientId,
      appName: app.name,
      audience: resource.audience,
      confidential,
      userId: user.id,
      userPrincipalName: user.userPrincipalName,
      displayName: user.displayName,
      scopes: this.grantedScopes(app, resource),
    });
  }

  /** `.default` (and v1) grant every delegated permission of the app; named ones must be among them. */
  private grantedScopes(app: Application, resource: ResourceRequest): string[] {
    if (resource.permissions === 'default') {
      if (app.delegatedPermissions.length === 0) throw errors.notConsented(app.clientId, '.default');
      return [...app.delegatedPermissions];
    }
    const refused = resource.permissions.find((p) => !app.delegatedPermissions.includes(p));
    if (refused) throw errors.notConsented(app.clientId, refused);
    return [...resource.permissions];
  }

  private answer(version: EndpointVersion, resource: ResourceRequest, issued: IssuedToken, scopes: string[] | undefined) {
    const expiresIn = TOKEN_LIFETIME_SECONDS - 1;
    if (version === 'v2') {
      return {
        token_type: 'Bearer',
        ...(scopes ? { scope: scopes.map((s) => `${resource.audience}/${s}`).join(' ') } : {}),
        expires_in: expiresIn,
        ext_expires_in: expiresIn,
        access_token: issued.accessToken,
      };
    }
    // v1 answers with numbers as strings, as Entra does.
    return {
      token_type: 'Bearer',
      ...(scopes ? { scope: scopes.join(' ') } : {}),
      expires_in: String(expiresIn),
      ext_expires_in: String(expiresIn),
      expires_on: String(issued.expiresAt),
      not_before: String(issued.issuedAt),
      resource: resource.audience,
      access_token: issued.accessToken,
    };
  }
}
