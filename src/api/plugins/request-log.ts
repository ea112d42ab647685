import type { FastifyInstance } from 'fastify';

/**
 * One JSON log line per request, written after the reply (pino writes asynchronously), and the
 * correlation id in every response as `request-id`.
 */
export function registerRequestLogging(app: FastifyInstance): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
    const clientRequestId = request.headers['client-request-id'];
    if (typeof clientRequestId === 'string') reply.header('client-request-id', clientRequestId.slice(0, 200));
  });
  app.addHook('onResponse', async (request, reply) => {
    request.log.info(
      {
        method: request.method,
        url: request.url,
        status: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
        operation: request.routeOptions.config.operation?.id,
        tenant: request.principal?.tenantId,
        app: request.principal?.appId,
      },
      'request',
    );
  });
}
