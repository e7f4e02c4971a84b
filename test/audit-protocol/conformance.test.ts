/**
 * RFC 7644 corners connectors exercise less often, probed through HTTP (session 10 audit). Each test quotes the
 * section it checks; these all conformed when probed and pin the behaviour.
 */
import { describe, expect, it } from 'vitest';
import { runtimeOf } from '../../src/http/app.js';
import { ENTERPRISE, USER_SCHEMA, client, createUser, expectScimError, type Client } from '../http/helpers.js';

const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function setup() {
  const c = client();
  runtimeOf(c.app).defaultTenant.clock.freeze(Date.parse('2030-01-01T00:00:00Z'));
  return c;
}
const ids = (res: { body: { Resources: Array<{ id: string }> } }) => res.body.Resources.map((r) => r.id);

describe('RFC 7644 3.4.2.3 sortBy / sortOrder', () => {
  it('a multi-valued attribute sorts by its primary value, else the first ("If the specified attribute is multi-valued, resources MUST be sorted by the value of the primary attribute")', async () => {
    const c = setup();
    const a = await createUser(c, 'a', { emails: [{ value: 'zz@example.com' }, { value: 'bb@example.com', primary: true }] });
    const b = await createUser(c, 'b', { emails: [{ value: 'cc@example.com' }] });
    const d = await createUser(c, 'd', { emails: [{ value: 'aa@example.com' }, { value: 'yy@example.com' }] });
    const none = await createUser(c, 'e');
    const asc = await c.get('/Users?sortBy=emails.value').expect(200);
    expect(ids(asc)).toEqual([d.id, a.id, b.id, none.id]);
    // sortBy on the complex attribute itself means its "value" sub-attribute.
    expect(ids(await c.get('/Users?sortBy=emails').expect(200))).toEqual([d.id, a.id, b.id, none.id]);
    // A resource without the attribute is last ascending and first descending.
    const desc = await c.get('/Users?sortBy=emails.value&sortOrder=descending').expect(200);
    expect(ids(desc)).toEqual([none.id, b.id, a.id, d.id]);
  });

  it('case-insensitive strings sort without regard to case; caseExact ones (externalId) by code point', async () => {
    const c = setup();
    const bob = await createUser(c, 'Bob', { externalId: 'B' });
    const alan = await createUser(c, 'ALAN', { externalId: 'a' });
    const alice = await createUser(c, 'alice', { externalId: 'C' });
    expect(ids(await c.get('/Users?sortBy=userName').expect(200))).toEqual([alan.id, alice.id, bob.id]);
    // "B" < "C" < "a" by code point; case-insensitively it would be a, B, C.
    expect(ids(await c.get('/Users?sortBy=externalId').expect(200))).toEqual([bob.id, alice.id, alan.id]);
  });

  it('sorting applies before paging and after filtering', async () => {
    const c = setup();
    for (const name of ['e', 'c', 'a', 'd', 'b']) await createUser(c, name, { title: name < 'c' ? 'x' : 'y' });
    const page = await c.get('/Users?filter=title%20eq%20%22y%22&sortBy=userName&sortOrder=descending&startIndex=2&count=1').expect(200);
    expect(page.body.totalResults).toBe(3);
    expect(page.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['d']);
  });
});

describe('RFC 7644 3.9 / 3.4.2.5 attributes and excludedAttributes', () => {
  it('extension attributes by full URN path, sub-attributes of multi-valued complex attributes, id always and password never', async () => {
    const c = setup();
    const user = await createUser(c, 'bjensen', {
      schemas: [USER_SCHEMA, ENTERPRISE], password: 't1meMa$heen', emails: [{ value: 'b@example.com', type: 'work', primary: true }],
      [ENTERPRISE]: { department: 'Tour Operations', employeeNumber: '701984' },
    });
    const one = await c.get(`/Users/${user.id}?attributes=${ENTERPRISE}:department,emails.value,password`).expect(200);
    expect(one.body).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE], id: user.id,
      emails: [{ value: 'b@example.com' }],
      [ENTERPRISE]: { department: 'Tour Operations' },
    });
    const excluded = await c.get(`/Users/${user.id}?excludedAttributes=id,${ENTERPRISE},emails.type,meta`).expect(200);
    expect(excluded.body.id).toBe(user.id);
    expect(excluded.body[ENTERPRISE]).toBeUndefined();
    expect(excluded.body.schemas).toEqual([USER_SCHEMA]);
    expect(excluded.body.emails).toEqual([{ value: 'b@example.com', primary: true }]);
    expect(excluded.body.password).toBeUndefined();
    expect(excluded.body.meta).toBeUndefined();
  });

  it('apply to POST, PUT and PATCH responses too (RFC 7644 3.9), with the ETag still equal to the full meta.version', async () => {
    const c = setup();
    const created = await c.post('/Users?attributes=userName', { schemas: [USER_SCHEMA], userName: 'bjensen', title: 'Guide' }).expect(201);
    expect(Object.keys(created.body).sort()).toEqual(['id', 'schemas', 'userName']);
    const id = created.body.id as string;
    const replaced = await c.put(`/Users/${id}?excludedAttributes=title,meta`, { schemas: [USER_SCHEMA], userName: 'bjensen', title: 'Pilot' }).expect(200);
    expect(replaced.body.title).toBeUndefined();
    expect(replaced.body.meta).toBeUndefined();
    const patched = await c.patch(`/Users/${id}?attributes=title,meta.version`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'Captain' }] }).expect(200);
    expect(patched.body).toEqual({ schemas: [USER_SCHEMA], id, title: 'Captain', meta: { version: patched.headers.etag } });
  });

  it('unknown attribute names are ignored, not an error', async () => {
    const c = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.get(`/Users/${user.id}?attributes=userName,noSuchAttribute`).expect(200);
    expect(res.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'bjensen' });
  });
});

describe('RFC 7644 3.4.3 POST .search', () => {
  const search = (c: Client, path: string, body: Record<string, unknown>) => c.post(path, { schemas: [SEARCH], ...body });

  it('answers on the root, /Users/.search and /Groups/.search; a body without the SearchRequest URN is 400 invalidSyntax', async () => {
    const c = setup();
    await createUser(c, 'bjensen');
    expect((await search(c, '/.search', { filter: 'userName eq "bjensen"' }).expect(200)).body.totalResults).toBe(1);
    expect((await search(c, '/Users/.search', { filter: 'userName eq "bjensen"' }).expect(200)).body.totalResults).toBe(1);
    expect((await search(c, '/Groups/.search', {}).expect(200)).body.totalResults).toBe(0);
    expectScimError(await c.post('/Users/.search', { schemas: ['urn:example:wrong'] }), 400, 'invalidSyntax');
    expectScimError(await c.post('/Users/.search', [SEARCH]), 400, 'invalidSyntax');
    expect((await c.get('/Users/.search')).status).toBe(405);
  });

  it('count and startIndex below range are read as 0 and 1 (RFC 7644 3.4.2.4), and must be JSON integers', async () => {
    const c = setup();
    await createUser(c, 'bjensen');
    const res = await search(c, '/Users/.search', { count: -2, startIndex: -3 }).expect(200);
    expect(res.body).toMatchObject({ totalResults: 1, itemsPerPage: 0, startIndex: 1, Resources: [] });
    expectScimError(await search(c, '/Users/.search', { count: '2' }), 400, 'invalidValue');
  });

  it('a cursor walk (RFC 9865) in the body; startIndex beside a cursor is 400', async () => {
    const c = setup();
    for (const name of ['a', 'b', 'c']) await createUser(c, name);
    const first = await search(c, '/Users/.search', { cursor: '', count: 2, sortBy: 'userName' }).expect(200);
    expect(first.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['a', 'b']);
    expect(first.body.previousCursor).toBeUndefined();
    const second = await search(c, '/Users/.search', { cursor: first.body.nextCursor, count: 2, sortBy: 'userName' }).expect(200);
    expect(second.body.Resources.map((r: { userName: string }) => r.userName)).toEqual(['c']);
    expect(second.body.nextCursor).toBeUndefined();
    expectScimError(await search(c, '/Users/.search', { cursor: '', startIndex: 1 }), 400, 'invalidValue');
    expectScimError(await search(c, '/Users/.search', { cursor: `${first.body.nextCursor}x`, count: 2, sortBy: 'userName' }), 400, 'invalidCursor');
  });
});

describe('RFC 7644 3.14 conditional requests', () => {
  it('If-None-Match on GET: a matching tag, a list holding it, or * is 304 with the ETag and no body; If-Match that does not match is 412 with a SCIM error', async () => {
    const c = setup();
    const user = await createUser(c, 'bjensen');
    const { etag } = (await c.get(`/Users/${user.id}`).expect(200)).headers as { etag: string };
    for (const value of [etag, `W/"other", ${etag}`, '*']) {
      const res = await c.get(`/Users/${user.id}`).set('If-None-Match', value);
      expect(res.status).toBe(304);
      expect(res.headers.etag).toBe(etag);
      expect(res.text).toBe('');
    }
    expect((await c.get(`/Users/${user.id}`).set('If-Match', `W/"other", ${etag}`)).status).toBe(200);
    expectScimError(await c.get(`/Users/${user.id}`).set('If-Match', 'W/"other"'), 412);
    expectScimError(await c.delete(`/Users/${user.id}`).set('If-Match', 'W/"other"'), 412);
    expectScimError(await c.delete(`/Users/${user.id}`).set('If-None-Match', '*'), 412);
    expect((await c.delete(`/Users/${user.id}`).set('If-Match', etag)).status).toBe(204);
  });

  it('POST, PUT and PATCH answer an ETag equal to meta.version', async () => {
    const c = setup();
    const created = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'bjensen' }).expect(201);
    expect(created.headers.etag).toBe(created.body.meta.version);
    const put = await c.put(`/Users/${created.body.id}`, { schemas: [USER_SCHEMA], userName: 'bjensen', title: 'x' }).set('If-Match', created.headers.etag).expect(200);
    expect(put.headers.etag).toBe(put.body.meta.version);
    expect(put.headers.etag).not.toBe(created.headers.etag);
    const patched = await c.patch(`/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'y' }] }).expect(200);
    expect(patched.headers.etag).toBe(patched.body.meta.version);
  });
});

describe('RFC 7644 4 discovery lookups and 3.11 /Me', () => {
  it('an unknown resource type or schema is 404 in the error shape; a filter on discovery is 403; /Me without a bound user is 501', async () => {
    const c = setup();
    expect((await c.get('/ResourceTypes/User').expect(200)).body.id).toBe('User');
    expect((await c.get(`/Schemas/${USER_SCHEMA}`).expect(200)).body.id).toBe(USER_SCHEMA);
    expectScimError(await c.get('/ResourceTypes/Nope'), 404);
    expectScimError(await c.get('/Schemas/urn:ietf:params:scim:schemas:core:2.0:Nope'), 404);
    expectScimError(await c.get('/ResourceTypes?filter=name%20eq%20%22User%22'), 403);
    expectScimError(await c.get('/Me'), 501);
  });

  it('ServiceProviderConfig says what the server does: bulk limits enforced, filter.maxResults caps a page, sort and etag work', async () => {
    const c = setup();
    const spc = (await c.get('/ServiceProviderConfig').expect(200)).body;
    expect(spc).toMatchObject({ patch: { supported: true }, bulk: { supported: true }, filter: { supported: true }, sort: { supported: true }, etag: { supported: true }, changePassword: { supported: true } });
    const operations = Array.from({ length: spc.bulk.maxOperations + 1 }, (_, i) => ({ method: 'DELETE', path: `/Users/x${i}` }));
    expectScimError(await c.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'], Operations: operations }), 413);
    for (let i = 0; i < 3; i++) await createUser(c, `u${i}`);
    const page = await c.get(`/Users?count=${spc.filter.maxResults + 5}`).expect(200);
    expect(page.body.itemsPerPage).toBeLessThanOrEqual(spc.filter.maxResults);
  });
});
