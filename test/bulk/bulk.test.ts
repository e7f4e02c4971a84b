/**
 * POST /Bulk (RFC 7644 section 3.7): the RFC examples, bulkId references (forward, circular, in paths and in
 * PATCH filters), failOnErrors, version as If-Match, and the 413 limits.
 */
import { describe, expect, it } from 'vitest';
import { runtimeOf } from '../../src/http/app.js';
import { resolveOptions } from '../../src/config.js';
import { processBulk } from '../../src/scim/bulk.js';
import { ENTERPRISE, ERROR_SCHEMA, GROUP_SCHEMA, USER_SCHEMA, client, createUser, expectScimError, type Client } from '../http/helpers.js';
import { BASE, T0, createGroup, patchOp } from '../patch/helpers.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BULK_RESPONSE = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

function setup(options: Parameters<typeof client>[0] = {}) {
  const c = client(options);
  const tenant = runtimeOf(c.app).defaultTenant;
  tenant.clock.freeze(T0);
  return { c, tenant };
}

const bulk = (c: Client, Operations: unknown[], extra: Record<string, unknown> = {}) => c.post('/Bulk', { schemas: [BULK_REQUEST], ...extra, Operations });

type Op = { method: string; bulkId?: string; location?: string; version?: string; status: string; response?: { scimType?: string; detail: string; status: string } };
const opsOf = (res: { body: { Operations: Op[] } }) => res.body.Operations;
const idOf = (location: string) => location.split('/').pop()!;

describe('RFC 7644 3.7.2 bulkId temporary identifiers', () => {
  it('creates Alice and the Tour Guides group with Alice as member (the section 3.7.2 example)', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'Alice' } },
      { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:qwerty' }] } },
    ]);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
    const [alice, guides] = opsOf(res);
    const aliceId = idOf(alice!.location!);
    const guidesId = idOf(guides!.location!);
    expect(res.body).toEqual({
      schemas: [BULK_RESPONSE],
      Operations: [
        { location: `${BASE}/Users/${aliceId}`, method: 'POST', bulkId: 'qwerty', version: 'W/"1"', status: '201' },
        { location: `${BASE}/Groups/${guidesId}`, method: 'POST', bulkId: 'ytrewq', version: 'W/"2"', status: '201' },
      ],
    });
    const group = await c.get(`/Groups/${guidesId}`);
    expect(group.headers.etag).toBe('W/"2"');
    expect(group.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: guidesId,
      displayName: 'Tour Guides',
      members: [{ value: aliceId, $ref: `${BASE}/Users/${aliceId}`, type: 'User', display: 'Alice' }],
      meta: { resourceType: 'Group', created: new Date(T0).toISOString(), lastModified: new Date(T0).toISOString(), location: `${BASE}/Groups/${guidesId}`, version: 'W/"2"' },
    });
  });

  it('resolves bulkId in the enterprise extension manager.value (the second section 3.7.2 example)', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'Alice' } },
      {
        method: 'POST',
        path: '/Users',
        bulkId: 'ytrewq',
        data: { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'Bob', [ENTERPRISE]: { employeeNumber: '11250', manager: { value: 'bulkId:qwerty' } } },
      },
    ]);
    const [alice, bob] = opsOf(res);
    const stored = await c.get(`/Users/${idOf(bob!.location!)}`);
    // The manager is served with its $ref (RFC 7643 4.3); Alice has no displayName to show.
    expect(stored.body[ENTERPRISE]).toEqual({ employeeNumber: '11250', manager: { value: idOf(alice!.location!), $ref: alice!.location! } });
  });

  it('resolves a forward reference: the group comes first and waits for the user it names', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: 'bulkId:u' }] } },
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'u' } },
    ]);
    const [g, u] = opsOf(res);
    expect([g!.status, u!.status]).toEqual(['201', '201']);
    expect([g!.bulkId, u!.bulkId]).toEqual(['g', 'u']); // response in request order
    expect(u!.version).toBe('W/"1"'); // the user was created first
    const group = await c.get(`/Groups/${idOf(g!.location!)}`);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([idOf(u!.location!)]);
  });

  it('resolves bulkId in paths and inside PATCH filters', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'u' } },
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'G' } },
      { method: 'PATCH', path: '/Groups/bulkId:g', data: patchOp({ op: 'add', path: 'members', value: [{ value: 'bulkId:u' }] }) },
      { method: 'PATCH', path: '/Groups/bulkId:g', data: patchOp({ op: 'replace', path: 'members[value eq "bulkId:u"].display', value: 'The U' }) },
      { method: 'PATCH', path: '/Users/bulkId:u', data: patchOp({ op: 'replace', path: 'nickName', value: 'uu' }) },
    ]);
    const results = opsOf(res);
    expect(results.map((o) => o.status)).toEqual(['201', '201', '200', '200', '200']);
    const groupId = idOf(results[1]!.location!);
    const userId = idOf(results[0]!.location!);
    expect(results[2]!.location).toBe(`${BASE}/Groups/${groupId}`);
    const group = await c.get(`/Groups/${groupId}`);
    expect(group.body.members).toEqual([{ value: userId, type: 'User', display: 'The U', $ref: `${BASE}/Users/${userId}` }]);
    expect(results[3]!.version).toBe(group.headers.etag);
  });
});

describe('RFC 7644 3.7.1 circular references', () => {
  it('creates Group A and Group B that each have the other as member (the section 3.7.1 example)', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Groups', bulkId: 'qwerty', data: { schemas: [GROUP_SCHEMA], displayName: 'Group A', members: [{ type: 'Group', value: 'bulkId:ytrewq' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP_SCHEMA], displayName: 'Group B', members: [{ type: 'Group', value: 'bulkId:qwerty' }] } },
    ]);
    expect(res.status).toBe(200);
    const [a, b] = opsOf(res);
    expect([a!.status, b!.status]).toEqual(['201', '201']);
    const aId = idOf(a!.location!);
    const bId = idOf(b!.location!);
    const groupA = await c.get(`/Groups/${aId}`);
    const groupB = await c.get(`/Groups/${bId}`);
    expect(groupA.body.members).toEqual([{ value: bId, $ref: `${BASE}/Groups/${bId}`, type: 'Group', display: 'Group B' }]);
    expect(groupB.body.members).toEqual([{ value: aId, $ref: `${BASE}/Groups/${aId}`, type: 'Group', display: 'Group A' }]);
    // Each result carries the final version of its resource.
    expect(a!.version).toBe(groupA.headers.etag);
    expect(b!.version).toBe(groupB.headers.etag);
  });

  it('resolves a circle of three groups and a circle of managers in the enterprise extension', async () => {
    const { c } = setup();
    const group = (id: string, next: string) => ({ method: 'POST', path: '/Groups', bulkId: id, data: { schemas: [GROUP_SCHEMA], displayName: id, members: [{ value: `bulkId:${next}` }] } });
    const boss = (id: string, other: string) => ({
      method: 'POST',
      path: '/Users',
      bulkId: id,
      data: { schemas: [USER_SCHEMA, ENTERPRISE], userName: id, [ENTERPRISE]: { department: 'D', manager: { value: `bulkId:${other}` } } },
    });
    const res = await bulk(c, [group('x', 'y'), group('y', 'z'), group('z', 'x'), boss('u1', 'u2'), boss('u2', 'u1')]);
    const results = opsOf(res);
    expect(results.map((o) => o.status)).toEqual(['201', '201', '201', '201', '201']);
    const id = (i: number) => idOf(results[i]!.location!);
    for (const [from, to] of [[0, 1], [1, 2], [2, 0]] as const) {
      const g = await c.get(`/Groups/${id(from)}`);
      expect(g.body.members.map((m: { value: string }) => m.value)).toEqual([id(to)]);
      expect(results[from]!.version).toBe(g.headers.etag);
    }
    expect((await c.get(`/Users/${id(3)}`)).body[ENTERPRISE]).toEqual({ department: 'D', manager: { value: id(4), $ref: results[4]!.location } });
    expect((await c.get(`/Users/${id(4)}`)).body[ENTERPRISE]).toEqual({ department: 'D', manager: { value: id(3), $ref: results[3]!.location } });
  });

  it('a circle whose other half fails is undone: the early-created resource is deleted and its POST fails with 409', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP_SCHEMA], displayName: 'A', members: [{ value: 'bulkId:b' }] } },
      { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP_SCHEMA], members: [{ value: 'bulkId:a' }] } }, // no displayName
    ]);
    const [a, b] = opsOf(res);
    expect(b!.status).toBe('400');
    expect(b!.response!.scimType).toBe('invalidValue');
    expect(a!.status).toBe('409');
    expect(a!.location).toBeUndefined();
    expect(a!.response!.detail).toContain('bulkId:b');
    expect((await c.get('/Groups')).body.totalResults).toBe(0);
  });

  it('an operation that only refers to a circle waits until the circle is closed: 409 if it is undone, never a reported success that was changed behind it', async () => {
    const { c } = setup();
    await createUser(c, 'taken');
    const boss = (id: string, other: string, userName = id) => ({
      method: 'POST',
      path: '/Users',
      bulkId: id,
      data: { schemas: [USER_SCHEMA, ENTERPRISE], userName, [ENTERPRISE]: { manager: { value: `bulkId:${other}` } } },
    });
    const team = { method: 'POST', path: '/Groups', bulkId: 'team', data: { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: 'bulkId:a' }] } };
    // a and b manage each other; b's userName is taken, so a (created early to break the circle) is deleted again.
    const res = await bulk(c, [boss('a', 'b'), team, boss('b', 'a', 'taken')]);
    const [a, group, b] = opsOf(res);
    expect(b!.status).toBe('409');
    expect(b!.response!.scimType).toBe('uniqueness');
    expect(a!.status).toBe('409');
    // The group needed a: it fails as any operation referring to a failed POST does, and nothing is left of it.
    expect(group!.status).toBe('409');
    expect(group!.response!.detail).toContain('bulkId:a');
    expect((await c.get('/Groups')).body.totalResults).toBe(0);
    expect((await c.get('/Users')).body.totalResults).toBe(1);
  });

  it('an operation that refers to a circle runs after it is closed, and reports the version it left', async () => {
    const { c } = setup();
    const boss = (id: string, other: string) => ({
      method: 'POST',
      path: '/Users',
      bulkId: id,
      data: { schemas: [USER_SCHEMA, ENTERPRISE], userName: id, [ENTERPRISE]: { manager: { value: `bulkId:${other}` } } },
    });
    const team = { method: 'POST', path: '/Groups', bulkId: 'team', data: { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: 'bulkId:a' }] } };
    const rename = { method: 'PATCH', path: '/Users/bulkId:a', data: patchOp({ op: 'replace', path: 'displayName', value: 'Alpha' }) };
    const res = await bulk(c, [boss('a', 'b'), team, rename, boss('b', 'a')]);
    const results = opsOf(res);
    expect(results.map((o) => o.status)).toEqual(['201', '201', '200', '201']);
    const aId = idOf(results[0]!.location!);
    const bId = idOf(results[3]!.location!);
    const group = await c.get(`/Groups/${idOf(results[1]!.location!)}`);
    expect(group.body.members.map((m: { value: string }) => m.value)).toEqual([aId]);
    // The group was written by its POST; the rename of its member afterwards (operation 3) changed the member's
    // display it shows, and with it its version.
    expect(group.body.members[0].display).toBe('Alpha');
    expect(results[1]!.version).toMatch(/^W\/"\d+"$/);
    expect(results[1]!.version).not.toBe(group.headers.etag);
    const userA = await c.get(`/Users/${aId}`);
    expect(userA.body.displayName).toBe('Alpha');
    expect(userA.body[ENTERPRISE].manager.value).toBe(bId);
    // The PATCH ran on the complete user: its version is the one stored, and the POST's is the one before it.
    expect(results[2]!.version).toBe(userA.headers.etag);
    expect((await c.get(`/Users/${bId}`)).body[ENTERPRISE].manager.value).toBe(aId);
  });
});

describe('RFC 7644 3.7.3 response and error handling', () => {
  async function fixture(c: Client) {
    const bob = await createUser(c, 'bob'); // W/"1"
    const dave = await createUser(c, 'dave', { nickName: 'D' }); // W/"2"
    const gone = await createUser(c, 'gone'); // W/"3"
    return { bob, dave, gone };
  }

  it('adds, updates and removes users in one request (the section 3.7.3 example, with this server\'s ids and versions)', async () => {
    const { c } = setup();
    const { bob, dave, gone } = await fixture(c);
    const res = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'Alice' } },
      { method: 'PUT', path: `/Users/${bob.id}`, version: bob.meta.version, data: { schemas: [USER_SCHEMA], id: bob.id, userName: 'Bob' } },
      { method: 'PATCH', path: `/Users/${dave.id}`, version: dave.meta.version, data: patchOp({ op: 'remove', path: 'nickName' }, { op: 'replace', path: 'userName', value: 'Dave' }) },
      { method: 'DELETE', path: `/Users/${gone.id}`, version: gone.meta.version },
    ], { failOnErrors: 1 });
    expect(res.status).toBe(200);
    const aliceId = idOf(opsOf(res)[0]!.location!);
    expect(res.body).toEqual({
      schemas: [BULK_RESPONSE],
      Operations: [
        { location: `${BASE}/Users/${aliceId}`, method: 'POST', bulkId: 'qwerty', version: 'W/"4"', status: '201' },
        { location: `${BASE}/Users/${bob.id}`, method: 'PUT', version: 'W/"5"', status: '200' },
        { location: `${BASE}/Users/${dave.id}`, method: 'PATCH', version: 'W/"6"', status: '200' },
        { location: `${BASE}/Users/${gone.id}`, method: 'DELETE', status: '204' },
      ],
    });
    expect((await c.get(`/Users/${dave.id}`)).body.userName).toBe('Dave');
    expectScimError(await c.get(`/Users/${gone.id}`), 404);
  });

  it('failOnErrors 1 stops at the first error: only that operation is in the response (the RFC example\'s wrong User schema URN)', async () => {
    const { c } = setup();
    const { bob } = await fixture(c);
    const res = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: ['urn:ietf:params:scim:api:messages:2.0:User'], userName: 'Alice' } },
      { method: 'PUT', path: `/Users/${bob.id}`, data: { schemas: [USER_SCHEMA], userName: 'Bob' } },
    ], { failOnErrors: 1 });
    expect(res.status).toBe(200);
    expect(opsOf(res)).toEqual([
      { method: 'POST', bulkId: 'qwerty', status: '400', response: { schemas: [ERROR_SCHEMA], status: '400', scimType: 'invalidValue', detail: expect.stringContaining('urn:ietf:params:scim:schemas:core:2.0:User') } },
    ]);
    expect((await c.get(`/Users/${bob.id}`)).body.userName).toBe('bob');
  });

  it('failOnErrors 2 processes until the second error', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'a', data: { schemas: [USER_SCHEMA] } },
      { method: 'POST', path: '/Users', bulkId: 'b', data: { schemas: [USER_SCHEMA], userName: 'b' } },
      { method: 'DELETE', path: '/Users/nope' },
      { method: 'POST', path: '/Users', bulkId: 'c', data: { schemas: [USER_SCHEMA], userName: 'c' } },
    ], { failOnErrors: 2 });
    expect(opsOf(res).map((o) => o.status)).toEqual(['400', '201', '404']);
  });

  it('without failOnErrors every operation is processed, and each failure says what a single request would have (the "all failed" example)', async () => {
    const { c } = setup();
    const { bob, dave } = await fixture(c);
    const res = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER_SCHEMA], userName: 'bob' } },
      { method: 'PUT', path: `/Users/${bob.id}`, version: 'W/"3694e05e9dff591"', data: { schemas: [USER_SCHEMA], id: bob.id, userName: 'Bob' } },
      { method: 'PATCH', path: `/Users/${dave.id}`, version: 'W/"edac3253e2c0ef2"', data: patchOp({ op: 'replace', path: 'userName', value: 'Dave' }) },
      { method: 'DELETE', path: '/Users/e9025315-6bea-44e1-899c-1e07454e468b', version: 'W/"0ee8add0a938e1a"' },
    ]);
    expect(res.status).toBe(200);
    const [post, put, patch, del] = opsOf(res);
    expect(post).toMatchObject({ method: 'POST', bulkId: 'qwerty', status: '409', response: { scimType: 'uniqueness', status: '409' } });
    expect(post!.location).toBeUndefined();
    expect(put).toMatchObject({ location: `${BASE}/Users/${bob.id}`, method: 'PUT', status: '412', response: { schemas: [ERROR_SCHEMA], status: '412' } });
    expect(put!.response!.detail).toContain('If-Match asked for W/"3694e05e9dff591"');
    expect(patch).toMatchObject({ location: `${BASE}/Users/${dave.id}`, method: 'PATCH', status: '412' });
    expect(del).toMatchObject({ location: `${BASE}/Users/e9025315-6bea-44e1-899c-1e07454e468b`, method: 'DELETE', status: '404' });
    expect((await c.get(`/Users/${dave.id}`)).body.userName).toBe('dave');
  });

  it('operation errors: unknown endpoint 404, wrong method for the path 405, bad shapes 400', async () => {
    const { c } = setup();
    const user = await createUser(c, 'x');
    const res = await bulk(c, [
      { method: 'POST', path: '/Widgets', bulkId: 'w', data: {} },
      { method: 'POST', path: `/Users/${user.id}`, bulkId: 'p', data: { schemas: [USER_SCHEMA], userName: 'p' } },
      { method: 'PUT', path: '/Users', data: { schemas: [USER_SCHEMA], userName: 'p' } },
      { method: 'GET', path: '/Users' },
      { method: 'POST', path: '/Users', data: { schemas: [USER_SCHEMA], userName: 'nobulkid' } },
      { method: 'PATCH', path: `/Users/${user.id}` },
      { method: 'DELETE', path: 'Users/x' },
      'not an operation',
    ]);
    const summary = opsOf(res).map((o) => `${o.status} ${o.response?.scimType ?? ''}`.trim());
    expect(summary).toEqual(['404', '405', '405', '400 invalidValue', '400 invalidValue', '400 invalidSyntax', '400 invalidValue', '400 invalidSyntax']);
    for (const o of opsOf(res)) expect(o.response!.detail).toMatch(/^Operations\[\d\]/);
    expect((await c.get('/Users')).body.totalResults).toBe(1);
  });

  it('an operation path is read as the same single request\'s: one trailing slash ignored, segments percent-decoded', async () => {
    const { c } = setup();
    const user = await createUser(c, 'slash');
    const title = (value: string) => patchOp({ op: 'replace', path: 'title', value });
    // The single requests first: this is what the operations must answer.
    expect((await c.patch(`/Users/${user.id}/`, title('single'))).status).toBe(200);
    expect((await c.get(`/users/${encodeURIComponent(user.id)}`)).status).toBe(200);
    const res = await bulk(c, [
      { method: 'PATCH', path: `/Users/${user.id}/`, data: title('a') },
      { method: 'PATCH', path: `/users/${user.id.replace(/-/g, '%2D')}`, data: title('b') },
      { method: 'POST', path: '/Groups/', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'G' } },
      { method: 'PATCH', path: '/Groups/bulkId%3Ag/', data: patchOp({ op: 'add', path: 'members', value: [{ value: user.id }] }) },
      { method: 'PATCH', path: `/Users/${user.id}//`, data: title('c') },
      { method: 'DELETE', path: '/Users/%E0%A4%A' },
    ]);
    const results = opsOf(res);
    expect(results.map((o) => o.status)).toEqual(['200', '200', '201', '200', '404', '400']);
    expect(results[0]!.location).toBe(`${BASE}/Users/${user.id}`);
    expect(results[3]!.location).toBe(results[2]!.location);
    const read = await c.get(`/Users/${user.id}`);
    expect(read.body.title).toBe('b');
    expect(read.body.groups.map((g: { display: string }) => g.display)).toEqual(['G']);
  });

  it('references to a bulkId nobody defines are 400; to one whose POST failed, 409', async () => {
    const { c } = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Groups', bulkId: 'g1', data: { schemas: [GROUP_SCHEMA], displayName: 'G1', members: [{ value: 'bulkId:nobody' }] } },
      { method: 'POST', path: '/Users', bulkId: 'bad', data: { schemas: [USER_SCHEMA] } },
      { method: 'POST', path: '/Groups', bulkId: 'g2', data: { schemas: [GROUP_SCHEMA], displayName: 'G2', members: [{ value: 'bulkId:bad' }] } },
      { method: 'DELETE', path: '/Users/bulkId:bad' },
    ]);
    const [g1, bad, g2, del] = opsOf(res);
    expect([g1!.status, g1!.response!.scimType]).toEqual(['400', 'invalidValue']);
    expect(g1!.response!.detail).toContain('"bulkId:nobody" refers to no POST operation');
    expect(bad!.status).toBe('400');
    expect(g2!.status).toBe('409');
    expect(g2!.response!.detail).toContain('Operations[1], which creates it, failed');
    expect(del!.status).toBe('409');
  });

  it('a version that does not match is 412 in that operation only', async () => {
    const { c } = setup();
    const user = await createUser(c, 'x');
    const res = await bulk(c, [
      { method: 'PATCH', path: `/Users/${user.id}`, version: 'W/"99"', data: patchOp({ op: 'replace', path: 'nickName', value: 'n' }) },
      { method: 'PATCH', path: `/Users/${user.id}`, version: user.meta.version, data: patchOp({ op: 'replace', path: 'nickName', value: 'm' }) },
    ]);
    expect(opsOf(res).map((o) => o.status)).toEqual(['412', '200']);
    expect(opsOf(res)[0]!.response).toMatchObject({ schemas: [ERROR_SCHEMA], status: '412' });
  });

  it('PATCH answers 204 inside a bulk when the tenant asks for 204', async () => {
    const { c, tenant } = setup();
    tenant.config.patchStatus = { Group: 204 };
    const g = await createGroup(c, 'G');
    const res = await bulk(c, [{ method: 'PATCH', path: `/Groups/${g.id}`, data: patchOp({ op: 'replace', path: 'displayName', value: 'H' }) }]);
    expect(opsOf(res)[0]).toMatchObject({ status: '204', location: `${BASE}/Groups/${g.id}` });
  });
});

describe('request-level errors', () => {
  it('the whole request is 400 for a missing BulkRequest schema, missing Operations, a bad failOnErrors or a duplicate bulkId', async () => {
    const { c } = setup();
    expectScimError(await c.post('/Bulk', { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [] }), 400, 'invalidSyntax');
    expectScimError(await c.post('/Bulk', { schemas: [BULK_REQUEST] }), 400, 'invalidSyntax');
    expectScimError(await c.post('/Bulk', [{ method: 'DELETE', path: '/Users/x' }]), 400, 'invalidSyntax');
    expectScimError(await bulk(c, [], { failOnErrors: 0 }), 400, 'invalidValue');
    expectScimError(await bulk(c, [], { failOnErrors: '1' }), 400, 'invalidValue');
    const dup = await bulk(c, [
      { method: 'POST', path: '/Users', bulkId: 'q', data: { schemas: [USER_SCHEMA], userName: 'a' } },
      { method: 'POST', path: '/Users', bulkId: 'q', data: { schemas: [USER_SCHEMA], userName: 'b' } },
    ]);
    expect(expectScimError(dup, 400, 'invalidValue').detail).toContain('bulkId "q"');
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    // The same whatever the methods and their order: a DELETE before the POST that shares its bulkId was run.
    for (const ops of [
      [{ method: 'DELETE', path: '/Users/bulkId:d', bulkId: 'd' }, { method: 'POST', path: '/Users', bulkId: 'd', data: { schemas: [USER_SCHEMA], userName: 'c' } }],
      [{ method: 'POST', path: '/Users', bulkId: 'd', data: { schemas: [USER_SCHEMA], userName: 'c' } }, { method: 'DELETE', path: '/Users/bulkId:d', bulkId: 'd' }],
      [{ method: 'PATCH', path: '/Users/x', bulkId: 'p', data: patchOp({ op: 'add', path: 'title', value: 't' }) }, { method: 'PUT', path: '/Users/y', bulkId: 'p', data: { schemas: [USER_SCHEMA], userName: 'y' } }],
    ]) {
      expect(expectScimError(await bulk(c, ops), 400, 'invalidValue').detail).toMatch(/Operations\[0\] and Operations\[1\] both use bulkId/);
    }
    expect((await c.get('/Users')).body.totalResults).toBe(0);
  });

  it('the processor itself rejects a BulkRequest without schemas (over HTTP the profile layer adds or rejects them first)', () => {
    const { tenant } = setup();
    const options = { baseUrl: BASE, maxOperations: 10, maxPayloadSize: 1000, payloadSize: 10 };
    let error: unknown;
    try {
      processBulk(tenant.service, { Operations: [] }, options);
    } catch (err) {
      error = err;
    }
    expect(error).toMatchObject({ status: 400, scimType: 'invalidSyntax' });
    expect(processBulk(tenant.service, { schemas: [BULK_REQUEST], Operations: [] }, options)).toEqual({ schemas: [BULK_RESPONSE], Operations: [] });
  });

  it('an empty bulk is a 200 with no operations; GET /Bulk is 405', async () => {
    const { c } = setup();
    expect((await bulk(c, [])).body).toEqual({ schemas: [BULK_RESPONSE], Operations: [] });
    const res = await c.get('/Bulk');
    expectScimError(res, 405);
    expect(res.headers.allow).toBe('POST');
  });
});

describe('RFC 7644 3.7.4 limits', () => {
  it('ServiceProviderConfig advertises patch and bulk with the configured limits', async () => {
    const { c } = setup({ bulkMaxOperations: 5, bulkMaxPayload: 4096 });
    const spc = (await c.get('/ServiceProviderConfig')).body;
    expect(spc.patch).toEqual({ supported: true });
    expect(spc.bulk).toEqual({ supported: true, maxOperations: 5, maxPayloadSize: 4096 });
    const defaults = (await setup().c.get('/ServiceProviderConfig')).body;
    expect(defaults.bulk).toEqual({ supported: true, maxOperations: 1000, maxPayloadSize: 1048576 });
  });

  it('more operations than maxOperations is 413 naming the limit', async () => {
    const { c } = setup({ bulkMaxOperations: 2 });
    const ops = [1, 2, 3].map((i) => ({ method: 'POST', path: '/Users', bulkId: `u${i}`, data: { schemas: [USER_SCHEMA], userName: `u${i}` } }));
    const error = expectScimError(await bulk(c, ops), 413);
    expect(error.detail).toContain('exceeds the maxOperations (2)');
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    expect((await bulk(c, ops.slice(0, 2))).status).toBe(200);
  });

  it('a body larger than maxPayloadSize is 413 naming the limit, as in the RFC example', async () => {
    const { c } = setup({ bulkMaxPayload: 2048 });
    const big = [{ method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'u', title: 'x'.repeat(3000) } }];
    const error = expectScimError(await bulk(c, big), 413);
    expect(error.detail).toContain('exceeds the maxPayloadSize (2048)');
    expect(error).not.toHaveProperty('scimType');
  });

  it('a body over --max-body too (maxPayloadSize is never above it) is answered with the same RFC 3.7.4 error', async () => {
    const { c } = setup({ maxBody: 4096 });
    const big = [{ method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'u', title: 'x'.repeat(5000) } }];
    const res = await bulk(c, big);
    const error = expectScimError(res, 413);
    expect(error.detail).toMatch(/^The size of the bulk operation \(\d+ bytes\) exceeds the maxPayloadSize \(4096\)/);
    expect(error).not.toHaveProperty('scimType');
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    // Any other endpoint keeps the body limit's own wording.
    const user = expectScimError(await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'v', title: 'x'.repeat(5000) }), 413);
    expect(user.detail).toContain('--max-body');
  });

  it('the options are checked: --bulk-max-payload may not exceed --max-body, and defaults to it when smaller', () => {
    expect(() => resolveOptions({ maxBody: 4096, bulkMaxPayload: 8192 })).toThrow(/--bulk-max-payload \(8192\) must not exceed --max-body \(4096\)/);
    expect(resolveOptions({ maxBody: 4096 }).bulkMaxPayload).toBe(4096);
    expect(() => resolveOptions({ bulkMaxOperations: 0 })).toThrow(/--bulk-max-operations must be a positive integer/);
  });
});
