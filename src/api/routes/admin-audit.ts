import type { FastifyInstance } from 'fastify';
import type { AuditService } from '../../domain/audit/audit-service.js';
import { auditNextLink } from '../odata/next-link.js';
import { baseUrlOf } from '../request-context.js';
import { adminRoute } from './admin-schema.js';

/**
 * Device-value history under the admin key: one machine's, and the whole tenant's (the fleet
 * audit, docs/audit.md), in the same entry shape. Registered inside the admin plugin, so its
 * auth hook applies.
 */
export function registerAuditRoutes(app: FastifyInstance, audit: AuditService): void {
  app.get<{ Params: { tenantId: string }; Querystring: Record<string, unknown> }>(
    '/tenants/:tenantId/history',
    adminRoute('Every device-value change of a tenant, newest first, filtered and paged (the fleet audit)'),
    async (request) => {
      const page = await audit.list(request.params.tenantId.toLowerCase(), request.query);
      return {
        value: page.entries,
        ...(page.next === undefined ? {} : { '@odata.nextLink': auditNextLink(baseUrlOf(request), request.url, page.next) }),
      };
    },
  );

  app.get<{ Params: { tenantId: string; machineId: string }; Querystring: { limit?: string } }>(
    '/tenants/:tenantId/machines/:machineId/history',
    adminRoute("A machine's device-value history, newest first"),
    async (request) => {
      const limit = Math.min(Math.max(Number(request.query.limit ?? 1000) || 1000, 1), 10_000);
      return { value: await audit.machineHistory(request.params.tenantId.toLowerCase(), request.params.machineId, limit) };
    },
  );
}
