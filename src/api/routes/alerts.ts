import type { FastifyReply } from 'fastify';
import type { AlertKey } from '../../domain/alerts/alert-json.js';
import { ALERT_LISTING, type AlertProperty, type AlertQuery } from '../../domain/alerts/alert-query.js';
import type { AlertService } from '../../domain/alerts/alert-service.js';
import { parseEntityQuery } from '../odata/entity-query-options.js';
import { nextLinkFor } from '../odata/next-link.js';
import type { QueryParameters } from '../odata/query-options.js';
import type { OperationId } from '../operations.js';
import { baseUrlOf, principalOf } from '../request-context.js';
import { AlertBodies, AlertCollectionSchema, AlertEntitySchema, AlertIdParams } from '../wire/alert-schema.js';
import { alertEntity, alertsCollection } from '../wire/alert-wire.js';
import { MachineEntitySchema, MachineIdParams } from '../wire/machine-schema.js';
import { machineEntity, ODATA_JSON } from '../wire/machine-wire.js';
import type { HandlerSpec, Request } from './machines.js';

export interface AlertRouteDeps {
  readonly alerts: AlertService;
  /** Alerts per page of a list without `$top`. */
  readonly pageSize: number;
}

const send = (reply: FastifyReply, payload: Record<string, unknown>) => reply.type(ODATA_JSON).header('odata-version', '4.0').send(payload);

/** The OData options of an alert listing (spec section 5). */
function alertQuery(request: Request): AlertQuery {
  const q = parseEntityQuery<AlertProperty>(request.query as QueryParameters, ALERT_LISTING);
  return { filter: q.filter, orderBy: q.orderBy, top: q.top, skip: q.skip, count: q.count, select: q.select as AlertKey[] | null, expandEvidence: q.expand.includes('evidence') };
}

/** Thin handlers for alerts: parse, call one service method, map to the wire. */
export function alertHandlers({ alerts, pageSize }: AlertRouteDeps): Partial<Record<OperationId, HandlerSpec>> {
  const list = async (request: Request, reply: FastifyReply, machineKey?: string) => {
    const query = alertQuery(request);
    const found = await alerts.list(principalOf(request), query, pageSize, machineKey);
    const base = baseUrlOf(request);
    const nextLink = found.nextSkip === undefined ? undefined : nextLinkFor(base, request.url, found.nextSkip);
    return send(reply, alertsCollection(base, found.alerts, { select: query.select, withEvidence: query.expandEvidence, count: found.count, nextLink }));
  };
  return {
    ListAlerts: {
      schema: { response: { 200: AlertCollectionSchema } },
      handler: (request, reply) => list(request, reply),
    },
    ListMachineAlerts: {
      // COMPAT: the same OData options as GET /alerts (one client reports 400 for them here).
      schema: { params: MachineIdParams, response: { 200: AlertCollectionSchema } },
      handler: (request, reply) => list(request, reply, request.params.machineId),
    },
    GetAlert: {
      schema: { params: AlertIdParams, response: { 200: AlertEntitySchema } },
      handler: async (request, reply) => send(reply, alertEntity(baseUrlOf(request), await alerts.get(principalOf(request), request.params.alertId))),
    },
    GetAlertMachine: {
      schema: { params: AlertIdParams, response: { 200: MachineEntitySchema } },
      handler: async (request, reply) => send(reply, machineEntity(baseUrlOf(request), await alerts.machineOf(principalOf(request), request.params.alertId))),
    },
    UpdateAlert: {
      schema: { params: AlertIdParams, body: AlertBodies.Update, response: { 200: AlertEntitySchema } },
      handler: async (request, reply) => {
        const call = { requestId: request.id, route: 'patch' } as const;
        return send(reply, alertEntity(baseUrlOf(request), await alerts.update(principalOf(request), request.params.alertId, request.body, call)));
      },
    },
    BatchUpdateAlerts: {
      schema: { body: AlertBodies.BatchUpdate, response: { 200: { description: 'empty body' } } },
      handler: async (request, reply) => {
        await alerts.batchUpdate(principalOf(request), request.body, { requestId: request.id, route: 'batchUpdate' });
        // The documented answer: 200 with an empty body.
        return reply.code(200).send();
      },
    },
    CreateAlertByReference: {
      schema: { body: AlertBodies.Create, response: { 200: AlertEntitySchema } },
      handler: async (request, reply) => {
        const call = { requestId: request.id, route: 'createByReference' } as const;
        return send(reply, alertEntity(baseUrlOf(request), await alerts.createByReference(principalOf(request), request.body, call)));
      },
    },
  };
}
