import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { FaultDecision } from '../../domain/traffic/faults.js';
import type { JournalEntry } from '../../domain/traffic/journal.js';
import { journalBody } from '../../domain/traffic/journal-body.js';
import { errorFor, type TrafficControl } from '../../domain/traffic/traffic-control.js';
import { baseUrlOf } from '../request-context.js';
import { ODATA_JSON } from '../wire/machine-wire.js';

/** Errors a fault rule raised: logged as the one info line of the request, not as a failure with its stack. */
const injected = new WeakSet<Error>();
export const isInjectedFault = (error: unknown): boolean => error instanceof Error && injected.has(error);

/**
 * Acts on a fault decision. Errors leave through the normal error door (same envelope and
 * headers as real ones); latency delays the real handling; a dropped connection or truncated
 * body is written on the raw socket. None of them runs the handler, so no fault changes data.
 */
export async function applyFault(decision: FaultDecision, request: FastifyRequest, reply: FastifyReply, traffic: TrafficControl): Promise<void> {
  request.fault = decision.ruleId;
  const { action } = decision;
  switch (action.kind) {
    case 'outcome': // decided when the action is created, never here
      return;
    case 'latency':
      await sleep(action.ms);
      return;
    case 'error': {
      const error = errorFor(action.code, action.retryAfterSeconds);
      injected.add(error);
      throw error;
    }
    case 'drop':
      // No reply, so no request line: this is the call's one line.
      request.log.info({ method: request.method, url: request.url, operation: request.routeOptions.config.operation?.id, fault: decision.ruleId }, `connection dropped (fault injected by rule ${decision.ruleId})`);
      reply.hijack();
      journal(traffic, request, 0);
      request.raw.socket.destroy();
      return;
    case 'truncate': {
      request.log.info({ method: request.method, url: request.url, operation: request.routeOptions.config.operation?.id, fault: decision.ruleId }, `body truncated (fault injected by rule ${decision.ruleId})`);
      reply.hijack();
      journal(traffic, request, 200);
      // A believable start of an entity, cut off: the client sees a 200 whose body never ends.
      const body = `{"@odata.context":"${baseUrlOf(request)}/api/$metadata#Machines/$entity","id":"${'0'.repeat(40)}","mergedIntoMachineId":null}`;
      request.raw.socket.write(
        `HTTP/1.1 200 OK\r\ncontent-type: ${ODATA_JSON}\r\nodata-version: 4.0\r\nrequest-id: ${request.id}\r\ncontent-length: ${body.length * 4}\r\n\r\n${body.slice(0, Math.floor(body.length / 2))}`,
      );
      request.raw.socket.destroy();
      return;
    }
  }
}

/** Every answered Machine API call of an authenticated caller goes into its tenant's journal. */
export function registerJournal(app: FastifyInstance, traffic: TrafficControl): void {
  app.addHook('onResponse', async (request, reply) => {
    if (request.principal) journal(traffic, request, reply.statusCode, reply.elapsedTime);
  });
}

function journal(traffic: TrafficControl, request: FastifyRequest, status: number, latencyMs = 0): void {
  const principal = request.principal;
  if (!principal) return;
  const entry: JournalEntry = {
    at: new Date().toISOString(),
    requestId: request.id,
    method: request.method,
    path: request.url,
    operation: request.routeOptions.config.operation?.id ?? null,
    appId: principal.appId,
    userId: principal.kind === 'delegated' ? principal.userId : null,
    status,
    latencyMs: Math.round(latencyMs * 100) / 100,
    fault: request.fault,
    // Bounded work whatever the body's size; GETs have none and cost nothing here.
    body: request.body === undefined ? null : journalBody(request.body),
  };
  traffic.journal.record(principal.tenantId, entry);
}
