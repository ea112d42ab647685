/**
 * The console's Rules page (issue 13): only users with setDeviceValue's permission (Manage
 * security setting) see it; it lists the rules with what each would change (within the user's
 * device groups), previews one rule's devices, and applies with POST/redirect/GET, so reloading
 * the result changes nothing. Runs on the configured backend (RAMPART_TEST_STORE=postgres).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import type { DelegatedPrincipal } from '../src/domain/identity/principal.js';
import { CONSOLE_APP_ID } from '../src/domain/identity/actor-names.js';
import { consoleGet, consolePost, startDemoConsole, type DemoConsole } from './helpers/console-session.js';

const RULES = [
  { name: 'Servers are High', filter: "osPlatform in ('WindowsServer2016', 'WindowsServer2019', 'WindowsServer2022', 'Linux')", deviceValue: 'High' },
  { name: 'Active devices are Low', filter: "healthStatus eq 'Active'", deviceValue: 'Low' },
];

describe('console Rules page', () => {
  let demo: DemoConsole;
  const get = async (path: string, cookie: string, status = 200): Promise<string> => {
    const response = await consoleGet(demo.server.base, path, cookie);
    const html = await response.text();
    assert.equal(response.status, status, html.slice(0, 500));
    return html;
  };
  const principalOf = async (upn: string): Promise<DelegatedPrincipal> => {
    const user = await demo.server.app.store.getUserByPrincipalName(DEMO_TENANT_ID, upn);
    assert.ok(user);
    return { kind: 'delegated', tenantId: DEMO_TENANT_ID, appId: CONSOLE_APP_ID, userId: user.id, userPrincipalName: upn, scopes: new Set(), expiresAt: Number.MAX_SAFE_INTEGER };
  };
  const changesFor = async (upn: string) => (await demo.server.app.rules.preview({ principal: await principalOf(upn), name: upn }, DEMO_TENANT_ID)).map((r) => r.changes);

  before(async () => {
    demo = await startDemoConsole();
    await demo.server.app.rules.replace(DEMO_TENANT_ID, RULES);
  });
  after(async () => {
    await demo?.server.close();
  });

  it('refuses a user without Manage security setting, whose navigation does not offer the page', async () => {
    const html = await get('/console/rules', demo.analyst.cookie, 403);
    assert.match(html, /The user does not have any of the required role permissions \(Manage security setting\) to access the resource\./);
    const rulesLink = /<a href="\/console\/rules"/;
    assert.doesNotMatch(await get('/console/machines', demo.analyst.cookie), rulesLink);
    assert.match(await get('/console/machines', demo.operator.cookie), rulesLink);
  });

  it("lists the rules with what each would change within the user's device groups", async () => {
    const admin = await changesFor(DEMO_USERS.admin.userPrincipalName);
    const operator = await changesFor(DEMO_USERS.operator.userPrincipalName);
    assert.ok((admin[0] ?? 0) > 0 && (admin[1] ?? 0) > 0, String(admin));
    assert.notDeepEqual(admin, operator, 'the operator sees only the Lab group');
    for (const [user, counts] of [[demo.admin, admin], [demo.operator, operator]] as const) {
      const html = await get('/console/rules', user.cookie);
      for (const [i, rule] of RULES.entries()) {
        assert.ok(html.includes(`<td>${i + 1}</td><td>${rule.name}</td>`), rule.name);
        assert.ok(html.includes(`${counts[i]} device${counts[i] === 1 ? '' : 's'}</a>`), `${rule.name}: ${counts[i]}`);
      }
    }
  });

  it("previews one rule's devices", async () => {
    const [servers] = await changesFor(DEMO_USERS.admin.userPrincipalName);
    const html = await get(`/console/rules?rule=${encodeURIComponent('Servers are High')}`, demo.admin.cookie);
    assert.ok(html.includes(`Servers are High: ${servers} device${servers === 1 ? '' : 's'} would change to High`));
    const page = await demo.server.app.rules.previewPage({ principal: await principalOf(DEMO_USERS.admin.userPrincipalName), name: 'admin' }, DEMO_TENANT_ID, 'Servers are High', 50);
    for (const d of page.devices) assert.ok(html.includes(`<a href="/console/machines/${d.id}">${d.computerDnsName}</a>`), d.id);
    await get(`/console/rules?rule=Nope`, demo.admin.cookie, 404);
  });

  it('applies with POST/redirect/GET: the result shows what changed and a reload changes nothing', async () => {
    const total = (await changesFor(DEMO_USERS.admin.userPrincipalName)).reduce((a, b) => a + b, 0);
    const response = await consolePost(demo.server.base, '/console/rules/apply', demo.admin.cookie, { _csrf: demo.admin.csrf });
    assert.equal(response.status, 303);
    const location = response.headers.get('location') ?? '';
    assert.match(location, /^\/console\/rules\?run=[0-9a-f-]{36}$/);
    for (let reload = 0; reload < 2; reload++) {
      const html = await get(location, demo.admin.cookie);
      assert.ok(html.includes(`Apply finished: ${total} device${total === 1 ? '' : 's'} changed`), html.slice(0, 2000));
    }
    assert.deepEqual(await changesFor(DEMO_USERS.admin.userPrincipalName), [0, 0]);
    const history = await demo.server.app.audit.list(DEMO_TENANT_ID, { route: 'rule', limit: '1000' });
    assert.equal(history.entries.length, total);
    assert.ok(history.entries.every((e) => e.appId === CONSOLE_APP_ID && e.userPrincipalName === DEMO_USERS.admin.userPrincipalName));
  });
});
