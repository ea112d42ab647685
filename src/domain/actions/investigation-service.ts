import type { Clock } from '../../shared/clock.js';
import { timestampFromMillis } from '../../shared/timestamp.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../identity/principal.js';
import type { MachineAccess } from '../machines/machine-access.js';
import { requireObject } from '../machines/machine-commands.js';
import { parseComment } from './action-commands.js';
import { planTimeline } from './action-lifecycle.js';
import type { ActionStore } from './action-ports.js';
import { aliasesOf, type ActionService, type OutcomeSteering } from './action-service.js';
import { timingFor, type TimingPreset } from './action-timings.js';
import { investigationStateAt, newInvestigationId, type InvestigationRecord, type InvestigationState } from './investigation.js';
import type { Timestamp } from '../../shared/timestamp.js';
import { requestorOf } from './requestor.js';

export interface InvestigationView {
  readonly investigation: InvestigationRecord;
  readonly state: { readonly state: InvestigationState; readonly endTime: Timestamp | null };
}

export interface InvestigationDeps {
  readonly access: MachineAccess;
  readonly store: ActionStore;
  readonly actions: ActionService;
  readonly clock: Clock;
  readonly defaultPreset: TimingPreset;
  readonly steer: OutcomeSteering;
}

/**
 * Automated investigations started by hand (`startInvestigation`): they run on the same
 * timeline rules and tenant timings as machine actions, and fault rules steer them alike.
 */
export class InvestigationService {
  constructor(private readonly deps: InvestigationDeps) {}

  async start(principal: Principal, key: string, body: unknown, call: { requestId: string | null; operation: string }): Promise<InvestigationView> {
    const comment = parseComment(requireObject(body));
    const { access, clock } = this.deps;
    const scope = await access.visibilityFor(principal);
    const machine = await access.resolve(scope, key);
    const steer = await this.deps.steer({ tenantId: scope.tenantId, operation: call.operation, appId: principal.appId, machineKey: key, machineAliases: aliasesOf(machine) });
    const nowMs = clock.now();
    const timing = timingFor(scope.tenant.actions?.timings, this.deps.defaultPreset, 'Investigation');
    const plan = planTimeline(nowMs, timing, machine.healthStatus === 'Active', steer);
    const investigation: InvestigationRecord = {
      id: newInvestigationId(),
      tenantId: scope.tenantId,
      machineId: machine.id,
      computerDnsName: machine.computerDnsName,
      comment,
      requestor: await requestorOf(principal, access.policy),
      appId: principal.appId,
      userId: principal.kind === 'delegated' ? principal.userId : null,
      requestId: call.requestId,
      createdAt: timestampFromMillis(nowMs),
      pickedUpAt: plan.pickedUpAt,
      endsAt: plan.endsAt,
      outcome: plan.outcome,
    };
    await this.deps.store.insertInvestigation(investigation);
    return this.view(investigation, nowMs);
  }

  async get(principal: Principal, id: string): Promise<InvestigationView> {
    const found = await this.deps.store.getInvestigation(await this.deps.actions.scopeOf(principal), id);
    if (!found) throw new ApiError('ResourceNotFound', `Investigation ${id.slice(0, 100)} was not found`);
    return this.view(found, this.deps.clock.now());
  }

  /** Newest first, `limit` from `skip`. */
  async list(principal: Principal, skip: number, limit: number): Promise<InvestigationView[]> {
    const nowMs = this.deps.clock.now();
    const found = await this.deps.store.listInvestigations(await this.deps.actions.scopeOf(principal), skip, limit);
    return found.map((i) => this.view(i, nowMs));
  }

  private view(investigation: InvestigationRecord, nowMs: number): InvestigationView {
    return { investigation, state: investigationStateAt(investigation, nowMs) };
  }
}
