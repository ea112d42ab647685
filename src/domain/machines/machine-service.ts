import { machineNotFound } from '../errors.js';
import type { CallInfo, MachineAccess, MachineChanges } from './machine-access.js';
import type { Machine } from './machine.js';
import { parseMachinePatch, parseSetDeviceValueBody } from './machine-commands.js';
import type { Principal } from '../identity/principal.js';
import type { ValueChange } from './value-change.js';
import { machineLockKey, type MachineLocks } from './tag-service.js';
import { KeyedLock } from '../../shared/keyed-lock.js';

export type { CallInfo } from './machine-access.js';

/**
 * Reading one machine and changing its device value (setDeviceValue, PATCH): the core of the
 * Machine API. Routes, the CLI and the console all come through here.
 */
export class MachineService {
  constructor(
    private readonly access: MachineAccess,
    /** The same locks as the TagService's, so a PATCH of the tag set and a tag action take turns. */
    private readonly locks: MachineLocks = new KeyedLock(),
  ) {}

  async get(principal: Principal, key: string): Promise<Machine> {
    return this.access.resolve(await this.access.visibilityFor(principal), key);
  }

  async setDeviceValue(principal: Principal, key: string, body: unknown, call: CallInfo): Promise<Machine> {
    const deviceValue = parseSetDeviceValueBody(body);
    return this.apply(principal, key, { deviceValue }, call);
  }

  async patch(principal: Principal, key: string, body: unknown, call: CallInfo): Promise<Machine> {
    const changes = parseMachinePatch(body);
    if (changes.machineTags === undefined) return this.apply(principal, key, changes, call);
    // A new tag set must not land between a tag action's read of the old set and its write,
    // where the action would put back the set this PATCH replaced.
    // The new set replaces the old one whole, and a machine's name and platform never change
    // here, so the machine found before the lock still decides its device group.
    const scope = await this.access.visibilityFor(principal);
    const target = await this.access.resolve(scope, key);
    return this.locks.run([machineLockKey(scope.tenantId, target.id)], async () =>
      found(await this.access.write(principal, scope, target, changes, call), key),
    );
  }

  /** A machine's value history, newest first; retention does not hide the history of a stale device. */
  async history(tenantId: string, key: string, limit = 1000): Promise<ValueChange[]> {
    const scope = await this.access.visibility(tenantId, Number.NEGATIVE_INFINITY);
    const machine = await this.access.resolve(scope, key);
    return this.historyOf(machine, scope.tenantId, limit);
  }

  /** The history of a machine already looked up (the console's device page). */
  historyOf(machine: Machine, tenantId: string, limit = 1000): Promise<ValueChange[]> {
    return this.access.store.history(tenantId, machine.id, limit);
  }

  private async apply(principal: Principal, key: string, changes: MachineChanges, call: CallInfo): Promise<Machine> {
    const scope = await this.access.visibilityFor(principal);
    const direct = await this.access.writeById(principal, scope, key, changes, call);
    if (direct) return direct;
    const target = await this.access.resolve(scope, key);
    return found(await this.access.write(principal, scope, target, changes, call), key);
  }
}

/** The device can drop out of retention between the lookup and the write. */
function found(machine: Machine | undefined, key: string): Machine {
  if (!machine) throw machineNotFound(key);
  return machine;
}
