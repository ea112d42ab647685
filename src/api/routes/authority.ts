import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { AuthorityError, authorityErrors } from '../../auth/authority-errors.js';
import { instanceDiscovery, openIdConfiguration } from '../../auth/discovery.js';
import type { Authority, ClientCredentials, EndpointVersion } from '../../auth/authority.js';
import type { KeyRing } from '../../auth/key-ring.js';
import { registerFormParser } from '../plugins/body-parsers.js';
import { baseUrlOf } from '../request-context.js';
import { AuthorityErrorSchema, TokenFormV1, TokenFormV2, TokenSchema } from '../wire/authority-schema.js';

export interface AuthorityRouteOptions {
  readonly authority: Authority;
  readonly keys: KeyRing;
  readonly issuerBase: string;
  readonly tenantExists: (tenantId: string) => Promise<boolean>;
}

type TokenRequest = { Params: { tenant: string }; Body: Record<string, string> | undefined };

/**
 * The built-in Entra-compatible authority's endpoints: token (v1 and v2) and the JWKS. These
 * answer in Entra's format, not the Machine API's error envelope, as a real authority does.
 */
export const authorityRoutes: FastifyPluginAsync<AuthorityRouteOptions> = async (app, { authority, keys, issuerBase, tenantExists }) => {
  registerFormParser(app);

  const token = (version: EndpointVersion) => async (request: FastifyRequest<TokenRequest>, reply: FastifyReply) => {
    const form = typeof request.body === 'object' && request.body !== null ? request.body : {};
    try {
      const body = await authority.token(request.params.tenant, version, form, basicCredentials(request.headers.authorization));
      return reply.header('cache-control', 'no-store').send(body);
    } catch (error) {
      if (!(error instanceof AuthorityError)) throw error;
      return reply.code(error.status).header('cache-control', 'no-store').send(error.body(authority.now()));
    }
  };

  // The body schemas document the form; the authority reads and checks it (the validator is off).
  const schema = { tags: ['authority'], consumes: ['application/x-www-form-urlencoded'] };
  const config = { replies: { 200: TokenSchema, 400: AuthorityErrorSchema, 401: AuthorityErrorSchema } };
  app.post<TokenRequest>('/:tenant/oauth2/token', { config, schema: { ...schema, summary: 'Token (Entra v1: resource=)', body: TokenFormV1 } }, token('v1'));
  app.post<TokenRequest>('/:tenant/oauth2/v2.0/token', { config, schema: { ...schema, summary: 'Token (Entra v2: scope=<resource>/.default)', body: TokenFormV2 } }, token('v2'));

  const discovery = (version: 'v1' | 'v2') => async (request: FastifyRequest<{ Params: { tenant: string } }>, reply: FastifyReply) => {
    const tenantId = request.params.tenant.toLowerCase();
    if (!(await tenantExists(tenantId))) return reply.code(400).send(authorityErrors.tenantNotFound(request.params.tenant).body(authority.now()));
    return openIdConfiguration(baseUrlOf(request), issuerBase, tenantId, version);
  };
  const discoverySchema = { config: { replies: { 400: AuthorityErrorSchema } }, schema: { tags: ['authority'], summary: 'OpenID Connect discovery' } };
  app.get('/:tenant/v2.0/.well-known/openid-configuration', discoverySchema, discovery('v2'));
  app.get('/:tenant/.well-known/openid-configuration', discoverySchema, discovery('v1'));

  // MSAL asks this of an authority it does not know (unless told knownAuthorities).
  app.get<{ Querystring: { authorization_endpoint?: string } }>(
    '/:tenant/discovery/instance',
    { schema: { tags: ['authority'], summary: 'Instance discovery' } },
    async (request) => instanceDiscovery(baseUrlOf(request), typeof request.query.authorization_endpoint === 'string' ? request.query.authorization_endpoint : undefined),
  );

  const jwks = async () => keys.jwks();
  const jwksSchema = { schema: { tags: ['authority'], summary: 'Signing keys (JWKS)' } };
  app.get('/common/discovery/keys', jwksSchema, jwks);
  app.get('/:tenant/discovery/keys', jwksSchema, jwks);
  app.get('/:tenant/discovery/v2.0/keys', jwksSchema, jwks);
};

/** Client credentials in HTTP Basic (client_secret_basic), as confidential clients may send them. */
function basicCredentials(header: string | undefined): ClientCredentials | undefined {
  const match = header && /^Basic\s+(\S+)$/i.exec(header);
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    clientId: decodeURIComponent(decoded.slice(0, colon)),
    clientSecret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}
