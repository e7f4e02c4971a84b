/**
 * User.groups is computed from the groups' members (RFC 7643 section 4.1.2): the store does not hold it, but a
 * filter or sortBy naming it sees it as a response carries it (direct and indirect memberships).
 */
import { describe, expect, it } from 'vitest';
import { GROUP_SCHEMA, USER_SCHEMA, client } from '../http/helpers.js';
import { directory, q } from './fixture.js';

type Membership = { value: string; display: string; type: 'direct' | 'indirect'; $ref: string };
type ListedUser = { id: string; userName: string; groups?: Membership[] };

/** Every user with the groups its response carries: the oracle the filters are checked against. */
async function everyUser(c: ReturnType<typeof directory>['c']): Promise<ListedUser[]> {
  const res = await c.get('/Users?count=1000&attributes=userName,groups');
  expect(res.status).toBe(200);
  return res.body.Resources as ListedUser[];
}

const idsOf = (body: { Resources: Array<{ id: string }> }) => body.Resources.map((r) => r.id).sort();

describe('filters and sortBy on the computed User.groups', () => {
  it('groups.value eq, groups[type eq "indirect"], groups pr and not (groups pr) select what responses show', async () => {
    const { c, groups } = directory({ users: 60, groups: 6 });
    const inner = groups.find((g) => Array.isArray(g.members) && g.members.length > 0)!;
    // A group whose only member is `inner`: inner's members become indirect members of it.
    const outer = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Outer', members: [{ value: inner.id, type: 'Group' }] });
    expect(outer.status).toBe(201);
    const users = await everyUser(c);
    const memberOf = (groupId: string, type?: string) =>
      users.filter((u) => u.groups?.some((g) => g.value === groupId && (type === undefined || g.type === type))).map((u) => u.id).sort();
    expect(memberOf(inner.id as string).length).toBeGreaterThan(0);

    const direct = await c.get(`/Users?count=1000&filter=${q(`groups.value eq "${inner.id as string}"`)}`);
    expect(direct.status).toBe(200);
    expect(idsOf(direct.body)).toEqual(memberOf(inner.id as string));

    const indirect = await c.get(`/Users?count=1000&filter=${q(`groups[value eq "${outer.body.id}" and type eq "indirect"]`)}`);
    expect(idsOf(indirect.body)).toEqual(memberOf(outer.body.id, 'indirect'));
    expect(indirect.body.totalResults).toBe(memberOf(inner.id as string).length);

    const withGroups = await c.get(`/Users?count=1000&filter=${q('groups pr')}`);
    const without = await c.get(`/Users?count=1000&filter=${q('not (groups pr)')}`);
    expect(idsOf(withGroups.body)).toEqual(users.filter((u) => u.groups?.length).map((u) => u.id).sort());
    expect(withGroups.body.totalResults + without.body.totalResults).toBe(users.length);
    expect(without.body.totalResults).toBeGreaterThan(0);

    // Case-insensitive display (caseExact false), URN-qualified, and beside an indexed attribute.
    const display = await c.get(`/Users?count=1000&filter=${q(`urn:ietf:params:scim:schemas:core:2.0:User:groups.display eq "${(inner.displayName as string).toUpperCase()}"`)}`);
    expect(idsOf(display.body)).toEqual(users.filter((u) => u.groups?.some((g) => g.display === inner.displayName)).map((u) => u.id).sort());
    const one = users.find((u) => u.groups?.some((g) => g.value === inner.id))!;
    const both = await c.get(`/Users?filter=${q(`userName eq "${one.userName}" and groups.value eq "${inner.id as string}"`)}`);
    expect(idsOf(both.body)).toEqual([one.id]);
    const neither = await c.get(`/Users?filter=${q(`userName eq "${one.userName}" and groups.value eq "no-such-group"`)}`);
    expect(neither.body.totalResults).toBe(0);
  });

  it('follows membership changes: a member added or removed is found or not on the next request', async () => {
    const { c, groups, users } = directory({ users: 20, groups: 3 });
    const group = groups[0]!;
    const outsider = users.find((u) => !(group.members as Array<{ value: string }> | undefined)?.some((m) => m.value === u.id))!;
    const filter = `/Users?filter=${q(`groups.value eq "${group.id as string}" and id eq "${outsider.id as string}"`)}`;
    expect((await c.get(filter)).body.totalResults).toBe(0);
    const patch = (op: string, value: unknown) =>
      c.patch(`/Groups/${group.id as string}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op, path: op === 'remove' ? `members[value eq "${outsider.id as string}"]` : 'members', value }] });
    expect([200, 204]).toContain((await patch('add', [{ value: outsider.id }])).status);
    expect((await c.get(filter)).body.totalResults).toBe(1);
    expect([200, 204]).toContain((await patch('remove', undefined)).status);
    expect((await c.get(filter)).body.totalResults).toBe(0);
  });

  it('sortBy=groups.display orders by the first membership shown, users without groups last; a root query applies it to Users only', async () => {
    const { c } = directory({ users: 40, groups: 4 });
    const res = await c.get('/Users?count=1000&sortBy=groups.display&attributes=groups');
    expect(res.status).toBe(200);
    const keys = (res.body.Resources as ListedUser[]).map((u) => u.groups?.[0]?.display?.toLowerCase());
    const present = keys.filter((k): k is string => k !== undefined);
    expect(present.length).toBeGreaterThan(0);
    expect(keys.slice(0, present.length)).toEqual([...present].sort());
    expect(keys.slice(present.length).every((k) => k === undefined)).toBe(true);

    const users = await everyUser(c);
    const someGroup = users.find((u) => u.groups?.length)!.groups![0]!.value;
    const root = await c.get(`/?count=1000&filter=${q(`groups.value eq "${someGroup}"`)}`);
    expect(root.status).toBe(200);
    expect(idsOf(root.body)).toEqual(users.filter((u) => u.groups?.some((g) => g.value === someGroup)).map((u) => u.id).sort());
  });
});

describe('filters and sortBy on a User meta.version, which follows its groups', () => {
  const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

  it('meta.version eq the ETag a client read finds that user (GET, POST /.search, value path, beside an index); the stored version does not', async () => {
    const { c, groups } = directory({ users: 30, groups: 3 });
    const group = groups.find((g) => Array.isArray(g.members) && g.members.length > 0)!;
    const memberId = (group.members as Array<{ value: string }>)[0]!.value;
    const read = await c.get(`/Users/${memberId}`);
    const version = read.headers.etag as string;
    // A user in a group is served W/"<n>.<digest of its groups>".
    expect(version).toMatch(/^W\/"\d+\.[0-9a-z]+"$/);
    expect(read.body.meta.version).toBe(version);
    const stored = version.replace(/\.[0-9a-z]+"$/, '"');

    const byVersion = (v: string) => q(`meta.version eq ${JSON.stringify(v)}`);
    expect(idsOf((await c.get(`/Users?filter=${byVersion(version)}`)).body)).toEqual([memberId]);
    expect(idsOf((await c.get(`/Users?filter=${q(`meta[version eq ${JSON.stringify(version)}]`)}`)).body)).toEqual([memberId]);
    expect(idsOf((await c.get(`/Users?filter=${q(`id eq "${memberId}" and meta.version eq ${JSON.stringify(version)}`)}`)).body)).toEqual([memberId]);
    const search = await c.post('/Users/.search', { schemas: [SEARCH], filter: `meta.version eq ${JSON.stringify(version)}` });
    expect(idsOf(search.body)).toEqual([memberId]);
    // The version it is stored under is no version a client ever read.
    expect((await c.get(`/Users?filter=${byVersion(stored)}`)).body.totalResults).toBe(0);
    // ne is its complement; a user without groups keeps its plain version.
    const all = (await c.get('/Users?count=1000')).body.totalResults as number;
    expect((await c.get(`/Users?count=1000&filter=${q(`meta.version ne ${JSON.stringify(version)}`)}`)).body.totalResults).toBe(all - 1);
    const loner = (await c.get(`/Users?count=1000&filter=${q('not (groups pr)')}`)).body.Resources[0] as { id: string; meta: { version: string } };
    expect(idsOf((await c.get(`/Users?filter=${byVersion(loner.meta.version)}`)).body)).toEqual([loner.id]);

    // Renaming the group changes what the user's groups show, so its version; the filter follows.
    const renamed = await c.patch(`/Groups/${group.id as string}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Renamed group' }] });
    expect([200, 204]).toContain(renamed.status);
    const after = (await c.get(`/Users/${memberId}`)).headers.etag as string;
    expect(after).not.toBe(version);
    expect((await c.get(`/Users?filter=${byVersion(version)}`)).body.totalResults).toBe(0);
    expect(idsOf((await c.get(`/Users?filter=${byVersion(after)}`)).body)).toEqual([memberId]);
  });

  it('sortBy=meta.version orders by the versions responses show', async () => {
    const c = client();
    // Versions from a data file may be any weak ETag: W/"a" (in a group: served W/"a.<digest>") and W/"a-b" sort
    // one way as stored and the other way as served ("." after "-", '"' before both).
    const meta = (version: string) => ({ resourceType: 'User', created: '2025-01-01T00:00:00Z', lastModified: '2025-01-01T00:00:00Z', version });
    const loaded = await c.raw().put('/_mock/snapshot').send({
      format: 'scimulator-snapshot',
      version: 1,
      sequence: 10,
      resources: {
        User: [
          { schemas: [USER_SCHEMA], id: 'u-member', userName: 'member', meta: meta('W/"a"') },
          { schemas: [USER_SCHEMA], id: 'u-other', userName: 'other', meta: meta('W/"a-b"') },
        ],
        Group: [{ schemas: [GROUP_SCHEMA], id: 'g', displayName: 'G', members: [{ value: 'u-member', type: 'User' }], meta: { ...meta('W/"3"'), resourceType: 'Group' } }],
      },
    });
    expect(loaded.status).toBe(204);
    const listed = (await c.get('/Users?sortBy=meta.version')).body.Resources as Array<{ id: string; meta: { version: string } }>;
    expect(listed.map((u) => u.meta.version)).toEqual(listed.map((u) => u.meta.version).sort());
    expect(listed.map((u) => u.id)).toEqual(['u-other', 'u-member']);
    const descending = (await c.get('/Users?sortBy=meta.version&sortOrder=descending')).body.Resources as Array<{ id: string }>;
    expect(descending.map((u) => u.id)).toEqual(['u-member', 'u-other']);
  });
});
