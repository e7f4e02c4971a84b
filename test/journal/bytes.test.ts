import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, runtimeOf } from '../../src/http/app.js';
import { ENTRY_OVERHEAD_BYTES, JOURNAL_BODY_LIMIT, Journal, type JournalEntry } from '../../src/journal/journal.js';
import { SeededRandom } from '../../src/scim/random.js';
import { frozenClock, input } from './helpers.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The held entries are exactly the newest ones, in order, without a gap. */
function expectNewestSuffix(j: Journal): void {
  const seqs = j.list({ limit: 10_000 }).map((e) => e.seq);
  expect(seqs).toHaveLength(j.size);
  if (seqs.length > 0) expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => j.lastSeq - seqs.length + 1 + i));
}

describe('the journal is bounded in bytes', () => {
  it('never holds more bytes than its limit, and evicts the oldest entries first', () => {
    const maxBytes = 512 * 1024;
    const j = new Journal({ capacity: 10_000, maxBytes, clock: frozenClock() });
    const random = new SeededRandom(7);
    let recorded = 0;
    for (let i = 0; i < 600; i++) {
      // Bodies from nothing to over 64 KiB, request and response.
      const size = Math.floor(random.next() * (JOURNAL_BODY_LIMIT + 4096));
      j.record(input({ path: `/scim/v2/Users/${i}`, requestBody: 'r'.repeat(size), responseBody: { pad: 'x'.repeat(size >> 1) } }));
      recorded++;
      expect(j.bytes).toBeLessThanOrEqual(maxBytes);
      expect(j.size + j.evicted).toBe(recorded);
      expectNewestSuffix(j);
    }
    // The limit was reached (so eviction by bytes was tested) and the buffer is not just one entry.
    expect(j.evicted).toBeGreaterThan(100);
    expect(j.size).toBeGreaterThan(5);
    expect(j.bytes).toBeGreaterThan(maxBytes - 200 * 1024);
    // The bytes counted are those of the held entries: clearing gives them all back.
    j.clear();
    expect(j.bytes).toBe(0);
  });

  it('counts what went over the wire plus a fixed overhead per entry', () => {
    const j = new Journal({ clock: frozenClock() });
    j.record(input({ requestBody: null, responseBody: null, requestHeaders: {}, responseHeaders: {}, query: '', path: '', relativePath: '' }));
    expect(j.bytes).toBe(ENTRY_OVERHEAD_BYTES);
    const before = j.bytes;
    j.record(input({ requestBody: 'a'.repeat(1000), responseBody: 'b'.repeat(3000), requestHeaders: {}, responseHeaders: {}, query: '', path: '', relativePath: '' }));
    expect(j.bytes - before).toBe(ENTRY_OVERHEAD_BYTES + 4000);
  });

  it('what a subscriber adds (client, findings) counts against the limit too, and queries and reads see it', () => {
    const maxBytes = 64 * 1024;
    const j = new Journal({ capacity: 10_000, maxBytes, clock: frozenClock() });
    const detail = 'd'.repeat(2000);
    j.subscribe((entry) => {
      entry.client = 'c-0123456789ab';
      entry.findings = [{ code: 'retry-storm', rfc: 'RFC 6585 4', detail, requestIds: [entry.id] }];
    });
    j.record(input({ requestBody: null, responseBody: null, requestHeaders: {}, responseHeaders: {}, query: '', path: '', relativePath: '' }));
    expect(j.bytes).toBeGreaterThan(ENTRY_OVERHEAD_BYTES + detail.length);
    for (let i = 0; i < 200; i++) {
      j.record(input());
      expect(j.bytes).toBeLessThanOrEqual(maxBytes);
    }
    expect(j.evicted).toBeGreaterThan(0);
    expectNewestSuffix(j);
    const last = j.list({ order: 'desc', limit: 1 })[0]!;
    expect(last.client).toBe('c-0123456789ab');
    expect(last.findings.map((f) => f.requestIds)).toEqual([[last.id]]);
    expect(j.count({ findingCode: 'retry-storm' })).toBe(j.size);
  });

  it('the count limit still applies: whichever limit is reached first evicts', () => {
    const j = new Journal({ capacity: 3, maxBytes: 64 * 1024 * 1024, clock: frozenClock() });
    for (let i = 0; i < 10; i++) j.record(input());
    expect(j.size).toBe(3);
    expect(j.evicted).toBe(7);
    expectNewestSuffix(j);
  });

  it('an entry larger than the whole limit is streamed but not kept, and empties the buffer before it', () => {
    const j = new Journal({ capacity: 100, maxBytes: 70 * 1024, clock: frozenClock() });
    const seen: number[] = [];
    j.subscribe((e: JournalEntry) => seen.push(e.seq));
    j.record(input());
    j.record(input({ requestBody: 'q'.repeat(JOURNAL_BODY_LIMIT), responseBody: 'z'.repeat(JOURNAL_BODY_LIMIT) }));
    expect(seen).toEqual([1, 2]);
    expect(j.size).toBe(0);
    expect(j.bytes).toBe(0);
    expect(j.evicted).toBe(2);
    expect(j.get('req-2')).toBeUndefined();
    j.record(input());
    expect(j.list().map((e) => e.seq)).toEqual([3]);
    expect(j.get('req-3')?.seq).toBe(3);
  });

  it('rejects a byte limit that is not a positive integer', () => {
    expect(() => new Journal({ maxBytes: 0, clock: frozenClock() })).toThrow(RangeError);
    expect(() => new Journal({ maxBytes: 1.5, clock: frozenClock() })).toThrow(RangeError);
  });

  it('through HTTP: --journal-max-bytes bounds what a tenant keeps while large requests come in', async () => {
    const maxBytes = 256 * 1024;
    const app = createApp({ journalMaxBytes: maxBytes });
    const journal = runtimeOf(app).defaultTenant.journal;
    expect(journal.maxBytes).toBe(maxBytes);
    const auth = { Authorization: 'Bearer scimulator-dev-token' };
    for (let i = 0; i < 12; i++) {
      await request(app)
        .post('/scim/v2/Users')
        .set(auth)
        .set('Content-Type', 'application/scim+json')
        .send({ schemas: [USER], userName: `big-${i}`, displayName: 'd'.repeat(40_000) })
        .expect(201);
      expect(journal.bytes).toBeLessThanOrEqual(maxBytes);
    }
    // Each entry holds about 80 KB (the body sent and the user returned): only the newest few fit.
    expect(journal.size).toBeGreaterThan(0);
    expect(journal.size).toBeLessThan(4);
    expectNewestSuffix(journal);
    const newest = journal.list({ order: 'desc', limit: 1 })[0]!;
    expect((newest.requestBody as { userName: string }).userName).toBe('big-11');
  });

  it('refuses a --journal-max-bytes below 64 KiB', () => {
    expect(() => createApp({ journalMaxBytes: 1000 })).toThrow(/--journal-max-bytes/);
  });
});
