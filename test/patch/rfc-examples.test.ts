/**
 * Every PATCH example of RFC 7644 section 3.5.2 (Figures 6 and 8, sections 3.5.2.1 to 3.5.2.3), sent over HTTP,
 * each asserting the exact resulting resource.
 */
import { describe, expect, it } from 'vitest';
import { ENTERPRISE, expectScimError, GROUP_SCHEMA, USER_SCHEMA, createUser } from '../http/helpers.js';
import { BASE, BJENSEN_FULL, createBjensen, createGroup, meta, patchOp, setup } from './helpers.js';

const { schemas: _s, ...BJENSEN_ATTRS } = BJENSEN_FULL;

describe('RFC 7644 3.5.2.1 add', () => {
  it('adds a member to a group (Figure 6 / the add example), with display and $ref as sent', async () => {
    const { c } = setup();
    const babs = await createUser(c, 'bjensen'); // W/"1"
    const group = await createGroup(c, 'Tour Guides'); // W/"2"
    const res = await c.patch(`/Groups/${group.id}`, patchOp({
      op: 'add',
      path: 'members',
      value: [{ display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${babs.id}`, value: babs.id }],
    }));
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('W/"3"');
    expect(res.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Tour Guides',
      members: [{ display: 'Babs Jensen', $ref: `${BASE}/Users/${babs.id}`, value: babs.id, type: 'User' }],
      meta: meta('Group', group.id, 'W/"3"'),
    });
  });

  it('"If the user was already a member of this group, no changes should be made": same version, same lastModified', async () => {
    const { c, tenant } = setup();
    const babs = await createUser(c, 'bjensen');
    const group = await createGroup(c, 'Tour Guides', [{ value: babs.id }]);
    tenant.clock.advance(60_000);
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', value: babs.id }] }));
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual(group.meta);
    expect(res.body.members).toEqual([{ value: babs.id, type: 'User', $ref: `${BASE}/Users/${babs.id}`, display: 'bjensen' }]);
  });

  it('the server responds with no body when it chooses 204 (the example response): ETag and Location headers', async () => {
    const { c, tenant } = setup();
    tenant.config.patchStatus = { Group: 204 };
    const babs = await createUser(c, 'bjensen');
    const group = await createGroup(c, 'Tour Guides');
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: [{ value: babs.id }] }));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect(res.headers.etag).toBe('W/"3"');
    expect(res.headers.location).toBe(`${BASE}/Groups/${group.id}`);
    // "The server MUST return a 200 OK if the attributes parameter is specified in the request."
    const withAttributes = await c.patch(`/Groups/${group.id}?attributes=displayName`, patchOp({ op: 'replace', path: 'displayName', value: 'Guides' }));
    expect(withAttributes.status).toBe(200);
    expect(withAttributes.body).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, displayName: 'Guides' });
    // Users keep the default 200.
    const user = await c.patch(`/Users/${babs.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Babs' }));
    expect(user.status).toBe(200);
  });

  it('adds attributes without a path: emails gets one more value, nickName is set', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { emails: [{ value: 'bjensen@example.com', type: 'work' }] });
    const res = await c.patch(`/Users/${user.id}`, patchOp({
      op: 'add',
      value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickname: 'Babs' },
    }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: [USER_SCHEMA],
      id: user.id,
      userName: 'bjensen',
      emails: [{ value: 'bjensen@example.com', type: 'work' }, { value: 'babs@jensen.org', type: 'home' }],
      nickName: 'Babs',
      meta: meta('User', user.id, 'W/"2"'),
    });
  });

  it('"If the resource already had an existing nickname, the value is replaced"', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { nickName: 'Barb' });
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'add', value: { nickname: 'Babs' } }));
    expect(res.body.nickName).toBe('Babs');
  });

  it('adding an attribute by its URN-qualified name adds the extension to "schemas" (RFC 7644 3.5.2)', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'add', path: `${ENTERPRISE}:employeeNumber`, value: '701984' }));
    expect(res.status).toBe(200);
    expect(res.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect(res.body[ENTERPRISE]).toEqual({ employeeNumber: '701984' });
  });
});

describe('RFC 7644 3.5.2 Figure 8 paths', () => {
  it('"name.familyName", "addresses[type eq \\"work\\"]" and members[value eq ...] name targets', async () => {
    const { c } = setup();
    const user = await createBjensen(c);
    let res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'name.familyName', value: 'Jensen-Smith' }));
    expect(res.body.name).toEqual({ formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen-Smith', givenName: 'Barbara' });
    res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'remove', path: 'addresses[type eq "work"]' }));
    expect(res.body.addresses).toEqual([BJENSEN_FULL.addresses[1]]);
    const group = await createGroup(c, 'Tour Guides', [{ value: user.id }]);
    res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', path: `members[value eq "${user.id}"].display`, value: 'Babs' }));
    expect(res.body.members).toEqual([{ value: user.id, type: 'User', display: 'Babs', $ref: `${BASE}/Users/${user.id}` }]);
  });

  it('"members[value eq ...].displayName" of Figure 8 names no sub-attribute of members in the RFC 7643 schema: 400 invalidPath', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const group = await createGroup(c, 'Tour Guides', [{ value: user.id }]);
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', path: `members[value eq "${user.id}"].displayName`, value: 'Babs' }));
    const error = expectScimError(res, 400, 'invalidPath');
    expect(error.detail).toContain('"displayName" is not a sub-attribute of "members"');
  });
});

describe('RFC 7644 3.5.2.2 remove', () => {
  async function groupOfTwo() {
    const { c, tenant } = setup();
    const babs = await createUser(c, 'bjensen'); // 1
    const james = await createUser(c, 'jsmith'); // 2
    const group = await createGroup(c, 'Tour Guides', [{ value: babs.id }, { value: james.id }]); // 3
    return { c, tenant, babs, james, group };
  }

  it('removes a single member from a group', async () => {
    const { c, babs, james, group } = await groupOfTwo();
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: `members[value eq "${babs.id}"]` }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Tour Guides',
      members: [{ value: james.id, type: 'User', $ref: `${BASE}/Users/${james.id}`, display: 'jsmith' }],
      meta: meta('Group', group.id, 'W/"4"'),
    });
    const user = await c.get(`/Users/${babs.id}`);
    expect(user.body.groups).toBeUndefined();
  });

  it('"If the user was not a member of this group, no changes should be made ... and a success response should be returned"', async () => {
    const { c, tenant, group } = await groupOfTwo();
    const outsider = await createUser(c, 'outsider'); // 4
    tenant.clock.advance(1000);
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: `members[value eq "${outsider.id}"]` }));
    expect(res.status).toBe(200);
    expect(res.body.meta).toEqual(group.meta);
    expect(res.body.members).toHaveLength(2);
  });

  it('removes all members of a group', async () => {
    const { c, babs, group } = await groupOfTwo();
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'remove', path: 'members' }));
    expect(res.body).toEqual({ schemas: [GROUP_SCHEMA], id: group.id, displayName: 'Tour Guides', meta: meta('Group', group.id, 'W/"4"') });
    expect((await c.get(`/Users/${babs.id}`)).body.groups).toBeUndefined();
  });

  it('removes a value from a complex multi-valued attribute: emails[type eq "work" and value ew "example.com"]', async () => {
    const { c } = setup();
    const user = await createBjensen(c);
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: user.id,
      ...BJENSEN_ATTRS,
      emails: [{ value: 'babs@jensen.org', type: 'home' }],
      meta: meta('User', user.id, 'W/"2"'),
    });
  });

  it('removes one member and adds another in one request', async () => {
    const { c, babs, james, group } = await groupOfTwo();
    const third = await createUser(c, 'third'); // 4
    const res = await c.patch(`/Groups/${group.id}`, patchOp(
      { op: 'remove', path: `members[value eq"${babs.id}"]` },
      { op: 'add', path: 'members', value: [{ display: 'James Smith', $ref: `https://example.com/v2/Users/${third.id}`, value: third.id }] },
    ));
    expect(res.status).toBe(200);
    expect(res.body.members).toEqual([
      { value: james.id, type: 'User', $ref: `${BASE}/Users/${james.id}`, display: 'jsmith' },
      { display: 'James Smith', $ref: `${BASE}/Users/${third.id}`, value: third.id, type: 'User' },
    ]);
    expect(res.body.meta.version).toBe('W/"5"');
  });

  it('replaces all members with remove + add', async () => {
    const { c, babs, group } = await groupOfTwo();
    const third = await createUser(c, 'third'); // 4
    const res = await c.patch(`/Groups/${group.id}`, patchOp(
      { op: 'remove', path: 'members' },
      {
        op: 'add',
        path: 'members',
        value: [
          { display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${babs.id}`, value: babs.id },
          { display: 'James Smith', $ref: `https://example.com/v2/Users/${third.id}`, value: third.id },
        ],
      },
    ));
    expect(res.body.members).toEqual([
      { display: 'Babs Jensen', $ref: `${BASE}/Users/${babs.id}`, value: babs.id, type: 'User' },
      { display: 'James Smith', $ref: `${BASE}/Users/${third.id}`, value: third.id, type: 'User' },
    ]);
  });
});

describe('RFC 7644 3.5.2.3 replace', () => {
  it('replaces all members in a single replace operation', async () => {
    const { c } = setup();
    const babs = await createUser(c, 'bjensen');
    const james = await createUser(c, 'jsmith');
    const old = await createUser(c, 'old');
    const group = await createGroup(c, 'Tour Guides', [{ value: old.id }]);
    const res = await c.patch(`/Groups/${group.id}`, patchOp({
      op: 'replace',
      path: 'members',
      value: [
        { display: 'Babs Jensen', $ref: `https://example.com/v2/Users/${babs.id}`, value: babs.id },
        { display: 'James Smith', $ref: `https://example.com/v2/Users/${james.id}`, value: james.id },
      ],
    }));
    expect(res.body).toEqual({
      schemas: [GROUP_SCHEMA],
      id: group.id,
      displayName: 'Tour Guides',
      members: [
        { display: 'Babs Jensen', $ref: `${BASE}/Users/${babs.id}`, value: babs.id, type: 'User' },
        { display: 'James Smith', $ref: `${BASE}/Users/${james.id}`, value: james.id, type: 'User' },
      ],
      meta: meta('Group', group.id, 'W/"5"'),
    });
    expect((await c.get(`/Users/${old.id}`)).body.groups).toBeUndefined();
    expect((await c.get(`/Users/${james.id}`)).body.groups).toEqual([{ value: group.id, $ref: `${BASE}/Groups/${group.id}`, display: 'Tour Guides', type: 'direct' }]);
  });

  it('replaces the entire work address by a value filter; primary true resets the other primary to false', async () => {
    const { c } = setup();
    const user = await createBjensen(c);
    const work = {
      type: 'work',
      streetAddress: '911 Universal City Plaza',
      locality: 'Hollywood',
      region: 'CA',
      postalCode: '91608',
      country: 'US',
      formatted: '911 Universal City Plaza\nHollywood, CA 91608 US',
      primary: true,
    };
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'addresses[type eq "work"]', value: work }));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: user.id,
      ...BJENSEN_ATTRS,
      addresses: [work, { ...BJENSEN_FULL.addresses[1], primary: false }],
      meta: meta('User', user.id, 'W/"2"'),
    });
  });

  it('replaces one sub-attribute of the values a filter selects: addresses[type eq "work"].streetAddress', async () => {
    const { c } = setup();
    const user = await createBjensen(c);
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }));
    expect(res.body).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: user.id,
      ...BJENSEN_ATTRS,
      addresses: [{ ...BJENSEN_FULL.addresses[0], streetAddress: '1010 Broadway Ave' }, BJENSEN_FULL.addresses[1]],
      meta: meta('User', user.id, 'W/"2"'),
    });
  });

  it('replaces all values of emails and nickName without a path; other attributes are unaffected', async () => {
    const { c } = setup();
    const user = await createBjensen(c);
    const emails = [
      { value: 'bjensen@example.com', type: 'work', primary: true },
      { value: 'babs@jensen.org', type: 'home' },
    ];
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', value: { emails, nickname: 'Babsie' } }));
    expect(res.body).toEqual({
      schemas: [USER_SCHEMA, ENTERPRISE],
      id: user.id,
      ...BJENSEN_ATTRS,
      emails,
      nickName: 'Babsie',
      meta: meta('User', user.id, 'W/"2"'),
    });
  });

  it('"If the target location path specifies an attribute that does not exist, the service provider SHALL treat the operation as an add"', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'name.givenName', value: 'Barbara' }));
    expect(res.body.name).toEqual({ givenName: 'Barbara' });
  });

  it('a complex attribute: the given sub-attributes replace, the others are left unchanged', async () => {
    const { c } = setup();
    const user = await createBjensen(c);
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'name', value: { givenName: 'Barb', middleName: 'Jane' } }));
    expect(res.body.name).toEqual({ formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barb', middleName: 'Jane' });
  });

  it('a value filter that matches nothing is 400 noTarget (--profile rfc; the default lenient profile adds it, as Entra ID expects)', async () => {
    const { c } = setup({ profile: 'rfc' });
    const user = await createBjensen(c);
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'addresses[type eq "other"].streetAddress', value: 'x' }));
    expect(expectScimError(res, 400, 'noTarget').detail).toContain('addresses[type eq "other"]');
    const lenient = setup();
    const other = await createBjensen(lenient.c);
    const added = await lenient.c.patch(`/Users/${other.id}`, patchOp({ op: 'replace', path: 'addresses[type eq "other"].streetAddress', value: 'x' }));
    expect(added.status).toBe(200);
    expect(added.body.addresses.at(-1)).toEqual({ type: 'other', streetAddress: 'x' });
  });
});
