/**
 * The incident fetch of a widely used SOAR integration (XSOAR's Microsoft Defender for Endpoint
 * integration, shared/spec/alerts.md section 7), replayed against Rampart while alerts keep
 * arriving: the first run looks back three days; each next run asks for
 * `alertCreationTime gt <last + 1 ms>` sorted ascending with `$top=50`, drops what it has seen
 * and keeps the newest creation time. Every alert must be fetched exactly once, none skipped.
 * Time is the injected clock's, which moves in whole milliseconds while alerts arrive in bursts;
 * the query goes out byte for byte as the client's library sends it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Random } from '../src/fleet/generator.js';
import { ManualClock } from '../src/shared/clock.js';
import { addMachine } from './helpers/actions.js';
import { alertInput, raiseAlerts } from './helpers/alerts.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { rawRequest, type WireReply } from './helpers/wire.js';
import type { AlertRecord } from '../src/domain/alerts/alert.js';

const DAY = 86_400_000;
const MAX_FETCH = 50;

/** `%Y-%m-%dT%H:%M:%S.%fZ`: six fractional digits, as Python writes microseconds. */
const pythonIso = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/** The query string Python's requests builds from the integration's parameter dict. */
function fetchQuery(since: string): string {
  const filter = `alertCreationTime+gt+${since} and ((status+eq+'New') or (status+eq+'InProgress'))`;
  const form = (text: string) => encodeURIComponent(text).replace(/%20/g, '+').replace(/'/g, '%27').replace(/\(/g, '%28').replace(/\)/g, '%29');
  return `?%24filter=${form(filter)}&%24orderby=alertCreationTime+asc&%24top=${MAX_FETCH}`;
}

describe('a SOAR fetch loop against a queue that keeps filling', () => {
  const clock = new ManualClock(Date.parse('2026-03-10T08:00:00Z'));
  let server: TestServer;
  before(async () => {
    server = await startTestServer({}, clock);
  });
  after(() => server.close());

  it('fetches every alert exactly once, none skipped, from three days back', async () => {
    const random = new Random(16);
    const machines = await Promise.all([0, 1, 2].map(() => addMachine(server.app)));
    const token = await server.token();
    const expected = new Set<string>();
    // Alerts that predate the first run: those older than its three days back are not the loop's to fetch.
    const start = clock.now();
    const backlog: { id: string; at: number }[] = [];
    for (let i = 0; i < 120; i++) {
      const at = start - 5 * DAY + i * 3_600_000 + random.int(0, 999);
      const [alert] = await raiseAlerts(server.app, [alertInput(random.pick(machines).id, at, { title: `backlog ${i}` })], at);
      if (alert) backlog.push({ id: alert.id, at });
    }
    let firstCutoff = 0;
    // Alerts of other tenants' devices or resolved ones would not count; these are all New.
    const fetched: string[] = [];
    let lastFetch = null as number | null;
    let token1 = token;
    let quietRuns = 0;
    for (let run = 0; run < 400 && quietRuns < 2; run++) {
      // While the integration sleeps between runs, new alerts arrive, often several in the same
      // millisecond (a burst from one device, or two devices at once).
      const arriving = run < 60 ? random.int(0, 40) : 0;
      for (let i = 0; i < arriving; i++) {
        clock.advance(random.pick([0, 0, 1, 2, 150]));
        const burst = Array.from({ length: random.int(1, 4) }, (_, k) => alertInput(random.pick(machines).id, clock.now(), { title: `live ${run}-${i}-${k}` }));
        for (const alert of await raiseAlerts(server.app, burst)) expected.add(alert.id);
      }
      clock.advance(random.int(1000, 60_000));
      if (run % 50 === 0) token1 = await server.token(); // tokens last an hour
      if (lastFetch === null) firstCutoff = clock.now() - 3 * DAY;
      const since: string = lastFetch === null ? pythonIso(firstCutoff) : pythonIso(lastFetch + 1);
      // One more fires while the request is in flight.
      const during: Promise<AlertRecord[]> = run < 60 && random.chance(0.5) ? raiseAlerts(server.app, [alertInput(random.pick(machines).id, clock.now(), { title: `during ${run}` })]) : Promise.resolve([]);
      const [reply, [raised]]: [WireReply, AlertRecord[]] = await Promise.all([rawRequest(server.base, { method: 'GET', path: `/api/alerts${fetchQuery(since)}`, headers: { authorization: `Bearer ${token1}` } }), during]);
      if (raised) expected.add(raised.id);
      assert.equal(reply.status, 200, reply.text);
      const page = (JSON.parse(reply.text) as { value: { id: string; alertCreationTime: string }[] }).value;
      assert.ok(page.length <= MAX_FETCH);
      // What the integration itself does with the page: drop what is not newer, keep the newest time.
      const times = page.map((a) => Date.parse(a.alertCreationTime));
      assert.deepEqual(times, [...times].sort((a, b) => a - b), 'sorted ascending');
      const fresh = page.filter((a) => lastFetch === null || Date.parse(a.alertCreationTime) > lastFetch);
      fetched.push(...fresh.map((a) => a.id));
      if (page.length > 0) lastFetch = Math.max(...times);
      quietRuns = page.length === 0 && arriving === 0 && !raised ? quietRuns + 1 : 0;
    }
    assert.equal(quietRuns, 2, 'the loop caught up');
    for (const { id, at } of backlog) if (at > firstCutoff) expected.add(id);
    assert.ok(backlog.some((a) => a.at <= firstCutoff) && backlog.some((a) => a.at > firstCutoff), 'the backlog straddles the first run\'s cutoff');
    assert.equal(new Set(fetched).size, fetched.length, 'no alert fetched twice');
    assert.deepEqual(new Set(fetched), expected, 'every alert fetched, none skipped');
    assert.ok(expected.size > 1000, `a queue worth the name (${expected.size} alerts)`);
  });
});
