import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Machine } from '../../domain/machines/machine.js';
import type { MachineService } from '../../domain/machines/machine-service.js';
import type { OperationId } from '../operations.js';
import { baseUrlOf, principalOf } from '../request-context.js';
import { machineEntity, ODATA_JSON } from '../wire/machine-wire.js';
import { MachineEntitySchema, MachineIdParams, MachinePatchBody, SetDeviceValueBody } from '../wire/machine-schema.js';

/** The path parameters the operation table's routes use; each route has those its path names. */
interface PathParams {
  readonly machineId: string;
  readonly actionId: string;
  readonly investigationId: string;
  readonly alertId: string;
  readonly '*': string;
}
export type Request = FastifyRequest<{ Params: PathParams }>;
export type Handler = (request: Request, reply: FastifyReply) => Promise<unknown>;

export interface HandlerSpec {
  readonly handler: Handler;
  readonly schema: Record<string, unknown>;
}

const entityReply = { 200: MachineEntitySchema };

function sendMachine(request: Request, reply: FastifyReply, machine: Machine) {
  return reply.type(ODATA_JSON).header('odata-version', '4.0').send(machineEntity(baseUrlOf(request), machine));
}

/** Thin handlers: parse the path, call one service method, map to the wire. */
export function machineHandlers(machines: MachineService): Partial<Record<OperationId, HandlerSpec>> {
  return {
    GetMachine: {
      schema: { params: MachineIdParams, response: entityReply },
      handler: async (request, reply) =>
        sendMachine(request, reply, await machines.get(principalOf(request), request.params.machineId)),
    },
    SetDeviceValue: {
      schema: { params: MachineIdParams, body: SetDeviceValueBody, response: entityReply },
      handler: async (request, reply) => {
        const call = { requestId: request.id, route: 'setDeviceValue' } as const;
        return sendMachine(request, reply, await machines.setDeviceValue(principalOf(request), request.params.machineId, request.body, call));
      },
    },
    UpdateMachine: {
      schema: { params: MachineIdParams, body: MachinePatchBody, response: entityReply },
      handler: async (request, reply) => {
        const call = { requestId: request.id, route: 'patch' } as const;
        return sendMachine(request, reply, await machines.patch(principalOf(request), request.params.machineId, request.body, call));
      },
    },
  };
}
