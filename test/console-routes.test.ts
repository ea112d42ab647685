import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import { ManualClock } from '../src/shared/clock.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { appToken, userToken } from './helpers/tokens.js';
import { consoleGet, consolePost, consoleSignIn, startDemoConsole, cookiesOf, demoMachines, field, inGroup, postSignIn, type ConsoleUser } from './helpers/console-session.js';

/**
 * The console over real HTTP, without a browser: sign-in, sessions, device groups (the API's),
 * filters in the URL, paging and headers. Changes are in console-changes.test.ts.
 */
describe('console routes', () => {
  let server: TestServer;
  let admin: ConsoleUser;
  let analyst: ConsoleUser;
  let operator: ConsoleUser;

  before(async () => {
    ({ server, admin, analyst, operator } = await startDemoConsole());
  });
  after(() => server?.close());

  describe('signing in', () => {
    it('sends a visitor without a session to the sign-in form, and back afterwards', async () => {
      const r = await consoleGet(server.base, '/console/machines?value=High');
      assert.equal(r.status, 303);
      assert.equal(r.headers.get('location'), `/console/login?next=${encodeURIComponent('/console/machines?value=High')}`);
      const signedIn = await postSignIn(server.base, DEMO_USERS.admin, DEMO_TENANT_ID, '/console/machines?value=High');
      assert.equal(signedIn.status, 303);
      assert.equal(signedIn.headers.get('location'), '/console/machines?value=High');
      const cookie = signedIn.headers.getSetCookie().find((c) => c.startsWith('rampart_console='));
      assert.match(cookie ?? '', /; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=28800$/);
    });

    it('answers an unknown user and a wrong password alike, and sets no session', async () => {
      const answers = await Promise.all([
        postSignIn(server.base, { userPrincipalName: DEMO_USERS.admin.userPrincipalName, password: 'wrong' }),
        postSignIn(server.base, { userPrincipalName: 'nobody@rampart.demo', password: 'rampart-admin' }),
        postSignIn(server.base, DEMO_USERS.admin, '00000000-0000-4000-8000-000000000000'),
      ]);
      for (const r of answers) {
        assert.equal(r.status, 401);
        assert.match(await r.text(), /<p class="alert error" role="alert" id="sign-in-error">Invalid username or password.<\/p>/);
        assert.equal(r.headers.getSetCookie().some((c) => c.startsWith('rampart_console=')), false);
      }
    });

    it('refuses a sign-in form that did not come from this console (login CSRF)', async () => {
      const r = await consolePost(server.base, '/console/login', '', { tenant: DEMO_TENANT_ID, username: DEMO_USERS.admin.userPrincipalName, password: DEMO_USERS.admin.password });
      assert.equal(r.status, 403);
      assert.equal(r.headers.getSetCookie().some((c) => c.startsWith('rampart_console=')), false);
    });

    it('never sends a user to another site after signing in', async () => {
      for (const next of ['//evil.example/console', 'https://evil.example/', '/api/machines', '/console\\@evil']) {
        const r = await postSignIn(server.base, DEMO_USERS.analyst, DEMO_TENANT_ID, next);
        assert.equal(r.headers.get('location'), '/console/machines', next);
      }
    });
  });

  describe('sessions', () => {
    it('takes neither a Machine API token nor the admin key as a session', async () => {
      const tokens = [await appToken(server.base), await userToken(server.base, DEMO_USERS.admin), server.app.adminKey];
      for (const token of tokens) {
        const r = await consoleGet(server.base, '/console/machines', '', { authorization: `Bearer ${token}` });
        assert.equal(r.status, 303);
        assert.match(r.headers.get('location') ?? '', /^\/console\/login/);
      }
    });

    it('rejects a tampered, re-signed or truncated session cookie', async () => {
      const value = /rampart_console=([^;]+)/.exec(analyst.cookie)?.[1] ?? '';
      const [version, body, mac] = value.split('.');
      const payload = JSON.parse(Buffer.from(body ?? '', 'base64url').toString()) as Record<string, unknown>;
      const adminId = (await server.app.store.getUserByPrincipalName(DEMO_TENANT_ID, DEMO_USERS.admin.userPrincipalName))?.id;
      const forged = Buffer.from(JSON.stringify({ ...payload, u: adminId, n: DEMO_USERS.admin.userPrincipalName })).toString('base64url');
      const variants = [`${version}.${forged}.${mac}`, `${version}.${body}.${'A'.repeat(43)}`, `${version}.${body}`, `v2.${body}.${mac}`, 'garbage'];
      for (const v of variants) {
        const r = await consoleGet(server.base, '/console/machines', `rampart_console=${v}`);
        assert.equal(r.status, 303, v.slice(0, 30));
      }
    });

    it('ends a session after eight hours', async () => {
      const clock = new ManualClock(Date.now());
      const timed = await startTestServer({}, clock);
      try {
        const user = await consoleSignIn(timed.base, DEMO_USERS.analyst);
        clock.advance(8 * 3_600_000 - 1000);
        assert.equal((await consoleGet(timed.base, '/console/machines', user.cookie)).status, 200);
        clock.advance(1000);
        assert.equal((await consoleGet(timed.base, '/console/machines', user.cookie)).status, 303);
      } finally {
        await timed.close();
      }
    });

    it('signs out with a POST, after which the old cookie is refused', async () => {
      const user = await consoleSignIn(server.base, DEMO_USERS.analyst);
      const out = await consolePost(server.base, '/console/logout', user.cookie, { _csrf: user.csrf });
      assert.equal(out.status, 303);
      assert.match(out.headers.getSetCookie().join('\n'), /rampart_console=; Path=\/console; HttpOnly; SameSite=Strict; Max-Age=0/);
      assert.equal((await consoleGet(server.base, '/console/machines', user.cookie)).status, 303);
    });
  });

  describe('seeing devices', () => {
    it('shows a device outside the user\'s device groups as not found (404 page)', async () => {
      const [hidden] = await demoMachines(server, inGroup(101), 1);
      assert.ok(hidden);
      const r = await consoleGet(server.base, `/console/machines/${hidden.id}`, operator.cookie);
      assert.equal(r.status, 404);
      assert.match(await r.text(), new RegExp(`Machine ${hidden.id} was not found`));
      assert.equal((await consoleGet(server.base, `/console/machines/${hidden.id}`, admin.cookie)).status, 200);
    });

    it('keeps the filter in the URL and counts what the API counts for the same user', async () => {
      const r = await consoleGet(server.base, '/console/machines?value=High&sort=lastSeen&dir=desc', admin.cookie);
      const html = await r.text();
      assert.equal(r.status, 200);
      const values = [...html.matchAll(/<td><span class="badge value-(\w+)">/g)].map((m) => m[1]);
      assert.ok(values.length > 0);
      assert.ok(values.every((v) => v === 'high'), values.join());
      assert.match(html, /<option value="High" selected>High<\/option>/);
      assert.match(html, /<th scope="col" class="lesser" aria-sort="descending"><a href="\/console\/machines\?value=High&amp;sort=lastSeen"/);

      for (const user of [DEMO_USERS.admin, DEMO_USERS.operator]) {
        const session = user === DEMO_USERS.admin ? admin : operator;
        const page = await (await consoleGet(server.base, '/console/machines', session.cookie)).text();
        const token = await userToken(server.base, user);
        for (const value of ['Low', 'Normal', 'High']) {
          const api = await fetch(`${server.base}/api/machines?$filter=deviceValue eq '${value}'&$count=true&$top=1`, { headers: { authorization: `Bearer ${token}` } });
          const count = ((await api.json()) as { '@odata.count': number })['@odata.count'];
          assert.match(page, new RegExp(`<strong data-count="${value}">${count}</strong>`), `${user.userPrincipalName} ${value}`);
        }
      }
    });

    it('pages through the same order as the API with next, previous and last links (keyset cursors in the URL)', async () => {
      const token = await userToken(server.base, DEMO_USERS.admin);
      const api = await fetch(`${server.base}/api/machines?$orderby=riskScore desc,id desc&$select=id`, { headers: { authorization: `Bearer ${token}` } });
      const all = ((await api.json()) as { value: { id: string }[] }).value.map((m) => m.id);
      assert.ok(all.length > 50);
      const ids = (html: string) => [...html.matchAll(/<th scope="row"><a href="\/console\/machines\/([0-9a-f]{40})">/g)].map((m) => m[1]);
      const link = (html: string, rel: string) => [...html.matchAll(/<a href="([^"]+)" hx-get="[^"]+" rel="(\w+)">/g)].find((m) => m[2] === rel)?.[1]?.replaceAll('&amp;', '&');
      const seen: string[] = [];
      const pages: string[] = [];
      let next: string | undefined = '/console/machines?sort=risk&dir=desc&size=25';
      while (next && pages.length < 20) {
        const html = await (await consoleGet(server.base, next, admin.cookie)).text();
        pages.push(next);
        seen.push(...(ids(html) as string[]));
        next = link(html, 'next');
        if (pages.length === 1) assert.match(html, new RegExp(`Devices 1–25 of ${all.length} matching`));
      }
      assert.deepEqual(seen, all, 'the next links walk the whole order once');
      assert.match(pages[1] ?? '', /^\/console\/machines\?sort=risk&dir=desc&size=25&after=[0-9a-f]{40}$/);

      const second = await (await consoleGet(server.base, pages[1] ?? '', admin.cookie)).text();
      const previous = link(second, 'prev') ?? '';
      assert.match(previous, /&before=[0-9a-f]{40}$/);
      assert.deepEqual(ids(await (await consoleGet(server.base, previous, admin.cookie)).text()), all.slice(0, 25));
      const last = await (await consoleGet(server.base, '/console/machines?sort=risk&dir=desc&size=25&last=1', admin.cookie)).text();
      assert.deepEqual(ids(last), all.slice(-25));
      assert.match(last, /<span aria-disabled="true">Next<\/span>/);
      // A cursor whose machine is not visible (any more) opens the first page.
      const stale = await (await consoleGet(server.base, `/console/machines?sort=risk&dir=desc&size=25&after=${'0'.repeat(40)}`, admin.cookie)).text();
      assert.deepEqual(ids(stale), all.slice(0, 25));
    });

    it('counts a filtered view exactly, like the API', async () => {
      const token = await userToken(server.base, DEMO_USERS.operator);
      const api = await fetch(`${server.base}/api/machines?$filter=healthStatus eq 'Active'&$count=true&$top=1`, { headers: { authorization: `Bearer ${token}` } });
      const count = ((await api.json()) as { '@odata.count': number })['@odata.count'];
      const html = await (await consoleGet(server.base, '/console/machines?health=Active&size=25', operator.cookie)).text();
      assert.match(html, new RegExp(`Devices 1–${Math.min(25, count)} of ${count} matching`));
    });

    it('answers htmx with the inventory region only, and the canonical URL to show', async () => {
      const r = await consoleGet(server.base, '/console/machines?q=&value=&health=Active&page=1', admin.cookie, { 'hx-request': 'true', 'hx-target': 'inventory' });
      const html = await r.text();
      assert.equal(r.status, 200);
      assert.match(html, /^<div id="inventory"/);
      assert.doesNotMatch(html, /<html/);
      assert.equal(r.headers.get('hx-push-url'), '/console/machines?health=Active');
    });

    it('serves the console with a strict CSP, and leaves the API\'s headers alone', async () => {
      const page = await consoleGet(server.base, '/console/login');
      assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self';script-src 'self';style-src 'self'/);
      const htmx = await consoleGet(server.base, '/console/static/htmx.min.js');
      assert.equal(htmx.status, 200);
      assert.match(await htmx.text(), /htmx/);
      const api = await fetch(`${server.base}/api/machines/x`, { headers: { authorization: `Bearer ${await appToken(server.base)}` } });
      assert.equal(api.headers.get('content-security-policy'), null);
      assert.equal(cookiesOf(api), '');
    });

    it('reads a session\'s CSRF token from its pages only', async () => {
      const html = await (await consoleGet(server.base, '/console/testing', admin.cookie)).text();
      assert.equal(field(html, '_csrf'), admin.csrf);
      assert.match(html, /The request journal is not available on this server|Request journal/);
    });
  });
});
