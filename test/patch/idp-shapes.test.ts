/**
 * The PATCH requests Microsoft Entra ID and Okta send, in the shape they reach the engine (after the profile
 * layer's normalisation where Entra strays from the RFC), each asserting the exact resulting resource.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, client, createUser, expectScimError } from '../http/helpers.js';
import { BASE, createGroup, meta, patchOp, setup } from './helpers.js';

describe('Entra ID', () => {
  it('capitalised ops are matched case-insensitively by the engine itself', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { active: true });
    const res = await c.patch(`/Users/${user.id}`, patchOp(
      { op: 'Replace', path: 'active', value: false },
      { op: 'ADD', path: 'nickName', value: 'Babs' },
      { op: 'Remove', path: 'nickName' },
    ));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'bjensen', active: false, meta: meta('User', user.id, 'W/"2"') });
  });

  it('"Operations", "op", "path" and "value" member names are case-insensitive', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, { Schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], operations: [{ OP: 'add', Path: 'nickName', Value: 'Babs' }] });
    expect(res.status).toBe(200);
    expect(res.body.nickName).toBe('Babs');
  });

  it('deactivation after "False" became false: {"op":"replace","path":"active","value":false}', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { active: true });
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    expect(res.body.active).toBe(false);
  });

  it('adds a member ({"op":"Add","path":"members","value":[{"value":id}]}) and the group answers 204', async () => {
    const { c, tenant } = setup();
    tenant.config.patchStatus = { Group: 204 };
    const user = await createUser(c, 'bjensen');
    const group = await createGroup(c, 'Sales');
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'Add', path: 'members', value: [{ value: user.id }] }));
    expect(res.status).toBe(204);
    const stored = await c.get(`/Groups/${group.id}`);
    expect(stored.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Sales',
      members: [{ value: user.id, type: 'User', $ref: `${BASE}/Users/${user.id}`, display: 'bjensen' }],
      meta: meta('Group', group.id, 'W/"3"'),
    });
  });

  it('removes a member the way the profile rewrites Entra\'s remove-with-value-array: members[value eq "id"]', async () => {
    const { c } = setup();
    const a = await createUser(c, 'a');
    const b = await createUser(c, 'b');
    const group = await createGroup(c, 'Sales', [{ value: a.id }, { value: b.id }]);
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: `members[value eq "${a.id}"]` }, { op: 'remove', path: 'members[value eq "not-a-member"]' }));
    expect(res.body.members).toEqual([{ value: b.id, type: 'User', $ref: `${BASE}/Users/${b.id}`, display: 'b' }]);
  });

  it('path-less replace with dotted and URN-qualified keys (aadOptscim062020)', async () => {
    const { c } = setup();
    const boss = await createUser(c, 'boss');
    const user = await createUser(c, 'bjensen', { name: { givenName: 'Barb', familyName: 'Jensen', formatted: 'Barb Jensen' } });
    const res = await c.patch(`/Users/${user.id}`, patchOp({
      op: 'replace',
      value: {
        displayName: 'Barbara Jensen',
        'name.givenName': 'Barbara',
        'name.familyName': 'Jensen-Smith',
        [`${ENTERPRISE}:employeeNumber`]: '701984',
        [`${ENTERPRISE}:manager`]: { value: boss.id },
        'urn:ietf:params:scim:schemas:core:2.0:User:title': 'Tour Guide',
        active: true,
      },
    }));
    expect(res.status).toBe(200);
    // The manager is served with its $ref (RFC 7643 4.3), and the version, which follows what the manager shows,
    // extends the stored W/"3".
    expect(res.headers.etag).toMatch(/^W\/"3\.[0-9a-z]+"$/);
    expect(res.body).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: user.id,
      userName: 'bjensen',
      name: { givenName: 'Barbara', familyName: 'Jensen-Smith', formatted: 'Barb Jensen' },
      displayName: 'Barbara Jensen',
      [ENTERPRISE]: { employeeNumber: '701984', manager: { value: boss.id, $ref: `${BASE}/Users/${boss.id}` } },
      title: 'Tour Guide',
      active: true,
      meta: meta('User', user.id, res.headers.etag as string),
    });
  });

  it('path-less replace with value-filter keys ("emails[type eq \\"work\\"].value") applies them as paths', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { emails: [{ value: 'old@example.com', type: 'work', primary: true }] });
    const res = await c.patch(`/Users/${user.id}`, patchOp({
      op: 'replace',
      value: { 'emails[type eq "work"].value': 'new@example.com', 'phoneNumbers[type eq "mobile"].value': '555-0100', 'name.givenName': 'Barbara' },
    }));
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([{ value: 'new@example.com', type: 'work', primary: true }]);
    expect(res.body.phoneNumbers).toEqual([{ value: '555-0100', type: 'mobile' }]);
    expect(res.body.name).toEqual({ givenName: 'Barbara' });
  });

  it('add to emails[type eq "work"].value creates the work email when there is none (RFC 7644 3.5.2.1), and replaces its value when there is one', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { emails: [{ value: 'home@example.com', type: 'home', primary: true }] });
    let res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'emails[type eq "work"].value', value: 'work@example.com' }));
    expect(res.status).toBe(200);
    expect(res.body.emails).toEqual([
      { value: 'home@example.com', type: 'home', primary: true },
      { value: 'work@example.com', type: 'work' },
    ]);
    res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: 'emails[type eq "work"].value', value: 'new@example.com' }));
    expect(res.body.emails).toEqual([
      { value: 'home@example.com', type: 'home', primary: true },
      { value: 'new@example.com', type: 'work' },
    ]);
  });

  it('the engine\'s own notes (a value created by "add" with a filter) reach the journal and the Scimulator-Warning header', async () => {
    const c = client({ warningsHeader: true });
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'add', path: 'emails[type eq "work"].value', value: 'w@example.com' }));
    expect(res.status).toBe(200);
    expect(String(res.headers['scimulator-warning'])).toMatch(/(^|, )patch-add-created-value; rfc="RFC 7644 3\.5\.2\.1"; "Operations\[0\]: no value of \\"emails\\" matched/);
  });

  it('several adds to addresses[type eq "work"].* build one work address', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, patchOp(
      { op: 'Add', path: 'addresses[type eq "work"].streetAddress', value: '100 Universal City Plaza' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Hollywood' },
      { op: 'Add', path: 'addresses[type eq "work"].postalCode', value: '91608' },
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '555-555-5555' },
      { op: 'Add', path: 'phoneNumbers[type eq "mobile"].value', value: '555-555-4444' },
    ));
    expect(res.body.addresses).toEqual([{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', postalCode: '91608' }]);
    expect(res.body.phoneNumbers).toEqual([
      { type: 'work', value: '555-555-5555' },
      { type: 'mobile', value: '555-555-4444' },
    ]);
  });

  it('sets and removes the manager by its URN path; a remove with "value": null is a remove', async () => {
    const { c } = setup();
    const boss = await createUser(c, 'boss');
    const user = await createUser(c, 'bjensen');
    let res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'Add', path: `${ENTERPRISE}:manager`, value: { value: boss.id } }));
    expect(res.body[ENTERPRISE]).toEqual({ manager: { value: boss.id, $ref: `${BASE}/Users/${boss.id}` } });
    expect(res.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'Remove', path: `${ENTERPRISE}:manager`, value: null }));
    expect(res.body[ENTERPRISE]).toBeUndefined();
    expect(res.body.schemas).toEqual([USER_SCHEMA]);
  });

  it('Entra\'s unnormalised shapes reach the engine in RFC shape under "lenient" ("False", remove with a value array, manager as a bare id)', async () => {
    const { c } = setup();
    const boss = await createUser(c, 'boss');
    const user = await createUser(c, 'bjensen', { active: true });
    const group = await createGroup(c, 'Sales', [{ value: user.id }, { value: boss.id }]);
    const res = await c.patch(`/Users/${user.id}`, patchOp(
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Add', path: `${ENTERPRISE}:manager`, value: boss.id },
    ));
    expect(res.status).toBe(200);
    expect(res.body.active).toBe(false);
    expect(res.body[ENTERPRISE]).toEqual({ manager: { value: boss.id, $ref: `${BASE}/Users/${boss.id}` } });
    const removed = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'Remove', path: 'members', value: [{ value: user.id }] }));
    expect(removed.status).toBe(200);
    expect(removed.body.members.map((m: { value: string }) => m.value)).toEqual([boss.id]);
  });

  it('the same requests under the "rfc" profile are 400 naming the RFC section (the engine never sees them)', async () => {
    const c = client({ profile: 'rfc' });
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'active', value: 'False' }));
    expect(expectScimError(res, 400).detail).toMatch(/RFC 7644 section 3\.5\.2|RFC 7643 section 2\.3\.2/);
  });

  it('replaces externalId and userName, which Entra sends as separate ops', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'Replace', path: 'userName', value: 'bjensen@example.com' }, { op: 'Add', path: 'externalId', value: 'ext-1' }));
    expect(res.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'bjensen@example.com', externalId: 'ext-1', meta: meta('User', user.id, 'W/"2"') });
  });
});

describe('Okta', () => {
  it('deactivates with {"op":"replace","value":{"active":false}}', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { active: true });
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { active: false } }));
    expect(res.body).toEqual({ schemas: [USER_SCHEMA], id: user.id, userName: 'bjensen', active: false, meta: meta('User', user.id, 'W/"2"') });
  });

  it('renames a group with a path-less replace of {id, displayName}: the current id is ignored (readOnly, unchanged)', async () => {
    const { c, tenant } = setup();
    const group = await createGroup(c, 'Test SCIMv2');
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', value: { id: group.id, displayName: 'Renamed' } }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, displayName: 'Renamed', meta: meta('Group', group.id, 'W/"2"') });
    // The journal entry of the request says what was ignored.
    const entry = tenant.journal.list().find((e) => e.method === 'PATCH');
    expect(entry?.warnings.map((w) => w.code)).toEqual(['patch-readonly']);
  });

  it('the rename is accepted under the "okta" profile too, and rejected under "rfc" (the id repeats a readOnly value)', async () => {
    for (const profile of ['okta', 'rfc'] as const) {
      const c = client({ profile });
      const group = await createGroup(c, 'Test SCIMv2');
      const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', value: { id: group.id, displayName: 'Renamed' } }));
      if (profile === 'okta') expect(res.body.displayName).toBe('Renamed');
      else expectScimError(res, 400);
    }
  });

  it('a path-less replace whose id differs from the resource id is 400 mutability', async () => {
    const { c } = setup();
    const group = await createGroup(c, 'Test SCIMv2');
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', value: { id: 'something-else', displayName: 'Renamed' } }));
    expect(expectScimError(res, 400, 'mutability').detail).toContain('"id" is readOnly');
  });

  it('adds and removes members the Okta way', async () => {
    const { c } = setup();
    const a = await createUser(c, 'a@example.com');
    const b = await createUser(c, 'b@example.com');
    const group = await createGroup(c, 'Engineering', [{ value: a.id }]);
    let res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: b.id, display: 'b@example.com' }] }));
    expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([a.id, b.id]);
    res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: `members[value eq "${a.id}"]` }));
    expect(res.body.members).toEqual([{ value: b.id, display: 'b@example.com', type: 'User', $ref: `${BASE}/Users/${b.id}` }]);
    expect((await c.get(`/Users/${b.id}`)).body.groups).toEqual([{ value: group.id, $ref: `${BASE}/Groups/${group.id}`, display: 'Engineering', type: 'direct' }]);
    expect((await c.get(`/Users/${a.id}`)).body.groups).toBeUndefined();
  });
});
