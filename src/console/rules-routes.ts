import type { FastifyPluginAsync } from 'fastify';
import type { ValueRuleService } from '../domain/rules/value-rule-service.js';
import { runJson, summaryJson } from '../domain/rules/value-rule-json.js';
import type { ConsoleDeps } from './console-deps.js';
import { page, signedIn } from './console-context.js';
import { requireOperation } from './console-principal.js';

const PREVIEW_ROWS = 50;
const MACHINE_ID = /^[0-9a-f]{40}$/;

type RulesQuery = { Querystring: { rule?: string; after?: string; run?: string } };

/**
 * The Rules page (docs/value-rules.md): the tenant's rules with what each would change, one
 * rule's devices a page at a time, and Apply (POST, then a redirect to the run's result, so a
 * reload never applies twice). It takes setDeviceValue's own permission (Manage security
 * setting), and the user's device groups bound what preview shows and apply writes, as for
 * every change the user makes.
 */
export const rulesRoutes: FastifyPluginAsync<ConsoleDeps & { rules: ValueRuleService }> = async (app, deps) => {
  const actorOf = (request: Parameters<typeof signedIn>[0]) => {
    const { principal } = signedIn(request);
    return { principal, name: principal.userPrincipalName ?? principal.userId };
  };

  app.get<RulesQuery>('/rules', async (request, reply) => {
    const actor = actorOf(request);
    const tenantId = actor.principal.tenantId;
    await requireOperation(deps.policy, actor.principal, 'SetDeviceValue');
    const { rule, after, run } = request.query;
    const rules = (await deps.rules.preview(actor, tenantId)).map(summaryJson);
    const preview = typeof rule === 'string' ? await deps.rules.previewPage(actor, tenantId, rule, PREVIEW_ROWS, typeof after === 'string' && MACHINE_ID.test(after) ? after : undefined) : null;
    const result = typeof run === 'string' ? runJson(await deps.rules.run(tenantId, run)) : null;
    return page(request, reply, 'rules', { title: 'Rules', nav: 'rules', rules, preview, result });
  });

  app.post('/rules/apply', async (request, reply) => {
    const actor = actorOf(request);
    await requireOperation(deps.policy, actor.principal, 'SetDeviceValue');
    const run = await deps.rules.apply(actor, actor.principal.tenantId);
    request.log.info({ console: 'value rules applied', run: run.id }, 'console value rules');
    return reply.code(303).header('location', `/console/rules?run=${encodeURIComponent(run.id)}`).send();
  });
};
