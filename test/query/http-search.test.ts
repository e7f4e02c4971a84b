/**
 * POST /.search (RFC 7644 section 3.4.3) and root queries (GET / across all resource types).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, expectScimError } from '../http/helpers.js';
import { directory, ENTERPRISE, q } from './fixture.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const idsOf = (res: { body: Record<string, any> }) => (res.body.Resources as any[]).map((r) => r.id as string);

describe('POST /Users/.search and /Groups/.search', () => {
  it('answers exactly like the equivalent GET, attributes as an array', async () => {
    const { c } = directory();
    const filter = 'userName sw "j" or name.familyName sw "m"';
    const viaGet = await c.get(`/Users?filter=${q(filter)}&sortBy=userName&sortOrder=descending&startIndex=3&count=7&attributes=userName,emails.value`);
    const viaPost = await c.post('/Users/.search', {
      schemas: [SEARCH],
      attributes: ['userName', 'emails.value'],
      filter,
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 3,
      count: 7,
    });
    expect(viaPost.status).toBe(200);
    expect(viaPost.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(viaPost.body).toEqual(viaGet.body);
    expect(viaPost.body.Resources).toHaveLength(7);
    for (const u of viaPost.body.Resources) expect(Object.keys(u).sort()).toEqual(['emails', 'id', 'schemas', 'userName']);
  });

  it('excludedAttributes as an array, on Groups', async () => {
    const { c, groups } = directory();
    const g = groups.find((x: any) => x.members?.length)! as any;
    const res = await c.post('/Groups/.search', { schemas: [SEARCH], excludedAttributes: ['members'], filter: `displayName eq "${g.displayName}"` });
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    expect(res.body.Resources[0]).not.toHaveProperty('members');
    expect(res.body.Resources[0].schemas).toEqual([GROUP_SCHEMA]);
  });

  it('cursor pagination through /.search (RFC 9865 section 3)', async () => {
    const { c, users } = directory({ users: 120, groups: 0 });
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const res = await c.post('/Users/.search', { schemas: [SEARCH], attributes: ['userName'], cursor, count: 50 });
      expect(res.status, res.text).toBe(200);
      seen.push(...idsOf(res));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual(users.map((u) => u.id));
  });

  it('field names are case-insensitive; unknown fields are ignored with a conformance warning', async () => {
    const { c } = directory({ users: 20, groups: 0 });
    const res = await c.post('/Users/.search', { Schemas: [SEARCH.toUpperCase()], FILTER: 'userName pr', Count: 2, colour: 'blue' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ totalResults: 20, itemsPerPage: 2 });
    const journal = await request(c.app).get('/_mock/requests');
    const last = journal.body.requests.at(-1);
    expect(last.operation).toBe('search');
    // The SearchRequest fields in other letter case are informational attribute-case warnings.
    expect([...new Set(last.warnings.map((w: any) => w.code))].sort()).toEqual(['attribute-case', 'search-unknown-field']);
    expect(last.warnings.find((w: any) => w.code === 'search-unknown-field').detail).toContain('"colour"');
  });

  it.each([
    ['no schemas', { filter: 'userName pr' }, 'invalidSyntax', /SearchRequest/],
    ['the wrong schema', { schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'] }, 'invalidSyntax', /SearchRequest/],
    ['schemas as a string', { schemas: SEARCH }, 'invalidSyntax', /SearchRequest/],
    ['attributes as a comma string', { schemas: [SEARCH], attributes: 'userName,emails' }, 'invalidSyntax', /array/],
    ['a numeric filter', { schemas: [SEARCH], filter: 5 }, 'invalidSyntax', /filter.*string/],
    ['count as a string', { schemas: [SEARCH], count: '10' }, 'invalidValue', /count/],
    ['count as a string with a cursor', { schemas: [SEARCH], count: '10', cursor: '' }, 'invalidCount', /count/],
    ['a fractional startIndex', { schemas: [SEARCH], startIndex: 1.5 }, 'invalidValue', /startIndex/],
    ['a malformed filter', { schemas: [SEARCH], filter: 'userName eq' }, 'invalidFilter', /filter/i],
    ['a JSON array', [SEARCH], 'invalidSyntax', /object/],
  ])('a body with %s is 400 %s under the rfc profile', async (_name, body, scimType, detail) => {
    const { c } = directory({ users: 3, groups: 0, profile: 'rfc' });
    const err = expectScimError(await c.post('/Users/.search', body), 400, scimType);
    expect(err.detail).toMatch(detail);
  });

  it('a /.search without a body is 400 with a clear detail', async () => {
    const { c } = directory({ users: 3, groups: 0 });
    const err = expectScimError(await c.raw().post('/scim/v2/Users/.search').set('Authorization', 'Bearer scimulator-dev-token'), 400, 'invalidSyntax');
    expect(err.detail).toMatch(/SearchRequest/);
  });

  it('GET /Users/.search is 405 with Allow: POST; /.search on an unknown endpoint is 404', async () => {
    const { c } = directory({ users: 3, groups: 0 });
    const res = await c.get('/Users/.search');
    expectScimError(res, 405);
    expect(res.headers.allow).toBe('POST');
    expectScimError(await c.post('/Widgets/.search', { schemas: [SEARCH] }), 404);
  });
});

describe('root queries: GET / and POST /.search', () => {
  it('GET / without a filter lists every resource of every type, each with schemas and meta.resourceType', async () => {
    const { c, users, groups } = directory({ users: 40, groups: 10 });
    const res = await c.get('/?count=1000');
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(users.length + groups.length);
    expect(idsOf(res)).toEqual([...users, ...groups].map((r) => r.id)); // creation order across types
    for (const r of res.body.Resources) {
      expect(Array.isArray(r.schemas)).toBe(true);
      expect(['User', 'Group']).toContain(r.meta.resourceType);
      expect(r.meta.location).toContain(r.meta.resourceType === 'User' ? '/Users/' : '/Groups/');
    }
  });

  it('a filter naming attributes only one type has matches only that type', async () => {
    const { c, users, groups } = directory({ users: 60, groups: 10 });
    const g = groups[2]! as any;
    const onlyGroups = await c.get(`/?filter=${q(`displayName eq "${g.displayName}"`)}`);
    expect(onlyGroups.status).toBe(200);
    expect(onlyGroups.body.Resources.map((r: any) => r.meta.resourceType)).toContain('Group');
    expect(idsOf(onlyGroups)).toContain(g.id);
    const onlyUsers = await c.get(`/?filter=${q('userName pr')}&count=1000`);
    expect(onlyUsers.body.totalResults).toBe(users.length);
    expect(new Set(onlyUsers.body.Resources.map((r: any) => r.meta.resourceType))).toEqual(new Set(['User']));
    const ext = await c.get(`/?filter=${q(`${ENTERPRISE}:department pr`)}&count=1000`);
    expect(ext.body.totalResults).toBe(users.filter((u: any) => u[ENTERPRISE]?.department).length);
    const members = await c.get(`/?filter=${q('members pr')}&count=1000`);
    expect(new Set(members.body.Resources.map((r: any) => r.meta.resourceType))).toEqual(new Set(['Group']));
  });

  it('sorts across types by an attribute both have, and walks by cursor across types', async () => {
    const { c, users, groups } = directory({ users: 50, groups: 10 });
    const sorted = await c.get('/?sortBy=displayName&count=1000');
    const names = sorted.body.Resources.map((r: any) => r.displayName?.toLowerCase());
    const present = names.filter((n: unknown) => n !== undefined);
    expect(present).toEqual([...present].sort());
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 20; i++) {
      const res = await c.get(`/?sortBy=displayName&count=7&cursor=${cursor}`);
      seen.push(...idsOf(res));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual(idsOf(sorted));
    expect(seen).toHaveLength(users.length + groups.length);
  });

  it('sortBy an attribute only one type has: the others have no value and sort last', async () => {
    const { c, users } = directory({ users: 20, groups: 5 });
    const res = await c.get('/?sortBy=userName&count=100');
    const types = res.body.Resources.map((r: any) => r.meta.resourceType);
    expect(types.slice(0, users.length).every((t: string) => t === 'User')).toBe(true);
    expect(types.slice(users.length).every((t: string) => t === 'Group')).toBe(true);
    expectScimError(await c.get('/?sortBy=favouriteColour'), 400, 'invalidValue');
  });

  it('POST /.search searches all types with projection per type', async () => {
    const { c, groups } = directory({ users: 30, groups: 8 });
    const res = await c.post('/.search', { schemas: [SEARCH], filter: 'displayName pr', attributes: ['displayName'], count: 100 });
    expect(res.status).toBe(200);
    for (const r of res.body.Resources) expect(Object.keys(r).sort()).toEqual(['displayName', 'id', 'schemas']);
    expect(res.body.Resources.filter((r: any) => r.schemas[0] === GROUP_SCHEMA)).toHaveLength(groups.length);
    await request(c.app).patch('/_mock/config').send({ profile: 'rfc' });
    expectScimError(await c.post('/.search', { filter: 'displayName pr' }), 400, 'invalidSyntax');
    const get = await c.get('/.search');
    expectScimError(get, 405);
  });

  it('root queries go through the tenant prefix too', async () => {
    const { c } = directory({ users: 3, groups: 1 });
    const t = await request(c.app).post('/_mock/tenants').send({ id: 'acme', seed: 3 });
    const res = await request(c.app).get('/tenants/acme/scim/v2/?count=5').set('Authorization', `Bearer ${t.body.token}`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
  });
});
