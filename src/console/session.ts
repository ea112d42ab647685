import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Console sessions last a working day; signing in again is cheap. */
export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

/** Who is signed in, as the signed cookie carries it. */
export interface Session {
  readonly tenantId: string;
  readonly userId: string;
  /** Kept so each request can look the user up by an indexed key and show who is signed in. */
  readonly userPrincipalName: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** A random id per sign-in: the CSRF token is derived from it, and sign-out revokes it (console-sessions.ts). */
  readonly sid: string;
}

interface Payload {
  t: string;
  u: string;
  n: string;
  e: number;
  s: string;
}

const VERSION = 'v1';

/**
 * Stateless sessions: the cookie is `v1.<base64url JSON>.<base64url HMAC-SHA256>`, so any
 * instance holding the secret can read it and nothing is stored per session. Separate keys are
 * derived for the cookie signature, the CSRF tokens and the sign-in form, so one kind of token can
 * never be replayed as another. Revocation (sign-out, an admin ending a user's sessions) is kept in
 * the store by ConsoleSessions, not here.
 */
export class SessionCodec {
  private readonly signKey: Buffer;
  private readonly csrfKey: Buffer;

  constructor(secret: string) {
    if (secret.length < 16) throw new Error('the console session secret must be at least 16 characters');
    this.signKey = derive(secret, 'rampart-console-session');
    this.csrfKey = derive(secret, 'rampart-console-csrf');
  }

  issue(who: Pick<Session, 'tenantId' | 'userId' | 'userPrincipalName'>, nowMs: number): { session: Session; cookie: string } {
    const session: Session = { ...who, expiresAt: nowMs + SESSION_LIFETIME_MS, sid: randomBytes(18).toString('base64url') };
    const payload: Payload = { t: session.tenantId, u: session.userId, n: session.userPrincipalName, e: session.expiresAt, s: session.sid };
    const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
    return { session, cookie: `${VERSION}.${body}.${this.mac(`${VERSION}.${body}`)}` };
  }

  /** The session a cookie value holds, or undefined if it is forged, altered or expired. */
  read(cookie: string | undefined, nowMs: number): Session | undefined {
    if (!cookie || cookie.length > 2048) return undefined;
    const [version, body, mac] = cookie.split('.');
    if (version !== VERSION || !body || !mac || !sameText(mac, this.mac(`${version}.${body}`))) return undefined;
    const payload = parsePayload(body);
    if (!payload || payload.e <= nowMs) return undefined;
    return { tenantId: payload.t, userId: payload.u, userPrincipalName: payload.n, expiresAt: payload.e, sid: payload.s };
  }

  /** The synchronizer token of a session: forms carry it, every POST must present it. */
  csrfToken(session: Session): string {
    return hmac(this.csrfKey, `session.${session.sid}`);
  }

  checkCsrf(session: Session, presented: unknown): boolean {
    return typeof presented === 'string' && sameText(presented, this.csrfToken(session));
  }

  /**
   * Before anyone is signed in, the sign-in form is tied to a random nonce in its own cookie, so
   * another site cannot sign a browser in to an account of its choosing (login CSRF).
   */
  loginToken(nonce: string): string {
    return hmac(this.csrfKey, `login.${nonce}`);
  }

  checkLoginToken(nonce: string | undefined, presented: unknown): boolean {
    return nonce !== undefined && nonce !== '' && typeof presented === 'string' && sameText(presented, this.loginToken(nonce));
  }

  private mac(text: string): string {
    return hmac(this.signKey, text);
  }
}

export const newLoginNonce = (): string => randomBytes(18).toString('base64url');

const derive = (secret: string, purpose: string): Buffer => createHmac('sha256', secret).update(purpose).digest();
const hmac = (key: Buffer, text: string): string => createHmac('sha256', key).update(text).digest('base64url');

/** Constant-time for equal lengths; a length difference says nothing secret (every MAC is 43 characters). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function parsePayload(body: string): Payload | undefined {
  try {
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Partial<Payload> | null;
    if (!p || typeof p.t !== 'string' || typeof p.u !== 'string' || typeof p.n !== 'string' || typeof p.s !== 'string' || typeof p.e !== 'number') return undefined;
    return p as Payload;
  } catch {
    return undefined;
  }
}
