/**
 * Paging stays correct while writers run (issue 15): a client walks every page of GET
 * /api/machines, by @odata.nextLink and by $skip it builds itself, while other calls keep
 * changing machines' device values and tags. In an order writers do not change (by id, the
 * default; filters on columns they do not change) every machine appears exactly once. Run on
 * SQLite, and with RAMPART_TEST_STORE=postgres on PostgreSQL, where deep pages start from skip
 * bookmarks checked against the listing's version in each page's snapshot.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseFilter } from '../src/api/odata/bind-filter.js';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { MachineScope } from '../src/domain/ports.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { expectCollection, idsOf } from './helpers/collection.js';
import { evaluatePage } from './helpers/evaluate-query.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { get, send } from './helpers/wire.js';

const PAGE = 7;
const VALUES = ['Low', 'Normal', 'High'] as const;

describe('paging while writers change values and tags', () => {
  let server: TestServer;
  let token: string;
  const fleet: Machine[] = [];

  before(async () => {
    server = await startTestServer({ pageSize: PAGE, demoMachines: 150 });
    token = await server.token();
    for await (const batch of server.app.store.allMachines(DEMO_TENANT_ID)) fleet.push(...batch);
  });
  after(() => server.close());

  /** The visible machines matching `filter` (on columns writers leave alone), in id order. */
  const visible = (filter: string | null): string[] => {
    const scope: MachineScope = { tenantId: DEMO_TENANT_ID, visibleSince: timestampFromMillis(Date.now() - 180 * 86_400_000), rbacGroupIds: null };
    return evaluatePage(fleet, scope, { filter: filter === null ? null : parseFilter(filter), orderBy: [], skip: 0, limit: 10_000 }).map((m) => m.id);
  };

  /** Changes values and tags of machines, three calls at a time, until `done` resolves; `landed.n` counts the writes answered 200. */
  async function writeUntil(done: Promise<unknown>, landed: { n: number }): Promise<void> {
    let stop = false;
    void done.finally(() => (stop = true));
    let n = 0;
    const targets = visible(null);
    const writer = async () => {
      while (!stop) {
        const i = n++;
        const id = targets[(i * 7919) % targets.length] as string;
        const response =
          i % 3 === 2
            ? await send(`${server.base}/api/machines/${id}/tags`, token, 'POST', JSON.stringify({ Value: `walk-${i % 5}`, Action: i % 2 ? 'Add' : 'Remove' }))
            : await send(`${server.base}/api/machines/${id}/setDeviceValue`, token, 'POST', JSON.stringify({ Comment: 'walk', DeviceValue: VALUES[i % 3] }));
        assert.equal(response.status, 200, await response.text());
        landed.n++;
      }
    };
    await Promise.all([writer(), writer(), writer()]);
  }

  /** Every page by nextLink; each page read after a write landed. */
  async function byNextLink(start: string, afterEachPage: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    let next: string | undefined = `${server.base}${start}`;
    for (let pages = 0; next !== undefined; pages++) {
      assert.ok(pages < 100, 'paging must end');
      const body = await expectCollection(await get(next, token), ['id']);
      seen.push(...idsOf(body));
      next = body['@odata.nextLink'];
      await afterEachPage();
    }
    return seen;
  }

  /** Every page by $skip and $top the client counts itself, as scripts do. */
  async function bySkip(start: string, afterEachPage: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    for (let skip = 0; ; skip += PAGE) {
      assert.ok(skip < 100 * PAGE, 'paging must end');
      const body = await expectCollection(await get(`${server.base}${start}&$top=${PAGE}&$skip=${skip}`, token), ['id']);
      seen.push(...idsOf(body));
      await afterEachPage();
      if (body.value.length < PAGE) return seen;
    }
  }

  for (const [how, walk] of [
    ['@odata.nextLink', byNextLink],
    ['a $skip the client builds', bySkip],
  ] as const) {
    for (const filter of [null, "healthStatus ne 'Unknown'"]) {
      it(`by ${how}${filter ? `, filtered on a column writers leave alone (${filter})` : ''}: every machine exactly once`, async () => {
        const want = visible(filter);
        assert.ok(want.length > 10 * PAGE, 'a walk of many pages');
        const query = filter === null ? '/api/machines?$select=id' : `/api/machines?$select=id&$filter=${encodeURIComponent(filter)}`;
        // Writers run throughout, and between every two pages at least one more write lands.
        const landed = { n: 0 };
        const between = async () => {
          const target = landed.n + 1;
          while (landed.n < target) await new Promise((resolve) => setTimeout(resolve, 1));
        };
        let finish: (ids: string[]) => void = () => {};
        const walked = new Promise<string[]>((resolve) => (finish = resolve));
        const writers = writeUntil(walked, landed);
        let seen: string[] = [];
        try {
          seen = await walk(query, between);
        } finally {
          finish(seen);
          await writers;
        }
        const writes = landed.n;
        assert.ok(writes > 0, 'writers ran during the walk');
        assert.equal(new Set(seen).size, seen.length, 'no machine twice');
        assert.deepEqual(seen, want, 'every machine, in id order');
      });
    }
  }
});
