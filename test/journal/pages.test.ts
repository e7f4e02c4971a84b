/**
 * The journal keeps its entries' texts as UTF-8 on pages outside the V8 heap (src/journal/pages.ts): what an entry
 * shows must be exactly what was recorded, whatever the characters, the header value types, and wherever the
 * entry fell on the pages.
 */
import { describe, expect, it } from 'vitest';
import { Journal, JsonText } from '../../src/journal/journal.js';
import { decodeHeaders, encodeHeaders } from '../../src/journal/redact.js';
import { EntryPages, PAGE_BYTES } from '../../src/journal/pages.js';
import { SeededRandom } from '../../src/scim/random.js';
import { frozenClock, input } from './helpers.js';

/** Text of `length` code units drawn from ASCII, Latin-1, CJK and astral (surrogate pair) characters. */
function mixedText(random: SeededRandom, length: number): string {
  const pieces = ['a', 'Z', '7', ' ', 'é', 'ß', '中', '文', '😀', '"', '\\', '\u0000', '\n'];
  let text = '';
  while (text.length < length) text += pieces[Math.floor(random.next() * pieces.length)];
  return text;
}

describe('journal entries on pages', () => {
  it('every entry reads back its own texts, across page boundaries and with any characters', () => {
    const j = new Journal({ capacity: 5_000, maxBytes: 64 * 1024 * 1024, clock: frozenClock() });
    const random = new SeededRandom(11);
    const expected: Array<{ path: string; body: string; response: unknown; query: string }> = [];
    // ~1,500 entries of up to ~3 KB of text (up to 4 bytes per character): several pages of 256 KiB.
    for (let i = 0; i < 1_500; i++) {
      const path = `/scim/v2/Users/${mixedText(random, 1 + Math.floor(random.next() * 40))}`;
      const body = mixedText(random, Math.floor(random.next() * 1_200));
      const response = { id: String(i), displayName: mixedText(random, Math.floor(random.next() * 600)) };
      const query = `filter=${encodeURIComponent(`userName eq "${mixedText(random, 12)}"`)}&count=${i}`;
      j.record(input({ path, relativePath: path.slice(8), query, requestBody: body, responseBody: new JsonText(JSON.stringify(response)) }));
      expected.push({ path, body, response, query });
    }
    const entries = j.list({ limit: 10_000 });
    expect(entries).toHaveLength(1_500);
    entries.forEach((entry, i) => {
      const want = expected[i]!;
      expect(entry.path).toBe(want.path);
      expect(entry.relativePath).toBe(want.path.slice(8));
      // Not JSON: kept as the text itself.
      expect(entry.requestBody).toBe(want.body === '' ? null : want.body);
      expect(entry.responseBody).toEqual(want.response);
      expect(entry.query).toEqual(Object.fromEntries(new URLSearchParams(want.query)));
    });
  });

  it('keeps header values with their types: strings, numbers, lists, and a value holding the separator', () => {
    const j = new Journal({ clock: frozenClock() });
    const requestHeaders = { host: 'localhost', 'x-list': ['a', 'b'], authorization: 'Bearer abc.def', 'x-empty': '', 'x-skip': undefined };
    const responseHeaders = { 'content-length': 42, 'set-cookie': ['a=1', 'b=2'], etag: 'W/"3"' };
    const e = j.record(input({ requestHeaders, responseHeaders }));
    expect(e.requestHeaders).toEqual({ host: 'localhost', 'x-list': ['a', 'b'], authorization: 'Bearer [REDACTED]', 'x-empty': '' });
    expect(e.responseHeaders).toEqual({ 'content-length': 42, 'set-cookie': ['a=1', 'b=2'], etag: 'W/"3"' });

    // A caller of record() may pass what no HTTP parser would: still shown as given (and still redacted).
    const odd = j.record(input({ requestHeaders: { 'x-odd': 'a\u0000b', cookie: 'session=1' }, responseHeaders: { 'x-odd\u0000name': 'v', n: 7 } }));
    expect(odd.requestHeaders).toEqual({ 'x-odd': 'a\u0000b', cookie: '[REDACTED]' });
    expect(odd.responseHeaders).toEqual({ 'x-odd\u0000name': 'v', n: 7 });
  });

  it('encodeHeaders and decodeHeaders are inverse for lists and objects', () => {
    const list = ['content-type', 'application/scim+json', 'content-length', 120, 'vary', ['accept', 'origin'], 'x-empty', ''];
    expect(decodeHeaders(encodeHeaders(list, false))).toEqual(list);
    expect(decodeHeaders(encodeHeaders({ a: '1', b: 2, c: undefined }, false))).toEqual(['a', '1', 'b', 2]);
    expect(decodeHeaders(encodeHeaders({}, false))).toEqual([]);
    expect(decodeHeaders(encodeHeaders(['Authorization', 'Basic dXNlcjpwYXNz'], true))).toEqual(['Authorization', 'Basic [REDACTED]']);
  });

  it('a body parsed and redacted before it is kept reads back as the same value', () => {
    const j = new Journal({ clock: frozenClock() });
    const sent = { userName: 'bjensen', password: 't1meMachine', emails: [{ value: 'b@example.com', primary: true }], n: 1.5, none: null };
    expect(j.record(input({ requestBody: JSON.stringify(sent) })).requestBody).toEqual({ ...sent, password: '[REDACTED]' });
    expect(j.record(input({ requestBody: sent })).requestBody).toEqual({ ...sent, password: '[REDACTED]' });
    // Text that is not JSON is kept as text (what redactBody does with it), what looks like a secret redacted.
    expect(j.record(input({ requestBody: 'grant=1&password=x' })).requestBody).toBe('grant=1&password=[REDACTED]');
    expect(j.record(input({ requestBody: '{"userName":"b","password":"x",}' })).requestBody).toBe('{"userName":"b","password":"[REDACTED]",}');
    expect(j.record(input({ requestBody: 42 })).requestBody).toBe(42);
    expect(j.record(input({ requestBody: '' })).requestBody).toBeNull();
  });

  it('an entry larger than a page share gets a page of its own; the next ones go on the shared page', () => {
    const pages = new EntryPages();
    expect(pages.pageBytes).toBe(PAGE_BYTES);
    const small = pages.reserve(['abc']);
    const at = pages.offset;
    expect(pages.put('abc')).toBe(at + 3);
    const big = 'x'.repeat(PAGE_BYTES);
    const own = pages.reserve(['', big]);
    expect(own).not.toBe(small);
    expect(own.bytes.length).toBe(PAGE_BYTES);
    expect(pages.offset).toBe(0);
    pages.put('');
    expect(pages.put(big)).toBe(PAGE_BYTES);
    // Back on the shared page, after what it held.
    expect(pages.reserve(['de'])).toBe(small);
    expect(pages.offset).toBe(at + 3);
    expect(pages.put('dé')).toBe(at + 6);
    expect(small.bytes.toString('utf8', at, at + 6)).toBe('abcdé');
    expect(small.held).toBe(2);
  });

  it('pages emptied by eviction (oldest first) are filled again: a long run makes a bounded number of pages', () => {
    const pages = new EntryPages(64 * 1024);
    expect(pages.pageBytes).toBe(16 * 1024);
    const held: Array<ReturnType<EntryPages['reserve']>> = [];
    const text = 'e'.repeat(900);
    for (let i = 0; i < 20_000; i++) {
      held.push(pages.reserve([text]));
      pages.put(text);
      // Hold about 60 KiB, as a 64 KiB journal would.
      while (held.length > 64) pages.release(held.shift()!);
    }
    // 60 KiB of live entries span at most 5 pages of 16 KiB, plus the spares.
    expect(pages.made).toBeLessThanOrEqual(8);
  });

  it('an entry evicted while its reader keeps the view reads the same after its page is filled again', () => {
    const j = new Journal({ capacity: 100_000, maxBytes: 64 * 1024, clock: frozenClock() });
    const first = j.record(input({ path: '/scim/v2/Users/first', requestBody: '{"userName":"first"}', responseBody: new JsonText('{"id":"first"}'), requestHeaders: { 'x-first': '1' } }));
    // Read one field now; the others are still on the page.
    expect(first.path).toBe('/scim/v2/Users/first');
    // An entry too large to keep, handed out by record().
    const huge = 'h'.repeat(70 * 1024);
    const tooLarge = j.record(input({ path: '/scim/v2/Users/huge', requestBody: huge }));
    for (let i = 0; i < 2_000; i++) j.record(input({ path: `/scim/v2/Users/${i}`, requestBody: `{"userName":"u${i}","pad":"${'p'.repeat(400)}"}`, responseBody: new JsonText(`{"id":"${i}"}`) }));
    expect(j.get(first.id)).toBeUndefined();
    expect(first.relativePath).toBe('/Users');
    expect(first.requestBody).toEqual({ userName: 'first' });
    expect(first.responseBody).toEqual({ id: 'first' });
    expect(first.requestHeaders).toEqual({ 'x-first': '1' });
    expect(tooLarge.path).toBe('/scim/v2/Users/huge');
    expect((tooLarge.requestBody as string).length).toBe(64 * 1024);
    // What the journal still holds is the newest entries, intact.
    const newest = j.list({ order: 'desc', limit: 3 });
    expect(newest.map((e) => e.path)).toEqual(['/scim/v2/Users/1999', '/scim/v2/Users/1998', '/scim/v2/Users/1997']);
    expect(newest.map((e) => (e.requestBody as { userName: string }).userName)).toEqual(['u1999', 'u1998', 'u1997']);
  });

  it('clear() lets go of the pages while kept views still read their entries', () => {
    const j = new Journal({ maxBytes: 64 * 1024, clock: frozenClock() });
    const kept = j.record(input({ requestBody: '{"a":1}' }));
    j.clear();
    // ~120 KB: the pages of 16 KiB are filled several times over.
    for (let i = 0; i < 300; i++) j.record(input({ requestBody: `{"b":${i},"pad":"${'p'.repeat(400)}"}` }));
    expect(kept.requestBody).toEqual({ a: 1 });
  });
});
