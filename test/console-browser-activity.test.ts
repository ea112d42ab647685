import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, afterEach, before, describe, it } from 'node:test';
import { DEMO_TENANT_ID, DEMO_USERS } from '../src/config/demo.js';
import { HISTORY_CSV_HEADER } from '../src/domain/audit/history-csv.js';
import { BrowserPages, signIn, skipWithoutChromium } from './helpers/browser.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { consolePost, consoleSignIn, demoMachines } from './helpers/console-session.js';

/**
 * The Activity page (issue 13) in Debian's Chromium on the seeded demo fleet: filter by user and
 * new value, follow Next page, download the view as CSV; and at 390 px nothing scrolls sideways.
 */
const skip = skipWithoutChromium('activity browser tests');

const ADMIN = DEMO_USERS.admin.userPrincipalName;
/** Changes to High the admin makes in the console: more than one page of 50. */
const RAISED = 55;

describe('the Activity page in a browser', { timeout: 240_000 }, () => {
  let server: TestServer;
  const pages = new BrowserPages({ acceptDownloads: true });

  before(async () => {
    if (skip) return;
    server = await startTestServer();
    // The admin raises one device to High 55 times in the console (and lowers it in between),
    // so "admin, new value High" is one full page and five more entries.
    const admin = await consoleSignIn(server.base, DEMO_USERS.admin);
    const [device] = await demoMachines(server, { kind: 'compare', property: 'deviceValue', op: 'eq', value: 'Normal' }, 1);
    assert.ok(device);
    for (let i = 0; i < RAISED; i++) {
      for (const value of ['High', 'Low']) {
        const r = await consolePost(server.base, `/console/machines/${device.id}/value`, admin.cookie, { _csrf: admin.csrf, value, confirm: 'yes' });
        assert.equal(r.status, 303);
      }
    }
    await pages.launch();
  });
  after(async () => {
    await pages.close();
    await server?.close();
  });
  // A script or style the CSP refuses shows up as a console error: each test ends with none.
  afterEach(() => assert.deepEqual(pages.errors.splice(0), []));

  it('filters by user and new value, follows Next page, and downloads the view as CSV', { skip }, async () => {
    const page = await pages.newPage();
    await signIn(page, server.base, DEMO_USERS.admin);
    await page.click('nav[aria-label="Main"] a:text-is("Activity")');
    await page.waitForURL(`${server.base}/console/activity`);
    await page.fill('#f-user', ADMIN);
    await page.selectOption('#f-newValue', 'High');
    await page.click('button:text-is("Filter")');
    await page.waitForURL(/\/console\/activity\?.*user=admin%40rampart\.demo.*newValue=High/);
    const rows = page.locator('table.activity tbody tr');
    assert.equal(await rows.count(), 50);
    assert.equal(await page.locator('table.activity tbody td.who .user').first().getAttribute('title'), (await server.app.store.getUserByPrincipalName(DEMO_TENANT_ID, ADMIN))?.id);
    const whos = await page.locator('table.activity tbody td.who').allInnerTexts();
    assert.ok(whos.every((w) => w === `${ADMIN} via Rampart console`), whos[0]);

    await page.click('#next-page');
    await page.waitForURL(/after=/);
    assert.equal(await rows.count(), RAISED - 50);
    assert.equal(await page.locator('#next-page').count(), 0);
    await page.waitForSelector('#first-page');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#activity-csv')]);
    assert.match(download.suggestedFilename(), /^activity-\d{4}-\d\d-\d\d\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.split('\r\n').filter((l) => l !== '');
    assert.equal(`${lines[0]}\r\n`, HISTORY_CSV_HEADER);
    assert.equal(lines.length, 1 + RAISED, 'every page of the view, not the page shown');
    assert.ok(lines.slice(1).every((l) => l.includes(`,High,`) && l.includes(`,rampart-console,Rampart console,`) && l.includes(`,${ADMIN},console,`)));
  });

  it('shows a bad filter as an error, and fits 390 px without scrolling sideways', { skip }, async () => {
    const page = await pages.newPage({ width: 390, height: 844 });
    await signIn(page, server.base, DEMO_USERS.admin);
    await page.goto(`${server.base}/console/activity?user=${encodeURIComponent(ADMIN)}`);
    // A string, not a function: the test's TypeScript has no DOM types.
    const widths = (await page.evaluate(`(() => {
      const root = document.documentElement;
      const wrap = document.querySelector('.table-wrap');
      return { page: [root.scrollWidth, root.clientWidth], table: [wrap.scrollWidth, wrap.clientWidth] };
    })()`)) as { page: [number, number]; table: [number, number] };
    assert.ok(widths.page[0] <= widths.page[1], `the page scrolls sideways: ${widths.page.join(' > ')}`);
    assert.ok(widths.table[0] <= widths.table[1], `the table scrolls sideways: ${widths.table.join(' > ')}`);
    assert.equal(await page.locator('table.activity tbody tr').first().locator('.badge').first().isVisible(), true);

    await page.fill('#f-from', 'last tuesday');
    const response = await Promise.all([page.waitForNavigation(), page.click('button:text-is("Filter")')]);
    assert.equal(response[0]?.status(), 400);
    assert.match(await page.textContent('#error-message') ?? '', /The value "last tuesday" is not valid for from/);
    assert.equal(await page.locator('table.activity').count(), 0);
    // Chromium logs the refused page's status as an error; that one is this test's point.
    const refused = pages.errors.findIndex((e) => /status of 400/.test(e));
    if (refused >= 0) pages.errors.splice(refused, 1);
  });
});
