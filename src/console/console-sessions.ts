import type { ConsoleSessionStore, DirectoryStore } from '../domain/ports.js';
import type { Clock } from '../shared/clock.js';
import { SESSION_LIFETIME_MS, type Session, type SessionCodec } from './session.js';

/**
 * The console's sessions: a signed cookie (session.ts) that the store may have revoked. A
 * sign-out records the session id until the cookie would have expired; an admin's revocation
 * records a moment for the user, and every session that began at or before it is refused. Both
 * live in the store, so they hold on every instance and across restarts. Checked on every
 * request: two indexed look-ups.
 */
export class ConsoleSessions {
  constructor(
    private readonly codec: SessionCodec,
    private readonly store: ConsoleSessionStore,
    private readonly clock: Clock,
  ) {}

  /** The live session a cookie holds: signed, unexpired and not revoked. */
  async read(cookie: string | undefined): Promise<Session | undefined> {
    const session = this.codec.read(cookie, this.clock.now());
    if (!session || (await this.store.isConsoleSessionRevoked(session.sid))) return undefined;
    const cutoff = await this.store.userConsoleSessionsRevokedAt(session.tenantId, session.userId);
    return cutoff !== undefined && issuedAt(session) <= cutoff ? undefined : session;
  }

  signOut(session: Session): Promise<void> {
    return this.store.revokeConsoleSession(session.sid, session.expiresAt, this.clock.now());
  }
}

/**
 * An admin ends every console session a user has now (signing in again afterwards works).
 * False when the tenant has no such user.
 */
export async function endUserSessions(
  store: ConsoleSessionStore & Pick<DirectoryStore, 'getUserByPrincipalName'>,
  clock: Clock,
  tenantId: string,
  userPrincipalName: string,
): Promise<boolean> {
  const user = await store.getUserByPrincipalName(tenantId, userPrincipalName);
  if (!user) return false;
  await store.revokeUserConsoleSessions(tenantId, user.id, clock.now());
  return true;
}

const issuedAt = (session: Session): number => session.expiresAt - SESSION_LIFETIME_MS;
