import type { FastifyPluginAsync } from 'fastify';

export interface HealthOptions {
  /** Ready while the store accepts writes and the server is not shutting down. */
  readonly ready: () => boolean;
}

export const healthRoutes: FastifyPluginAsync<HealthOptions> = async (app, { ready }) => {
  const schema = { tags: ['operations'] };
  app.get('/healthz', { schema: { ...schema, summary: 'Liveness' } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { ...schema, summary: 'Readiness' } }, async (_request, reply) =>
    ready() ? { status: 'ready' } : reply.code(503).send({ status: 'not ready' }),
  );
};
