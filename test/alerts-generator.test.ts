import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateFleet, type FleetOptions } from '../src/fleet/generator.js';
import { generateAlerts } from '../src/fleet/alert-generator.js';
import { ALERT_CATEGORIES, ALERT_SEVERITIES, DETECTION_SOURCES, EVIDENCE_TYPES, type AlertRecord } from '../src/domain/alerts/alert.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { timestampToMillis } from '../src/shared/timestamp.js';

const TENANT = '7e57da7a-de70-4e2a-9c3d-000000000001';
const OPTIONS: FleetOptions = { count: 4000, seed: 42, nowMs: Date.parse('2025-06-01T12:00:00Z') };
const fleet: Machine[] = [...generateFleet(OPTIONS)];
const byMachine = fleet.map((m) => ({ machine: m, alerts: generateAlerts(OPTIONS.seed, TENANT, m) }));
const all: AlertRecord[] = byMachine.flatMap((e) => e.alerts);

const RANK: Record<string, number> = { UnSpecified: 0, Informational: 1, Low: 2, Medium: 3, High: 4 };
const share = (alerts: readonly AlertRecord[], test: (a: AlertRecord) => boolean) => alerts.filter(test).length / alerts.length;
const onValue = (value: string) => byMachine.filter((e) => e.machine.deviceValue === value).flatMap((e) => e.alerts);

describe('generated alerts', () => {
  it('are the same for the same seed and device, and differ for another seed', () => {
    const machine = fleet[17] as Machine;
    assert.deepEqual(generateAlerts(42, TENANT, machine), generateAlerts(42, TENANT, machine));
    const again = [...generateFleet(OPTIONS)].flatMap((m) => generateAlerts(OPTIONS.seed, TENANT, m));
    assert.deepEqual(again, all);
    const other = fleet.flatMap((m) => generateAlerts(43, TENANT, m));
    assert.notDeepEqual(other.map((a) => a.id), all.map((a) => a.id));
  });

  it('average about the asked number per machine, and none when asked for none', () => {
    const mean = all.length / fleet.length;
    assert.ok(mean > 1.7 && mean < 2.5, `mean ${mean}`);
    const half = fleet.flatMap((m) => generateAlerts(42, TENANT, m, 0.5)).length / fleet.length;
    assert.ok(half > 0.35 && half < 0.7, `mean ${half}`);
    assert.equal(fleet.flatMap((m) => generateAlerts(42, TENANT, m, 0)).length, 0);
  });

  it('mix severities, categories, detection sources, evidence kinds and triage states', () => {
    for (const severity of ['Informational', 'Low', 'Medium', 'High']) assert.ok(share(all, (a) => a.severity === severity) > 0.03, severity);
    assert.ok(new Set(all.map((a) => a.category)).size >= 8);
    assert.ok(new Set(all.map((a) => a.detectionSource)).size >= 5);
    assert.deepEqual(new Set(all.flatMap((a) => a.evidence.map((e) => e.entityType))), new Set(EVIDENCE_TYPES));
    assert.ok(share(all, (a) => a.mitreTechniques.length > 0) > 0.7);
    for (const status of ['New', 'InProgress', 'Resolved']) assert.ok(share(all, (a) => a.status === status) > 0.1, status);
  });

  it('are valid alerts: known values, unique ids, resolved ones with a verdict and a time, times inside the device life', () => {
    assert.equal(new Set(all.map((a) => a.id)).size, all.length);
    for (const a of all) {
      assert.ok((ALERT_SEVERITIES as readonly string[]).includes(a.severity));
      assert.ok((ALERT_CATEGORIES as readonly string[]).includes(a.category));
      assert.ok((DETECTION_SOURCES as readonly string[]).includes(a.detectionSource));
      assert.match(a.id, /^da\d{18}_-?\d+$/);
      assert.equal(a.tenantId, TENANT);
      assert.equal(a.status === 'Resolved', a.resolvedTime !== null);
      if (a.status === 'Resolved') assert.ok(a.classification !== null && a.determination !== null && a.assignedTo !== null);
      if (a.status === 'New') assert.deepEqual([a.assignedTo, a.lastUpdateTime], [null, a.alertCreationTime]);
      else assert.ok(a.lastUpdateTime !== null && a.lastUpdateTime >= a.alertCreationTime && (a.resolvedTime === null || a.lastUpdateTime === a.resolvedTime));
    }
    for (const { machine, alerts } of byMachine) {
      for (const a of alerts) {
        assert.equal(a.machineId, machine.id);
        assert.ok(a.alertCreationTime <= machine.lastSeen && timestampToMillis(a.alertCreationTime) >= timestampToMillis(machine.firstSeen));
      }
    }
  });

  it('put the most severe alerts on High-value devices, and no High alert on Low-value ones', () => {
    const high = onValue('High');
    const normal = onValue('Normal');
    const low = onValue('Low');
    assert.ok(high.length > 0 && normal.length > 0 && low.length > 0);
    const rank = (alerts: AlertRecord[]) => alerts.reduce((sum, a) => sum + (RANK[a.severity] ?? 0), 0) / alerts.length;
    assert.ok(rank(high) > rank(normal) && rank(normal) > rank(low), `${rank(high)} ${rank(normal)} ${rank(low)}`);
    assert.ok(share(high, (a) => a.severity === 'High') > 0.4);
    assert.equal(low.filter((a) => a.severity === 'High').length, 0);
    // High-value devices are few, yet they hold a good part of all High alerts.
    const highOnHigh = high.filter((a) => a.severity === 'High').length / all.filter((a) => a.severity === 'High').length;
    assert.ok(highOnHigh > 0.5, `share ${highOnHigh}`);
    // And more alerts each than the fleet's average device.
    assert.ok(high.length / fleet.filter((m) => m.deviceValue === 'High').length > all.length / fleet.length);
  });
});
