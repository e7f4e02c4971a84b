/**
 * RFC 9865 cursors stay short whatever the sort key: a walk sorted on an attribute of thousands of characters gets
 * cursors the server takes back (no 414, no invalidCursor), deterministic, and expiredCursor when the server no
 * longer holds the key.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { runtimeOf } from '../../src/http/app.js';
import { MAX_INLINE_KEY_BYTES } from '../../src/scim/cursor.js';
import { client, createUser, expectScimError, type Client } from '../http/helpers.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
/** Titles of `length` characters that share all but their last 10: the order is decided at their end. */
const titleOf = (i: number, length: number) => `${'t'.repeat(length - 10)}-${String(9 - i).padStart(9, '0')}`;

async function setUp(length = 7000) {
  const c = client();
  runtimeOf(c.app).defaultTenant.clock.freeze(Date.parse('2030-01-01T00:00:00Z'));
  const ids: string[] = [];
  for (let i = 0; i < 7; i++) ids.push((await createUser(c, `user${i}`, { title: titleOf(i, length) })).id);
  // Sorted by title ascending: the last created first.
  return { c, sorted: [...ids].reverse() };
}

async function walk(c: Client, page: (cursor: string) => Promise<request.Response>) {
  const seen: string[] = [];
  const cursors: string[] = [];
  let cursor = '';
  for (let i = 0; i < 10; i++) {
    const res = await page(cursor);
    expect(res.status, res.text.slice(0, 300)).toBe(200);
    seen.push(...res.body.Resources.map((r: { id: string }) => r.id));
    if (res.body.nextCursor === undefined) break;
    cursor = res.body.nextCursor;
    cursors.push(cursor);
  }
  return { seen, cursors };
}

describe('cursors with a long sort key', () => {
  it('a GET walk sorted on a 7,000-character attribute returns every user once, in order, with short cursors', async () => {
    const { c, sorted } = await setUp();
    const { seen, cursors } = await walk(c, (cursor) => c.get(`/Users?sortBy=title&count=2&attributes=userName&cursor=${cursor}`));
    expect(seen).toEqual(sorted);
    expect(cursors).toHaveLength(3);
    for (const cursor of cursors) expect(cursor.length).toBeLessThan(2 * MAX_INLINE_KEY_BYTES);
    // Back from the third page to the second, and descending too.
    const third = await c.get(`/Users?sortBy=title&count=2&attributes=userName&cursor=${cursors[1]}`).expect(200);
    const back = await c.get(`/Users?sortBy=title&count=2&attributes=userName&cursor=${third.body.previousCursor}`).expect(200);
    expect(back.body.Resources.map((r: { id: string }) => r.id)).toEqual(sorted.slice(2, 4));
    const descending = await walk(c, (cursor) => c.get(`/Users?sortBy=title&sortOrder=descending&count=3&attributes=userName&cursor=${cursor}`));
    expect(descending.seen).toEqual([...sorted].reverse());
  });

  it('a POST /.search walk too (a 13,000-character key: no URL limit, but the longest cursor accepted); the same requests give the same cursors', async () => {
    const { c, sorted } = await setUp(13_000);
    const search = (cursor: string) => c.post('/Users/.search', { schemas: [SEARCH], sortBy: 'title', count: 3, attributes: ['userName'], cursor });
    const first = await walk(c, search);
    expect(first.seen).toEqual(sorted);
    const again = await walk(c, search);
    expect(again.cursors).toEqual(first.cursors);
  });

  it('is expiredCursor once the server no longer holds the key (another server, or past cursorTimeout)', async () => {
    const { c } = await setUp();
    const page = await c.get('/Users?sortBy=title&count=2&cursor=').expect(200);
    // A server with the same data and tenant: the cursor is its own (same secret), but the key is not there.
    const { c: other } = await setUp();
    expectScimError(await other.get(`/Users?sortBy=title&count=2&cursor=${page.body.nextCursor}`), 400, 'expiredCursor');
    const tenant = runtimeOf(c.app).defaultTenant;
    tenant.clock.advance((tenant.config.cursorTimeout + 1) * 1000);
    expectScimError(await c.get(`/Users?sortBy=title&count=2&cursor=${page.body.nextCursor}`), 400, 'expiredCursor');
    // A tampered cursor is still invalidCursor.
    const cursor = page.body.nextCursor as string;
    expectScimError(await c.get(`/Users?sortBy=title&count=2&cursor=${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`), 400, 'invalidCursor');
  });
});

describe('CursorKeys', () => {
  it('is bounded in entries and characters, and forgets keys idle past the timeout', async () => {
    const { CursorKeys } = await import('../../src/scim/cursor.js');
    const keys = new CursorKeys(3, 100);
    for (let i = 0; i < 5; i++) keys.put(`r${i}`, `k${i}`, 0, 0);
    expect(keys.size).toBe(3);
    expect(keys.get('r0')).toBeUndefined();
    expect(keys.get('r4')).toBe('k4');
    keys.put('big', 'x'.repeat(90), 0, 0);
    expect(keys.get('big')).toHaveLength(90);
    expect(keys.size).toBe(3);
    keys.put('huge', 'z'.repeat(95), 0, 0);
    expect([keys.get('r4'), keys.get('big'), keys.get('huge')?.length]).toEqual([undefined, undefined, 95]);
    keys.put('late', 'y', 61_000, 60);
    expect(keys.get('huge')).toBeUndefined();
    expect(keys.get('late')).toBe('y');
  });
});
