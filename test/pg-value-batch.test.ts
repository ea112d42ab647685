/**
 * Device-value changes on PostgreSQL go in batches (src/store/postgres/value-batch.ts). Many
 * changes at once, through two stores on one database (two instances), several per machine and
 * some to machines the caller cannot see: every acknowledged change is in the history, each
 * machine's entries chain (old value = the previous entry's new value) and end at its current
 * value, and what a caller cannot see is neither changed nor recorded.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { ChangeContext } from '../src/domain/machines/value-change.js';
import type { MachineScope, Store } from '../src/domain/ports.js';
import { generateFleet } from '../src/fleet/generator.js';
import { ValueWriteBatcher, type BatchRow } from '../src/store/postgres/value-batch.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TENANT = 'c0c0c0c0-0000-4000-8000-0000000000b1';
const VALUES: readonly DeviceValue[] = ['Low', 'Normal', 'High'];
const at = (ms: number) => timestampFromMillis(ms) as Timestamp;
const scope = (rbacGroupIds: readonly number[] | null = null): MachineScope => ({ tenantId: TENANT, visibleSince: at(NOW - 180 * DAY), rbacGroupIds });
const change = (requestId: string): ChangeContext => ({ at: at(NOW), appId: 'app-1', userId: null, route: 'setDeviceValue', requestId });

/** Ten machines: the last beyond retention, groups alternating 1 and 2. */
const fleet = (): Machine[] =>
  [...generateFleet({ count: 10, seed: 9, nowMs: NOW })].map((m, i) => ({
    ...m,
    lastSeen: at(NOW - (i === 9 ? 400 : 1) * DAY),
    rbacGroupId: 1 + (i % 2),
    rbacGroupName: null,
    deviceValue: 'Normal' as DeviceValue,
  }));

const postgres = BACKENDS.find((b) => b.name === 'postgres');
if (!postgres) throw new Error('no postgres backend helper');

describe('PostgreSQL batched device-value changes', async () => {
  const reason = await postgres.skip();
  const opts = { skip: reason };
  let opened: OpenedBackend;
  let first: Store;
  let second: Store;
  const machines = fleet();

  before(async () => {
    if (reason) return;
    opened = await postgres.open();
    first = opened.store;
    second = await (opened.again as () => Promise<Store>)();
    await first.putTenant({ id: TENANT, name: 'Batch', retentionDays: 180 });
    await first.putMachines(TENANT, machines, { ...change('seed'), route: 'seed' });
  });
  after(async () => {
    if (!reason) await opened.dispose();
  });

  it('records every acknowledged change once, chained per machine, through two instances at once', opts, async () => {
    const visible = machines.slice(0, 9);
    const calls = Array.from({ length: 300 }, (_, i) => ({
      store: i % 2 === 0 ? first : second,
      machine: visible[i % visible.length] as Machine,
      // Each machine's calls cycle through the values (i / 9 counts a machine's calls).
      value: VALUES[Math.floor(i / visible.length) % 3] as DeviceValue,
      requestId: `r${i}`,
    }));
    const results = await Promise.all(calls.map((c) => c.store.update({ scope: scope(), machineId: c.machine.id, deviceValue: c.value, change: change(c.requestId) })));
    assert.ok(results.every((r) => r !== undefined), 'every visible machine was found');

    for (const machine of visible) {
      type Call = { readonly requestId: string; readonly value: DeviceValue; readonly result: { readonly previousDeviceValue: DeviceValue; readonly machine: { readonly deviceValue: DeviceValue } } | undefined };
      const mine: Call[] = calls.flatMap((c, i) => (c.machine.id === machine.id ? [{ requestId: c.requestId, value: c.value, result: results[i] }] : []));
      // Concurrent calls may set the value just set: such a no-op is not history.
      const changed: Call[] = mine.filter((c) => c.result?.previousDeviceValue !== c.value);
      const entries = [...(await first.history(TENANT, machine.id, 10_000))].sort((a, b) => a.seq - b.seq);
      assert.ok(changed.length > 0, `${machine.id} changed`);
      assert.deepEqual(new Set(entries.map((e) => e.requestId)), new Set(changed.map((c) => c.requestId)), `each change of ${machine.id} recorded once`);
      assert.equal(entries.length, changed.length);
      assert.equal(entries[0]?.oldValue, 'Normal', 'the first entry starts at the seeded value');
      for (let i = 1; i < entries.length; i++) assert.equal(entries[i]?.oldValue, entries[i - 1]?.newValue, `entry ${i} of ${machine.id} chains`);
      const current = await first.getById(scope(), machine.id);
      assert.equal(current?.deviceValue, entries.at(-1)?.newValue, 'the history ends at the current value');
      // Each caller was told the value its change replaced: its entry's old value (a no-op's, its own value).
      for (const call of mine) {
        const entry: (typeof entries)[number] | undefined = entries.find((e) => e.requestId === call.requestId);
        assert.equal(call.result?.previousDeviceValue, entry?.oldValue ?? call.value);
        assert.equal(call.result?.machine.deviceValue, call.value);
      }
    }
  });

  it('changes nothing a caller cannot see, even in a batch with changes it can', opts, async () => {
    const stale = machines[9] as Machine; // beyond retention
    const groupTwo = machines[1] as Machine; // group 2
    const groupOne = machines[0] as Machine;
    const [a, b, c, d] = await Promise.all([
      first.update({ scope: scope(), machineId: stale.id, deviceValue: 'High', change: change('stale') }),
      first.update({ scope: scope([1]), machineId: groupTwo.id, deviceValue: 'High', change: change('other-group') }),
      first.update({ scope: scope([]), machineId: groupOne.id, deviceValue: 'High', change: change('no-group') }),
      first.update({ scope: scope([1]), machineId: groupOne.id, deviceValue: 'Low', change: change('own-group') }),
    ]);
    assert.deepEqual([a, b, c], [undefined, undefined, undefined]);
    assert.equal(d?.machine.deviceValue, 'Low');
    assert.equal((await first.history(TENANT, stale.id, 10)).length, 0);
    const recorded = new Set((await first.history(TENANT, groupTwo.id, 10_000)).map((e) => e.requestId));
    assert.ok(!recorded.has('other-group'));
    assert.ok(!(await first.history(TENANT, groupOne.id, 10_000)).some((e) => e.requestId === 'no-group'));
  });

  it('finds no machine whose id holds a NUL, as any other lookup', opts, async () => {
    assert.equal(await first.update({ scope: scope(), machineId: `${machines[0]?.id}\u0000`, deviceValue: 'High', change: change('nul') }), undefined);
  });
});

describe('ValueWriteBatcher (no database)', () => {
  const write = (machineId: string, requestId: string) => ({ scope: scope(), machineId, deviceValue: 'High' as DeviceValue, change: change(requestId) });
  const row = (id: string, ord: number) => ({ id, tenant_id: TENANT, device_value: 'Low', batch_ord: ord }) as unknown as BatchRow;
  const ids = (values: unknown[]) => values[2] as string[];

  it('groups what arrives while a batch is written, one change per machine and batch', async () => {
    const sent: string[][] = [];
    const batcher = new ValueWriteBatcher(async (_name, _text, values) => {
      sent.push(ids(values));
      return ids(values).map((id, ord) => row(id, ord));
    }, { inFlight: 1, maxBatch: 10 });
    const results = await Promise.all(['a', 'b', 'a', 'c', 'a'].map((id, i) => batcher.write(write(id, `r${i}`))));
    assert.deepEqual(sent, [['a'], ['b', 'a', 'c'], ['a']]);
    assert.deepEqual(results.map((r) => r?.id), ['a', 'b', 'a', 'c', 'a']);
  });

  it('tells the telemetry once per committed group, with its size', async () => {
    const groups: number[] = [];
    let flushes = 0;
    const telemetry = { group: (size: number) => void groups.push(size), flush: () => void flushes++, watchPool: () => {} };
    const batcher = new ValueWriteBatcher(async (_name, _text, values) => ids(values).map((id, ord) => row(id, ord)), { inFlight: 1, maxBatch: 10 }, telemetry);
    await Promise.all(['a', 'b', 'c', 'd'].map((id, i) => batcher.write(write(id, `t${i}`))));
    assert.deepEqual(groups, [1, 3], 'a went alone (the batcher was idle); b, c and d waited and went together');
    assert.equal(flushes, 2, 'a COMMIT is its group\'s flush');
  });

  it('tries a refused batch again change by change, and fails only the change that fails alone', async () => {
    const refusal = Object.assign(new Error('deadlock detected'), { code: '40P01', severity: 'ERROR' });
    const batcher = new ValueWriteBatcher(async (_name, _text, values) => {
      if (ids(values).length > 1 || ids(values)[0] === 'bad') throw refusal;
      return [row(ids(values)[0] as string, 0)];
    }, { inFlight: 1, maxBatch: 10 });
    // x goes alone (the batcher is idle); bad and y wait for it and go together, are refused, then go one by one.
    const settled = await Promise.allSettled(['x', 'bad', 'y'].map((id, i) => batcher.write(write(id, `q${i}`))));
    assert.deepEqual(settled.map((s) => s.status), ['fulfilled', 'rejected', 'fulfilled']);
  });

  it('does not try again when the connection was lost (the commit is unknown)', async () => {
    let calls = 0;
    const batcher = new ValueWriteBatcher(async () => {
      calls++;
      throw new Error('Connection terminated unexpectedly');
    }, { inFlight: 1, maxBatch: 10 });
    const settled = await Promise.allSettled(['x', 'y'].map((id, i) => batcher.write(write(id, `c${i}`))));
    assert.deepEqual(settled.map((s) => s.status), ['rejected', 'rejected']);
    assert.equal(calls, 2, 'x alone (it found the batcher idle), then y: no retries');
  });
});
