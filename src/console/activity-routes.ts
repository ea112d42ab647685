import { Readable } from 'node:stream';
import type { FastifyPluginAsync } from 'fastify';
import { auditPages } from '../domain/audit/audit-pages.js';
import type { AuditService } from '../domain/audit/audit-service.js';
import { HISTORY_CSV_HEADER, historyCsvLine } from '../domain/audit/history-csv.js';
import { ApiError } from '../domain/errors.js';
import { CONSOLE_APP_NAME } from '../domain/identity/actor-names.js';
import type { DelegatedPrincipal } from '../domain/identity/principal.js';
import { DEVICE_VALUES } from '../domain/machines/device-value.js';
import { CHANGE_ROUTES } from '../domain/machines/value-change.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { readsWholeFleet, requireOperation } from './console-principal.js';
import { ACTIVITY_PAGE_SIZE, activityLink, auditParameters, parseActivityView } from './activity-view.js';

/** Names offered as suggestions in the user and application fields; a tenant with more still filters by any. */
const SUGGESTIONS = 200;

/** The page and its CSV: ListMachines' own refusal first (its message names the role), then the device groups. */
async function requireFleetReader(deps: ConsoleDeps, principal: DelegatedPrincipal): Promise<void> {
  await requireOperation(deps.policy, principal, 'ListMachines');
  if (!(await readsWholeFleet(deps.policy, principal))) {
    throw new ApiError('Forbidden', 'The Activity page shows changes of every device in the tenant; it is open to users who see every device group. Each device page shows its own history.');
  }
}

async function suggestions(deps: ConsoleDeps, tenantId: string): Promise<{ users: string[]; apps: string[] }> {
  const names = await deps.policy.names(tenantId);
  const sorted = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b)).slice(0, SUGGESTIONS);
  return { users: sorted(names.users.values()), apps: sorted([CONSOLE_APP_NAME, ...names.apps.values()]) };
}

/**
 * The fleet audit in the console (docs/audit.md): the page and its CSV call AuditService, the
 * admin API's and the CLI's one query, with the signed-in user's tenant. Pages are the audit's
 * keyset pages; the CSV is every page of the view, streamed.
 */
export const activityRoutes: FastifyPluginAsync<ConsoleDeps & { audit: AuditService }> = async (app, deps) => {
  app.get('/activity', async (request, reply) => {
    const { principal } = signedIn(request);
    await requireFleetReader(deps, principal);
    const view = parseActivityView(request.query as Record<string, unknown>);
    const parameters = { ...auditParameters(view, true), limit: String(ACTIVITY_PAGE_SIZE) };
    const [result, names] = await Promise.all([deps.audit.list(principal.tenantId, parameters), suggestions(deps, principal.tenantId)]);
    return page(request, reply, 'activity', {
      title: 'Activity',
      nav: 'activity',
      entries: result.entries,
      form: view.form,
      names,
      values: DEVICE_VALUES,
      routes: CHANGE_ROUTES,
      filtered: Object.keys(auditParameters(view, false)).length > 0,
      firstLink: view.after === '' ? '' : activityLink(view, ''),
      nextLink: result.next === undefined ? '' : activityLink(view, result.next),
      csvHref: activityLink(view, '', '/console/activity.csv'),
    });
  });

  // Parsing, the permission and the first page come before the first byte: a bad filter is an
  // error page, not a broken file. After that a failure can only end the download early.
  app.get('/activity.csv', async (request, reply) => {
    const { principal } = signedIn(request);
    await requireFleetReader(deps, principal);
    const view = parseActivityView(request.query as Record<string, unknown>);
    const pages = auditPages(deps.audit, principal.tenantId, auditParameters(view, false));
    const first = await pages.next();
    async function* lines(): AsyncGenerator<string> {
      yield HISTORY_CSV_HEADER;
      if (first.done) return;
      yield first.value.map(historyCsvLine).join('');
      for await (const entries of pages) yield entries.map(historyCsvLine).join('');
    }
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="activity-${new Date(deps.clock.now()).toISOString().slice(0, 10)}.csv"`)
      .send(Readable.from(lines(), { objectMode: false }));
  });
};
