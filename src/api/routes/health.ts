import type { FastifyPluginAsync } from 'fastify';

export interface HealthOptions {
  /** Ready while the store accepts writes and the server is not shutting down. */
  readonly ready: () => boolean;
  /** This instance's name and whether it runs the periodic work (one instance of several does). */
  readonly instance: () => { readonly id: string; readonly leader: boolean };
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { ready, instance }) => {
  // Probes poll: their request lines are debug (request-log.ts).
  const config = { quiet: true };
  const schema = { tags: ['operations'] };
  app.get('/healthz', { config, schema: { ...schema, summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  const readiness = { type: 'object', additionalProperties: true, description: 'status and this instance' } as const;
  const replies = { 200: readiness, 503: { ...readiness, description: 'not ready: shutting down, or the store failed' } };
  app.get('/readyz', { config: { ...config, replies }, schema: { ...schema, summary: 'Readiness' } }, async (_request, reply) =>
    ready() ? { status: 'ready', instance: instance() } : reply.code(503).send({ status: 'not ready', instance: instance() }),
  );
};
