import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { Authority } from '../auth/authority.js';
import type { KeyRing } from '../auth/key-ring.js';
import type { TokenVerifier } from '../auth/token-verifier.js';
import type { AccessPolicy } from '../domain/identity/access-policy.js';
import type { MachineService } from '../domain/machines/machine-service.js';
import type { AuditService } from '../domain/audit/audit-service.js';
import type { InventoryService } from '../domain/machines/inventory-service.js';
import type { TagService } from '../domain/machines/tag-service.js';
import type { TenantAdmin } from '../domain/identity/tenant-admin.js';
import type { TrafficControl } from '../domain/traffic/traffic-control.js';
import { newRequestId } from '../shared/ids.js';
import { registerJsonParser } from './plugins/body-parsers.js';
import { onClientError, onFrameworkError, registerErrorHandling } from './plugins/errors.js';
import { registerProtocolChecks } from './plugins/protocol.js';
import { registerRequestLogging } from './plugins/request-log.js';
import { metricsRoutes } from './routes/metrics.js';
import { metadataRoutes } from './routes/metadata.js';
import { openApiOptions } from './openapi/openapi-options.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import { adminRoutes } from './routes/admin.js';
import type { FireAlert } from './routes/admin-alerts.js';
import { authorityRoutes } from './routes/authority.js';
import { healthRoutes, type HealthOptions } from './routes/health.js';
import { machineApi } from './routes/machine-api.js';
import { machineHandlers } from './routes/machines.js';
import { inventoryHandlers } from './routes/inventory.js';
import { actionHandlers } from './routes/actions.js';
import { alertHandlers } from './routes/alerts.js';
import type { AlertService } from '../domain/alerts/alert-service.js';
import { downloadRoutes } from './routes/downloads.js';
import type { ActionServices } from '../domain/actions/action-services.js';
import type { ValueRuleService } from '../domain/rules/value-rule-service.js';
import { consolePlugin } from '../console/console-plugin.js';
import type { ConsoleDeps } from '../console/console-deps.js';
import { applyTimeouts, checkingInterval, ConnectionGuard, type ConnectionLimits } from '../net/connection-guard.js';
import { linkBase, type LinkOptions } from './link-base.js';

export interface ServerDeps {
  readonly logger: FastifyBaseLogger;
  /** Requests are counted and timed into it, and /metrics serves it. */
  readonly metrics: ServiceMetrics;
  readonly machines: MachineService;
  readonly audit: AuditService;
  readonly rules: ValueRuleService;
  readonly inventory: InventoryService;
  readonly tags: TagService;
  readonly actions: ActionServices;
  /** The alert queue (issue 16). */
  readonly alerts: AlertService;
  readonly policy: AccessPolicy;
  readonly tenants: TenantAdmin;
  readonly verifier: TokenVerifier;
  readonly traffic: TrafficControl;
  readonly resetMachines: (tenantId: string) => Promise<number>;
  readonly endConsoleSessions: (tenantId: string, userPrincipalName: string) => Promise<boolean>;
  /** The admin API's "an alert fires on this device now". */
  readonly fireAlert: FireAlert;
  readonly authority: Authority;
  readonly keys: KeyRing;
  readonly adminKey: string;
  readonly issuerBase: string;
  readonly bodyLimit: number;
  /** Items per page of a list without `$top`. */
  readonly pageSize: number;
  readonly trustProxy: boolean;
  /** Time-outs and the connection cap of the HTTP server (and so of HTTPS and the proxy's tunnels). */
  readonly connections: ConnectionLimits;
  /** Where links in answers point (--public-url, the drop-in's host names): never an untrusted Host. */
  readonly links: LinkOptions;
  readonly ready: () => boolean;
  readonly instance: HealthOptions['instance'];
  /** The web console under /console (issue 7); absent, the server has none. */
  readonly console?: ConsoleDeps;
  /** Sees each request before the router and answers it itself when it returns true (the forward proxy's absolute-form requests, src/net). */
  readonly frontDoor?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** Builds the HTTP server; listening is the caller's business (tests use port 0). */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger,
    // One line per request, written by request-log.ts, instead of Fastify's two.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    bodyLimit: deps.bodyLimit,
    trustProxy: deps.trustProxy,
    // The correlation id is ours to mint: a GUID per request, never taken from the client.
    genReqId: newRequestId,
    requestIdHeader: false,
    // A machine may be addressed by its computer name: DNS names run to 253 characters.
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 1024 },
    frameworkErrors: onFrameworkError,
    clientErrorHandler: onClientError,
    return503OnClosing: true,
    serverFactory: (handler) => {
      // Node's default 16 KiB header limit would answer an oversized token with 431 before the
      // verifier could refuse it with the documented 401. A request without Host is refused by
      // our hook, in the envelope, rather than by Node with a bare 400.
      const options = { maxHeaderSize: 64 * 1024, requireHostHeader: false, connectionsCheckingInterval: checkingInterval(deps.connections) };
      const server = createServer(options, (req, res) => {
        if (!deps.frontDoor?.(req, res)) handler(req, res);
      });
      applyTimeouts(server, deps.connections);
      new ConnectionGuard(deps.connections.maxConnections).attach(server);
      return server;
    },
  });

  // Every absolute link is built from this (request-context.ts baseUrlOf), never from Host alone.
  app.decorate('linkBase', linkBase(deps.links));
  registerProtocolChecks(app);

  // Bodies are validated by the domain parsers, so that each failure carries its MDE error code;
  // the route schemas document the wire and compile the serialisers (docs/adr/0003).
  app.setValidatorCompiler(() => () => true);
  registerErrorHandling(app);
  registerJsonParser(app);
  registerRequestLogging(app, deps.metrics);

  await app.register(swagger, openApiOptions());
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // The docs page must load when reached by a LAN address over plain HTTP: upgrading its
    // requests to https would fetch its scripts from a port that does not speak TLS.
    transformStaticCSP: (header) => header.replace(/\s*upgrade-insecure-requests;?/, ''),
    // No badge fetched from the validator's site: the page works offline.
    uiConfig: { validatorUrl: null },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  await app.register(healthRoutes, { ready: deps.ready, instance: deps.instance });
  await app.register(metricsRoutes, { metrics: deps.metrics, adminKey: deps.adminKey });
  // A person who opens the server's address lands in the console (or the API docs without one).
  const home = deps.console ? '/console' : '/docs';
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect(home, 302));
  await app.register(authorityRoutes, {
    authority: deps.authority,
    keys: deps.keys,
    issuerBase: deps.issuerBase,
    tenantExists: (id) => deps.tenants.exists(id),
  });
  await app.register(adminRoutes, {
    prefix: '/admin',
    adminKey: deps.adminKey,
    audit: deps.audit,
    rules: deps.rules,
    tenants: deps.tenants,
    keys: deps.keys,
    traffic: deps.traffic,
    resetMachines: deps.resetMachines,
    endConsoleSessions: deps.endConsoleSessions,
    fireAlert: deps.fireAlert,
  });
  const { actions, investigations, downloads } = deps.actions;
  if (downloads) await app.register(downloadRoutes, { downloads });
  const handlers = {
    ...machineHandlers(deps.machines),
    ...inventoryHandlers(deps.inventory, deps.tags, deps.machines),
    ...(downloads ? actionHandlers({ actions, investigations, downloads, pageSize: deps.pageSize }) : {}),
    ...alertHandlers({ alerts: deps.alerts, pageSize: deps.pageSize }),
  };
  const api = { verifier: deps.verifier, policy: deps.policy, traffic: deps.traffic, handlers };
  await app.register(machineApi, { prefix: '/api', ...api, hidden: false });
  await app.register(machineApi, { prefix: '/api/v1.0', ...api, hidden: true });
  await app.register(metadataRoutes, { prefix: '/api', hidden: false });
  await app.register(metadataRoutes, { prefix: '/api/v1.0', hidden: true });
  if (deps.console) await app.register(consolePlugin, { prefix: '/console', ...deps.console });
  return app;
}
