import type { FastifyInstance } from 'fastify';

const QUIETER_THAN_INFO = new Set(['warn', 'error', 'fatal', 'silent']);

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
    // At level warn (the bench's) the line would be built for nothing on every request.
    if (QUIETER_THAN_INFO.has(request.log.level)) return;
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
