import { KeyedLock } from '../../shared/keyed-lock.js';
import { machineNotFound } from '../errors.js';
import type { CallInfo, MachineAccess } from './machine-access.js';
import type { Machine } from './machine.js';
import type { Principal } from '../identity/principal.js';
import { applyTagAction, parseBulkTagCommand, parseTagCommand, type TagCommand } from './tag-commands.js';

/** Mutual exclusion per key: in this process (one instance), or across instances (PostgreSQL). */
export interface MachineLocks {
  run<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T>;
}

/** The lock of one machine, shared by every writer of its tag set (tag actions, PATCH). */
export const machineLockKey = (tenantId: string, machineId: string): string => `${tenantId}/${machineId}`;

/**
 * Adding and removing machine tags, one machine or up to 500 at once. Every change goes through
 * MachineAccess.write, so it is audited and moves the machine to the device group its tags now
 * select, like any other change.
 */
export class TagService {
  /**
   * An action is read-modify-write of the tag set: two concurrent calls on one machine must not
   * lose each other's tag, whichever instances serve them, so each machine is locked meanwhile.
   */
  constructor(
    private readonly access: MachineAccess,
    private readonly locks: MachineLocks = new KeyedLock(),
  ) {}

  async addOrRemove(principal: Principal, key: string, body: unknown, call: CallInfo): Promise<Machine> {
    const [machine] = await this.apply(principal, [key], parseTagCommand(body), call);
    if (!machine) throw machineNotFound(key);
    return machine;
  }

  /**
   * All or nothing: every id must name a visible machine before anything is written (the first
   * that does not is 404). The writes then go machine by machine, each under its lock (docs/compat.md).
   * Two ids naming one machine change it once; the answer lists each machine once, in request order.
   */
  async addOrRemoveMany(principal: Principal, body: unknown, call: CallInfo): Promise<Machine[]> {
    const command = parseBulkTagCommand(body);
    return this.apply(principal, command.machineIds, command, call);
  }

  private async apply(principal: Principal, keys: readonly string[], command: TagCommand, call: CallInfo): Promise<Machine[]> {
    const scope = await this.access.visibilityFor(principal);
    const targets = new Map<string, string>(); // machine id -> the key that named it
    for (const key of keys) {
      const machine = await this.access.resolve(scope, key);
      if (!targets.has(machine.id)) targets.set(machine.id, key);
    }
    const ids = [...targets.keys()];
    return this.locks.run(ids.map((id) => machineLockKey(scope.tenantId, id)), async () => {
      // Read again under the lock: the tag set may have changed since the lookup.
      const current = await Promise.all(ids.map((id) => this.access.store.getById(scope, id)));
      const missing = current.findIndex((m) => m === undefined);
      if (missing >= 0) throw machineNotFound(targets.get(ids[missing] as string) as string);
      const written = await Promise.all(
        (current as Machine[]).map((m) => this.access.write(principal, scope, m, { machineTags: applyTagAction(m.machineTags, command) }, call)),
      );
      // Only a machine crossing the retention boundary in the last milliseconds can vanish here.
      const lost = written.findIndex((m) => m === undefined);
      if (lost >= 0) throw machineNotFound(targets.get(ids[lost] as string) as string);
      return written as Machine[];
    });
  }
}
