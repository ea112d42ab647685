/**
 * $skip bookmarks (store/skip-bookmarks.ts) must never change an answer: random walks of pages
 * (forwards, backwards, repeated), with writes and a moving retention cutoff in between, always
 * give exactly what OFFSET over the current data gives (the in-memory evaluator), on SQLite and
 * on PostgreSQL (whose bookmarks are checked against its triggers' versions, migration 0014).
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
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import { PostgresStore } from '../src/store/postgres/postgres-store.js';
import { SkipBookmarks } from '../src/store/skip-bookmarks.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { evaluatePage } from './helpers/evaluate-query.js';
import { filterArbitrary, testFleet } from './helpers/query-arbitraries.js';
import { createTestDatabase, skipWithoutPostgres, type TestDatabase } from './helpers/postgres.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const TENANT = 'd0d0d0d0-0000-4000-8000-00000000000d';
const PUT = { at: timestampFromMillis(NOW), appId: null, userId: null, route: 'seed', requestId: null } as const;

type Step =
  | { kind: 'page'; skip: number; limit: number }
  | { kind: 'write'; index: number; days: number }
  | { kind: 'value'; index: number; value: number }
  | { kind: 'age'; days: number };
const VALUES: readonly DeviceValue[] = ['Low', 'Normal', 'High'];

const skipPostgres = await skipWithoutPostgres();
for (const backend of ['sqlite', 'postgres'] as const) describe(`skip bookmarks on ${backend}`, { skip: backend === 'postgres' && skipPostgres }, () => {
  let dir: string;
  let database: TestDatabase | undefined;
  let store: SqliteStore | PostgresStore;
  const fleet: Machine[] = testFleet(21, 120, NOW);

  before(async () => {
    if (backend === 'postgres') {
      database = await createTestDatabase();
      store = await PostgresStore.open(database.url);
    } else {
      dir = await mkdtemp(join(tmpdir(), 'rampart-bookmarks-'));
      store = await SqliteStore.open(join(dir, 'rampart.db'), 'normal');
    }
    await store.putMachines(TENANT, fleet, PUT);
  });
  after(async () => {
    await store.close();
    await database?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const step: fc.Arbitrary<Step> = fc.oneof(
    { arbitrary: fc.record({ kind: fc.constant('page' as const), skip: fc.nat(130), limit: fc.integer({ min: 1, max: 30 }) }), weight: 6 },
    fc.record({ kind: fc.constant('write' as const), index: fc.nat(119), days: fc.integer({ min: 0, max: 250 }) }),
    fc.record({ kind: fc.constant('value' as const), index: fc.nat(119), value: fc.nat(2) }),
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
          if (s.kind === 'value') {
            // setDeviceValue's own path (on PostgreSQL the grouped statement): moves a machine in or out of value filters only.
            const i = s.index % fleet.length;
            const machine = fleet[i] as Machine;
            const deviceValue = VALUES[s.value] as DeviceValue;
            const everyone: MachineScope = { tenantId: TENANT, visibleSince: timestampFromMillis(0), rbacGroupIds: null };
            await store.update({ scope: everyone, machineId: machine.id, deviceValue, change: { ...PUT, route: 'setDeviceValue' } });
            fleet[i] = { ...machine, deviceValue };
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

  it('seeks from the nearest bookmark at or before the skip, only at the version it was made at, and forgets a query when a machine aged out', () => {
    const marks = new SkipBookmarks();
    const s = scope('2026-01-01');
    assert.deepEqual(marks.seek(s, page(500), 'v1'), { afterId: null, skip: 500 });
    marks.remember(s, page(500), 'v1', 500, 'aa');
    marks.remember(s, page(500), 'v1', 510, 'bb');
    assert.deepEqual(marks.seek(s, page(510), 'v1'), { afterId: 'bb', skip: 0 });
    assert.deepEqual(marks.seek(s, page(505), 'v1'), { afterId: 'aa', skip: 5 });
    assert.deepEqual(marks.seek(s, page(499), 'v1'), { afterId: null, skip: 499 });
    assert.deepEqual(marks.seek(s, page(510), 'v2'), { afterId: null, skip: 510 }, 'another version: not used');
    const later = scope('2026-01-02');
    assert.deepEqual(marks.seek(later, page(510), 'v1'), { afterId: null, skip: 510 }, 'another cutoff: not used until settled');
    assert.deepEqual(marks.retentionGap(later, page(510), 'v1'), ['2026-01-01', '2026-01-02']);
    marks.settleGap(later, page(510), 'v1', false);
    assert.deepEqual(marks.seek(later, page(510), 'v1'), { afterId: 'bb', skip: 0 }, 'nothing aged out in between');
    const third = scope('2026-01-03');
    marks.settleGap(third, page(510), 'v1', true);
    assert.deepEqual(marks.seek(third, page(510), 'v1'), { afterId: null, skip: 510 });
    assert.equal(marks.retentionGap(third, page(510), 'v1'), undefined, 'forgotten');
    marks.remember(s, page(10), 'v1', 10, 'cc');
    marks.remember(s, page(10), 'v2', 20, 'dd');
    assert.deepEqual(marks.seek(s, page(15), 'v1'), { afterId: null, skip: 15 }, 'a new version starts afresh');
    assert.deepEqual(marks.seek(s, page(25), 'v2'), { afterId: 'dd', skip: 5 });
    const ordered = { ...page(10), orderBy: [{ property: 'lastSeen' as const, descending: true }] };
    marks.remember(s, ordered, 'v2', 10, 'dd');
    assert.deepEqual(marks.seek(s, ordered, 'v2'), { afterId: null, skip: 10 }, 'only pages in id order');
  });
});
