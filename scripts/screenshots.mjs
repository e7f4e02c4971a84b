#!/usr/bin/env node
/**
 * Screenshots of the real dashboard for the README: `npm run build && node scripts/screenshots.mjs`.
 * Starts the built server with the default directory, sends a little IdP-like traffic (an Entra-style PATCH among
 * it), opens the dashboard in Debian's Chromium (/usr/bin/chromium, or CHROMIUM=path) at 1280x800 and saves
 *   docs/dashboard-requests.png   the requests view with the Entra PATCH selected
 *   docs/dashboard-faults.png     the faults view with a few rules and their counters
 * With --narrow it also saves the same two at 390x844 (docs/dashboard-*-narrow.png) to check the small layout.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'docs');
const executablePath = process.env.CHROMIUM ?? '/usr/bin/chromium';
const narrow = process.argv.includes('--narrow');
if (!existsSync(join(root, 'dist/dashboard/main.js'))) throw new Error('build first: npm run build');
if (!existsSync(executablePath)) throw new Error(`no Chromium at ${executablePath} (apt-get install chromium, or set CHROMIUM)`);
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

const { startScimulator } = await import(join(root, 'dist/index.js'));
const scim = await startScimulator({ seeding: { file: join(root, 'seeds/default.json') } });
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const send = (method, path, body, headers = {}) =>
  fetch(`${scim.baseUrl}${path}`, {
    method,
    headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json', 'User-Agent': 'Azure AD SCIM Provisioning', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
try {
  // Traffic as a sync cycle would send it.
  const users = (await (await send('GET', '/Users?count=3')).json()).Resources;
  await send('GET', `/Users?filter=${encodeURIComponent(`userName eq "${users[0].userName}"`)}`);
  await send('POST', '/Users', { schemas: [USER], userName: 'ada.lovelace@example.com', name: { givenName: 'Ada', familyName: 'Lovelace' }, active: true });
  await send('POST', '/Users', { schemas: [USER], userName: users[1].userName });
  const entra = await send('PATCH', `/Users/${users[0].id}`, {
    schemas: [PATCH],
    Operations: [
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Add', path: 'title', value: 'Engineer' },
    ],
  });
  await scim.faults.add({ name: 'throttled', action: { type: 'error', status: 429, retryAfter: 2 }, times: 1 });
  await scim.faults.add({ name: 'slow lists', match: { operation: 'list' }, action: { type: 'latency', minMs: 40, maxMs: 120 } });
  await scim.faults.add({ name: 'duplicate userName', match: { operation: 'create', resourceType: 'User' }, action: { type: 'conflict', kind: 'uniqueness' }, probability: 0.2 });
  await send('GET', `/Users/${users[2].id}`);
  await send('GET', '/Groups?excludedAttributes=members');
  await send('PATCH', `/Users/${users[2].id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] }, { 'User-Agent': 'Okta SCIM Client 1.0.0' });
  const entraSeq = Number((await scim.requests.find({ operation: 'patch', limit: 1 }))[0].seq);
  if (entra.status !== 200) throw new Error(`the Entra PATCH answered ${entra.status}`);

  const sizes = [['', { width: 1280, height: 800 }], ...(narrow ? [['-narrow', { width: 390, height: 844 }]] : [])];
  mkdirSync(out, { recursive: true });
  for (const [suffix, viewport] of sizes) {
    const page = await browser.newPage({ viewport, colorScheme: 'light' });
    await page.goto(scim.dashboardUrl);
    const row = page.locator(`#requests-body tr[data-seq="${entraSeq}"]`);
    await row.click();
    await page.locator('#request-body').waitFor();
    await page.screenshot({ path: join(out, `dashboard-requests${suffix}.png`) });
    await page.click('a[href="#faults"]');
    await page.locator('#faults-body tr[data-fault]').first().waitFor();
    await page.getByRole('button', { name: '503 outage' }).click();
    await page.screenshot({ path: join(out, `dashboard-faults${suffix}.png`) });
    await page.close();
  }
  process.stdout.write(`screenshots in ${out}\n`);
} finally {
  await browser.close();
  await scim.close();
}
