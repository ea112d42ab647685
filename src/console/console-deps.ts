import type { AuditService } from '../domain/audit/audit-service.js';
import type { ActionService } from '../domain/actions/action-service.js';
import type { AlertService } from '../domain/alerts/alert-service.js';
import type { AccessPolicy } from '../domain/identity/access-policy.js';
import type { FaultRule } from '../domain/traffic/faults.js';
import type { InventoryService } from '../domain/machines/inventory-service.js';
import type { Journal } from '../domain/traffic/journal.js';
import type { LimitCounter, LimitSettings } from '../domain/traffic/limits.js';
import type { MachineAccess } from '../domain/machines/machine-access.js';
import type { MachineService } from '../domain/machines/machine-service.js';
import type { ApplicationStore, ConsoleSessionStore, DirectoryStore } from '../domain/ports.js';
import type { TagService } from '../domain/machines/tag-service.js';
import type { Clock } from '../shared/clock.js';
import type { ValueRuleService } from '../domain/rules/value-rule-service.js';

/** A fault rule as the testing panel shows it: the rule, whether it is switched on, and whether it is used up. */
export interface SwitchableFault {
  readonly rule: FaultRule;
  readonly enabled: boolean;
  /** Its calls are used up or its time span is over: on or not, it will not fire again. */
  readonly spent?: boolean;
}

/**
 * What the fault panel needs from the admin side's fault service: the tenant's rules with their
 * on/off state, and a switch. Switching must leave the rule's definition alone.
 */
export interface FaultSwitchboard {
  list(tenantId: string): readonly SwitchableFault[] | Promise<readonly SwitchableFault[]>;
  /** False when the tenant has no rule with that id. */
  setEnabled(tenantId: string, ruleId: string, enabled: boolean): boolean | Promise<boolean>;
}

/**
 * The runtime pieces behind the tester panels (issue 4). Each is optional: a panel whose piece
 * is not wired into the app says "not available" instead of failing the page.
 */
export interface ConsoleTesting {
  readonly journal?: Journal;
  readonly limiter?: { counters(prefix: string): LimitCounter[] | Promise<LimitCounter[]> };
  /** The limits in force for an application (null: limits are off for it). Default: MDE's 100/minute, 1500/hour. */
  readonly limitsFor?: (tenantId: string, appId: string) => LimitSettings | null | Promise<LimitSettings | null>;
  readonly faults?: FaultSwitchboard;
}

/** Everything the console reaches: the same services and policy as the Machine API. */
export interface ConsoleDeps {
  readonly sessionSecret: string;
  /** Pre-filled on the sign-in form (the demo tenant when the demo is on); empty for none. */
  readonly defaultTenantId: string;
  readonly clock: Clock;
  readonly policy: AccessPolicy;
  readonly access: MachineAccess;
  readonly machines: MachineService;
  readonly inventory: InventoryService;
  readonly tags: TagService;
  /** The server's machine actions: fault rules steer their outcomes as for API calls. */
  readonly actions: ActionService;
  /** The alert queue: the same service, rules and audit as the API's alert routes. */
  readonly alerts: AlertService;
  /** Users (sign-in, names in the history) and applications (names in the panels). */
  readonly directory: DirectoryStore & ApplicationStore;
  /** Where sign-outs and revoked users are kept, so they hold across instances and restarts. */
  readonly sessions: ConsoleSessionStore;
  readonly testing: ConsoleTesting;
  /** The fleet audit (the Activity page); without it the page is not there. */
  readonly audit?: AuditService;
  /** Value rules (the Rules page); without them the page is not there. */
  readonly rules?: ValueRuleService;
}
