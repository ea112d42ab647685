import type {} from '@fastify/swagger';
import type { FastifyPluginAsync } from 'fastify';
import { ApiError } from '../../domain/errors.js';
import type { AccessPolicy } from '../../domain/identity/access-policy.js';
import type { TrafficControl } from '../../domain/traffic/traffic-control.js';
import { applyFault, registerJournal } from '../plugins/traffic.js';
import type { TokenVerifier } from '../../auth/token-verifier.js';
import { OPERATIONS, type Operation } from '../operations.js';
import { ErrorSchema } from '../wire/machine-schema.js';
import type { HandlerSpec } from './machines.js';
import type { OperationId } from '../operations.js';

const ERROR_REPLIES = { 400: ErrorSchema, 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema };

export interface MachineApiOptions {
  readonly verifier: TokenVerifier;
  readonly policy: AccessPolicy;
  readonly traffic: TrafficControl;
  readonly handlers: Partial<Record<OperationId, HandlerSpec>>;
  /** The `/api/v1.0` copy is left out of the OpenAPI document. */
  readonly hidden: boolean;
}

/**
 * Registers the Machine API from the operation table: one route per row, the token and
 * permission check before the body is even read, and 501 for rows not built yet. Another verb
 * on a known path is 405 through the not-found handler (plugins/protocol.ts), as on every path.
 */
export const machineApi: FastifyPluginAsync<MachineApiOptions> = async (app, { verifier, policy, traffic, handlers, hidden }) => {
  app.decorateRequest('principal', null);
  app.decorateRequest('fault', null);
  // In the real service's order: who is calling (401), its budget (429: counts every
  // authenticated call), its rights (403); then any fault a tester asked for. All of it
  // before the body is read.
  app.addHook('onRequest', async (request, reply) => {
    const operation = request.routeOptions.config.operation;
    if (!operation) return;
    const principal = await verifier.verify(request.headers.authorization);
    request.principal = principal;
    await traffic.admit(principal, operation.id, operation.limits);
    // COMPAT: a row not served yet answers 501 after the token check without asking for its
    // permission (Alert.Read.All...), which no tenant document can grant until it is built.
    if (operation.implemented) await policy.authorize(principal, operation.permission);
    const machineKey = (request.params as { machineId?: string }).machineId;
    const deciding = traffic.fault({ tenantId: principal.tenantId, operation: operation.id, appId: principal.appId, method: request.method, machineKey });
    const fault = deciding && (await deciding);
    if (fault) await applyFault(fault, request, reply, traffic);
  });
  registerJournal(app, traffic);

  for (const operation of OPERATIONS) {
    const spec = handlers[operation.id as OperationId];
    app.route({
      method: operation.method,
      url: operation.path,
      config: { operation },
      schema: {
        operationId: operation.id,
        summary: operation.summary,
        tags: [operation.path.split('/')[1] ?? 'machines'],
        hide: hidden || !operation.implemented,
        security: [{ bearer: [] }],
        ...(spec?.schema ?? {}),
        response: { ...ERROR_REPLIES, ...((spec?.schema.response as object | undefined) ?? {}) },
      },
      handler: spec?.handler ?? notImplemented(operation),
    });
  }
};

function notImplemented(operation: Operation) {
  return async () => {
    throw new ApiError('NotImplemented', `${operation.method} /api${operation.path} is not implemented by this version of Rampart.`);
  };
}
