import { readFileSync } from 'node:fs';
import { createLocalJWKSet, createRemoteJWKSet, type JWTVerifyGetKey } from 'jose';
import type { KeyRing } from './key-ring.js';
import { issuerFor } from './token-issuer.js';

/**
 * An issuer whose tokens Rampart accepts: the built-in authority (its own key ring), and
 * optionally a real one (Entra ID) named by an issuer template and a JWKS.
 */
export interface TrustedAuthority {
  readonly name: string;
  /** The `iss` this authority puts in tokens of tenant `tenantId`, or undefined if it serves no such tenant. */
  issuerFor(tenantId: string): string | undefined;
  readonly keys: JWTVerifyGetKey;
  readonly audiences: readonly string[];
}

export function builtInAuthority(keyRing: KeyRing, issuerBase: string, audiences: readonly string[]): TrustedAuthority {
  return {
    name: 'built-in',
    issuerFor: (tenantId) => issuerFor(issuerBase, tenantId),
    keys: async (header) => {
      const key = header.kid === undefined ? undefined : await keyRing.publicKey(header.kid);
      if (!key) throw new Error('The token was signed by an unknown key.');
      return key;
    },
    audiences,
  };
}

export interface ExternalAuthorityOptions {
  /** e.g. `https://sts.windows.net/{tenant}/`; `{tenant}` stands for the token's `tid`. */
  readonly issuer: string;
  /** An https/http URL of the JWKS, or a path to a JWKS file. */
  readonly jwks: string;
  readonly audiences: readonly string[];
  /** Tenants accepted from this authority; empty means every tenant Rampart serves. */
  readonly tenants: readonly string[];
}

export function externalAuthority(options: ExternalAuthorityOptions): TrustedAuthority {
  const accepted = new Set(options.tenants.map((t) => t.toLowerCase()));
  const keys = /^https?:\/\//i.test(options.jwks)
    ? createRemoteJWKSet(new URL(options.jwks), { cooldownDuration: 30_000, timeoutDuration: 5_000 })
    : createLocalJWKSet(JSON.parse(readFileSync(options.jwks, 'utf8')) as Parameters<typeof createLocalJWKSet>[0]);
  return {
    name: 'external',
    issuerFor: (tenantId) => (accepted.size === 0 || accepted.has(tenantId.toLowerCase()) ? options.issuer.replaceAll('{tenant}', tenantId) : undefined),
    keys,
    audiences: options.audiences,
  };
}
