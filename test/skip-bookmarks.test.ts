/**
 * $skip bookmarks (store/sqlite/skip-bookmarks.ts) must never change an answer: random walks of
 * pages (forwards, backwards, repeated), with writes and a moving retention cutoff in between,
 * always give exactly what OFFSET over the current data gives (the in-memory evaluator).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineFilter } from '../src/domain/machines/machine-query.js';
import type { MachineScope } from '../src/domain/ports.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { SkipBookmarks } from '../src/store/sqlite/skip-bookmarks.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { evaluatePage } from './helpers/evaluate-query.js';
import { filterArbitrary, testFleet } from './helpers/query-arbitraries.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TENANT = 'd0d0d0d0-0000-4000-8000-00000000000d';
const PUT = { at: timestampFromMillis(NOW), appId: null, userId: null, route: 'seed', requestId: null } as const;

type Step = { kind: 'page'; skip: number; limit: number } | { kind: 'write'; index: number; days: number } | { kind: 'age'; days: number };

describe('skip bookmarks', () => {
  let dir: string;
  let store: SqliteStore;
  const fleet: Machine[] = testFleet(21, 120, NOW);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'rampart-bookmarks-'));
    store = await SqliteStore.open(join(dir, 'rampart.db'), 'normal');
    await store.putMachines(TENANT, fleet, PUT);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  const step: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('page' as const), skip: fc.nat(130), limit: fc.integer({ min: 1, max: 30 }) }), weight: 6 },
    fc.record({ kind: fc.constant('write' as const), index: fc.nat(119), days: fc.integer({ min: 0, max: 250 }) }),
    fc.record({ kind: fc.constant('age' as const), days: fc.integer({ min: 0, max: 3 }) }),
  );
  const filters = fc.option(filterArbitrary(fleet, NOW), { nil: null, freq: 2 });

  it('a walk of pages with writes and a moving cutoff always equals OFFSET over the current data', async () => {
    let cutoff = NOW - 180 * DAY;
    await fc.assert(
      fc.asyncProperty(filters, fc.array(step, { minLength: 1, maxLength: 25 }), async (filter: MachineFilter | null, steps) => {
        for (const s of steps) {
          if (s.kind === 'age') cutoff += s.days * DAY + 1;
          if (s.kind === 'write') {
            const i = s.index % fleet.length;
            // A machine moves in time (in or out of retention) and changes its tags: positions shift.
            const changed = { ...(fleet[i] as Machine), lastSeen: timestampFromMillis(NOW - s.days * DAY), machineTags: s.days % 2 ? ['PCI'] : [] };
            fleet[i] = changed;
            await store.putMachines(TENANT, [changed], PUT);
          }
          if (s.kind !== 'page') continue;
          const scope: MachineScope = { tenantId: TENANT, visibleSince: timestampFromMillis(cutoff), rbacGroupIds: null };
          const page = { filter, orderBy: [], skip: s.skip, limit: s.limit };
          const got = (await store.listMachines(scope, page)).map((m) => m.id);
          assert.deepEqual(got, evaluatePage(fleet, scope, page).map((m) => m.id), JSON.stringify(s));
          const json = (await store.listMachineJson(scope, page, ['id'])).map((t) => (JSON.parse(t) as { id: string }).id);
          assert.deepEqual(json, got);
        }
      }),
      { seed: 77, numRuns: 120 },
    );
  });

  it('walking every page of a large result twice reads the same machines each time', async () => {
    const scope: MachineScope = { tenantId: TENANT, visibleSince: timestampFromMillis(NOW - 400 * DAY), rbacGroupIds: null };
    const walk = async () => {
      const ids: string[] = [];
      for (let skip = 0; ; skip += 7) {
        const page = await store.listMachines(scope, { filter: null, orderBy: [], skip, limit: 7 });
        ids.push(...page.map((m) => m.id));
        if (page.length < 7) return ids;
      }
    };
    const first = await walk();
    assert.deepEqual(await walk(), first);
    assert.deepEqual(first, evaluatePage(fleet, scope, { filter: null, orderBy: [], skip: 0, limit: 1000 }).map((m) => m.id));
  });
});

describe('SkipBookmarks', () => {
  const scope = (since: string): MachineScope => ({ tenantId: TENANT, visibleSince: since as MachineScope['visibleSince'], rbacGroupIds: null });
  const page = (skip: number) => ({ filter: null, orderBy: [], skip, limit: 10 });

  it('seeks from the nearest bookmark at or before the skip, and forgets everything after a commit or a machine ageing out', () => {
    let version = 1;
    let aged = false;
    const marks = new SkipBookmarks(() => version, () => aged);
    const s = scope('2026-01-01');
    assert.deepEqual(marks.seek(s, page(500)), { afterId: null, skip: 500 });
    marks.remember(s, page(500), 500, 'aa');
    marks.remember(s, page(500), 510, 'bb');
    assert.deepEqual(marks.seek(s, page(510)), { afterId: 'bb', skip: 0 });
    assert.deepEqual(marks.seek(s, page(505)), { afterId: 'aa', skip: 5 });
    assert.deepEqual(marks.seek(s, page(499)), { afterId: null, skip: 499 });
    assert.deepEqual(marks.seek(scope('2026-01-02'), page(510)), { afterId: 'bb', skip: 0 }, 'nothing aged out in between');
    aged = true;
    assert.deepEqual(marks.seek(scope('2026-01-03'), page(510)), { afterId: null, skip: 510 });
    aged = false;
    marks.remember(s, page(10), 10, 'cc');
    version = 2;
    assert.deepEqual(marks.seek(s, page(10)), { afterId: null, skip: 10 });
    const ordered = { ...page(10), orderBy: [{ property: 'lastSeen' as const, descending: true }] };
    marks.remember(s, ordered, 10, 'dd');
    assert.deepEqual(marks.seek(s, ordered), { afterId: null, skip: 10 }, 'only pages in id order');
  });
});
