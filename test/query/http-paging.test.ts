/**
 * Sorting, index pagination (RFC 7644 3.4.2.3, 3.4.2.4) and cursor pagination (RFC 9865) over HTTP.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, USER_SCHEMA, createUser, expectScimError } from '../http/helpers.js';
import { directory, ENTERPRISE, q } from './fixture.js';

type Page = { status: number; body: Record<string, any> };

const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : undefined);

describe('index pagination', () => {
  it('a 7-page walk with count=75 returns every user exactly once, in creation order', async () => {
    const { c, users } = directory();
    const seen: string[] = [];
    for (let page = 0; page < 7; page++) {
      const startIndex = 1 + page * 75;
      const res = await c.get(`/Users?startIndex=${startIndex}&count=75`);
      expect(res.status).toBe(200);
      expect(res.body.totalResults).toBe(500);
      expect(res.body.startIndex).toBe(startIndex);
      expect(res.body.itemsPerPage).toBe(page < 6 ? 75 : 50);
      expect(res.body.Resources).toHaveLength(res.body.itemsPerPage);
      seen.push(...res.body.Resources.map((u: any) => u.id));
    }
    expect(new Set(seen).size).toBe(500);
    expect(seen).toEqual(users.map((u) => u.id));
  });

  it('a sorted 7-page walk also returns every user exactly once', async () => {
    const { c } = directory();
    const seen: string[] = [];
    for (let page = 0; page < 7; page++) {
      const res = await c.get(`/Users?sortBy=name.familyName&startIndex=${1 + page * 75}&count=75`);
      seen.push(...res.body.Resources.map((u: any) => u.id));
    }
    expect(seen).toHaveLength(500);
    expect(new Set(seen).size).toBe(500);
  });

  it('count=0 returns totalResults and no resources', async () => {
    const { c } = directory();
    const res = await c.get('/Users?count=0');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 500, itemsPerPage: 0, startIndex: 1 });
    expect(res.body.Resources ?? []).toEqual([]);
  });

  it('startIndex beyond the end is an empty page, not an error', async () => {
    const { c } = directory();
    const res = await c.get('/Users?startIndex=1000&count=10');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 500, itemsPerPage: 0, startIndex: 1000 });
    expect(res.body.Resources ?? []).toEqual([]);
  });

  it('startIndex below 1 means 1; negative count means 0; no count means defaultPageSize', async () => {
    const { c, users } = directory();
    for (const s of ['0', '-5']) {
      const res = await c.get(`/Users?startIndex=${s}&count=3`);
      expect(res.body.startIndex).toBe(1);
      expect(res.body.Resources.map((u: any) => u.id)).toEqual(users.slice(0, 3).map((u) => u.id));
    }
    const negative = await c.get('/Users?count=-1');
    expect(negative.body).toMatchObject({ totalResults: 500, itemsPerPage: 0 });
    const noCount = await c.get('/Users');
    expect(noCount.body.itemsPerPage).toBe(100);
  });

  it('count above maxPageSize is capped; defaultPageSize and maxPageSize come from the tenant config', async () => {
    const { c } = directory();
    const patched = await request(c.app).patch('/_mock/config').send({ defaultPageSize: 20, maxPageSize: 50 });
    expect(patched.status).toBe(200);
    expect((await c.get('/Users?count=500')).body.itemsPerPage).toBe(50);
    expect((await c.get('/Users')).body.itemsPerPage).toBe(20);
  });

  it.each([
    ['startIndex=abc', 'invalidValue', /startIndex/],
    ['startIndex=1.5', 'invalidValue', /startIndex/],
    // Without a cursor this is RFC 7644 index paging: a count that is no integer is invalidValue (3.4.2.4, 3.12);
    // RFC 9865's invalidCount is for cursor pagination (its section 1: "invoked when using the cursor parameter").
    ['count=ten', 'invalidValue', /count/],
    ['count=1e2', 'invalidValue', /count/],
    ['count=ten&cursor=', 'invalidCount', /count/],
    ['count=1e2&cursor', 'invalidCount', /count/],
  ])('%s is 400 %s with a detail naming the parameter', async (params, scimType, detail) => {
    const { c } = directory({ users: 3, groups: 0 });
    const body = expectScimError(await c.get(`/Users?${params}`), 400, scimType);
    expect(body.detail).toMatch(detail);
  });

  it('empty startIndex and count mean "not given"', async () => {
    const { c } = directory({ users: 3, groups: 0 });
    const res = await c.get('/Users?startIndex=&count=');
    expect(res.body).toMatchObject({ totalResults: 3, startIndex: 1, itemsPerPage: 3 });
  });
});

describe('sorting', () => {
  it('sortBy=name.familyName ascending and descending: case-insensitive order, ties in creation order', async () => {
    const { c, users } = directory();
    const position = new Map(users.map((u, i) => [u.id as string, i]));
    const noName = await createUser(c, 'no-family-name');
    position.set(noName.id, users.length);
    for (const order of ['ascending', 'descending'] as const) {
      const res = await c.get(`/Users?sortBy=name.familyName&sortOrder=${order}&count=1000`);
      expect(res.status).toBe(200);
      const list: any[] = res.body.Resources;
      expect(list).toHaveLength(501);
      // RFC 7644 3.4.2.3: resources without a value are last ascending, first descending.
      expect(order === 'ascending' ? list[500].id : list[0].id).toBe(noName.id);
      const named = list.filter((u) => u.id !== noName.id);
      for (let i = 1; i < named.length; i++) {
        const a = lower(named[i - 1].name.familyName)!;
        const b = lower(named[i].name.familyName)!;
        if (a === b) expect(position.get(named[i - 1].id)!).toBeLessThan(position.get(named[i].id)!);
        else expect(order === 'ascending' ? a < b : a > b).toBe(true);
      }
      // There are ties to check (the generator pools family names).
      expect(new Set(named.map((u) => lower(u.name.familyName))).size).toBeLessThan(named.length);
    }
  });

  it('sortOrder defaults to ascending and is case-insensitive', async () => {
    const { c } = directory({ users: 50, groups: 0 });
    const a = await c.get('/Users?sortBy=userName&count=50');
    const b = await c.get('/Users?sortBy=USERNAME&sortOrder=Ascending&count=50');
    expect(b.body.Resources.map((u: any) => u.id)).toEqual(a.body.Resources.map((u: any) => u.id));
    const names = a.body.Resources.map((u: any) => u.userName.toLowerCase());
    expect(names).toEqual([...names].sort());
  });

  it('sorts by an enterprise extension attribute, URN-qualified', async () => {
    const { c, users } = directory();
    const position = new Map(users.map((u, i) => [u.id as string, i]));
    const res = await c.get(`/Users?sortBy=${q(`${ENTERPRISE}:department`)}&sortOrder=descending&count=1000`);
    expect(res.status).toBe(200);
    const list: any[] = res.body.Resources;
    for (let i = 1; i < list.length; i++) {
      const a = lower(list[i - 1][ENTERPRISE]?.department);
      const b = lower(list[i][ENTERPRISE]?.department);
      if (a === b) expect(position.get(list[i - 1].id)!).toBeLessThan(position.get(list[i].id)!);
      else if (a !== undefined && b !== undefined) expect(a > b).toBe(true);
      else expect(a).toBeUndefined(); // missing values come first when descending
    }
    expect(new Set(list.map((u) => u[ENTERPRISE]?.department)).size).toBeGreaterThan(3);
  });

  it('sortBy a multi-valued attribute uses its primary value, else its first', async () => {
    const { c } = directory({ users: 0, groups: 0 });
    const p = await createUser(c, 'p', { emails: [{ value: 'z@x.org' }, { value: 'b@x.org', primary: true }] });
    const f = await createUser(c, 'f', { emails: [{ value: 'c@x.org' }, { value: 'a@x.org' }] });
    const n = await createUser(c, 'n');
    const res = await c.get('/Users?sortBy=emails.value');
    expect(res.body.Resources.map((u: any) => u.id)).toEqual([p.id, f.id, n.id]);
    const bare = await c.get('/Users?sortBy=emails&sortOrder=descending');
    expect(bare.body.Resources.map((u: any) => u.id)).toEqual([n.id, f.id, p.id]);
  });

  it('sorts dateTime attributes as instants', async () => {
    const { c, users } = directory({ users: 40, groups: 0 });
    const res = await c.get('/Users?sortBy=meta.created&count=40');
    const created = res.body.Resources.map((u: any) => Date.parse(u.meta.created));
    expect(created).toEqual([...created].sort((a: number, b: number) => a - b));
    expect(res.body.Resources).toHaveLength(users.length);
  });

  it.each([
    ['sortBy=name', /sub-attributes.*name\.familyName|name\./],
    ['sortBy=nickname.first', /names no attribute/],
    ['sortBy=favouriteColour', /names no attribute/],
    ['sortBy=password', /never returned/],
    ['sortBy=userName&sortOrder=up', /ascending.*descending/],
  ])('%s is 400 invalidValue', async (params, detail) => {
    const { c } = directory({ users: 3, groups: 0 });
    const body = expectScimError(await c.get(`/Users?${params}`), 400, 'invalidValue');
    expect(body.detail).toMatch(detail);
  });
});

describe('cursor pagination (RFC 9865)', () => {
  const walk = async (c: ReturnType<typeof directory>['c'], base: string, between?: (page: number) => Promise<void>) => {
    const pages: Page[] = [];
    let cursor = '';
    for (let i = 0; i < 100; i++) {
      const res = await c.get(`${base}${base.includes('?') ? '&' : '?'}cursor=${cursor}`);
      expect(res.status, res.text).toBe(200);
      pages.push(res);
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
      if (between) await between(i);
    }
    return pages;
  };

  it('a cursor walk returns every user exactly once; cursors are unreserved characters', async () => {
    const { c, users } = directory();
    const pages = await walk(c, '/Users?count=75');
    expect(pages).toHaveLength(7);
    const seen = pages.flatMap((p) => p.body.Resources.map((u: any) => u.id));
    expect(seen).toEqual(users.map((u) => u.id));
    pages.forEach((p, i) => {
      expect(p.body.totalResults).toBe(500);
      expect(p.body.itemsPerPage).toBe(i < 6 ? 75 : 50);
      expect(p.body).not.toHaveProperty('startIndex');
      if (i === 0) expect(p.body).not.toHaveProperty('previousCursor');
      else expect(p.body.previousCursor).toMatch(/^[A-Za-z0-9\-._~]+$/);
      if (i === 6) expect(p.body).not.toHaveProperty('nextCursor');
      else expect(p.body.nextCursor).toMatch(/^[A-Za-z0-9\-._~]+$/);
    });
  });

  it('"cursor" present without a value starts a walk, as in the RFC 9865 example', async () => {
    const { c, users } = directory({ users: 30, groups: 0 });
    const res = await c.get(`/Users?filter=${q('userName sw "a"')}&cursor&count=10`);
    expect(res.status).toBe(200);
    const expected = users.filter((u: any) => u.userName.toLowerCase().startsWith('a'));
    expect(res.body.totalResults).toBe(expected.length);
    expect(res.body.Resources.map((u: any) => u.id)).toEqual(expected.slice(0, 10).map((u) => u.id));
  });

  it('a sorted cursor walk returns every user once, in the same order as the sorted index listing', async () => {
    const { c } = directory();
    const pages = await walk(c, '/Users?sortBy=name.familyName&sortOrder=descending&count=64');
    const seen = pages.flatMap((p) => p.body.Resources.map((u: any) => u.id));
    const all = await c.get('/Users?sortBy=name.familyName&sortOrder=descending&count=1000');
    expect(seen).toEqual(all.body.Resources.map((u: any) => u.id));
  });

  for (const sort of ['', '&sortBy=name.familyName', '&sortBy=userName&sortOrder=descending']) {
    it(`a walk while users are created and deleted returns every user that existed throughout exactly once (${sort || 'creation order'})`, async () => {
      const { c, users } = directory();
      const deleted = new Set<string>();
      const created = new Set<string>();
      let n = 0;
      const pages = await walk(c, `/Users?count=60${sort}`, async (page) => {
        // Delete two users from anywhere (seen or not yet seen), create two (before or after the position).
        for (const victim of [users[(page * 97 + 13) % users.length]!, users[(page * 53 + 401) % users.length]!]) {
          if (deleted.has(victim.id as string)) continue;
          const res = await c.delete(`/Users/${victim.id}`);
          expect(res.status).toBe(204);
          deleted.add(victim.id as string);
        }
        for (const name of [`aaa-new-${n++}`, `zzz-new-${n++}`]) {
          const u = await createUser(c, name, { name: { familyName: name } });
          created.add(u.id);
        }
      });
      const seen = pages.flatMap((p) => p.body.Resources.map((u: any) => u.id as string));
      expect(new Set(seen).size).toBe(seen.length); // no repeats at all
      const throughout = users.map((u) => u.id as string).filter((id) => !deleted.has(id));
      const seenSet = new Set(seen);
      for (const id of throughout) expect(seenSet.has(id), id).toBe(true);
      for (const id of seen) expect(throughout.includes(id) || created.has(id) || deleted.has(id)).toBe(true);
      expect(deleted.size).toBeGreaterThan(10);
    });
  }

  it('previousCursor leads back to the previous page', async () => {
    const { c } = directory({ users: 100, groups: 0 });
    const p1 = await c.get('/Users?count=20&sortBy=userName&cursor=');
    const p2 = await c.get(`/Users?count=20&sortBy=userName&cursor=${p1.body.nextCursor}`);
    const p3 = await c.get(`/Users?count=20&sortBy=userName&cursor=${p2.body.nextCursor}`);
    const back = await c.get(`/Users?count=20&sortBy=userName&cursor=${p3.body.previousCursor}`);
    expect(back.body.Resources.map((u: any) => u.id)).toEqual(p2.body.Resources.map((u: any) => u.id));
    expect(back.body.previousCursor).toBeDefined();
    expect(back.body.nextCursor).toBeDefined();
    const first = await c.get(`/Users?count=20&sortBy=userName&cursor=${back.body.previousCursor}`);
    expect(first.body.Resources.map((u: any) => u.id)).toEqual(p1.body.Resources.map((u: any) => u.id));
    expect(first.body).not.toHaveProperty('previousCursor');
  });

  it('count=0 with a cursor returns totalResults only', async () => {
    const { c } = directory({ users: 10, groups: 0 });
    const res = await c.get('/Users?cursor=&count=0');
    expect(res.body).toMatchObject({ totalResults: 10, itemsPerPage: 0 });
    expect(res.body.Resources ?? []).toEqual([]);
    expect(res.body).not.toHaveProperty('nextCursor');
  });

  it('a cursor idle longer than cursorTimeout is 400 expiredCursor; within it, it works', async () => {
    const { c } = directory({ users: 50, groups: 0, cursorTimeout: 60 });
    const p1 = await c.get('/Users?count=10&cursor=');
    const advance = (ms: number) => request(c.app).post('/_mock/clock').send({ advance: ms });
    expect((await advance(59_000)).status).toBe(200);
    const p2 = await c.get(`/Users?count=10&cursor=${p1.body.nextCursor}`);
    expect(p2.status).toBe(200);
    // Idleness is measured from the last page: another 59 s is still fine for p2's cursor.
    await advance(59_000);
    expect((await c.get(`/Users?count=10&cursor=${p2.body.nextCursor}`)).status).toBe(200);
    await advance(2_000);
    const body = expectScimError(await c.get(`/Users?count=10&cursor=${p2.body.nextCursor}`), 400, 'expiredCursor');
    expect(body.detail).toMatch(/cursorTimeout = 60 seconds/);
  });

  it.each([
    ['garbage', 'not-a-cursor'],
    ['percent-encoded junk', '%25%2F%2B'],
    ['a truncated cursor', 'TRUNCATE'],
    ['a tampered cursor', 'TAMPER'],
  ])('%s is 400 invalidCursor', async (_name, value) => {
    const { c } = directory({ users: 30, groups: 0 });
    const p1 = await c.get('/Users?count=10&cursor=');
    const next: string = p1.body.nextCursor;
    const cursor = value === 'TRUNCATE' ? next.slice(0, -3) : value === 'TAMPER' ? next.slice(0, 5) + (next[5] === 'A' ? 'B' : 'A') + next.slice(6) : value;
    const body = expectScimError(await c.get(`/Users?count=10&cursor=${cursor}`), 400, 'invalidCursor');
    expect(body.detail).toMatch(/cursor/);
  });

  it('a cursor of another query is 400 invalidCursor; another count is 400 invalidCount', async () => {
    const { c } = directory({ users: 60, groups: 0 });
    const p1 = await c.get(`/Users?filter=${q('userName pr')}&count=10&cursor=`);
    const next = p1.body.nextCursor as string;
    expect((await c.get(`/Users?filter=${q('userName pr')}&count=10&cursor=${next}`)).status).toBe(200);
    expect((await c.get(`/Users?filter=${q('  userName   pr ')}&count=10&cursor=${next}`)).status).toBe(200);
    expectScimError(await c.get(`/Users?filter=${q('active eq true')}&count=10&cursor=${next}`), 400, 'invalidCursor');
    expectScimError(await c.get(`/Users?count=10&cursor=${next}`), 400, 'invalidCursor');
    expectScimError(await c.get(`/Users?filter=${q('userName pr')}&sortBy=userName&count=10&cursor=${next}`), 400, 'invalidCursor');
    expectScimError(await c.get(`/Groups?filter=${q('userName pr')}&count=10&cursor=${next}`), 400, 'invalidCursor');
    const body = expectScimError(await c.get(`/Users?filter=${q('userName pr')}&count=20&cursor=${next}`), 400, 'invalidCount');
    expect(body.detail).toMatch(/count=10/);
  });

  it('a cursor of another tenant is 400 invalidCursor', async () => {
    const { c } = directory({ users: 30, groups: 0 });
    const p1 = await c.get('/Users?count=10&cursor=');
    const tenant = await request(c.app).post('/_mock/tenants').send({ id: 'other', seed: 1 });
    expect(tenant.status).toBe(201);
    const res = await request(c.app).get(`/tenants/other/scim/v2/Users?count=10&cursor=${p1.body.nextCursor}`).set('Authorization', `Bearer ${tenant.body.token}`);
    expectScimError(res, 400, 'invalidCursor');
  });

  it('count above maxPageSize with a cursor is 400 invalidCount (RFC 9865 2.1); startIndex with cursor is 400', async () => {
    const { c } = directory({ users: 5, groups: 0, maxPageSize: 50, defaultPageSize: 50 });
    const body = expectScimError(await c.get('/Users?count=51&cursor='), 400, 'invalidCount');
    expect(body.detail).toMatch(/maxPageSize 50/);
    const both = expectScimError(await c.get('/Users?startIndex=1&cursor='), 400, 'invalidValue');
    expect(both.detail).toMatch(/startIndex.*cursor/);
  });
});

describe('ServiceProviderConfig', () => {
  it('advertises filter with maxResults, sort and (with --advertise-pagination) RFC 9865 pagination, following the tenant config', async () => {
    const { c } = directory({ users: 0, groups: 0, advertisePagination: true });
    const spc = await c.get('/ServiceProviderConfig');
    expect(spc.body.filter).toEqual({ supported: true, maxResults: 1000 });
    expect(spc.body.sort).toEqual({ supported: true });
    expect(spc.body.pagination).toEqual({
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: 100,
      maxPageSize: 1000,
      cursorTimeout: 600,
    });
    await request(c.app).patch('/_mock/config').send({ defaultPageSize: 25, maxPageSize: 200, cursorTimeout: 30 });
    const after = await c.get('/ServiceProviderConfig');
    expect(after.body.filter.maxResults).toBe(200);
    expect(after.body.pagination).toMatchObject({ defaultPageSize: 25, maxPageSize: 200, cursorTimeout: 30 });
  });

  it('tells the truth: a page never exceeds the advertised maxPageSize, and the default page is defaultPageSize', async () => {
    const { c } = directory({ users: 300, groups: 0, maxPageSize: 120, defaultPageSize: 40, advertisePagination: true });
    const spc = (await c.get('/ServiceProviderConfig')).body;
    expect((await c.get('/Users?count=100000')).body.itemsPerPage).toBe(spc.filter.maxResults);
    expect((await c.get('/Users')).body.itemsPerPage).toBe(spc.pagination.defaultPageSize);
    expect((await c.get('/Users?cursor=')).body.itemsPerPage).toBe(spc.pagination.defaultPageSize);
    expect((await c.get(`/Users?filter=${q('userName pr')}&sortBy=userName`)).status).toBe(200);
  });
});

describe('users created through the API list in creation order', () => {
  it('without sortBy', async () => {
    const { c } = directory({ users: 0, groups: 0 });
    const made = [];
    for (const name of ['c', 'a', 'b']) made.push((await createUser(c, name)).id);
    const res = await c.get('/Users');
    expect(res.body.Resources.map((u: any) => u.id)).toEqual(made);
    expect(res.body.Resources[0].schemas).toEqual([USER_SCHEMA]);
  });

  it('HEAD-free sanity: the auth header is required for lists', async () => {
    const { c } = directory({ users: 1, groups: 0 });
    expectScimError(await request(c.app).get('/scim/v2/Users'), 401);
    expect((await request(c.app).get('/scim/v2/Users').set(AUTH)).status).toBe(200);
  });
});
