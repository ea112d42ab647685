import { randomBytes } from 'node:crypto';
import { SignJWT, type JWTPayload } from 'jose';
import type { Clock } from '../shared/clock.js';
import { stableGuid } from '../shared/ids.js';
import type { KeyRing } from './key-ring.js';

export const TOKEN_LIFETIME_SECONDS = 3600;

interface TokenRequest {
  readonly tenantId: string;
  readonly clientId: string;
  readonly appName: string;
  readonly audience: string;
}

export interface AppTokenRequest extends TokenRequest {
  readonly roles: readonly string[];
}

export interface UserTokenRequest extends TokenRequest {
  /** Whether the client authenticated with a secret (confidential) or not (public client). */
  readonly confidential: boolean;
  readonly userId: string;
  readonly userPrincipalName: string;
  readonly displayName: string;
  readonly scopes: readonly string[];
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
 * that inspect claims see what they would see in production: application tokens carry `roles`,
 * delegated (user) tokens carry `scp` and the user's `oid`/`upn`, never both.
 */
export class TokenIssuer {
  constructor(
    private readonly keys: KeyRing,
    private readonly clock: Clock,
    private readonly issuerBase: string,
  ) {}

  issueAppToken(request: AppTokenRequest): Promise<IssuedToken> {
    const servicePrincipal = stableGuid(`${request.tenantId}/${request.clientId}`);
    return this.sign(request, servicePrincipal, { appidacr: '1', idtyp: 'app', oid: servicePrincipal, roles: [...request.roles] });
  }

  issueUserToken(request: UserTokenRequest): Promise<IssuedToken> {
    return this.sign(request, stableGuid(`${request.tenantId}/${request.clientId}/${request.userId}`), {
      amr: ['pwd'],
      appidacr: request.confidential ? '1' : '0',
      name: request.displayName,
      oid: request.userId,
      scp: request.scopes.join(' '),
      unique_name: request.userPrincipalName,
      upn: request.userPrincipalName,
    });
  }

  private async sign(request: TokenRequest, subject: string, claims: JWTPayload): Promise<IssuedToken> {
    const now = Math.floor(this.clock.now() / 1000);
    const issuer = issuerFor(this.issuerBase, request.tenantId);
    const { kid, privateKey } = this.keys.signingKey();
    const accessToken = await new SignJWT({
      aio: randomBytes(24).toString('base64url'),
      app_displayname: request.appName,
      appid: request.clientId,
      idp: issuer,
      rh: randomBytes(16).toString('base64url'),
      tid: request.tenantId,
      uti: randomBytes(16).toString('base64url'),
      ver: '1.0',
      ...claims,
    })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid, x5t: kid })
      .setIssuer(issuer)
      .setAudience(request.audience)
      .setSubject(subject)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
      .sign(privateKey);
    return { accessToken, issuedAt: now, expiresAt: now + TOKEN_LIFETIME_SECONDS };
  }
}
