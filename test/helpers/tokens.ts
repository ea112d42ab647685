/**
 * Tokens for the identity suites: real ones from a server's token endpoint (client credentials v1
 * and v2, the password grant), and forged ones for hostile cases, either with a key of our own
 * or with the server's REAL current signing key (valid signature, wrong claims).
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT, type JWK, type JWTPayload, type JWTHeaderParameters } from 'jose';
import type { App } from '../../src/app.js';
import { DEMO_APP, DEMO_TENANT_ID } from '../../src/config/demo.js';
import { call } from './server.js';

export const MDE_RESOURCE = 'https://api.securitycenter.microsoft.com';
export const DEFAULT_SCOPE = `${MDE_RESOURCE}/.default`;

export interface Client {
  readonly clientId: string;
  readonly clientSecret?: string;
}

export interface TokenAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  /** The access token, or '' when the endpoint refused. */
  readonly token: string;
}

/** POSTs a form to `/{tenant}/oauth2[/v2.0]/token` and returns status and body, whatever they are. */
export async function tokenRequest(base: string, tenant: string, version: 'v1' | 'v2', form: Record<string, string>, headers: Record<string, string> = {}): Promise<TokenAnswer> {
  const path = version === 'v2' ? 'oauth2/v2.0/token' : 'oauth2/token';
  const response = await call(`${base}/${tenant}/${path}`, { method: 'POST', body: new URLSearchParams(form), headers });
  const body = (await response.json()) as Record<string, unknown>;
  return { status: response.status, body, token: typeof body.access_token === 'string' ? body.access_token : '' };
}

const must = (answer: TokenAnswer, what: string): string => {
  if (!answer.token) throw new Error(`no ${what} token: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.token;
};

/** An application token (client credentials); v2 asks `scope=<resource>/.default`, v1 `resource=`. */
export async function appToken(base: string, client: Client = DEMO_APP, options: { tenant?: string; version?: 'v1' | 'v2'; resource?: string } = {}): Promise<string> {
  const resource = options.resource ?? MDE_RESOURCE;
  const version = options.version ?? 'v2';
  const form: Record<string, string> = { grant_type: 'client_credentials', client_id: client.clientId, client_secret: client.clientSecret ?? '' };
  if (version === 'v2') form.scope = `${resource}/.default`;
  else form.resource = resource;
  return must(await tokenRequest(base, options.tenant ?? DEMO_TENANT_ID, version, form), 'application');
}

export interface UserLogin {
  readonly userPrincipalName: string;
  readonly password: string;
}

/** The password-grant form for a user through a client app (secret sent only if the app has one). */
export function passwordForm(user: UserLogin, client: Client = DEMO_APP, scope = DEFAULT_SCOPE): Record<string, string> {
  return {
    grant_type: 'password',
    client_id: client.clientId,
    ...(client.clientSecret ? { client_secret: client.clientSecret } : {}),
    username: user.userPrincipalName,
    password: user.password,
    scope,
  };
}

/** A delegated (user) token from the password grant, v2 by default. */
export async function userToken(base: string, user: UserLogin, options: { client?: Client; tenant?: string; scope?: string; version?: 'v1' | 'v2' } = {}): Promise<string> {
  const form = passwordForm(user, options.client, options.scope);
  if (options.version === 'v1') {
    delete form.scope;
    form.resource = MDE_RESOURCE;
  }
  return must(await tokenRequest(base, options.tenant ?? DEMO_TENANT_ID, options.version ?? 'v2', form), 'user');
}

// ---------------------------------------------------------------------------------------------
// Forging

type SigningKey = Parameters<SignJWT['sign']>[0];

export interface ForeignKey {
  readonly privateKey: SigningKey;
  readonly publicJwk: JWK;
}

/** A fresh key pair of our own (RS256 by default), with its public JWK. */
export async function foreignKey(alg = 'RS256', kid?: string): Promise<ForeignKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = await exportJWK(publicKey);
  return { privateKey, publicJwk: { ...jwk, alg, use: 'sig', ...(kid ? { kid } : {}) } };
}

/** Signs any payload and header with any key; nothing is added (a `crit` header is signed as given). */
export function sign(payload: JWTPayload, header: JWTHeaderParameters, key: SigningKey): Promise<string> {
  const crit = Array.isArray(header.crit) ? Object.fromEntries(header.crit.map((name) => [name, true])) : undefined;
  return new SignJWT(payload).setProtectedHeader(header).sign(key, crit ? { crit } : undefined);
}

export const nowSeconds = (app?: App): number => Math.floor((app ? app.clock.now() : Date.now()) / 1000);

/** The `iss` the built-in authority puts in tokens of a tenant. */
export const builtInIssuer = (app: App, tenant = DEMO_TENANT_ID): string => `${app.config.issuer.replace(/\/+$/, '')}/${tenant}/`;

/** Claims shaped like the built-in authority's application token for the demo app, one hour long. */
export function appClaims(app: App, overrides: JWTPayload = {}, tenant = DEMO_TENANT_ID): JWTPayload {
  const now = nowSeconds(app);
  return {
    aud: MDE_RESOURCE,
    iss: builtInIssuer(app, tenant),
    iat: now,
    nbf: now,
    exp: now + 3600,
    appid: DEMO_APP.clientId,
    idtyp: 'app',
    oid: randomUUID(),
    roles: [...DEMO_APP.roles],
    sub: randomUUID(),
    tid: tenant,
    ver: '1.0',
    ...overrides,
  };
}

/** Removes claims set to undefined (so `{ exp: undefined }` means "no exp"). */
const defined = (payload: JWTPayload): JWTPayload => Object.fromEntries(Object.entries(payload).filter(([, v]) => v !== undefined));

/**
 * Signs with the server's REAL current private key (its key ring's active key): the signature
 * verifies, so whatever is refused is refused for its claims or header.
 */
export function signWithServerKey(app: App, payload: JWTPayload, header: Partial<JWTHeaderParameters> = {}): Promise<string> {
  const { kid, privateKey } = app.keys.signingKey();
  return sign(defined(payload), { alg: 'RS256', typ: 'JWT', kid, ...header } as JWTHeaderParameters, privateKey);
}

/** The server's current signing kid. */
export const serverKid = (app: App): string => app.keys.signingKey().kid;

export const b64url = (value: unknown): string => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
export const unb64url = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

/** Rewrites a token's header or payload (parts 0 or 1) and keeps the original signature. */
export function tamper(token: string, part: 0 | 1, change: (json: Record<string, unknown>) => Record<string, unknown>): string {
  const parts = token.split('.');
  parts[part] = b64url(change(unb64url(parts[part] ?? '')));
  return parts.join('.');
}

/** An unsigned (`alg: none`) JWT: header.payload. with an empty signature. */
export const unsigned = (payload: JWTPayload): string => `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(payload)}.`;
