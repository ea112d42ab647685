import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import { BrowserPages, signIn, skipWithoutChromium } from './helpers/browser.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { send } from './helpers/wire.js';
import { demoMachines, readMachine } from './helpers/console-session.js';

/**
 * The everyday console (issue 13 item 3) in Debian's Chromium: the bulk bar needs a chosen value
 * and counts the selection; "all matching this filter" crosses pages and is confirmed with its
 * count; a reload of the result writes nothing; at 390 px the device value is on screen without
 * scrolling sideways.
 */
const skip = skipWithoutChromium('everyday console browser tests');

describe('everyday console in a browser', { timeout: 180_000 }, () => {
  let server: TestServer;
  const pages = new BrowserPages();

  before(async () => {
    if (skip) return;
    server = await startTestServer();
    await pages.launch();
  });
  after(async () => {
    await pages.close();
    await server?.close();
  });
  // A script or style the CSP refuses shows up as a console error: each test ends with none.
  afterEach(() => assert.deepEqual(pages.errors.splice(0), []));

  async function tagged(tag: string, count: number): Promise<string[]> {
    const token = await server.token();
    const devices = await demoMachines(server, null, count);
    assert.equal(devices.length, count);
    for (const d of devices) {
      const r = await send(`${server.base}/api/machines/${d.id}/tags`, token, 'POST', JSON.stringify({ Value: tag, Action: 'Add' }));
      assert.equal(r.status, 200);
    }
    return devices.map((d) => d.id);
  }

  it('asks for a value before reviewing, and counts what is selected', { skip }, async () => {
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.admin);
    await page.goto(`${server.base}/console/machines?value=High&size=25`);
    assert.equal(await page.inputValue('#bulk-value'), '');
    await page.waitForSelector('#bulk-count:text-is("0 selected")');
    const boxes = page.locator('table.devices tbody input[name=ids]');
    await boxes.nth(0).check();
    await page.waitForSelector('#bulk-count:text-is("1 selected")');

    // No value chosen: the form does not leave the page, and the select says why.
    await page.click('button:text-is("Review change…")');
    assert.equal(await page.evaluate("document.getElementById('bulk-value').validity.valueMissing"), true);
    assert.match(page.url(), /\/console\/machines\?value=High&size=25$/);

    await page.check('#select-all');
    const onPage = await boxes.count();
    await page.waitForSelector(`#bulk-count:text-is("${onPage} selected")`);
    const total = Number(await page.getAttribute('#select-matching', 'data-total'));
    await page.check('#select-matching');
    await page.waitForSelector(`#bulk-count:text-is("${total.toLocaleString('en-US')} selected")`);
  });

  it('sets every device matching the filter across pages after confirming the count, and a reload repeats nothing', { skip }, async () => {
    const ids = await tagged('browser-all', 30);
    const values = () => Promise.all(ids.map(async (id) => (await readMachine(server, id))?.deviceValue));
    const before = await values();
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.admin);
    await page.goto(`${server.base}/console/machines?tag=browser-all&size=25`);
    assert.equal(await page.locator('table.devices tbody tr').count(), 25);
    await page.check('#select-matching');
    await page.waitForSelector('#bulk-count:text-is("30 selected")');
    await page.selectOption('#bulk-value', 'High');
    await page.click('button:text-is("Review change…")');
    await page.waitForSelector('h1:text-is("Set all 30 devices matching this filter to High?")');
    assert.deepEqual(await values(), before, 'the confirmation writes nothing');
    await page.click('button:text-is("Set 30 to High")');
    await page.waitForURL(`${server.base}/console/bulk-result`);
    await page.waitForSelector('h1:text-is("30 devices set to High")');
    for (const id of ids) assert.equal((await readMachine(server, id))?.deviceValue, 'High');
    const entries = async () => (await Promise.all(ids.map((id) => server.app.store.history(DEMO_TENANT_ID, id, 1000)))).reduce((n, h) => n + h.length, 0);
    const written = await entries();
    await page.reload();
    await page.waitForSelector('h1:text-is("30 devices set to High")');
    assert.equal(await entries(), written);
    await page.click('a:text-is("Back to the devices")');
    await page.waitForURL(/\/console\/machines\?tag=browser-all&size=25$/);
  });

  it('shows each device\'s value at 390 px without scrolling sideways', { skip }, async () => {
    const page = await pages.newPage({ width: 390, height: 844 });
    await signIn(page, server.base, DEMO_USERS.admin);
    // A string, not a function: the test's TypeScript has no DOM types.
    const widths = (await page.evaluate(`(() => {
      const root = document.documentElement;
      const wrap = document.querySelector('.table-wrap');
      const badges = [...document.querySelectorAll('table.devices tbody .badge')].map((b) => b.getBoundingClientRect());
      return { page: [root.scrollWidth, root.clientWidth], table: [wrap.scrollWidth, wrap.clientWidth], rightmost: Math.max(...badges.map((r) => r.right)), badges: badges.length };
    })()`)) as { page: [number, number]; table: [number, number]; rightmost: number; badges: number };
    assert.ok(widths.badges > 0);
    assert.ok(widths.page[0] <= widths.page[1], `the page scrolls sideways: ${widths.page.join(' > ')}`);
    assert.ok(widths.table[0] <= widths.table[1], `the table scrolls sideways: ${widths.table.join(' > ')}`);
    assert.ok(widths.rightmost <= 390, `a value badge ends at ${widths.rightmost} px`);
    assert.equal(await page.locator('table.devices thead th:text-is("Health")').isVisible(), false);
  });
});
