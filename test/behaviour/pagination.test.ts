/**
 * Page walks, judged across requests: index walks with a gap or an overlap, counts above the advertised maximum,
 * and a resource found by walking an unfiltered list. Seven users u1..u7 (created in that order, so listed in it);
 * the tenant advertises a page size of at most 3.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { expectNoFindings, findingsOf, harness, PATCH_OP, seedUsers, USER, type Harness } from './helpers.js';

let h: Harness;
let users: Array<{ id: string; userName: string }>;
beforeEach(async () => {
  h = harness();
  await h.freeze();
  await h.config({ maxPageSize: 3, defaultPageSize: 3 });
  users = await seedUsers(h, 7);
});

const names = (body: any) => (body.Resources as Array<{ userName: string }>).map((r) => r.userName);

describe('pagination-gap and count-above-max', () => {
  it('a client that advances startIndex by the count it asked for (5) skips what the capped page (3) did not return', async () => {
    const c = h.client('okta-like-import/1.0');
    const p1 = await c.get('/Users?startIndex=1&count=5');
    expect(p1.body).toMatchObject({ startIndex: 1, itemsPerPage: 3, totalResults: 7 });
    const p2 = await c.get('/Users?startIndex=6&count=5');
    expect(names(p2.body)).toEqual(['u6', 'u7']);
    expect(await findingsOf(h)).toEqual([
      ['count-above-max', [p1.id]],
      ['count-above-max', [p2.id]],
      ['pagination-gap', [p1.id, p2.id]],
    ]);
    const e2 = await h.entry(p2.id);
    expect(e2.findings.map((f) => f.code)).toEqual(['count-above-max', 'pagination-gap']);
    const gap = e2.findings[1]!;
    expect(gap.rfc).toBe('RFC 7644 3.4.2.4');
    expect(gap.detail).toContain(`startIndex=6 after ${p1.id} returned resources 1-3 of 7 (startIndex 1, itemsPerPage 3): resources 4-5 are never fetched`);
    expect(e2.findings[0]!.detail).toContain('count=5 is above the 3 this service advertises');
  });

  it('a search walk (POST /.search) is judged the same way', async () => {
    const c = h.client('searcher/1.0');
    const search = (startIndex: number) => c.post('/Users/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], startIndex, count: 2, sortBy: 'userName' });
    const p1 = await search(1);
    const p2 = await search(4);
    expect(await findingsOf(h)).toEqual([['pagination-gap', [p1.id, p2.id]]]);
  });
});

describe('pagination-overlap', () => {
  it('a client that sends page numbers as startIndex repeats resources', async () => {
    const c = h.client('page-numbers/1.0');
    const p1 = await c.get('/Users?startIndex=1&count=3');
    const p2 = await c.get('/Users?startIndex=2&count=3');
    const p3 = await c.get('/Users?startIndex=3&count=3');
    expect(names(p2.body)).toEqual(['u2', 'u3', 'u4']);
    expect(await findingsOf(h)).toEqual([
      ['pagination-overlap', [p1.id, p2.id]],
      ['pagination-overlap', [p2.id, p3.id]],
    ]);
    expect((await h.entry(p2.id)).findings[0]!.detail).toContain('resources 2-3 are fetched again; startIndex is 1-based and counts resources, not pages: the next one is 4');
  });

  it('a retry of a page that failed is no overlap; walks with another filter are separate walks', async () => {
    await h.fault({ match: { operation: 'list', query: { startIndex: '4' } }, action: { type: 'error', status: 500 }, times: 1 });
    const c = h.client('retries-a-page/1.0');
    await c.get('/Users?startIndex=1&count=3');
    expect((await c.get('/Users?startIndex=4&count=3')).status).toBe(500);
    await h.advance(1000);
    expect((await c.get('/Users?startIndex=4&count=3')).status).toBe(200);
    await c.get('/Users?filter=userName%20sw%20%22u%22&startIndex=1&count=3');
    await c.get('/Users?startIndex=7&count=3');
    await c.get('/Users?filter=userName%20sw%20%22u%22&startIndex=4&count=3');
    // Past the end: nothing left to skip.
    await c.get('/Users?startIndex=12&count=3');
    await expectNoFindings(h);
  });
});

describe('a well-behaved walk', () => {
  it('reads maxResults, walks with startIndex += itemsPerPage until totalResults, and draws nothing', async () => {
    const c = h.client('good-import/1.0');
    const spc = await c.get('/ServiceProviderConfig');
    const max = spc.body.filter.maxResults as number;
    expect(max).toBe(3);
    const seen: string[] = [];
    for (let start = 1; ; ) {
      const page = await c.get(`/Users?startIndex=${start}&count=${max}`);
      seen.push(...names(page.body));
      start += page.body.itemsPerPage;
      if (start > page.body.totalResults) break;
    }
    expect(seen).toEqual(users.map((u) => u.userName));
    await expectNoFindings(h);
  });
});

describe('lookup-by-listing (informational)', () => {
  const deactivate = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] };

  /** Walks the unfiltered list two at a time until it finds `userName`, then PATCHes it (with If-Match). */
  async function findByListing(c: ReturnType<Harness['client']>, userName: string) {
    const pages: string[] = [];
    for (let start = 1; ; start += 2) {
      const page = await c.get(`/Users?startIndex=${start}&count=2`);
      pages.push(page.id);
      const hit = (page.body.Resources as Array<{ id: string; userName: string; meta: { version: string } }>).find((u) => u.userName === userName);
      if (hit) {
        const patched = await c.patch(`/Users/${hit.id}`, deactivate, { 'If-Match': hit.meta.version });
        return { pages, action: patched.id, id: hit.id };
      }
      if (start + 2 > page.body.totalResults) return { pages, action: undefined, id: undefined };
    }
  }

  it('walking the list until the user turns up, acting on it and walking again is flagged at the second walk', async () => {
    const c = h.client('lister/1.0');
    const first = await findByListing(c, 'u5');
    expect(first.pages).toHaveLength(3);
    const second = await c.get('/Users?startIndex=1&count=2');
    expect(await findingsOf(h)).toEqual([['lookup-by-listing', [...first.pages, first.action!, second.id]]]);
    const f = (await h.entry(second.id)).findings[0]!;
    expect(f.rfc).toBe('RFC 7644 3.4.2.2');
    expect(f.detail).toContain(`walked 3 pages of /Users without a filter, stopped at the page holding ${first.id} (userName "u5"), acted on it`);
    expect(f.detail).toContain('GET /Users?filter=userName eq "u5"');
    expect(f.detail).toContain('(informational)');
  });

  it('reading the whole list to check that a user is absent, creating it and listing again is flagged too', async () => {
    const c = h.client('exists-by-listing/1.0');
    const walk = await findByListing(c, 'u99');
    expect(walk.pages).toHaveLength(4);
    const created = await c.post('/Users', { schemas: [USER], userName: 'u99' });
    const again = await c.get('/Users?count=2');
    expect(await findingsOf(h)).toEqual([['lookup-by-listing', [...walk.pages, created.id, again.id]]]);
  });

  it('a filter finds the user in one request and draws nothing; so does a sync that reads everything and then updates', async () => {
    const c = h.client('filters/1.0');
    const found = await c.get('/Users?filter=userName%20eq%20%22u5%22');
    const u5 = found.body.Resources[0];
    await c.patch(`/Users/${u5.id}`, deactivate, { 'If-Match': u5.meta.version });
    await c.get('/Users?filter=userName%20eq%20%22u2%22');

    const sync = h.client('full-sync/1.0');
    for (let cycle = 0; cycle < 2; cycle++) {
      let last: any;
      for (let start = 1; start <= 7; start += 3) last = (await sync.get(`/Users?startIndex=${start}&count=3`)).body;
      const u7 = last.Resources.at(-1);
      await sync.patch(`/Users/${u7.id}`, deactivate, { 'If-Match': u7.meta.version });
      await h.advance(40 * 60_000);
    }
    await expectNoFindings(h);
  });

  it('an import that reads everything, then a filtered existence check, a create and the next import draws nothing', async () => {
    // Okta: imports page through GET /Users?startIndex=N&count=..., and a push checks existence with a filter first.
    const c = h.client('Okta SCIM Client 1.0.0');
    const importAll = async () => {
      for (let start = 1; start <= 7; start += 3) expect((await c.get(`/Users?startIndex=${start}&count=3`)).status).toBe(200);
    };
    await importAll();
    const check = await c.get(`/Users?filter=${encodeURIComponent('userName eq "newhire"')}&startIndex=1&count=3`);
    expect(check.body.totalResults).toBe(0);
    expect((await c.post('/Users', { schemas: [USER], userName: 'newhire' })).status).toBe(201);
    await h.advance(60_000);
    await importAll();
    await expectNoFindings(h);
  });
});
