import type { FastifyReply, FastifyRequest } from 'fastify';
import type { InventoryService } from '../../domain/machines/inventory-service.js';
import type { MachineService } from '../../domain/machines/machine-service.js';
import type { TagService } from '../../domain/machines/tag-service.js';
import { parseFunctionArguments } from '../odata/function-args.js';
import { nextLinkFor } from '../odata/next-link.js';
import { parseMachineQuery, type QueryParameters } from '../odata/query-options.js';
import type { OperationId } from '../operations.js';
import { baseUrlOf, principalOf } from '../request-context.js';
import { MachineCollectionSchema, machinesCollection, machinesCollectionText, type CollectionOptions } from '../wire/collection-wire.js';
import { BulkTagBody, FindByTagQuery, ListQuery, TagBody } from '../wire/inventory-schema.js';
import { MachineEntitySchema, MachineIdParams } from '../wire/machine-schema.js';
import { machineEntity, ODATA_JSON } from '../wire/machine-wire.js';
import type { HandlerSpec } from './machines.js';
import type { Machine } from '../../domain/machines/machine.js';

const collectionReply = { 200: MachineCollectionSchema };

/** Objects go through the compiled response schema; strings (spliced JSON text) are sent as they are. */
function send(reply: FastifyReply, payload: Record<string, unknown> | string) {
  return reply.type(ODATA_JSON).header('odata-version', '4.0').send(payload);
}

const sendCollection = (request: FastifyRequest, reply: FastifyReply, machines: readonly Machine[], options?: CollectionOptions) =>
  send(reply, machinesCollection(baseUrlOf(request), machines, options));

/** A query parameter by name, whatever its case (`useStartsWithFilter`, `usestartswithfilter`). */
function parameter(request: FastifyRequest, name: string): unknown {
  const query = request.query as QueryParameters;
  const key = Object.keys(query).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : query[key];
}

/** Thin handlers for listing, finding and tagging machines: parse, call one service, map to the wire. */
export function inventoryHandlers(inventory: InventoryService, tags: TagService, machines: MachineService): Partial<Record<OperationId, HandlerSpec>> {
  return {
    ListMachines: {
      schema: { querystring: ListQuery, response: collectionReply },
      handler: async (request, reply) => {
        const query = parseMachineQuery(request.query as QueryParameters);
        const list = await inventory.listJson(principalOf(request), query);
        const nextLink = list.nextSkip === undefined ? undefined : nextLinkFor(baseUrlOf(request), request.url, list.nextSkip);
        return send(reply, machinesCollectionText(baseUrlOf(request), list.machines, { select: query.select, count: list.count, nextLink }));
      },
    },
    AddOrRemoveTag: {
      schema: { params: MachineIdParams, body: TagBody, response: { 200: MachineEntitySchema } },
      handler: async (request, reply) => {
        const call = { requestId: request.id, route: 'tags' } as const;
        const machine = await tags.addOrRemove(principalOf(request), request.params.machineId, request.body, call);
        return send(reply, machineEntity(baseUrlOf(request), machine));
      },
    },
    AddOrRemoveTagForMultipleMachines: {
      schema: { body: BulkTagBody, response: collectionReply },
      handler: async (request, reply) => {
        const call = { requestId: request.id, route: 'bulkTags' } as const;
        return sendCollection(request, reply, await tags.addOrRemoveMany(principalOf(request), request.body, call));
      },
    },
    FindMachinesByTag: {
      schema: { querystring: FindByTagQuery, response: collectionReply },
      handler: async (request, reply) => {
        const found = await inventory.findByTag(principalOf(request), parameter(request, 'tag'), parameter(request, 'useStartsWithFilter'));
        return send(reply, machinesCollectionText(baseUrlOf(request), found));
      },
    },
    FindMachinesByIp: {
      // The route is `findbyip*` because the arguments sit in the path segment itself.
      schema: { description: "Called as findbyip(ip='10.1.2.3',timestamp=2019-09-22T08:44:05Z)", response: collectionReply },
      handler: async (request, reply) => {
        const rest = request.params['*'] ?? '';
        // Not a function call: a machine whose name merely starts with "findbyip".
        if (!rest.startsWith('(')) {
          const machine = await machines.get(principalOf(request), `findbyip${rest}`);
          return send(reply.serializer(JSON.stringify), machineEntity(baseUrlOf(request), machine));
        }
        const args = parseFunctionArguments(rest, ['ip', 'timestamp'], 'findbyip');
        return sendCollection(request, reply, await inventory.findByIp(principalOf(request), args));
      },
    },
  };
}
