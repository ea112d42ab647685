import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.js';
import type { User } from '../domain/identity/directory.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import type { ConsoleDeps } from './console-deps.js';
import { allows, consolePrincipal, readsWholeFleet } from './console-principal.js';
import { readCookie, SESSION_COOKIE } from './cookies.js';
import type { ConsoleSessions } from './console-sessions.js';
import type { Session, SessionCodec } from './session.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the console's session hook on every page but the sign-in form. */
    consoleUser: SignedIn | null;
  }
}

/** The signed-in user of a console request, and what a page needs to act for them. */
export interface SignedIn {
  readonly session: Session;
  readonly user: User;
  readonly principal: DelegatedPrincipal;
  /** The synchronizer token every form of the page carries. */
  readonly csrf: string;
  /** Whether the navigation offers the Activity page (console-principal's readsWholeFleet); pages only. */
  readonly readsFleet: boolean;
  /** Whether the navigation offers the Rules page (setDeviceValue's permission, as the page takes); pages only. */
  readonly setsValues: boolean;
}

/** The session hook guarantees it on every page it guards. */
export function signedIn(request: FastifyRequest): SignedIn {
  if (!request.consoleUser) throw new ApiError('Unauthorized', 'Sign in to use the console.');
  return request.consoleUser;
}

/**
 * Sessions come from the console's signed cookie and nothing else: an Authorization header (a
 * Machine API token, the admin key) is never read here. The user is looked up on every request,
 * so removing a user from the tenant ends their sessions, and so is revocation (sign-out, admin). Every POST must carry the session's
 * CSRF token, checked before the handler runs.
 */
export function registerSessionHooks(app: FastifyInstance, deps: ConsoleDeps, codec: SessionCodec, sessions: ConsoleSessions): void {
  app.decorateRequest('consoleUser', null);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const session = await sessions.read(readCookie(request, SESSION_COOKIE));
    const user = session ? await deps.directory.getUserByPrincipalName(session.tenantId, session.userPrincipalName) : undefined;
    if (!session || !user || user.id !== session.userId) return toSignIn(request, reply);
    const principal = consolePrincipal(session);
    // Only a full page shows the navigation; a form post or an htmx fragment needs no answer.
    const fullPage = request.method === 'GET' && !request.headers['hx-request'];
    const [readsFleet, setsValues] = fullPage
      ? await Promise.all([deps.audit !== undefined && readsWholeFleet(deps.policy, principal), allows(deps.policy, principal, 'SetDeviceValue')])
      : [false, false];
    request.consoleUser = { session, user, principal, csrf: codec.csrfToken(session), readsFleet, setsValues };
    // Every log line of the request, the per-request line included, names who acted. The API's
    // `request.principal` is left unset: hooks keyed on it (the journal) are for Machine API calls.
    request.log = request.log.child({ tenant: session.tenantId, user: session.userId, app: principal.appId });
  });

  app.addHook('preHandler', async (request) => {
    if (request.method !== 'POST') return;
    const { session } = signedIn(request);
    const body = request.body as Record<string, unknown> | undefined;
    const presented = body?._csrf ?? request.headers['x-csrf-token'];
    if (!codec.checkCsrf(session, presented)) {
      throw new ApiError('Forbidden', 'This form has expired or did not come from this console. Reload the page and try again.');
    }
  });
}

/** Pages go to the sign-in form and come back afterwards; htmx requests are told to navigate. */
function toSignIn(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const next = request.method === 'GET' && !request.headers['hx-request'] ? request.url : '/console/machines';
  const location = `/console/login?next=${encodeURIComponent(next)}`;
  if (request.headers['hx-request']) return reply.code(200).header('hx-redirect', location).send('');
  return reply.code(303).header('location', location).send();
}

/** Only a console path may be a sign-in's destination: never another site, never `//host`. */
export function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/console(\/|$|\?)/.test(next) && !next.includes('\\') ? next : '/console/machines';
}

/** Renders a full page: the layout needs to know who is signed in and the CSRF token for sign-out. */
export function page(request: FastifyRequest, reply: FastifyReply, template: string, data: Record<string, unknown>): Promise<string> {
  const me = request.consoleUser;
  return reply.type('text/html; charset=utf-8').viewAsync(template, {
    me: me ? { name: me.user.displayName || me.user.userPrincipalName, upn: me.user.userPrincipalName, readsFleet: me.readsFleet, setsValues: me.setsValues } : null,
    csrf: me?.csrf ?? '',
    nav: '',
    ...data,
  });
}
