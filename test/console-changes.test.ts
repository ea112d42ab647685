import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import type { TestServer } from './helpers/server.js';
import { consoleGet, consolePost, cookiesOf, startDemoConsole, demoMachines, inGroup, readMachine, type ConsoleUser } from './helpers/console-session.js';

/**
 * Changes through the console over real HTTP: the CSRF token, the confirmation step, the API's
 * permissions and device groups, and the audit (route `console`, user, request id).
 */
describe('console changes', () => {
  let server: TestServer;
  let admin: ConsoleUser;
  let analyst: ConsoleUser;
  let operator: ConsoleUser;

  before(async () => {
    ({ server, admin, analyst, operator } = await startDemoConsole());
  });
  after(() => server?.close());

  it('refuses a POST without the CSRF token, with a wrong one, or with another session\'s (403, nothing changes)', async () => {
    const [device] = await demoMachines(server, inGroup(103), 1);
    assert.ok(device);
    const value = device.deviceValue === 'High' ? 'Low' : 'High';
    for (const token of [undefined, 'x'.repeat(43), analyst.csrf]) {
      const r = await consolePost(server.base, `/console/machines/${device.id}/value`, admin.cookie, { value, confirm: 'yes', ...(token ? { _csrf: token } : {}) });
      assert.equal(r.status, 403);
      assert.match(await r.text(), /did not come from this console/);
    }
    assert.equal((await readMachine(server, device.id))?.deviceValue, device.deviceValue);
  });

  it('asks for confirmation, then records the change with route console, the user and the request id', async () => {
    const [device] = await demoMachines(server, inGroup(140), 1);
    assert.ok(device);
    const value = device.deviceValue === 'High' ? 'Low' : 'High';
    const confirm = await consolePost(server.base, `/console/machines/${device.id}/value`, admin.cookie, { _csrf: admin.csrf, value });
    assert.equal(confirm.status, 200);
    assert.match(await confirm.text(), new RegExp(`from\\s+<span class="badge value-${device.deviceValue.toLowerCase()}">${device.deviceValue}</span> to\\s+<span class="badge value-${value.toLowerCase()}">${value}</span>`));
    assert.equal((await readMachine(server, device.id))?.deviceValue, device.deviceValue);

    const done = await consolePost(server.base, `/console/machines/${device.id}/value`, admin.cookie, { _csrf: admin.csrf, value, confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), `/console/machines/${device.id}?done=value`);
    const [entry] = await server.app.store.history(DEMO_TENANT_ID, device.id, 1);
    const adminUser = await server.app.store.getUserByPrincipalName(DEMO_TENANT_ID, DEMO_USERS.admin.userPrincipalName);
    assert.deepEqual(
      { old: entry?.oldValue, new: entry?.newValue, route: entry?.route, app: entry?.appId, user: entry?.userId, request: entry?.requestId },
      { old: device.deviceValue, new: value, route: 'console', app: 'rampart-console', user: adminUser?.id, request: done.headers.get('request-id') },
    );
    const page = await (await consoleGet(server.base, `/console/machines/${device.id}?done=value`, admin.cookie)).text();
    assert.match(page, /Device value saved\./);
    // Named as on the Activity page: the principal name and the application's name, each id on hover.
    assert.ok(page.includes(`<td class="who"><span class="user" title="${adminUser?.id}">admin@rampart.demo</span> <span class="muted">via <span class="app" title="rampart-console">Rampart console</span></span></td>`));
  });

  it('shows the analyst no control to change a value, and refuses the POST anyway (403, no change)', async () => {
    const [device] = await demoMachines(server, inGroup(103), 1);
    assert.ok(device);
    const page = await (await consoleGet(server.base, `/console/machines/${device.id}`, analyst.cookie)).text();
    assert.doesNotMatch(page, /\/value"/);
    assert.doesNotMatch(page, /\/tags"/);
    const list = await (await consoleGet(server.base, '/console/machines', analyst.cookie)).text();
    assert.doesNotMatch(list, /bulk-value/);
    for (const [path, form] of [
      [`/console/machines/${device.id}/value`, { value: 'High', confirm: 'yes' }],
      [`/console/machines/${device.id}/tags`, { tag: 'x', action: 'Add' }],
      ['/console/machines/bulk-value', { ids: device.id, value: 'High', confirm: 'yes' }],
    ] as const) {
      const r = await consolePost(server.base, path, analyst.cookie, { _csrf: analyst.csrf, ...form });
      assert.equal(r.status, 403, path);
      assert.match(await r.text(), /The user does not have any of the required role permissions \(Manage security setting\)/);
    }
    const now = await readMachine(server, device.id);
    assert.deepEqual([now?.deviceValue, now?.machineTags], [device.deviceValue, device.machineTags]);
  });

  it('bulk: changes what the operator may change and names each device it refuses', async () => {
    const [lab1, lab2] = await demoMachines(server, inGroup(103), 2);
    const [server1] = await demoMachines(server, inGroup(101), 1);
    assert.ok(lab1 && lab2 && server1);
    const form = { _csrf: operator.csrf, value: 'Low', ids: [lab1.id, server1.id, lab2.id], back: '?group=103' };
    const confirm = await (await consolePost(server.base, '/console/machines/bulk-value', operator.cookie, form)).text();
    assert.match(confirm, /Set 2 devices to Low\?/);
    assert.match(confirm, new RegExp(`<code>${server1.id}</code>: Not found, or outside your device groups`));
    const done = await consolePost(server.base, '/console/machines/bulk-value', operator.cookie, { ...form, confirm: 'yes' });
    assert.equal(done.status, 303);
    assert.equal(done.headers.get('location'), '/console/bulk-result');
    const html = await (await consoleGet(server.base, '/console/bulk-result', `${operator.cookie}; ${cookiesOf(done)}`)).text();
    assert.match(html, /2 devices set to Low/);
    assert.match(html, /Refused: 1/);
    assert.deepEqual([(await readMachine(server, lab1.id))?.deviceValue, (await readMachine(server, lab2.id))?.deviceValue], ['Low', 'Low']);
    assert.equal((await readMachine(server, server1.id))?.deviceValue, server1.deviceValue);
    const [h1] = await server.app.store.history(DEMO_TENANT_ID, lab1.id, 1);
    const [h2] = await server.app.store.history(DEMO_TENANT_ID, lab2.id, 1);
    assert.equal(h1?.route, 'console');
    assert.equal(h1?.requestId, h2?.requestId);
  });

  it('adds and removes a tag', async () => {
    const [device] = await demoMachines(server, inGroup(102), 1);
    assert.ok(device);
    const add = await consolePost(server.base, `/console/machines/${device.id}/tags`, admin.cookie, { _csrf: admin.csrf, tag: ' console-test ', action: 'Add' });
    assert.equal(add.headers.get('location'), `/console/machines/${device.id}?done=tag-added`);
    assert.ok((await readMachine(server, device.id))?.machineTags.includes('console-test'));
    const remove = await consolePost(server.base, `/console/machines/${device.id}/tags`, admin.cookie, { _csrf: admin.csrf, tag: 'console-test', action: 'Remove' });
    assert.equal(remove.headers.get('location'), `/console/machines/${device.id}?done=tag-removed`);
    assert.deepEqual((await readMachine(server, device.id))?.machineTags, device.machineTags);
  });
});
