import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { hasRole, requireRole } from './console-principal.js';
import { ActorNames } from '../domain/identity/actor-names.js';
import { describeAction, describeScope, describeTrigger, groupLimits } from './testing-view.js';

const JOURNAL_SHOWN = 100;
const MANAGE = 'Manage portal system settings' as const;

type ToggleRoute = { Params: { ruleId: string }; Body: { enabled?: string } | undefined };

/**
 * The tester panels: the tenant's request journal (polled every 2 s), its rate-limit counters
 * per application, and its fault rules with an on/off switch. Every signed-in user may look;
 * switching a fault takes the role permission "Manage portal system settings". A piece the
 * server does not run is shown as not available.
 */
export const testingRoutes: FastifyPluginAsync<ConsoleDeps> = async (app, deps) => {
  const { testing } = deps;

  const appNames = async (tenantId: string) => (await ActorNames.of(deps.policy, tenantId)).apps;

  const journalModel = async (tenantId: string) => ({
    journal: testing.journal ? await testing.journal.list(tenantId, JOURNAL_SHOWN) : null,
    appNames: await appNames(tenantId),
  });

  const limitsModel = async (tenantId: string) => ({
    limits: testing.limiter ? await groupLimits(tenantId, await testing.limiter.counters(`${tenantId}/`), await appNames(tenantId), testing) : null,
    now: deps.clock.now(),
  });

  const faultsModel = async (request: FastifyRequest) => {
    const { principal, csrf } = signedIn(request);
    const rules = testing.faults ? await testing.faults.list(principal.tenantId) : null;
    return {
      csrf,
      canManageFaults: await hasRole(deps.policy, principal, MANAGE),
      faults: rules?.map((f) => ({ id: f.rule.id, enabled: f.enabled, spent: f.spent === true, action: describeAction(f.rule.action), trigger: describeTrigger(f.rule.trigger), scope: describeScope(f.rule) })) ?? null,
    };
  };

  app.get('/testing', async (request, reply) => {
    const { principal } = signedIn(request);
    const [journal, limits, faults] = await Promise.all([journalModel(principal.tenantId), limitsModel(principal.tenantId), faultsModel(request)]);
    return page(request, reply, 'testing', { title: 'Testing', nav: 'testing', ...journal, ...limits, ...faults, done: (request.query as Record<string, unknown>).done === 'fault' });
  });

  // The polled fragments: htmx swaps them in place every 2 seconds.
  app.get('/testing/journal', async (request, reply) =>
    reply.type('text/html; charset=utf-8').viewAsync('partials/journal', await journalModel(signedIn(request).principal.tenantId)),
  );
  app.get('/testing/limits', async (request, reply) =>
    reply.type('text/html; charset=utf-8').viewAsync('partials/limits', await limitsModel(signedIn(request).principal.tenantId)),
  );

  app.post<ToggleRoute>('/testing/faults/:ruleId', async (request, reply) => {
    const { principal } = signedIn(request);
    await requireRole(deps.policy, principal, MANAGE);
    if (!testing.faults) throw new ApiError('NotImplemented', 'Fault injection is not available on this server.');
    const enabled = request.body?.enabled === 'on';
    if (!(await testing.faults.setEnabled(principal.tenantId, request.params.ruleId, enabled))) {
      throw new ApiError('ResourceNotFound', `Fault rule ${request.params.ruleId} was not found.`);
    }
    request.log.info({ console: 'fault switched', rule: request.params.ruleId, enabled }, 'console fault switch');
    return reply.code(303).header('location', '/console/testing?done=fault').send();
  });
};
