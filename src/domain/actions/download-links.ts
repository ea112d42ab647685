import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../shared/clock.js';

/** What a download link opens: an action's investigation package, or one live-response command's result. */
export type DownloadTarget =
  | { readonly kind: 'package'; readonly tenantId: string; readonly actionId: string }
  | { readonly kind: 'result'; readonly tenantId: string; readonly actionId: string; readonly index: number };

/** How long the real service's links stay valid (spec section 4). */
export const PACKAGE_LINK_MS = 10 * 60_000;
export const RESULT_LINK_MS = 30 * 60_000;

/**
 * Signed, expiring download links, like the real service's storage links: the target and the
 * expiry travel in the link, an HMAC over both stops guessing and tampering, and the clock ends
 * it. Every instance holds the same key, so any of them serves a link another minted.
 */
export class DownloadLinks {
  constructor(
    private readonly key: string,
    private readonly clock: Clock,
  ) {}

  /** The token of a link valid for `ttlMs` from now. */
  mint(target: DownloadTarget, ttlMs: number): { token: string; expiresAt: number } {
    const expiresAt = this.clock.now() + ttlMs;
    const payload = Buffer.from(JSON.stringify({ ...target, exp: expiresAt })).toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** The target of a token, or why it opens nothing. */
  open(token: string): { ok: true; target: DownloadTarget } | { ok: false; reason: 'invalid' | 'expired' } {
    const [payload = '', signature = '', extra] = token.split('.');
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (extra !== undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as DownloadTarget & { exp: number };
    if (this.clock.now() >= claims.exp) return { ok: false, reason: 'expired' };
    const { exp: _exp, ...target } = claims;
    return { ok: true, target };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(`rampart-download:${payload}`).digest('base64url');
  }
}
