import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import type { ServiceMetrics } from '../../metrics/service-metrics.js';
import { adminKeyCheck } from '../plugins/admin-key.js';
import { ErrorSchema } from '../wire/machine-schema.js';

export interface MetricsRouteOptions {
  readonly metrics: ServiceMetrics;
  readonly adminKey: string;
}

/**
 * `GET /metrics` in Prometheus' text format. Who may read it (docs/observability.md): a scraper
 * on the same host without credentials, anyone else with the admin key. Operation names and
 * counts tell an outsider what a tenant is doing, so the default is not to answer the network.
 * The caller's address is the connection's, or with --trust-proxy the proxy's X-Forwarded-For.
 */
export const metricsRoutes: FastifyPluginAsync<MetricsRouteOptions> = async (app, { metrics, adminKey }) => {
  const isAdmin = adminKeyCheck(adminKey);
  const schema = {
    tags: ['operations'],
    summary: 'Prometheus metrics',
    description: 'Open to clients on the loopback address; others need the admin key.',
    // Either no credentials (from loopback) or the admin key.
    security: [{}, { adminKey: [] }] as Record<string, string[]>[],
    produces: ['text/plain'],
  };
  const replies = { 200: { description: 'The Prometheus text format', type: 'string' }, 401: ErrorSchema };
  app.get('/metrics', { config: { quiet: true, replies }, schema }, async (request, reply) => {
    if (!isLoopback(request.ip) && !isAdmin(request.headers.authorization)) {
      throw new ApiError('Unauthorized', '/metrics answers clients on the loopback address, and others that send the admin key: Authorization: Bearer <admin key>.');
    }
    const { contentType, body } = await metrics.scrape();
    return reply.type(contentType).header('cache-control', 'no-store').send(body);
  });
};

export const isLoopback = (ip: string): boolean => ip === '::1' || /^(::ffff:)?127\./.test(ip);
