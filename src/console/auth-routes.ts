import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { verifyUserPassword } from '../auth/secrets.js';
import type { User } from '../domain/identity/directory.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, safeNext, signedIn } from './console-context.js';
import { clearCookie, LOGIN_COOKIE, readCookie, SESSION_COOKIE, setCookie } from './cookies.js';
import type { ConsoleSessions } from './console-sessions.js';
import { newLoginNonce, SESSION_LIFETIME_MS, type SessionCodec } from './session.js';
import { refusalMessage, type SignInThrottle } from './sign-in-throttle.js';

interface AuthOptions {
  readonly deps: ConsoleDeps;
  readonly codec: SessionCodec;
  readonly sessions: ConsoleSessions;
}

interface SignInOptions extends AuthOptions {
  readonly throttle: SignInThrottle;
}

type Form = Partial<Record<'tenant' | 'username' | 'password' | 'next' | '_login', string>>;

const INVALID = 'Invalid username or password.';
const text = (value: unknown, max: number): string => (typeof value === 'string' ? value.trim().slice(0, max) : '');

/**
 * Signing in checks the tenant's own users with the same scrypt hashes as the password grant,
 * and gives the same answer, after the same work, for an unknown user and a wrong password.
 */
async function verifyUser(deps: ConsoleDeps, tenantId: string, username: string, password: string): Promise<User | undefined> {
  const tenant = tenantId === '' ? undefined : await deps.policy.tenant(tenantId);
  const user = tenant && username !== '' ? await deps.directory.getUserByPrincipalName(tenant.id, username) : undefined;
  return verifyUserPassword(user, password);
}

export const signInRoutes: FastifyPluginAsync<SignInOptions> = async (app, { deps, codec, sessions, throttle }) => {
  const form = (request: FastifyRequest, reply: FastifyReply, fields: { tenant: string; username: string; next: string; error?: string }) => {
    // One nonce per browser, reused across failed attempts so a second tab's form stays valid.
    let nonce = readCookie(request, LOGIN_COOKIE);
    if (!nonce || !/^[\w-]{24}$/.test(nonce)) {
      nonce = newLoginNonce();
      setCookie(request, reply, LOGIN_COOKIE, nonce, 3600);
    }
    reply.header('cache-control', 'no-store');
    return page(request, reply, 'login', { title: 'Sign in', loginToken: codec.loginToken(nonce), error: '', ...fields });
  };

  app.get('/login', async (request, reply) => {
    const query = request.query as Form;
    const next = safeNext(query.next);
    if (await sessions.read(readCookie(request, SESSION_COOKIE))) return reply.code(303).header('location', next).send();
    return form(request, reply, { tenant: text(query.tenant, 64) || deps.defaultTenantId, username: '', next });
  });

  app.post('/login', async (request, reply) => {
    const body = (request.body ?? {}) as Form;
    const fields = { tenant: text(body.tenant, 64).toLowerCase(), username: text(body.username, 256), next: safeNext(body.next) };
    if (!codec.checkLoginToken(readCookie(request, LOGIN_COOKIE), body._login)) {
      reply.code(403);
      return form(request, reply, { ...fields, error: 'The sign-in form expired. Please try again.' });
    }
    // Throttled before the password is checked: during a lock-out even the right one is refused.
    const refusal = throttle.check(fields.tenant, fields.username, request.ip);
    if (refusal) {
      request.log.warn({ tenant: fields.tenant, console: 'sign-in throttled', reason: refusal.reason, locked: refusal.locked }, 'console sign-in throttled');
      reply.code(429).header('retry-after', String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))));
      return form(request, reply, { ...fields, error: refusalMessage(refusal) });
    }
    const user = await verifyUser(deps, fields.tenant, fields.username, typeof body.password === 'string' ? body.password : '');
    if (!user) {
      throttle.failed(fields.tenant, fields.username, request.ip);
      request.log.info({ tenant: fields.tenant, console: 'sign-in refused' }, 'console sign-in refused');
      reply.code(401);
      return form(request, reply, { ...fields, error: INVALID });
    }
    throttle.succeeded(fields.tenant, fields.username);
    const { cookie } = codec.issue({ tenantId: user.tenantId, userId: user.id, userPrincipalName: user.userPrincipalName }, deps.clock.now());
    setCookie(request, reply, SESSION_COOKIE, cookie, SESSION_LIFETIME_MS / 1000);
    clearCookie(request, reply, LOGIN_COOKIE);
    request.log.info({ tenant: user.tenantId, user: user.id }, 'console sign-in');
    return reply.code(303).header('location', fields.next).send();
  });
};

/**
 * Sign-out is a POST with the CSRF token (a link could be triggered by another page). The session
 * is revoked in the store, so a copy of the cookie is refused too, also after a restart.
 */
export const signOutRoutes: FastifyPluginAsync<Pick<AuthOptions, 'sessions'>> = async (app, { sessions }) => {
  app.post('/logout', async (request, reply) => {
    await sessions.signOut(signedIn(request).session);
    clearCookie(request, reply, SESSION_COOKIE);
    return reply.code(303).header('location', '/console/login').send();
  });
};
