/**
 * Where behaviour findings show: the journal entry that completed them (and journal queries), GET /_mock/conformance
 * (beside warnings, apart from them), GET /_mock/behaviour (per client with request ids, per tenant), the
 * Scimulator-Warning header (only findings known for the response being sent), the typed client and the embedding
 * handle. How they are switched off per tenant: config, control API, scenario file.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BEHAVIOUR_CODE_INFO, BEHAVIOUR_CODES } from '../../src/behaviour/codes.js';
import { DEFAULT_TOKEN } from '../../src/config.js';
import { startScimulator, type ScimulatorHandle } from '../../src/index.js';
import { findingsOf, harness, USER, type Harness } from './helpers.js';

const bjensen = { schemas: [USER], userName: 'bjensen' };

/** A client that repeats a throttled create at once: one retry-before-retry-after on its second request. */
async function earlyRetry(h: Harness, userAgent = 'eager/1.0', opts: { token?: string; tenant?: string } = {}) {
  const c = h.client(userAgent, opts);
  const first = await c.post('/Users', bjensen);
  const second = await c.post('/Users', bjensen);
  return { c, first, second };
}

let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.freeze();
});

describe('the journal entry and the conformance summary', () => {
  it('the entry that completed a finding carries it and the client digest; journal queries find it', async () => {
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 1 });
    const { first, second } = await earlyRetry(h);
    const e1 = await h.entry(first.id);
    const e2 = await h.entry(second.id);
    expect(e1.findings).toEqual([]);
    expect(e2.client).toMatch(/^c-[0-9a-f]{12}$/);
    expect(e1.client).toBe(e2.client);
    expect(e2.findings).toEqual([{ code: 'retry-before-retry-after', rfc: 'RFC 6585 4; RFC 9110 10.2.3', detail: expect.any(String), requestIds: [first.id, second.id] }]);
    const found = await h.control.post('/requests/find', { findingCode: 'retry-before-retry-after' });
    expect(found.body.requests.map((r: { id: string }) => r.id)).toEqual([second.id]);
    expect((await h.control.get('/requests?hasFindings=false')).body.requests.map((r: { id: string }) => r.id)).toEqual([first.id]);
    expect((await h.control.post('/requests/find', { findingCode: '' })).status).toBe(400);
    // Exports carry them too.
    const har = JSON.parse((await h.control.get('/requests/export?format=har')).text);
    expect(har.log.entries.map((e: { _client: string; _findings: unknown[] }) => [e._client, e._findings.length])).toEqual([[e2.client, 0], [e2.client, 1]]);
    const lines = (await h.control.get('/requests/export?format=ndjson')).text.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[1].findings).toEqual(e2.findings);
  });

  it('GET /_mock/conformance counts findings beside warnings, in a list of their own', async () => {
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 1 });
    const c = h.client('entra-ish/1.0');
    await c.post('/Users', { ...bjensen, active: 'True' }); // a conformance warning (boolean-string) and a 429
    const second = await c.post('/Users', { ...bjensen, active: 'True' });
    const summary = await h.conformance();
    expect(summary.totalRequests).toBe(2);
    expect(summary.requestsWithFindings).toBe(1);
    expect(summary.behaviour).toEqual([
      { code: 'retry-before-retry-after', rfc: 'RFC 6585 4; RFC 9110 10.2.3', count: 1, requests: 1, firstRequestId: second.id, example: expect.stringContaining('too early') },
    ]);
    expect(summary.warnings.map((w: { code: string }) => w.code)).toContain('boolean-string');
    expect(summary.warnings.map((w: { code: string }) => w.code)).not.toContain('retry-before-retry-after');
  });
});

describe('GET /_mock/behaviour', () => {
  it("leaves the dashboard's own requests out: it is not a client of the report", async () => {
    const viewer = h.client('Mozilla/5.0 HeadlessChrome/131.0');
    for (let i = 0; i < 3; i++) expect((await viewer.get('/Users?startIndex=1&count=25', { 'X-Scimulator-Client': 'dashboard' })).status).toBe(200);
    await h.client('Okta SCIM Client 1.0').get('/Users');
    const report = await h.report();
    expect(report.clients.map((c) => [c.userAgent, c.requests])).toEqual([['Okta SCIM Client 1.0', 1]]);
  });

  it('lists clients by credential digest and User-Agent, never the credential, with findings and request ids', async () => {
    const token2 = 'second-connector-token-XYZ';
    const t = await h.ok(h.control.post('/tenants', { id: 'acme', token: token2 }), 201);
    expect(t.token).toBe(token2);
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 1 });
    const a = await earlyRetry(h, 'Okta SCIM Client 1.0');
    // The same credential with another User-Agent is another client; it draws nothing.
    await h.client('Okta SCIM Client 2.0').get('/Users');
    const report = await h.report();
    expect(report).toMatchObject({ tenant: 'default', enabled: true, disabled: [], retryStorm: { limit: 10, windowSeconds: 60 }, totalFindings: 1 });
    expect(report.summary).toEqual([
      {
        code: 'retry-before-retry-after',
        rfc: 'RFC 6585 4; RFC 9110 10.2.3',
        informational: false,
        count: 1,
        clients: 1,
        firstRequestId: a.second.id,
        example: expect.any(String),
        fix: 'wait at least what Retry-After says (seconds or an HTTP date) before sending the request again',
      },
    ]);
    expect(report.clients.map((c) => [c.userAgent, c.credentials, c.requests])).toEqual([
      ['Okta SCIM Client 2.0', 'Bearer', 1],
      ['Okta SCIM Client 1.0', 'Bearer', 2],
    ]);
    const okta1 = report.clients[1]!;
    expect(okta1.findingCounts).toEqual({ 'retry-before-retry-after': 1 });
    expect(okta1.findings).toEqual([
      expect.objectContaining({ code: 'retry-before-retry-after', requestIds: [a.first.id, a.second.id], client: okta1.client, time: '2030-01-01T00:00:00.000Z' }),
    ]);
    expect(report.bounds).toMatchObject({ clients: 64, operations: 128, walks: 16, resources: 10_000, resourcesPerTenant: 50_000 });
    expect(JSON.stringify(report)).not.toContain(DEFAULT_TOKEN);

    // Tenants are followed apart: the same script on tenant acme with its own token.
    await h.ok(h.control.post('/tenants/acme/faults', { match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 1 }), 201);
    const b = await earlyRetry(h, 'Okta SCIM Client 1.0', { token: token2, tenant: 'acme' });
    const acme = await h.ok(h.control.get('/tenants/acme/behaviour'));
    expect(acme.tenant).toBe('acme');
    expect(acme.clients).toHaveLength(1);
    expect(acme.clients[0].client).not.toBe(okta1.client);
    expect(acme.clients[0].findings.map((f: { requestIds: string[] }) => f.requestIds)).toEqual([[b.first.id, b.second.id]]);
    expect(JSON.stringify(acme)).not.toContain(token2);
    expect((await h.report()).totalFindings).toBe(1);
  });

  it('an OAuth 2.0 client stays one client when its access token rotates', async () => {
    await h.config({ auth: { mode: 'oauth', clientId: 'okta-app', clientSecret: 'okta-secret', tokenLifetime: 60 } });
    const token = async () => {
      const res = await request(h.app).post('/oauth/token').type('form').send({ grant_type: 'client_credentials', client_id: 'okta-app', client_secret: 'okta-secret' });
      expect(res.status).toBe(200);
      return res.body.access_token as string;
    };
    const first = await token();
    await h.client('Okta SCIM Client 1.0', { token: first }).get('/Users');
    await h.advance(61_000); // the first token expires; the connector fetches another
    const second = await token();
    expect(second).not.toBe(first);
    await h.client('Okta SCIM Client 1.0', { token: second }).get('/Users');
    const report = await h.report();
    expect(report.clients.map((c) => [c.userAgent, c.credentials, c.requests])).toEqual([['Okta SCIM Client 1.0', 'Bearer', 2]]);
    expect(JSON.stringify(report)).not.toMatch(new RegExp(`${first}|${second}|okta-secret`));
  });

  it('DELETE /_mock/behaviour and reset forget the clients; reset ?keep=journal keeps them', async () => {
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 3 });
    await earlyRetry(h);
    expect((await h.report()).totalFindings).toBe(1);
    await h.ok(h.control.post('/reset?keep=journal,faults', {}));
    expect((await h.report()).totalFindings).toBe(1);
    expect((await h.control.delete('/behaviour')).status).toBe(204);
    expect(await h.report()).toMatchObject({ totalFindings: 0, clients: [], summary: [] });
    await earlyRetry(h);
    await h.ok(h.control.post('/reset', {}));
    expect(await h.report()).toMatchObject({ totalFindings: 0, clients: [] });
  });
});

describe('the Scimulator-Warning header', () => {
  it('carries a finding known when the request arrived, on that response only (a fault answer included)', async () => {
    await h.config({ warningsHeader: true });
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 2 });
    const { first, second } = await earlyRetry(h);
    expect(first.headers['scimulator-warning']).toBeUndefined();
    expect(second.status).toBe(429);
    expect(second.headers['scimulator-warning']).toMatch(/^retry-before-retry-after; rfc="RFC 6585 4; RFC 9110 10\.2\.3"; ".*too early/);
  });

  it('joins the conformance warnings of the same request; a finding known only at the end (409) is not sent', async () => {
    await h.config({ warningsHeader: true, maxPageSize: 2, defaultPageSize: 2 });
    const c = h.client('lister/1.0');
    const res = await c.get('/Users?count=5&filter=userName%20eq%20bjensen');
    const values = String(res.headers['scimulator-warning']).split(/,\s*(?=[a-z-]+; rfc=)/);
    expect(values.map((v) => v.split(';')[0])).toEqual(['filter-unquoted', 'count-above-max']);

    await h.fault({ match: { operation: 'create' }, action: { type: 'reset', phase: 'after' }, times: 1 });
    const d = h.client('dup/1.0');
    await d.post('/Users', bjensen);
    const conflict = await d.post('/Users', bjensen);
    expect(conflict.status).toBe(409);
    expect((await h.entry(conflict.id)).findings.map((f) => f.code)).toEqual(['post-retry-duplicate']);
    expect(conflict.headers['scimulator-warning']).toBeUndefined();
  });

  it('is not sent without warningsHeader', async () => {
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 2 });
    const { second } = await earlyRetry(h);
    expect((await h.entry(second.id)).findings).toHaveLength(1);
    expect(second.headers['scimulator-warning']).toBeUndefined();
  });
});

describe('switching findings off per tenant', () => {
  it('PATCH /_mock/config behaviour.disabled drops that code only; enabled false follows nobody', async () => {
    const cfg = await h.config({ behaviour: { disabled: ['retry-before-retry-after'] } });
    expect(cfg.behaviour).toEqual({ enabled: true, disabled: ['retry-before-retry-after'], retryStorm: { limit: 10, windowSeconds: 60 } });
    await h.config({ maxPageSize: 2, defaultPageSize: 2 });
    await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 2 });
    await earlyRetry(h);
    const c = h.client('counter/1.0');
    const listed = await c.get('/Users?count=9');
    expect(await findingsOf(h)).toEqual([['count-above-max', [listed.id]]]);

    await h.control.delete('/behaviour');
    await h.config({ behaviour: { enabled: false } });
    await earlyRetry(h);
    await c.get('/Users?count=9');
    const report = await h.report();
    expect(report).toMatchObject({ enabled: false, totalFindings: 0, clients: [] });
    expect((await h.entry(listed.id)).findings).toHaveLength(1); // entries keep what they had
  });

  it('bad behaviour settings are 400 naming the field', async () => {
    const bad = async (behaviour: unknown, field: string, message: RegExp) => {
      const res = await h.control.patch('/config', { behaviour });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(field);
      expect(res.body.error).toMatch(message);
    };
    await bad('off', 'behaviour', /must be an object/);
    await bad({ disabled: ['retry-later'] }, 'behaviour.disabled[0]', /"retry-later" is not a finding code; use one of retry-before-retry-after, /);
    await bad({ disabled: 'retry-storm' }, 'behaviour.disabled', /must be an array/);
    await bad({ retryStorm: { limit: 0 } }, 'behaviour.retryStorm.limit', /integer from 1 to 100\./);
    await bad({ retryStorm: { windowSeconds: 1.5 } }, 'behaviour.retryStorm.windowSeconds', /integer from 1 to 86400/);
    await bad({ retryStorm: { every: 3 } }, 'behaviour.retryStorm.every', /Unknown field/);
    await bad({ enabled: 'yes' }, 'behaviour.enabled', /true or false/);
    await bad({ verbose: true }, 'behaviour.verbose', /Unknown field "behaviour.verbose"/);
    expect((await h.ok(h.control.get('/config'))).behaviour.disabled).toEqual([]);
  });

  it('a scenario file switches findings off and sets the storm limit for its tenant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-behaviour-'));
    const file = join(dir, 'quiet.json');
    writeFileSync(file, JSON.stringify({ options: { behaviour: { disabled: ['retry-before-retry-after', 'if-match-unused'], retryStorm: { limit: 3, windowSeconds: 30 } } } }));
    const t = await h.ok(h.control.post('/tenants', { id: 'quiet', seedFile: file }), 201);
    const cfg = await h.ok(h.control.get('/tenants/quiet/config'));
    expect(cfg.behaviour).toEqual({ enabled: true, disabled: ['retry-before-retry-after', 'if-match-unused'], retryStorm: { limit: 3, windowSeconds: 30 } });
    await h.ok(h.control.post('/tenants/quiet/faults', { match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 5 }, times: 1 }), 201);
    await earlyRetry(h, 'eager/1.0', { token: t.token, tenant: 'quiet' });
    expect((await h.ok(h.control.get('/tenants/quiet/behaviour'))).totalFindings).toBe(0);

    writeFileSync(file, JSON.stringify({ options: { behaviour: { disabled: ['no-such-code'] } } }));
    const res = await h.control.post('/tenants', { id: 'broken', seedFile: file });
    expect(res.status).toBe(400);
    expect(res.body.error).toContain('/options/behaviour/disabled/0');
  });

  it('the README explains every code, with its RFC section, in the findings table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Behaviour findings'), readme.indexOf('## Embedding in tests'));
    const rows = section.split('\n').filter((line) => /^\| `[a-z-]+`( \(informational\))? \|/.test(line));
    expect(rows.map((row) => /^\| `([a-z-]+)`/.exec(row)![1])).toEqual([...BEHAVIOUR_CODES]);
    for (const code of BEHAVIOUR_CODES) {
      const row = rows.find((r) => r.startsWith(`| \`${code}\``))!;
      expect(row).toContain(`| ${BEHAVIOUR_CODE_INFO[code].rfc} |`);
      expect(row.includes('(informational)')).toBe(BEHAVIOUR_CODE_INFO[code].informational);
    }
  });

  it('the scenario schema lists exactly the finding codes', () => {
    const schema = JSON.parse(readFileSync(new URL('../../seeds/scenario.schema.json', import.meta.url), 'utf8'));
    expect(schema.$defs.options.properties.behaviour.properties.disabled.items.enum).toEqual([...BEHAVIOUR_CODES]);
  });
});

describe('the typed client and the embedding handle', () => {
  let scim: ScimulatorHandle;
  beforeAll(async () => {
    scim = await startScimulator();
  });
  afterAll(() => scim.close());

  it('behaviour.report() and behaviour.clear() over HTTP, per tenant too', async () => {
    await scim.clock.freeze('2030-01-01T00:00:00Z');
    await scim.faults.add({ match: { operation: 'create' }, action: { type: 'error', status: 503, retryAfter: 3 }, times: 1 });
    const send = () =>
      fetch(`${scim.baseUrl}/Users`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json', 'User-Agent': 'embedded-test/1.0' },
        body: JSON.stringify(bjensen),
      });
    expect((await send()).status).toBe(503);
    expect((await send()).status).toBe(201);
    const report = await scim.behaviour.report();
    expect(report.clients.map((c) => c.userAgent)).toEqual(['embedded-test/1.0']);
    const [finding] = report.clients[0]!.findings;
    expect(finding).toMatchObject({ code: 'retry-before-retry-after' });
    const entries = await scim.requests.find({ findingCode: 'retry-before-retry-after' });
    expect(entries.map((e) => e.id)).toEqual([finding!.requestIds[1]]);
    expect((await scim.conformance()).behaviour.map((b) => b.code)).toEqual(['retry-before-retry-after']);
    await scim.behaviour.clear();
    expect((await scim.behaviour.report()).clients).toEqual([]);

    const tenant = await scim.createTenant({ id: 'embedded' });
    expect((await tenant.control.behaviour.report()).tenant).toBe('embedded');
    await scim.config.update({ behaviour: { enabled: true, disabled: ['lookup-by-listing'], retryStorm: { limit: 4, windowSeconds: 5 } } });
    expect((await scim.behaviour.report()).disabled).toEqual(['lookup-by-listing']);
  });
});
