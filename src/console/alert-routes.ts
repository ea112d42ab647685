import type { FastifyPluginAsync } from 'fastify';
import { queueFilter, QUEUE_ORDER, QUEUE_VALUES } from '../domain/alerts/alert-queue-filter.js';
import { ALERT_CLASSIFICATIONS, ALERT_DETERMINATIONS } from '../domain/alerts/alert.js';
import { SETTABLE_STATUSES } from '../domain/alerts/alert-triage.js';
import type { AlertQuery } from '../domain/alerts/alert-query.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { allows, requireOperation } from './console-principal.js';
import { cursorOf, parseAlertQueueView, QUEUE_PAGE_SIZE, queueLink } from './alert-view.js';

type Params = { Params: { alertId: string } };
type TriageForm = { Body: Record<string, unknown> | undefined };

const DONE: Readonly<Record<string, string>> = { saved: 'Alert updated.' };

/** A page of alerts (newest first) as the API lists them: the user's groups and retention apply. */
export async function alertPage(deps: ConsoleDeps, principal: DelegatedPrincipal, filter: AlertQuery['filter'], size: number, machineKey?: string) {
  const query: AlertQuery = { filter, orderBy: QUEUE_ORDER, top: size + 1, skip: 0, count: false, select: null, expandEvidence: false };
  const { alerts } = await deps.alerts.list(principal, query, size + 1, machineKey);
  return { alerts: alerts.slice(0, size), more: alerts.length > size };
}

/**
 * The triage form as a PATCH body: only what the user chose to change. "Assign to me" names the
 * signed-in user, as the portal does; the service then applies PATCH's own rules and audit.
 */
function triageBody(form: Record<string, unknown>, me: string): Record<string, unknown> {
  const text = (name: string) => (typeof form[name] === 'string' ? (form[name] as string).trim() : '');
  const body: Record<string, unknown> = {};
  const assign = text('assign');
  if (assign === 'me') body.assignedTo = me;
  else if (assign === 'name') body.assignedTo = text('assignName');
  else if (assign === 'nobody') body.assignedTo = null;
  for (const key of ['status', 'classification', 'determination'] as const) if (text(key) !== '') body[key] = text(key);
  if (text('comment') !== '') body.comment = text('comment');
  return body;
}

/**
 * The alert queue, one alert, and triage. Each handler checks the operation-table row the API
 * would (ListAlerts, GetAlert, UpdateAlert) and calls the API's alert service, which applies the
 * user's device groups and retention and writes triage with route `console`.
 */
export const alertRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  app.get('/alerts', async (request, reply) => {
    const { principal } = signedIn(request);
    await requireOperation(deps.policy, principal, 'ListAlerts');
    const view = parseAlertQueueView(request.query as Record<string, unknown>);
    const cursor = view.after === '' ? undefined : cursorOf(view.after);
    const { alerts, more } = await alertPage(deps, principal, queueFilter(view.filter, cursor), QUEUE_PAGE_SIZE, view.device === '' ? undefined : view.device);
    const last = alerts[alerts.length - 1];
    return page(request, reply, 'alerts', {
      title: 'Alerts',
      nav: 'alerts',
      alerts,
      form: view.form,
      values: QUEUE_VALUES,
      firstLink: view.after === '' ? '' : queueLink(view, ''),
      nextLink: more && last ? queueLink(view, last.alert.id) : '',
    });
  });

  app.get<Params>('/alerts/:alertId', async (request, reply) => {
    const { principal, csrf } = signedIn(request);
    await requireOperation(deps.policy, principal, 'GetAlert');
    const view = await deps.alerts.get(principal, request.params.alertId);
    const [history, canTriage] = await Promise.all([deps.alerts.history(principal.tenantId, view.alert.id, 100), allows(deps.policy, principal, 'UpdateAlert')]);
    return page(request, reply, 'alert', {
      title: view.alert.title,
      nav: 'alerts',
      csrf,
      view,
      history,
      canTriage,
      statuses: SETTABLE_STATUSES,
      classifications: ALERT_CLASSIFICATIONS,
      determinations: ALERT_DETERMINATIONS,
      done: DONE[String((request.query as Record<string, unknown>).done)] ?? '',
    });
  });

  // POST/redirect/GET: a reload of the result repeats nothing.
  app.post<Params & TriageForm>('/alerts/:alertId', async (request, reply) => {
    const { principal } = signedIn(request);
    await requireOperation(deps.policy, principal, 'UpdateAlert');
    const body = triageBody(request.body ?? {}, principal.userPrincipalName ?? principal.userId);
    const view = await deps.alerts.update(principal, request.params.alertId, body, { requestId: request.id, route: 'console' });
    return reply.code(303).header('location', `/console/alerts/${encodeURIComponent(view.alert.id)}?done=saved`).send();
  });
};
