/**
 * Differential property tests of `GET /api/alerts`' OData: random filters over random alerts,
 * printed as real clients write them (XSOAR's literal `+` separators, AND in capitals, nested
 * or), parsed, compiled to SQL by the store, must select exactly what an in-memory evaluator
 * selects, in the same order, with the same count, under every scope (device groups, and the
 * retention of both the device and the alert), on every backend.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseEntityFilter } from '../src/api/odata/bind-entity-filter.js';
import { ALERT_CATEGORIES, ALERT_SEVERITIES, ALERT_STATUSES, DETECTION_SOURCES, type AlertRecord } from '../src/domain/alerts/alert.js';
import { alertIdFor, createAlert } from '../src/domain/alerts/alert-factory.js';
import { ALERT_LISTING, ALERT_PROPERTIES, type AlertFilter, type AlertOrderKey, type AlertProperty, type AlertScope } from '../src/domain/alerts/alert-query.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { ComparisonOperator, Literal } from '../src/domain/query-filter.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { matchesEntity, printEntityFilter, sortEntities } from './helpers/evaluate-entity.js';
import { booleanTree, testFleet } from './helpers/query-arbitraries.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const DAY = 86_400_000;
const SECOND = 1000;
const TENANT = 'a0a0a0a0-0000-4000-8000-0000000000ae';
const OTHER = 'b0b0b0b0-0000-4000-8000-0000000000ae';
const ASSIGNEES = ['Sam@Contoso.com', 'sam@contoso.com', "o'brien@contoso.com", 'zed@contoso.com'];
const RUNS = { seed: 20261207, numRuns: 250 } as const;
/** Two clusters of creation times, 120 days apart, so retention cuts between them. */
const CLUSTERS = [T0, T0 - 120 * DAY];

function testAlerts(machines: readonly Machine[], seed: number): AlertRecord[] {
  const r = fc.sample(fc.array(fc.nat(1000), { minLength: 500, maxLength: 500 }), { seed, numRuns: 1 })[0] ?? [];
  let i = 0;
  const next = (n: number) => (r[i++ % r.length] ?? 0) % n;
  const at = (base: number) => base + next(20) * SECOND + (next(2) === 0 ? 0 : 500);
  const maybe = <T>(value: () => T): T | null => (next(4) === 0 ? null : value());
  return Array.from({ length: 80 }, (_, k): AlertRecord => {
    const created = at(CLUSTERS[next(2)] ?? T0);
    const alert = createAlert({
      tenantId: TENANT,
      machineId: (machines[next(machines.length)] as Machine).id,
      nowMs: created,
      idSuffix: k - 40,
      detectorId: 'd',
      severity: ALERT_SEVERITIES[next(ALERT_SEVERITIES.length)] ?? 'Low',
      category: ALERT_CATEGORIES[next(ALERT_CATEGORIES.length)] ?? 'General',
      title: `alert ${k}`,
      description: 'd',
      detectionSource: DETECTION_SOURCES[next(DETECTION_SOURCES.length)] ?? 'MTP',
    });
    return {
      ...alert,
      // Ids of one moment differ by their second part, which may be negative.
      id: alertIdFor(created, (k - 40) * 7919),
      status: ALERT_STATUSES[next(ALERT_STATUSES.length)] ?? 'New',
      assignedTo: maybe(() => ASSIGNEES[next(ASSIGNEES.length)] ?? 'zed@contoso.com'),
      incidentId: maybe(() => next(5)),
      investigationId: maybe(() => next(5) - 1),
      lastUpdateTime: maybe(() => timestampFromMillis(at(created))),
      lastEventTime: maybe(() => timestampFromMillis(at(created - 10 * SECOND))),
    };
  });
}

/** A property's value in stored form (the case-insensitive ones lower-cased). */
function valueOf(a: AlertRecord, property: AlertProperty): string | number | null {
  switch (property) {
    case 'alertCreationTime':
      return a.alertCreationTime;
    case 'lastUpdateTime':
      return a.lastUpdateTime;
    case 'lastEventTime':
      return a.lastEventTime;
    case 'incidentId':
      return a.incidentId;
    case 'investigationId':
      return a.investigationId;
    case 'id':
      return a.id;
    case 'assignedTo':
      return a.assignedTo?.toLowerCase() ?? null;
    case 'detectionSource':
      return a.detectionSource;
    case 'status':
      return a.status;
    case 'severity':
      return a.severity;
    case 'category':
      return a.category;
  }
}

const PROPS = Object.keys(ALERT_PROPERTIES) as AlertProperty[];
const OPS: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];
const anyCase = (values: readonly string[]) => fc.tuple(fc.constantFrom(...values), fc.constantFrom('as is', 'lower', 'upper')).map(([v, c]) => (c === 'lower' ? v.toLowerCase() : c === 'upper' ? v.toUpperCase() : v));

function literalOf(property: AlertProperty, alerts: readonly AlertRecord[]): fc.Arbitrary<string | number> {
  const info = ALERT_PROPERTIES[property];
  if (info.type === 'timestamp') {
    const base = fc.constantFrom(...CLUSTERS);
    return fc.tuple(base, fc.integer({ min: -12, max: 22 }), fc.constantFrom(0, 1, 499, 500, 501)).map(([b, s, ms]) => timestampFromMillis(b + s * SECOND + ms) as string);
  }
  if (info.type === 'integer') return fc.integer({ min: -2, max: 6 });
  switch (property) {
    case 'id':
      return fc.oneof(fc.constantFrom(...alerts.map((a) => a.id)), anyCase(alerts.slice(0, 5).map((a) => a.id)), fc.constant('da637472900382838869_1'));
    case 'assignedTo':
      return fc.constantFrom(...ASSIGNEES.map((a) => a.toLowerCase()), 'sam', 'o');
    case 'status':
      return anyCase(ALERT_STATUSES);
    case 'severity':
      return anyCase(ALERT_SEVERITIES);
    case 'category':
      return anyCase(ALERT_CATEGORIES);
    default:
      return anyCase(DETECTION_SOURCES);
  }
}

function filterArbitrary(alerts: readonly AlertRecord[]): fc.Arbitrary<AlertFilter> {
  const leaf = fc.constantFrom(...PROPS).chain((property): fc.Arbitrary<AlertFilter> => {
    const literal = literalOf(property, alerts);
    const compare = fc.record({ kind: fc.constant('compare' as const), property: fc.constant(property), op: fc.constantFrom(...OPS), value: literal as fc.Arbitrary<Literal> });
    const options: fc.Arbitrary<AlertFilter>[] = [compare, fc.record({ kind: fc.constant('in' as const), property: fc.constant(property), values: fc.array(literal, { minLength: 1, maxLength: 4 }) })];
    if (ALERT_PROPERTIES[property].nullable) {
      options.push(fc.record({ kind: fc.constant('compare' as const), property: fc.constant(property), op: fc.constantFrom<ComparisonOperator>('eq', 'ne'), value: fc.constant(null) }));
    }
    if (ALERT_PROPERTIES[property].type === 'string') {
      options.push(fc.record({ kind: fc.constant('startsWith' as const), property: fc.constant(property), prefix: literal.map(String) }));
    }
    return fc.oneof(...options);
  });
  return booleanTree(leaf, 'filter', 3);
}

const orderArbitrary: fc.Arbitrary<AlertOrderKey[]> = fc.uniqueArray(
  fc.record({ property: fc.constantFrom(...ALERT_LISTING.orderable), descending: fc.boolean() }),
  { maxLength: 2, selector: (k) => k.property },
);

for (const backend of BACKENDS) {
  describe(`alert listing on ${backend.name}: SQL against an in-memory evaluator`, async () => {
    const reason = await backend.skip();
    let opened: OpenedBackend;
    const machines = testFleet(16, 8, T0);
    const alerts = testAlerts(machines, 5);
    const machineOf = new Map(machines.map((m) => [m.id, m]));

    before(async () => {
      if (reason) return;
      opened = await backend.open();
      const at = { at: timestampFromMillis(T0), appId: null, userId: null, route: 'seed', requestId: null } as const;
      await opened.store.putMachines(TENANT, machines, at);
      const context = { at: timestampFromMillis(T0), appId: null, userId: null, route: 'seed', requestId: null } as const;
      await opened.store.alerts.writeAlerts(alerts.map((alert) => ({ alert, changes: [] })), context);
      // Another tenant's alert on a device of the same id must never show.
      await opened.store.putMachines(OTHER, machines.slice(0, 1), at);
      await opened.store.alerts.writeAlerts([{ alert: { ...(alerts[0] as AlertRecord), tenantId: OTHER, id: 'da1_1', machineId: machines[0]?.id ?? '' }, changes: [] }], context);
    });
    after(async () => {
      if (!reason) await opened.dispose();
    });

    it('every filter, order and scope selects, orders and counts as the evaluator does', { skip: reason }, async () => {
      const styles = fc.record({ upper: fc.boolean(), bareGuids: fc.constant(false), plus: fc.boolean(), isTimestamp: fc.constant((p: AlertProperty) => ALERT_PROPERTIES[p].type === 'timestamp') });
      const since = fc.constantFrom(0, T0 - 100 * DAY, T0 - 200 * DAY, T0 + 10 * SECOND);
      const groups = fc.constantFrom<readonly number[] | null>(null, [0], [101, 140], []);
      await fc.assert(
        fc.asyncProperty(filterArbitrary(alerts), styles, orderArbitrary, since, groups, async (tree, style, orderBy, sinceMs, rbacGroupIds) => {
          // Through the text a client would send: XSOAR's `+` for spaces (no literal here holds a space).
          const text = printEntityFilter(tree, style);
          const filter = parseEntityFilter(style.plus ? text.replaceAll(' ', '+') : text, ALERT_LISTING);
          const visibleSince = timestampFromMillis(sinceMs) as Timestamp;
          const scope: AlertScope = { tenantId: TENANT, visibleSince, rbacGroupIds };
          const got = await opened.store.alerts.listAlerts(scope, { filter, orderBy, skip: 0, limit: 1000, withEvidence: false });
          const visible = alerts.filter((a) => {
            const m = machineOf.get(a.machineId) as Machine;
            return a.alertCreationTime >= visibleSince && m.lastSeen >= visibleSince && (rbacGroupIds === null || rbacGroupIds.includes(m.rbacGroupId));
          });
          const hits = visible.filter((a) => matchesEntity((p) => valueOf(a, p), filter));
          const keys = orderBy.length > 0 ? orderBy : [{ property: 'alertCreationTime' as const, descending: true }];
          const expected = sortEntities(hits, keys, valueOf, (a) => a.id);
          assert.deepEqual(got.map((v) => v.alert.id), expected.map((a) => a.id));
          assert.equal(await opened.store.alerts.countAlerts(scope, filter), hits.length);
        }),
        RUNS,
      );
    });

    it('reads back each alert exactly as written, with its device name and group', { skip: reason }, async () => {
      const scope: AlertScope = { tenantId: TENANT, visibleSince: timestampFromMillis(0), rbacGroupIds: null };
      const read = new Map((await opened.store.alerts.getAlerts(scope, alerts.map((a) => a.id))).map((v) => [v.alert.id, v]));
      for (const alert of alerts) {
        const view = read.get(alert.id);
        assert.deepEqual(view?.alert, alert);
        assert.equal(view?.computerDnsName, machineOf.get(alert.machineId)?.computerDnsName);
        assert.equal(view?.rbacGroupName, machineOf.get(alert.machineId)?.rbacGroupName);
      }
    });
  });
}
