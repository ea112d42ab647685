/**
 * Differential property tests of the OData listing: random valid filters over a random small fleet,
 * compiled to SQL by the store, must select exactly what an independent in-memory evaluator
 * selects, in the same order, for every page and count; printed and parsed back, a filter is the
 * same tree (on every backend); random invalid filter text is always a 400 ODataError, never anything else.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { parseFilter } from '../src/api/odata/bind-filter.js';
import { ApiError } from '../src/domain/errors.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineScope, Store } from '../src/domain/ports.js';
import type { ChangeContext } from '../src/domain/machines/value-change.js';
import { timestampFromMillis, type Timestamp } from '../src/shared/timestamp.js';
import { BACKENDS, type OpenedBackend } from './helpers/store-backends.js';
import { evaluateCount, evaluatePage } from './helpers/evaluate-query.js';
import { printFilter, type PrintStyle } from './helpers/print-filter.js';
import { filterArbitrary, orderArbitrary, testFleet } from './helpers/query-arbitraries.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const TENANT = 'a0a0a0a0-0000-4000-8000-00000000000a';
const OTHER = 'b0b0b0b0-0000-4000-8000-00000000000b';
const RUNS = { seed: 20260301, numRuns: 400 } as const;
const PUT: ChangeContext = { at: timestampFromMillis(NOW), appId: null, userId: null, route: 'seed', requestId: null };

const styles: fc.Arbitrary<PrintStyle> = fc.record({
  name: fc.constantFrom<PrintStyle['name']>((p) => p, (p) => p.toUpperCase(), (p) => p[0]?.toUpperCase() + p.slice(1), (p) => p.toLowerCase()),
  variable: fc.constantFrom('t', 'tag', 'x1'),
});

for (const backend of BACKENDS) {
  describe(`OData listing on ${backend.name}: SQL against an in-memory evaluator`, async () => {
    const reason = await backend.skip();
    const opts = { skip: reason };
    let opened: OpenedBackend;
    let store: Store;
    const fleet: Machine[] = testFleet(7, 90, NOW);

    before(async () => {
      if (reason) return;
      opened = await backend.open();
      store = opened.store;
      await store.putMachines(TENANT, fleet, PUT);
      // Another tenant's machines (same ids) must never leak into the answers.
      await store.putMachines(OTHER, testFleet(8, 30, NOW).map((m, i) => ({ ...m, id: fleet[i]?.id ?? m.id })), PUT);
    });
    after(async () => {
      if (!reason) await opened.dispose();
    });

    const scopes: fc.Arbitrary<MachineScope> = fc.record({
      tenantId: fc.constant(TENANT),
      visibleSince: fc.constantFrom(0, 30, 180, 400).map((d) => timestampFromMillis(NOW - d * 86_400_000) as Timestamp),
      rbacGroupIds: fc.constantFrom(null, [], [0], [101, 140], [0, 101, 140]),
    });

    it('every page and count of a random filter, order and scope equals the evaluator', opts, async () => {
      await fc.assert(
        fc.asyncProperty(filterArbitrary(fleet, NOW), orderArbitrary, scopes, fc.nat(40), fc.integer({ min: 1, max: 100 }), async (filter, orderBy, scope, skip, limit) => {
          const page = { filter, orderBy, skip, limit };
          const got = (await store.listMachines(scope, page)).map((m) => m.id);
          const want = evaluatePage(fleet, scope, page).map((m) => m.id);
          assert.deepEqual(got, want, printFilter(filter));
          assert.equal(await store.countMatching(scope, filter), evaluateCount(fleet, scope, filter), printFilter(filter));
        }),
        RUNS,
      );
    });

    it('a printed filter parses back to the same tree, whatever the case of its property names', opts, () => {
      fc.assert(
        fc.property(filterArbitrary(fleet, NOW), styles, (filter, style) => {
          // (JSON: fast-check builds some records without a prototype.)
          assert.deepEqual(parseFilter(printFilter(filter, style)), JSON.parse(JSON.stringify(filter)));
        }),
        { ...RUNS, numRuns: 1000 },
      );
    });

    it('the parsed text selects what the tree selects (parser and compiler agree end to end)', opts, async () => {
      const scope: MachineScope = { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 180 * 86_400_000), rbacGroupIds: null };
      await fc.assert(
        fc.asyncProperty(filterArbitrary(fleet, NOW), styles, async (filter, style) => {
          const parsed = parseFilter(printFilter(filter, style));
          const page = { filter: parsed, orderBy: [], skip: 0, limit: 1000 };
          assert.deepEqual((await store.listMachines(scope, page)).map((m) => m.id), evaluatePage(fleet, scope, { ...page, filter }).map((m) => m.id));
        }),
        { ...RUNS, numRuns: 200 },
      );
    });
  });
}

describe('OData filter parser: invalid input', () => {
  const isODataError = (text: string) => {
    try {
      parseFilter(text);
      return true; // valid by chance: fine
    } catch (error) {
      assert.ok(error instanceof ApiError, `${JSON.stringify(text)} threw ${String(error)}`);
      assert.equal(error.code, 'ODataError', `${JSON.stringify(text)}: ${error.message}`);
      assert.ok(error.message.length > 0 && error.message.length < 400);
      return true;
    }
  };
  const fragments = fc.constantFrom(
    'healthStatus', 'eq', 'ne', 'gt', 'and', 'or', 'not', 'in', '(', ')', ',', "'Active'", "'", "''", 'null', '140', '-1', '1.5', '1e9',
    '2018-08-01Z', '2024-13-45T00:00:00Z', 'startswith', 'machineTags/any(t:', 't eq', 'any', '/', ':', 'rbacGroupName', 'firstSeen',
    'lastSeen', 'rbacGroupId', 'contains(', 'true', 'false', 'foo', '$it', 'machineTags', '%', '\u00e9', '"x"', '99999999999999999999',
  );

  it('random token soups are ODataError or valid, never another error', () => {
    fc.assert(fc.property(fc.array(fragments, { minLength: 1, maxLength: 12 }), (parts) => isODataError(parts.join(' '))), { ...RUNS, numRuns: 3000 });
  });

  it('random strings are ODataError or valid, never another error', () => {
    fc.assert(fc.property(fc.string({ maxLength: 60, unit: 'binary' }), isODataError), { ...RUNS, numRuns: 2000 });
  });

  it('deep nesting and very long expressions are refused cleanly', () => {
    for (const text of ['('.repeat(5000) + 'id eq 1' + ')'.repeat(5000), 'not '.repeat(5000) + "id eq 'a'", Array(5000).fill("id eq 'a'").join(' or ')]) {
      assert.throws(() => parseFilter(text), (e: unknown) => e instanceof ApiError && e.code === 'ODataError');
    }
  });
});
