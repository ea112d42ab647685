import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';

const QUIETER_THAN_INFO = new Set(['warn', 'error', 'fatal', 'silent']);
const SHOWS_DEBUG = new Set(['debug', 'trace']);

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Polled by machines, not people (health probes, /metrics): its request lines are debug, not info. */
    quiet?: boolean;
  }
}

/**
 * After each reply: one JSON log line, and the request counted and timed for /metrics (one hook
 * for both, on the hot path). Before it: the correlation id in every response as `request-id`.
 *
 * Levels (docs/observability.md): probes and the console's own refreshes (htmx requests: its
 * 2-second polls) are debug, so a default log shows what people and clients did; a call a fault
 * rule shaped is one info line naming the rule; everything else is info.
 */
export function registerRequestLogging(app: FastifyInstance, metrics?: ServiceMetrics): void {
  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
    const clientRequestId = request.headers['client-request-id'];
    if (typeof clientRequestId === 'string') reply.header('client-request-id', clientRequestId.slice(0, 200));
  });
  app.addHook('onResponse', async (request, reply) => {
    const operation = operationLabel(request);
    metrics?.request(operation, reply.statusCode, reply.elapsedTime / 1000);
    // At level warn (the bench's) the line would be built for nothing on every request.
    if (QUIETER_THAN_INFO.has(request.log.level)) return;
    const quiet = request.routeOptions.config.quiet === true || isConsoleRefresh(request);
    if (quiet && !SHOWS_DEBUG.has(request.log.level)) return;
    const line = {
      method: request.method,
      url: request.url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
      operation: request.routeOptions.config.operation?.id,
      tenant: request.principal?.tenantId,
      app: request.principal?.appId,
      ...(request.fault ? { fault: request.fault } : {}),
    };
    if (quiet) request.log.debug(line, 'request');
    else request.log.info(line, request.fault ? `request (fault injected by rule ${request.fault})` : 'request');
  });
}

/**
 * The operation table's id for Machine API routes; the method and route pattern for the others
 * (never the raw URL: a label per machine id would grow without end); `unmatched` for a 404.
 */
function operationLabel(request: FastifyRequest): string {
  const { config, url } = request.routeOptions;
  if (config.operation) return config.operation.id;
  return url === undefined ? 'unmatched' : `${request.method} ${url}`;
}

/** The console's partial refreshes (htmx sets HX-Request): its polls of actions, journal and limits. */
const isConsoleRefresh = (request: FastifyRequest): boolean => request.method === 'GET' && request.headers['hx-request'] === 'true';
