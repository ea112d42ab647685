import type { Clock } from '../../shared/clock.js';
import { newGuid } from '../../shared/ids.js';
import { timestampFromMillis } from '../../shared/timestamp.js';
import { ApiError } from '../errors.js';
import type { AccessPolicy } from '../identity/access-policy.js';
import type { Principal } from '../identity/principal.js';
import type { MachineAccess } from '../machines/machine-access.js';
import { machineLockKey, type MachineLocks } from '../machines/tag-service.js';
import type { Machine } from '../machines/machine.js';
import { errorFor } from '../traffic/traffic-control.js';
import { paramValue, parseActionRequest, parseComment, type ActionRequest } from './action-commands.js';
import { effectOf } from './action-effects.js';
import { isActiveAt, planTimeline, type Steer } from './action-lifecycle.js';
import { ACTION_REQUIREMENTS } from './action-permissions.js';
import { requireSupported } from './action-platforms.js';
import type { ActionScope, ActionStore } from './action-ports.js';
import type { ActionQuery } from './action-query.js';
import { libraryFile } from './action-settings.js';
import { timingFor, type TimingPreset } from './action-timings.js';
import { isExclusive, typesOfFamily, type ActionType, type RequestSource } from './action-types.js';
import { viewAt, type ActionView } from './action-view.js';
import type { LiveResponseCommand } from './machine-action.js';
import { requestorOf } from './requestor.js';
import { requireObject } from '../machines/machine-commands.js';

/** Most live-response actions Pending or InProgress at once in one tenant (spec section 1). */
export const MAX_ACTIVE_LIVE_RESPONSE = 25;

/** The call an action comes from, as fault rules and the audit trail see it. */
export interface ActionCall {
  readonly requestId: string | null;
  readonly source: RequestSource;
  /** The operation-table id (`Isolate`, `RunLiveResponse`...), which fault rules name. */
  readonly operation: string;
}

/** Asks the tenant's fault rules whether this call's action must end otherwise (issue 11, item 3). */
export type OutcomeSteering = (call: { tenantId: string; operation: string; appId: string; machineKey: string; machineAliases: readonly string[] }) => Promise<Steer | null> | Steer | null;

/** A rule naming the device by any of its names steers its actions, however the path named it. */
export const aliasesOf = (machine: Machine): string[] => [machine.id, machine.computerDnsName, ...(machine.aadDeviceId ? [machine.aadDeviceId] : [])];

export interface ActionServiceDeps {
  readonly access: MachineAccess;
  readonly store: ActionStore;
  readonly locks: MachineLocks;
  readonly clock: Clock;
  readonly defaultPreset: TimingPreset;
  readonly steer: OutcomeSteering;
}

export interface ActionList {
  readonly actions: ActionView[];
  readonly count: number | undefined;
  readonly nextSkip: number | undefined;
}

/**
 * Machine actions (shared/spec/machine-actions.md): requesting one on a device, reading and
 * listing them, and cancelling. Routes, the console and the CLI all come through here. Every
 * rule of the contract is decided here or in the pure modules beside it; the store keeps facts.
 */
export class ActionService {
  private readonly access: MachineAccess;
  private readonly store: ActionStore;
  private readonly policy: AccessPolicy;

  constructor(private readonly deps: ActionServiceDeps) {
    ({ access: this.access, store: this.store } = deps);
    this.policy = deps.access.policy;
  }

  /** Requests an action on the device `key` names (id, aadDeviceId or computer name). */
  async request(principal: Principal, type: ActionType, key: string, body: unknown, call: ActionCall): Promise<ActionView> {
    const request = parseActionRequest(type, body);
    const scope = await this.access.visibilityFor(principal);
    const machine = await this.access.resolve(scope, key);
    requireSupported(machine.osPlatform, type);
    const requestor = await requestorOf(principal, this.policy);
    const locks = [actionLockKey(scope.tenantId, machine.id), ...(type === 'LiveResponse' ? [`${scope.tenantId}/live-response`] : [])];
    return this.deps.locks.run(locks, async () => {
      const nowMs = this.deps.clock.now();
      await this.refuseConflicts(scope.tenantId, machine.id, type, nowMs);
      const steer = await this.deps.steer({ tenantId: scope.tenantId, operation: call.operation, appId: principal.appId, machineKey: key, machineAliases: aliasesOf(machine) });
      const settings = scope.tenant.actions;
      const commands = this.commandsOf(request, settings, steer);
      const plan = planTimeline(nowMs, timingFor(settings?.timings, this.deps.defaultPreset, type), machine.healthStatus === 'Active', steer, commands);
      const action = {
        id: newGuid(),
        tenantId: scope.tenantId,
        type,
        machineId: machine.id,
        computerDnsName: machine.computerDnsName,
        scope: request.scope,
        requestor,
        requestorComment: request.comment,
        requestSource: call.source,
        appId: principal.appId,
        userId: principal.kind === 'delegated' ? principal.userId : null,
        requestId: call.requestId,
        createdAt: timestampFromMillis(nowMs),
        ...plan,
        fileSha1: request.sha1,
        commands,
        cancellation: null,
        effectPending: plan.outcome === 'Succeeded' && effectOf(type, request.scope) !== null,
      };
      await this.store.insertAction(action);
      return viewAt(action, nowMs);
    });
  }

  /** One action; 404 when it does not exist or its device is outside the caller's groups. */
  async get(principal: Principal, id: string): Promise<ActionView> {
    const action = await this.store.getAction(await this.scopeOf(principal), id);
    if (!action) throw actionNotFound(id);
    return this.observe(viewAt(action, this.deps.clock.now()));
  }

  /** Newest first unless `$orderby` says otherwise; pages of `pageSize` without `$top`. */
  async list(principal: Principal, query: ActionQuery, pageSize: number, machineId?: string): Promise<ActionList> {
    const scope = await this.scopeOf(principal);
    const nowMs = this.deps.clock.now();
    const now = timestampFromMillis(nowMs);
    const limit = query.top ?? pageSize;
    const paging = query.top === null;
    const rows = await this.store.listActions(scope, { filter: query.filter, orderBy: query.orderBy, skip: query.skip, limit: paging ? limit + 1 : limit, now, ...(machineId ? { machineId } : {}) });
    const more = paging && rows.length > limit;
    const actions = await Promise.all((more ? rows.slice(0, limit) : rows).map((a) => this.observe(viewAt(a, nowMs))));
    const count = query.count ? await this.store.countActions(scope, query.filter, now, machineId) : undefined;
    return { actions, count, nextSkip: more ? query.skip + limit : undefined };
  }

  /** Cancels a Pending or InProgress action, with the permission and role of the action's own type. */
  async cancel(principal: Principal, id: string, body: unknown): Promise<ActionView> {
    const comment = parseComment(requireObject(body));
    const scope = await this.scopeOf(principal);
    const found = await this.store.getAction(scope, id);
    if (!found) throw actionNotFound(id);
    await this.policy.authorize(principal, ACTION_REQUIREMENTS[found.type]);
    const requestor = await requestorOf(principal, this.policy);
    return this.deps.locks.run([actionLockKey(scope.tenantId, found.machineId)], async () => {
      const nowMs = this.deps.clock.now();
      const cancellation = { requestor, comment, at: timestampFromMillis(nowMs) };
      if (!isActiveAt(found, nowMs) || !(await this.store.cancelAction(scope.tenantId, found.id, cancellation))) {
        throw new ApiError('InvalidRequest', 'Action is already in a final state');
      }
      return viewAt({ ...found, cancellation, effectPending: false }, nowMs);
    });
  }

  /**
   * Applies the effects of succeeded actions whose time has come (isolation, restriction,
   * offboarding), oldest first. Run periodically by one instance; reads settle what they see too.
   */
  async settleDue(limit = 200, where?: { readonly tenantId: string; readonly machineId?: string }): Promise<number> {
    const due = await this.store.actionsDue(timestampFromMillis(this.deps.clock.now()), limit, where);
    for (const action of due) await this.store.settleAction(action, effectOf(action.type, action.scope));
    return due.length;
  }

  /** What the caller may see of actions: its tenant, and for delegated callers its device groups. */
  async scopeOf(principal: Principal): Promise<ActionScope> {
    const visibility = await this.access.visibilityFor(principal);
    return { tenantId: visibility.tenantId, rbacGroupIds: visibility.rbacGroupIds };
  }

  /** The device's isolation and restriction state, effects of finished actions applied first. */
  async deviceResponse(tenantId: string, machine: Machine) {
    await this.settleDue(200, { tenantId, machineId: machine.id });
    return this.store.deviceResponse(tenantId, machine.id);
  }

  /**
   * A client that has seen an action succeed must see its effect on the device too: an action
   * read as Succeeded with its effect still pending is settled before the answer goes out.
   */
  private async observe(view: ActionView): Promise<ActionView> {
    if (!view.action.effectPending || view.state.status !== 'Succeeded') return view;
    await this.store.settleAction(view.action, effectOf(view.action.type, view.action.scope));
    return { ...view, action: { ...view.action, effectPending: false } };
  }

  private async refuseConflicts(tenantId: string, machineId: string, type: ActionType, nowMs: number): Promise<void> {
    const now = timestampFromMillis(nowMs);
    if (isExclusive(type) && (await this.store.activeActions(tenantId, machineId, typesOfFamily(type), now)).length > 0) {
      throw new ApiError('ActiveRequestAlreadyExists', 'Action is already in progress');
    }
    if (type === 'LiveResponse' && (await this.store.countActive(tenantId, 'LiveResponse', now)) >= MAX_ACTIVE_LIVE_RESPONSE) {
      // COMPAT: the real service answers the 26th concurrent session with 429; how long to wait is ours.
      throw errorFor('TooManyRequests', 60);
    }
  }

  /**
   * Live-response commands with what each will do: PutFile and RunScript need their file in the
   * tenant's library, else the command fails and the ones after it never run; a Failed fault
   * rule fails the last command.
   */
  private commandsOf(request: ActionRequest, settings: Parameters<typeof libraryFile>[0], steer: Steer | null): LiveResponseCommand[] {
    const commands = request.commands.map((c): LiveResponseCommand => {
      const name = c.type === 'PutFile' ? paramValue(c.params, 'FileName') : c.type === 'RunScript' ? paramValue(c.params, 'ScriptName') : undefined;
      const missing = name !== undefined && !libraryFile(settings, name);
      return { type: c.type, params: c.params, failure: missing ? `The file '${name}' was not found in the live response library.` : null };
    });
    const last = commands.length - 1;
    if (steer?.outcome === 'Failed' && last >= 0 && !commands.some((c) => c.failure !== null)) {
      commands[last] = { ...(commands[last] as LiveResponseCommand), failure: 'The command failed on the device.' };
    }
    return commands;
  }
}

/** Actions of one device take turns (duplicates, cancels), whichever instance serves them. */
const actionLockKey = (tenantId: string, machineId: string): string => `${machineLockKey(tenantId, machineId)}/actions`;

export const actionNotFound = (id: string) => new ApiError('ResourceNotFound', `Machine action ${id.slice(0, 100)} was not found`);
