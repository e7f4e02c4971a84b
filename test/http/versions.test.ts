/**
 * Versions and conditional requests (RFC 7644 3.14, RFC 9110 13.1): the entity tag a client sees changes whenever
 * the representation it reads changes, including what is computed from other resources (User.groups, RFC 7643
 * 4.1.2; a Group member's display). A User's meta.lastModified follows its own writes: joining a group of 100,000
 * members must not write 100,000 users (measured: ~130 MB of RSS on the bench's 100k server).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { runtimeOf } from '../../src/http/app.js';
import { GROUP_SCHEMA, USER_SCHEMA, client, createUser, expectScimError, type Client } from './helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

function setUp() {
  const c = client();
  const tenant = runtimeOf(c.app).defaultTenant;
  tenant.clock.freeze(Date.parse('2030-01-01T00:00:00Z'));
  return { c, tenant, advance: (ms = 60_000) => tenant.clock.advance(ms) };
}

const patch = (c: Client, path: string, operations: unknown[]) => c.patch(path, { schemas: [PATCH_OP], Operations: operations });
const addMember = (c: Client, groupId: string, value: string) => patch(c, `/Groups/${groupId}`, [{ op: 'add', path: 'members', value: [{ value }] }]).expect(200);
const removeMember = (c: Client, groupId: string, value: string) => patch(c, `/Groups/${groupId}`, [{ op: 'remove', path: `members[value eq "${value}"]` }]).expect(200);
const createGroup = async (c: Client, displayName: string, members: string[] = []) =>
  (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName, ...(members.length ? { members: members.map((value) => ({ value })) } : {}) }).expect(201)).body as Record<string, any>;

/** The user as a client reads it: ETag header, meta.version and lastModified, groups. */
async function read(c: Client, id: string) {
  const res = await c.get(`/Users/${id}`).expect(200);
  expect(res.body.meta.version).toBe(res.headers.etag);
  return { etag: res.headers.etag as string, lastModified: res.body.meta.lastModified as string, groups: (res.body.groups ?? []) as Array<{ value: string; display: string; type: string }> };
}

describe('a User whose computed groups change gets a new version', () => {
  it('joining a group (group PATCH): If-None-Match with the old tag is 200 with the new groups, and the old tag is 412 on PUT, PATCH and DELETE', async () => {
    const { c, advance } = setUp();
    const user = await createUser(c, 'bjensen');
    const before = await read(c, user.id);
    const group = await createGroup(c, 'Tour Guides');
    advance();
    await addMember(c, group.id, user.id);

    const conditional = await c.get(`/Users/${user.id}`).set('If-None-Match', before.etag);
    expect(conditional.status).toBe(200);
    expect(conditional.body.groups).toEqual([expect.objectContaining({ value: group.id, display: 'Tour Guides', type: 'direct' })]);
    const after = await read(c, user.id);
    expect(after.etag).not.toBe(before.etag);
    // The user was not written: its own details (and lastModified) are as they were; only what its groups show moved.
    expect(after.lastModified).toBe(before.lastModified);
    // The new tag is the one a conditional GET now matches.
    expect((await c.get(`/Users/${user.id}`).set('If-None-Match', after.etag)).status).toBe(304);

    const stale = before.etag;
    expectScimError(await c.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'bjensen', title: 'x' }).set('If-Match', stale), 412);
    expectScimError(await patch(c, `/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'x' }]).set('If-Match', stale), 412);
    expectScimError(await c.delete(`/Users/${user.id}`).set('If-Match', stale), 412);
    // A list shows the same version as the resource's own read.
    const listed = await c.get('/Users').query({ filter: 'userName eq "bjensen"' }).expect(200);
    expect(listed.body.Resources[0].meta.version).toBe(after.etag);
    expect((await patch(c, `/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'x' }]).set('If-Match', after.etag)).status).toBe(200);
  });

  it('leaving a group, the group renamed, nested into another group or deleted: each changes the tag', async () => {
    const { c, advance } = setUp();
    const user = await createUser(c, 'bjensen');
    const guides = await createGroup(c, 'Tour Guides', [user.id]);
    const staff = await createGroup(c, 'Staff');
    // Whether its own memberships change or only what its groups show (a name, an indirect group), the user is not
    // written: its version moves, its lastModified stays.
    const step = async (change: () => Promise<unknown>, groups: string[][], _direct: boolean) => {
      advance();
      const before = await read(c, user.id);
      await change();
      const after = await read(c, user.id);
      expect(after.groups.map((g) => [g.display, g.type])).toEqual(groups);
      expect(after.etag).not.toBe(before.etag);
      expect((await c.get(`/Users/${user.id}`).set('If-None-Match', before.etag)).status).toBe(200);
      expectScimError(await patch(c, `/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'x' }]).set('If-Match', before.etag), 412);
      expect(after.lastModified).toBe(before.lastModified);
      // Read again: the same tag (it is a function of what is shown, not of the moment).
      expect((await c.get(`/Users/${user.id}`).set('If-None-Match', after.etag)).status).toBe(304);
    };
    await step(() => patch(c, `/Groups/${guides.id}`, [{ op: 'replace', path: 'displayName', value: 'Guides' }]).expect(200), [['Guides', 'direct']], false);
    await step(() => addMember(c, staff.id, guides.id), [['Guides', 'direct'], ['Staff', 'indirect']], false);
    await step(() => c.put(`/Groups/${staff.id}`, { schemas: [GROUP_SCHEMA], displayName: 'All Staff', members: [{ value: guides.id }] }).expect(200), [['Guides', 'direct'], ['All Staff', 'indirect']], false);
    await step(() => removeMember(c, staff.id, guides.id), [['Guides', 'direct']], false);
    await step(() => addMember(c, staff.id, user.id), [['Guides', 'direct'], ['All Staff', 'direct']], true);
    // Nesting Guides into a group the user is a direct member of already changes nothing the user shows.
    const unchanged = await read(c, user.id);
    await addMember(c, staff.id, guides.id);
    expect(await read(c, user.id)).toEqual(unchanged);
    await step(() => c.delete(`/Groups/${staff.id}`).expect(204), [['Guides', 'direct']], true);
    await step(() => removeMember(c, guides.id, user.id), [], true);
    await step(() => addMember(c, guides.id, user.id), [['Guides', 'direct']], true);
    const outer = await createGroup(c, 'Outer', [guides.id]);
    expect((await read(c, user.id)).groups.map((g) => g.display)).toEqual(['Guides', 'Outer']);
    await step(() => c.delete(`/Groups/${outer.id}`).expect(204), [['Guides', 'direct']], false);
    await step(() => c.delete(`/Groups/${guides.id}`).expect(204), [], true);
  });

  it('a group write that changes no user\'s groups leaves the users\' versions alone; adding one member touches only that member', async () => {
    const { c } = setUp();
    const users: Array<Record<string, any>> = [];
    for (let i = 0; i < 5; i++) users.push(await createUser(c, `u${i}`));
    const group = await createGroup(c, 'Everyone', users.slice(0, 4).map((u) => u.id));
    const tags = async () => Promise.all(users.map(async (u) => (await read(c, u.id)).etag));
    const before = await tags();
    await patch(c, `/Groups/${group.id}`, [{ op: 'add', path: 'externalId', value: 'everyone' }]).expect(200);
    await c.put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Everyone', externalId: 'all', members: users.slice(0, 4).reverse().map((u) => ({ value: u.id })) }).expect(200);
    expect(await tags()).toEqual(before);
    await addMember(c, group.id, users[4]!.id);
    const after = await tags();
    expect(after.slice(0, 4)).toEqual(before.slice(0, 4));
    expect(after[4]).not.toBe(before[4]);
  });

  it('a Bulk operation whose version predates the membership change fails with 412 (RFC 7644 3.7)', async () => {
    const { c } = setUp();
    const user = await createUser(c, 'bjensen');
    const group = await createGroup(c, 'Tour Guides');
    await addMember(c, group.id, user.id);
    const res = await c.post('/Bulk', {
      schemas: [BULK_REQUEST],
      Operations: [{ method: 'PATCH', path: `/Users/${user.id}`, version: user.meta.version, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] } }],
    }).expect(200);
    expect(res.body.Operations[0].status).toBe('412');
  });
});

describe('a Group whose members\' display changes gets a new version', () => {
  it('renaming a member user or a member group changes the tag of the groups that list it', async () => {
    const { c } = setUp();
    const user = await createUser(c, 'bjensen', { displayName: 'Babs' });
    const inner = await createGroup(c, 'Inner', [user.id]);
    const outer = await createGroup(c, 'Outer', [inner.id]);
    const tag = async (id: string) => (await c.get(`/Groups/${id}`).expect(200)).headers.etag as string;
    const [inner1, outer1] = [await tag(inner.id), await tag(outer.id)];
    await patch(c, `/Users/${user.id}`, [{ op: 'replace', path: 'displayName', value: 'Barbara' }]).expect(200);
    const innerRead = await c.get(`/Groups/${inner.id}`).set('If-None-Match', inner1).expect(200);
    expect(innerRead.body.members[0].display).toBe('Barbara');
    expect(await tag(outer.id)).toBe(outer1);
    await patch(c, `/Groups/${inner.id}`, [{ op: 'replace', path: 'displayName', value: 'Core' }]).expect(200);
    const outerRead = await c.get(`/Groups/${outer.id}`).set('If-None-Match', outer1).expect(200);
    expect(outerRead.body.members[0].display).toBe('Core');
  });

  it('deleting a member user changes the group\'s version and lastModified (the member is removed with it)', async () => {
    const { c, advance } = setUp();
    const user = await createUser(c, 'bjensen');
    const group = await createGroup(c, 'Tour Guides', [user.id]);
    advance();
    await c.delete(`/Users/${user.id}`).expect(204);
    const read = await c.get(`/Groups/${group.id}`).set('If-None-Match', group.meta.version).expect(200);
    expect(read.body.members).toBeUndefined();
    expect(read.body.meta.lastModified).toBe('2030-01-01T00:01:00.000Z');
  });
});

describe('meta.lastModified', () => {
  it('never goes back when the tenant clock is set back, and never before created', async () => {
    const { c, tenant } = setUp();
    const user = await createUser(c, 'bjensen');
    tenant.clock.freeze(Date.parse('2020-01-01T00:00:00Z'));
    const patched = await patch(c, `/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'x' }]).expect(200);
    expect(patched.body.meta.version).not.toBe(user.meta.version);
    expect(patched.body.meta.created).toBe(user.meta.created);
    expect(Date.parse(patched.body.meta.lastModified)).toBeGreaterThanOrEqual(Date.parse(user.meta.lastModified));
    const control = await request(c.app).post('/_mock/clock').send({ real: true });
    expect(control.status).toBe(200);
  });
});

describe('a 412 says what is wrong with the If-Match it got', () => {
  it('an empty If-Match, and a tag without its quotes, are named in the detail', async () => {
    const { c } = setUp();
    const user = await createUser(c, 'bjensen');
    const body = [{ op: 'replace', path: 'title', value: 'x' }];
    const empty = expectScimError(await patch(c, `/Users/${user.id}`, body).set('If-Match', ''), 412);
    expect(empty.detail).toContain('the header is empty');
    const bare = (user.meta.version as string).replace(/^W\//, '').replace(/"/g, '');
    const unquoted = expectScimError(await patch(c, `/Users/${user.id}`, body).set('If-Match', bare), 412);
    expect(unquoted.detail).toContain(`"${bare}" is not an entity tag`);
    expect(unquoted.detail).toContain('quotes included');
    // A well-formed stale tag gets no such hint.
    const stale = expectScimError(await patch(c, `/Users/${user.id}`, body).set('If-Match', 'W/"999"'), 412);
    expect(stale.detail).not.toContain('not an entity tag');
  });
});

describe('If-Match and If-None-Match are lists of entity tags, and a tag may hold commas (RFC 9110 8.8.3, 13.1.1)', () => {
  it('"a,*,b" is one opaque tag: it matches no version (If-Match 412, If-None-Match 200), not "*" between two halves', async () => {
    const { c } = setUp();
    const user = await createUser(c, 'commas');
    const version = user.meta.version as string;
    for (const tag of ['"a,*,b"', 'W/"a,*,b"', `"x,${version.slice(3, -1)}"`]) {
      const refused = expectScimError(await c.get(`/Users/${user.id}`).set('If-Match', tag), 412);
      // The tag is well formed: no "not an entity tag" hint for its halves.
      expect(refused.detail).not.toContain('not an entity tag');
      expectScimError(await patch(c, `/Users/${user.id}`, [{ op: 'replace', path: 'title', value: 'x' }]).set('If-Match', tag), 412);
      const read = await c.get(`/Users/${user.id}`).set('If-None-Match', tag);
      expect(read.status).toBe(200);
      expect(read.body.id).toBe(user.id);
    }
    expect((await c.get(`/Users/${user.id}`)).body.title).toBeUndefined();
  });

  it('a list matches when one of its tags does, commas inside tags or not; "*" as a member matches any version', async () => {
    const { c } = setUp();
    const user = await createUser(c, 'lists');
    const version = user.meta.version as string;
    expect((await c.get(`/Users/${user.id}`).set('If-Match', `W/"a,b", ${version}`)).status).toBe(200);
    expect((await c.get(`/Users/${user.id}`).set('If-Match', `${version},"x"`)).status).toBe(200);
    expect((await c.get(`/Users/${user.id}`).set('If-Match', '"a,b" , *')).status).toBe(200);
    expect((await c.get(`/Users/${user.id}`).set('If-None-Match', `"c,d", ${version}`)).status).toBe(304);
    // A member that is not a tag is named, whole, beside well-formed ones.
    const mixed = expectScimError(await c.get(`/Users/${user.id}`).set('If-Match', '"a,b", 7'), 412);
    expect(mixed.detail).toContain('"7" is not an entity tag');
    expect(mixed.detail).toContain('asked for "a,b", 7.');
    expect(mixed.detail).not.toContain('""a"'); // the tag's first half, as the list split on every comma named it
  });
});
