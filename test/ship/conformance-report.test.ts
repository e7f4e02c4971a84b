/**
 * The conformance report for CI: GET /_mock/conformance?format=junit|json|text, parsed as a CI server would read it
 * (fast-xml-parser, validated first), on Entra ID's deactivation PATCH and other real shapes, and on hostile input.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_CODES } from '../../src/conformance-codes.js';
import { createApp } from '../../src/http/app.js';
import { Journal } from '../../src/journal/journal.js';
import { conformanceReport, failingChecks, renderJunit, renderText } from '../../src/journal/report.js';
import { startScimulator } from '../../src/index.js';
import { frozenClock, input } from '../journal/helpers.js';

const AUTH = { Authorization: 'Bearer scimulator-dev-token' };
const SCIM_JSON = { ...AUTH, 'Content-Type': 'application/scim+json' };
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const CODES = CONFORMANCE_CODES.map((c) => c.code);

interface Case { '@_name': string; '@_classname': string; failure?: { '@_message': string; '@_type': string; '#text': string }; skipped?: unknown }
interface Suite { '@_name': string; '@_tests': string; '@_failures': string; '@_skipped': string; properties: { property: Array<{ '@_name': string; '@_value': string }> }; testcase: Case[]; 'system-out'?: string }
interface Suites { testsuites: { '@_tests': string; '@_failures': string; '@_skipped': string; testsuite: Suite[] } }

/** Parses JUnit XML as a CI server would; fails the test when it is not well formed. */
function parseJunit(xml: string): Suites['testsuites'] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    parseAttributeValue: false,
    parseTagValue: false,
    processEntities: true,
    htmlEntities: false,
    trimValues: false,
    isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name),
  });
  return (parser.parse(xml) as Suites).testsuites;
}

const failed = (suite: Suite) => suite.testcase.filter((c) => c.failure).map((c) => c['@_name']);

async function createUser(app: ReturnType<typeof createApp>, userName: string, base = '/scim/v2', auth = SCIM_JSON): Promise<string> {
  const res = await request(app).post(`${base}/Users`).set(auth).send({ schemas: [USER], userName });
  expect(res.status).toBe(201);
  return res.body.id as string;
}

/** Entra ID's default deactivation: capitalised op and a string boolean (IDP-TRAFFIC.md). */
const entraDisable = { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] };

describe('GET /_mock/conformance?format=junit', () => {
  it('has one test case per known code: failed for the two codes a client triggered, passed for the others', async () => {
    const app = createApp();
    const alice = await createUser(app, 'alice');
    const bob = await createUser(app, 'bob');
    expect((await request(app).patch(`/scim/v2/Users/${alice}`).set(SCIM_JSON).send(entraDisable)).status).toBe(200);
    expect((await request(app).patch(`/scim/v2/Users/${bob}`).set(SCIM_JSON).send(entraDisable)).status).toBe(200);
    // A clean request between them, and Okta's RFC-shaped deactivation, which draws no warning.
    expect((await request(app).patch(`/scim/v2/Users/${bob}`).set(SCIM_JSON).send({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] })).status).toBe(200);

    const res = await request(app).get('/_mock/conformance?format=junit');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/xml; charset=utf-8');
    const doc = parseJunit(res.text);
    expect(doc['@_tests']).toBe(String(CODES.length));
    expect(doc['@_failures']).toBe('2');
    expect(doc.testsuite).toHaveLength(1);
    const [suite] = doc.testsuite;
    expect(suite!['@_name']).toBe('tenant default');
    expect(suite!['@_failures']).toBe('2');
    expect(suite!.testcase.map((c) => c['@_name'])).toEqual(CODES);
    expect(new Set(suite!.testcase.map((c) => c['@_classname']))).toEqual(new Set(['scimulator.conformance.default']));
    expect(failed(suite!).sort()).toEqual(['boolean-string', 'op-case']);
    for (const c of suite!.testcase) if (!c.failure) expect(c.skipped, c['@_name']).toBeUndefined();
    const props = Object.fromEntries(suite!.properties.property.map((p) => [p['@_name'], p['@_value']]));
    expect(props).toMatchObject({ tenant: 'default', profile: 'lenient', requests: '5', requestsWithWarnings: '2', evicted: '0', recording: 'true' });

    // The message names the RFC section, the count and the first request: method, path and journal id.
    const journal = await request(app).get('/_mock/requests?warningCode=op-case&order=asc');
    const first = journal.body.requests[0];
    expect(first).toMatchObject({ method: 'PATCH', path: `/scim/v2/Users/${alice}` });
    const opCase = suite!.testcase.find((c) => c['@_name'] === 'op-case')!;
    expect(opCase.failure!['@_message']).toBe(`RFC 7644 3.5.2: 2 occurrences in 2 requests; first PATCH /scim/v2/Users/${alice} (${first.id})`);
    expect(opCase.failure!['@_type']).toBe('deviation');
    expect(opCase.failure!['#text']).toContain('op "Replace" is not one of "add", "remove", "replace"');
    const boolString = suite!.testcase.find((c) => c['@_name'] === 'boolean-string')!;
    expect(boolString.failure!['@_message']).toMatch(/^RFC 7643 2\.3\.2: 2 occurrences in 2 requests; first PATCH \/scim\/v2\/Users\/[0-9a-f-]{36} \(req-3\)$/);
  });

  it('covers every tenant under /_mock, one tenant under /_mock/tenants/{id}', async () => {
    const app = createApp();
    const created = await request(app).post('/_mock/tenants').send({ id: 'strict', profile: 'rfc', token: 'strict-token' });
    expect(created.status).toBe(201);
    const auth = { Authorization: 'Bearer strict-token', 'Content-Type': 'application/scim+json' };
    const id = await createUser(app, 'carol', '/tenants/strict/scim/v2', auth);
    // The rfc profile refuses the deviation (400), and the report still records that the client sent it.
    const refused = await request(app).patch(`/tenants/strict/scim/v2/Users/${id}`).set(auth).send(entraDisable);
    expect(refused.status).toBe(400);

    const all = parseJunit((await request(app).get('/_mock/conformance?format=junit')).text);
    expect(all.testsuite.map((s) => s['@_name'])).toEqual(['tenant default', 'tenant strict']);
    expect(all['@_tests']).toBe(String(2 * CODES.length));
    expect(failed(all.testsuite[0]!)).toEqual([]);
    expect(failed(all.testsuite[1]!).sort()).toEqual(['boolean-string', 'op-case']);
    expect(all.testsuite[1]!.properties.property.find((p) => p['@_name'] === 'profile')!['@_value']).toBe('rfc');

    const one = parseJunit((await request(app).get('/_mock/tenants/strict/conformance?format=junit')).text);
    expect(one.testsuite.map((s) => s['@_name'])).toEqual(['tenant strict']);
    expect(one['@_failures']).toBe('2');
    const onlyDefault = parseJunit((await request(app).get('/_mock/tenants/default/conformance?format=junit')).text);
    expect(onlyDefault.testsuite.map((s) => s['@_name'])).toEqual(['tenant default']);
    expect(onlyDefault['@_failures']).toBe('0');
  });

  it('escapes what it quotes from requests: hostile paths and bodies stay well-formed XML and visible text', async () => {
    const scim = await startScimulator();
    try {
      // Raw bytes in the path (node:http sends them as they are; supertest would percent-encode some).
      const path = `/scim/v2/Users/<b>&"'x]]>`;
      expect((await raw(scim.url, 'POST', path, JSON.stringify({ schemas: [USER], userName: 'q' }), 'application/json')).status).toBe(405);
      // A body key with markup, a CDATA terminator, NUL, an ANSI escape and a lone surrogate, quoted by the detail.
      const hostile = '<x a="1">&amp;]]>\'\u0000\u001b[31m\ud800';
      expect((await raw(scim.url, 'POST', '/scim/v2/Users/.search', JSON.stringify({ schemas: [SEARCH], [hostile]: 1 }))).status).toBe(200);

      const xml = await scim.conformanceReport('junit');
      // Nothing XML 1.0 forbids, and no terminal control character, reaches the document.
      expect(xml).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/);
      const suite = parseJunit(xml).testsuite[0]!;
      expect(failed(suite).sort()).toEqual(['content-type', 'search-unknown-field']);
      const contentType = suite.testcase.find((c) => c['@_name'] === 'content-type')!;
      expect(contentType.failure!['@_message']).toBe(`RFC 7644 8.1: 1 occurrence in 1 request; first POST ${path} (req-1)`);
      const search = suite.testcase.find((c) => c['@_name'] === 'search-unknown-field')!;
      expect(search.failure!['#text']).toContain('The SearchRequest field "<x a="1">&amp;]]>\'\\u0000\\u001b[31m\\ud800" is not defined');

      const text = await scim.conformanceReport('text');
      expect(text).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/);
      expect(text).toContain(`FAIL content-type [informational] RFC 7644 8.1: 1 occurrence in 1 request; first POST ${path} (req-1)`);
      expect(text).toContain('\\u0000\\u001b[31m\\ud800');
      // JSON keeps the exact text (JSON escapes it itself).
      const json = await scim.conformanceReport();
      const check = json.tenants[0]!.checks.find((c) => c.code === 'search-unknown-field')!;
      expect(check.example).toContain(hostile);
    } finally {
      await scim.close();
    }
  });

  it('reports the same checks as JSON and text; without format the summary is unchanged', async () => {
    const app = createApp();
    const id = await createUser(app, 'dave');
    await request(app).patch(`/scim/v2/Users/${id}`).set(SCIM_JSON).send(entraDisable);
    const json = (await request(app).get('/_mock/conformance?format=json')).body;
    expect(json).toMatchObject({ tests: CODES.length, failures: 2, skipped: 0 });
    expect(json.tenants[0].checks.filter((c: { status: string }) => c.status === 'failed').map((c: { code: string }) => c.code).sort()).toEqual(['boolean-string', 'op-case']);
    expect(json.tenants[0].checks.find((c: { code: string }) => c.code === 'op-case')).toMatchObject({ kind: 'deviation', rfc: 'RFC 7644 3.5.2', count: 1, requests: 1, first: { id: 'req-2', method: 'PATCH', path: `/scim/v2/Users/${id}` } });

    const text = await request(app).get('/_mock/conformance?format=text');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.text).toMatch(/^Scimulator conformance: 2 failed, \d+ passed, 0 skipped \(1 tenant\)\n/);
    expect(text.text).toContain(`FAIL op-case [deviation] RFC 7644 3.5.2: 1 occurrence in 1 request; first PATCH /scim/v2/Users/${id} (req-2)`);

    const summary = (await request(app).get('/_mock/conformance')).body;
    expect(Object.keys(summary).sort()).toEqual(['behaviour', 'requestsWithFindings', 'requestsWithWarnings', 'totalRequests', 'warnings']);
    expect(summary.behaviour).toEqual([]);
    expect(summary.warnings.map((w: { code: string }) => w.code).sort()).toEqual(['boolean-string', 'op-case']);
  });

  it('answers a bad format with 400 naming the field', async () => {
    const app = createApp();
    for (const query of ['format=xml', 'format=junit&format=text', 'format=']) {
      const res = await request(app).get(`/_mock/conformance?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.field).toBe('format');
      expect(res.body.error).toContain('"junit"');
    }
  });

  it('skips every check when the journal is off, instead of passing them', async () => {
    const app = createApp({ journal: false });
    const id = await createUser(app, 'erin');
    await request(app).patch(`/scim/v2/Users/${id}`).set(SCIM_JSON).send(entraDisable);
    const doc = parseJunit((await request(app).get('/_mock/conformance?format=junit')).text);
    expect(doc['@_failures']).toBe('0');
    expect(doc['@_skipped']).toBe(String(CODES.length));
    for (const c of doc.testsuite[0]!.testcase) expect(c.skipped, c['@_name']).toBeDefined();
    expect((await request(app).get('/_mock/conformance?format=text')).text).toContain('skipped: the journal is off (--no-journal)');
  });
});

describe('the report model', () => {
  it('fails a code it does not list, and says when the journal dropped requests', () => {
    const journal = new Journal({ clock: frozenClock(), capacity: 2 });
    journal.record(input({ method: 'POST', path: '/scim/v2/Users', warnings: [{ code: 'op-case', rfc: 'RFC 7644 3.5.2', detail: 'x' }] }));
    journal.record(input({ method: 'PUT', path: '/scim/v2/Users/1', warnings: [{ code: 'made-up', rfc: 'RFC 0000 1', detail: 'new' }] }));
    journal.record(input());
    const report = conformanceReport([{ tenant: 'default', journal, recording: true }]);
    const t = report.tenants[0]!;
    expect(t.evicted).toBe(1);
    expect(t.checks.find((c) => c.code === 'op-case')!.status).toBe('passed'); // its request was dropped
    expect(t.checks.at(-1)).toMatchObject({ code: 'made-up', kind: 'unlisted', status: 'failed', first: { id: 'req-2', method: 'PUT', path: '/scim/v2/Users/1' } });
    expect(report).toMatchObject({ tests: CODES.length + 1, failures: 1 });
    const suite = parseJunit(renderJunit(report)).testsuite[0]!;
    expect(suite['system-out']).toContain('1 earlier requests were dropped from the journal');
    expect(renderText(report)).toContain('1 older ones dropped from the journal');
    // --fail-on deviation ignores what is not a deviation; --fail-on warning counts everything triggered.
    expect(failingChecks(report, 'warning').map((c) => c.code)).toEqual(['made-up']);
    expect(failingChecks(report, 'deviation')).toEqual([]);
  });

  it('lists every code the linter and the SCIM core emit, each once', () => {
    expect(new Set(CODES).size).toBe(CODES.length);
    const emitted = new Set<string>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.ts') && !path.endsWith('conformance-codes.ts')) {
          const source = readFileSync(path, 'utf8');
          for (const m of source.matchAll(/\bcode: '([a-z][a-z-]+)'|this\.warn\(\s*'([a-z][a-z-]+)'/g)) emitted.add((m[1] ?? m[2])!);
        }
      }
    };
    walk(new URL('../../src', import.meta.url).pathname);
    // filter-unquoted-value comes from the filter parser only with allowUnquotedStrings, which only the profile layer
    // sets; it reports the finding as filter-unquoted, so this code never reaches a journal.
    emitted.delete('filter-unquoted-value');
    expect(emitted.size).toBeGreaterThan(20);
    expect([...emitted].filter((code) => !CODES.includes(code))).toEqual([]);
  });
});

function raw(url: string, method: string, path: string, body: string, type = 'application/scim+json'): Promise<{ status: number; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: u.hostname, port: u.port, method, path, headers: { ...AUTH, 'Content-Type': type } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
