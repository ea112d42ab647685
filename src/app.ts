import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import { buildServer } from './api/server.js';
import { Authority } from './auth/authority.js';
import { KeyRing } from './auth/key-ring.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { MACHINE_API_RESOURCES } from './auth/resources.js';
import { builtInAuthority, externalAuthority, type TrustedAuthority } from './auth/trusted-authorities.js';
import type { Config } from './config/settings.js';
import { FaultInjector } from './domain/traffic/faults.js';
import { TrafficControl } from './domain/traffic/traffic-control.js';
import { resetMachines } from './fleet/reset.js';
import type { Clock } from './shared/clock.js';
import { storeLocation } from './store/open-store.js';
import { ServiceMetrics } from './metrics/service-metrics.js';
import type { TrafficObserver } from './domain/traffic/traffic-observer.js';
import { openDeployment, type Deployment } from './cluster/deployment.js';
import type { Cluster } from './cluster/cluster.js';
import { faultSwitchboard } from './console/fault-switchboard.js';
import { endUserSessions } from './console/console-sessions.js';
import { DEMO_TENANT_ID } from './config/demo.js';
import { actionServices, type ActionServices } from './domain/actions/action-services.js';
import type { ActionService } from './domain/actions/action-service.js';
import { openDropIn, type DropIn, type DropInOptions } from './net/drop-in.js';
import { fireAlert } from './domain/alerts/alert-fire.js';
import { interceptedHosts } from './net/proxy-policy.js';
import { createCore, type Core } from './core.js';

export interface App extends Core {
  readonly server: FastifyInstance;
  readonly adminKey: string;
  readonly traffic: TrafficControl;
  /** The server's: fault rules steer outcomes, and download links are signed with the deployment's key. */
  readonly actions: ActionServices;
  /** The HTTPS port and the forward proxy (src/net): `listenTls` once the HTTP port listens. */
  readonly dropIn: DropIn;
  close(): Promise<void>;
}

export async function createApp(config: Config, options: { clock?: Clock; logger?: Logger; net?: DropInOptions['limits'] } = {}): Promise<App> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  // Before anything opens: a bad --tls-cert/--tls-key stops start-up with one line.
  const dropIn = openDropIn(config, {
    ...(options.net ? { limits: options.net } : {}),
    onRefusal: (target, refusal, err) =>
      err ? logger.error({ err, proxyTarget: target }, `proxy failed: ${refusal.reason}`) : logger.info({ proxyTarget: target, status: refusal.status }, `proxy refused: ${refusal.reason}`),
  });
  const metrics = new ServiceMetrics();
  const core = await createCore(config, options.clock, { provision: true, telemetry: metrics.writes(storeLocation(config).kind) });
  const { store, keys, clock } = core;
  let closing = false;
  const deployment = await openDeployment(config, store, clock, (message) => logger.info(message));
  const { adminKey, cluster } = deployment;
  const traffic = createTrafficControl(config, core, deployment, metrics.traffic);
  await traffic.loadFaultRules();
  listenToOtherInstances(core, traffic, cluster);
  const actions = actionServices({
    access: core.access,
    store: store.actions,
    locks: core.locks,
    clock,
    defaultPreset: config.actionTimings,
    steer: (call) => traffic.actionOutcome({ ...call, method: 'POST' }),
    linkKey: deployment.sessionSecret,
  });
  const settler = settleActions(actions.actions, cluster, (message) => logger.warn(message));
  const server = await buildServer({
    logger,
    metrics,
    machines: core.machines,
    audit: core.audit,
    rules: core.rules,
    inventory: core.inventory,
    tags: core.tags,
    actions,
    alerts: core.alerts,
    policy: core.policy,
    tenants: core.tenants,
    verifier: new TokenVerifier(trustedAuthorities(config, keys), store, clock, { cacheSize: config.tokenCacheSize }),
    traffic,
    resetMachines: (tenantId) => resetMachines(store, tenantId),
    endConsoleSessions: (tenantId, user) => endUserSessions(store, clock, tenantId, user),
    fireAlert: (tenantId, machineKey, body, call) => fireAlert(core.access, core.alerts, tenantId, machineKey, body, call),
    authority: new Authority(store, store, core.issuer, clock),
    keys,
    adminKey,
    issuerBase: config.issuer,
    bodyLimit: config.bodyLimit,
    pageSize: config.pageSize,
    trustProxy: config.trustProxy,
    connections: config,
    links: { publicUrl: config.publicUrl, trustProxy: config.trustProxy, interceptedHosts: interceptedHosts(config.interceptHosts) },
    ready: () => !closing && store.healthy,
    instance: () => ({ id: cluster.instanceId, leader: cluster.leader }),
    frontDoor: dropIn.frontDoor,
    console: {
      sessionSecret: deployment.sessionSecret,
      defaultTenantId: config.demo ? DEMO_TENANT_ID : '',
      clock,
      policy: core.policy,
      access: core.access,
      machines: core.machines,
      inventory: core.inventory,
      tags: core.tags,
      audit: core.audit,
      rules: core.rules,
      actions: actions.actions,
      alerts: core.alerts,
      directory: store,
      sessions: store,
      // The tester panels read the same journal, counters and fault rules the API's traffic hooks use.
      testing: {
        journal: traffic.journal,
        limiter: traffic.limiter,
        limitsFor: (tenantId, appId) => traffic.limitsOf(tenantId, appId),
        faults: faultSwitchboard(traffic, clock),
      },
    },
  });
  dropIn.attach(server.server, () => closing);
  return {
    ...core,
    server,
    adminKey,
    traffic,
    actions,
    dropIn,
    async close() {
      closing = true;
      clearInterval(settler);
      await server.close(); // lets in-flight requests finish; new ones get 503
      await dropIn.close(); // then the HTTPS port and the proxy's connections
      await deployment.close(); // saves counters, writes the journal's last entries
      await core.close(); // lets queued writes commit
    },
  };
}

/** How often the leader applies the effects of actions that have succeeded (reads apply what they see at once). */
const SETTLE_MS = 1000;

/**
 * The effects of succeeded actions (isolation, restriction, offboarding) on their devices, applied
 * by one instance every second; a client reading an action as Succeeded has its effect applied
 * before the answer, so it never sees one without the other.
 */
function settleActions(actions: ActionService, cluster: Cluster, warn: (message: string) => void): NodeJS.Timeout {
  let running = false;
  const timer = setInterval(() => {
    if (running || !cluster.leader) return;
    running = true;
    actions.settleDue().catch((error: unknown) => warn(`settling machine actions failed: ${String(error)}`)).finally(() => (running = false));
  }, SETTLE_MS);
  timer.unref();
  return timer;
}

/** Rate limits, fault injection and the request journal of a running server. */
function createTrafficControl(config: Config, core: Core, deployment: Deployment, observer: TrafficObserver): TrafficControl {
  const global = { enabled: config.rateLimits, perMinute: config.rateLimitPerMinute, perHour: config.rateLimitPerHour };
  const lookup = async (tenantId: string, appId: string) => core.policy.limitsOf(tenantId, appId);
  return new TrafficControl({
    limiter: deployment.limiter,
    faults: new FaultInjector(deployment.faultCounters),
    journal: deployment.journal,
    global,
    lookup,
    rules: core.store,
    clock: core.clock,
    announce: (tenantId) => deployment.cluster.publish({ topic: 'faults', tenantId }),
    observer,
  });
}

/**
 * Several instances: what one changes, the others stop caching. Fault rules are reloaded, a
 * tenant's directory is dropped from the access policy's cache, and signing keys are re-read.
 */
function listenToOtherInstances(core: Core, traffic: TrafficControl, cluster: Cluster): void {
  core.policy.onInvalidate((tenantId) => void cluster.publish({ topic: 'directory', tenantId }));
  core.keys.onRotate(() => void cluster.publish({ topic: 'keys', tenantId: '' }));
  cluster.onChange((change) => {
    switch (change.topic) {
      case 'faults':
        void traffic.loadFaultRules([change.tenantId]).catch(() => {});
        return;
      case 'directory':
        // A tenant document carries fault rules too (PUT /admin/tenants, rampart tenant apply).
        core.policy.forget(change.tenantId);
        void traffic.loadFaultRules([change.tenantId]).catch(() => {});
        return;
      case 'keys':
        void core.keys.refresh().catch(() => {});
        return;
    }
  });
}

/** Rampart's own authority, and the real one the configuration trusts, if any. */
function trustedAuthorities(config: Config, keys: KeyRing): TrustedAuthority[] {
  const authorities = [builtInAuthority(keys, config.issuer, MACHINE_API_RESOURCES)];
  if (config.trustIssuer && config.trustJwks) {
    const audiences = config.trustAudiences.length > 0 ? config.trustAudiences : MACHINE_API_RESOURCES;
    authorities.push(externalAuthority({ issuer: config.trustIssuer, jwks: config.trustJwks, audiences, tenants: config.trustTenants }));
  }
  return authorities;
}
