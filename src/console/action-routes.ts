import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { MAX_COMMENT_LENGTH } from '../domain/actions/action-commands.js';
import { actionNotFound } from '../domain/actions/action-service.js';
import { ISOLATION_TYPES, SCAN_TYPES } from '../domain/actions/action-types.js';
import { isActiveView } from '../domain/actions/action-view.js';
import { ApiError, invalidInput } from '../domain/errors.js';
import { actionPanel, liveResponseLibrary } from './action-panel.js';
import { actionBody, consoleAction, formText, formValues, missingField, type ActionForm } from './console-actions.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { requireOperation } from './console-principal.js';

type Params = { Params: { machineId: string } };
type CancelParams = { Params: { machineId: string; actionId: string } };
type CancelForm = { Body: { comment?: unknown; confirm?: unknown } | undefined };

const deviceUrl = (id: string, done: string): string => `/console/machines/${encodeURIComponent(id)}?done=${done}`;

/**
 * A refusal the user can act on, shown on the form they sent (a duplicate, a platform, a bad
 * hash, a missing comment, the live-response limit). A refused permission or a device outside
 * the user's groups goes to the error page, as everywhere in the console.
 */
const isRefusal = (error: unknown): error is ApiError => error instanceof ApiError && (error.status === 400 || error.status === 429);

const html = (reply: FastifyReply) => reply.type('text/html; charset=utf-8');

/** The form again, with the refusal's status and headers (Retry-After of the live-response limit). */
function refused(reply: FastifyReply, error: ApiError | null): FastifyReply {
  if (!error) return reply;
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  return reply.code(error.status);
}

/**
 * Response actions from the device page. Every request goes through ActionService with the body
 * the Machine API takes and source `Portal`, after the operation-table check the API's hook
 * makes, so permissions by role, device groups, duplicates and platforms are decided as for a
 * delegated API call; the action's requestor is the user's principal name. Running and cancelling
 * take two POSTs (the first shows a confirmation) and end in a redirect, so a reload never repeats one.
 */
export const actionRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  // The polled part of the device page: its actions' status, isolation and restriction.
  app.get<Params>('/machines/:machineId/actions', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    await requireOperation(deps.policy, principal, 'GetMachine');
    const machine = await deps.machines.get(principal, request.params.machineId);
    return html(reply).viewAsync('partials/actions', { csrf, panel: await actionPanel(deps, principal, machine) });
  });

  app.post<Params & { Body: ActionForm | undefined }>('/machines/:machineId/actions', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    const form = request.body ?? {};
    const action = consoleAction(form.action);
    await requireOperation(deps.policy, principal, action.operation);
    const machine = await deps.machines.get(principal, request.params.machineId);
    const values = formValues(form);
    const confirmPage = async (error: ApiError | null) =>
      page(request, refused(reply, error), 'confirm-action', {
        title: `${action.label}: ${machine.computerDnsName}`,
        nav: 'machines',
        csrf,
        machine,
        action,
        values,
        error: error?.message ?? '',
        options: { isolationTypes: ISOLATION_TYPES, scanTypes: SCAN_TYPES, library: await liveResponseLibrary(deps, principal.tenantId) },
        maxComment: MAX_COMMENT_LENGTH,
      });
    if (formText(form.confirm) !== 'yes') return confirmPage(null);
    const missing = missingField(action, values);
    if (missing) return confirmPage(invalidInput(missing));
    try {
      const call = { requestId: request.id, source: 'Portal', operation: action.operation } as const;
      const view = await deps.actions.request(principal, action.type, machine.id, actionBody(action, values), call);
      request.log.info({ console: 'action requested', type: action.type, machine: machine.id, action: view.action.id }, 'console action');
    } catch (error) {
      if (isRefusal(error)) return confirmPage(error);
      throw error;
    }
    return reply.code(303).header('location', deviceUrl(machine.id, `action-${action.key}`)).send();
  });

  app.post<CancelParams & CancelForm>('/machines/:machineId/actions/:actionId/cancel', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    await requireOperation(deps.policy, principal, 'CancelMachineAction');
    const machine = await deps.machines.get(principal, request.params.machineId);
    const view = await deps.actions.get(principal, request.params.actionId);
    if (view.action.machineId !== machine.id) throw actionNotFound(request.params.actionId);
    const comment = formText(request.body?.comment);
    const confirmPage = (error: ApiError | null) =>
      page(request, refused(reply, error), 'confirm-cancel', {
        title: `Cancel ${view.action.type}: ${machine.computerDnsName}`,
        nav: 'machines',
        csrf,
        machine,
        view,
        active: isActiveView(view),
        comment,
        error: error?.message ?? '',
        maxComment: MAX_COMMENT_LENGTH,
      });
    if (formText(request.body?.confirm) !== 'yes') return confirmPage(null);
    try {
      await deps.actions.cancel(principal, view.action.id, { Comment: comment });
      request.log.info({ console: 'action cancelled', type: view.action.type, machine: machine.id, action: view.action.id }, 'console action');
    } catch (error) {
      if (isRefusal(error)) return confirmPage(error);
      throw error;
    }
    return reply.code(303).header('location', deviceUrl(machine.id, 'action-cancelled')).send();
  });
};
