import type { FastifyInstance } from 'fastify';
import { ApiError } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The methods routed at a path (for 405 and its Allow header); empty when no route matches it. */
    methodsAt(path: string): readonly string[];
  }
}

interface KnownPath {
  readonly pattern: RegExp;
  /** Path parameters in the route: the fewest wins, as a static route beats a parametric one in the router. */
  readonly params: number;
  /** Then the most literal text (`/machines/findbyip*` over `/machines/:machineId`), as the router prefers static segments. */
  readonly literal: number;
  readonly methods: Set<string>;
}

/**
 * HTTP itself, before any route: an HTTP/1.1 request without Host is refused in the envelope
 * (RFC 9112 requires the 400; Node's own would be bare), and every route's path is remembered so
 * that a method no route takes there (OPTIONS, TRACE, PROPFIND...) is a 405 with Allow, not a 404.
 */
export function registerProtocolChecks(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.raw.httpVersion === '1.1' && request.raw.headers.host === undefined) {
      throw new ApiError('BadRequest', 'The request has no Host header; HTTP/1.1 requires one.');
    }
  });

  const known = new Map<string, KnownPath>();
  app.addHook('onRoute', (route) => {
    // Fastify's own HEAD twins are not methods a path takes.
    if (route.method === 'HEAD') return;
    const methods = (Array.isArray(route.method) ? route.method : [route.method]).filter((m) => m !== 'HEAD');
    const entry = known.get(route.url) ?? {
      pattern: patternOf(route.url),
      params: (route.url.match(/[:*]/g) ?? []).length,
      literal: route.url.replace(/:[^/]+|\*/g, '').length,
      methods: new Set<string>(),
    };
    for (const method of methods) entry.methods.add(method);
    known.set(route.url, entry);
  });
  app.decorate('methodsAt', (path: string) => {
    let best: KnownPath | undefined;
    for (const entry of known.values()) {
      if (entry.pattern.test(path) && (!best || moreSpecific(entry, best))) best = entry;
    }
    return best ? [...best.methods] : [];
  });
}

const moreSpecific = (a: KnownPath, b: KnownPath): boolean => a.params < b.params || (a.params === b.params && a.literal > b.literal);

/** A route path as the router matches it: case-insensitive, a trailing slash ignored, `:param` one segment, `*` the rest. */
function patternOf(url: string): RegExp {
  const body = url
    .replace(/\/+$/, '')
    .split('/')
    .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')))
    .join('/');
  return new RegExp(`^${body}/?$`, 'i');
}
