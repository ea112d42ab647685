import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateFleet, Random, type FleetOptions } from '../src/fleet/generator.js';
import {
  EXPOSURE_LEVELS,
  HEALTH_STATUSES,
  MACHINE_PROPERTIES,
  ONBOARDING_STATUSES,
  RISK_SCORES,
  type Machine,
} from '../src/domain/machines/machine.js';
import { DEVICE_VALUES } from '../src/domain/machines/device-value.js';
import { REFERENCE_MACHINE } from '../src/config/demo.js';
import { timestampToMillis } from '../src/shared/timestamp.js';

const DAY = 86_400_000;
const NOW = Date.parse('2025-06-01T12:00:00Z');
const OPTIONS: FleetOptions = { count: 5000, seed: 42, nowMs: NOW };

const take = (options: FleetOptions, n: number): Machine[] => {
  const out: Machine[] = [];
  for (const m of generateFleet(options)) {
    if (out.length === n) break;
    out.push(m);
  }
  return out;
};

// One shared fleet: the generator is deterministic, so every test may read the same machines.
const fleet = take(OPTIONS, OPTIONS.count);
const ageDays = (m: Machine): number => (NOW - timestampToMillis(m.lastSeen)) / DAY;

describe('Random', () => {
  it('stays within its documented ranges', () => {
    const r = new Random(7);
    for (let i = 0; i < 1000; i++) {
      const x = r.next();
      assert.ok(x >= 0 && x < 1);
      const n = r.int(3, 5);
      assert.ok(n >= 3 && n <= 5 && Number.isInteger(n));
    }
    assert.match(r.hex(13), /^[0-9a-f]{13}$/);
    assert.match(r.guid(), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('generateFleet', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    assert.deepEqual(take(OPTIONS, 50), fleet.slice(0, 50));
    const other = take({ ...OPTIONS, seed: 43 }, 50);
    assert.notDeepEqual(other.slice(1), fleet.slice(1, 50));
  });

  it('yields exactly count machines', () => {
    assert.equal(fleet.length, 5000);
    assert.equal(take({ ...OPTIONS, count: 0 }, 10).length, 0);
  });

  it('gives every machine exactly the wire properties in wire order', () => {
    for (const m of fleet) assert.deepEqual(Object.keys(m), [...MACHINE_PROPERTIES]);
  });

  it('gives unique 40-hex ids and unique names', () => {
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const m of fleet) {
      assert.match(m.id, /^[0-9a-f]{40}$/);
      ids.add(m.id);
      names.add(m.computerDnsName.toLowerCase());
    }
    assert.equal(ids.size, fleet.length);
    assert.equal(names.size, fleet.length);
  });

  it('puts the reference machine first, or not at all when asked', () => {
    const ref = fleet[0]!;
    assert.equal(ref.id, REFERENCE_MACHINE.id);
    assert.equal(ref.computerDnsName, REFERENCE_MACHINE.computerDnsName);
    assert.deepEqual(
      [ref.osPlatform, ref.version, ref.osProcessor, ref.osArchitecture, ref.osBuild, ref.agentVersion],
      ['Windows10', '1709', 'x64', '64-bit', 18209, '10.5830.18209.1001'],
    );
    assert.deepEqual([ref.lastIpAddress, ref.lastExternalIpAddress], ['172.17.230.209', '167.220.196.71']);
    assert.deepEqual(
      [ref.healthStatus, ref.rbacGroupId, ref.rbacGroupName, ref.riskScore, ref.exposureLevel, ref.deviceValue],
      ['Active', 140, 'The-A-Team', 'Low', 'Medium', 'Normal'],
    );
    assert.deepEqual([ref.isAadJoined, ref.aadDeviceId], [true, '80fe8ff8-2624-418e-9591-41f0491218f9']);
    assert.deepEqual(ref.machineTags, ['test tag 1', 'test tag 2']);
    assert.deepEqual(
      [ref.onboardingStatus, ref.managedBy, ref.managedByStatus, ref.defenderAvStatus],
      ['Onboarded', 'Intune', 'Unknown', 'Updated'],
    );
    assert.ok(ageDays(ref) >= 0 && ageDays(ref) < 1);
    assert.ok((NOW - timestampToMillis(ref.firstSeen)) / DAY > 365);
    const without = take({ ...OPTIONS, includeReferenceMachine: false }, 200);
    assert.ok(without.every((m) => m.id !== REFERENCE_MACHINE.id));
  });

  it('honours the stale fraction, with stale machines beyond retention and the rest recent', () => {
    const stale = fleet.filter((m) => ageDays(m) > 180);
    assert.ok(stale.length >= 150 && stale.length <= 350, `stale: ${stale.length}`);
    for (const m of fleet) {
      const age = ageDays(m);
      assert.ok(age > 180 || (age >= 0 && age <= 30), `${m.computerDnsName} last seen ${age} days ago`);
      assert.ok(m.firstSeen < m.lastSeen);
    }
    assert.ok(ageDays(fleet[0]!) < 1);
    const none = take({ ...OPTIONS, staleFraction: 0 }, 1000);
    assert.ok(none.every((m) => ageDays(m) <= 30));
  });

  it('keeps enums to the values of the spec', () => {
    const oneOf = (values: readonly (string | null)[], v: string | null, what: string): void =>
      assert.ok(values.includes(v), `${what}: ${v}`);
    for (const m of fleet) {
      oneOf(HEALTH_STATUSES, m.healthStatus, 'healthStatus');
      oneOf([...RISK_SCORES, null], m.riskScore, 'riskScore');
      oneOf([...EXPOSURE_LEVELS, null], m.exposureLevel, 'exposureLevel');
      oneOf(ONBOARDING_STATUSES, m.onboardingStatus, 'onboardingStatus');
      oneOf(DEVICE_VALUES, m.deviceValue, 'deviceValue');
      oneOf(['32-bit', '64-bit'], m.osArchitecture, 'osArchitecture');
    }
    const seen = new Set(fleet.map((m) => m.healthStatus));
    for (const status of HEALTH_STATUSES) assert.ok(seen.has(status), `no machine is ${status}`);
  });

  it('makes rbacGroupName null exactly when rbacGroupId is 0', () => {
    for (const m of fleet) {
      assert.equal(typeof m.rbacGroupId, 'number');
      assert.equal(m.rbacGroupName === null, m.rbacGroupId === 0);
    }
  });

  it('fills the remaining fields consistently', () => {
    for (const m of fleet) {
      assert.equal(new Set(m.machineTags).size, m.machineTags.length);
      assert.equal(m.exclusionReason !== null, m.isExcluded);
      assert.equal(m.osArchitecture === '32-bit', m.osProcessor === 'x86');
      assert.equal(m.osBuild === null, !m.osPlatform.startsWith('Windows'));
      assert.ok(m.ipAddresses.length >= 1 && m.ipAddresses.length <= 3);
      assert.equal(m.ipAddresses.find((a) => a.type === 'Ethernet')?.ipAddress, m.lastIpAddress);
      for (const a of m.ipAddresses) {
        if (a.type === 'SoftwareLoopback') assert.equal(a.macAddress, null);
        else assert.match(a.macAddress ?? '', /^[0-9A-F]{12}$/);
      }
      if (m.aadDeviceId !== null) assert.ok(m.isAadJoined);
    }
  });
});
