import type { FastifyInstance } from 'fastify';
import { invalidBody, invalidInput } from '../../domain/errors.js';
import { previewPaging, ruleJson, runJson, summaryJson } from '../../domain/rules/value-rule-json.js';
import { tenantOperator, type RuleActor, type ValueRuleService } from '../../domain/rules/value-rule-service.js';
import { auditNextLink } from '../odata/next-link.js';
import { baseUrlOf } from '../request-context.js';
import { adminRoute } from './admin-schema.js';

type TenantParams = { Params: { tenantId: string } };

/** The admin key acts for the whole tenant, recorded as `rampart-admin` in the history it writes. */
const admin = (tenantId: string): RuleActor => tenantOperator(tenantId, 'rampart-admin', 'admin-api');

/** Value rules (docs/value-rules.md) under the admin key; registered inside the admin plugin, so its auth hook applies. */
export function registerRuleRoutes(app: FastifyInstance, rules: ValueRuleService): void {
  const tenantOf = (request: { params: { tenantId: string } }) => request.params.tenantId.toLowerCase();

  app.get<TenantParams>('/tenants/:tenantId/value-rules', adminRoute("The tenant's value rules, in order"), async (request) => ({
    value: (await rules.list(tenantOf(request))).map(ruleJson),
  }));

  app.put<TenantParams>('/tenants/:tenantId/value-rules', adminRoute("Replace the tenant's value rules ({\"valueRules\": [...]})"), async (request) => {
    const body = request.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw invalidBody('The body must be a JSON object: {"valueRules": [...]}.');
    const extra = Object.keys(body).find((key) => key !== 'valueRules');
    if (extra !== undefined) throw invalidInput(`unknown property '${extra.slice(0, 64)}': the body is {"valueRules": [...]}`);
    return { value: (await rules.replace(tenantOf(request), (body as { valueRules?: unknown }).valueRules ?? [])).map(ruleJson) };
  });

  app.get<TenantParams>('/tenants/:tenantId/value-rules/preview', adminRoute('Per rule, how many devices an apply would change now'), async (request) => ({
    value: (await rules.preview(admin(tenantOf(request)), tenantOf(request))).map(summaryJson),
  }));

  app.get<{ Params: { tenantId: string; rule: string }; Querystring: Record<string, unknown> }>(
    '/tenants/:tenantId/value-rules/preview/:rule',
    adminRoute('The devices one rule would change, in id order, paged with $top and $skiptoken'),
    async (request) => {
      const { limit, after } = previewPaging(request.query);
      const page = await rules.previewPage(admin(tenantOf(request)), tenantOf(request), request.params.rule, limit, after);
      return {
        rule: summaryJson(page.rule),
        value: page.devices,
        ...(page.next === undefined ? {} : { '@odata.nextLink': auditNextLink(baseUrlOf(request), request.url, page.next) }),
      };
    },
  );

  app.post<TenantParams>('/tenants/:tenantId/value-rules/apply', adminRoute('Apply the rules (continues an unfinished run of the same rules)'), async (request) =>
    runJson(await rules.apply(admin(tenantOf(request)), tenantOf(request))),
  );

  app.get<{ Params: { tenantId: string; runId: string } }>('/tenants/:tenantId/value-rules/runs/:runId', adminRoute('One apply run: status and devices changed per rule'), async (request) =>
    runJson(await rules.run(tenantOf(request), request.params.runId)),
  );
}
