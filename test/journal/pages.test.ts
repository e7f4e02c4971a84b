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
    // Text that is not JSON is kept as text (what redactBody does with it).
    expect(j.record(input({ requestBody: 'grant=1&password=x' })).requestBody).toBe('grant=1&password=x');
    expect(j.record(input({ requestBody: 42 })).requestBody).toBe(42);
    expect(j.record(input({ requestBody: '' })).requestBody).toBeNull();
  });

  it('an entry larger than a page share gets a page of its own; the next ones go on the shared page', () => {
    const pages = new EntryPages();
    const small = pages.reserve(['abc']);
    const at = pages.offset;
    expect(pages.put('abc')).toBe(at + 3);
    const big = 'x'.repeat(PAGE_BYTES);
    const own = pages.reserve(['', big]);
    expect(own).not.toBe(small);
    expect(own.length).toBe(PAGE_BYTES);
    expect(pages.offset).toBe(0);
    pages.put('');
    expect(pages.put(big)).toBe(PAGE_BYTES);
    // Back on the shared page, after what it held.
    expect(pages.reserve(['de'])).toBe(small);
    expect(pages.offset).toBe(at + 3);
    expect(pages.put('dé')).toBe(at + 6);
    expect(small.toString('utf8', at, at + 6)).toBe('abcdé');
  });
});
