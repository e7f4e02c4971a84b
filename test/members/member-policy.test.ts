/**
 * The member reference policy (RFC 7643 section 4.2 does not require members to exist): accept (the default),
 * reject (400), notFound (404) and drop, for POST, PUT, PATCH (object and bare-string forms) and Bulk alike.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ScimulatorOptions } from '../../src/config.js';
import { startScimulator } from '../../src/index.js';
import type { MemberPolicy } from '../../src/scim/service.js';
import { client, createUser, expectScimError, GROUP_SCHEMA, type Client } from '../http/helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const UNKNOWN = 'fake-member-id';

type Form = 'POST Group' | 'PUT Group' | 'PATCH add (object)' | 'PATCH add (bare string)' | 'Bulk POST';
const FORMS: Form[] = ['POST Group', 'PUT Group', 'PATCH add (object)', 'PATCH add (bare string)', 'Bulk POST'];

/** The documented status of each form under each policy (for Bulk: the operation's status). */
const STATUS: Record<MemberPolicy, Record<Form, number>> = {
  accept: { 'POST Group': 201, 'PUT Group': 200, 'PATCH add (object)': 200, 'PATCH add (bare string)': 200, 'Bulk POST': 201 },
  drop: { 'POST Group': 201, 'PUT Group': 200, 'PATCH add (object)': 200, 'PATCH add (bare string)': 200, 'Bulk POST': 201 },
  reject: { 'POST Group': 400, 'PUT Group': 400, 'PATCH add (object)': 400, 'PATCH add (bare string)': 400, 'Bulk POST': 400 },
  notFound: { 'POST Group': 404, 'PUT Group': 404, 'PATCH add (object)': 404, 'PATCH add (bare string)': 404, 'Bulk POST': 404 },
};

interface World {
  c: Client;
  alice: Record<string, any>;
  bob: Record<string, any>;
  /** A group holding alice; PUT and PATCH change it. */
  team: Record<string, any>;
}

async function world(options: Partial<ScimulatorOptions>): Promise<World> {
  const c = client(options);
  const alice = await createUser(c, 'alice');
  const bob = await createUser(c, 'bob');
  const team = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: alice.id }] });
  expect(team.status).toBe(201);
  return { c, alice, bob, team: team.body };
}

/** Sends the form with bob (who exists) and the unknown id; returns the status and the group id it concerns. */
async function send(w: World, form: Form): Promise<{ status: number; groupId?: string; body: any }> {
  const members = [{ value: w.bob.id }, { value: UNKNOWN }];
  switch (form) {
    case 'POST Group': {
      const res = await w.c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'New', members });
      return { status: res.status, groupId: res.body.id, body: res.body };
    }
    case 'PUT Group': {
      const res = await w.c.put(`/Groups/${w.team.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: w.alice.id }, ...members] });
      return { status: res.status, groupId: w.team.id, body: res.body };
    }
    case 'PATCH add (object)': {
      const res = await w.c.patch(`/Groups/${w.team.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members }] });
      return { status: res.status, groupId: w.team.id, body: res.body };
    }
    case 'PATCH add (bare string)': {
      // Two operations: bob as an object, the unknown id as a bare string (what conformance tools send).
      const res = await w.c.patch(`/Groups/${w.team.id}`, {
        schemas: [PATCH_OP],
        Operations: [{ op: 'add', path: 'members', value: [{ value: w.bob.id }] }, { op: 'add', path: 'members', value: UNKNOWN }],
      });
      return { status: res.status, groupId: w.team.id, body: res.body };
    }
    case 'Bulk POST': {
      const res = await w.c.post('/Bulk', {
        schemas: [BULK],
        Operations: [{ method: 'POST', bulkId: 'g1', path: '/Groups', data: { schemas: [GROUP_SCHEMA], displayName: 'New', members } }],
      });
      expect(res.status).toBe(200);
      const op = res.body.Operations[0];
      return { status: Number(op.status), groupId: op.location?.split('/').pop(), body: op.response };
    }
  }
}

const memberValues = (group: any) => (group.members ?? []).map((m: { value: string }) => m.value).sort();
const groupIdsOf = (user: any) => (user.groups ?? []).map((g: { value: string }) => g.value).sort();

async function conformance(c: Client) {
  return (await request(c.app).get('/_mock/conformance')).body as { warnings: Array<{ code: string; count: number; requests: number }> };
}

describe.each(['accept', 'drop', 'reject', 'notFound'] as MemberPolicy[])('member policy "%s"', (policy) => {
  it.each(FORMS)('%s with one unknown member id', async (form) => {
    const w = await world({ memberPolicy: policy });
    const before = await w.c.get(`/Groups/${w.team.id}`);
    const { status, groupId, body } = await send(w, form);
    expect(status, JSON.stringify(body)).toBe(STATUS[policy][form]);

    if (policy === 'reject' || policy === 'notFound') {
      if (form !== 'Bulk POST') expectScimError(await sendAgainForError(w, form), STATUS[policy][form], policy === 'reject' ? 'invalidValue' : undefined);
      else expect(body).toMatchObject({ status: String(STATUS[policy][form]), detail: expect.stringContaining(UNKNOWN) });
      // Nothing half-applied: no new group, the existing one byte-identical.
      const groups = (await w.c.get('/Groups')).body.Resources;
      expect(groups.map((g: any) => g.displayName)).toEqual(['Team']);
      expect((await w.c.get(`/Groups/${w.team.id}`)).text).toBe(before.text);
      return;
    }

    const group = (await w.c.get(`/Groups/${groupId}`)).body;
    const expected = [w.bob.id, ...(form === 'PUT Group' || form.startsWith('PATCH') ? [w.alice.id] : []), ...(policy === 'accept' ? [UNKNOWN] : [])].sort();
    expect(memberValues(group)).toEqual(expected);
    const code = policy === 'accept' ? 'member-unknown' : 'member-dropped';
    const summary = await conformance(w.c);
    expect(summary.warnings.find((x) => x.code === code)).toMatchObject({ count: 1, requests: 1 });
    // Real members' User.groups stay consistent: nobody holds the unknown id, bob is in the group.
    expect(groupIdsOf((await w.c.get(`/Users/${w.bob.id}`)).body)).toContain(groupId);
    expect(groupIdsOf((await w.c.get(`/Users/${w.alice.id}`)).body)).toEqual([w.team.id]);
    const found = await w.c.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${UNKNOWN}"`)}`);
    expect(found.body.Resources.map((g: any) => g.id)).toEqual(policy === 'accept' ? [groupId] : []);
  });
});

/** The same request again, for its SCIM error body (the first run is checked for status only). */
async function sendAgainForError(w: World, form: Form) {
  const members = [{ value: w.bob.id }, { value: UNKNOWN }];
  switch (form) {
    case 'POST Group':
      return w.c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'New', members });
    case 'PUT Group':
      return w.c.put(`/Groups/${w.team.id}`, { schemas: [GROUP_SCHEMA], displayName: 'Team', members });
    case 'PATCH add (object)':
      return w.c.patch(`/Groups/${w.team.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: members }] });
    default:
      return w.c.patch(`/Groups/${w.team.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: UNKNOWN }] });
  }
}

describe('member policy "accept" (the default)', () => {
  it('is the default; the unknown member is returned as sent, with a $ref and without a display', async () => {
    const c = client();
    const res = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Conformance', members: [{ value: UNKNOWN }] });
    expect(res.status).toBe(201);
    expect(res.body.members).toEqual([{ value: UNKNOWN, $ref: `http://scim.test:8080/scim/v2/Users/${UNKNOWN}` }]);
    const entry = (await request(c.app).get('/_mock/requests?limit=1&order=desc')).body.requests[0];
    expect(entry.warnings).toEqual([{ code: 'member-unknown', rfc: 'RFC 7643 4.2', detail: expect.stringContaining(`"${UNKNOWN}"`) }]);
  });

  it('a member value that names a Group is a member of type Group; an unknown id declared as a Group is stored as sent', async () => {
    const c = client();
    const inner = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Inner' })).body;
    const outer = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Outer', members: [{ value: inner.id }, { value: UNKNOWN, type: 'Group' }] });
    expect(outer.status).toBe(201);
    expect(outer.body.members).toEqual([
      expect.objectContaining({ value: inner.id, type: 'Group', display: 'Inner' }),
      { value: UNKNOWN, type: 'Group', $ref: `http://scim.test:8080/scim/v2/Groups/${UNKNOWN}` },
    ]);
    const entry = (await request(c.app).get('/_mock/requests?limit=1&order=desc')).body.requests[0];
    expect(entry.warnings[0].detail).toContain(`"${UNKNOWN}" does not reference an existing Group`);
    expect((await c.get(`/Groups/${inner.id}`)).body).not.toHaveProperty('groups');
  });

  it('a declared type is compared case-insensitively and stored in its canonical spelling', async () => {
    const c = client({ memberPolicy: 'reject' });
    const alice = await createUser(c, 'alice');
    const res = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: alice.id, type: 'user' }] });
    expect(res.status).toBe(201);
    expect(res.body.members).toEqual([expect.objectContaining({ value: alice.id, type: 'User' })]);
  });

  it('a member whose "type" contradicts the resource it names is 400 under every policy (it would be a membership under the wrong type)', async () => {
    for (const memberPolicy of ['accept', 'drop', 'reject', 'notFound'] as const) {
      const c = client({ memberPolicy });
      const alice = await createUser(c, 'alice');
      const bad = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'X', members: [{ value: alice.id, type: 'Group' }] });
      expect(expectScimError(bad, 400, 'invalidValue').detail).toBe(`members value "${alice.id}" is a User, but its "type" says "Group"; send "type": "User" or leave "type" out.`);
      expect((await c.get(`/Users/${alice.id}`)).body.groups).toBeUndefined();
    }
  });

  it('many unknown members: 20 warnings and one that counts the rest', async () => {
    const c = client();
    const members = Array.from({ length: 25 }, (_, i) => ({ value: `ghost-${i}` }));
    expect((await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ghosts', members })).status).toBe(201);
    const entry = (await request(c.app).get('/_mock/requests?limit=1&order=desc')).body.requests[0];
    expect(entry.warnings).toHaveLength(21);
    expect(entry.warnings[20].detail).toMatch(/^5 more member values/);
  });

  it('removing an unknown member, and deleting the group, keep the index consistent', async () => {
    const c = client();
    const alice = await createUser(c, 'alice');
    const g = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: alice.id }, { value: UNKNOWN }] })).body;
    const removed = await c.patch(`/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${UNKNOWN}"]` }] });
    expect(memberValues(removed.body)).toEqual([alice.id]);
    expect((await c.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${UNKNOWN}"`)}`)).body.totalResults).toBe(0);
    expect((await c.delete(`/Groups/${g.id}`)).status).toBe(204);
    expect((await c.get(`/Users/${alice.id}`)).body.groups).toBeUndefined();
  });
});

describe('member policy "drop"', () => {
  it('a PATCH that only adds unknown members changes nothing: same version, same lastModified', async () => {
    const c = client({ memberPolicy: 'drop' });
    const g = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G' })).body;
    const res = await c.patch(`/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: UNKNOWN }] }] });
    expect(res.status).toBe(200);
    expect(res.body.meta.version).toBe(g.meta.version);
    expect(res.body).not.toHaveProperty('members');
  });
});

describe('the bare-string member form under the IdP profiles', () => {
  it.each(['lenient', 'entra', 'okta'] as const)('%s reads it as one member (warning member-bare-string)', async (profile) => {
    const c = client({ profile });
    const alice = await createUser(c, 'alice');
    const g = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G' })).body;
    const res = await c.patch(`/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: alice.id }] });
    expect(res.status).toBe(profile === 'entra' ? 204 : 200);
    expect(memberValues((await c.get(`/Groups/${g.id}`)).body)).toEqual([alice.id]);
    const codes = (await conformance(c)).warnings.map((x) => x.code);
    expect(codes).toContain('member-bare-string');
  });

  it('rfc answers 400 invalidValue naming RFC 7644 section 3.5.2.1, whatever the member policy', async () => {
    const c = client({ profile: 'rfc' });
    const alice = await createUser(c, 'alice');
    const g = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G' })).body;
    const res = await c.patch(`/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: alice.id }] });
    expect(expectScimError(res, 400, 'invalidValue').detail).toMatch(/RFC 7644 section 3\.5\.2\.1.*\[member-bare-string\]/);
  });
});

describe('the member policy as configuration', () => {
  it('PATCH /_mock/config switches it; a bad value is 400 naming the field', async () => {
    const c = client();
    const config = await request(c.app).get('/_mock/config');
    expect(config.body.memberPolicy).toBe('accept');
    await request(c.app).patch('/_mock/config').send({ memberPolicy: 'notFound' }).expect(200);
    expectScimError(await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: UNKNOWN }] }), 404);
    const bad = await request(c.app).patch('/_mock/config').send({ memberPolicy: 'ignore' });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ error: 'memberPolicy must be one of accept, reject, notFound, drop.', field: 'memberPolicy' });
  });

  it('an unknown --member-policy is refused at start', () => {
    expect(() => client({ memberPolicy: 'lax' as MemberPolicy })).toThrow(/--member-policy must be one of accept, reject, notFound, drop/);
  });
});

describe('snapshots and data files hold what the member policy stored', () => {
  it('under "accept" GET /_mock/snapshot loads back with PUT /_mock/snapshot, the unknown member as it was stored', async () => {
    const c = client();
    const bob = await createUser(c, 'bob');
    const group = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: bob.id }, { value: UNKNOWN }, { value: 'ghost-group', type: 'Group' }] });
    expect(group.status).toBe(201);
    const before = await c.get(`/Groups/${group.body.id}`);
    const snapshot = await request(c.app).get('/_mock/snapshot');
    const target = client();
    const put = await request(target.app).put('/_mock/snapshot').send(snapshot.body);
    expect(put.status, JSON.stringify(put.body)).toBe(204);
    expect((await target.get(`/Groups/${group.body.id}`)).text).toBe(before.text);
    const found = await target.get(`/Groups?filter=${encodeURIComponent(`members.value eq "${UNKNOWN}"`)}`);
    expect(found.body.totalResults).toBe(1);
    expect((await request(target.app).get('/_mock/snapshot')).body).toEqual(snapshot.body);
  });

  it.each(['reject', 'notFound', 'drop'] as const)('a tenant under "%s", which never stores an unknown member, refuses a snapshot holding one, naming the policy; nothing is loaded', async (policy) => {
    const source = client();
    const group = await source.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: UNKNOWN }] });
    expect(group.status).toBe(201);
    const snapshot = (await request(source.app).get('/_mock/snapshot')).body;
    const target = client({ memberPolicy: policy });
    const put = await request(target.app).put('/_mock/snapshot').send(snapshot);
    expect(put.status).toBe(400);
    expect(put.body.error).toBe(
      `Not a Scimulator snapshot: /resources/Group/0/members/0/value: "${UNKNOWN}" is the id of no User or Group in the snapshot, and the member policy "${policy}" keeps no such member (under "accept" it loads as stored)`,
    );
    expect((await target.get('/Groups')).body.totalResults).toBe(0);
    // Switched to accept, the same tenant loads it.
    await request(target.app).patch('/_mock/config').send({ memberPolicy: 'accept' }).expect(200);
    await request(target.app).put('/_mock/snapshot').send(snapshot).expect(204);
  });

  it('a --data file with an unknown member stored under "accept" loads again after a restart', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scimulator-members-')), 'data.json');
    const first = await startScimulator({ data: file });
    const headers = { Authorization: `Bearer ${first.token}`, 'Content-Type': 'application/scim+json' };
    const created = await fetch(`${first.baseUrl}/Groups`, { method: 'POST', headers, body: JSON.stringify({ schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: UNKNOWN }] }) });
    expect(created.status).toBe(201);
    const group = (await created.json()) as { id: string };
    await first.close();
    const second = await startScimulator({ data: file });
    try {
      const read = await fetch(`${second.baseUrl}/Groups/${group.id}`, { headers });
      expect(read.status).toBe(200);
      expect(((await read.json()) as { members: unknown[] }).members).toEqual([{ value: UNKNOWN, $ref: `${second.baseUrl}/Users/${UNKNOWN}` }]);
    } finally {
      await second.close();
    }
    // Under a policy that never stores one, the file is refused with the file, the pointer and the reason.
    await expect(startScimulator({ data: file, memberPolicy: 'reject' })).rejects.toThrow(
      `data file ${file} is not a Scimulator snapshot: /resources/Group/0/members/0/value: "${UNKNOWN}" is the id of no User or Group in the snapshot, and the member policy "reject" keeps no such member`,
    );
  });
});
