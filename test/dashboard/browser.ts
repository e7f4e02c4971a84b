/**
 * Real Chromium for the dashboard tests: Debian's /usr/bin/chromium (or $CHROMIUM) driven by playwright-core.
 * Every page records its console errors, uncaught exceptions and the URL of every request it makes, so a test
 * can check that nothing went wrong and nothing left the server's origin. browserSuite() gives a describe block the
 * hooks that launch Chromium and a server, and check and close every page after each test.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { startScimulator, type ScimulatorHandle, type StartOptions } from '../../src/index.js';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Whether the browser tests run: Chromium is there; under CI=true its absence is an error, not a skip. */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `no Chromium at ${CHROMIUM}: the dashboard's browser tests need it (apt-get install chromium, or set CHROMIUM)`;
  if (process.env.CI === 'true') throw new Error(message);
  process.stderr.write(`\nSKIPPED: ${message}\n`);
  return false;
}

export function launch(): Promise<Browser> {
  // launch() gives every run a new, empty profile (user data dir) of its own.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 60_000 });
}

export interface Recorded {
  page: Page;
  /** Console errors and uncaught exceptions, in order. */
  errors: string[];
  /** Every URL the page requested. */
  urls: string[];
}

export async function openPage(browser: Browser, viewport = { width: 1280, height: 800 }): Promise<Recorded> {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  const page = await context.newPage();
  const recorded: Recorded = { page, errors: [], urls: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') recorded.errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  page.on('pageerror', (err) => recorded.errors.push(`exception: ${err.message}`));
  page.on('request', (req) => recorded.urls.push(req.url()));
  return recorded;
}

/**
 * Checks and closes the pages a test opened (emptying `pages`): no console error or exception but those `expected`
 * allows, and no request that left `origin`.
 */
export async function closeCheckedPages(pages: Recorded[], origin: string, expected: readonly RegExp[]): Promise<void> {
  for (const { page, errors, urls } of pages.splice(0)) {
    const unexpected = errors.filter((e) => !expected.some((re) => re.test(e)));
    expect(unexpected, 'console errors and exceptions').toEqual([]);
    const elsewhere = urls.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:') && !u.startsWith('blob:'));
    expect(elsewhere, 'requests to another origin').toEqual([]);
    await page.context().close();
  }
}

/** The dashboard opened and its live feed connected (the hello event shows the journal's capacity). */
export async function openDashboard(recorded: Recorded, url: string): Promise<Page> {
  const { page } = recorded;
  await page.goto(url);
  await expect.poll(() => page.locator('#journal-stats').textContent(), { timeout: 10_000 }).toMatch(/of 10,000 kept/);
  return page;
}

/** Presses the action's button in the confirmation the page opened (it asks before anything that loses data). */
export async function confirm(page: Page, action: string): Promise<void> {
  const dialog = page.getByRole('alertdialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: action, exact: true }).click();
  await dialog.waitFor({ state: 'hidden' });
}

/** What the tests of a describe block that calls browserSuite() use: set before the first test runs. */
export interface BrowserSuite {
  browser: Browser;
  scim: ScimulatorHandle;
  /** The server's origin: a page request anywhere else fails the test. */
  origin: string;
  /** Console errors the running test provokes on purpose (a failure the page shows); emptied after every test. */
  expectedErrors: RegExp[];
  /** A new page (1280x800 unless given) in a context of its own, checked and closed after the test. */
  open(viewport?: { width: number; height: number }): Promise<Recorded>;
}

/**
 * The hooks of a describe block of dashboard tests in Chromium, registered in it. Before all: Chromium launched and a
 * Scimulator started with `options`, then `started` (what a block reads from the server before its tests). After
 * every test: each page the test opened checked (no console error or uncaught exception but those in
 * `expectedErrors`, no request to another origin) and closed, no page left open beside them, every fault rule
 * removed, then `cleanUp` (what else a test may leave behind); the clean-up runs even when a check fails, so one
 * failure does not spread to the tests after it. After all: both closed.
 */
export function browserSuite(
  options: StartOptions,
  hooks: { started?: (suite: BrowserSuite) => Promise<void>; cleanUp?: (suite: BrowserSuite) => Promise<void> } = {},
): BrowserSuite {
  const pages: Recorded[] = [];
  const suite = {
    expectedErrors: [],
    async open(viewport?: { width: number; height: number }) {
      const recorded = await openPage(suite.browser, viewport);
      pages.push(recorded);
      return recorded;
    },
  } as unknown as BrowserSuite;

  beforeAll(async () => {
    [suite.browser, suite.scim] = await Promise.all([launch(), startScimulator(options)]);
    suite.origin = new URL(suite.scim.url).origin;
    await hooks.started?.(suite);
  }, 90_000);

  afterAll(async () => {
    await suite.browser?.close();
    await suite.scim?.close();
  });

  afterEach(async () => {
    try {
      await closeCheckedPages(pages, suite.origin, suite.expectedErrors);
      expect(suite.browser.contexts().length, 'pages left open that the test did not open with open()').toBe(0);
    } finally {
      pages.length = 0;
      suite.expectedErrors = [];
      for (const context of suite.browser.contexts()) await context.close();
      await suite.scim.faults.clear();
      await hooks.cleanUp?.(suite);
    }
  });
  return suite;
}
