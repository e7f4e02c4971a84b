/**
 * The analyser as an engine, driven the way the pipeline drives it (arrive when a request comes in, complete from
 * the journal's subscription), without HTTP: its bounds hold, it forgets rather than guesses, and the operation
 * digest is stable.
 */
import { describe, expect, it } from 'vitest';
import { BEHAVIOUR_BOUNDS, BehaviourAnalyser, digest } from '../../src/behaviour/analyser.js';
import { DEFAULT_BEHAVIOUR_CONFIG, type BehaviourConfig } from '../../src/behaviour/codes.js';
import type { ResourceView } from '../../src/behaviour/view.js';
import { Journal } from '../../src/journal/journal.js';
import type { ListedPage, RequestScimContext, ScimOperation } from '../../src/request-context.js';
import { ControllableClock } from '../../src/scim/clock.js';

/** Every User exists and holds `names`. */
function fakeView(names: string[]): ResourceView {
  const set = new Set(names);
  return {
    facts: (type) => (type === 'User' ? { names: set, version: 'W/"1"' } : undefined),
    bodyNames: (_type, body) => new Set(Object.keys(body as object)),
    lookupKey: (_type, resource) => ({ attribute: 'userName', value: (resource as { userName?: string } | undefined)?.userName }),
    lookupValue: () => undefined,
  };
}

function driver(config: Partial<BehaviourConfig> = {}) {
  const clock = new ControllableClock();
  clock.freeze(Date.parse('2030-01-01T00:00:00Z'));
  const behaviour: BehaviourConfig = { ...structuredClone(DEFAULT_BEHAVIOUR_CONFIG), ...config } as BehaviourConfig;
  const analyser = new BehaviourAnalyser({ tenantId: 't', clock, settings: () => ({ behaviour, maxPageSize: 100 }), view: fakeView(['emails', 'name', 'title', 'userName']) });
  const journal = new Journal({ clock, capacity: 100 });
  journal.subscribe((entry, context) => analyser.complete(entry, context));
  const send = (
    method: string,
    relativePath: string,
    opts: { operation?: ScimOperation; status?: number; ua?: string; auth?: string; body?: unknown; headers?: Record<string, string>; page?: ListedPage } = {},
  ) => {
    const operation = opts.operation ?? (method === 'GET' ? (relativePath.split('/').length > 2 ? 'get' : 'list') : method === 'PUT' ? 'replace' : 'create');
    const context: RequestScimContext = { tenantId: 't', relativePath, operation, resourceType: 'User', warnings: [] };
    const headers = { authorization: opts.auth ?? 'Bearer t0k3n', 'user-agent': opts.ua ?? 'ua', ...opts.headers };
    analyser.arrive({ context, method, query: {}, headers, body: opts.body });
    if (opts.page) context.page = opts.page;
    return journal.record(
      { tenant: 't', method, path: `/scim/v2${relativePath}`, relativePath, query: {}, requestHeaders: headers, requestBody: opts.body ?? null, status: opts.status ?? 200, responseHeaders: {}, responseBody: null, durationMs: 1, operation, warnings: [], outcome: 'completed' },
      context,
    );
  };
  return { analyser, clock, send };
}

describe('bounds', () => {
  it('keeps at most 64 clients, dropping the one seen least recently', () => {
    const { analyser, send } = driver();
    for (let i = 0; i < 70; i++) send('GET', '/Users', { ua: `client-${i}` });
    send('GET', '/Users', { ua: 'client-6' }); // seen again: kept
    send('GET', '/Users', { ua: 'client-70' });
    const report = analyser.report();
    expect(report.state.clients).toBe(BEHAVIOUR_BOUNDS.clients);
    const agents = report.clients.map((c) => c.userAgent);
    expect(agents.slice(0, 2)).toEqual(['client-70', 'client-6']);
    expect(agents).not.toContain('client-7');
    expect(agents).toContain('client-8');
  });

  it('keeps only failing operations, at most 128 per client; a forgotten operation starts afresh', () => {
    const { analyser, send } = driver();
    for (let i = 0; i < 100; i++) send('GET', `/Users/ok${i}`);
    expect(analyser.report().state.operations).toBe(0);
    for (let i = 0; i < 3; i++) send('GET', '/Users/a', { status: 500 });
    for (let i = 0; i < 300; i++) send('GET', `/Users/x${i}`, { status: 503 });
    send('GET', '/Users/a', { status: 500 }); // would be the third retry, but "a" was forgotten
    expect(analyser.report().state.operations).toBe(BEHAVIOUR_BOUNDS.operations);
    expect(analyser.report().totalFindings).toBe(0);
    send('GET', '/Users/x299'); // a retry that succeeds: the operation is no longer followed
    expect(analyser.report().state.operations).toBe(BEHAVIOUR_BOUNDS.operations - 1);
  });

  it('keeps the attribute names of at most 10,000 resources per client, and stops judging PUTs of forgotten ones', () => {
    const { analyser, send } = driver();
    send('PUT', '/Users/never-read', { body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    expect(analyser.report().summary.map((s) => s.code)).toEqual(['put-drops-attributes']);
    for (let i = 0; i <= BEHAVIOUR_BOUNDS.resources; i++) send('GET', `/Users/r${i}`);
    expect(analyser.report().state.resources).toBe(BEHAVIOUR_BOUNDS.resources);
    // r0 was forgotten: it may have been read, so a partial PUT of it is not judged.
    send('PUT', '/Users/r0', { body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    // r5 is remembered as read in full: the PUT drops what it read, on purpose.
    send('PUT', '/Users/r5', { body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    expect(analyser.report().totalFindings).toBe(1);
  });

  it('forgets a deleted resource for every client, so create-and-delete traffic holds nothing', () => {
    const { analyser, send } = driver();
    send('GET', '/Users/kept', { ua: 'reader' });
    for (let i = 0; i < 500; i++) {
      send('GET', `/Users/gone${i}`, { ua: 'reader' });
      send('GET', `/Users/gone${i}`, { ua: 'syncer' });
      send('DELETE', `/Users/gone${i}`, { ua: 'syncer', operation: 'delete', status: 204 });
    }
    expect(analyser.report().state.resources).toBe(1);
    // A DELETE that failed leaves what the clients were sent.
    send('GET', '/Users/busy', { ua: 'reader' });
    send('DELETE', '/Users/busy', { ua: 'syncer', operation: 'delete', status: 409 });
    expect(analyser.report().state.resources).toBe(2);
    // Deletions are not forgetting under the bounds: a PUT of a resource the reader never read is still judged.
    send('PUT', '/Users/unread', { ua: 'reader', body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    expect(analyser.report().clients.flatMap((c) => c.findings.filter((f) => f.code === 'put-drops-attributes').map(() => c.userAgent))).toEqual(['reader']);
  });

  it('keeps at most 50,000 resources over all clients; the least recently active client forgets first', () => {
    const { analyser, send } = driver();
    for (let c = 0; c < 6; c++) for (let i = 0; i < 9_000; i++) send('GET', `/Users/c${c}-${i}`, { ua: `client-${c}` });
    expect(analyser.report().state.resources).toBe(BEHAVIOUR_BOUNDS.resourcesPerTenant);
    // client-0 forgot 4,000 of its resources: a PUT of a resource it does not remember is not judged; client-5
    // forgot nothing, so one it never read is.
    send('PUT', '/Users/c0-0', { ua: 'client-0', body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    send('PUT', '/Users/unread', { ua: 'client-0', body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    send('PUT', '/Users/unread', { ua: 'client-5', body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    expect(analyser.report().clients.flatMap((c) => c.findings.map((f) => [c.userAgent, f.code]))).toEqual([['client-5', 'put-drops-attributes']]);
  });

  it('keeps the last 100 findings of a client and counts them all', () => {
    const { analyser, send } = driver();
    for (let i = 0; i < 150; i++) send('PUT', `/Users/p${i}`, { body: { userName: 'x' }, headers: { 'if-match': 'W/"1"' } });
    const client = analyser.report().clients[0]!;
    expect(client.findingCounts).toEqual({ 'put-drops-attributes': 150 });
    expect(client.findings).toHaveLength(BEHAVIOUR_BOUNDS.findingsPerClient);
    expect(client.findings[0]!.requestIds).toEqual(['req-51']);
    expect(analyser.report().summary[0]).toMatchObject({ count: 150, firstRequestId: 'req-1' });
  });
});

describe('following clients', () => {
  it('tells clients apart by credential and User-Agent, and keeps only a digest of the credential', () => {
    const { analyser, send } = driver();
    send('GET', '/Users', { auth: 'Bearer one' });
    send('GET', '/Users', { auth: 'Bearer two' });
    send('GET', '/Users', { auth: 'Basic c2NpbTpzY2lt' });
    send('GET', '/Users', { auth: 'Bearer one', ua: 'other' });
    const e = send('GET', '/Users', { auth: 'Bearer one' });
    const report = analyser.report();
    expect(report.clients).toHaveLength(4);
    expect(report.clients[0]).toMatchObject({ client: e.client, credentials: 'Bearer', requests: 2 });
    expect(report.clients.map((c) => c.credentials).sort()).toEqual(['Basic', 'Bearer', 'Bearer', 'Bearer']);
    expect(JSON.stringify(report)).not.toMatch(/one|two|c2NpbTpzY2lt/);
  });

  it('follows nobody while disabled', () => {
    const { analyser, send } = driver({ enabled: false });
    for (let i = 0; i < 5; i++) send('GET', '/Users/a', { status: 500 });
    expect(analyser.report()).toMatchObject({ enabled: false, totalFindings: 0, state: { clients: 0 } });
  });

  it('is not fooled by an entry recorded without its arrival (the journal of another path)', () => {
    const { analyser } = driver();
    const journal = new Journal({ clock: new ControllableClock(), capacity: 10 });
    journal.subscribe((entry, context) => analyser.complete(entry, context));
    const entry = journal.record({ tenant: 't', method: 'GET', path: '/x', relativePath: '/x', query: {}, requestHeaders: {}, requestBody: null, status: 200, responseHeaders: {}, responseBody: null, durationMs: 1, operation: 'list', warnings: [], outcome: 'completed' });
    expect(entry.client).toBeNull();
    expect(entry.findings).toEqual([]);
  });
});

describe('page walks fetched in parallel', () => {
  /** A page request of GET /Users?startIndex=..&count=2 over 10 users: arrives now, answered when `answer` is called. */
  function pages() {
    const { analyser, clock } = driver();
    const journal = new Journal({ clock, capacity: 100 });
    journal.subscribe((entry, context) => analyser.complete(entry, context));
    const headers = { authorization: 'Bearer t0k3n', 'user-agent': 'parallel-importer/1.0' };
    const page = (startIndex: number) => {
      const query = { startIndex: String(startIndex), count: '2' };
      const context: RequestScimContext = { tenantId: 't', relativePath: '/Users', operation: 'list', resourceType: 'User', warnings: [] };
      const findings = analyser.arrive({ context, method: 'GET', query, headers, body: undefined }).map((f) => f.code);
      const answer = () => {
        context.page = { startIndex, itemsPerPage: 2, totalResults: 10, resources: [{ type: 'User', id: `u${startIndex}` }, { type: 'User', id: `u${startIndex + 1}` }] };
        journal.record(
          { tenant: 't', method: 'GET', path: '/scim/v2/Users', relativePath: '/Users', query, requestHeaders: headers, requestBody: null, status: 200, responseHeaders: {}, responseBody: null, durationMs: 1, operation: 'list', warnings: [], outcome: 'completed' },
          context,
        );
      };
      return { findings, answer };
    };
    return { analyser, page };
  }

  it('pages 3, 5 and 7 sent together after page 1, arriving and answered out of order, draw nothing', () => {
    const { analyser, page } = pages();
    page(1).answer();
    const p3 = page(3);
    const p7 = page(7);
    const p5 = page(5);
    expect([p3.findings, p7.findings, p5.findings]).toEqual([[], [], []]);
    p7.answer();
    p3.answer();
    p5.answer();
    // The walk goes on from the furthest page answered, and a real gap is still seen.
    expect(page(9).findings).toEqual([]); // page 7 was answered before page 5: the walk reached 8
    expect(analyser.report().totalFindings).toBe(0);
  });

  it('a sequential walk that skips is still told', () => {
    const { page } = pages();
    page(1).answer();
    page(3).answer();
    expect(page(7).findings).toEqual(['pagination-gap']);
  });
});

describe('digest', () => {
  it('does not depend on key order, and tells values apart', () => {
    expect(digest({ a: 1, b: [1, { c: 'x', d: null }] })).toBe(digest({ b: [1, { d: null, c: 'x' }], a: 1 }));
    expect(digest({ a: 1 })).not.toBe(digest({ a: '1' }));
    expect(digest([1, 2])).not.toBe(digest([2, 1]));
    expect(digest({ Operations: [{ op: 'replace', path: 'active', value: false }] })).toMatch(/^[0-9a-z]+\.[0-9a-z]+$/);
  });
});
