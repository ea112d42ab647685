import { createHash, randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import type { Clock } from '../shared/clock.js';
import type { KeyRing } from './key-ring.js';

export const TOKEN_LIFETIME_SECONDS = 3600;

export interface AppTokenRequest {
  readonly tenantId: string;
  readonly clientId: string;
  readonly appName: string;
  readonly audience: string;
  readonly roles: readonly string[];
}

export interface IssuedToken {
  readonly accessToken: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
}

/** `iss` of every token the built-in authority signs for a tenant (v1 form, as MDE tokens carry). */
export const issuerFor = (issuerBase: string, tenantId: string): string => `${issuerBase.replace(/\/+$/, '')}/${tenantId}/`;

/**
 * Signs access tokens shaped like the v1 tokens Entra ID issues for the Machine API, so clients
 * that inspect claims see what they would see in production.
 */
export class TokenIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly clock: Clock,
    private readonly issuerBase: string,
  ) {}

  async issueAppToken(request: AppTokenRequest): Promise<IssuedToken> {
    const now = Math.floor(this.clock.now() / 1000);
    const issuer = issuerFor(this.issuerBase, request.tenantId);
    const servicePrincipal = stableGuid(`${request.tenantId}/${request.clientId}`);
    const { kid, privateKey } = this.keys.signingKey();
    const accessToken = await new SignJWT({
      aio: randomBytes(24).toString('base64url'),
      app_displayname: request.appName,
      appid: request.clientId,
      appidacr: '1',
      idp: issuer,
      oid: servicePrincipal,
      rh: randomBytes(16).toString('base64url'),
      roles: [...request.roles],
      tid: request.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, x5t: kid })
      .setIssuer(issuer)
      .setAudience(request.audience)
      .setSubject(servicePrincipal)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
      .sign(privateKey);
    return { accessToken, issuedAt: now, expiresAt: now + TOKEN_LIFETIME_SECONDS };
  }
}

/** A GUID derived from a name, so an application's object id is the same on every instance. */
function stableGuid(name: string): string {
  const h = createHash('sha256').update(name).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
