/**
 * The live feed the dashboard reads (GET <control>/requests/stream, Server-Sent Events), through the typed client
 * and raw HTTP: replay and resume, filters, limits, authentication, costs nothing without viewers, and a stalled
 * viewer never makes the server buffer without bound.
 */
import { connect } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startScimulator, type ScimulatorHandle } from '../../src/index.js';
import { Journal, JsonText, journalEntryJson } from '../../src/journal/journal.js';
import type { JournalStreamEvent } from '../../src/journal/stream.js';
import { frozenClock, input } from '../journal/helpers.js';
import { SseParser } from '../../src/ui/sse.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function scimFetch(scim: ScimulatorHandle, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${scim.baseUrl}${path}`, {
    ...init,
    headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json', ...(init.headers as Record<string, string>) },
  });
}

/** Reads events from a stream until `until` holds (or the stream ends); then closes it. */
async function collect(stream: AsyncGenerator<JournalStreamEvent>, until: (events: JournalStreamEvent[]) => boolean): Promise<JournalStreamEvent[]> {
  const events: JournalStreamEvent[] = [];
  for await (const e of stream) {
    events.push(e);
    if (until(events)) break;
  }
  return events;
}

const entries = (events: JournalStreamEvent[]) => events.flatMap((e) => (e.type === 'entry' ? [e.entry] : []));

describe('GET /_mock/requests/stream', () => {
  let scim: ScimulatorHandle;
  let userId: string;
  /** Subscribers of the journal before any viewer: the tenant's own (the behaviour analyser). */
  let idle: number;

  beforeAll(async () => {
    scim = await startScimulator({ seeding: { seed: 3, users: 5, groups: 1 } });
    const list = await (await scimFetch(scim, '/Users?count=1')).json();
    userId = list.Resources[0].id;
    idle = scim.runtime.defaultTenant.journal.subscribers;
  });
  afterAll(() => scim.close());
  afterEach(async () => {
    // Every viewer of a test has gone: no viewer is subscribed any more (the server sees a viewer's close as a later
    // event; generous for a loaded machine).
    await expect.poll(() => scim.runtime.defaultTenant.journal.subscribers, { timeout: 10_000 }).toBe(idle);
  });

  it('says hello with the journal counters, then sends each new entry as it is recorded', async () => {
    const journal = scim.runtime.defaultTenant.journal;
    const before = journal.lastSeq;
    const stream = scim.requests.stream();
    const first = await stream.next();
    expect(first.value).toEqual({ type: 'hello', since: before, lastSeq: before, size: journal.size, capacity: 10_000, evicted: 0, cleared: journal.clearedThrough, journal: expect.any(String) });
    expect(journal.subscribers).toBe(idle + 1);
    const patched = scimFetch(scim, `/Users/${userId}`, {
      method: 'PATCH',
      body: JSON.stringify({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Streamed' }] }),
    });
    const next = await stream.next();
    expect((await patched).status).toBe(200);
    await stream.return(undefined);
    expect(next.value).toMatchObject({ type: 'entry', entry: { seq: before + 1, method: 'PATCH', operation: 'patch', status: 200 } });
    const entry = (next.value as Extract<JournalStreamEvent, { type: 'entry' }>).entry;
    expect(entry.requestBody).toEqual({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Streamed' }] });
    expect(entry.requestHeaders.authorization).toBe('Bearer [REDACTED]');
    expect(entry).toEqual(await scim.requests.get(entry.id));
  });

  it('says `cleared` at once when the journal is cleared (DELETE /requests, a reset), with the last seq it removed', async () => {
    const journal = scim.runtime.defaultTenant.journal;
    await scimFetch(scim, '/Users?count=1');
    const stream = scim.requests.stream();
    expect((await stream.next()).value).toMatchObject({ type: 'hello', cleared: journal.clearedThrough });
    const removed = journal.lastSeq;
    const asked = Date.now();
    await scim.requests.clear();
    // Not the stats event 5 s later: its own event, before any entry recorded after the clear.
    expect((await stream.next()).value).toEqual({ type: 'cleared', lastSeq: removed, size: 0, capacity: 10_000, evicted: 0, cleared: removed });
    expect(Date.now() - asked).toBeLessThan(4000); // generous for a loaded machine, and still before the 5 s stats
    await scimFetch(scim, '/Groups');
    expect((await stream.next()).value).toMatchObject({ type: 'entry', entry: { seq: removed + 1, relativePath: '/Groups' } });
    await scim.reset();
    expect((await stream.next()).value).toMatchObject({ type: 'cleared', cleared: removed + 1, size: 0 });
    await stream.return(undefined);
    // A viewer that connects later learns it from hello.
    const later = scim.requests.stream();
    expect((await later.next()).value).toMatchObject({ type: 'hello', cleared: removed + 1 });
    await later.return(undefined);
  });

  it('replays after since, filters like GET /requests, and ends after limit entries', async () => {
    const since = scim.runtime.defaultTenant.journal.lastSeq;
    for (const path of ['/Users', '/Groups', `/Users/${userId}`, '/Nope']) await scimFetch(scim, path);
    const all = entries(await collect(scim.requests.stream({ since, limit: 4 }), () => false));
    expect(all.map((e) => e.seq)).toEqual([since + 1, since + 2, since + 3, since + 4]);
    const lists = entries(await collect(scim.requests.stream({ since, operation: 'list', limit: 2 }), () => false));
    expect(lists.map((e) => e.relativePath)).toEqual(['/Users', '/Groups']);
    const missing = entries(await collect(scim.requests.stream({ since, status: '4xx', limit: 1 }), () => false));
    expect(missing.map((e) => [e.relativePath, e.status])).toEqual([['/Nope', 404]]);
  });

  it('response=none leaves the response out of each entry (what the dashboard reads)', async () => {
    const since = scim.runtime.defaultTenant.journal.lastSeq;
    await scimFetch(scim, `/Users/${userId}`);
    const [entry] = entries(await collect(scim.requests.stream({ since, limit: 1, response: 'none' }), () => false));
    const whole = await scim.requests.get(entry.id);
    expect(entry).not.toHaveProperty('responseBody');
    expect(entry).not.toHaveProperty('responseHeaders');
    const { responseBody: _body, responseHeaders: _headers, ...rest } = whole;
    expect(entry).toEqual(rest);
    expect((whole.responseBody as { id: string }).id).toBe(userId);
    const bad = await fetch(`${scim.url}/_mock/requests/stream?response=some`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).field).toBe('response');
  });

  it('starts with the last `tail` matching entries; timeoutMs ends an idle stream', async () => {
    const since = scim.runtime.defaultTenant.journal.lastSeq;
    for (let i = 0; i < 3; i++) await scimFetch(scim, `/Users/${userId}`);
    const started = Date.now();
    const events = await collect(scim.requests.stream({ tail: 2, operation: 'get', timeoutMs: 300 }), () => false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(events[0]).toMatchObject({ type: 'hello', since: since + 1 });
    expect(entries(events).map((e) => e.seq)).toEqual([since + 2, since + 3]);
  });

  it('resumes after the Last-Event-ID an EventSource sends on reconnect', async () => {
    const since = scim.runtime.defaultTenant.journal.lastSeq;
    await scimFetch(scim, '/Users');
    await scimFetch(scim, '/Groups');
    const res = await fetch(`${scim.url}/_mock/requests/stream?limit=1`, { headers: { 'Last-Event-ID': String(since + 1) } });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache, no-transform');
    const events = new SseParser().push(await res.text());
    expect(events.map((e) => [e.event, e.id])).toEqual([
      ['hello', ''],
      ['message', String(since + 2)],
    ]);
    expect(JSON.parse(events[1].data)).toMatchObject({ relativePath: '/Groups' });
  });

  it('answers bad parameters with 400 naming the field, before streaming anything', async () => {
    for (const [query, field] of [
      ['order=desc', 'order'],
      ['since=1&tail=5', 'tail'],
      ['timeoutMs=soon', 'timeoutMs'],
      ['tail=-1', 'tail'],
      ['status=abc', 'status'],
      ['colour=red', 'colour'],
    ] as const) {
      const res = await fetch(`${scim.url}/_mock/requests/stream?${query}`);
      expect(res.status, query).toBe(400);
      expect(await res.json(), query).toMatchObject({ field });
    }
  });

  it('is per tenant: another tenant streams its own journal', async () => {
    const tenant = await scim.createTenant({ id: 'streamed' });
    const stream = tenant.control.requests.stream({ limit: 1 });
    await stream.next(); // hello: subscribed
    await scimFetch(scim, '/Users');
    await fetch(`${tenant.baseUrl}/Groups`, { headers: { Authorization: `Bearer ${tenant.token}` } });
    const got = entries(await collect(stream, () => false));
    expect(got.map((e) => [e.tenant, e.relativePath])).toEqual([['streamed', '/Groups']]);
    await scim.deleteTenant('streamed');
  });

  it('ends when its tenant is deleted (no stream outlives its journal)', async () => {
    const tenant = await scim.createTenant({ id: 'deleted-while-streamed' });
    const stream = tenant.control.requests.stream();
    await stream.next(); // hello: subscribed
    await scim.deleteTenant('deleted-while-streamed');
    // Without a limit or timeout, only the server can end this stream: the generator finishes instead of waiting.
    const rest = await collect(stream, () => false);
    expect(rest.filter((e) => e.type === 'entry')).toEqual([]);
    // The URL is gone: a reconnecting EventSource gets 404 and stops.
    expect((await fetch(`${scim.url}/_mock/tenants/deleted-while-streamed/requests/stream`)).status).toBe(404);
  }, 10_000);
});

describe('journalEntryJson', () => {
  it('is JSON.stringify(entry) without parsing a response body into the journal', () => {
    const journal = new Journal({ clock: frozenClock() });
    const body = '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"1","userName":"bjensen"}';
    const entry = journal.record(input({ responseBody: new JsonText(body) }));
    const bad = journal.record(input({ responseBody: new JsonText('{"cut": ') }));
    const parse = vi.spyOn(JSON, 'parse');
    // Parses of the response body's text (the entry's other fields are decoded from the journal's pages too).
    const bodyParses = () => parse.mock.calls.filter(([text]) => text === body).length;
    try {
      const json = journalEntryJson(entry);
      expect(bodyParses()).toBe(1);
      // The entry still holds the text: its first read parses it (a second parse), the next ones do not.
      expect(entry.responseBody).toEqual(JSON.parse(body));
      void entry.responseBody;
      expect(bodyParses()).toBe(3);
      expect(json).toBe(JSON.stringify(entry));
      expect(JSON.parse(journalEntryJson(bad)).responseBody).toBe('{"cut": ');
      expect(journalEntryJson(bad)).toBe(JSON.stringify(bad));
    } finally {
      parse.mockRestore();
    }
  });
});

describe('typed client', () => {
  it('exports the journal as NDJSON text (one entry per line), HAR as JSON', async () => {
    const scim = await startScimulator();
    try {
      await scimFetch(scim, '/Users');
      await scimFetch(scim, '/Groups');
      const ndjson = (await scim.requests.export('ndjson')) as string;
      expect(ndjson.trim().split('\n').map((line) => JSON.parse(line).relativePath)).toEqual(['/Users', '/Groups']);
      expect(((await scim.requests.export('har')) as { log: { entries: unknown[] } }).log.entries).toHaveLength(2);
    } finally {
      await scim.close();
    }
  });
});

describe('HAR export sizes', () => {
  it('bodySize is what went over the wire: a body over 64 KiB, a gzip body, a password redacted; a cut response says so', async () => {
    const { gzipSync } = await import('node:zlib');
    const scim = await startScimulator({ seeding: { seed: 4, users: 300, groups: 0 } });
    try {
      const big = JSON.stringify({ schemas: [USER], userName: 'big@example.com', title: 'x'.repeat(100_000) });
      expect((await scimFetch(scim, '/Users', { method: 'POST', body: big })).status).toBe(201);
      const gz = gzipSync(JSON.stringify({ schemas: [USER], userName: 'gz@example.com', displayName: 'y'.repeat(2000) }));
      expect((await scimFetch(scim, '/Users', { method: 'POST', body: gz, headers: { 'Content-Encoding': 'gzip' } })).status).toBe(201);
      const secret = JSON.stringify({ schemas: [USER], userName: 'pw@example.com', password: 'a-long-password-of-40-characters-or-so!!' });
      expect((await scimFetch(scim, '/Users', { method: 'POST', body: secret })).status).toBe(201);
      // An Okta import page: larger than the 64 KiB the journal keeps of a response.
      expect((await scimFetch(scim, '/Users?startIndex=1&count=300')).status).toBe(200);
      type Har = { log: { entries: Array<{ request: { bodySize: number; postData?: { text: string; comment?: string } }; response: { bodySize: number; content: { size: number; comment?: string } } }> } };
      const [a, b, c, d] = ((await scim.requests.export('har')) as Har).log.entries;
      expect(a!.request.bodySize).toBe(Buffer.byteLength(big));
      expect(a!.request.postData!.text.length).toBe(65_536);
      expect(a!.request.postData!.comment).toMatch(/cut at 64 KiB/);
      expect(b!.request.bodySize).toBe(gz.length);
      expect(c!.request.bodySize).toBe(Buffer.byteLength(secret));
      expect(c!.request.postData!.text).toContain('[REDACTED]');
      expect(d!.response.bodySize).toBe(-1);
      expect(d!.response.content.comment).toMatch(/cut at 64 KiB/);
      expect(b!.response.content.comment).toBeUndefined();
      expect(b!.response.bodySize).toBeGreaterThan(0);
    } finally {
      await scim.close();
    }
  });
});

describe('stream: authentication, cost and bounds', () => {
  it('needs the control token like every control request', async () => {
    const scim = await startScimulator({ controlToken: 'ctl-secret' });
    try {
      const anonymous = await fetch(`${scim.url}/_mock/requests/stream`);
      expect(anonymous.status).toBe(401);
      expect((await anonymous.json()).error).toMatch(/control token/);
      const wrong = await fetch(`${scim.url}/_mock/requests/stream`, { headers: { Authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const events = await collect(scim.requests.stream({ timeoutMs: 50 }), () => false);
      expect(events.map((e) => e.type)).toEqual(['hello']);
    } finally {
      await scim.close();
    }
  });

  it('costs nothing when nobody watches: no viewer subscribed until one connects, none after it leaves', async () => {
    const scim = await startScimulator();
    try {
      const journal = scim.runtime.defaultTenant.journal;
      // The tenant's own subscribers (the behaviour analyser) are there from the start; viewers come and go.
      const idle = journal.subscribers;
      const controller = new AbortController();
      const stream = scim.requests.stream({}, { signal: controller.signal });
      await stream.next();
      expect(journal.subscribers).toBe(idle + 1);
      controller.abort();
      await expect(stream.next()).rejects.toThrow();
      await expect.poll(() => journal.subscribers, { timeout: 10_000 }).toBe(idle);
    } finally {
      await scim.close();
    }
  });

  it('dropped counts only entries the ring evicted, not those a reset cleared', async () => {
    const scim = await startScimulator({ journalCapacity: 5 });
    try {
      const journal = scim.runtime.defaultTenant.journal;
      const first = journal.lastSeq;
      for (let i = 0; i < 7; i++) await scimFetch(scim, '/Users');
      expect(journal.evicted).toBe(2); // capacity 5: the first two of the seven were evicted
      await scim.reset();
      await scimFetch(scim, '/Groups');
      await scimFetch(scim, '/Groups');
      const events = await collect(scim.requests.stream({ since: first, limit: 2 }), () => false);
      expect(events.filter((e) => e.type !== 'entry' && e.type !== 'hello')).toEqual([{ type: 'dropped', missed: 2 }]);
      expect(entries(events).map((e) => [e.seq, e.relativePath])).toEqual([
        [first + 8, '/Groups'],
        [first + 9, '/Groups'],
      ]);
      // Right after a reset, reading from the start: nothing was evicted since, so nothing is reported missed.
      await scim.reset();
      await scimFetch(scim, '/Users');
      const after = await collect(scim.requests.stream({ since: first + 7, limit: 1 }), () => false);
      expect(after.map((e) => e.type)).toEqual(['hello', 'entry']);
    } finally {
      await scim.close();
    }
  });

  it('does not hold the shutdown: open streams end when the server stops', async () => {
    const scim = await startScimulator({ shutdownGraceMs: 10_000 });
    const stream = scim.requests.stream();
    await stream.next();
    const started = Date.now();
    await scim.close();
    expect(Date.now() - started).toBeLessThan(5000); // not the 10 s grace (generous for a loaded machine)
    expect((await stream.next()).done).toBe(true);
  });

  it('does not hold the shutdown: a pending long-poll wait is answered 503 at once when the server stops', async () => {
    const scim = await startScimulator({ shutdownGraceMs: 10_000 });
    const origin = new URL(scim.baseUrl).origin;
    const waiting = fetch(`${origin}/_mock/requests/wait?operation=delete&timeoutMs=60000`);
    await expect.poll(() => scim.runtime.defaultTenant.journal.pendingWaits).toBe(1);
    const started = Date.now();
    const closed = scim.close();
    const res = await waiting;
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/the server is stopping/);
    await closed;
    expect(Date.now() - started).toBeLessThan(5000); // not the 10 s grace (generous for a loaded machine)
  });

  it('a stalled viewer costs a bounded buffer: it misses what the ring evicted and is told how many', async () => {
    const capacity = 20;
    const scim = await startScimulator({ journalCapacity: capacity });
    try {
      const idle = scim.runtime.defaultTenant.journal.subscribers;
      // A viewer that connects and then reads nothing.
      const socket = connect(Number(new URL(scim.url).port), '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('GET /_mock/requests/stream HTTP/1.1\r\nHost: localhost\r\n\r\n');
      await expect.poll(() => scim.runtime.defaultTenant.journal.subscribers).toBe(idle + 1);
      socket.pause();

      // 240 requests whose entries are about 120 KB each (64 KiB of request body, and the response echoing it): 28 MB.
      const total = 240;
      const big = 'x'.repeat(60_000);
      for (let i = 0; i < total; i++) {
        const res = await fetch(`${scim.baseUrl}/Users`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${scim.token}`, 'Content-Type': 'application/scim+json' },
          body: JSON.stringify({ schemas: [USER], userName: `stalled-${i}`, nickName: big }),
        });
        expect(res.status).toBe(201);
      }
      const produced = total * 120_000;

      // Now read everything the server sent or still sends, until the last entry arrives.
      const parser = new SseParser();
      let bytes = 0;
      const seen: number[] = [];
      let missed = 0;
      await new Promise<void>((resolve, reject) => {
        socket.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          for (const e of parser.push(chunk.toString('latin1'))) {
            if (e.event === 'message') seen.push(Number(e.id));
            if (e.event === 'dropped') missed += (JSON.parse(e.data) as { missed: number }).missed;
          }
          if (seen.at(-1) === total) resolve();
        });
        socket.on('error', reject);
        socket.resume();
      });
      socket.destroy();
      expect(missed).toBeGreaterThan(0);
      // Every entry was either delivered, in order, or counted as missed.
      expect(seen.length + missed).toBe(total);
      expect(seen).toEqual([...seen].sort((a, b) => a - b));
      // What reached the viewer: about the 1 MiB buffer, the socket's kernel buffers and the ring's 20 entries,
      // not the 28 MB that went by.
      expect(bytes).toBeLessThan(produced / 2);
    } finally {
      await scim.close();
    }
  }, 120_000); // 240 POSTs of 60 KB: over 20 s on a loaded 2-core machine
});
