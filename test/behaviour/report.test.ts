/**
 * Behaviour findings in the conformance report for CI (GET /_mock/conformance?format=junit|json|text): one test
 * case per finding code, failed where a scripted client drew it, passed where it did not, skipped where the tenant
 * switched it off. The XML is read as a CI server would (fast-xml-parser, validated first).
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { beforeEach, describe, expect, it } from 'vitest';
import { BEHAVIOUR_CODE_INFO, BEHAVIOUR_CODES } from '../../src/behaviour/codes.js';
import { failingChecks, type ConformanceReport } from '../../src/journal/report.js';
import { harness, PATCH_OP, seedUsers, USER, type Harness } from './helpers.js';

interface Case { '@_name': string; failure?: { '@_message': string; '@_type': string; '#text': string }; skipped?: { '@_message': string } }

function cases(xml: string): Case[] {
  expect(XMLValidator.validate(xml)).toBe(true);
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@_', parseTagValue: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) });
  const doc = parser.parse(xml) as { testsuites: { testsuite: Array<{ testcase: Case[] }> } };
  expect(doc.testsuites.testsuite).toHaveLength(1);
  return doc.testsuites.testsuite[0]!.testcase;
}

const junit = async (h: Harness) => cases((await h.control.get('/conformance?format=junit')).text);
const behaviourCases = (all: Case[]) => all.filter((c) => (BEHAVIOUR_CODES as readonly string[]).includes(c['@_name']));

let h: Harness;
beforeEach(async () => {
  h = harness();
  await h.freeze();
  await h.config({ maxPageSize: 3, defaultPageSize: 3 });
  await seedUsers(h, 7);
});

/** Retries a throttled create at once, then walks the users advancing startIndex by the count it asked for. */
async function badClient() {
  await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 2 }, times: 1 });
  const c = h.client('careless/1.0');
  await c.post('/Users', { schemas: [USER], userName: 'new.one' });
  const early = await c.post('/Users', { schemas: [USER], userName: 'new.one' });
  const p1 = await c.get('/Users?startIndex=1&count=5');
  await c.get('/Users?startIndex=6&count=5');
  return { early, p1 };
}

/** The same work done well: waits out Retry-After, walks by itemsPerPage with a count the service allows. */
async function goodClient() {
  await h.fault({ match: { operation: 'create' }, action: { type: 'error', status: 429, retryAfter: 2 }, times: 1 });
  const c = h.client('careful/1.0');
  await c.post('/Users', { schemas: [USER], userName: 'new.one' });
  await h.advance(2000);
  await c.post('/Users', { schemas: [USER], userName: 'new.one' });
  for (let start = 1; start <= 8; start += 3) await c.get(`/Users?startIndex=${start}&count=3`);
  const u1 = (await c.get('/Users?filter=userName%20eq%20%22u1%22')).body.Resources[0];
  await c.patch(`/Users/${u1.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] }, { 'If-Match': u1.meta.version });
}

describe('behaviour findings in the JUnit report', () => {
  it('has one test case per finding code, after the warning codes: failed for the three the client drew', async () => {
    const { early, p1 } = await badClient();
    const all = await junit(h);
    const mine = behaviourCases(all);
    expect(mine.map((c) => c['@_name'])).toEqual([...BEHAVIOUR_CODES]);
    expect(all.slice(-BEHAVIOUR_CODES.length)).toEqual(mine);
    expect(mine.filter((c) => c.failure).map((c) => c['@_name'])).toEqual(['retry-before-retry-after', 'pagination-gap', 'count-above-max']);
    expect(mine.filter((c) => c.skipped)).toEqual([]);
    const early429 = mine.find((c) => c['@_name'] === 'retry-before-retry-after')!;
    expect(early429.failure!['@_message']).toBe(`RFC 6585 4; RFC 9110 10.2.3: 1 occurrence in 1 request; first POST /scim/v2/Users (${early.id})`);
    expect(early429.failure!['@_type']).toBe('deviation');
    expect(early429.failure!['#text']).toContain('too early');
    expect(early429.failure!['#text']).toContain('the journal entries with findingCode=retry-before-retry-after');
    const count = mine.find((c) => c['@_name'] === 'count-above-max')!;
    expect(count.failure!['@_message']).toBe(`RFC 7644 3.4.2.4; RFC 7643 5: 2 occurrences in 2 requests; first GET /scim/v2/Users (${p1.id})`);
  });

  it('a well-behaved client passes every behaviour test case', async () => {
    await goodClient();
    const mine = behaviourCases(await junit(h));
    expect(mine).toHaveLength(BEHAVIOUR_CODES.length);
    expect(mine.filter((c) => c.failure || c.skipped)).toEqual([]);
  });

  it('codes switched off for the tenant are skipped, not passed; with the analyser off, all of them', async () => {
    await h.config({ behaviour: { disabled: ['lookup-by-listing', 'if-match-unused'] } });
    await badClient();
    let mine = behaviourCases(await junit(h));
    expect(mine.filter((c) => c.skipped).map((c) => c['@_name'])).toEqual(['if-match-unused', 'lookup-by-listing']);
    expect(mine.find((c) => c.skipped)!.skipped!['@_message']).toContain('switched off for this tenant');
    expect(mine.filter((c) => c.failure)).toHaveLength(3);

    await h.ok(h.control.post('/reset', {}));
    await h.config({ behaviour: { enabled: false } });
    await badClient();
    mine = behaviourCases(await junit(h));
    expect(mine.filter((c) => c.skipped)).toHaveLength(BEHAVIOUR_CODES.length);
    const text = (await h.control.get('/conformance?format=text')).text;
    expect(text).toContain(`skipped (${BEHAVIOUR_CODES.length}, switched off for this tenant): ${BEHAVIOUR_CODES.join(', ')}`);
  });

  it('--fail-on deviation counts the findings that are not informational', async () => {
    await badClient();
    const c = h.client('reader/1.0');
    const u2 = (await c.get('/Users?filter=userName%20eq%20%22u2%22')).body.Resources[0];
    await c.patch(`/Users/${u2.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] });
    const report = (await h.control.get('/conformance?format=json')).body as ConformanceReport;
    expect(report.tenants[0]!.requestsWithFindings).toBe(4);
    const failing = (level: 'warning' | 'deviation') => failingChecks(report, level).map((f) => f.code).filter((code) => (BEHAVIOUR_CODES as readonly string[]).includes(code));
    expect(failing('warning').sort()).toEqual(['count-above-max', 'if-match-unused', 'pagination-gap', 'retry-before-retry-after']);
    expect(failing('deviation').sort()).toEqual(['count-above-max', 'pagination-gap', 'retry-before-retry-after']);
    for (const check of report.tenants[0]!.checks.filter((x) => x.finding)) {
      expect(check.kind).toBe(BEHAVIOUR_CODE_INFO[check.code as keyof typeof BEHAVIOUR_CODE_INFO].informational ? 'informational' : 'deviation');
    }
  });
});
