/**
 * Real Chromium for the dashboard tests: Debian's /usr/bin/chromium (or $CHROMIUM) driven by playwright-core.
 * Every page records its console errors, uncaught exceptions and the URL of every request it makes, so a test
 * can check that nothing went wrong and nothing left the server's origin.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

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
