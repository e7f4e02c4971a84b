/**
 * The dashboard in real Chromium against a running Scimulator (the acceptance of issue #12): live rows, entry
 * details, conformance, fault presets, the directory, reset, the control token, keyboard use and both screen
 * sizes. After every test: no console error, no uncaught exception, no request to any other origin.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startScimulator, type ScimulatorHandle } from '../../src/index.js';
import { browserSuite, chromiumAvailable, confirm, launch, openDashboard, openPage } from './browser.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A request as a curl-like tool sends it (its headers, a JSON body). */
function curlLike(scim: ScimulatorHandle, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${scim.baseUrl}${path}`, {
    method,
    headers: {
      'User-Agent': 'curl/8.5.0',
      Accept: '*/*',
      Authorization: `Bearer ${scim.token}`,
      ...(body === undefined ? {} : { 'Content-Type': 'application/scim+json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const run = chromiumAvailable();

describe.skipIf(!run)('dashboard in Chromium', () => {
  let users: Array<{ id: string; userName: string }>;
  // ui.expectedErrors: console errors a test provokes on purpose (a 400 the page shows inline), removed from the check.
  const ui = browserSuite(
    { seeding: { seed: 12, users: 30, groups: 4 } },
    {
      started: async ({ scim }) => {
        users = (await (await curlLike(scim, 'GET', '/Users?count=5')).json()).Resources;
      },
    },
  );

  it('shows a PATCH sent by curl-like code as a row within 1 s, without reload; selecting it shows its body', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const user = users[0];
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Streamed live' }] };
    const res = await curlLike(ui.scim, 'PATCH', `/Users/${user.id}`, body);
    const answered = Date.now();
    expect(res.status).toBe(200);
    const row = page.locator('#requests-body tr', { hasText: user.id }).filter({ hasText: 'PATCH' });
    await row.waitFor({ timeout: 5000 });
    const elapsed = Date.now() - answered;
    expect(elapsed, 'ms from the response to the row').toBeLessThan(1000);
    // Still the same document: no navigation, no reload.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
    await expect.poll(() => row.locator('.status').textContent()).toBe('200');

    await row.click();
    const shown = await page.locator('#request-body').textContent();
    expect(JSON.parse(shown ?? '')).toEqual(body);
    expect(await page.locator('#entry').textContent()).toContain('Bearer [REDACTED]');
    // The response comes from GET /requests/{id} (the live feed leaves it out).
    await page.locator('#response-body').waitFor();
    expect(JSON.parse((await page.locator('#response-body').textContent()) ?? '')).toMatchObject({ id: user.id, title: 'Streamed live' });
    // Copy as curl: the same request, the token as a shell variable.
    const curl = await page.locator('#curl-text').textContent();
    expect(curl).toContain(`curl -X PATCH '${ui.scim.baseUrl}/Users/${user.id}'`);
    expect(curl).toContain(`-H 'user-agent: curl/8.5.0' -H 'accept: */*' -H "authorization: Bearer $TOKEN" -H 'content-type: application/scim+json'`);
    expect(curl).toContain(`--data-raw '${JSON.stringify(body)}'`);
    expect(curl).not.toContain(ui.scim.token);
  });

  it('text search finds what the row and the detail show: a filter with its quotes, a query parameter, a body value with quotes', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    // An Entra existence check and an Okta-style create whose name has quotes in it.
    await curlLike(ui.scim, 'GET', `/Users?filter=${encodeURIComponent('userName eq "search.me@example.com"')}&count=7`);
    // (A PATCH of a seeded user, not a new one: the other tests count the users.)
    await curlLike(ui.scim, 'PATCH', `/Users/${users[4].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Seán "Q" O\'Brien' }] });
    await page.locator('#requests-body tr', { hasText: users[4].id }).filter({ hasText: 'PATCH' }).first().waitFor({ timeout: 5000 });
    const rowsFor = async (text: string) => {
      await page.locator('#f-text').fill(text);
      return page.locator('#requests-body tr').allTextContents();
    };
    const search = await rowsFor('userName eq "search.me@example.com"');
    expect(search).toHaveLength(1);
    expect(search[0]).toContain('search.me');
    expect(await rowsFor('count=7')).toHaveLength(1);
    expect(await rowsFor('Users?filter=userName')).toHaveLength(1);
    const patched = await rowsFor('Seán "Q" O\'Brien');
    expect(patched).toHaveLength(1);
    expect(patched[0]).toContain('PATCH');
    expect(await rowsFor('user-agent: curl/8.5.0')).not.toHaveLength(0);
    expect(await rowsFor('no such text anywhere')).toHaveLength(0);
  });

  it('says, beside copy as curl, when the journal cut the body (the command cannot send the whole request)', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    // A POST /.search (it creates nothing: the other tests count the users) with a 70 KB body.
    // (The filter is over the 8192-character limit: a 400 invalidFilter, recorded like any request.)
    const res = await curlLike(ui.scim, 'POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], filter: `userName eq "${'x'.repeat(70_000)}"` });
    expect(res.status).toBe(400);
    await page.locator('#f-text').fill('xxxxxxxxxxxxxxxxxxxx');
    const row = page.locator('#requests-body tr', { hasText: '/.search' }).first();
    await row.waitFor({ timeout: 5000 });
    await row.click();
    await expect.poll(() => page.locator('#curl-note').textContent()).toMatch(/first 64 KiB/);
    // A body kept whole has no such note.
    await page.locator('#f-text').fill('');
    await curlLike(ui.scim, 'POST', '/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], count: 1, filter: 'userName eq "small.body"' });
    await page.locator('#f-text').fill('small.body');
    const small = page.locator('#requests-body tr', { hasText: '/.search' }).first();
    await small.waitFor({ timeout: 5000 });
    await small.click();
    await expect.poll(() => page.locator('#entry h2').textContent()).toContain('/.search');
    expect(await page.locator('#curl-note').count()).toBe(0);
  });

  it('shows a binary body the service refused (415, application/octet-stream) as bytes: its size and a hex dump, not mojibake', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const bytes = Buffer.concat([Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe]), Buffer.from('\x89PNG\r\n\x1a\n', 'latin1'), Buffer.alloc(300, 0xab)]);
    const res = await fetch(`${ui.scim.baseUrl}/Users?binary=1`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ui.scim.token}`, 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    expect(res.status).toBe(415);
    // The journal API: the bytes exactly, beside the UTF-8 decoding every body has in requestBody.
    const [entry] = await ui.scim.requests.list({ order: 'desc', limit: 1 });
    expect(entry!.requestBodyBase64).toBe(bytes.toString('base64'));
    expect(entry!.requestBody).toBe(bytes.toString('utf8'));
    const row = page.locator('#requests-body tr', { hasText: 'binary=1' });
    await row.waitFor({ timeout: 5000 });
    await row.click();
    const block = page.locator('#request-body');
    await block.waitFor();
    expect(await page.locator('#entry').textContent()).toContain('(binary, 313 bytes)');
    const dump = (await block.textContent()) ?? '';
    expect(dump.split('\n')[0]).toBe('00000000  00 01 02 ff fe 89 50 4e  47 0d 0a 1a 0a ab ab ab  |......PNG.......|');
    expect(dump.split('\n')).toHaveLength(16); // the first 256 bytes
    expect(dump).not.toContain('\ufffd');
    expect(await page.locator('#request-body-base64').textContent()).toBe(bytes.toString('base64'));
    // Copy as curl pipes the same bytes in.
    expect(await page.locator('#curl-text').textContent()).toContain(`printf '%s' '${bytes.toString('base64')}' | base64 -d | curl -X POST`);

    // A text body sent as octet-stream stays text, in the API as on the page.
    await fetch(`${ui.scim.baseUrl}/Users?binary=0`, { method: 'POST', headers: { Authorization: `Bearer ${ui.scim.token}`, 'Content-Type': 'application/octet-stream' }, body: '{"userName":"octet.text"}' });
    const [text] = await ui.scim.requests.list({ order: 'desc', limit: 1 });
    expect(text).not.toHaveProperty('requestBodyBase64');
    expect(text!.requestBody).toEqual({ userName: 'octet.text' });
    const textRow = page.locator('#requests-body tr', { hasText: 'binary=0' });
    await textRow.waitFor({ timeout: 5000 });
    await textRow.click();
    await expect.poll(() => page.locator('#request-body').textContent()).toBe(JSON.stringify({ userName: 'octet.text' }, null, 2));
  });

  it('a PATCH whose answer a fault replaced after the handler committed: the detail says the change was made and shows the committed answer', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const user = users[2];
    await ui.scim.faults.add({ name: 'gateway timeout after commit', match: { operation: 'patch' }, action: { type: 'error', status: 504, phase: 'after' }, times: 1 });
    const body = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Committed anyway' }] };
    expect((await curlLike(ui.scim, 'PATCH', `/Users/${user.id}`, body)).status).toBe(504);
    const row = page.locator('#requests-body tr', { hasText: user.id }).filter({ hasText: '504' });
    await row.waitFor({ timeout: 5000 });
    await row.click();
    expect(await page.locator('#fault-details').textContent()).toBe('after the handler committed (see below)');
    await expect.poll(() => page.locator('#committed-note').textContent()).toMatch(/answered 200, so its change is in the directory; .* the client got 504/);
    expect(JSON.parse((await page.locator('#committed-body').textContent()) ?? '')).toMatchObject({ id: user.id, title: 'Committed anyway' });
    // The response the client got is shown as before.
    expect(JSON.parse((await page.locator('#response-body').textContent()) ?? '')).toMatchObject({ status: '504' });
  });

  it('badges an Entra-style PATCH ("Replace") and lists its code with the RFC section on the Conformance view', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const user = users[1];
    const res = await curlLike(ui.scim, 'PATCH', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'displayName', value: 'Entra Style' }],
    });
    expect(res.status).toBe(200);
    const row = page.locator('#requests-body tr', { hasText: user.id }).filter({ hasText: 'PATCH' });
    await row.locator('.badge.warn[data-code="op-case"]').waitFor({ timeout: 5000 });

    await page.getByRole('link', { name: 'Conformance' }).click();
    const code = page.locator('#conformance-body tr[data-code="op-case"]');
    await code.waitFor();
    expect(await code.locator('td').nth(1).textContent()).toBe('RFC 7644 3.5.2');
    const first = (await ui.scim.conformance()).warnings.find((w) => w.code === 'op-case')!.firstRequestId;
    // Its first request opens in the requests view.
    await code.getByRole('link', { name: first }).click();
    await expect.poll(() => page.locator('#entry dl').textContent()).toContain(first);
    // The link's hash navigation reaches Playwright's page.url() as its own event, after the click.
    await expect.poll(() => page.url()).toMatch(/#requests$/);
  });

  it('badges a behaviour finding (a retry before Retry-After) beside the warnings, lists it on the Conformance view and links its requests', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await ui.scim.faults.add({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 30 }, times: 1 });
    const create = () => curlLike(ui.scim, 'POST', '/Users', { schemas: [USER], userName: 'eager.retry@example.com' });
    expect((await create()).status).toBe(429);
    const created = await create();
    expect(created.status).toBe(201);
    const [entry] = await ui.scim.requests.find({ findingCode: 'retry-before-retry-after' });
    const [earlier] = entry!.findings[0]!.requestIds;
    const row = page.locator(`#requests-body tr[data-seq="${entry!.seq}"]`);
    await row.locator('.badge.finding[data-code="retry-before-retry-after"]').waitFor({ timeout: 5000 });

    await row.click();
    const findings = page.locator('#entry ul.findings li');
    await expect.poll(() => findings.first().textContent()).toContain('too early');
    // The earlier request (the 429 it did not wait out) opens from the finding.
    await findings.first().getByRole('link', { name: earlier! }).click();
    await expect.poll(() => page.locator('#entry dl').textContent()).toContain(earlier!);

    await page.getByRole('link', { name: 'Conformance' }).click();
    const code = page.locator('#behaviour-body tr[data-code="retry-before-retry-after"]');
    await code.waitFor();
    // Both tables are named for a screen reader's table list; one request: "1 request".
    expect(await page.getByRole('table', { name: 'Conformance warnings' }).count()).toBe(1);
    expect(await page.getByRole('table', { name: 'Behaviour findings' }).count()).toBe(1);
    const completed = (await ui.scim.conformance()).requestsWithFindings;
    expect(await page.locator('#behaviour-summary').textContent()).toBe(completed === 1 ? '1 request completed one' : `${completed} requests completed one`);
    expect(await code.locator('td').nth(1).textContent()).toBe('RFC 6585 4; RFC 9110 10.2.3');
    expect(await page.locator('#conformance-body tr[data-code="retry-before-retry-after"]').count()).toBe(0);
    // The directory the later tests count is as seeded again.
    expect((await curlLike(ui.scim, 'DELETE', `/Users/${(await created.json()).id}`)).status).toBe(204);
  });

  it('adds the 429 preset from the UI: the next SCIM request answers 429 with Retry-After, and its row shows the fault', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.getByRole('link', { name: 'Faults' }).click();
    // The view shows on the hash change, after the click returns.
    await expect.poll(() => page.getByRole('table', { name: 'Fault rules' }).count(), { timeout: 5000 }).toBe(1);
    await page.getByRole('button', { name: '429 Retry-After' }).click();
    const rule = JSON.parse(await page.locator('#rule-editor').inputValue());
    expect(rule).toMatchObject({ action: { type: 'error', status: 429, retryAfter: 2 } });
    // Editable before it is added: name it.
    await page.locator('#rule-editor').fill(JSON.stringify({ ...rule, name: 'ui throttle' }, null, 2));
    await page.getByRole('button', { name: 'Add rule' }).click();
    const listed = page.locator('#faults-body tr[data-fault]', { hasText: 'ui throttle' });
    await listed.waitFor();

    const res = await curlLike(ui.scim, 'GET', `/Users/${users[2].id}`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('2');
    // The counters follow.
    await expect.poll(() => listed.locator('td').nth(4).textContent(), { timeout: 5000 }).toBe('1');
    expect(await listed.textContent()).toContain('retired');

    await page.getByRole('link', { name: 'Requests' }).click();
    // The GET answered 429 (an earlier test's PATCH of the same user may hold "429" in its row's text too).
    const row = page.locator('#requests-body tr', { hasText: users[2].id }).filter({ hasText: 'GET' }).filter({ has: page.locator('td', { hasText: /^429$/ }) });
    await expect.poll(() => row.locator('.badge.fault').allTextContents(), { timeout: 5000 }).toContain('ui throttle (error)');
  });

  it('the dashboard\'s own directory requests leave fault rules to the connector: a one-shot 429 is not used up by the Directory view', async () => {
    const rule = await ui.scim.faults.add({ name: 'one 429 for the connector', action: { type: 'error', status: 429, retryAfter: 2 }, times: 1 });
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.getByRole('link', { name: 'Directory' }).click();
    await expect.poll(() => page.locator('#d-body tr[data-id]').count(), { timeout: 5000 }).toBe(25);
    expect(await page.locator('#d-error').isHidden()).toBe(true);
    expect((await ui.scim.faults.list()).find((f) => f.id === rule.id)).toMatchObject({ matched: 0, fired: 0 });
    // The connector's next request gets it.
    expect((await curlLike(ui.scim, 'GET', '/Users?count=1')).status).toBe(429);
  });

  it('the dashboard\'s own directory searches put no warning in the connector\'s conformance summary', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const before = await ui.scim.conformance();
    await page.getByRole('link', { name: 'Directory' }).click();
    await expect.poll(() => page.locator('#d-body tr[data-id]').count(), { timeout: 5000 }).toBeGreaterThan(0);
    // A Group search with a User attribute: the server warns (filter-undefined-attribute), about the dashboard's request.
    await page.locator('#d-type').selectOption('Group');
    await page.locator('#d-filter').fill('userName eq "nobody"');
    await page.locator('#d-filter').press('Enter');
    await expect.poll(() => page.locator('#d-range').textContent()).toBe('0 of 0');
    const own = await ui.scim.requests.find({ path: '**/Groups', limit: 1000 });
    expect(own.some((e) => e.warnings.some((w) => w.code === 'filter-undefined-attribute') && e.requestHeaders['x-scimulator-client'] === 'dashboard')).toBe(true);
    const after = await ui.scim.conformance();
    expect(after.warnings.map((w) => w.code)).not.toContain('filter-undefined-attribute');
    expect(after.totalRequests).toBe(before.totalRequests);
    await page.getByRole('link', { name: 'Conformance' }).click();
    await expect.poll(() => page.locator('#conformance-summary').textContent()).toMatch(/requests in the journal carry warnings/);
    expect(await page.locator('#conformance-body tr[data-code="filter-undefined-attribute"]').count()).toBe(0);
  });

  it('shows the control API validation error beside the rule editor; removes one rule and all rules', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.getByRole('link', { name: 'Faults' }).click();
    await page.locator('#rule-editor').fill('{"action": {"type": "error", "status": 700}}');
    ui.expectedErrors = [/status of 400/];
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => page.locator('#rule-error').textContent()).toMatch(/^action\.status: .*400/);
    // The console message comes as its own event, not necessarily before the text the poll read.
    await expect.poll(() => recorded.errors.filter((e) => /status of 400/.test(e)).length).toBe(1);
    // Not JSON: said at once, nothing sent.
    await page.locator('#rule-editor').fill('{"action": ');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => page.locator('#rule-error').textContent()).toMatch(/^Not valid JSON/);

    for (const label of ['Latency', 'Hang', 'Rate limit']) {
      await page.getByRole('button', { name: label }).click();
      await page.getByRole('button', { name: 'Add rule' }).click();
    }
    await expect.poll(() => page.locator('#faults-body tr[data-fault]').count()).toBe(3);
    const [first] = await ui.scim.faults.list();
    await page.getByRole('button', { name: `Remove ${first.id}` }).click();
    await confirm(page, 'Remove rule');
    await expect.poll(() => page.locator('#faults-body tr[data-fault]').count()).toBe(2);
    expect((await ui.scim.faults.list()).map((f) => f.id)).not.toContain(first.id);
    await page.getByRole('button', { name: 'Remove all' }).click();
    await confirm(page, 'Remove all');
    await expect.poll(() => page.locator('#faults-body tr[data-fault]').count()).toBe(0);
    expect(await ui.scim.faults.list()).toEqual([]);
  });

  it('finds the seeded user with a userName eq filter; a group lists its members, linking to the users', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.getByRole('link', { name: 'Directory' }).click();
    await expect.poll(() => page.getByRole('table', { name: 'Resources' }).locator('tr[data-id]').count()).toBe(25);
    expect(await page.locator('#d-range').textContent()).toBe('1-25 of 30');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.locator('#d-range').textContent()).toBe('26-30 of 30');

    const user = users[3];
    await page.locator('#d-filter').fill(`userName eq "${user.userName.toUpperCase()}"`);
    await page.locator('#d-filter').press('Enter');
    await expect.poll(() => page.locator('#d-body tr[data-id]').count()).toBe(1);
    expect(await page.locator('#d-body tr').getAttribute('data-id')).toBe(user.id);
    await page.locator('#d-body tr a').click();
    expect(JSON.parse((await page.locator('#resource-json').textContent()) ?? '')).toMatchObject({ id: user.id, userName: user.userName });

    // A bad filter: the SCIM error, inline.
    await page.locator('#d-filter').fill('userName eq');
    ui.expectedErrors = [/status of 400/];
    await page.locator('#d-filter').press('Enter');
    await expect.poll(() => page.locator('#d-error').textContent()).toMatch(/^invalidFilter: /);

    const groups = (await (await curlLike(ui.scim, 'GET', '/Groups')).json()).Resources as Array<{ id: string; members?: Array<{ value: string }> }>;
    const group = groups.find((g) => (g.members ?? []).length > 0)!;
    await page.locator('#d-type').selectOption('Group');
    await page.locator('#d-filter').fill(`id eq "${group.id}"`);
    await page.locator('#d-filter').press('Enter');
    await expect.poll(() => page.locator('#d-body tr[data-id]').getAttribute('data-id')).toBe(group.id);
    await page.locator('#d-body tr a').click();
    const member = group.members![0].value;
    await page.locator(`#resource a[data-ref="${member}"]`).click();
    await expect.poll(async () => JSON.parse((await page.locator('#resource-json').textContent()) ?? '{}').id).toBe(member);
    expect(JSON.parse((await page.locator('#resource-json').textContent()) ?? '').schemas).toContain(USER);
  });

  it('the directory works with Basic auth (a non-ASCII password, sent as UTF-8) and with OAuth 2.0 client credentials', async () => {
    const basicTenant = await ui.scim.createTenant({ id: 'basic-auth', users: 2, groups: 0 });
    await basicTenant.control.config.update({ auth: { mode: 'basic', basicUser: 'admin', basicPassword: 'pässwörd-€' } });
    const oauthTenant = await ui.scim.createTenant({ id: 'oauth-auth', users: 3, groups: 0 });
    await oauthTenant.control.config.update({ auth: { mode: 'oauth', clientId: 'okta-app', clientSecret: 's3cret' } });
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.getByRole('link', { name: 'Directory' }).click();
    for (const [id, count] of [['basic-auth', 2], ['oauth-auth', 3]] as const) {
      await page.locator('#tenant-select').selectOption(id);
      await expect.poll(() => page.locator('#d-body tr[data-id]').count(), { timeout: 10_000 }).toBe(count);
      expect(await page.locator('#d-error').isHidden()).toBe(true);
    }
    // A revoked access token: the next search gets a new one.
    await oauthTenant.control.oauth.revokeTokens();
    ui.expectedErrors = [/status of 401/];
    await page.locator('#d-filter').fill('active eq true');
    await page.locator('#d-filter').press('Enter');
    await expect.poll(() => page.locator('#d-range').textContent()).toBe('1-3 of 3');
    expect(await page.locator('#d-error').isHidden()).toBe(true);
    await page.locator('#tenant-select').selectOption('default');
    await ui.scim.deleteTenant('basic-auth');
    await ui.scim.deleteTenant('oauth-auth');
  });

  it('reset from the UI restores a deleted user', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const user = users[4];
    expect((await curlLike(ui.scim, 'DELETE', `/Users/${user.id}`)).status).toBe(204);
    expect((await curlLike(ui.scim, 'GET', `/Users/${user.id}`)).status).toBe(404);
    await page.getByRole('link', { name: 'Tenant' }).click();
    await page.getByRole('button', { name: 'Reset to seed' }).click();
    await confirm(page, 'Reset');
    await expect.poll(() => page.locator('#state-message').textContent()).toMatch(/^Reset to the seed state/);
    expect((await curlLike(ui.scim, 'GET', `/Users/${user.id}`)).status).toBe(200);
    // The journal was cleared with it, and so is the list.
    await page.getByRole('link', { name: 'Requests' }).click();
    await expect.poll(() => page.locator('#requests-body tr').count()).toBeLessThanOrEqual(1);
    // And the directory finds the user again.
    await page.getByRole('link', { name: 'Directory' }).click();
    await page.locator('#d-filter').fill(`userName eq "${user.userName}"`);
    await page.locator('#d-filter').press('Enter');
    await expect.poll(() => page.locator('#d-body tr[data-id]').getAttribute('data-id')).toBe(user.id);
  });

  it('tenant controls: switcher, clock freeze/advance/real, profile, config errors, snapshot download and upload', async () => {
    const tenant = await ui.scim.createTenant({ id: 'ui-tenant', users: 3, groups: 0 });
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.locator('#tenant-select').selectOption('ui-tenant');
    // The live view follows the tenant.
    await fetch(`${tenant.baseUrl}/Users`, { headers: { Authorization: `Bearer ${tenant.token}` } });
    await expect.poll(() => page.locator('#requests-body tr td.col-tenant').first().textContent(), { timeout: 5000 }).toBe('ui-tenant');

    await page.getByRole('link', { name: 'Tenant' }).click();
    // The view's clock and config arrive by fetch after it shows: wait for them, so that they cannot land after (and
    // over) what the test does next.
    await expect.poll(() => page.locator('#clock-now').textContent()).not.toBe('');
    await expect.poll(async () => JSON.parse((await page.locator('#config-editor').inputValue()) || '{}').profile).toBeDefined();
    await page.locator('#freeze-at').fill('2030-01-01T00:00:00Z');
    await page.getByRole('button', { name: 'Freeze' }).click();
    await expect.poll(() => page.locator('#clock-mode').textContent()).toBe('frozen');
    await page.locator('#advance-ms').fill('60000');
    await page.getByRole('button', { name: 'Advance' }).click();
    await expect.poll(() => page.locator('#clock-now').textContent()).toBe('2030-01-01T00:01:00.000Z');
    expect(await tenant.control.clock.now()).toBe('2030-01-01T00:01:00.000Z');
    expect(await ui.scim.clock.now()).not.toBe('2030-01-01T00:01:00.000Z');
    await page.getByRole('button', { name: 'Real time' }).click();
    await expect.poll(() => page.locator('#clock-mode').textContent()).toBe('real time');

    await page.locator('#profile').selectOption('rfc');
    await expect.poll(async () => (await tenant.control.config.get()).profile).toBe('rfc');
    // The page writes the config the server answered into the editor when the answer arrives, which can be after the
    // server applied it: typing before that would be overwritten.
    await expect.poll(() => page.locator('#config-message').textContent()).toBe('Config applied.');
    await page.locator('#config-editor').fill('{"defaultPageSize": 0}');
    ui.expectedErrors = [/status of 400/];
    await page.getByRole('button', { name: 'Apply config' }).click();
    await expect.poll(() => page.locator('#config-message').textContent()).toMatch(/defaultPageSize/);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download snapshot' }).click()]);
    expect(download.suggestedFilename()).toBe('scimulator-ui-tenant-snapshot.json');
    const path = await download.path();
    const { readFile } = await import('node:fs/promises');
    const snapshot = JSON.parse(await readFile(path, 'utf8'));
    expect(snapshot.format).toBe('scimulator-snapshot');
    // Delete a user, upload the snapshot: it is back.
    const [victim] = snapshot.resources.User;
    await fetch(`${tenant.baseUrl}/Users/${victim.id}`, { method: 'DELETE', headers: { Authorization: `Bearer ${tenant.token}` } });
    await page.locator('#snapshot-upload').setInputFiles(path);
    await confirm(page, 'Load snapshot');
    await expect.poll(() => page.locator('#state-message').textContent()).toMatch(/^Loaded /);
    const back = await fetch(`${tenant.baseUrl}/Users/${victim.id}`, { headers: { Authorization: `Bearer ${tenant.token}` } });
    expect(back.status).toBe(200);
    await ui.scim.deleteTenant('ui-tenant');
  });

  it('the tenant picker shows tenants created and deleted through the API while the page is open, without a reload', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const listed = () => page.locator('#tenant-select option').allTextContents();
    expect(await listed()).not.toContain('made-later');
    await ui.scim.createTenant({ id: 'made-later', users: 1, groups: 0 });
    await expect.poll(listed, { timeout: 10_000 }).toContain('made-later');
    await page.getByRole('link', { name: 'Tenant' }).click();
    await expect.poll(() => page.locator('#tenant-list').textContent()).toContain('made-later');
    await ui.scim.deleteTenant('made-later');
    await expect.poll(listed, { timeout: 10_000 }).not.toContain('made-later');
    expect(await page.locator('#tenant-select').inputValue()).toBe('default');
  });

  it('another tenant\'s request with the same seq shows its own detail and response, not the one opened before in the other tenant', async () => {
    const twins = [await ui.scim.createTenant({ id: 'twin-a', users: 1, groups: 0 }), await ui.scim.createTenant({ id: 'twin-b', users: 1, groups: 0 })];
    for (const [i, t] of twins.entries()) {
      const res = await fetch(`${t.baseUrl}/Users?filter=${encodeURIComponent(`userName eq "twin-${i}"`)}`, { headers: { Authorization: `Bearer ${t.token}` } });
      expect(res.status).toBe(200);
    }
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    for (const [i, id] of ['twin-a', 'twin-b'].entries()) {
      await page.locator('#tenant-select').selectOption(id);
      const row = page.locator('#requests-body tr[data-seq="1"]', { hasText: `twin-${i}` });
      await row.waitFor({ timeout: 5000 });
      await row.click();
      // The request line and the response (fetched whole) are this tenant's.
      await expect.poll(() => page.locator('#entry h2').textContent()).toContain(`/tenants/${id}/scim/v2/Users`);
      await expect.poll(() => page.locator('#entry dl').textContent()).toContain(id);
      await page.locator('#response-body').waitFor();
      expect(await page.locator('#curl-text').textContent()).toContain(`twin-${i}`);
    }
    await page.locator('#tenant-select').selectOption('default');
    await ui.scim.deleteTenant('twin-a');
    await ui.scim.deleteTenant('twin-b');
  });

  it('a tenant deleted and created again under the same id: its new journal replaces the old rows; deleted for good: says so and shows default', async () => {
    const get = (t: { baseUrl: string; token?: string }, marker: string) =>
      fetch(`${t.baseUrl}/Users?filter=${encodeURIComponent(`userName eq "${marker}"`)}`, { headers: { Authorization: `Bearer ${t.token ?? ""}` } });
    let tenant = await ui.scim.createTenant({ id: 'reborn', users: 0, groups: 0 });
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await page.locator('#tenant-select').selectOption('reborn');
    for (const m of ['old-1', 'old-2', 'old-3']) await get(tenant, m);
    await expect.poll(() => page.locator('#requests-body tr', { hasText: 'old-' }).count(), { timeout: 5000 }).toBe(3);

    // The page's reconnection waits until the new tenant has more requests than the old one had.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let reconnects = 0;
    await page.route('**/tenants/reborn/requests/stream*', async (route) => {
      reconnects++;
      await held;
      await route.continue();
    });
    await ui.scim.deleteTenant('reborn');
    tenant = await ui.scim.createTenant({ id: 'reborn', users: 0, groups: 0 });
    for (const m of ['new-1', 'new-2', 'new-3', 'new-4', 'new-5']) await get(tenant, m);
    await expect.poll(() => reconnects, { timeout: 10_000 }).toBeGreaterThan(0);
    release();
    await expect.poll(() => page.locator('#requests-body tr', { hasText: 'new-' }).count(), { timeout: 10_000 }).toBe(5);
    expect(await page.locator('#requests-body tr', { hasText: 'old-' }).count()).toBe(0);
    await page.unroute('**/tenants/reborn/requests/stream*');

    // Deleted for good: the page says so and goes back to the default tenant (no endless 404 retries).
    ui.expectedErrors = [/status of 404/];
    await ui.scim.deleteTenant('reborn');
    await expect.poll(() => page.locator('#fatal').textContent(), { timeout: 10_000 }).toContain('"reborn" was deleted');
    await expect.poll(() => page.locator('#tenant-select').inputValue()).toBe('default');
    await expect.poll(() => page.locator('#live').textContent(), { timeout: 10_000 }).toBe('live');
  });

  it('pauses and resumes the live list; the journal capacity and drops are shown', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    expect(await page.locator('#journal-stats').textContent()).toMatch(/of 10,000 kept · 0 dropped by the journal · 0 missed by this view/);
    // The entries the journal already held arrive after its counters (hello), in seq order: once a newer request
    // shows, they all have, and pausing holds back only what comes next.
    await curlLike(ui.scim, 'GET', '/Users?filter=userName%20eq%20%22before.pause%22');
    await page.locator('#requests-body tr', { hasText: 'before.pause' }).waitFor({ timeout: 5000 });
    await page.getByRole('button', { name: 'Pause' }).click();
    await curlLike(ui.scim, 'GET', '/Users?filter=userName%20eq%20%22paused%22');
    await expect.poll(() => page.locator('#journal-stats').textContent()).toContain('1 new while paused');
    expect(await page.locator('#requests-body tr', { hasText: 'paused' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.locator('#requests-body tr', { hasText: 'paused' }).waitFor({ timeout: 2000 });
  });

  it('drops the rows of a journal cleared from outside (DELETE /_mock/requests, POST /_mock/reset), at once, and keeps showing new ones', async () => {
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const marked = (m: string) => curlLike(ui.scim, 'GET', `/Users?filter=${encodeURIComponent(`userName eq "${m}"`)}`);
    const rows = (m: string) => page.locator('#requests-body tr', { hasText: m });
    await marked('before.clear');
    await rows('before.clear').waitFor({ timeout: 5000 });
    await rows('before.clear').click();
    await page.locator('#entry').waitFor();
    // A test clears the journal between its cases: the open page drops what it showed, well before the next stats event (5 s).
    await ui.scim.requests.clear();
    await expect.poll(() => rows('before.clear').count(), { timeout: 2000 }).toBe(0);
    expect(await page.locator('#entry').isHidden()).toBe(true);
    await expect.poll(() => page.locator('#journal-stats').textContent()).toMatch(/journal: 0 of 10,000 kept/);
    await marked('after.clear');
    await rows('after.clear').waitFor({ timeout: 5000 });
    // A reset does the same (its journal is cleared with the directory).
    expect((await fetch(`${ui.origin}/_mock/reset`, { method: 'POST' })).status).toBe(200);
    await expect.poll(() => rows('after.clear').count(), { timeout: 2000 }).toBe(0);
    await marked('after.reset');
    await rows('after.reset').waitFor({ timeout: 5000 });
    expect(await page.locator('#requests-body tr').count()).toBe(1);
  });

  it('asks before it loses data (clear journal, remove a rule, delete a tenant): Escape or Cancel keeps it, the keyboard confirms', async () => {
    await ui.scim.createTenant({ id: 'kept-tenant', users: 0, groups: 0 });
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await curlLike(ui.scim, 'GET', '/Users?filter=userName%20eq%20%22keep.me%22');
    await page.locator('#requests-body tr', { hasText: 'keep.me' }).waitFor({ timeout: 5000 });
    const dialog = page.getByRole('alertdialog');
    const clear = page.locator('#clear-journal');
    const held = async () => (await ui.scim.requests.list({ limit: 1000 })).length;

    // Escape: nothing happens, the focus is back on the button.
    await clear.focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-labelledby')).toBe('confirm-title');
    expect(await page.getByRole('alertdialog', { name: 'Clear the journal of tenant "default"?' }).count()).toBe(1);
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('clear-journal');
    expect(await held()).toBeGreaterThan(0);
    expect(await page.locator('#requests-body tr', { hasText: 'keep.me' }).count()).toBe(1);
    // Cancel (Enter on it, where the focus starts): the same.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    expect(await held()).toBeGreaterThan(0);
    // Tab to the action, Enter: cleared.
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Clear journal');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#requests-body tr', { hasText: 'keep.me' }).count()).toBe(0);
    expect((await ui.scim.requests.list({ limit: 1000 })).filter((e) => e.path.includes('keep.me') || JSON.stringify(e.query).includes('keep.me'))).toEqual([]);

    // A fault rule: Cancel keeps it.
    const rule = await ui.scim.faults.add({ name: 'keep me', match: { path: '/nowhere' }, action: { type: 'latency', ms: 1 } });
    await page.getByRole('link', { name: 'Faults' }).click();
    await page.getByRole('button', { name: `Remove ${rule.id}` }).click();
    await page.getByRole('alertdialog', { name: `Remove the fault rule "keep me" (${rule.id})?` }).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect((await ui.scim.faults.list()).map((f) => f.id)).toEqual([rule.id]);
    await page.getByRole('button', { name: 'Remove all' }).click();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await ui.scim.faults.list()).map((f) => f.id)).toEqual([rule.id]);

    // A tenant: Escape keeps it; confirmed, it is gone.
    await page.getByRole('link', { name: 'Tenant' }).click();
    await page.getByRole('button', { name: 'Delete tenant kept-tenant' }).click();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'hidden' });
    expect((await ui.scim.listTenants()).map((t) => t.id)).toContain('kept-tenant');
    await page.getByRole('button', { name: 'Delete tenant kept-tenant' }).click();
    await confirm(page, 'Delete tenant');
    await expect.poll(async () => (await ui.scim.listTenants()).map((t) => t.id)).not.toContain('kept-tenant');
  });

  it('removing a rule or deleting a tenant from the keyboard leaves the focus on the next one, not at the top of the page', async () => {
    const rules = [];
    for (const name of ['first', 'second', 'third']) rules.push(await ui.scim.faults.add({ name, match: { path: '/nowhere' }, action: { type: 'latency', ms: 1 } }));
    for (const id of ['focus-a', 'focus-b']) await ui.scim.createTenant({ id, users: 0, groups: 0 });
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const focusedLabel = () => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName);
    await page.getByRole('link', { name: 'Faults' }).click();
    await page.getByRole('button', { name: `Remove ${rules[1]!.id}` }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await ui.scim.faults.list()).map((f) => f.id)).toEqual([rules[0]!.id, rules[2]!.id]);
    await expect.poll(focusedLabel).toBe(`Remove ${rules[2]!.id}`);
    // And the last one: the rule before it.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await ui.scim.faults.list()).map((f) => f.id)).toEqual([rules[0]!.id]);
    await expect.poll(focusedLabel).toBe(`Remove ${rules[0]!.id}`);

    await page.getByRole('link', { name: 'Tenant' }).click();
    await page.getByRole('button', { name: 'Delete tenant focus-a' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('alertdialog').waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await ui.scim.listTenants()).map((t) => t.id)).not.toContain('focus-a');
    await expect.poll(focusedLabel).toBe('Delete tenant focus-b');
    await ui.scim.deleteTenant('focus-b');
  });

  it('is usable from the keyboard: tabs, rows (arrows, Enter, Escape)', async () => {
    for (let i = 0; i < 3; i++) await curlLike(ui.scim, 'GET', `/Users/${users[i].id}`);
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    await expect.poll(() => page.locator('#requests-body tr').count()).toBeGreaterThanOrEqual(3);
    // Tab from the top of the page to the first row: every control on the way is reachable.
    await page.locator('a[href="#requests"]').focus();
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.tagName === 'TR')) break;
    }
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('TR');
    await page.keyboard.press('ArrowDown');
    const second = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.seq);
    expect(await page.locator(`#requests-body tr[data-seq="${second}"]`).getAttribute('aria-selected')).toBe('true');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('entry');
    await expect.poll(() => page.locator('#entry dl').textContent()).toContain(`req-${second}`);
    await page.keyboard.press('Escape');
    expect(await page.locator('#entry').isHidden()).toBe(true);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.seq)).toBe(second);

    await page.locator('a[href="#faults"]').focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#view-faults').isVisible()).toBe(true);
  });

  it('announces the selected request to screen readers: a grid whose selected row is aria-selected, moved with the arrow keys', async () => {
    for (let i = 0; i < 3; i++) await curlLike(ui.scim, 'GET', `/Users/${users[i].id}?attributes=userName`);
    const recorded = await ui.open();
    const page = await openDashboard(recorded, ui.scim.dashboardUrl);
    const grid = page.getByRole('grid', { name: 'Requests' });
    await expect.poll(() => grid.getByRole('row').filter({ hasText: 'attributes=userName' }).count(), { timeout: 5000 }).toBe(3);
    expect(await grid.getByRole('row', { selected: true }).count()).toBe(0);
    const rows = grid.getByRole('row').filter({ hasText: 'attributes=userName' });
    await rows.nth(0).click();
    const selected = grid.getByRole('row', { selected: true });
    expect(await selected.count()).toBe(1);
    expect(await selected.getAttribute('data-seq')).toBe(await rows.nth(0).getAttribute('data-seq'));
    // The arrow keys move the focus and the selection together; the detail follows.
    await rows.nth(0).focus();
    await page.keyboard.press('ArrowDown');
    const second = await rows.nth(1).getAttribute('data-seq');
    expect(await selected.getAttribute('data-seq')).toBe(second);
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.seq)).toBe(second);
    await expect.poll(() => page.locator('#entry dl').textContent()).toContain(`req-${second}`);
    // What Chromium hands to a screen reader: the focused row of the grid, selected (a row of a plain table is not).
    const cdp = await page.context().newCDPSession(page);
    const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as { nodes: Array<{ role?: { value: string }; properties?: Array<{ name: string; value: { value: unknown } }> }> };
    const prop = (n: (typeof nodes)[number], name: string) => n.properties?.find((p) => p.name === name)?.value.value;
    const focused = nodes.filter((n) => n.role?.value === 'row' && prop(n, 'focused') === true);
    expect(focused).toHaveLength(1);
    expect(prop(focused[0]!, 'selected')).toBe(true);
    expect(nodes.some((n) => n.role?.value === 'grid')).toBe(true);
    await cdp.detach();
  });

  for (const viewport of [
    { width: 1280, height: 800 },
    { width: 390, height: 844 },
  ]) {
    it(`fits ${viewport.width}x${viewport.height}: no view is wider than the screen`, async () => {
      const recorded = await ui.open(viewport);
      const page = await openDashboard(recorded, ui.scim.dashboardUrl);
      await curlLike(ui.scim, 'PATCH', `/Users/${users[0].id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'title', value: 'x' }] });
      await page.locator('#requests-body tr').first().click();
      for (const view of ['requests', 'conformance', 'faults', 'directory', 'tenant']) {
        await page.locator(`nav a[data-view="${view}"]`).click();
        await expect.poll(() => page.locator(`#view-${view}`).isVisible()).toBe(true);
        const width = await page.evaluate(() => document.documentElement.scrollWidth);
        expect(width, view).toBeLessThanOrEqual(viewport.width);
      }
    });
  }
});

describe.skipIf(!run)('dashboard in Chromium with --control-token', () => {
  let browser: Browser;
  let scim: ScimulatorHandle;

  beforeAll(async () => {
    [browser, scim] = await Promise.all([launch(), startScimulator({ controlToken: 'ctl-secret-7', seeding: { seed: 2, users: 5, groups: 1 } })]);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await scim?.close();
  });

  it('with --no-journal says that the journal is off instead of "No requests yet"', async () => {
    const off = await startScimulator({ journal: false });
    try {
      const recorded = await openPage(browser);
      const { page } = recorded;
      await page.goto(off.dashboardUrl);
      await expect.poll(() => page.locator('#journal-stats').textContent(), { timeout: 10_000 }).toContain('journal off (--no-journal)');
      await fetch(`${off.baseUrl}/Users`, { headers: { Authorization: `Bearer ${off.token}` } });
      expect(await page.locator('#requests-empty').textContent()).toMatch(/journal is off/);
      expect(await page.locator('#requests-empty').isVisible()).toBe(true);
      expect(recorded.errors).toEqual([]);
      await page.context().close();
    } finally {
      await off.close();
    }
  });

  it('asks for the token and shows no data without it; with it everything works; the token is in no URL', async () => {
    const origin = new URL(scim.url).origin;
    const recorded = await openPage(browser);
    const { page } = recorded;
    await page.goto(scim.dashboardUrl);
    await page.locator('#login').waitFor();
    expect(await page.locator('#tabs').isHidden()).toBe(true);
    for (const view of ['requests', 'conformance', 'faults', 'directory', 'tenant']) expect(await page.locator(`#view-${view}`).isHidden()).toBe(true);
    expect(await page.locator('#requests-body tr').count()).toBe(0);
    // Only the page itself and boot.json were fetched: no control data without the token.
    expect(recorded.urls.map((u) => new URL(u).pathname).sort()).toEqual(
      ['/_mock/ui/', '/_mock/ui/api.js', '/_mock/ui/boot.json', '/_mock/ui/conformance.js', '/_mock/ui/controls.js', '/_mock/ui/curl.js', '/_mock/ui/directory.js', '/_mock/ui/dom.js', '/_mock/ui/faults.js', '/_mock/ui/main.js', '/_mock/ui/presets.js', '/_mock/ui/requests.js', '/_mock/ui/sse.js', '/_mock/ui/style.css'].sort(),
    );

    // A wrong token is refused and asked for again.
    await page.locator('#login-token').fill('wrong');
    await page.locator('#login-token').press('Enter');
    await expect.poll(() => page.locator('#login-message').textContent()).toBe('The server refused this token.');
    // The 401's console message is its own event: wait for it, so that it cannot come after the splice.
    await expect.poll(() => recorded.errors.length).toBeGreaterThan(0);
    const refused = recorded.errors.splice(0);
    expect(refused.every((e) => /status of 401/.test(e)), refused.join('\n')).toBe(true);

    await page.locator('#login-token').fill('ctl-secret-7');
    await page.locator('#login-token').press('Enter');
    await expect.poll(() => page.locator('#journal-stats').textContent(), { timeout: 10_000 }).toMatch(/of 10,000 kept/);
    expect(await page.locator('#login').isHidden()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('scimulator.controlToken'))).toBe('ctl-secret-7');

    const res = await fetch(`${scim.baseUrl}/Users`, { headers: { Authorization: `Bearer ${scim.token}` } });
    expect(res.status).toBe(200);
    await page.locator('#requests-body tr', { hasText: '/Users' }).waitFor({ timeout: 5000 });
    await page.getByRole('link', { name: 'Directory' }).click();
    await expect.poll(() => page.locator('#d-body tr[data-id]').count()).toBe(5);
    await page.getByRole('link', { name: 'Faults' }).click();
    await page.getByRole('button', { name: 'Latency' }).click();
    await page.getByRole('button', { name: 'Add rule' }).click();
    await expect.poll(() => page.locator('#faults-body tr[data-fault]').count()).toBe(1);
    // A reload keeps the token (this tab's session) without asking again.
    await page.reload();
    await expect.poll(() => page.locator('#journal-stats').textContent(), { timeout: 10_000 }).toMatch(/of 10,000 kept/);
    expect(await page.locator('#login').isHidden()).toBe(true);

    expect(recorded.errors).toEqual([]);
    expect(recorded.urls.filter((u) => !u.startsWith(`${origin}/`))).toEqual([]);
    expect(recorded.urls.filter((u) => u.includes('ctl-secret-7'))).toEqual([]);
    // Nor in the journal: the dashboard's SCIM requests carry the SCIM token, redacted.
    expect(JSON.stringify(await scim.requests.export('ndjson'))).not.toContain('ctl-secret-7');
    await page.context().close();
  });
});
