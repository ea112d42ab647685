import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../src/shared/clock.js';
import { addMachine } from './helpers/actions.js';
import { follow, runAction, startActionConsole, type ActionConsole } from './helpers/console-actions.js';
import { consoleGet } from './helpers/console-session.js';

/** "N matching" of the inventory's summary line (0 for "No devices match."). */
function matching(html: string): number {
  const summary = /<p id="results-summary" class="summary" role="status">([^<]*)/.exec(html)?.[1] ?? '';
  if (summary === 'No devices match.') return 0;
  const n = /of ([\d,]+) matching$/.exec(summary)?.[1];
  assert.ok(n, summary);
  return Number(n.replaceAll(',', ''));
}

/**
 * The inventory's isolation filter: inside the query, so counts and pages are right; it follows
 * isolations as they succeed and are released, and a value it does not know is an error.
 */
describe('console inventory: isolated devices', () => {
  const clock = new ManualClock(Date.parse('2026-03-03T08:00:00Z'));
  let c: ActionConsole;
  const list = async (query: string): Promise<string> => {
    const r = await consoleGet(c.server.base, `/console/machines${query}`, c.admin.cookie);
    const text = await r.text();
    assert.equal(r.status, 200, text);
    return text;
  };
  const isolate = async (id: string, action: 'isolate' | 'unisolate') => {
    await follow(c, c.admin, await runAction(c, c.admin, id, { action, confirm: 'yes', comment: action }));
    clock.advance(5000); // Pending 2 s, InProgress 3 s: Succeeded
  };

  before(async () => {
    c = await startActionConsole(clock);
  });
  after(() => c?.server.close());

  it('lists an isolated device once its isolation has succeeded, with counts that add up, and drops it once released', async () => {
    const [first, second] = [await addMachine(c.server.app, { computerDnsName: 'iso-a.contoso.com' }), await addMachine(c.server.app, { computerDnsName: 'iso-b.contoso.com' })];
    const everything = matching(await list(''));
    assert.equal(matching(await list('?isolation=Isolated')), 0);
    assert.equal(matching(await list('?isolation=NotIsolated')), everything);

    await follow(c, c.admin, await runAction(c, c.admin, first.id, { action: 'isolate', confirm: 'yes', comment: 'contain' }));
    assert.equal(matching(await list('?isolation=Isolated')), 0, 'a Pending isolation isolates nothing yet');
    clock.advance(5000);
    await isolate(second.id, 'isolate');

    const isolated = await list('?isolation=Isolated');
    assert.equal(matching(isolated), 2);
    assert.match(isolated, /<p id="results-summary" class="summary" role="status">Devices 1–2 of 2 matching<\/p>/);
    assert.deepEqual([...isolated.matchAll(/<th scope="row"><a href="\/console\/machines\/([0-9a-f]{40})">/g)].map((m) => m[1]), [first.id, second.id]);
    assert.match(isolated, /<option value="Isolated" selected>Isolated<\/option>/);
    assert.equal(matching(await list('?isolation=NotIsolated')), everything - 2);
    assert.equal(matching(await list('?isolation=isolated&q=iso-b')), 1, 'any letter case, combined with another filter');
    assert.equal(matching(await list('?isolation=NotIsolated&q=iso-')), 0);
    assert.equal(matching(await list('?isolation=Isolated&isolation=NotIsolated')), everything, 'both values are any');

    await isolate(first.id, 'unisolate');
    const after = await list('?isolation=Isolated');
    assert.equal(matching(after), 1);
    assert.doesNotMatch(after, new RegExp(first.id));
    assert.equal(matching(await list('?isolation=NotIsolated&q=iso-')), 1);
  });

  it('pages isolated devices like any filter: 25, then the rest after the last one shown', async () => {
    const devices = [];
    for (let i = 0; i < 26; i++) devices.push(await addMachine(c.server.app, { computerDnsName: `page-iso-${String(i).padStart(2, '0')}.contoso.com` }));
    for (const d of devices) await c.api.act(d.id, 'isolate', { Comment: 'outbreak' });
    clock.advance(5000);
    const first = await list('?isolation=Isolated&q=page-iso&size=25');
    assert.match(first, /Devices 1–25 of 26 matching/);
    const next = /<a href="([^"]+)" hx-get="[^"]+" rel="next">Next<\/a>/.exec(first)?.[1]?.replaceAll('&amp;', '&');
    assert.equal(next, `/console/machines?q=page-iso&isolation=Isolated&size=25&after=${devices[24]?.id}`);
    const second = await list(next.slice('/console/machines'.length));
    assert.match(second, /1 devices of 26 matching/);
    assert.match(second, new RegExp(`href="/console/machines/${devices[25]?.id}"`));
  });

  it('keeps the filter in the links it makes, and swaps the region for htmx', async () => {
    const r = await consoleGet(c.server.base, '/console/machines?isolation=Isolated&sort=lastSeen', c.admin.cookie, { 'hx-request': 'true', 'hx-target': 'inventory' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('hx-push-url'), '/console/machines?isolation=Isolated&sort=lastSeen');
    assert.match(await r.text(), /href="\/console\/machines\?isolation=Isolated&amp;sort=lastSeen&amp;dir=desc"/);
  });

  it('shows a value it does not know as an error instead of ignoring it', async () => {
    for (const query of ['?isolation=maybe', '?isolation=Isolated&isolation=%3Cb%3E']) {
      const r = await consoleGet(c.server.base, `/console/machines${query}`, c.admin.cookie);
      const text = await r.text();
      assert.equal(r.status, 400, query);
      assert.match(text, /<p id="error-message">The isolation parameter must be Isolated or NotIsolated, not &quot;(maybe|&lt;b&gt;)&quot;\.<\/p>/);
    }
  });
});
