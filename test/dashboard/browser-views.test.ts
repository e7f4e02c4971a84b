/**
 * The dashboard's views in real Chromium: the error banner (shows the latest failure and what to do, can be dismissed
 * from the keyboard, goes when it no longer holds), answers of a tenant no longer shown (dropped by every view that
 * fetches per tenant, and no OAuth token fetched for a tenant left), the Requests view's text search over response
 * bodies (asked of the journal), and the Tenant view's config editor kept while edited. After every test: no console
 * error (other than those a test provokes), no uncaught exception, no request to any other origin.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, chromiumAvailable, confirm, openDashboard } from './browser.js';

/** Opens a view by its link and waits until it shows (the hashchange that shows it comes after click() returns). */
async function openView(page: Page, name: string): Promise<void> {
  await page.getByRole('link', { name, exact: true }).click();
  await page.locator(`#view-${name.toLowerCase()}`).waitFor({ state: 'visible' });
}

/**
 * Records, in the page, the URL of every response body the page has read and acted on: pushed in a task after the
 * body's promise settled, so after the microtasks that continue from it (the view's handling of the answer).
 */
const TRACK_ANSWERS = `
  window.__answered = [];
  const text = Response.prototype.text;
  Response.prototype.text = function () {
    const url = this.url;
    return text.call(this).then((t) => { setTimeout(() => window.__answered.push(url), 0); return t; });
  };
`;

/** Waits until the page has read and handled an answer from a URL containing `part`. */
async function answered(page: Page, part: string): Promise<void> {
  await expect
    .poll(() => page.evaluate((p) => (window as unknown as { __answered: string[] }).__answered.some((u) => u.includes(p)), part), { timeout: 10_000 })
    .toBe(true);
}

const run = chromiumAvailable();

describe.skipIf(!run)('dashboard views in Chromium', () => {
  // ui.expectedErrors: console errors a test provokes on purpose (a failure the page shows), removed from the check.
  const ui = browserSuite(
    { seeding: { seed: 21, users: 12, groups: 2 } },
    {
      // Tenants a test created, also when it failed before deleting them.
      cleanUp: async ({ scim }) => {
        for (const t of await scim.listTenants()) if (t.id !== 'default') await scim.deleteTenant(t.id);
      },
    },
  );

  describe('the error banner', () => {
    it('shows a failed load with what to do, announced as an alert, and goes when the view next loads', async () => {
      const recorded = await ui.open();
      const page = await openDashboard(recorded, ui.scim.dashboardUrl);
      ui.expectedErrors = [/status of 500/];
      let failing = true;
      await page.route('**/tenants/default/faults', (route) =>
        failing && route.request().method() === 'GET'
          ? route.fulfill({ status: 500, contentType: 'application/json', body: JSON.stringify({ error: 'the rule store is unavailable' }) })
          : route.continue(),
      );
      await openView(page, 'Faults');
      const alert = page.getByRole('alert').filter({ hasText: 'fault rules' });
      await expect
        .poll(() => alert.textContent(), { timeout: 10_000 })
        .toBe('The fault rules of tenant "default" could not be loaded: the rule store is unavailable. Press Refresh to try again.');
      expect(await page.locator('#banner').isVisible()).toBe(true);
      // The next load that succeeds (Refresh here; the view's poll would do the same) takes it away.
      failing = false;
      await page.locator('#faults-refresh').click();
      await expect.poll(() => page.locator('#banner').isHidden(), { timeout: 10_000 }).toBe(true);
      expect(await page.locator('#fatal').textContent()).toBe('');
    });

    it('a failed action stays through the reload that follows it; the close button is the next Tab stop and Enter dismisses it', async () => {
      await ui.scim.faults.add({ name: 'kept', action: { type: 'latency', ms: 1 } });
      const recorded = await ui.open();
      await recorded.page.addInitScript(TRACK_ANSWERS);
      const page = await openDashboard(recorded, ui.scim.dashboardUrl);
      ui.expectedErrors = [/status of 503/];
      await page.route('**/tenants/default/faults', (route) =>
        route.request().method() === 'DELETE'
          ? route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: 'busy' }) })
          : route.continue(),
      );
      await openView(page, 'Faults');
      await page.locator('#faults-body tr[data-fault]').first().waitFor();
      await page.locator('#faults-clear').click();
      await confirm(page, 'Remove all');
      await expect.poll(() => page.locator('#fatal').textContent(), { timeout: 10_000 }).toBe('The fault rules were not removed: busy. Press Refresh to see the rules as they are, then try again.');
      // The list loaded again after the failure (it still holds the rule): the failure of the action is still shown.
      await page.evaluate(() => ((window as unknown as { __answered: string[] }).__answered.length = 0));
      await page.locator('#faults-refresh').click();
      await answered(page, '/tenants/default/faults');
      await expect.poll(() => page.locator('#faults-body tr[data-fault]').count()).toBe(1);
      expect(await page.locator('#banner').isVisible()).toBe(true);

      // From the last tab, Tab reaches the close button, announced by its name; Enter dismisses the banner.
      await page.locator('#tabs a[data-view="tenant"]').focus();
      await page.keyboard.press('Tab');
      await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('banner-close');
      expect(await page.getByRole('button', { name: 'Dismiss this message' }).count()).toBe(1);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.locator('#banner').isHidden()).toBe(true);
      // The focus is not lost to the top of the page: it is on the tab of the view shown.
      expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.view)).toBe('faults');
    });

    it('goes when the user switches view or tenant, or when the same action later succeeds; the latest failure replaces an older one', async () => {
      await ui.scim.createTenant({ id: 'banner-other', users: 0, groups: 0 });
      const recorded = await ui.open();
      const page = await openDashboard(recorded, ui.scim.dashboardUrl);
      ui.expectedErrors = [/status of 500/, /status of 503/];
      let status = 500;
      let failing = true;
      await page.route('**/tenants/default/requests', (route) =>
        failing && route.request().method() === 'DELETE'
          ? route.fulfill({ status, contentType: 'application/json', body: JSON.stringify({ error: `journal locked (${status})` }) })
          : route.continue(),
      );
      const failClear = async () => {
        await page.locator('#clear-journal').click();
        await confirm(page, 'Clear journal');
      };

      await failClear();
      await expect.poll(() => page.locator('#fatal').textContent(), { timeout: 10_000 }).toContain('The journal was not cleared: journal locked (500).');
      // The latest failure replaces the one shown.
      status = 503;
      await failClear();
      await expect.poll(() => page.locator('#fatal').textContent(), { timeout: 10_000 }).toContain('journal locked (503)');
      // Another view: gone.
      await openView(page, 'Directory');
      await expect.poll(() => page.locator('#banner').isHidden()).toBe(true);

      await openView(page, 'Requests');
      await failClear();
      await expect.poll(() => page.locator('#banner').isVisible(), { timeout: 10_000 }).toBe(true);
      // Another tenant: gone.
      await page.locator('#tenant-select').selectOption('banner-other');
      await expect.poll(() => page.locator('#banner').isHidden()).toBe(true);

      await page.locator('#tenant-select').selectOption('default');
      await expect.poll(() => page.locator('#journal-stats').textContent(), { timeout: 10_000 }).toMatch(/of 10,000 kept/);
      await failClear();
      await expect.poll(() => page.locator('#banner').isVisible(), { timeout: 10_000 }).toBe(true);
      // The same action succeeds: gone.
      failing = false;
      await failClear();
      await expect.poll(() => page.locator('#banner').isHidden(), { timeout: 10_000 }).toBe(true);
    });
  });

  it('text search finds a string that only a response body holds (a userName in a list response), also in rows that arrive while it is typed', async () => {
    const auth = { Authorization: `Bearer ${ui.scim.token}` };
    const users = (await (await fetch(`${ui.scim.baseUrl}/Users?startIndex=9&count=3`, { headers: auth })).json()).Resources as Array<{ userName: string }>;
    const wanted = users[1]!.userName;
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    // The userName is in no request line, header or request body: only in the answer to this list request.
    await fetch(`${ui.scim.baseUrl}/Groups?count=2`, { headers: auth });
    await fetch(`${ui.scim.baseUrl}/Users?startIndex=8&count=4`, { headers: auth });
    const rows = page.locator('#requests-body tr');
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBeGreaterThanOrEqual(3);
    await page.locator('#f-text').fill(wanted.toUpperCase());
    await expect.poll(() => rows.allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('startIndex=8&count=4'), expect.stringContaining('startIndex=9&count=3')]);
    // A request sent while the search is set: its row shows once its response is known.
    await fetch(`${ui.scim.baseUrl}/Users?startIndex=10&count=1`, { headers: auth });
    await fetch(`${ui.scim.baseUrl}/Users?startIndex=1&count=1`, { headers: auth });
    await expect.poll(() => rows.count(), { timeout: 10_000 }).toBe(3);
    expect(await rows.first().textContent()).toContain('startIndex=10&count=1');
    // A string in no body: nothing.
    await page.locator('#f-text').fill('no-such-user-anywhere');
    await expect.poll(() => rows.count()).toBe(0);
  });

  it('text search finds what only a response header holds: "ETag: W/..." of one answer, as the detail shows it', async () => {
    const auth = { Authorization: `Bearer ${ui.scim.token}` };
    const user = ((await (await fetch(`${ui.scim.baseUrl}/Users?startIndex=2&count=1`, { headers: auth })).json()).Resources as Array<{ id: string }>)[0]!;
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const patch = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Found by its ETag' }] };
    const patched = await fetch(`${ui.scim.baseUrl}/Users/${user.id}`, { method: 'PATCH', headers: { ...auth, 'Content-Type': 'application/scim+json' }, body: JSON.stringify(patch) });
    expect(patched.status).toBe(200);
    const etag = patched.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    await fetch(`${ui.scim.baseUrl}/Groups?count=1`, { headers: auth });
    const rows = page.locator('#requests-body tr');
    await rows.filter({ hasText: '/Groups' }).first().waitFor({ timeout: 10_000 });
    // The answer's body holds the version too (meta.version), but not as an "etag:" line: only its header does.
    await page.locator('#f-text').fill(`etag: ${etag!.toUpperCase()}`);
    await expect.poll(() => rows.allTextContents(), { timeout: 10_000 }).toEqual([expect.stringMatching(new RegExp(`PATCH.*${user.id}`))]);
    await page.locator('#f-text').fill('etag: W/"no-such-version"');
    await expect.poll(() => rows.count()).toBe(0);
  });

  it('text search asks the journal for the text instead of reading every response body: a string only one response holds, among 200 large answers', async () => {
    const tenant = await ui.scim.createTenant({ id: 'search-big', users: 12, groups: 0 });
    const auth = { Authorization: `Bearer ${tenant.token}` };
    const get = async (path: string) => (await fetch(`${tenant.baseUrl}${path}`, { headers: auth })).text();
    // The userName is in no request line, header or request body: only in the answer to this list request.
    const wanted = (JSON.parse(await get('/Users?startIndex=5&count=1')) as { Resources: Array<{ userName: string }> }).Resources[0]!.userName;
    // Answers that hold no user, but are large: reading every response body would read them all.
    for (let i = 0; i < 200; i += 10) await Promise.all(Array.from({ length: 10 }, () => get('/Schemas')));
    expect(await tenant.control.requests.count({ text: wanted })).toBe(1);

    const recorded = await ui.open();
    // Every answer from the journal's entries the page reads (GET /requests?...), with its size.
    await recorded.page.addInitScript(`
      window.__journalReads = [];
      const text = Response.prototype.text;
      Response.prototype.text = function () {
        const url = this.url;
        return text.call(this).then((t) => { if (url.includes('/requests?')) window.__journalReads.push({ url, chars: t.length }); return t; });
      };
    `);
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.locator('#tenant-select').selectOption('search-big');
    const rows = page.locator('#requests-body tr');
    await expect.poll(() => rows.count(), { timeout: 20_000 }).toBe(201);
    await page.locator('#f-text').fill(wanted.toUpperCase());
    await expect.poll(() => rows.allTextContents(), { timeout: 10_000 }).toEqual([expect.stringContaining('startIndex=5&count=1')]);
    const reads = await page.evaluate(() => (window as unknown as { __journalReads: Array<{ url: string; chars: number }> }).__journalReads);
    expect(reads.length).toBeGreaterThan(0);
    for (const r of reads) expect(new URL(r.url).searchParams.get('text'), r.url).toBe(wanted.toLowerCase());
    // One entry without its response, not 200 answers of /Schemas.
    expect(reads.reduce((n, r) => n + r.chars, 0)).toBeLessThan(20_000);
    await ui.scim.deleteTenant('search-big');
  });

  it('Tenant view: text typed into the config editor survives the reloads that follow; a changed server config is announced, and loaded only when asked', async () => {
    const tenant = await ui.scim.createTenant({ id: 'editing', users: 0, groups: 0, profile: 'rfc' });
    const recorded = await ui.open();
    await recorded.page.addInitScript(TRACK_ANSWERS);
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.locator('#tenant-select').selectOption('editing');
    await openView(page, 'Tenant');
    const editor = page.locator('#config-editor');
    const shown = async () => JSON.parse((await editor.inputValue()) || '{}') as { profile?: string; defaultPageSize?: number };
    await expect.poll(async () => (await shown()).profile).toBe('rfc');
    const notice = page.locator('#config-changed');
    /**
     * Shows the view again and waits until the page has handled what it loaded for it: the clock and the config (the
     * view shows both once both arrived), the fewer of the two answers counted.
     */
    const loads = () =>
      page.evaluate(() => {
        const urls = (window as unknown as { __answered: string[] }).__answered;
        return Math.min(...['/tenants/editing/clock', '/tenants/editing/config'].map((end) => urls.filter((u) => u.endsWith(end)).length));
      });
    const reloadView = async () => {
      const before = await loads();
      await openView(page, 'Requests');
      await openView(page, 'Tenant');
      await expect.poll(loads, { timeout: 10_000 }).toBeGreaterThan(before);
    };

    const typed = '{\n  "defaultPageSize": 7\n}';
    await editor.fill(typed);
    // Loaded again, the server's config unchanged: the text stays, and there is nothing to announce.
    await reloadView();
    expect(await editor.inputValue()).toBe(typed);
    expect(await notice.isHidden()).toBe(true);
    // The config changed elsewhere (another tab, a test harness), loaded again: the text stays, the change is announced.
    await tenant.control.config.update({ defaultPageSize: 50 });
    await reloadView();
    expect(await editor.inputValue()).toBe(typed);
    await expect.poll(() => notice.isVisible()).toBe(true);
    // A profile picked here: its answer does not overwrite the text either.
    await page.locator('#profile').selectOption('okta');
    await expect.poll(() => page.locator('#config-message').textContent()).toBe('Config applied.');
    expect(await editor.inputValue()).toBe(typed);
    // Asked for: the server's config, in place of the text.
    await notice.getByRole('button', { name: "Load the server's config" }).click();
    await expect.poll(shown).toMatchObject({ profile: 'okta', defaultPageSize: 50 });
    await expect.poll(() => notice.isHidden()).toBe(true);
    // Not edited: a reload shows the server's config as it is now.
    await tenant.control.config.update({ defaultPageSize: 40 });
    await reloadView();
    await expect.poll(shown).toMatchObject({ defaultPageSize: 40 });
    // Edited, then reverted.
    await editor.fill('{"defaultPageSize": 3}');
    await page.getByRole('button', { name: 'Revert', exact: true }).click();
    await expect.poll(shown).toMatchObject({ profile: 'okta', defaultPageSize: 40 });
    // Edited and applied: the answer fills the editor, which then follows the server again.
    await editor.fill('{"defaultPageSize": 25}');
    await page.getByRole('button', { name: 'Apply config' }).click();
    await expect.poll(async () => (await tenant.control.config.get()).defaultPageSize).toBe(25);
    await expect.poll(shown).toMatchObject({ profile: 'okta', defaultPageSize: 25 });
    await tenant.control.config.update({ defaultPageSize: 30 });
    await reloadView();
    await expect.poll(shown).toMatchObject({ defaultPageSize: 30 });
    expect(await notice.isHidden()).toBe(true);
    await ui.scim.deleteTenant('editing');
  });

  describe('no OAuth 2.0 token is fetched for a tenant the user left while the Directory prepared its first request', () => {
    // Held back: the tenant's config (whose answer says oauth), or its OAuth settings (whose answer names the token endpoint).
    for (const endpoint of ['config', 'oauth']) {
      it(`left while /${endpoint} was on its way`, async () => {
        const left = await ui.scim.createTenant({ id: `oauth-left-${endpoint}`, users: 2, groups: 0 });
        await left.control.config.update({ auth: { mode: 'oauth', clientId: 'left-app', clientSecret: 'left-secret' } });
        const shown = await ui.scim.createTenant({ id: `oauth-shown-${endpoint}`, users: 1, groups: 0 });
        const recorded = await ui.open();
        await recorded.page.addInitScript(TRACK_ANSWERS);
        // Every fetch the page starts, recorded as it is called (before any answer).
        await recorded.page.addInitScript(`
          window.__fetched = [];
          const fetch0 = window.fetch;
          window.fetch = function (input, init) {
            window.__fetched.push(((init && init.method) || 'GET') + ' ' + String(input instanceof Request ? input.url : input));
            return fetch0.apply(this, arguments);
          };
        `);
        const page = await openDashboard(recorded, ui.scim.dashboardUrl);
        await openView(page, 'Directory');
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let asked = 0;
        await page.route(`**/tenants/oauth-left-${endpoint}/${endpoint}`, async (route) => {
          asked++;
          await held;
          await route.continue();
        });
        await page.locator('#tenant-select').selectOption(`oauth-left-${endpoint}`);
        await expect.poll(() => asked, { timeout: 10_000 }).toBeGreaterThan(0);
        await page.locator('#tenant-select').selectOption(`oauth-shown-${endpoint}`);
        await expect.poll(() => page.locator('#d-body tr[data-id]').count(), { timeout: 10_000 }).toBe(1);
        const before = await page.evaluate(() => (window as unknown as { __fetched: string[] }).__fetched.length);
        release();
        // The page read the held answer and acted on it (any request it makes from it starts before this holds).
        await answered(page, `/tenants/oauth-left-${endpoint}/${endpoint}`);
        const after = await page.evaluate((n) => (window as unknown as { __fetched: string[] }).__fetched.slice(n), before);
        // Nothing for the tenant left, and no OAuth settings or token asked of anyone (the shown tenant uses a bearer token).
        expect(after.filter((f) => f.includes(`/tenants/oauth-left-${endpoint}/`) || /\/oauth(\/|$)/.test(f.split('?')[0]!)), 'requests for the tenant left').toEqual([]);
        expect(await left.control.requests.count({ operation: 'token' })).toBe(0);
        expect(await shown.control.requests.count({ operation: 'token' })).toBe(0);
        expect(await page.locator('#d-error').isHidden()).toBe(true);
        await page.unroute(`**/tenants/oauth-left-${endpoint}/${endpoint}`);
        // Shown again: the directory of the OAuth tenant loads with a token of its own.
        await page.locator('#tenant-select').selectOption(`oauth-left-${endpoint}`);
        await expect.poll(() => page.locator('#d-body tr[data-id]').count(), { timeout: 10_000 }).toBe(2);
        expect(await left.control.requests.count({ operation: 'token' })).toBe(1);
        await page.locator('#tenant-select').selectOption('default');
        await ui.scim.deleteTenant(`oauth-left-${endpoint}`);
        await ui.scim.deleteTenant(`oauth-shown-${endpoint}`);
      });
    }
  });

  describe("a tenant's answer that arrives after another tenant was picked is not shown", () => {
    /** Per view: the control endpoint to hold back, and whether the view shows the slow tenant's answer. */
    const cases: Array<{ view: string; endpoint: string; showsSlow: string; showsFast: string }> = [
      {
        view: 'Conformance',
        endpoint: 'conformance',
        showsSlow: `/of 3 requests/.test(document.getElementById('conformance-summary').textContent)`,
        showsFast: `/of 1 requests/.test(document.getElementById('conformance-summary').textContent)`,
      },
      {
        view: 'Faults',
        endpoint: 'faults',
        showsSlow: `document.getElementById('faults-body').textContent.includes('slow-rule')`,
        showsFast: `document.getElementById('faults-body').textContent.includes('fast-rule')`,
      },
      {
        view: 'Tenant',
        endpoint: 'clock',
        showsSlow: `document.getElementById('profile').value === 'entra' || document.getElementById('config-editor').value.includes('"entra"')`,
        showsFast: `document.getElementById('profile').value === 'rfc' && document.getElementById('config-editor').value.includes('"rfc"')`,
      },
    ];

    for (const { view, endpoint, showsSlow, showsFast } of cases) {
      it(`${view} view`, async () => {
        const slow = await ui.scim.createTenant({ id: 'stale-slow', users: 0, groups: 0, profile: 'entra' });
        const fast = await ui.scim.createTenant({ id: 'stale-fast', users: 0, groups: 0, profile: 'rfc' });
        await slow.control.faults.add({ name: 'slow-rule', match: { path: '/nowhere' }, action: { type: 'latency', ms: 1 } });
        await fast.control.faults.add({ name: 'fast-rule', match: { path: '/nowhere' }, action: { type: 'latency', ms: 1 } });
        const get = (t: { baseUrl: string; token?: string }) => fetch(`${t.baseUrl}/ServiceProviderConfig`, { headers: { Authorization: `Bearer ${t.token ?? ''}` } });
        for (let i = 0; i < 3; i++) expect((await get(slow)).status).toBe(200);
        expect((await get(fast)).status).toBe(200);

        const recorded = await ui.open();
        await recorded.page.addInitScript(TRACK_ANSWERS);
        const page = await openDashboard(recorded, ui.scim.dashboardUrl);
        await openView(page, view);

        // The slow tenant's answer is held back until the fast tenant's view is shown.
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let asked = 0;
        await page.route(`**/tenants/stale-slow/${endpoint}`, async (route) => {
          asked++;
          await held;
          await route.continue();
        });
        await page.locator('#tenant-select').selectOption('stale-slow');
        await expect.poll(() => asked, { timeout: 10_000 }).toBeGreaterThan(0);
        await page.locator('#tenant-select').selectOption('stale-fast');
        await expect.poll(() => page.evaluate(showsFast), { timeout: 10_000 }).toBe(true);

        // From now on, any moment the view shows the slow tenant's answer is recorded. (The check is compiled here,
        // through the debugger protocol: the page's Content-Security-Policy allows no eval in the page itself.)
        await page.evaluate(`window.__showsSlow = () => (${showsSlow})`);
        await page.evaluate(() => {
          const w = window as unknown as { __stale: boolean; __showsSlow: () => boolean };
          w.__stale = false;
          new MutationObserver(() => {
            if (w.__showsSlow()) w.__stale = true;
          }).observe(document.querySelector('main')!, { subtree: true, childList: true, characterData: true, attributes: true });
        });
        release();
        await answered(page, `/tenants/stale-slow/${endpoint}`);
        expect(await page.evaluate(() => (window as unknown as { __stale: boolean }).__stale), "the slow tenant's answer was shown").toBe(false);
        expect(await page.evaluate(showsSlow)).toBe(false);
        expect(await page.evaluate(showsFast)).toBe(true);
        expect(await page.locator('#tenant-select').inputValue()).toBe('stale-fast');
      });
    }
  });
});
