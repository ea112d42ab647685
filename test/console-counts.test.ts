import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEVICE_VALUES, type DeviceValue } from '../src/domain/device-value.js';
import type { Machine } from '../src/domain/machine.js';
import type { MachineScope, Store } from '../src/domain/ports.js';
import type { ChangeContext } from '../src/domain/value-change.js';
import { generateFleet } from '../src/fleet/generator.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TENANT = 'c0c0c0c0-0000-4000-8000-0000000000c7';
const at = (ms: number) => timestampFromMillis(ms) as Timestamp;
const CHANGE: ChangeContext = { at: at(NOW), appId: null, userId: null, route: 'cli', requestId: null };
const EVERYTHING: MachineScope = { tenantId: TENANT, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };

/** Machines last seen over 40 days (several per day, at different hours), in three groups and all three values. */
const fleet = (count: number): Machine[] =>
  [...generateFleet({ count, seed: 7, nowMs: NOW })].map((m, i) => ({
    ...m,
    lastSeen: at(NOW - (i % 40) * DAY - (i % 7) * 3_600_000),
    rbacGroupId: [0, 101, 140][i % 3] as number,
    deviceValue: DEVICE_VALUES[i % 3] as DeviceValue,
  }));

/**
 * The per-value counts the console shows come from counts the database keeps (migration 0008's
 * triggers), not from reading the machines. Whatever writes machines, they must equal counting
 * the machines, for retention cutoffs on every kind of day and any device groups.
 */
for (const backend of BACKENDS) {
  describe(`kept machine counts: ${backend.name}`, async () => {
    const reason = await backend.skip();
    const opts = { skip: reason };
    let opened: OpenedBackend;
    let store: Store;
    const machines = fleet(120);

    before(async () => {
      if (reason) return;
      opened = await backend.open();
      store = opened.store;
      await store.putMachines(TENANT, machines, CHANGE);
    });
    after(async () => {
      if (!reason) await opened.dispose();
    });

    async function assertCountsMatch(when: string): Promise<void> {
      const cutoffs = [EVERYTHING.visibleSince, at(NOW - 39 * DAY - 3 * 3_600_000), at(NOW - 20 * DAY), at(NOW - 20 * DAY + 1), at(NOW), at(NOW + DAY)];
      for (const visibleSince of cutoffs) {
        for (const rbacGroupIds of [null, [], [101], [0, 140]]) {
          const scope = { tenantId: TENANT, visibleSince, rbacGroupIds };
          const counted = {} as Record<DeviceValue, number>;
          for (const value of DEVICE_VALUES) counted[value] = await store.countMatching(scope, { kind: 'compare', property: 'deviceValue', op: 'eq', value });
          assert.deepEqual(await store.countByDeviceValue(scope), counted, `${when}: ${JSON.stringify(scope)}`);
        }
      }
    }

    it('match counting the machines once they are put', opts, async () => {
      await assertCountsMatch('put');
      const all = await store.countByDeviceValue(EVERYTHING);
      assert.deepEqual(all, { Normal: 40, Low: 40, High: 40 });
    });

    it('follow value changes, group moves, re-imports with other days and values, and removals', opts, async () => {
      for (const [i, m] of machines.slice(0, 30).entries()) {
        const deviceValue = DEVICE_VALUES[(DEVICE_VALUES.indexOf(m.deviceValue) + 1 + (i % 2)) % 3] as DeviceValue;
        await store.update({ scope: EVERYTHING, machineId: m.id, deviceValue, change: CHANGE });
      }
      await store.setMachineGroups(TENANT, machines.slice(30, 45).map((m) => ({ machineId: m.id, rbacGroupId: 101, rbacGroupName: 'Servers' })));
      await assertCountsMatch('after updates and regrouping');
      const moved = machines.slice(45, 60).map((m, i) => ({ ...m, lastSeen: at(NOW - (50 + i) * DAY), deviceValue: 'High' as DeviceValue, rbacGroupId: 140 }));
      await store.putMachines(TENANT, moved, CHANGE);
      await assertCountsMatch('after re-importing machines with other days and values');
      await store.deleteMachines(TENANT);
      assert.deepEqual(await store.countByDeviceValue(EVERYTHING), { Normal: 0, Low: 0, High: 0 });
    });

    it('count a filter up to a limit', opts, async () => {
      await store.putMachines(TENANT, machines, CHANGE);
      const high = { kind: 'compare', property: 'deviceValue', op: 'eq', value: 'High' } as const;
      assert.equal(await store.countMatchingUpTo(EVERYTHING, high, 1000), 40);
      assert.equal(await store.countMatchingUpTo(EVERYTHING, high, 25), 25);
      const tagged = { kind: 'anyTag', predicate: { kind: 'compare', property: 'tag', op: 'eq', value: 'no-such-tag' } } as const;
      assert.equal(await store.countMatchingUpTo(EVERYTHING, tagged, 25), 0);
    });
  });
}
