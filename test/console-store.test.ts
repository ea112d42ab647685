import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEVICE_VALUES, type DeviceValue } from '../src/domain/machines/device-value.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineFilter } from '../src/domain/machines/machine-query.js';
import type { MachineScope, Store } from '../src/domain/ports.js';
import { readAfter, reversed, segments, type SegmentRead } from '../src/console/inventory-order.js';
import { readSegment } from '../src/console/segment-reader.js';
import type { ChangeContext } from '../src/domain/machines/value-change.js';
import { generateFleet } from '../src/fleet/generator.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TENANT = 'c0c0c0c0-0000-4000-8000-0000000000c7';
const at = (ms: number) => timestampFromMillis(ms) as Timestamp;
const CHANGE: ChangeContext = { at: at(NOW), appId: null, userId: null, route: 'cli', requestId: null };
const EVERYTHING: MachineScope = { tenantId: TENANT, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };

/** Machines last seen over 40 days (several per day, at different hours), in three groups and all three values, some without a risk. */
const fleet = (count: number): Machine[] =>
  [...generateFleet({ count, seed: 7, nowMs: NOW })].map((m, i) => ({
    ...m,
    lastSeen: at(NOW - (i % 40) * DAY - (i % 7) * 3_600_000),
    rbacGroupId: [0, 101, 140][i % 3] as number,
    deviceValue: DEVICE_VALUES[i % 3] as DeviceValue,
    riskScore: i % 5 === 0 ? null : m.riskScore,
  }));

/**
 * What the console's inventory asks of every store backend. The per-value counts come from counts
 * the database keeps (migration 0008's triggers), not from reading the machines: whatever writes
 * machines, they must equal counting the machines, for retention cutoffs on every kind of day and
 * any device groups. Keyset pages, windowed or plain, must be exactly the plain order.
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
      await opened.maintain?.();
      await assertCountsMatch('after the periodic fold');
      const moved = machines.slice(45, 60).map((m, i) => ({ ...m, lastSeen: at(NOW - (50 + i) * DAY), deviceValue: 'High' as DeviceValue, rbacGroupId: 140 }));
      await store.putMachines(TENANT, moved, CHANGE);
      await assertCountsMatch('after re-importing machines with other days and values');
      await store.deleteMachines(TENANT);
      assert.deepEqual(await store.countByDeviceValue(EVERYTHING), { Normal: 0, Low: 0, High: 0 });
    });

    it('stay exact when two instances change values in opposite directions at once, with no write failing', opts, async () => {
      await store.putMachines(TENANT, machines, CHANGE);
      const other = opened.again ? await opened.again() : store;
      const sample = machines.slice(60, 100);
      // Half go one way round the values, half the other: counter rows locked in opposite orders
      // would deadlock here.
      const writes = sample.map((m, i) => {
        const step = i % 2 ? 1 : 2;
        const deviceValue = DEVICE_VALUES[(DEVICE_VALUES.indexOf(m.deviceValue) + step) % 3] as DeviceValue;
        return (i % 2 ? store : other).update({ scope: EVERYTHING, machineId: m.id, deviceValue, change: CHANGE });
      });
      const results = await Promise.allSettled(writes);
      assert.deepEqual(results.filter((r) => r.status === 'rejected'), []);
      assert.equal(results.filter((r) => r.status === 'fulfilled' && r.value !== undefined).length, sample.length, 'every machine was changed');
      await assertCountsMatch('after concurrent opposite changes');
      await store.deleteMachines(TENANT);
    });

    it('read windowed keyset pages exactly as the plain order, whichever way the window falls back', opts, async () => {
      await store.putMachines(TENANT, machines, CHANGE);
      const scope: MachineScope = { tenantId: TENANT, visibleSince: at(NOW - 30 * DAY), rbacGroupIds: [0, 140] };
      const filters: (MachineFilter | null)[] = [
        null,
        { kind: 'compare', property: 'deviceValue', op: 'eq', value: 'High' },
        { kind: 'in', property: 'healthStatus', values: ['Active', 'Inactive'] },
        { kind: 'compare', property: 'id', op: 'lt', value: machines[7]?.id ?? '' },
      ];
      for (const filter of filters) {
        for (const [property, descending] of [['computerDnsName', false], ['riskScore', false], ['riskScore', true], ['lastSeen', true]] as const) {
          const order = segments(property, descending);
          const expected: Machine[] = [];
          for (const segment of order) {
            const both = filter === null ? segment.filter : segment.filter === null ? filter : { kind: 'and' as const, left: filter, right: segment.filter };
            expected.push(...(await store.listMachines(scope, { filter: both, orderBy: segment.orderBy, skip: 0, limit: 1000 })));
          }
          for (const [first, largest] of [[1000, 1000], [3, 10], [1, 2]] as const) {
            const read = (request: SegmentRead) => readSegment(store, scope, request, true, { first, largest });
            for (const start of [undefined, ...expected.filter((_, i) => i % 7 === 0)]) {
              const from = start === undefined ? 0 : expected.indexOf(start) + 1;
              const what = `${JSON.stringify(filter)} ${property} ${descending ? 'desc' : 'asc'} windows ${first}/${largest} after ${from}`;
              assert.deepEqual((await readAfter(order, filter, start, 6, read)).map((m) => m.id), expected.slice(from, from + 6).map((m) => m.id), what);
              const back = (await readAfter(reversed(order), filter, start ?? undefined, 4, read)).map((m) => m.id);
              assert.deepEqual(back, expected.slice(Math.max(0, (start ? from - 1 : expected.length) - 4), start ? from - 1 : expected.length).reverse().map((m) => m.id), `backwards ${what}`);
            }
          }
        }
      }
    });

    it('count a filter up to a limit', opts, async () => {
      const high = { kind: 'compare', property: 'deviceValue', op: 'eq', value: 'High' } as const;
      assert.equal(await store.countMatchingUpTo(EVERYTHING, high, 1000), 40);
      assert.equal(await store.countMatchingUpTo(EVERYTHING, high, 25), 25);
      const tagged = { kind: 'anyTag', predicate: { kind: 'compare', property: 'tag', op: 'eq', value: 'no-such-tag' } } as const;
      assert.equal(await store.countMatchingUpTo(EVERYTHING, tagged, 25), 0);
    });
  });
}
