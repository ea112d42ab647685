import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import type { DeviceValue } from '../src/domain/machines/device-value.js';
import { ManualClock } from '../src/shared/clock.js';
import { timestampFromMillis } from '../src/shared/timestamp.js';
import { BrowserPages, skipWithoutChromium } from './helpers/browser.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { demoMachines, inGroup, readMachine, type Login } from './helpers/console-session.js';

/**
 * The console in Debian's Chromium, driven by playwright-core against a real server: the flows a
 * person follows, with screenshots of the main pages under test-artifacts/screenshots/.
 * `RAMPART_UPDATE_SCREENSHOT=1` also refreshes docs/console.png, the README's picture.
 */
const SHOTS = 'test-artifacts/screenshots';
// Hiding the caret would inject a style element, which the console's CSP (rightly) refuses.
const SHOT = { caret: 'initial' } as const;
const skip = skipWithoutChromium('console browser tests');

const other = (value: DeviceValue): DeviceValue => (value === 'High' ? 'Low' : 'High');

/**
 * Not the helpers' sign-in: here an anonymous visit is first sent to the login page with `next=`,
 * and the form is worked by the keyboard alone.
 */
async function signIn(page: Page, base: string, login: Login): Promise<void> {
  await page.goto(`${base}/console/machines`);
  await page.waitForURL(/\/console\/login\?next=/);
  // Keyboard only: the user name field has the focus, Tab reaches the password, Enter submits.
  // Typing waits for that focus (autofocus lands after the load event on a busy machine).
  await page.waitForFunction("document.activeElement?.id === 'username'");
  await page.keyboard.type(login.userPrincipalName);
  await page.keyboard.press('Tab');
  await page.keyboard.type(login.password);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${base}/console/machines`);
}

describe('console in a browser', { timeout: 180_000 }, () => {
  let server: TestServer;
  const pages = new BrowserPages();

  before(async () => {
    if (skip) return;
    mkdirSync(SHOTS, { recursive: true });
    // A clock that moves only when told: an action requested here stays Pending while it is looked at.
    server = await startTestServer({}, new ManualClock(Date.now()));
    await pages.launch();
  });
  after(async () => {
    await pages.close();
    await server?.close();
  });

  // A script or style the CSP refuses shows up as a console error: each test ends with none.
  afterEach(() => assert.deepEqual(pages.errors.splice(0), []));

  it('signs in as admin, filters, sets a device value with confirmation, and sees it in the table and the history', { skip }, async () => {
    const page = await pages.newPage();
    await page.goto(`${server.base}/console/login`);
    assert.equal(await page.inputValue('#tenant'), DEMO_TENANT_ID);
    await page.screenshot({ path: `${SHOTS}/login.png`, ...SHOT });
    await signIn(page, server.base, DEMO_USERS.admin);
    await page.screenshot({ path: `${SHOTS}/inventory.png`, ...SHOT });

    // Filter by device value, then by name prefix: htmx swaps the table and the URL follows.
    await page.selectOption('#f-value', 'Normal');
    await page.waitForURL(/\?value=Normal$/);
    const values = await page.locator('table.devices tbody .badge').allTextContents();
    assert.ok(values.length > 0 && values.every((v) => v === 'Normal'), values.join());
    const name = (await page.locator('table.devices tbody th a').first().textContent()) ?? '';
    await page.fill('#q', name.slice(0, 4));
    await page.waitForURL(new RegExp(`q=${encodeURIComponent(name.slice(0, 4).toLowerCase())}`));
    const names = await page.locator('table.devices tbody th a').allTextContents();
    assert.ok(names.length > 0 && names.every((n) => n.toLowerCase().startsWith(name.slice(0, 4).toLowerCase())), names.join());
    await page.screenshot({ path: `${SHOTS}/inventory-filtered.png`, ...SHOT });

    // Open the device, change its value, confirm.
    await page.click(`table.devices tbody th a:text-is("${name}")`);
    await page.waitForURL(/\/console\/machines\/[0-9a-f]{40}$/);
    const id = page.url().split('/').pop() ?? '';
    assert.equal(await page.textContent('#current-value'), 'Normal');
    await page.selectOption('#new-value', 'High');
    await page.click('button:text-is("Change…")');
    await page.waitForSelector('h1:text-is("Change the device value?")');
    assert.equal((await readMachine(server, id))?.deviceValue, 'Normal', 'nothing changes before the confirmation');
    await page.click('button:text-is("Set to High")');
    await page.waitForURL(/\?done=value$/);
    assert.equal(await page.textContent('#current-value'), 'High');
    const row = page.locator('table.history tbody tr').first();
    assert.match((await row.textContent()) ?? '', /admin@rampart\.demo\s+via Rampart console\s+Normal\s+→\s+High\s+console/);
    await page.screenshot({ path: `${SHOTS}/device.png`, fullPage: true, ...SHOT });

    // The table shows it too.
    await page.goto(`${server.base}/console/machines?value=High&q=${encodeURIComponent(name.toLowerCase())}`);
    assert.ok((await page.locator(`table.devices tbody tr:has(a[href="/console/machines/${id}"]) .badge`).textContent()) === 'High');
    assert.equal((await readMachine(server, id))?.deviceValue, 'High');
    if (process.env.RAMPART_UPDATE_SCREENSHOT) copyFileSync(`${SHOTS}/inventory.png`, 'docs/console.png');
  });

  it('isolates a device through the confirmation and sees it listed Pending, requested by the user', { skip }, async () => {
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.admin);
    const [device] = await demoMachines(server, inGroup(102), 1);
    assert.ok(device);
    await page.goto(`${server.base}/console/machines/${device.id}`);
    await page.click('button:text-is("Isolate device…")');
    await page.waitForSelector(`h1:text-is("Isolate device on ${device.computerDnsName}?")`);
    const everyGroup = { tenantId: DEMO_TENANT_ID, rbacGroupIds: null };
    const actions = () => server.app.store.actions.listActions(everyGroup, { filter: null, orderBy: [], skip: 0, limit: 10, now: timestampFromMillis(server.app.clock.now()), machineId: device.id });
    assert.deepEqual(await actions(), [], 'nothing is requested before the confirmation');
    await page.selectOption('#isolation-type', 'Selective');
    await page.fill('#comment', 'Contain while we look');
    await page.click('button:text-is("Isolate")');
    await page.waitForURL(/\?done=action-isolate$/);
    const row = page.locator('#device-actions table.actions tbody tr').first();
    assert.equal(await row.getAttribute('data-status'), 'Pending');
    assert.match((await row.textContent()) ?? '', /Isolate\s+\(Selective\)\s+Pending\s+admin@rampart\.demo\s+via console/);
    const [action] = await actions();
    assert.deepEqual([action?.requestor, action?.requestSource], ['admin@rampart.demo', 'Portal']);
    await page.screenshot({ path: `${SHOTS}/device-actions.png`, fullPage: true, ...SHOT });
  });

  it('sorts and pages in place, without a full page load', { skip }, async () => {
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.admin);
    await page.goto(`${server.base}/console/machines?size=25`);
    // A full load would forget this; an htmx swap keeps it.
    await page.evaluate(() => Object.assign(globalThis, { stayed: true }));
    await page.click('th a:text-is("Last seen")');
    await page.waitForURL(/\?sort=lastSeen&size=25$/);
    assert.equal(await page.getAttribute('th:has(a:text-is("Last seen"))', 'aria-sort'), 'ascending');
    const firstIds = await page.locator('table.devices tbody th a').allTextContents();
    await page.click('nav.pager a:text-is("Next")');
    // The page is where it starts (after a machine), in the URL, so it can be shared.
    await page.waitForURL(/\?sort=lastSeen&size=25&after=[0-9a-f]{40}$/);
    assert.match((await page.textContent('#results-summary')) ?? '', /^25 devices of \d+ matching$/);
    // Back with the keyboard alone.
    await page.focus('nav.pager a[rel="prev"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\?sort=lastSeen&size=25$/);
    assert.deepEqual(await page.locator('table.devices tbody th a').allTextContents(), firstIds);
    assert.match((await page.textContent('#results-summary')) ?? '', /^Devices 1–25 of \d+ matching$/);
    assert.equal(await page.evaluate(() => (globalThis as { stayed?: boolean }).stayed), true);
  });

  it('sets the value of two selected devices in one step, each in its own history', { skip }, async () => {
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.admin);
    await page.goto(`${server.base}/console/machines?group=103`);
    const boxes = page.locator('table.devices tbody input[name=ids]');
    const ids = [await boxes.nth(0).getAttribute('value'), await boxes.nth(1).getAttribute('value')] as string[];
    const before = await Promise.all(ids.map((id) => readMachine(server, id)));
    const target = other(before[0]?.deviceValue ?? 'Normal');
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.selectOption('#bulk-value', target);
    await page.click('button:text-is("Review change…")');
    await page.waitForSelector(`h1:text-is("Set 2 devices to ${target}?")`);
    await page.click(`button:text-is("Set 2 to ${target}")`);
    await page.waitForSelector(`h1:text-is("2 devices set to ${target}")`);
    for (const id of ids) {
      assert.equal((await readMachine(server, id))?.deviceValue, target);
      const [entry] = await server.app.store.history(DEMO_TENANT_ID, id, 1);
      assert.equal(entry?.route, 'console');
    }
    await page.click('a:text-is("Back to the devices")');
    await page.waitForURL(/\?group=103$/);
  });

  it('shows a Machine API call in the journal without a reload', { skip }, async () => {
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.analyst);
    await page.goto(`${server.base}/console/testing`);
    const [device] = await demoMachines(server, inGroup(140), 1);
    assert.ok(device);
    const token = await server.token();
    const api = await fetch(`${server.base}/api/machines/${device.id}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(10_000) });
    assert.equal(api.status, 200);
    // htmx polls the journal every 2 s; the row arrives in place.
    await page.waitForSelector(`#journal code:text-is("GET /api/machines/${device.id}")`);
    await page.screenshot({ path: `${SHOTS}/testing.png`, ...SHOT });
  });

  it('shows the analyst no way to change a value, and refuses a direct POST', { skip }, async () => {
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.analyst);
    assert.equal(await page.locator('form#bulk, input[name=ids]').count(), 0);
    const [device] = await demoMachines(server, inGroup(140), 1);
    assert.ok(device);
    await page.goto(`${server.base}/console/machines/${device.id}`);
    assert.equal(await page.locator('#new-value, form[action$="/value"], form[action$="/tags"]').count(), 0);
    assert.match((await page.textContent('#value-heading + p + p')) ?? '', /not change it/);

    const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const csrf = await page.inputValue('input[name=_csrf]');
    const refused = await fetch(`${server.base}/console/machines/${device.id}/value`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ _csrf: csrf, value: other(device.deviceValue), confirm: 'yes' }),
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /required role permissions \(Manage security setting\)/);
    assert.equal((await readMachine(server, device.id))?.deviceValue, device.deviceValue);
  });
});
