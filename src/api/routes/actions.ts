import type { FastifyReply } from 'fastify';
import type { ActionDownloads } from '../../domain/actions/action-downloads.js';
import type { ActionService } from '../../domain/actions/action-service.js';
import { ACTION_LISTING } from '../../domain/actions/action-query.js';
import type { ActionType } from '../../domain/actions/action-types.js';
import type { ActionView } from '../../domain/actions/action-view.js';
import type { InvestigationService, InvestigationView } from '../../domain/actions/investigation-service.js';
import { parseEntityQuery } from '../odata/entity-query-options.js';
import { parseFunctionArguments } from '../odata/function-args.js';
import { nextLinkFor } from '../odata/next-link.js';
import type { QueryParameters } from '../odata/query-options.js';
import type { OperationId } from '../operations.js';
import { baseUrlOf, principalOf } from '../request-context.js';
import {
  ActionBodies, InvestigationCollectionSchema, InvestigationEntitySchema, LinkSchema, MachineActionCollectionSchema, MachineActionEntitySchema,
} from '../wire/action-schema.js';
import { actionEntity, actionsContext, investigationsContext } from '../wire/action-wire.js';
import { actionToJson, investigationToJson } from '../../domain/actions/action-json.js';
import { MachineIdParams } from '../wire/machine-schema.js';
import { ODATA_JSON } from '../wire/machine-wire.js';
import type { HandlerSpec, Request } from './machines.js';

export interface ActionRouteDeps {
  readonly actions: ActionService;
  readonly investigations: InvestigationService;
  readonly downloads: ActionDownloads;
  /** Actions per page of a list without `$top`. */
  readonly pageSize: number;
}

const send = (reply: FastifyReply, payload: Record<string, unknown>) => reply.type(ODATA_JSON).header('odata-version', '4.0').send(payload);
const sendAction = (request: Request, reply: FastifyReply, view: ActionView) => send(reply, actionEntity(baseUrlOf(request), view));
const investigationEntity = (request: Request, v: InvestigationView) => ({ '@odata.context': `${investigationsContext(baseUrlOf(request))}/$entity`, ...investigationToJson(v.investigation, v.state) });
/** A download link as an OData string value (spec section 4). */
const link = (request: Request, token: string) => ({ '@odata.context': `${baseUrlOf(request)}/api/$metadata#Edm.String`, value: `${baseUrlOf(request)}/downloads/${token}` });

/** The operations that request an action, with the type each creates and its body's schema. */
const REQUESTS: readonly [OperationId, ActionType, keyof typeof ActionBodies][] = [
  ['Isolate', 'Isolate', 'Isolate'],
  ['Unisolate', 'Unisolate', 'CommentOnly'],
  ['RunAntiVirusScan', 'RunAntiVirusScan', 'RunAntiVirusScan'],
  ['RestrictCodeExecution', 'RestrictCodeExecution', 'CommentOnly'],
  ['UnrestrictCodeExecution', 'UnrestrictCodeExecution', 'CommentOnly'],
  ['CollectInvestigationPackage', 'CollectInvestigationPackage', 'CommentOnly'],
  ['Offboard', 'Offboard', 'CommentOnly'],
  ['StopAndQuarantineFile', 'StopAndQuarantineFile', 'StopAndQuarantineFile'],
  ['RunLiveResponse', 'LiveResponse', 'LiveResponse'],
];

/** Thin handlers for machine actions and investigations: parse, call one service method, map to the wire. */
export function actionHandlers({ actions, investigations, downloads, pageSize }: ActionRouteDeps): Partial<Record<OperationId, HandlerSpec>> {
  const handlers: Partial<Record<OperationId, HandlerSpec>> = {};
  for (const [operation, type, body] of REQUESTS) {
    handlers[operation] = {
      schema: { params: MachineIdParams, body: ActionBodies[body], response: { 201: MachineActionEntitySchema } },
      handler: async (request, reply) => {
        const call = { requestId: request.id, source: 'PublicApi', operation } as const;
        return sendAction(request, reply.code(201), await actions.request(principalOf(request), type, request.params.machineId, request.body, call));
      },
    };
  }
  return {
    ...handlers,
    GetMachineAction: {
      schema: { response: { 200: MachineActionEntitySchema } },
      handler: async (request, reply) => sendAction(request, reply, await actions.get(principalOf(request), request.params.actionId)),
    },
    ListMachineActions: {
      schema: { response: { 200: MachineActionCollectionSchema } },
      handler: async (request, reply) => {
        const query = parseEntityQuery(request.query as QueryParameters, ACTION_LISTING);
        const list = await actions.list(principalOf(request), query, pageSize);
        const base = baseUrlOf(request);
        return send(reply, {
          '@odata.context': actionsContext(base),
          ...(list.count === undefined ? {} : { '@odata.count': list.count }),
          value: list.actions.map(actionToJson),
          ...(list.nextSkip === undefined ? {} : { '@odata.nextLink': nextLinkFor(base, request.url, list.nextSkip) }),
        });
      },
    },
    CancelMachineAction: {
      schema: { body: ActionBodies.CommentOnly, response: { 200: MachineActionEntitySchema } },
      handler: async (request, reply) => sendAction(request, reply, await actions.cancel(principalOf(request), request.params.actionId, request.body)),
    },
    GetPackageUri: {
      schema: { response: { 200: LinkSchema } },
      handler: async (request, reply) => send(reply, link(request, (await downloads.packageLink(principalOf(request), request.params.actionId)).token)),
    },
    GetLiveResponseResultDownloadLink: {
      schema: { description: 'Called as GetLiveResponseResultDownloadLink(index=0)', response: { 200: LinkSchema } },
      handler: async (request, reply) => {
        const args = parseFunctionArguments(request.params['*'], ['index'], 'GetLiveResponseResultDownloadLink');
        return send(reply, link(request, (await downloads.resultLink(principalOf(request), request.params.actionId, args.index)).token));
      },
    },
    StartInvestigation: {
      schema: { params: MachineIdParams, body: ActionBodies.CommentOnly, response: { 201: InvestigationEntitySchema } },
      handler: async (request, reply) => {
        const call = { requestId: request.id, operation: 'StartInvestigation' };
        return send(reply.code(201), investigationEntity(request, await investigations.start(principalOf(request), request.params.machineId, request.body, call)));
      },
    },
    GetInvestigation: {
      schema: { response: { 200: InvestigationEntitySchema } },
      handler: async (request, reply) => send(reply, investigationEntity(request, await investigations.get(principalOf(request), request.params.investigationId))),
    },
    ListInvestigations: {
      schema: { response: { 200: InvestigationCollectionSchema } },
      handler: async (request, reply) => {
        const query = parseEntityQuery(request.query as QueryParameters, { name: 'Investigation', properties: {}, orderable: [] });
        const limit = query.top ?? pageSize;
        const found = await investigations.list(principalOf(request), query.skip, query.top === null ? limit + 1 : limit);
        const more = query.top === null && found.length > limit;
        const base = baseUrlOf(request);
        return send(reply, {
          '@odata.context': investigationsContext(base),
          value: (more ? found.slice(0, limit) : found).map((v) => investigationToJson(v.investigation, v.state)),
          ...(more ? { '@odata.nextLink': nextLinkFor(base, request.url, query.skip + limit) } : {}),
        });
      },
    },
  };
}
