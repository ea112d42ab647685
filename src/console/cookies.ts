import type { FastifyReply, FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'rampart_console';
export const LOGIN_COOKIE = 'rampart_console_login';

/** One cookie of the request, undefined when absent (a malformed pair is skipped, never fatal). */
export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * Console cookies are HttpOnly (no script reads them), SameSite=Strict (no other site's page
 * sends them), scoped to /console, and Secure whenever the console is reached over HTTPS.
 */
export function setCookie(request: FastifyRequest, reply: FastifyReply, name: string, value: string, maxAgeSeconds: number): void {
  const parts = [`${name}=${encodeURIComponent(value)}`, 'Path=/console', 'HttpOnly', 'SameSite=Strict', `Max-Age=${Math.max(0, Math.floor(maxAgeSeconds))}`];
  if (request.protocol === 'https') parts.push('Secure');
  // Fastify appends Set-Cookie headers rather than replacing them.
  reply.header('set-cookie', parts.join('; '));
}

export const clearCookie = (request: FastifyRequest, reply: FastifyReply, name: string): void => setCookie(request, reply, name, '', 0);
