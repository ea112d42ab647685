import { KeyRing } from './auth/key-ring.js';
import { TokenIssuer } from './auth/token-issuer.js';
import { hashSecret, verifySecret } from './auth/secrets.js';
import type { Config } from './config/settings.js';
import { ConfigError } from './config/load-config.js';
import { parseFilter } from './api/odata/bind-filter.js';
import { oneAtATime, openMachineLocks } from './cluster/deployment.js';
import { AccessPolicy } from './domain/identity/access-policy.js';
import { TenantAdmin } from './domain/identity/tenant-admin.js';
import type { TenantDocument } from './domain/identity/tenant-document.js';
import { MachineAccess } from './domain/machines/machine-access.js';
import { MachineService } from './domain/machines/machine-service.js';
import { InventoryService } from './domain/machines/inventory-service.js';
import { TagService, type MachineLocks } from './domain/machines/tag-service.js';
import { AuditService } from './domain/audit/audit-service.js';
import { ValueRuleService } from './domain/rules/value-rule-service.js';
import { actionServices, type ActionServices } from './domain/actions/action-services.js';
import { AlertService } from './domain/alerts/alert-service.js';
import { ApiError } from './domain/errors.js';
import type { Store } from './domain/ports.js';
import { provisionDemo } from './fleet/provision-demo.js';
import { systemClock, type Clock } from './shared/clock.js';
import type { WriteTelemetry } from './shared/write-telemetry.js';
import { openStore } from './store/open-store.js';

export interface Core {
  readonly config: Config;
  readonly clock: Clock;
  readonly store: Store;
  readonly keys: KeyRing;
  readonly issuer: TokenIssuer;
  readonly policy: AccessPolicy;
  readonly tenants: TenantAdmin;
  readonly access: MachineAccess;
  readonly machines: MachineService;
  /** Device-value history, per machine and fleet-wide (the admin API's and the CLI's). */
  readonly audit: AuditService;
  readonly inventory: InventoryService;
  readonly tags: TagService;
  /** Machine actions and investigations, without fault steering or download links (the CLI's). */
  readonly actions: ActionServices;
  /** The alert queue: reading, triage, raising alerts (issue 16). */
  readonly alerts: AlertService;
  /** Value rules: preview and apply (issue 13). */
  readonly rules: ValueRuleService;
  /** Per-machine locks, shared by tag changes and machine actions. */
  readonly locks: MachineLocks;
  /** Closes the store (queued writes commit first) and the locks' connections. */
  close(): Promise<void>;
}

/**
 * The composition root, in dependency order: store (migrated) -> signing keys -> access policy
 * and tenant admin -> demo data and tenant files -> services. The CLI uses this much, without HTTP
 * (so a command loads no server code); `createApp` (src/app.ts) adds the server.
 * Only `provision` (the server, and `rampart token` for the demo application) writes the demo
 * tenant and the tenant files: a CLI command such as `history` run against a data store served
 * with `--no-demo` must not put the demo's well-known credentials into it.
 */
export async function createCore(config: Config, clock: Clock = systemClock, options: { provision?: boolean; telemetry?: WriteTelemetry } = {}): Promise<Core> {
  const provision = options.provision ?? false;
  // A bad file stops start-up before anything opens. The reader (YAML, the document schema) loads
  // only here: a CLI command that does not provision starts without it.
  const documents = provision ? (await import('./config/tenant-files.js')).readTenantFiles(config.tenantFiles) : [];
  const store = await openStore(config, options.telemetry);
  try {
    const keys = new KeyRing(store, clock);
    const policy = new AccessPolicy(store, clock);
    const access = new MachineAccess(store, policy, clock);
    // Rules read filters with the listing's own $filter parser (the domain does not import the API).
    const rules = new ValueRuleService(store.rules, store, access, parseFilter, clock);
    const tenants = new TenantAdmin(store, { hash: hashSecret, verify: verifySecret }, policy, rules);
    await oneAtATime(config, async () => {
      await keys.init();
      if (provision && config.demo) await provisionDemo(store, tenants, clock, config.demoMachines);
      for (const document of documents) await applyTenantFile(tenants, document);
    });
    const issuer = new TokenIssuer(keys, clock, config.issuer);
    const locks = await openMachineLocks(config);
    const machines = new MachineService(access, locks);
    const audit = new AuditService(store, access);
    const inventory = new InventoryService(access, { pageSize: config.pageSize });
    const tags = new TagService(access, locks);
    const actions = actionServices({ access, store: store.actions, locks, clock, defaultPreset: config.actionTimings });
    const alerts = new AlertService({ access, store: store.alerts, locks, clock });
    return {
      config, clock, store, keys, issuer, policy, tenants, access, machines, audit, inventory, tags, actions, alerts, locks, rules,
      async close() {
        await locks.close();
        await store.close();
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/**
 * A tenant file whose schema is right can still be refused by the domain (a value rule's filter
 * the listing's grammar refuses): that stops start-up like any other bad file, with one line.
 */
async function applyTenantFile(tenants: TenantAdmin, document: TenantDocument): Promise<void> {
  try {
    await tenants.apply(document);
  } catch (error) {
    if (error instanceof ApiError) throw new ConfigError(`tenant file of tenant ${document.id}: ${error.message}`);
    throw error;
  }
}
