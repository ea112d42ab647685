import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ApiError } from '../domain/errors.js';
import type { TenantStore } from '../domain/ports.js';
import type { Principal } from '../domain/principal.js';
import type { Clock } from '../shared/clock.js';
import type { KeyRing } from './key-ring.js';
import { MACHINE_API_RESOURCES } from './resources.js';
import { issuerFor } from './token-issuer.js';

const MAX_TOKEN_LENGTH = 16 * 1024;

export interface VerifierOptions {
  readonly issuerBase: string;
  /** How many verified tokens to remember; the oldest are forgotten first. */
  readonly cacheSize: number;
}

/** A 401 whose reason travels in `WWW-Authenticate`, as Azure APIs report token problems. */
export function invalidToken(reason: string): ApiError {
  return new ApiError('Unauthorized', 'Authorization has been denied for this request.', {
    'www-authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/["\\]/g, '')}"`,
  });
}

/**
 * Turns an `Authorization` header into a Principal: RS256 signature by a known key, issuer for
 * the token's own tenant, a Machine API audience, `exp`/`nbf`, a tenant served here, and a
 * consistent set of permission claims. A verified token's principal is cached until its `exp`
 * (keyed by the whole token, so a tampered copy never matches), so the signature check (about
 * 200 us) is paid once per token rather than once per request.
 */
export class TokenVerifier {
  private readonly cache = new Map<string, Principal>();

  constructor(
    private readonly keys: KeyRing,
    private readonly tenants: TenantStore,
    private readonly clock: Clock,
    private readonly options: VerifierOptions,
  ) {}

  async verify(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    const cached = this.cache.get(token);
    if (cached) {
      if (cached.expiresAt * 1000 > this.clock.now()) return cached;
      this.cache.delete(token);
      throw invalidToken('The token is expired.');
    }
    const principal = await this.verifyUncached(token);
    this.remember(token, principal);
    return principal;
  }

  private async verifyUncached(token: string): Promise<Principal> {
    let tenantId: string;
    try {
      decodeProtectedHeader(token);
      tenantId = String(decodeJwt(token).tid ?? '');
    } catch {
      throw invalidToken('The token is not a well-formed JWT.');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, async (header) => this.key(header.kid), {
        algorithms: ['RS256'],
        issuer: issuerFor(this.options.issuerBase, tenantId),
        audience: [...MACHINE_API_RESOURCES],
        requiredClaims: ['exp', 'iat', 'tid'],
        currentDate: new Date(this.clock.now()),
      }));
    } catch (error) {
      throw invalidToken(reasonOf(error));
    }
    if (!(await this.tenants.getTenant(tenantId))) throw invalidToken(`Tenant ${tenantId} is not served here.`);
    return principalFrom(payload, tenantId);
  }

  private async key(kid: string | undefined) {
    const key = kid === undefined ? undefined : await this.keys.publicKey(kid);
    if (!key) throw invalidToken('The token was signed by an unknown key.');
    return key;
  }

  private remember(token: string, principal: Principal): void {
    if (this.cache.size >= this.options.cacheSize) {
      const oldest = this.cache.keys().next();
      if (!oldest.done) this.cache.delete(oldest.value);
    }
    this.cache.set(token, principal);
  }
}

function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw invalidToken('No bearer token was presented.');
  const match = /^Bearer +(\S+)\s*$/i.exec(authorization);
  if (!match?.[1]) throw invalidToken('The Authorization header does not use the Bearer scheme.');
  if (match[1].length > MAX_TOKEN_LENGTH) throw invalidToken('The token is too large.');
  return match[1];
}

/**
 * Application tokens carry `roles` and no `scp`; delegated tokens carry `scp` and a user.
 * A token that carries both is refused rather than guessed at: mixing them is how a delegated
 * caller would try to borrow application permissions.
 */
function principalFrom(payload: JWTPayload, tenantId: string): Principal {
  const appId = stringClaim(payload.appid) ?? stringClaim(payload.azp);
  if (!appId) throw invalidToken('The token names no client application (appid/azp).');
  const expiresAt = Number(payload.exp);
  const hasRoles = payload.roles !== undefined;
  const scp = stringClaim(payload.scp);
  if (hasRoles && payload.scp !== undefined) throw invalidToken('The token carries both roles and scp.');
  if (payload.scp !== undefined) {
    const userId = stringClaim(payload.oid);
    if (!scp || !userId) throw invalidToken('The delegated token is missing scp or oid.');
    return {
      kind: 'delegated',
      tenantId,
      appId,
      userId,
      userPrincipalName: stringClaim(payload.upn) ?? null,
      scopes: new Set(scp.split(' ').filter(Boolean)),
      expiresAt,
    };
  }
  const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [];
  return { kind: 'application', tenantId, appId, roles: new Set(roles), expiresAt };
}

const stringClaim = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

function reasonOf(error: unknown): string {
  if (error instanceof ApiError) return String(error.headers['www-authenticate'] ?? error.message).replace(/^.*error_description="|"$/g, '');
  if (error instanceof joseErrors.JWTExpired) return 'The token is expired.';
  if (error instanceof joseErrors.JWTClaimValidationFailed) return `The token's ${error.claim} claim is not acceptable.`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The token is not signed with RS256.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is invalid.';
  return 'The token could not be verified.';
}
