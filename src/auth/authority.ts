import type { ApplicationStore, TenantStore } from '../domain/ports.js';
import type { Clock } from '../shared/clock.js';
import { authorityErrors as errors } from './authority-errors.js';
import { resourceFromScope, resourceFromUri } from './resources.js';
import { verifySecret } from './secrets.js';
import { TOKEN_LIFETIME_SECONDS, type TokenIssuer } from './token-issuer.js';

export type EndpointVersion = 'v1' | 'v2';

export interface ClientCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * Rampart's Entra-compatible token endpoint: `POST /{tenant}/oauth2/token` (v1, `resource=`) and
 * `POST /{tenant}/oauth2/v2.0/token` (v2, `scope=.../.default`) with the client-credentials grant.
 * Checks run in Entra's order, so a client sees the same error it would see in production.
 */
export class Authority {
  constructor(
    private readonly tenants: TenantStore,
    private readonly apps: ApplicationStore,
    private readonly issuer: TokenIssuer,
    private readonly clock: Clock,
  ) {}

  async token(tenantPath: string, version: EndpointVersion, form: Readonly<Record<string, string>>, basic?: ClientCredentials) {
    const tenant = await this.tenants.getTenant(tenantPath.toLowerCase());
    if (!tenant) throw errors.tenantNotFound(tenantPath);
    const grantType = form.grant_type;
    if (!grantType) throw errors.missingParameter('grant_type');
    if (grantType !== 'client_credentials') throw errors.unsupportedGrant();

    const clientId = basic?.clientId ?? form.client_id;
    if (!clientId) throw errors.missingParameter('client_id');
    const audience = this.audience(version, form, tenant.id);
    const app = await this.apps.getApplication(tenant.id, clientId.toLowerCase());
    if (!app) throw errors.unknownClient(clientId, tenant.id);
    const secret = basic?.clientSecret ?? form.client_secret;
    if (!secret) throw errors.missingSecret();
    if (!verifySecret(secret, app.secretHash)) throw errors.badSecret(clientId);

    const issued = await this.issuer.issueAppToken({
      tenantId: tenant.id,
      clientId: app.clientId,
      appName: app.name,
      audience,
      roles: app.roles,
    });
    const expiresIn = TOKEN_LIFETIME_SECONDS - 1;
    if (version === 'v2') {
      return { token_type: 'Bearer', expires_in: expiresIn, ext_expires_in: expiresIn, access_token: issued.accessToken };
    }
    // v1 answers with numbers as strings, as Entra does.
    return {
      token_type: 'Bearer',
      expires_in: String(expiresIn),
      ext_expires_in: String(expiresIn),
      expires_on: String(issued.expiresAt),
      not_before: String(issued.issuedAt),
      resource: audience,
      access_token: issued.accessToken,
    };
  }

  private audience(version: EndpointVersion, form: Readonly<Record<string, string>>, tenantId: string): string {
    if (version === 'v2') {
      const scope = form.scope;
      if (!scope) throw errors.missingParameter('scope');
      if (!scope.trim().endsWith('/.default')) throw errors.invalidScope(scope);
      const resource = resourceFromScope(scope);
      if (!resource) throw errors.unknownResource(scope.replace(/\/\.default$/, ''), tenantId);
      return resource;
    }
    const requested = form.resource;
    if (!requested) throw errors.missingParameter('resource');
    const resource = resourceFromUri(requested);
    if (!resource) throw errors.unknownResource(requested, tenantId);
    return resource;
  }

  now(): number {
    return this.clock.now();
  }
}
