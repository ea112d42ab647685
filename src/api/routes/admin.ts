import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import type { MachineService } from '../../domain/machine-service.js';
import { wireTimestamp } from '../../shared/timestamp.js';

export interface AdminOptions {
  readonly adminKey: string;
  readonly machines: MachineService;
}

/**
 * The admin API: Rampart's own surface, outside `/api`. It is authenticated by the admin key
 * alone, so a Machine API token (whatever its roles) never opens it.
 */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, { adminKey, machines }) => {
  const expected = digest(adminKey);
  app.addHook('onRequest', async (request) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      throw new ApiError('Unauthorized', 'The admin API needs the admin key: Authorization: Bearer <admin key>.');
    }
  });

  app.get<{ Params: { tenantId: string; machineId: string }; Querystring: { limit?: string } }>(
    '/tenants/:tenantId/machines/:machineId/history',
    { schema: { tags: ['admin'], summary: "A machine's device-value history, newest first", security: [{ adminKey: [] }] } },
    async (request) => {
      const limit = Math.min(Math.max(Number(request.query.limit ?? 1000) || 1000, 1), 10_000);
      const entries = await machines.history(request.params.tenantId, request.params.machineId, limit);
      return { value: entries.map((e) => ({ ...e, at: wireTimestamp(e.at) })) };
    },
  );
};

// Comparing fixed-length digests keeps the comparison constant-time whatever the key length.
const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
