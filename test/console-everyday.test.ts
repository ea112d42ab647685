import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID } from '../src/config/demo.js';
import type { Machine } from '../src/domain/machines/machine.js';
import type { TestServer } from './helpers/server.js';
import { call } from './helpers/server.js';
import { send } from './helpers/wire.js';
import { consoleGet, consolePost, cookiesOf, demoMachines, inGroup, readMachine, startDemoConsole, type ConsoleUser } from './helpers/console-session.js';

/**
 * The console for everyday work (issue 13 item 3) over real HTTP, on SQLite and (in
 * `test:postgres`) PostgreSQL: a bad filter is a 400 page; the bulk bar has no default value;
 * "all matching this filter" confirms an exact count and never writes past what the filter
 * matches when it writes; every change ends in a 303 whose page a reload cannot repeat; the CSV
 * export; the journal's bodies and milliseconds; spent fault rules.
 */
describe('console for everyday work', () => {
  let server: TestServer;
  let admin: ConsoleUser;
  let analyst: ConsoleUser;
  let operator: ConsoleUser;
  let token: string;

  before(async () => {
    ({ server, admin, analyst, operator } = await startDemoConsole());
    token = await server.token();
  });
  after(() => server?.close());

  const tag = async (machines: readonly Machine[], value: string, action: 'Add' | 'Remove' = 'Add') => {
    for (const m of machines) {
      const r = await send(`${server.base}/api/machines/${m.id}/tags`, token, 'POST', JSON.stringify({ Value: value, Action: action }));
      assert.equal(r.status, 200, await r.text());
    }
  };
  const values = async (machines: readonly Machine[]) => Promise.all(machines.map(async (m) => (await readMachine(server, m.id))?.deviceValue));
  const historyLength = async (id: string) => (await server.app.store.history(DEMO_TENANT_ID, id, 1000)).length;
  const other = (value: string) => (value === 'High' ? 'Low' : 'High');
  /** The browser's cookie jar after a redirect: the session plus what the answer set. */
  const withResult = (user: ConsoleUser, response: Response) => `${user.cookie}; ${cookiesOf(response)}`;

  describe('a bad filter value', () => {
    const cases: [string, RegExp][] = [
      ['value=Huge', /The value parameter must be Low, Normal or High, not &quot;Huge&quot;\./],
      ['health=Sleepy', /The health parameter must be Active, Inactive, .* or Unknown, not &quot;Sleepy&quot;\./],
      ['os=%3Cb%3E', /The os parameter must be an OS platform name .*, not &quot;&lt;b&gt;&quot;\./],
      ['sort=size', /The sort parameter must be name, lastSeen, value, health, risk or exposure, not &quot;size&quot;\./],
      ['dir=sideways', /The dir parameter must be asc or desc, not &quot;sideways&quot;\./],
      ['size=7', /The size parameter must be 25, 50, 100 or 200, not &quot;7&quot;\./],
      ['after=zzz', /The after parameter must be a machine id \(40 hexadecimal characters\), not &quot;zzz&quot;\./],
      ['value=High&group=lab', /The group parameter must be a device group id \(a number\), not &quot;lab&quot;\./],
    ];
    for (const [query, message] of cases) {
      it(`?${query} is a 400 page naming the parameter and what it accepts, on the page, its fragment and its CSV`, async () => {
        for (const [path, headers] of [
          ['/console/machines', {}],
          ['/console/machines', { 'hx-request': 'true', 'hx-target': 'inventory' }],
          ['/console/machines.csv', {}],
        ] as const) {
          const r = await consoleGet(server.base, `${path}?${query}`, admin.cookie, headers);
          assert.equal(r.status, 400, path);
          assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
          assert.match(await r.text(), new RegExp(`<p id="error-message">${message.source}</p>`));
        }
      });
    }

    it('an empty value ("Any") and a stale but well-formed cursor still open the page', async () => {
      assert.equal((await consoleGet(server.base, '/console/machines?value=&health=&q=', admin.cookie)).status, 200);
      assert.equal((await consoleGet(server.base, `/console/machines?after=${'0'.repeat(40)}`, admin.cookie)).status, 200);
    });
  });

  describe('the bulk bar', () => {
    it('preselects no value, even on a view filtered to High, and refuses a change without one', async () => {
      const html = await (await consoleGet(server.base, '/console/machines?value=High', admin.cookie)).text();
      const select = /<select id="bulk-value" name="value" required>([\s\S]*?)<\/select>/.exec(html)?.[1] ?? '';
      assert.deepEqual([...select.matchAll(/<option value="([^"]*)"( selected)?>/g)].map((m) => `${m[1]}${m[2] ?? ''}`), [' selected', 'Low', 'Normal', 'High']);
      assert.match(html, /<output id="bulk-count" class="selected-count" aria-live="polite" data-total="\d+" hidden>0 selected<\/output>/);

      const [device] = await demoMachines(server, inGroup(140), 1);
      assert.ok(device);
      const forms: Record<string, string>[] = [{ ids: device.id, confirm: 'yes' }, { ids: device.id, value: '', confirm: 'yes' }, { scope: 'filter', back: '?value=High', value: '' }];
      for (const form of forms) {
        const r = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { _csrf: admin.csrf, ...form });
        assert.equal(r.status, 400);
        assert.match(await r.text(), /<p id="error-message">Choose the device value to set: Low, Normal or High\.<\/p>/);
      }
      assert.equal((await readMachine(server, device.id))?.deviceValue, device.deviceValue);
    });

    it('sets the ticked devices, answers 303 to a result page, and a reload shows it again without writing again', async () => {
      const devices = await demoMachines(server, inGroup(102), 2);
      assert.equal(devices.length, 2);
      const value = other(devices[0]?.deviceValue ?? 'Normal');
      const form = { _csrf: admin.csrf, value, ids: devices.map((d) => d.id), back: '?group=102' };
      const confirm = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, form);
      assert.equal(confirm.status, 200);
      assert.match(await confirm.text(), new RegExp(`Set 2 devices to ${value}\\?`));

      const lengths = await Promise.all(devices.map((d) => historyLength(d.id)));
      const done = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { ...form, confirm: 'yes' });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), '/console/bulk-result');
      assert.match(done.headers.getSetCookie().join('\n'), /^rampart_console_result=[\w-]+\.[\w-]+; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=600$/m);
      assert.deepEqual(await values(devices), [value, value]);
      const written = await Promise.all(devices.map((d) => historyLength(d.id)));

      const cookie = withResult(admin, done);
      for (let reload = 0; reload < 2; reload++) {
        const result = await consoleGet(server.base, '/console/bulk-result', cookie);
        assert.equal(result.status, 200);
        const html = await result.text();
        assert.match(html, new RegExp(`<h1 id="result-heading">2 devices set to ${value}</h1>`));
        const changed = devices.filter((d) => d.deviceValue !== value).length;
        assert.match(html, new RegExp(`<p id="changed-count">${changed} changed${changed < 2 ? `, ${2 - changed} already had the value ${value}` : ''}\\.</p>`));
        assert.match(html, /<a href="\/console\/machines\?group=102">Back to the devices<\/a>/);
        assert.deepEqual(await Promise.all(devices.map((d) => historyLength(d.id))), written);
      }
      devices.forEach((d, i) => {
        if (d.deviceValue !== value) assert.equal(written[i], (lengths[i] ?? 0) + 1, 'one history entry per changed device');
      });
    });

    it('shows a result only to the session that made it: none, or another user\'s, goes back to the devices', async () => {
      const [device] = await demoMachines(server, inGroup(103), 1);
      assert.ok(device);
      const done = await consolePost(server.base, '/console/machines/bulk-value', operator.cookie, { _csrf: operator.csrf, value: device.deviceValue, ids: device.id, confirm: 'yes' });
      assert.equal(done.status, 303);
      const sealed = cookiesOf(done);
      for (const cookie of [admin.cookie, `${admin.cookie}; ${sealed}`, `${operator.cookie}; rampart_console_result=${sealed.split('=')[1]?.replace(/.$/, 'x')}`]) {
        const r = await consoleGet(server.base, '/console/bulk-result', cookie);
        assert.equal(r.status, 303);
        assert.equal(r.headers.get('location'), '/console/machines');
      }
      assert.equal((await consoleGet(server.base, '/console/bulk-result', `${operator.cookie}; ${sealed}`)).status, 200);
    });
  });

  describe('all devices matching the filter', () => {
    it('offers them across pages, confirms the exact count, writes every match, and reports how many changed', async () => {
      const devices = await demoMachines(server, null, 30);
      assert.equal(devices.length, 30);
      await tag(devices, 'everyday-all');
      const page = await (await consoleGet(server.base, '/console/machines?tag=everyday-all&size=25', admin.cookie)).text();
      assert.match(page, /<input type="checkbox" id="select-matching" name="scope" value="filter" data-total="30">\s*<label for="select-matching">Select all 30 devices matching this filter \(every page\)<\/label>/);

      // The page's cursor does not narrow the selection: it is the whole filter.
      const form = { _csrf: admin.csrf, value: 'High', scope: 'filter', back: `?tag=everyday-all&size=25&after=${devices[3]?.id}` };
      const confirm = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, form);
      assert.equal(confirm.status, 200);
      const html = await confirm.text();
      assert.match(html, /<h1 id="confirm-heading">Set all 30 devices matching this filter to High\?<\/h1>/);
      assert.match(html, /<input type="hidden" name="expected" value="30">/);
      assert.match(html, /<input type="hidden" name="back" value="\?tag=everyday-all&amp;size=25">/);
      assert.deepEqual(await values(devices), devices.map((d) => d.deviceValue), 'the confirmation writes nothing');

      const done = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { ...form, back: '?tag=everyday-all&size=25', expected: '30', confirm: 'yes' });
      assert.equal(done.status, 303);
      assert.equal(done.headers.get('location'), '/console/bulk-result');
      assert.deepEqual(await values(devices), devices.map(() => 'High'));
      const changed = devices.filter((d) => d.deviceValue !== 'High');
      for (const d of changed) {
        const [entry] = await server.app.store.history(DEMO_TENANT_ID, d.id, 1);
        assert.deepEqual([entry?.newValue, entry?.route, entry?.requestId], ['High', 'console', done.headers.get('request-id')]);
      }
      const result = await (await consoleGet(server.base, '/console/bulk-result', withResult(admin, done))).text();
      assert.match(result, /<h1 id="result-heading">30 devices set to High<\/h1>/);
      assert.match(result, new RegExp(`<p id="changed-count">${changed.length} changed${changed.length < 30 ? `, ${30 - changed.length} already had the value High` : ''}\\.</p>`));
      assert.match(result, /and 10 more\./);
    });

    it('never widens past what the filter matches when it writes: more matches ask again (409, nothing written), fewer are written', async () => {
      const devices = await demoMachines(server, inGroup(101), 6);
      assert.equal(devices.length, 6);
      const [first5, sixth] = [devices.slice(0, 5), devices.slice(5)];
      await tag(first5, 'everyday-widen');
      const form = { _csrf: admin.csrf, value: 'Low', scope: 'filter', back: '?tag=everyday-widen' };
      assert.match(await (await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, form)).text(), /name="expected" value="5"/);

      // Between the confirmation and the write, a sixth device starts matching.
      await tag(sixth, 'everyday-widen');
      const before = await values(devices);
      const refused = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { ...form, expected: '5', confirm: 'yes' });
      assert.equal(refused.status, 409);
      const html = await refused.text();
      assert.match(html, /<p class="alert error" role="alert" id="changed-since">More devices match this filter than the 5 you confirmed: nothing was changed\. Review the new count\.<\/p>/);
      assert.match(html, /Set all 6 devices matching this filter to Low\?/);
      assert.deepEqual(await values(devices), before);

      // Then two stop matching: confirming 6 writes the 4 that match now, and only those.
      await tag(devices.slice(0, 2), 'everyday-widen', 'Remove');
      const done = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { ...form, expected: '6', confirm: 'yes' });
      assert.equal(done.status, 303);
      assert.deepEqual(await values(devices), [...before.slice(0, 2), 'Low', 'Low', 'Low', 'Low']);
      assert.match(await (await consoleGet(server.base, '/console/bulk-result', withResult(admin, done))).text(), /<h1 id="result-heading">4 devices set to Low<\/h1>/);
    });

    it('stays inside the user\'s device groups and permissions', async () => {
      const [lab1, lab2] = await demoMachines(server, inGroup(103), 2);
      const [srv1, srv2] = await demoMachines(server, inGroup(101), 2);
      const all = [lab1, lab2, srv1, srv2].filter((m): m is Machine => m !== undefined);
      assert.equal(all.length, 4);
      await tag(all, 'everyday-groups');
      const before = await values(all);
      const form = { _csrf: operator.csrf, value: 'Normal', scope: 'filter', back: '?tag=everyday-groups' };
      assert.match(await (await consolePost(server.base, '/console/machines/bulk-value', operator.cookie, form)).text(), /Set all 2 devices matching this filter to Normal\?/);
      const done = await consolePost(server.base, '/console/machines/bulk-value', operator.cookie, { ...form, expected: '2', confirm: 'yes' });
      assert.equal(done.status, 303);
      assert.deepEqual(await values(all), ['Normal', 'Normal', before[2], before[3]]);

      const denied = await consolePost(server.base, '/console/machines/bulk-value', analyst.cookie, { _csrf: analyst.csrf, value: 'High', scope: 'filter', back: '?tag=everyday-groups', expected: '4', confirm: 'yes' });
      assert.equal(denied.status, 403);
      assert.deepEqual(await values(all), ['Normal', 'Normal', before[2], before[3]]);
      const noToken = await consolePost(server.base, '/console/machines/bulk-value', operator.cookie, { value: 'High', scope: 'filter', back: '?tag=everyday-groups', expected: '2', confirm: 'yes' });
      assert.equal(noToken.status, 403);
    });

    it('refuses a filter without matches or a missing confirmed count', async () => {
      const none = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { _csrf: admin.csrf, value: 'High', scope: 'filter', back: '?tag=no-such-tag-anywhere' });
      assert.equal(none.status, 400);
      assert.match(await none.text(), /No devices match this filter\./);
      const missing = await consolePost(server.base, '/console/machines/bulk-value', admin.cookie, { _csrf: admin.csrf, value: 'High', scope: 'filter', back: '?tag=everyday-all', confirm: 'yes' });
      assert.equal(missing.status, 400);
      assert.match(await missing.text(), /The confirmed count is missing: review the change again\./);
    });
  });

  describe('CSV export', () => {
    it('writes every matching device of the view in its order, quoted, with formulas defused', async () => {
      const devices = await demoMachines(server, inGroup(140), 3);
      assert.equal(devices.length, 3);
      await tag(devices, 'everyday-csv');
      await tag(devices.slice(0, 1), '=HYPERLINK("http://127.0.0.1/x")');
      await tag(devices.slice(1, 2), 'a,b "c"');
      await tag(devices.slice(2, 3), '@SUM(1)');
      const r = await consoleGet(server.base, '/console/machines.csv?tag=everyday-csv&sort=name&dir=desc&size=25', admin.cookie);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'text/csv; charset=utf-8');
      assert.match(r.headers.get('content-disposition') ?? '', /^attachment; filename="devices-\d{4}-\d\d-\d\d\.csv"$/);
      const fresh = (await Promise.all(devices.map((d) => readMachine(server, d.id)))).filter((m): m is Machine => m !== undefined);
      fresh.sort((a, b) => (a.computerDnsName.toLowerCase() < b.computerDnsName.toLowerCase() ? 1 : -1));
      const quote = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
      const guard = (text: string) => (/^[=+\-@]/.test(text) ? `'${text}` : text);
      const expected = [
        'Device name,Device value,Health,OS platform,Risk,Exposure,Last seen (UTC),Device group,Tags,Machine id',
        ...fresh.map((m) =>
          [m.computerDnsName, m.deviceValue, m.healthStatus, m.osPlatform, m.riskScore ?? '', m.exposureLevel ?? '', m.lastSeen, m.rbacGroupName || 'Ungrouped', guard(m.machineTags.join('; ')), m.id]
            .map(quote)
            .join(','),
        ),
      ].join('\r\n');
      assert.equal(await r.text(), `${expected}\r\n`);

      // A cell that starts with a formula gets an apostrophe, then RFC 4180 quoting.
      const [lone] = devices;
      assert.ok(lone);
      const formula = '=HYPERLINK("http://127.0.0.1/x")';
      for (const t of (await readMachine(server, lone.id))?.machineTags ?? []) if (t !== formula) await tag([lone], t, 'Remove');
      const csv = await (await consoleGet(server.base, `/console/machines.csv?tag=${encodeURIComponent(formula)}`, admin.cookie)).text();
      const row = csv.split('\r\n')[1] ?? '';
      assert.ok(row.endsWith(`,"'=HYPERLINK(""http://127.0.0.1/x"")",${lone.id}`), row);
    });

    it('holds every device of the view, not one page, and only what the user may see', async () => {
      const page = await (await consoleGet(server.base, '/console/machines?size=25', admin.cookie)).text();
      const total = Number(/of ([\d,]+) matching/.exec(page)?.[1]?.replace(/,/g, ''));
      assert.ok(total > 25, `more than a page: ${total}`);
      const lines = (await (await consoleGet(server.base, '/console/machines.csv?size=25', admin.cookie)).text()).split('\r\n').filter((l) => l !== '');
      assert.equal(lines.length, total + 1);
      assert.equal(new Set(lines.map((l) => l.slice(-40))).size, total + 1, 'each device once');

      const lab = await demoMachines(server, inGroup(103), 1000);
      const operatorLines = (await (await consoleGet(server.base, '/console/machines.csv', operator.cookie)).text()).split('\r\n').filter((l) => l !== '');
      assert.deepEqual(new Set(operatorLines.slice(1).map((l) => l.slice(-40))), new Set(lab.map((m) => m.id)));
    });

    it('is refused without a session (to the sign-in form)', async () => {
      const r = await consoleGet(server.base, '/console/machines.csv');
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), '/console/login?next=%2Fconsole%2Fmachines.csv');
    });
  });

  describe('the testing page', () => {
    it('shows journal times to the millisecond, the status, and the body with its secrets redacted', async () => {
      const [device] = await demoMachines(server, inGroup(140), 1);
      assert.ok(device);
      const body = { DeviceValue: 'Huge', Comment: 'from the everyday test', client_secret: 's3cr3t-value', nested: { password: 'hunter2', assertion: 'eyJ.x.y' } };
      const r = await send(`${server.base}/api/machines/${device.id}/setDeviceValue`, token, 'POST', JSON.stringify(body));
      assert.equal(r.status, 400);
      const html = await (await consoleGet(server.base, '/console/testing/journal', admin.cookie)).text();
      const row = new RegExp(`<tr class="failed">\\s*<td><time datetime="[^"]+">(\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\.\\d{3}) UTC</time></td>\\s*<td class="call"><code class="small">POST /api/machines/${device.id}/setDeviceValue</code>\\s*<details class="body" id="body-[^"]+" hx-preserve="true"><summary>Body</summary><pre class="small">([^<]*)</pre></details>\\s*</td>\\s*<td>SetDeviceValue</td>\\s*<td>[^<]+</td>\\s*<td>400</td>`).exec(html);
      assert.ok(row, 'the journal row with its body');
      assert.equal(
        row[2],
        '{&quot;DeviceValue&quot;:&quot;Huge&quot;,&quot;Comment&quot;:&quot;from the everyday test&quot;,&quot;client_secret&quot;:&quot;[redacted]&quot;,&quot;nested&quot;:{&quot;password&quot;:&quot;[redacted]&quot;,&quot;assertion&quot;:&quot;[redacted]&quot;}}',
      );
      assert.doesNotMatch(html, /s3cr3t|hunter2|eyJ\.x\.y/);
    });

    it('shows a rule whose calls are used up as Spent, not On; switching answers 303', async () => {
      const admin_ = (path: string, init: RequestInit = {}) =>
        call(`${server.base}/admin/tenants/${DEMO_TENANT_ID}${path}`, { ...init, headers: { authorization: `Bearer ${server.app.adminKey}`, 'content-type': 'application/json' } });
      const [device] = await demoMachines(server, inGroup(140), 1);
      assert.ok(device);
      const added = await admin_('/faults', { method: 'POST', body: JSON.stringify({ id: 'everyday-once', operations: ['GetMachine'], machines: [device.id], error: 'ServiceUnavailable', calls: '1-1' }) });
      assert.equal(added.status, 201, await added.text());
      const state = async () => /<code>everyday-once<\/code>[\s\S]*?<span class="state ([a-z]+)"[^>]*>(\w+)<\/span>/.exec(await (await consoleGet(server.base, '/console/testing', admin.cookie)).text())?.slice(1);
      assert.deepEqual(await state(), ['on', 'On']);
      const get = () => call(`${server.base}/api/machines/${device.id}`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal((await get()).status, 503);
      assert.deepEqual(await state(), ['spent', 'Spent']);
      assert.equal((await get()).status, 200);

      const off = await consolePost(server.base, '/console/testing/faults/everyday-once', admin.cookie, { _csrf: admin.csrf, enabled: 'off' });
      assert.equal(off.status, 303);
      assert.equal(off.headers.get('location'), '/console/testing?done=fault');
      assert.deepEqual(await state(), ['off', 'Off']);
      assert.equal((await admin_('/faults/everyday-once', { method: 'DELETE' })).status, 204);
    });
  });
});
