import type { FastifyInstance } from 'fastify';
import type { AlertView } from '../../domain/alerts/alert.js';
import type { AlertCall } from '../../domain/alerts/alert-service.js';
import { alertToJson } from '../../domain/alerts/alert-json.js';
import { adminRoute } from './admin-schema.js';

/** Raises an alert on a device of a tenant now (src/domain/alerts/alert-fire.ts). */
export type FireAlert = (tenantId: string, machineKey: string, body: unknown, call: AlertCall) => Promise<AlertView>;

type Params = { Params: { tenantId: string; machineId: string } };

/**
 * A scripted "an alert fires on this device now" (issue 16), so a SOAR fetch loop can be tested
 * end to end. Registered inside the admin plugin, so its admin-key hook applies.
 */
export function registerAlertAdminRoutes(app: FastifyInstance, fire: FireAlert): void {
  app.post<Params>('/tenants/:tenantId/machines/:machineId/alerts', adminRoute('An alert fires on this device now (body optional: title, severity, category, ...); 201 with the alert', 201), async (request, reply) => {
    const view = await fire(request.params.tenantId.toLowerCase(), request.params.machineId, request.body, { requestId: request.id, route: 'admin' });
    return reply.code(201).send(alertToJson(view, true));
  });
}
