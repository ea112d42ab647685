/**
 * The list sends machines as JSON text that the database builds (store/machine-json-sql.ts); the
 * entity routes build it with machineToJson. Both must be the same text for every machine, on
 * every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { MACHINE_PROPERTIES, type Machine } from '../src/domain/machines/machine.js';
import { machineToJson } from '../src/domain/machines/machine-json.js';
import type { MachinePropertyName } from '../src/domain/machines/machine-query.js';
import type { MachineScope, Store } from '../src/domain/ports.js';
import { generateFleet } from '../src/fleet/generator.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const TENANT = 'c0c0c0c0-0000-4000-8000-00000000000c';
const SCOPE: MachineScope = { tenantId: TENANT, visibleSince: '0000-01-01T00:00:00.0000000Z' as Timestamp, rbacGroupIds: null };
const AWKWARD = ['quote " and \\ backslash', 'tab\tnew\nline\r\u0001\u001f', 'é ü 中文 😀', '\u2028\u2029', "it's", '</script>'];

for (const backend of BACKENDS) {
  describe(`machine JSON built by ${backend.name}`, async () => {
    const reason = await backend.skip();
    const opts = { skip: reason };
    let opened: OpenedBackend;
    let store: Store;
    const fleet: Machine[] = [...generateFleet({ count: 400, seed: 11, nowMs: NOW })];

    before(async () => {
      // Awkward strings in every free-text field, and every fractional precision of timestamps.
      fleet.forEach((m, i) => {
        const s = AWKWARD[i % AWKWARD.length] as string;
        if (i % 3 === 0) Object.assign(m, { computerDnsName: s, osVersion: s, rbacGroupName: s, machineTags: [s, 'x'], exclusionReason: s });
        m.lastSeen = timestampFromMillis(NOW - i * 37);
        m.firstSeen = `2020-01-0${(i % 9) + 1}T00:00:0${i % 10}.${'1234567'.slice(0, i % 8).padEnd(7, '0')}Z` as Timestamp;
      });
      if (reason) return;
      opened = await backend.open();
      store = opened.store;
      await store.putMachines(TENANT, fleet, { at: timestampFromMillis(NOW), appId: null, userId: null, route: 'seed', requestId: null });
    });
    after(async () => {
      if (!reason) await opened.dispose();
    });

    const page = { filter: null, orderBy: [], skip: 0, limit: 10_000 };

    it('is, byte for byte, JSON.stringify(machineToJson(machine)) for every machine', opts, async () => {
      const texts = await store.listMachineJson(SCOPE, page, null);
      assert.equal(texts.length, fleet.length);
      for (const text of texts) {
        const id = (JSON.parse(text) as { id: string }).id;
        const stored = await store.getById(SCOPE, id);
        assert.ok(stored);
        assert.equal(text, JSON.stringify(machineToJson(stored)));
      }
    });

    it('with $select, has exactly the chosen properties in wire order', opts, async () => {
      const subsets = fc.subarray([...MACHINE_PROPERTIES], { minLength: 1 });
      await fc.assert(
        fc.asyncProperty(subsets, async (select: MachinePropertyName[]) => {
          const texts = await store.listMachineJson(SCOPE, { ...page, limit: 20 }, select);
          const full = await store.listMachines(SCOPE, { ...page, limit: 20 });
          texts.forEach((text, i) => {
            const json = machineToJson(full[i] as Machine);
            assert.equal(text, JSON.stringify(Object.fromEntries(select.map((p) => [p, json[p]]))));
          });
        }),
        { seed: 3, numRuns: 60 },
      );
    });
  });
}
