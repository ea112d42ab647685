import { decodeJwt, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { ApiError } from '../domain/errors.js';
import type { TenantStore } from '../domain/ports.js';
import type { Principal } from '../domain/identity/principal.js';
import type { Clock } from '../shared/clock.js';
import type { TrustedAuthority } from './trusted-authorities.js';

const MAX_TOKEN_LENGTH = 16 * 1024;

export interface VerifierOptions {
  /** How many verified tokens to remember; the oldest are forgotten first. */
  readonly cacheSize: number;
}

/** A 401 whose reason travels in `WWW-Authenticate`, as Azure APIs report token problems. */
export function invalidToken(reason: string): ApiError {
  return new ApiError('Unauthorized', 'Authorization has been denied for this request.', {
    // Only printable ASCII may go in a header; a reason can quote claim values an attacker chose.
    'www-authenticate': `Bearer error="invalid_token", error_description="${reason.replace(/[^\x20-\x7e]|["\\]/g, '?').slice(0, 200)}"`,
  });
}

/**
 * Turns an `Authorization` header into a Principal: RS256 signature by a key of a trusted
 * authority (built-in or a configured real one), that authority's issuer for the token's own tenant, a Machine API audience, `exp`/`nbf`, a tenant served here, and a
 * consistent set of permission claims. A verified token's principal is cached until its `exp`
 * (keyed by the whole token, so a tampered copy never matches), so the signature check (about
 * 200 us) is paid once per token rather than once per request.
 */
export class TokenVerifier {
  private readonly cache = new Map<string, Principal>();

  constructor(
    private readonly authorities: readonly TrustedAuthority[],
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
    let issuer: string;
    try {
      decodeProtectedHeader(token);
      const claims = decodeJwt(token);
      tenantId = String(claims.tid ?? '').toLowerCase();
      issuer = String(claims.iss ?? '');
    } catch {
      throw invalidToken('The token is not a well-formed JWT.');
    }
    // The issuer must be the one a trusted authority uses for the token's own tenant, so a token
    // of tenant A can never speak for tenant B, and the keys are that authority's alone.
    const authority = this.authorities.find((a) => a.issuerFor(tenantId) === issuer);
    if (!authority) throw invalidToken("The token's iss claim is not acceptable.");
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, authority.keys, {
        algorithms: ['RS256'],
        issuer,
        audience: [...authority.audiences],
        requiredClaims: ['exp', 'iat', 'tid'],
        currentDate: new Date(this.clock.now()),
      }));
    } catch (error) {
      throw invalidToken(reasonOf(error));
    }
    if (!(await this.tenants.getTenant(tenantId))) throw invalidToken(`Tenant ${tenantId} is not served here.`);
    return principalFrom(payload, tenantId);
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
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'The token was signed by an unknown key.';
  if (error instanceof Error && error.message === 'The token was signed by an unknown key.') return error.message;
  return 'The token could not be verified.';
}
