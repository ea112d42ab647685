import type { FastifyInstance } from 'fastify';
import { ApiError, invalidInput } from '../../domain/errors.js';
import type { TrafficControl } from '../../domain/traffic/traffic-control.js';
import { parseLimitKey } from '../../domain/traffic/limits.js';
import { adminRoute } from './admin-schema.js';

type Tenant = { Params: { tenantId: string } };
const MINUTE = 60_000;
const HOUR = 3_600_000;

/**
 * The tester's controls (issue 4), under the admin key: the request journal, rate-limit state
 * and fault rules of a tenant. Registered inside the admin plugin, so its auth hook applies.
 */
export function registerTrafficRoutes(app: FastifyInstance, traffic: TrafficControl, reset: (tenantId: string) => Promise<number>): void {
  const tenantOf = (request: { params: { tenantId: string } }) => request.params.tenantId.toLowerCase();

  app.get<Tenant & { Querystring: { limit?: string } }>('/tenants/:tenantId/journal', adminRoute('The last requests of a tenant, newest first'), async (request) => {
    const limit = Math.min(Math.max(Number(request.query.limit ?? 100) || 100, 1), 100_000);
    return { value: await traffic.journal.list(tenantOf(request), limit) };
  });

  app.delete<Tenant>('/tenants/:tenantId/journal', adminRoute('Forget the journal of a tenant', 204), async (request, reply) => {
    await traffic.journal.clear(tenantOf(request));
    return reply.code(204).send();
  });

  app.get<Tenant>('/tenants/:tenantId/limits', adminRoute('Rate-limit windows of every application and operation of a tenant'), async (request) => {
    const tenantId = tenantOf(request);
    const counters = await traffic.limiter.counters(`${tenantId}/`);
    const value = await Promise.all(
      counters.map(async (c) => {
        const { appId, operation } = parseLimitKey(c.key);
        const limits = await traffic.limitsOf(tenantId, appId);
        return {
          application: appId,
          operation,
          perMinute: limits?.perMinute ?? null,
          perHour: limits?.perHour ?? null,
          minuteCount: c.minuteCount,
          hourCount: c.hourCount,
          minuteWindowEnds: new Date(c.minuteStart + MINUTE).toISOString(),
          hourWindowEnds: new Date(c.hourStart + HOUR).toISOString(),
        };
      }),
    );
    return { value };
  });

  app.get<Tenant>('/tenants/:tenantId/faults', adminRoute('Fault rules of a tenant'), async (request) => ({ value: traffic.faultRules(tenantOf(request)) }));

  app.post<Tenant>('/tenants/:tenantId/faults', adminRoute('Add (or replace, by id) a fault rule', 201), async (request, reply) => {
    return reply.code(201).send(await traffic.addFaultRule(tenantOf(request), request.body));
  });

  app.delete<Tenant & { Params: { ruleId: string } }>('/tenants/:tenantId/faults/:ruleId', adminRoute('Remove a fault rule', 204), async (request, reply) => {
    if (!(await traffic.removeFaultRule(tenantOf(request), request.params.ruleId))) {
      throw new ApiError('ResourceNotFound', `Fault rule ${request.params.ruleId} was not found`);
    }
    return reply.code(204).send();
  });

  app.patch<Tenant & { Params: { ruleId: string } }>('/tenants/:tenantId/faults/:ruleId', adminRoute('Switch a fault rule off or on: {"enabled": false}'), async (request) => {
    const enabled = switchOf(request.body);
    if (!(await traffic.setFaultEnabled(tenantOf(request), request.params.ruleId, enabled))) {
      throw new ApiError('ResourceNotFound', `Fault rule ${request.params.ruleId} was not found`);
    }
    return traffic.faultRules(tenantOf(request)).find((r) => r.id === request.params.ruleId);
  });

  app.delete<Tenant>('/tenants/:tenantId/faults', adminRoute('Remove every fault rule of a tenant', 204), async (request, reply) => {
    await traffic.clearFaultRules(tenantOf(request));
    return reply.code(204).send();
  });

  app.post<Tenant>('/tenants/:tenantId/reset', adminRoute("Reset a tenant's machines to its seed, and its limits, journal and fault rules"), async (request) => {
    const tenantId = tenantOf(request);
    await traffic.reset(tenantId);
    return { tenant: tenantId, machines: await reset(tenantId) };
  });
}

/** `PATCH .../faults/{id}`: exactly {"enabled": true|false}; another key is refused, like everywhere else. */
function switchOf(body: unknown): boolean {
  const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  const extra = Object.keys(fields ?? {}).find((k) => k !== 'enabled');
  if (extra !== undefined) throw invalidInput(`/${extra}: unknown property '${extra}' (allowed: enabled)`);
  if (typeof fields?.enabled !== 'boolean') throw invalidInput('the body must be {"enabled": true} or {"enabled": false}');
  return fields.enabled;
}
