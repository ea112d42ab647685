/**
 * `rampart seed`'s progress (issue 14): told after every 1,000 machines committed, not once per
 * 25,000-machine batch, so the bar moves while a batch is written. Counted in machines, never in
 * time: a store that records what it was given stands in for SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DirectoryStore, MachineStore } from '../src/domain/ports.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { IpAssignment } from '../src/domain/machines/ip-history.js';
import { generateFleetWithHistory } from '../src/fleet/address-history.js';
import { putInBatches } from '../src/fleet/seed.js';

function recordingStore() {
  const machines: Machine[] = [];
  const addresses: IpAssignment[] = [];
  const store = {
    listDeviceGroups: async () => [],
    putMachines: async (_tenant: string, batch: readonly Machine[]) => void machines.push(...batch),
    putIpHistory: async (_tenant: string, entries: readonly IpAssignment[]) => void addresses.push(...entries),
  };
  return { machines, addresses, store: store as unknown as MachineStore & DirectoryStore };
}

describe('seed progress', () => {
  it('is told after every 1,000 machines written, and ends at the total', async () => {
    const { store, machines, addresses } = recordingStore();
    const told: number[] = [];
    const fleet = [...generateFleetWithHistory({ count: 52_500, seed: 7, nowMs: Date.UTC(2026, 11, 1) })];
    const written = await putInBatches(store, 't', fleet, 'seed', (n) => told.push(n));
    assert.equal(written, 52_500);
    assert.equal(machines.length, 52_500);
    assert.equal(addresses.length, fleet.reduce((n, e) => n + e.ipHistory.length, 0), 'every address written once');
    assert.deepEqual(told, [...Array.from({ length: 52 }, (_, i) => (i + 1) * 1000), 52_500]);
  });
});
