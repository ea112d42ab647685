/**
 * Preview and apply agree (issue 13): on seeded random fleets and random rule sets (a fixed list of
 * seeds, so a failure replays), apply changes exactly the devices preview listed, each once, to the
 * value of the rule that listed it, while setDeviceValue calls on other devices run at the same
 * time; none of those is lost. Runs on the configured backend (RAMPART_TEST_STORE=postgres).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseFilter } from '../src/api/odata/bind-filter.js';
import type { HistoryEntry } from '../src/domain/audit/history-entry.js';
import { DEVICE_VALUES, type DeviceValue } from '../src/domain/machines/device-value.js';
import type { ApplicationPrincipal } from '../src/domain/identity/principal.js';
import { ValueRuleService } from '../src/domain/rules/value-rule-service.js';
import { generateFleet, Random } from '../src/fleet/generator.js';
import { stableGuid } from '../src/shared/ids.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { matches } from './helpers/evaluate-query.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { expectedChanges, wholeFleet, type RuleText } from './helpers/value-rules.js';

const SEEDS = [1, 7, 42, 2026, 31337];
const FLEET = 240;
const FILTERS = [
  "osPlatform eq 'Windows10'",
  "osPlatform in ('WindowsServer2019', 'WindowsServer2022', 'Linux')",
  "machineTags/any(t: t eq 'PCI')",
  "machineTags/any(t: t in ('Kiosk', 'Lab'))",
  "healthStatus eq 'Active'",
  "riskScore in ('High', 'Medium')",
  "exposureLevel eq 'High' or riskScore eq 'Low'",
  "not (osPlatform eq 'Windows11')",
  'machineTags/any()',
  "onboardingStatus ne 'Onboarded'",
];

const principal = (tenantId: string, appId: string): ApplicationPrincipal => ({ kind: 'application', tenantId, appId, roles: new Set(['Machine.ReadWrite.All']), expiresAt: Number.MAX_SAFE_INTEGER });

function randomRules(random: Random): RuleText[] {
  const count = random.int(1, 4);
  const picked = new Set<number>();
  while (picked.size < count) picked.add(random.int(0, FILTERS.length - 1));
  return [...picked].map((i, n) => ({ name: `rule ${n}`, filter: FILTERS[i] as string, deviceValue: DEVICE_VALUES[random.int(0, 2)] as DeviceValue }));
}

describe('value rules: preview and apply agree', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ demo: false });
  });
  after(async () => {
    await server?.close();
  });

  for (const seed of SEEDS) {
    it(`seed ${seed}`, async () => {
      const { store, access, machines, clock } = server.app;
      // Small batches, so a run saves its progress many times and the concurrent writes land between them.
      const rules = new ValueRuleService(store.rules, store, access, parseFilter, clock, 4);
      const random = new Random(seed);
      const tenantId = stableGuid(`value-rules-property/${seed}`);
      await store.putTenant({ id: tenantId, name: `Seed ${seed}`, retentionDays: 180 });
      const fleet = [...generateFleet({ count: FLEET, seed, nowMs: clock.now(), includeReferenceMachine: false })];
      await store.putMachines(tenantId, fleet, { at: timestampFromMillis(clock.now()), appId: null, userId: null, route: 'seed', requestId: null });
      const ruleSet = randomRules(random);
      await rules.replace(tenantId, ruleSet);
      const actor = { principal: principal(tenantId, 'rampart-admin'), name: 'property test' };

      // Preview: every page of every rule.
      const listed = new Map<string, { rule: RuleText; from: DeviceValue }>();
      for (const rule of ruleSet) {
        let after: string | undefined;
        do {
          const page = await rules.previewPage(actor, tenantId, rule.name, 37, after);
          for (const d of page.devices) {
            assert.equal(listed.has(d.id), false, `${d.id} listed twice`);
            listed.set(d.id, { rule, from: d.deviceValue });
          }
          after = page.next;
        } while (after !== undefined);
      }
      const visibleSince = timestampFromMillis(clock.now() - 180 * 86_400_000);
      assert.deepEqual([...listed.keys()].sort(), expectedChanges(fleet, ruleSet, visibleSince).flat().sort());
      assert.ok(listed.size > 4, `the rules change more than one batch (${listed.size})`);

      // Devices no rule matches, written by hand while the rules are applied.
      const filters = ruleSet.map((r) => parseFilter(r.filter));
      const others = fleet.filter((m) => m.lastSeen >= visibleSince && !filters.some((f) => matches(m, f))).slice(0, 40);
      const handSet = new Map<string, DeviceValue>();
      const writes = others.map(async (m, k) => {
        const value = DEVICE_VALUES[random.int(0, 2)] as DeviceValue;
        handSet.set(m.id, value);
        await machines.setDeviceValue(principal(tenantId, 'hand'), m.id, { DeviceValue: value }, { route: 'setDeviceValue', requestId: `hand-${k}` });
      });
      const [run] = await Promise.all([rules.apply(actor, tenantId), ...writes]);
      assert.equal(run.finishedAt !== null && run.position, ruleSet.length);

      // Exactly what preview listed, once each, from the listed value to the rule's.
      const entries = await allEntries(server, tenantId);
      const byRule = entries.filter((e) => e.route === 'rule');
      assert.deepEqual(byRule.map((e) => e.machineId).sort(), [...listed.keys()].sort());
      for (const e of byRule) {
        const { rule, from } = listed.get(e.machineId) as { rule: RuleText; from: DeviceValue };
        assert.deepEqual([e.requestId, e.oldValue, e.newValue], [`rule:${run.id}:${rule.name}`, from, rule.deviceValue]);
      }
      assert.equal(run.changed.reduce((a, b) => a + b, 0), listed.size);
      assert.deepEqual((await rules.preview(actor, tenantId)).map((r) => r.changes), ruleSet.map(() => 0));

      // Nothing lost: every hand write holds, with its history entry where it changed the value.
      const after = new Map((await wholeFleet(store, tenantId)).map((m) => [m.id, m.deviceValue]));
      const before = new Map(fleet.map((m) => [m.id, m.deviceValue]));
      for (const [id, value] of handSet) assert.equal(after.get(id), value, id);
      const handEntries = entries.filter((e) => e.route === 'setDeviceValue').map((e) => e.machineId).sort();
      assert.deepEqual(handEntries, [...handSet].filter(([id, v]) => before.get(id) !== v).map(([id]) => id).sort());
    });
  }
});

/** Every history entry of the tenant after the seed's, through the fleet audit's pages. */
async function allEntries(server: TestServer, tenantId: string): Promise<HistoryEntry[]> {
  const all: HistoryEntry[] = [];
  let token: string | undefined;
  do {
    const page = await server.app.audit.list(tenantId, { limit: '1000', ...(token ? { $skiptoken: token } : {}) });
    all.push(...page.entries.filter((e) => e.route !== 'seed'));
    token = page.next;
  } while (token !== undefined);
  return all;
}
