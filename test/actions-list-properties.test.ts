/**
 * Differential property tests of `GET /api/machineactions`' OData: random filters over random
 * actions, printed as the real clients write them (unquoted GUIDs, AND in capitals, nested or),
 * parsed, compiled to SQL by the store at a random moment (status and last update depend on it),
 * must select exactly what an in-memory evaluator built on the domain's own state machine
 * selects, in the same order, with the same count, on every backend.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseEntityFilter } from '../src/api/odata/bind-entity-filter.js';
import { actionStateAt } from '../src/domain/actions/action-lifecycle.js';
import { ACTION_LISTING, ACTION_PROPERTIES, type ActionFilter, type ActionOrderKey, type ActionProperty } from '../src/domain/actions/action-query.js';
import { ACTION_STATUSES, ACTION_TYPES } from '../src/domain/actions/action-types.js';
import type { MachineActionRecord } from '../src/domain/actions/machine-action.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { ComparisonOperator, Literal } from '../src/domain/query-filter.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { matchesEntity, printEntityFilter, sortEntities } from './helpers/evaluate-entity.js';
import { booleanTree, testFleet } from './helpers/query-arbitraries.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';

const T0 = Date.parse('2026-06-01T12:00:00Z');
const TENANT = 'a0a0a0a0-0000-4000-8000-0000000000ac';
const OTHER = 'b0b0b0b0-0000-4000-8000-0000000000ac';
const SECOND = 1000;
const REQUESTORS = ['Sam@Contoso.com', 'sam@contoso.com', 'SOAR playbook', "o'brien@contoso.com", 'Zed'];
const RUNS = { seed: 20260601, numRuns: 250 } as const;

/** Actions on a grid of whole seconds, so time literals land on, before and after their moments. */
function testActions(machines: readonly Machine[], seed: number): MachineActionRecord[] {
  const r = fc.sample(fc.array(fc.nat(1000), { minLength: 400, maxLength: 400 }), { seed, numRuns: 1 })[0] ?? [];
  let i = 0;
  const next = (n: number) => (r[i++ % r.length] ?? 0) % n;
  return Array.from({ length: 60 }, (_, k): MachineActionRecord => {
    const created = T0 + next(20) * SECOND;
    const unreachable = next(5) === 0;
    const picked = unreachable ? null : created + next(4) * SECOND;
    const ends = (picked ?? created) + next(6) * SECOND;
    const cancelled = next(6) === 0 ? Math.min(ends - 1, created + next(3) * SECOND) : null;
    const machine = machines[next(machines.length)] as Machine;
    return {
      id: randomUUID(),
      tenantId: TENANT,
      type: ACTION_TYPES[next(ACTION_TYPES.length)] ?? 'Isolate',
      machineId: machine.id,
      computerDnsName: machine.computerDnsName,
      scope: null,
      requestor: REQUESTORS[next(REQUESTORS.length)] ?? 'Zed',
      requestorComment: `action ${k}`,
      requestSource: 'PublicApi',
      appId: 'app',
      userId: null,
      requestId: null,
      createdAt: timestampFromMillis(created),
      pickedUpAt: picked === null ? null : timestampFromMillis(picked),
      endsAt: timestampFromMillis(ends),
      outcome: unreachable ? 'TimeOut' : next(3) === 0 ? 'Failed' : 'Succeeded',
      errorHResult: 0,
      fileSha1: null,
      commands: [],
      cancellation: cancelled === null || cancelled < created ? null : { requestor: 'x', comment: 'stop', at: timestampFromMillis(cancelled) },
      effectPending: false,
    };
  });
}

/** A property's value at `nowMs`, in stored form (the case-insensitive ones lower-cased). */
function valueAt(a: MachineActionRecord, property: ActionProperty, nowMs: number): string {
  switch (property) {
    case 'id':
      return a.id;
    case 'status':
      return actionStateAt(a, nowMs).status;
    case 'machineId':
      return a.machineId;
    case 'type':
      return a.type;
    case 'requestor':
      return a.requestor.toLowerCase();
    case 'creationDateTimeUtc':
      return a.createdAt;
    case 'lastUpdateDateTimeUtc':
      return actionStateAt(a, nowMs).lastUpdate;
  }
}

const PROPS = Object.keys(ACTION_PROPERTIES) as ActionProperty[];
const OPS: readonly ComparisonOperator[] = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'];

function literalOf(property: ActionProperty, actions: readonly MachineActionRecord[], machines: readonly Machine[]): fc.Arbitrary<string> {
  const moments = fc.integer({ min: -2, max: 32 }).map((s) => timestampFromMillis(T0 + s * SECOND) as string);
  switch (property) {
    case 'id':
      return fc.oneof(fc.constantFrom(...actions.map((a) => a.id)), fc.constant(randomUUID()));
    case 'machineId':
      return fc.constantFrom(...machines.map((m) => m.id));
    case 'status':
      return fc.constantFrom(...ACTION_STATUSES);
    case 'type':
      return fc.constantFrom(...ACTION_TYPES);
    case 'requestor':
      return fc.constantFrom(...REQUESTORS.map((r) => r.toLowerCase()), 'sam', 'o');
    case 'creationDateTimeUtc':
    case 'lastUpdateDateTimeUtc':
      return moments;
  }
}

function filterArbitrary(actions: readonly MachineActionRecord[], machines: readonly Machine[]): fc.Arbitrary<ActionFilter> {
  const leaf = fc.constantFrom(...PROPS).chain((property): fc.Arbitrary<ActionFilter> => {
    const literal = literalOf(property, actions, machines);
    const options: fc.Arbitrary<ActionFilter>[] = [
      fc.record({ kind: fc.constant('compare' as const), property: fc.constant(property), op: fc.constantFrom(...OPS), value: literal as fc.Arbitrary<Literal> }),
      fc.record({ kind: fc.constant('in' as const), property: fc.constant(property), values: fc.array(literal, { minLength: 1, maxLength: 4 }) }),
    ];
    if (property === 'requestor') options.push(fc.record({ kind: fc.constant('startsWith' as const), property: fc.constant(property), prefix: literal }));
    return fc.oneof(...options);
  });
  return booleanTree(leaf, 'filter', 3);
}

const orderArbitrary: fc.Arbitrary<ActionOrderKey[]> = fc.uniqueArray(
  fc.record({ property: fc.constantFrom<ActionProperty>('creationDateTimeUtc', 'lastUpdateDateTimeUtc'), descending: fc.boolean() }),
  { maxLength: 2, selector: (k) => k.property },
);

for (const backend of BACKENDS) {
  describe(`machine action listing on ${backend.name}: SQL against an in-memory evaluator`, async () => {
    const reason = await backend.skip();
    let opened: OpenedBackend;
    const machines = testFleet(11, 6, T0);
    const actions = testActions(machines, 3);
    const groupOf = new Map(machines.map((m) => [m.id, m.rbacGroupId]));

    before(async () => {
      if (reason) return;
      opened = await backend.open();
      const at = { at: timestampFromMillis(T0), appId: null, userId: null, route: 'seed', requestId: null } as const;
      await opened.store.putMachines(TENANT, machines, at);
      for (const action of actions) await opened.store.actions.insertAction(action);
      // Another tenant's action on the same device must never show.
      await opened.store.actions.insertAction({ ...(actions[0] as MachineActionRecord), id: randomUUID(), tenantId: OTHER });
    });
    after(async () => {
      if (!reason) await opened.dispose();
    });

    it('every filter, order, moment and scope selects, orders and counts as the evaluator does', { skip: reason }, async () => {
      const styles = fc.record({ upper: fc.boolean(), bareGuids: fc.boolean(), isTimestamp: fc.constant((p: ActionProperty) => ACTION_PROPERTIES[p].type === 'timestamp') });
      const moments = fc.integer({ min: -1, max: 32 }).map((s) => T0 + s * SECOND + 500 * (s % 2));
      const groups = fc.constantFrom<readonly number[] | null>(null, [0], [101, 140], []);
      await fc.assert(
        fc.asyncProperty(filterArbitrary(actions, machines), styles, orderArbitrary, moments, groups, async (tree, style, orderBy, nowMs, rbacGroupIds) => {
          // Through the text a client would send, so the parser is part of what is checked.
          const filter = parseEntityFilter(printEntityFilter(tree, style), ACTION_LISTING);
          const now = timestampFromMillis(nowMs) as Timestamp;
          const scope = { tenantId: TENANT, rbacGroupIds };
          const got = await opened.store.actions.listActions(scope, { filter, orderBy, skip: 0, limit: 1000, now });
          const visible = actions.filter((a) => rbacGroupIds === null || rbacGroupIds.includes(groupOf.get(a.machineId) ?? -1));
          const hits = visible.filter((a) => matchesEntity((p) => valueAt(a, p, nowMs), filter));
          const keys = orderBy.length > 0 ? orderBy : [{ property: 'creationDateTimeUtc' as const, descending: true }];
          const expected = sortEntities(hits, keys, (a, p) => valueAt(a, p, nowMs), (a) => a.id);
          assert.deepEqual(got.map((a) => a.id), expected.map((a) => a.id));
          assert.equal(await opened.store.actions.countActions(scope, filter, now), hits.length);
        }),
        RUNS,
      );
    });

    it('reads back each action exactly as written, and its status at any moment as the domain computes it', { skip: reason }, async () => {
      for (const action of actions) {
        assert.deepEqual(await opened.store.actions.getAction({ tenantId: TENANT, rbacGroupIds: null }, action.id.toUpperCase()), action);
      }
      const nowMs = T0 + 7 * SECOND;
      const device = machines[0]?.id ?? '';
      const everywhere = { tenantId: TENANT, rbacGroupIds: null };
      assert.equal(await opened.store.actions.countActions(everywhere, null, timestampFromMillis(nowMs), device), actions.filter((a) => a.machineId === device).length);
      for (const status of ACTION_STATUSES) {
        const filter = parseEntityFilter(`status eq '${status.toLowerCase()}'`, ACTION_LISTING);
        const got = await opened.store.actions.listActions({ tenantId: TENANT, rbacGroupIds: null }, { filter, orderBy: [], skip: 0, limit: 1000, now: timestampFromMillis(nowMs) });
        assert.deepEqual(new Set(got.map((a) => a.id)), new Set(actions.filter((a) => actionStateAt(a, nowMs).status === status).map((a) => a.id)));
      }
    });
  });
}
