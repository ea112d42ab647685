import type { FastifyInstance } from 'fastify';
import { invalidBody } from '../../domain/errors.js';

/**
 * JSON bodies are parsed here rather than by Fastify's default parser so that every failure is
 * the documented InvalidRequestBody, and the body keeps its exact keys (they are case-sensitive).
 * A charset parameter is allowed; any other media type is refused by Fastify and mapped in errors.ts.
 */
export function registerJsonParser(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, text, done) => {
    // No body at all is not a parse error: clients send the JSON content type on DELETE and GET
    // too. An operation that needs a body refuses `undefined` itself (InvalidRequestBody).
    if (typeof text !== 'string' || text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(invalidBody('The request body is not valid JSON.'), undefined);
    }
  });
}

/** `application/x-www-form-urlencoded`, for the token endpoints only. */
export function registerFormParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, text, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(text))));
  });
}
