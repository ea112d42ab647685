import type { Clock } from '../shared/clock.js';
import { isGuid } from '../shared/ids.js';
import { timestampFromMillis, type Timestamp } from '../shared/timestamp.js';
import { ApiError, machineNotFound } from './errors.js';
import type { Machine } from './machine.js';
import { parseMachinePatch, parseSetDeviceValueBody } from './machine-commands.js';
import type { MachineStore, MachineUpdate, TenantStore } from './ports.js';
import type { Principal } from './principal.js';
import { retentionCutoff, type Tenant } from './tenant.js';
import type { ChangeRoute, ValueChange } from './value-change.js';

const MACHINE_ID = /^[0-9a-f]{40}$/;

/** The request-scoped facts a write records in the value history. */
export interface CallInfo {
  readonly requestId: string | null;
  readonly route: ChangeRoute;
}

/**
 * The machine rules in one place: how a `{machineId}` path segment resolves to a device, what is
 * visible (retention), and how a device-value change is made and audited. Routes, the CLI and
 * the console all come through here.
 */
export class MachineService {
  constructor(
    private readonly machines: MachineStore,
    private readonly tenants: TenantStore,
    private readonly clock: Clock,
  ) {}

  async get(principal: Principal, key: string): Promise<Machine> {
    const scope = await this.scope(principal.tenantId);
    return this.resolve(scope, key);
  }

  async setDeviceValue(principal: Principal, key: string, body: unknown, call: CallInfo): Promise<Machine> {
    const deviceValue = parseSetDeviceValueBody(body);
    return this.apply(principal, key, { deviceValue }, call);
  }

  async patch(principal: Principal, key: string, body: unknown, call: CallInfo): Promise<Machine> {
    return this.apply(principal, key, parseMachinePatch(body), call);
  }

  /** A machine's value history, newest first; retention does not hide the history of a stale device. */
  async history(tenantId: string, key: string, limit = 1000): Promise<ValueChange[]> {
    const scope = await this.scope(tenantId, Number.NEGATIVE_INFINITY);
    const machine = await this.resolve(scope, key);
    return this.machines.history(tenantId, machine.id, limit);
  }

  private async apply(
    principal: Principal,
    key: string,
    changes: Pick<MachineUpdate, 'deviceValue' | 'machineTags'>,
    call: CallInfo,
  ): Promise<Machine> {
    const scope = await this.scope(principal.tenantId);
    const target = await this.resolve(scope, key);
    const result = await this.machines.update({
      tenantId: scope.tenant.id,
      machineId: target.id,
      visibleSince: scope.visibleSince,
      ...changes,
      change: {
        at: timestampFromMillis(this.clock.now()),
        appId: principal.appId,
        userId: principal.kind === 'delegated' ? principal.userId : null,
        route: call.route,
        requestId: call.requestId,
      },
    });
    // The device can drop out of retention between the lookup and the write.
    if (!result) throw machineNotFound(key);
    return result.machine;
  }

  private async scope(tenantId: string, cutoffMs?: number): Promise<Scope> {
    const tenant = await this.tenants.getTenant(tenantId);
    if (!tenant) throw new ApiError('Unauthorized', `Tenant ${tenantId} is not served here.`);
    const since = cutoffMs ?? retentionCutoff(tenant, this.clock.now());
    return { tenant, visibleSince: timestampFromMillis(Math.max(since, 0)) };
  }

  /** id wins, then aadDeviceId, then a unique computerDnsName; an ambiguous name is not found. */
  private async resolve({ tenant, visibleSince }: Scope, key: string): Promise<Machine> {
    const lower = key.toLowerCase();
    let id: string | undefined;
    if (MACHINE_ID.test(lower)) {
      const machine = await this.machines.getById(tenant.id, lower, visibleSince);
      if (machine) return machine;
    }
    if (isGuid(lower)) id = single(await this.machines.idsByAadDeviceId(tenant.id, lower, visibleSince, 2));
    id ??= single(await this.machines.idsByDnsName(tenant.id, lower, visibleSince, 2));
    const machine = id === undefined ? undefined : await this.machines.getById(tenant.id, id, visibleSince);
    if (!machine) throw machineNotFound(key);
    return machine;
  }
}

interface Scope {
  readonly tenant: Tenant;
  readonly visibleSince: Timestamp;
}

const single = (ids: string[]): string | undefined => (ids.length === 1 ? ids[0] : undefined);
