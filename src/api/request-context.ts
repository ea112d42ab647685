import type { FastifyRequest } from 'fastify';
import type { Principal } from '../domain/identity/principal.js';
import { unauthorized } from '../domain/errors.js';
import type { Operation } from './operations.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook on Machine API routes, after the token and permission checks. */
    principal: Principal | null;
    /** The fault rule that shaped this call's answer, for the journal. */
    fault: string | null;
  }
  interface FastifyInstance {
    /** Where links in answers point (link-base.ts). */
    linkBase(request: FastifyRequest): string;
  }
  interface FastifyContextConfig {
    /** The operation-table row a Machine API route serves. */
    operation?: Operation;
  }
}

/** The verified caller of a Machine API route; the auth hook guarantees it is there. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}

/** The base of OData context URLs, next links, download links and discovery documents: see link-base.ts. */
export const baseUrlOf = (request: FastifyRequest): string => request.server.linkBase(request);
