import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { clearCookie, readCookie, setCookie } from './cookies.js';
import type { Session } from './session.js';

/** The cookie a change's result rides on from its POST to the page that shows it. */
export const RESULT_COOKIE = 'rampart_console_result';
/** Long enough to read and reload the result page; short enough not to linger. */
const RESULT_SECONDS = 600;
/** Browsers keep cookies up to 4 KB; the sealed value stays well below. */
export const LARGEST_SEALED = 3500;

/**
 * POST/redirect/GET for a change whose result is more than a word: the POST seals the result
 * into a short-lived cookie and answers 303, and the GET shows it, so reloading the result page
 * shows it again and repeats nothing. The seal (HMAC under a key of its own, bound to the
 * session id) means a result cannot be forged, nor shown in another user's session.
 */
export class ResultSeal {
  private readonly key: Buffer;

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('rampart-console-result').digest();
  }

  seal(session: Session, payload: unknown, nowMs: number): string {
    const body = Buffer.from(JSON.stringify({ e: nowMs + RESULT_SECONDS * 1000, p: payload })).toString('base64url');
    return `${body}.${this.mac(session, body)}`;
  }

  /** The payload, or undefined when the value is absent, forged, another session's or expired. */
  open(session: Session, sealed: string | undefined, nowMs: number): unknown {
    if (!sealed || sealed.length > LARGEST_SEALED + 100) return undefined;
    const [body, mac] = sealed.split('.');
    if (!body || !mac) return undefined;
    const expected = Buffer.from(this.mac(session, body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const { e, p } = JSON.parse(Buffer.from(body, 'base64url').toString()) as { e: number; p: unknown };
      return typeof e === 'number' && e > nowMs ? p : undefined;
    } catch {
      return undefined;
    }
  }

  store(request: FastifyRequest, reply: FastifyReply, session: Session, payload: unknown, nowMs: number): void {
    setCookie(request, reply, RESULT_COOKIE, this.seal(session, payload, nowMs), RESULT_SECONDS);
  }

  read(request: FastifyRequest, session: Session, nowMs: number): unknown {
    return this.open(session, readCookie(request, RESULT_COOKIE), nowMs);
  }

  forget(request: FastifyRequest, reply: FastifyReply): void {
    clearCookie(request, reply, RESULT_COOKIE);
  }

  private mac(session: Session, body: string): string {
    return createHmac('sha256', this.key).update(`${session.sid}.${body}`).digest('base64url');
  }
}
