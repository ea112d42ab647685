/**
 * Debian's Chromium for the console's browser tests, driven by playwright-core: whether to skip,
 * the launch, pages that collect what the browser logs as an error, and the sign-in form.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import type { Login } from './console-session.js';

export const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const DESKTOP = { width: 1280, height: 800 };
// Generous: the whole suite runs in parallel on two cores, and Chromium's first page is slow.
const TIMEOUT = 30_000;

/**
 * The `skip` option of a browser suite: false when Chromium is installed; otherwise the reason,
 * also printed under the suite's label. With RAMPART_REQUIRE_SERVICES set (CI) nothing skips, so a
 * missing Chromium fails at the launch instead.
 */
export function skipWithoutChromium(label: string): string | false {
  const skip = !existsSync(CHROMIUM) && !process.env.RAMPART_REQUIRE_SERVICES ? `Chromium is not installed at ${CHROMIUM} (apt-get install -y chromium)` : false;
  if (skip) process.stdout.write(`# ${label} skipped: ${skip}\n`);
  return skip;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: TIMEOUT });
}

/**
 * A suite's Chromium: made where the suite is declared (so its hooks can name it), launched in
 * `before`. Each page has a context of its own, so one test's sign-in is not another's.
 */
export class BrowserPages {
  /** Errors the browser logs (a script or style the CSP refuses shows up here); each test ends with none. */
  readonly errors: string[] = [];
  private browser: Browser | undefined;

  /** `context` applies to every page, e.g. `{ acceptDownloads: true }`. */
  constructor(private readonly context: BrowserContextOptions = {}) {}

  async launch(): Promise<void> {
    this.browser = await launchChromium();
  }

  async close(): Promise<void> {
    await this.browser?.close();
  }

  async newPage(viewport = DESKTOP): Promise<Page> {
    if (!this.browser) throw new Error('BrowserPages.newPage before launch()');
    const context = await this.browser.newContext({ ...this.context, viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(TIMEOUT);
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(message.text());
    });
    page.on('pageerror', (error) => this.errors.push(error.message));
    return page;
  }
}

/** Signs in through the form on the login page and waits for the inventory. */
export async function signIn(page: Page, base: string, login: Login): Promise<void> {
  await page.goto(`${base}/console/login`);
  await page.fill('#username', login.userPrincipalName);
  await page.fill('#password', login.password);
  await page.press('#password', 'Enter');
  await page.waitForURL(`${base}/console/machines`);
}
