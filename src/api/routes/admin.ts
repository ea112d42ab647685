import type { FastifyPluginAsync } from 'fastify';
import type { KeyRing } from '../../auth/key-ring.js';
import { ApiError, invalidInput } from '../../domain/errors.js';
import type { TenantAdmin } from '../../domain/identity/tenant-admin.js';
import { validateTenantDocument } from '../../domain/identity/tenant-document-schema.js';
import type { TrafficControl } from '../../domain/traffic/traffic-control.js';
import type { AuditService } from '../../domain/audit/audit-service.js';
import { registerAuditRoutes } from './admin-audit.js';
import { registerRuleRoutes } from './admin-rules.js';
import type { ValueRuleService } from '../../domain/rules/value-rule-service.js';
import { registerTrafficRoutes } from './admin-traffic.js';
import { registerAlertAdminRoutes, type FireAlert } from './admin-alerts.js';
import { adminRoute } from './admin-schema.js';
import { adminKeyCheck } from '../plugins/admin-key.js';

export interface AdminOptions {
  readonly adminKey: string;
  readonly audit: AuditService;
  readonly rules: ValueRuleService;
  readonly tenants: TenantAdmin;
  readonly keys: KeyRing;
  readonly traffic: TrafficControl;
  /** Puts a tenant's machines back to its seed; resolves to how many there are then. */
  readonly resetMachines: (tenantId: string) => Promise<number>;
  /** Ends every console session of a user (by user principal name); false when there is no such user. */
  readonly endConsoleSessions: (tenantId: string, userPrincipalName: string) => Promise<boolean>;
  readonly fireAlert: FireAlert;
}

type TenantParams = { Params: { tenantId: string } };

/**
 * The admin API: Rampart's own surface, outside `/api`. It is authenticated by the admin key
 * alone, so a Machine API token (whatever its roles) never opens it.
 */
export const adminRoutes: FastifyPluginAsync<AdminOptions> = async (app, { adminKey, audit, rules, tenants, keys, traffic, resetMachines, endConsoleSessions, fireAlert }) => {
  const isAdmin = adminKeyCheck(adminKey);
  app.addHook('onRequest', async (request) => {
    if (!isAdmin(request.headers.authorization)) {
      throw new ApiError('Unauthorized', 'The admin API needs the admin key: Authorization: Bearer <admin key>.');
    }
  });

  app.get<TenantParams>('/tenants/:tenantId', adminRoute('A tenant as a tenant document (hashes, never secrets)'), async (request) => {
    const document = await tenants.document(request.params.tenantId.toLowerCase());
    if (!document) throw new ApiError('ResourceNotFound', `Tenant ${request.params.tenantId} was not found`);
    return document;
  });

  app.put<TenantParams>('/tenants/:tenantId', adminRoute('Create or replace a tenant from a tenant document'), async (request) => {
    const body = typeof request.body === 'object' && request.body !== null ? { id: request.params.tenantId, ...request.body } : request.body;
    const result = validateTenantDocument(body);
    if (!result.ok) throw invalidInput(`tenant document ${result.error}`);
    if (result.document.id.toLowerCase() !== request.params.tenantId.toLowerCase()) throw invalidInput('tenant document /id: does not match the tenant in the path');
    const { regrouped } = await tenants.apply(result.document);
    await traffic.loadFaultRules([result.document.id.toLowerCase()]);
    return { tenant: await tenants.document(result.document.id.toLowerCase()), regrouped };
  });

  registerTrafficRoutes(app, traffic, resetMachines);
  registerAlertAdminRoutes(app, fireAlert);

  app.get<TenantParams>('/tenants/:tenantId/actions/timings', adminRoute("The tenant's machine-action timings ({} when it uses the server's default)"), async (request) => {
    const document = await tenants.document(request.params.tenantId.toLowerCase());
    if (!document) throw new ApiError('ResourceNotFound', `Tenant ${request.params.tenantId} was not found`);
    return document.actions?.timings ?? {};
  });

  app.put<TenantParams>('/tenants/:tenantId/actions/timings', adminRoute("Replace the tenant's machine-action timings (a preset and/or figures)"), async (request) =>
    tenants.setActionTimings(request.params.tenantId.toLowerCase(), request.body),
  );

  app.post<{ Params: { tenantId: string; user: string } }>(
    '/tenants/:tenantId/users/:user/console-sessions/revoke',
    adminRoute('End every web console session of a user, on every instance and across restarts', 204),
    async (request, reply) => {
      const found = await endConsoleSessions(request.params.tenantId.toLowerCase(), request.params.user);
      if (!found) throw new ApiError('ResourceNotFound', `User ${request.params.user} was not found in tenant ${request.params.tenantId}`);
      return reply.code(204).send();
    },
  );

  app.post('/keys/rotate', adminRoute('Start signing tokens with a new key (older keys keep verifying)'), async () => ({ kid: await keys.rotate() }));

  registerAuditRoutes(app, audit);
  registerRuleRoutes(app, rules);
};
