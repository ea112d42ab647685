/**
 * The console's Activity page (issue 13): the fleet audit through AuditService with the
 * signed-in user's tenant, every filter, keyset pages, a 400 page naming a bad filter, who may
 * see it, and the CSV of the whole view in the CLI's columns. On the backend RAMPART_TEST_STORE
 * names; time is the injected clock's.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_APP, DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import { HISTORY_CSV_HEADER, historyCsvLine } from '../src/domain/audit/history-csv.js';
import type { HistoryEntry } from '../src/domain/audit/history-entry.js';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import type { Machine } from '../src/domain/machines/machine.js';
import { ManualClock } from '../src/shared/clock.js';
import { startActionConsole, type ActionConsole } from './helpers/console-actions.js';
import { consoleGet, consolePost, demoMachines, type ConsoleUser } from './helpers/console-session.js';
import { call } from './helpers/server.js';
import { send } from './helpers/wire.js';

const T0 = Date.parse('2026-11-02T09:00:00Z');
const MINUTE = 60_000;
const ADMIN_UPN = DEMO_USERS.admin.userPrincipalName;

/** The request ids of the page's rows, newest first (each change has its own request). */
const rowsOf = (html: string): string[] => [...html.matchAll(/<tr data-seq="\d+">[\s\S]*?<code class="small">([^<]+)<\/code><\/td>\s*<\/tr>/g)].map((m) => m[1] as string);
const linkOf = (html: string, id: string): string | undefined => new RegExp(`<a href="([^"]+)" id="${id}"`).exec(html)?.[1]?.replace(/&amp;/g, '&');

describe('the console Activity page', () => {
  const clock = new ManualClock(T0);
  let c: ActionConsole;
  let devices: Machine[];
  const get = (user: ConsoleUser, path: string) => consoleGet(c.server.base, path, user.cookie);
  const adminApi = (query: string) => call(`${c.server.base}/admin/tenants/${DEMO_TENANT_ID}/history${query}`, { headers: { authorization: `Bearer ${c.server.app.adminKey}` } });

  /** Every change the admin API reports for a query, all pages, newest first. */
  async function apiEntries(query: string): Promise<HistoryEntry[]> {
    const response = await adminApi(`?${query}${query ? '&' : ''}limit=1000`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { value: HistoryEntry[]; '@odata.nextLink'?: string };
    assert.equal(body['@odata.nextLink'], undefined, 'the suite makes fewer than 1000 changes');
    return body.value;
  }

  async function page(user: ConsoleUser, query: string): Promise<string> {
    const r = await get(user, `/console/activity${query ? `?${query}` : ''}`);
    const html = await r.text();
    assert.equal(r.status, 200, html.slice(0, 600));
    return html;
  }

  /** A device value set in the console by the admin, one minute after the last change. */
  async function consoleChange(device: Machine, value: DeviceValue): Promise<void> {
    clock.advance(MINUTE);
    const r = await consolePost(c.server.base, `/console/machines/${device.id}/value`, c.admin.cookie, { _csrf: c.admin.csrf, value, confirm: 'yes' });
    assert.equal(r.status, 303, await r.text());
  }

  before(async () => {
    c = await startActionConsole(clock);
    devices = await demoMachines(c.server, null, 3);
    assert.equal(devices.length, 3);
    const [a, b, d] = devices as [Machine, Machine, Machine];
    // 55 console changes by the admin on device a (more than a page of 50), alternating values.
    const start = a.deviceValue === 'High' ? 1 : 0;
    for (let i = 0; i < 55; i++) await consoleChange(a, (i + start) % 2 === 0 ? 'High' : 'Low');
    // The demo application's own changes (no user), and two more console changes on b.
    const token = await c.server.token();
    for (const [device, value] of [[b, b.deviceValue === 'Low' ? 'High' : 'Low'], [d, d.deviceValue === 'Low' ? 'High' : 'Low']] as const) {
      clock.advance(MINUTE);
      const r = await send(`${c.server.base}/api/machines/${device.id}/setDeviceValue`, token, 'POST', JSON.stringify({ DeviceValue: value }));
      assert.equal(r.status, 200, await r.text());
    }
    const bNow = b.deviceValue === 'Low' ? 'High' : 'Low';
    await consoleChange(b, bNow === 'High' ? 'Normal' : 'High');
    await consoleChange(b, 'Low');
  });
  after(() => c.server.close());

  it('is in the navigation and lists changes newest first, as the admin API does', async () => {
    const html = await page(c.admin, '');
    assert.match(html, /<a href="\/console\/activity" aria-current="page">Activity<\/a>/);
    const expected = (await apiEntries('')).slice(0, 50).map((e) => e.requestId ?? '—');
    assert.deepEqual(rowsOf(html), expected);
  });

  it('names people as everywhere else, with the id on hover: UPN via the console, an application by its name', async () => {
    const [b] = [devices[1] as Machine];
    const html = await page(c.admin, `device=${b.id}`);
    const adminId = (await apiEntries(`user=${ADMIN_UPN}`))[0]?.userId;
    assert.ok(adminId);
    assert.ok(html.includes(`<a href="/console/machines/${b.id}" title="${b.id}">${b.computerDnsName}</a>`));
    assert.ok(html.includes(`<span class="user" title="${adminId}">${ADMIN_UPN}</span> <span class="muted">via <span class="app" title="rampart-console">Rampart console</span></span>`));
    assert.ok(html.includes(`<span class="app" title="${DEMO_APP.clientId}">${DEMO_APP.name}</span>`));
    assert.equal(rowsOf(html).length, 3);
  });

  it('filters by user, application, device, values, route and time, exactly as the audit does', async () => {
    const [a, b] = devices as [Machine, Machine];
    const at = (await apiEntries(`device=${b.id}`)).map((e) => e.at);
    const lastTwoFrom = (at[1] as string).slice(0, 16).replace('T', ' '); // as the page shows times
    for (const query of [
      `user=${ADMIN_UPN.toUpperCase()}&newValue=High`,
      `application=Rampart%20console&device=${encodeURIComponent(b.computerDnsName)}`,
      `application=${DEMO_APP.clientId}`,
      `route=setDeviceValue`,
      `device=${a.id}&oldValue=high`,
      `device=${b.id}&from=${encodeURIComponent(lastTwoFrom)}`,
      `device=${b.id}&to=${encodeURIComponent(lastTwoFrom)}`,
      `from=2026-11-02&to=2026-11-03&newValue=Low&route=console`,
    ]) {
      const apiQuery = query.replace(/from=([^&]+)/, (_m, v: string) => `from=${decodeURIComponent(v).includes(' ') ? `${decodeURIComponent(v).replace(' ', 'T')}:00Z` : v}`).replace(/to=([^&]+)/, (_m, v: string) => `to=${decodeURIComponent(v).includes(' ') ? `${decodeURIComponent(v).replace(' ', 'T')}:00Z` : v}`);
      const expected = (await apiEntries(apiQuery)).slice(0, 50).map((e) => e.requestId ?? '—');
      assert.ok(expected.length > 0, `${query} matches something`);
      assert.deepEqual(rowsOf(await page(c.admin, query)), expected, query);
    }
    // Empty form fields are no filter (a GET form sends every field); the form keeps what was chosen.
    const form = await page(c.admin, `from=&to=&user=${ADMIN_UPN}&application=&device=&oldValue=&newValue=High&route=`);
    assert.deepEqual(rowsOf(form), (await apiEntries(`user=${ADMIN_UPN}&newValue=High`)).map((e) => e.requestId ?? '—').slice(0, 50));
    assert.match(form, /<option value="High" selected>High<\/option>/);
    assert.match(form, new RegExp(`id="f-user" name="user" value="${ADMIN_UPN}"`));
  });

  it('pages by keyset: Next page until the end, every change once, and a link back to the first page', async () => {
    const expected = (await apiEntries('route=console')).map((e) => e.requestId ?? '—');
    assert.equal(expected.length, 57);
    const first = await page(c.admin, 'route=console');
    assert.equal(linkOf(first, 'first-page'), undefined);
    const next = linkOf(first, 'next-page');
    assert.ok(next);
    assert.ok(next.startsWith('/console/activity?route=console&after='), next);
    const second = await (await get(c.admin, next)).text();
    assert.deepEqual([...rowsOf(first), ...rowsOf(second)], expected);
    assert.equal(linkOf(second, 'next-page'), undefined);
    assert.equal(linkOf(second, 'first-page'), '/console/activity?route=console');
  });

  it('refuses a bad filter with a 400 page naming it, and shows no changes', async () => {
    for (const [query, message] of [
      ['newValue=Huge', 'The value &quot;Huge&quot; is not valid for newValue. Allowed values: Normal, Low, High.'],
      ['from=yesterday', 'The value &quot;yesterday&quot; is not valid for from'],
      ['from=2026-11-03&to=2026-11-02', 'The parameter from must be earlier than to.'],
      ['user=nobody@rampart.demo', 'The value &quot;nobody@rampart.demo&quot; is not valid for user'],
      ['application=Nope', 'The value &quot;Nope&quot; is not valid for application'],
      ['device=no-such-device', 'The value &quot;no-such-device&quot; is not valid for device'],
      ['route=ftp', 'The value &quot;ftp&quot; is not valid for route. Allowed values:'],
      ['colour=red', 'Unknown parameter &quot;colour&quot;. The Activity page takes from, to, user'],
      ['limit=5', 'Unknown parameter &quot;limit&quot;'],
      ['user=a&user=b', 'The parameter user may be given once.'],
      ['after=42', 'The value of after is not a page this console linked to'],
    ] as const) {
      const r = await get(c.admin, `/console/activity?${query}`);
      const html = await r.text();
      assert.equal(r.status, 400, query);
      assert.ok(html.includes(message), `${query}: ${html.slice(html.indexOf('<main'), html.indexOf('<main') + 600)}`);
      assert.deepEqual(rowsOf(html), [], query);
    }
  });

  it('is for users who see every device: the analyst may look, the Lab operator may not, nor a signed-out visitor', async () => {
    assert.deepEqual(rowsOf(await page(c.analyst, 'route=setDeviceValue')), (await apiEntries('route=setDeviceValue')).map((e) => e.requestId ?? '—'));
    // The navigation offers the page to those who may open it, and only to them.
    const activityLink = /<a href="\/console\/activity"/;
    assert.match(await (await get(c.analyst, '/console/machines')).text(), activityLink);
    assert.doesNotMatch(await (await get(c.operator, '/console/machines')).text(), activityLink);
    for (const path of ['/console/activity', '/console/activity.csv']) {
      const refused = await get(c.operator, path);
      assert.equal(refused.status, 403, path);
      assert.match(await refused.text(), /open to users who see every device group/);
      const anonymous = await consoleGet(c.server.base, path);
      assert.equal(anonymous.status, 303);
      assert.match(anonymous.headers.get('location') ?? '', /^\/console\/login\?next=/);
    }
  });

  it('downloads the whole view as CSV, every page, in the columns and lines of rampart history', async () => {
    const r = await get(c.admin, `/console/activity.csv?route=console&user=${ADMIN_UPN}&after=42`);
    assert.equal(r.status, 400, 'a bad cursor is refused on the CSV too, though the download always starts at the first page');
    const csv = await get(c.admin, `/console/activity.csv?from=&route=console&user=${ADMIN_UPN}`);
    assert.equal(csv.status, 200);
    assert.equal(csv.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(csv.headers.get('content-disposition'), `attachment; filename="activity-${new Date(clock.now()).toISOString().slice(0, 10)}.csv"`);
    const entries = await apiEntries(`route=console&user=${ADMIN_UPN}`);
    assert.equal(entries.length, 57);
    assert.equal(await csv.text(), HISTORY_CSV_HEADER + entries.map(historyCsvLine).join(''));
    assert.match(HISTORY_CSV_HEADER, /^seq,tenantId,machineId,computerDnsName,oldValue,newValue,at,appId,appName,userId,userPrincipalName,route,requestId\r\n$/);
    // The page links to the download of its own filters, from the first page.
    const html = await page(c.admin, `route=console&user=${encodeURIComponent(ADMIN_UPN)}`);
    assert.match(html, /<a href="\/console\/activity\.csv\?user=admin%40rampart\.demo&amp;route=console" id="activity-csv" download>/);
    const bad = await get(c.admin, '/console/activity.csv?newValue=Huge');
    assert.equal(bad.status, 400);
    assert.match(bad.headers.get('content-type') ?? '', /^text\/html/);
  });
});
