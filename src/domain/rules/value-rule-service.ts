import type { Clock } from '../../shared/clock.js';
import { newGuid } from '../../shared/ids.js';
import { inFlight } from '../../shared/in-flight.js';
import { timestampFromMillis } from '../../shared/timestamp.js';
import { ApiError } from '../errors.js';
import type { MachineAccess, Visibility } from '../machines/machine-access.js';
import type { DeviceValue } from '../machines/device-value.js';
import type { MachineFilter } from '../machines/machine-query.js';
import type { Principal } from '../identity/principal.js';
import type { TenantStore } from '../ports.js';
import { changesFilter, sameRules, validateValueRules, type FilterParser, type ValueRule, type ValueRuleSpec } from './value-rule.js';
import type { RuleRun, ValueRuleStore } from './value-rule-ports.js';

/** Who applies or previews: the principal whose device groups bound the fleet, and a name for the run record. */
export interface RuleActor {
  readonly principal: Principal;
  readonly name: string;
}

/**
 * Who the admin key and the CLI act as: an application with every machine permission in the
 * tenant, so device groups do not narrow what their rules reach; `appId` names it in the history.
 */
export function tenantOperator(tenantId: string, appId: string, name: string): RuleActor {
  return { principal: { kind: 'application', tenantId, appId, roles: new Set(['Machine.ReadWrite.All']), expiresAt: Number.MAX_SAFE_INTEGER }, name };
}

export interface RuleSummary extends ValueRule {
  /** Devices this rule would change now. */
  readonly changes: number;
}

export interface PreviewDevice {
  readonly id: string;
  readonly computerDnsName: string;
  readonly deviceValue: DeviceValue;
  readonly newValue: DeviceValue;
  /** Its value was set by something other than a rule after this rule was last applied: apply overwrites it. */
  readonly handSetSinceLastApply: boolean;
}

export interface PreviewPage {
  readonly rule: RuleSummary;
  readonly devices: readonly PreviewDevice[];
  /** The id to continue after (keyset), absent on the last page. */
  readonly next?: string;
}

export interface ApplyProgress {
  readonly run: RuleRun;
  readonly done: number;
  readonly total: number;
}

const WRITES_IN_FLIGHT = 200;
const ID_ORDER = [{ property: 'id', descending: false }] as const;

/**
 * Value rules (docs/value-rules.md): the first rule, in order, whose filter matches a device
 * decides its value. Preview lists what apply would change without writing; apply makes every
 * device a rule decides have the rule's value, through MachineAccess (the write path of
 * setDeviceValue: device groups inside the query, history with route `rule`), in batches whose
 * progress is saved, so a stopped run continues and nothing is changed twice.
 */
export class ValueRuleService {
  private readonly running = new Map<string, Promise<RuleRun>>();
  /** Ids of runs walking devices in this process: another caller never continues or closes one. */
  private readonly live = new Set<string>();

  constructor(
    private readonly store: ValueRuleStore,
    private readonly tenants: TenantStore,
    private readonly access: MachineAccess,
    private readonly parse: FilterParser,
    private readonly clock: Clock,
    /** Devices written (concurrently) between two saves of the run's progress. */
    private readonly batchSize = 2000,
  ) {}

  /** The one validator of rule lists (every door comes here or to validateValueRules with the same parser). */
  check(data: unknown): ValueRuleSpec[] {
    return validateValueRules(data, this.parse);
  }

  async list(tenantId: string): Promise<ValueRule[]> {
    await this.tenant(tenantId);
    return this.store.listValueRules(tenantId);
  }

  /** Replaces the rules; a rule kept unchanged (name, filter, value) keeps the time it was last applied. */
  async replace(tenantId: string, data: unknown): Promise<ValueRule[]> {
    const specs = this.check(data);
    await this.tenant(tenantId);
    const before = new Map((await this.store.listValueRules(tenantId)).map((r) => [r.name, r]));
    const rules = specs.map((spec): ValueRule => {
      const old = before.get(spec.name);
      const kept = old !== undefined && old.filter === spec.filter && old.deviceValue === spec.deviceValue;
      return { ...spec, appliedAt: kept ? old.appliedAt : null };
    });
    await this.store.replaceValueRules(tenantId, rules);
    return rules;
  }

  /** Per rule, how many devices apply would change now. */
  async preview(actor: RuleActor, tenantId: string): Promise<RuleSummary[]> {
    const { rules, filters, scope } = await this.prepare(actor, tenantId);
    const counts = await Promise.all(rules.map((_, i) => this.access.store.countMatching(scope, this.changes(rules, filters, i))));
    return rules.map((rule, i) => ({ ...rule, changes: counts[i] ?? 0 }));
  }

  /** One page of the devices a rule would change, in id order after `after`. */
  async previewPage(actor: RuleActor, tenantId: string, ruleName: string, limit: number, after?: string): Promise<PreviewPage> {
    const { rules, filters, scope } = await this.prepare(actor, tenantId);
    const index = rules.findIndex((r) => r.name.toLowerCase() === ruleName.toLowerCase());
    const rule = rules[index];
    if (!rule) throw new ApiError('ResourceNotFound', `Value rule ${ruleName} was not found`);
    const filter = this.changes(rules, filters, index);
    const [changes, machines] = await Promise.all([
      this.access.store.countMatching(scope, filter),
      this.access.store.listMachines(scope, { filter, orderBy: ID_ORDER, skip: 0, limit: limit + 1, ...(after ? { after: [after] } : {}) }),
    ]);
    const page = machines.slice(0, limit);
    const handSet = rule.appliedAt === null ? new Set<string>() : await this.store.changedByHandSince(tenantId, page.map((m) => m.id), rule.appliedAt);
    const last = page[page.length - 1];
    return {
      rule: { ...rule, changes },
      devices: page.map((m) => ({ id: m.id, computerDnsName: m.computerDnsName, deviceValue: m.deviceValue, newValue: rule.deviceValue, handSetSinceLastApply: handSet.has(m.id) })),
      ...(machines.length > limit && last ? { next: last.id } : {}),
    };
  }

  /**
   * Makes every device each rule decides have the rule's value. An unfinished run of the same
   * rules is continued from its saved progress; one of other rules is closed and a new run starts
   * (apply is "make it so", so the new run does whatever the old one left).
   */
  async apply(actor: RuleActor, tenantId: string, onProgress: (progress: ApplyProgress) => void = () => {}): Promise<RuleRun> {
    // A second apply by the same caller while one runs here (a client that gave up waiting and
    // asked again) waits for that run instead of walking the same devices beside it. Another
    // caller may see other device groups, so it runs its own.
    const p = actor.principal;
    const key = `${tenantId}/${p.appId}/${p.kind === 'delegated' ? p.userId : ''}`;
    const running = this.running.get(key);
    if (running) return running;
    const run = this.applyOnce(actor, tenantId, onProgress);
    this.running.set(key, run);
    try {
      return await run;
    } finally {
      this.running.delete(key);
    }
  }

  private async applyOnce(actor: RuleActor, tenantId: string, onProgress: (progress: ApplyProgress) => void): Promise<RuleRun> {
    const { rules, filters, scope } = await this.prepare(actor, tenantId);
    // The choice and the claim on the run happen in one step (no await between them), so two
    // callers here never both continue one stopped run.
    const stored = await this.store.openRuleRun(tenantId);
    const open = stored && !this.live.has(stored.id) ? stored : undefined;
    const continued = open && sameRules(open.rules, rules);
    let run: RuleRun = continued ? open : { id: newGuid(), tenantId, startedAt: this.now(), finishedAt: null, actor: actor.name, rules: rules.map(({ name, filter, deviceValue }) => ({ name, filter, deviceValue })), position: 0, afterId: '', changed: rules.map(() => 0) };
    this.live.add(run.id);
    try {
      if (!continued) {
        if (open) await this.store.putRuleRun({ ...open, finishedAt: this.now() });
        await this.store.putRuleRun(run);
      }
      return await this.walk(actor, scope, run, rules, filters, onProgress);
    } finally {
      this.live.delete(run.id);
    }
  }

  private async walk(actor: RuleActor, scope: Visibility, start: RuleRun, rules: readonly ValueRule[], filters: readonly MachineFilter[], onProgress: (progress: ApplyProgress) => void): Promise<RuleRun> {
    let run = start;
    const remaining = await Promise.all(rules.map((_, i) => (i < run.position ? 0 : this.access.store.countMatching(scope, this.changes(rules, filters, i)))));
    const doneBefore = run.changed.reduce((a, b) => a + b, 0);
    const total = doneBefore + remaining.reduce((a, b) => a + b, 0);
    onProgress({ run, done: doneBefore, total });
    for (let index = run.position; index < rules.length; index++) {
      run = await this.applyRule(actor, scope, run, rules, filters, index, (r) => onProgress({ run: r, done: r.changed.reduce((a, b) => a + b, 0), total }));
    }
    run = { ...run, finishedAt: this.now() };
    await this.store.putRuleRun(run);
    return run;
  }

  async run(tenantId: string, id: string): Promise<RuleRun> {
    const run = await this.store.getRuleRun(tenantId, id);
    if (!run) throw new ApiError('ResourceNotFound', `Value rule run ${id} was not found`);
    return run;
  }

  private async applyRule(actor: RuleActor, scope: Visibility, start: RuleRun, rules: readonly ValueRule[], filters: readonly MachineFilter[], index: number, progress: (run: RuleRun) => void): Promise<RuleRun> {
    const rule = rules[index] as ValueRule;
    const filter = this.changes(rules, filters, index);
    // The rule's name goes in every entry it writes, so the history says which rule set a value.
    const call = { route: 'rule', requestId: `rule:${start.id}:${rule.name}` } as const;
    let run = start;
    const list = (afterId: string) => this.access.store.listMachines(scope, { filter, orderBy: ID_ORDER, skip: 0, limit: this.batchSize, ...(afterId === '' ? {} : { after: [afterId] }) });
    // The next page is read while this one is written: it starts after this page's last id, so
    // the writes cannot change what it holds.
    let next = list(run.afterId);
    for (;;) {
      const page = await next;
      const last = page[page.length - 1];
      if (!last) break;
      next = list(last.id);
      next.catch(() => {}); // awaited on the next turn; a failure of the writes must not leave it unhandled
      // At most WRITES_IN_FLIGHT at once: enough for SQLite's group commit to batch them, few
      // enough that a PostgreSQL pool hands each a connection well within its wait limit.
      const written = await inFlight(page, WRITES_IN_FLIGHT, (m) => this.access.writeById(actor.principal, scope, m.id, { deviceValue: rule.deviceValue }, call));
      const done = written.filter((m) => m !== undefined).length;
      const changed = run.changed.map((n, i) => (i === index ? n + done : n));
      run = { ...run, afterId: last.id, changed };
      await this.store.putRuleRun(run);
      progress(run);
    }
    // The run's start, not now: a hand change made while this run went on must count as after it.
    await this.store.markValueRuleApplied(run.tenantId, index, rule.name, run.startedAt);
    run = { ...run, position: index + 1, afterId: '' };
    await this.store.putRuleRun(run);
    return run;
  }

  private async prepare(actor: RuleActor, tenantId: string): Promise<{ rules: ValueRule[]; filters: MachineFilter[]; scope: Visibility }> {
    if (actor.principal.tenantId !== tenantId) throw new ApiError('Forbidden', 'The caller acts for another tenant.');
    const rules = await this.list(tenantId);
    const scope = await this.access.visibilityFor(actor.principal);
    return { rules, filters: rules.map((r) => this.parse(r.filter)), scope };
  }

  private changes(rules: readonly ValueRule[], filters: readonly MachineFilter[], index: number): MachineFilter {
    return changesFilter(filters, rules.map((r) => r.deviceValue), index);
  }

  private async tenant(tenantId: string): Promise<void> {
    if (!(await this.tenants.getTenant(tenantId))) throw new ApiError('ResourceNotFound', `Tenant ${tenantId} was not found`);
  }

  private now(): string {
    return timestampFromMillis(this.clock.now());
  }
}
