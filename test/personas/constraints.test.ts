/**
 * Every documented constraint of every persona, shown through the SCIM API: one test per setting of each persona
 * file (src/personas/*.ts), and a check that no setting lacks its test.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { PERSONAS } from '../../src/personas/index.js';
import type { PersonaSettingName } from '../../src/personas/types.js';
import type { FaultRequestInfo } from '../../src/faults/types.js';
import { expectScimError, GROUP_SCHEMA, USER_SCHEMA, type Client } from '../http/helpers.js';
import { directory, q } from '../query/fixture.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

type Check = () => Promise<void>;
const tests = new Map<string, Partial<Record<PersonaSettingName, Check>>>();

/** Registers the test of one documented constraint of a persona. */
function constraint(persona: string, setting: PersonaSettingName, title: string, check: Check): void {
  const own = tests.get(persona) ?? {};
  own[setting] = check;
  tests.set(persona, own);
  it(`${setting}: ${title}`, check);
}

const spcOf = async (c: Client) => (await c.get('/ServiceProviderConfig')).body;
const newGroup = (c: Client, displayName: string, members: Array<{ value: string }> = []) =>
  c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName, ...(members.length ? { members } : {}) });
const patchOp = (...Operations: unknown[]) => ({ schemas: [PATCH_OP], Operations });
const memberRefs = (users: Array<{ id?: unknown }>) => users.map((u) => ({ value: u.id as string }));

/** A decision of the tenant's fault rules for a request, as the fault layer would see it (no HTTP round trip). */
const info = (over: Partial<FaultRequestInfo>): FaultRequestInfo => ({ method: 'GET', relativePath: '/Users', operation: 'list', headers: {}, query: {}, body: undefined, ...over });

describe('aws: AWS IAM Identity Center', () => {
  constraint('aws', 'unsupported', 'what it does not support is a 400 ValidationException', async () => {
    const { c } = directory({ users: 3, groups: 0, persona: 'aws' });
    const body = expectScimError(await c.get('/Users?sortBy=userName'), 400, 'invalidValue');
    expect(body.detail).toMatch(/^ValidationException: sortBy is not supported/);
  });

  constraint('aws', 'documentationUri', 'ServiceProviderConfig points to the AWS guide', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'aws' });
    expect((await spcOf(c)).documentationUri).toBe('https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-idp.html');
  });

  constraint('aws', 'filter', 'only eq (joined by and) on the documented attribute combinations', async () => {
    const { c, users, groups } = directory({ users: 5, groups: 2, persona: 'aws' });
    const u = users[0]!;
    const ok = await c.get(`/Users?filter=${q(`userName eq "${u.userName as string}"`)}`);
    expect(ok.status).toBe(200);
    expect(ok.body.Resources.map((r: any) => r.id)).toEqual([u.id]);
    expect((await c.get(`/Users?filter=${q(`externalId eq "x"`)}`)).status).toBe(200);
    expect((await c.get(`/Groups?filter=${q(`displayName eq "${groups[0]!.displayName as string}"`)}`)).body.totalResults).toBe(1);
    expect((await c.get(`/Groups?filter=${q(`id eq "${groups[0]!.id as string}" and members.value eq "${u.id as string}"`)}`)).status).toBe(200);
    for (const [filter, why] of [
      ['userName sw "a"', /the operator "sw" is not supported in filters \(supported: eq\)/],
      ['displayName eq "Barbara"', /filtering User resources on displayName is not supported; supported filters: userName; externalId; groups.value; id and urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager/],
      [`userName eq "a" or userName eq "b"`, /the logical operator "or" is not supported/],
      ['emails[type eq "work"]', /value paths .* are not supported/],
      ['userName eq "a" and externalId eq "b"', /filtering User resources on userName and externalId is not supported/],
    ] as const) {
      const body = expectScimError(await c.get(`/Users?filter=${q(filter)}`), 400, 'invalidValue');
      expect(body.detail, filter).toMatch(/^ValidationException: /);
      expect(body.detail, filter).toMatch(why);
    }
  });

  constraint('aws', 'sort', 'sortBy is refused and ServiceProviderConfig says sort is unsupported', async () => {
    const { c } = directory({ users: 3, groups: 0, persona: 'aws' });
    expect((await spcOf(c)).sort).toEqual({ supported: false });
    expectScimError(await c.get('/Users?sortBy=userName&sortOrder=descending'), 400, 'invalidValue');
  });

  constraint('aws', 'startIndex', 'startIndex is refused; cursor paging walks the whole set', async () => {
    const { c, users } = directory({ users: 120, groups: 0, persona: 'aws' });
    expect(expectScimError(await c.get('/Users?startIndex=1&count=10'), 400, 'invalidValue').detail).toMatch(/startIndex is not supported; page with "cursor"/);
    const seen: string[] = [];
    let cursor = '';
    for (let page = 0; page < 5; page++) {
      const res = await c.get(`/Users?cursor=${q(cursor)}`);
      expect(res.status).toBe(200);
      seen.push(...res.body.Resources.map((r: any) => r.id));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect(seen).toEqual(users.map((u) => u.id));
  });

  constraint('aws', 'pageSize', 'pages hold 100 by default and at most', async () => {
    const { c } = directory({ users: 150, groups: 0, persona: 'aws' });
    expect((await c.get('/Users')).body.itemsPerPage).toBe(100);
    expect((await c.get('/Users?count=100')).body.itemsPerPage).toBe(100);
    expect((await c.get('/Users?cursor=&count=100')).body.itemsPerPage).toBe(100);
    expect((await spcOf(c)).filter).toEqual({ supported: true, maxResults: 100 });
  });

  constraint('aws', 'countRange', 'count outside 1 to 100 is the same 400 ValidationException with or without cursor', async () => {
    const { c } = directory({ users: 150, groups: 3, persona: 'aws' });
    for (const query of ['count=101', 'count=101&cursor=', 'cursor=&count=500', 'count=0', 'count=0&cursor=', 'count=-1']) {
      for (const path of ['/Users', '/Groups']) {
        const body = expectScimError(await c.get(`${path}?${query}`), 400, 'invalidCount');
        expect(body.detail, `${path}?${query}`).toMatch(/^ValidationException: count -?\d+ is outside the valid range 1 to 100/);
      }
    }
    expect((await c.get('/Users?count=1')).body.itemsPerPage).toBe(1);
    expect((await c.get('/Users?cursor=&count=1')).body.itemsPerPage).toBe(1);
  });

  constraint('aws', 'cursorTotalResults', 'cursor pages carry itemsPerPage and nextCursor, not totalResults; pages without cursor keep it', async () => {
    const { c } = directory({ users: 150, groups: 3, persona: 'aws' });
    const first = (await c.get('/Users?cursor=&count=100')).body;
    expect(first).not.toHaveProperty('totalResults');
    expect(first.itemsPerPage).toBe(100);
    expect(typeof first.nextCursor).toBe('string');
    const last = (await c.get(`/Users?cursor=${encodeURIComponent(first.nextCursor)}&count=100`)).body;
    expect(last).not.toHaveProperty('totalResults');
    expect(last.itemsPerPage).toBe(50);
    expect((await c.get('/Groups?cursor=')).body).not.toHaveProperty('totalResults');
    // Without cursor: the non-paginated format, with totalResults, startIndex and itemsPerPage.
    const plain = (await c.get('/Users')).body;
    expect(plain.totalResults).toBe(150);
    expect(plain.startIndex).toBe(1);
    // Without the persona, a cursor page keeps totalResults (RFC 9865).
    const { c: rfc } = directory({ users: 3, groups: 0 });
    expect((await rfc.get('/Users?cursor=&count=2')).body.totalResults).toBe(3);
  });

  constraint('aws', 'listProjection', 'attributes and excludedAttributes on a list are refused', async () => {
    const { c } = directory({ users: 2, groups: 0, persona: 'aws' });
    expect(expectScimError(await c.get('/Users?attributes=userName'), 400, 'invalidValue').detail).toMatch(/"attributes" is not supported on list requests/);
    expectScimError(await c.get('/Groups?excludedAttributes=members'), 400, 'invalidValue');
  });

  constraint('aws', 'etag', 'no ETag, no meta.version, If-Match ignored; ServiceProviderConfig says so', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'aws' });
    const id = users[0]!.id as string;
    const read = await c.get(`/Users/${id}`);
    expect(read.headers.etag).toBeUndefined();
    expect(read.body.meta).not.toHaveProperty('version');
    const patched = await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'nickName', value: 'x' })).set('If-Match', 'W/"stale"');
    expect(patched.status).toBe(200);
    expect((await c.get(`/Users/${id}`).set('If-None-Match', '*')).status).toBe(200);
    expect((await spcOf(c)).etag).toEqual({ supported: false });
  });

  // serviceproviderconfig.html: changePassword false; createuser.html / putuser.html: "password" among the attributes
  // not supported, a ValidationException (400); patchuser.html: password is not among the attributes a PATCH may change.
  constraint('aws', 'changePassword', 'ServiceProviderConfig says changePassword is unsupported, and a password in a POST, PUT or PATCH is a ValidationException', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'aws' });
    expect((await spcOf(c)).changePassword).toEqual({ supported: false });
    const whole = { schemas: [USER_SCHEMA], userName: 'ada', displayName: 'Ada Lovelace', name: { givenName: 'Ada', familyName: 'Lovelace' } };
    const refused = expectScimError(await c.post('/Users', { ...whole, password: 't1meMa$heen' }), 400, 'invalidValue');
    expect(refused.detail).toBe('ValidationException: "password" cannot be given in a User POST or PUT on this service; leave it out (ServiceProviderConfig changePassword.supported is false).');
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    const created = await c.post('/Users', whole);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expectScimError(await c.put(`/Users/${id}`, { ...whole, PASSWORD: 'x' }), 400, 'invalidValue');
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'password', value: 'x' })), 400, 'invalidValue');
    // Okta's password push: a path-less replace.
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'replace', value: { password: 'x' } })), 400, 'invalidValue');
    expect((await c.get(`/Users/${id}`)).body.meta.lastModified).toBe(created.body.meta.lastModified);
  });

  constraint('aws', 'unremovableAttributes', 'a PATCH may not remove userName or active, however the path is spelt; replace still works', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'aws' });
    const id = users[0]!.id as string;
    const before = await c.get(`/Users/${id}`);
    for (const path of ['active', 'ACTIVE', 'urn:ietf:params:scim:schemas:core:2.0:User:active', 'userName', 'URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER:USERNAME']) {
      const body = expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'Remove', path })), 400, 'invalidValue');
      expect(body.detail, path).toMatch(/^ValidationException: the "remove" operation is not supported for (active|userName)/);
    }
    // Nothing applied, not even an allowed operation before the refused one.
    const mixed = await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'nickName', value: 'x' }, { op: 'remove', path: 'active' }));
    expectScimError(mixed, 400, 'invalidValue');
    expect((await c.get(`/Users/${id}`)).text).toBe(before.text);
    const replaced = await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'active', value: false }));
    expect(replaced.status).toBe(200);
    expect(replaced.body.active).toBe(false);
    expect((await c.patch(`/Users/${id}`, patchOp({ op: 'remove', path: 'nickName' }))).status).toBe(200);
  });

  // https://docs.aws.amazon.com/singlesignon/latest/developerguide/patchuser.html, Not supported: "Multiple PATCH
  // operations on userName or active attribute".
  constraint('aws', 'singleOperationAttributes', 'two operations on active (or on userName) in one PATCH are a ValidationException; one on each is taken', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'aws' });
    const id = users[0]!.id as string;
    const before = (await c.get(`/Users/${id}`)).text;
    for (const operations of [
      [{ op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'active', value: true }],
      [{ op: 'replace', path: 'userName', value: 'a@example.com' }, { op: 'Replace', value: { USERNAME: 'b@example.com' } }],
      [{ op: 'add', path: 'urn:ietf:params:scim:schemas:core:2.0:User:active', value: true }, { op: 'replace', value: { active: false, displayName: 'X' } }],
    ]) {
      const body = expectScimError(await c.patch(`/Users/${id}`, patchOp(...operations)), 400, 'invalidValue');
      expect(body.detail, JSON.stringify(operations)).toMatch(/^ValidationException: more than one operation of this PATCH names (active|userName); this service takes one operation on userName or active per request/);
    }
    expect((await c.get(`/Users/${id}`)).text).toBe(before);
    // One operation on each of them, with operations on other attributes: taken (Entra ID and Okta send such requests).
    const taken = await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'userName', value: 'renamed@example.com' }, { op: 'replace', path: 'active', value: false }, { op: 'replace', path: 'displayName', value: 'Renamed' }, { op: 'replace', path: 'title', value: 'Chief' }));
    expect(taken.status).toBe(200);
    expect(taken.body).toMatchObject({ userName: 'renamed@example.com', active: false, displayName: 'Renamed', title: 'Chief' });
  });

  // https://docs.aws.amazon.com/singlesignon/latest/developerguide/patchuser.html: "Modification is only allowed for the
  // userName, active, externalId, displayName, nickName, profileUrl, title, userType, preferredLanguage, locale, timezone,
  // name, enterprise, emails, addresses, and phoneNumbers attributes"; patchgroup.html: "Only displayName, members, and
  // externalId attributes are allowed in the request."
  constraint('aws', 'patchableAttributes', 'a PATCH naming an attribute beyond the documented ones (roles, x509Certificates) is a ValidationException', async () => {
    const { c, users, groups } = directory({ users: 1, groups: 1, persona: 'aws' });
    const id = users[0]!.id as string;
    const before = (await c.get(`/Users/${id}`)).text;
    for (const operation of [
      { op: 'add', path: 'roles', value: [{ value: 'admin' }] },
      { op: 'replace', path: 'ROLES[type eq "x"].value', value: 'y' },
      { op: 'add', value: { title: 'ok', roles: [{ value: 'admin' }] } },
      { op: 'remove', path: 'x509Certificates' },
    ]) {
      const body = expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'title', value: 'changed' }, operation)), 400, 'invalidValue');
      expect(body.detail, JSON.stringify(operation)).toMatch(/^ValidationException: a PATCH may not change (roles|x509Certificates) on this service; the attributes a User PATCH may name are userName, active/);
    }
    expect((await c.get(`/Users/${id}`)).text).toBe(before);
    for (const operation of [
      { op: 'replace', path: 'name.givenName', value: 'Ada' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'a@example.com' },
      { op: 'replace', path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department', value: 'R&D' },
      { op: 'replace', value: { active: false, 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { costCenter: 'x' } } },
    ]) {
      expect((await c.patch(`/Users/${id}`, patchOp(operation))).status, JSON.stringify(operation)).toBe(200);
    }
    const group = groups[0]!.id as string;
    expect((await c.patch(`/Groups/${group}`, patchOp({ op: 'replace', path: 'displayName', value: 'Renamed' }))).status).toBe(204);
    expect((await c.patch(`/Groups/${group}`, patchOp({ op: 'replace', value: { externalId: 'e1' } }))).status).toBe(204);
    // Okta renames a group with a path-less replace that carries the group's id (readOnly: not a change it asks for).
    expect((await c.patch(`/Groups/${group}`, patchOp({ op: 'replace', value: { id: group, displayName: 'Okta name' } }))).status).toBe(204);
  });

  // https://docs.aws.amazon.com/singlesignon/latest/developerguide/createuser.html and putuser.html: "The givenName,
  // familyName, userName, and displayName fields are required"; a request that "violates schema" is a ValidationException.
  constraint('aws', 'requiredAttributes', 'a POST or PUT of a user without givenName, familyName or displayName is a ValidationException', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'aws' });
    const whole = { schemas: [USER_SCHEMA], userName: 'ada', displayName: 'Ada Lovelace', name: { givenName: 'Ada', familyName: 'Lovelace' } };
    for (const [body, missing] of [
      [{ ...whole, displayName: undefined }, 'displayName'],
      [{ ...whole, name: { familyName: 'Lovelace' } }, 'name.givenName'],
      [{ ...whole, name: undefined }, 'name.givenName'],
      [{ ...whole, name: { givenName: 'Ada', familyName: '' } }, 'name.familyName'],
    ] as const) {
      const refused = expectScimError(await c.post('/Users', body), 400, 'invalidValue');
      expect(refused.detail, missing).toBe(`ValidationException: ${missing} is required by this service; send it in every User POST and PUT.`);
    }
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    const created = await c.post('/Users', whole);
    expect(created.status).toBe(201);
    const put = await c.put(`/Users/${created.body.id as string}`, { schemas: [USER_SCHEMA], userName: 'ada', name: { givenName: 'Ada', familyName: 'Lovelace' } });
    expect(expectScimError(put, 400, 'invalidValue').detail).toMatch(/^ValidationException: displayName is required/);
    // A PATCH is not a whole resource: it need not repeat them.
    expect((await c.patch(`/Users/${created.body.id as string}`, patchOp({ op: 'replace', path: 'title', value: 'Countess' }))).status).toBe(200);
  });

  // createuser.html / putuser.html / patchuser.html: "We do not support multiple values in multi-value attributes (such as
  // emails, addresses, phoneNumbers, roles). Only single values are permitted" (also limitations.html).
  constraint('aws', 'singleValued', 'emails, addresses, phoneNumbers and roles hold one value; a second is a ValidationException', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'aws' });
    const whole = { schemas: [USER_SCHEMA], userName: 'ada', displayName: 'Ada Lovelace', name: { givenName: 'Ada', familyName: 'Lovelace' } };
    const two = [{ value: 'a@example.com', type: 'work', primary: true }, { value: 'b@example.com', type: 'home' }];
    expect(expectScimError(await c.post('/Users', { ...whole, emails: two }), 400, 'invalidValue').detail).toBe('ValidationException: emails holds 2 values, but this service keeps one value only; send a single emails value.');
    expectScimError(await c.post('/Users', { ...whole, phoneNumbers: [{ value: '+1 555 0100' }, { value: '+1 555 0101' }] }), 400, 'invalidValue');
    const created = await c.post('/Users', { ...whole, emails: two.slice(0, 1), phoneNumbers: [{ value: '+1 555 0100' }] });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const added = await c.patch(`/Users/${id}`, patchOp({ op: 'add', path: 'emails', value: [two[1]] }));
    expect(expectScimError(added, 400, 'invalidValue').detail).toMatch(/^ValidationException: emails holds 2 values/);
    expect((await c.get(`/Users/${id}`)).body.emails).toEqual(two.slice(0, 1));
    expect((await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'emails', value: [{ value: 'c@example.com', primary: true }] }))).status).toBe(200);
    // A PATCH is checked on what it changes: a stored user's other attributes do not fail it.
    const seeded = users[0]!;
    expect((await c.patch(`/Users/${seeded.id as string}`, patchOp({ op: 'replace', path: 'title', value: 'x' }))).status).toBe(200);
  });

  // createuser.html / putuser.html: "The emails attribute value must be marked as primary."
  constraint('aws', 'primaryRequired', 'the email must be marked primary', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'aws' });
    const whole = { schemas: [USER_SCHEMA], userName: 'ada', displayName: 'Ada Lovelace', name: { givenName: 'Ada', familyName: 'Lovelace' } };
    const refused = expectScimError(await c.post('/Users', { ...whole, emails: [{ value: 'a@example.com', type: 'work' }] }), 400, 'invalidValue');
    expect(refused.detail).toBe('ValidationException: each emails value must be marked primary on this service; send "primary": true.');
    expect((await c.post('/Users', whole)).status).toBe(201); // no email at all is not refused
    const created = await c.post('/Users', { ...whole, userName: 'ada2', emails: [{ value: 'a@example.com', type: 'work', primary: true }] });
    expect(created.status).toBe(201);
    const patched = await c.patch(`/Users/${created.body.id as string}`, patchOp({ op: 'replace', path: 'emails', value: [{ value: 'b@example.com' }] }));
    expectScimError(patched, 400, 'invalidValue');
  });

  // createuser.html / putuser.html: "The groups field cannot be specified with the createUser request."
  constraint('aws', 'refusedAttributes', 'a POST or PUT of a user carrying groups is a ValidationException, not groups ignored', async () => {
    const { c, groups } = directory({ users: 0, groups: 1, persona: 'aws' });
    const whole = { schemas: [USER_SCHEMA], userName: 'ada', displayName: 'Ada Lovelace', name: { givenName: 'Ada', familyName: 'Lovelace' } };
    const refused = expectScimError(await c.post('/Users', { ...whole, Groups: [{ value: groups[0]!.id }] }), 400, 'invalidValue');
    expect(refused.detail).toBe('ValidationException: "Groups" cannot be given in a User POST or PUT on this service; leave it out and set memberships through the Groups endpoint.');
    const created = await c.post('/Users', whole);
    expect(created.status).toBe(201);
    expectScimError(await c.put(`/Users/${created.body.id as string}`, { ...whole, groups: [{ value: groups[0]!.id }] }), 400, 'invalidValue');
    expect((await c.put(`/Users/${created.body.id as string}`, whole)).status).toBe(200);
    // An empty list asks for no membership: Okta sends "groups": [] with every create.
    expect((await c.post('/Users', { ...whole, userName: 'okta', groups: [] })).status).toBe(201);
    // The other attributes CreateUser does not support.
    for (const [name, value] of [['ims', [{ value: 'ada@xmpp.example', type: 'xmpp' }]], ['photos', [{ value: 'https://photos.example/ada.jpg' }]], ['x509Certificates', [{ value: 'MIIB' }]], ['entitlements', [{ value: 'admin' }]]] as const) {
      const body = expectScimError(await c.post('/Users', { ...whole, userName: `with-${name}`, [name]: value }), 400, 'invalidValue');
      expect(body.detail).toBe(`ValidationException: "${name}" cannot be given in a User POST or PUT on this service; leave it out.`);
    }
  });

  constraint('aws', 'maxMembersPerWrite', 'a new group takes at most 100 members', async () => {
    const { c, users } = directory({ users: 101, groups: 0, persona: 'aws' });
    const body = expectScimError(await newGroup(c, 'Too big', memberRefs(users)), 400, 'invalidValue');
    expect(body.detail).toMatch(/^ValidationException: the request has 101 members; at most 100/);
    expect((await c.get('/Groups')).body.totalResults).toBe(0);
    expect((await newGroup(c, 'Fits', memberRefs(users.slice(0, 100)))).status).toBe(201);
  });

  constraint('aws', 'maxMembershipChangesPerPatch', 'a PATCH with more than 100 membership changes is refused before anything changes', async () => {
    const { c, users } = directory({ users: 102, groups: 0, persona: 'aws' });
    const group = (await newGroup(c, 'G', memberRefs(users.slice(0, 1)))).body;
    const tooMany = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: memberRefs(users.slice(1, 102)) }));
    expect(expectScimError(tooMany, 400, 'invalidValue').detail).toMatch(/makes 101 membership changes; at most 100/);
    // 99 added and 1 removed: 100 changes.
    const fits = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: memberRefs(users.slice(1, 100)) }, { op: 'remove', path: `members[value eq "${users[0]!.id as string}"]` }));
    expect(fits.status).toBe(204);
    expect((await c.get(`/Groups?filter=${q(`members.value eq "${users[99]!.id as string}"`)}`)).body.totalResults).toBe(1);
  });

  constraint('aws', 'groupDisplayNameUnique', 'a second group with a taken displayName is 409 (ConflictException), on create and on rename', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'aws' });
    expect((await request(c.app).get('/_mock/config')).body.groupDisplayNameUnique).toBe(true);
    const first = (await newGroup(c, 'Engineering')).body;
    const body = expectScimError(await newGroup(c, 'engineering'), 409, 'uniqueness');
    expect(body.detail).toContain(`"${first.id as string}"`);
    const other = (await newGroup(c, 'Sales')).body;
    expectScimError(await c.patch(`/Groups/${other.id as string}`, patchOp({ op: 'replace', path: 'displayName', value: 'Engineering' })), 409, 'uniqueness');
    expect((await c.get('/Groups')).body.totalResults).toBe(2);
  });

  constraint('aws', 'replaceAllMembers', 'replacing or removing all members in one PATCH is a ValidationException', async () => {
    const { c, users } = directory({ users: 3, groups: 0, persona: 'aws' });
    const group = (await newGroup(c, 'G', memberRefs(users))).body;
    for (const op of [{ op: 'replace', path: 'members', value: memberRefs(users.slice(0, 1)) }, { op: 'remove', path: 'members' }, { op: 'replace', value: { members: [] } }]) {
      const body = expectScimError(await c.patch(`/Groups/${group.id}`, patchOp(op)), 400, 'invalidValue');
      expect(body.detail, JSON.stringify(op)).toMatch(/replacing or removing all members in one request is not supported/);
    }
    expect((await c.get(`/Groups?filter=${q(`members.value eq "${users[2]!.id as string}"`)}`)).body.totalResults).toBe(1);
  });

  constraint('aws', 'hiddenAttributes', 'group reads return an empty member list; a members.value filter finds the group', async () => {
    const { c, users } = directory({ users: 2, groups: 0, persona: 'aws' });
    const created = await newGroup(c, 'G', memberRefs(users));
    expect(created.body.members).toEqual([]);
    expect((await c.get(`/Groups/${created.body.id}`)).body.members).toEqual([]);
    expect((await c.get('/Groups')).body.Resources[0].members).toEqual([]);
    const found = await c.get(`/Groups?filter=${q(`members.value eq "${users[1]!.id as string}"`)}`);
    expect(found.body.Resources.map((g: any) => g.id)).toEqual([created.body.id]);
    // The membership is real: the user's groups list it.
    expect((await c.get(`/Users/${users[1]!.id as string}`)).body.groups).toEqual([expect.objectContaining({ value: created.body.id })]);
  });

  constraint('aws', 'unknownMemberFilter', 'a Group filter on a member that does not exist is 404 ResourceNotFoundException', async () => {
    const { c, users, groups } = directory({ users: 2, groups: 1, persona: 'aws' });
    for (const filter of ['members.value eq "no-such-user"', `id eq "${groups[0]!.id as string}" and MEMBERS.VALUE eq "no-such-user"`]) {
      const res = await c.get(`/Groups?filter=${q(filter)}`);
      expect(res.status, filter).toBe(404);
      expect(res.body.schemas).toEqual(['urn:ietf:params:scim:api:messages:2.0:Error']);
      expect(res.body.detail, filter).toBe('ResourceNotFoundException: the filter\'s members.value "no-such-user" names no existing User or Group.');
    }
    // A user in no group: an empty list, not a 404.
    const lonely = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'lonely', displayName: 'Lone Ly', name: { givenName: 'Lone', familyName: 'Ly' } })).body;
    const none = await c.get(`/Groups?filter=${q(`members.value eq "${lonely.id as string}"`)}`);
    expect(none.status).toBe(200);
    expect(none.body.totalResults).toBe(0);
    expect((await c.get(`/Groups?filter=${q(`members.value eq "${users[0]!.id as string}"`)}`)).status).toBe(200);
  });

  constraint('aws', 'unsupportedOperations', 'no /Bulk, /.search, /Me or PUT of a Group; ServiceProviderConfig says Bulk is unsupported', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'aws' });
    const group = (await newGroup(c, 'G')).body;
    expect((await spcOf(c)).bulk.supported).toBe(false);
    const bulk = await c.post('/Bulk', { schemas: [BULK], Operations: [{ method: 'POST', bulkId: '1', path: '/Users', data: { schemas: [USER_SCHEMA], userName: 'b' } }] });
    expect(expectScimError(bulk, 400, 'invalidValue').detail).toMatch(/^ValidationException: POST \/Bulk is not supported/);
    expectScimError(await c.post('/Users/.search', { schemas: [SEARCH] }), 400, 'invalidValue');
    expectScimError(await c.get('/Me'), 400, 'invalidValue');
    expectScimError(await c.put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'H' }), 400, 'invalidValue');
    expect((await c.put(`/Users/${users[0]!.id as string}`, { schemas: [USER_SCHEMA], userName: 'renamed', displayName: 'Re Named', name: { givenName: 'Re', familyName: 'Named' } })).status).toBe(200);
    expect((await c.get('/Users')).body.totalResults).toBe(1);
  });

  constraint('aws', 'patchStatus', 'a group PATCH answers 204 without a body; a user PATCH 200 with the user', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'aws' });
    const group = (await newGroup(c, 'G')).body;
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Renamed' }));
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await c.patch(`/Users/${users[0]!.id as string}`, patchOp({ op: 'replace', path: 'nickName', value: 'x' }))).status).toBe(200);
  });
});

/** A client whose every request carries a User-Agent header, as every HTTP library but supertest sends one. */
function withUserAgent(c: Client, userAgent = 'octo-connector/1.0'): Client {
  return {
    ...c,
    get: (path) => c.get(path).set('User-Agent', userAgent),
    post: (path, body) => c.post(path, body).set('User-Agent', userAgent),
    put: (path, body) => c.put(path, body).set('User-Agent', userAgent),
    patch: (path, body) => c.patch(path, body).set('User-Agent', userAgent),
    delete: (path) => c.delete(path).set('User-Agent', userAgent),
  };
}

/** A directory under the GitHub persona, its client sending a User-Agent (GitHub refuses requests without one). */
function githubDirectory(options: { users: number; groups: number }) {
  const dir = directory({ ...options, persona: 'github' });
  return { ...dir, bare: dir.c, c: withUserAgent(dir.c) };
}

describe('github: GitHub Enterprise Managed Users', () => {
  constraint('github', 'requiredHeaders', 'a SCIM request without a User-Agent is 403 naming the header, before authentication; the control API is not checked', async () => {
    const { c, bare, users } = githubDirectory({ users: 1, groups: 0 });
    const id = users[0]!.id as string;
    const before = (await c.get(`/Users/${id}`)).text;
    for (const res of [
      await bare.get('/Users'),
      await bare.get(`/Users/${id}`),
      await bare.get('/ServiceProviderConfig'),
      await bare.post('/Users', { schemas: [USER_SCHEMA], userName: 'no-agent' }),
      await bare.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Changed' })),
      await bare.delete(`/Users/${id}`),
      await bare.get('/Users').set('User-Agent', ' '),
    ]) {
      const body = expectScimError(res, 403);
      expect(body.detail).toMatch(/^Request forbidden by administrative rules\. Please make sure your request has a User-Agent header \(the User-Agent header is required by this service on every request/);
      expect(body.detail).toContain('"User-Agent: acme-scim-connector/1.0"');
    }
    // Nothing was written, and no bad token is looked at first: the header is checked at the edge.
    expect((await c.get(`/Users/${id}`)).text).toBe(before);
    expect((await c.get('/Users?filter=userName%20eq%20%22no-agent%22')).body.totalResults).toBe(0);
    expectScimError(await bare.raw().get('/scim/v2/Users').set('Authorization', 'Bearer wrong'), 403);
    expectScimError(await c.raw().get('/scim/v2/Users').set('Authorization', 'Bearer wrong').set('User-Agent', 'octo-connector/1.0'), 401);
    // The control API and the dashboard's own requests are not SCIM traffic of a connector.
    expect((await request(c.app).get('/_mock/config')).status).toBe(200);
    expect((await bare.get('/Users').set('X-Scimulator-Client', 'dashboard')).status).toBe(200);
    // With any User-Agent the same requests pass.
    expect((await c.get('/ServiceProviderConfig')).status).toBe(200);
    expect((await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'with-agent' })).status).toBe(201);
  });

  it('requiredHeaders: a request refused for its missing User-Agent uses up none of the rate limit', async () => {
    const { c, bare, tenant } = githubDirectory({ users: 0, groups: 0 });
    for (let i = 0; i < 999; i++) expect(tenant.faults.decide(info({ method: 'POST', operation: 'create', resourceType: 'User' }))).toEqual([]);
    for (let i = 0; i < 3; i++) expectScimError(await bare.post('/Users', { schemas: [USER_SCHEMA], userName: `no-agent-${i}` }), 403);
    expect((await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'the-thousandth' })).status).toBe(201);
    expect((await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'one-too-many' })).status).toBe(429);
  });

  it('requiredHeaders: no other persona, and no persona, asks for a User-Agent', async () => {
    for (const persona of [undefined, 'aws', 'slack', 'atlassian', 'zoom']) {
      const { c } = directory({ users: 0, groups: 0, ...(persona ? { persona } : {}) });
      expect((await c.get('/ServiceProviderConfig')).status, persona ?? 'none').toBe(200);
    }
  });

  constraint('github', 'memberAdditionRate', 'at most 1,000 members added to each group per hour: the write beyond is 429 with Retry-After and changes nothing', async () => {
    const { c, users } = githubDirectory({ users: 1004, groups: 0 });
    const clock = (advance: number) => request(c.app).post('/_mock/clock').send({ advance });
    const refs = memberRefs(users);
    const group = (await newGroup(c, 'Octocats', refs.slice(0, 600))).body;
    const path = `/Groups/${group.id as string}`;
    expect((await c.patch(path, patchOp({ op: 'add', path: 'members', value: refs.slice(600, 1000) }))).status).toBe(200);
    // The hour's 1,000 are spent: two more are refused whole, with the wait for two members (2 x 3.6 s).
    const before = (await c.get(path)).text;
    const refused = await c.patch(path, patchOp({ op: 'add', path: 'members', value: refs.slice(1000, 1002) }));
    const body = expectScimError(refused, 429);
    expect(body.detail).toBe(`this request adds 2 members to Group "${group.id as string}", but a group may gain at most 1000 members per hour on this service and 0 more can be added now. Retry after 8 second(s), or add fewer members in this request.`);
    expect(refused.headers['retry-after']).toBe('8');
    expect((await c.get(path)).text).toBe(before);
    expect(((await c.get(`${path}?attributes=members`)).body.members as unknown[]).length).toBe(1000);
    // A PUT that adds one is refused as well; one that only removes members is not an addition.
    const kept = refs.slice(0, 1000);
    expectScimError(await c.put(path, { schemas: [GROUP_SCHEMA], displayName: 'Octocats', members: [...kept, refs[1003]!] }), 429);
    expect((await c.put(path, { schemas: [GROUP_SCHEMA], displayName: 'Octocats', members: kept.slice(1) })).status).toBe(200);
    // The budget refills on the tenant clock: 3.6 s per member.
    expect((await clock(3_599)).status).toBe(200);
    expectScimError(await c.patch(path, patchOp({ op: 'add', path: 'members', value: [refs[1000]] })), 429);
    await clock(1);
    expect((await c.patch(path, patchOp({ op: 'add', path: 'members', value: [refs[1000]] }))).status).toBe(200);
    // Each group has its own budget; a new group takes up to 1,000 members and no more in one request.
    const more = await newGroup(c, 'Hubbers', refs.slice(0, 1001));
    expect(expectScimError(more, 429).detail).toMatch(/^this request adds 1001 members to a new Group, but a group may gain at most 1000 members per hour on this service; split the members into requests of at most 1000/);
    expect((await c.get(`/Groups?filter=${q('displayName eq "Hubbers"')}`)).body.totalResults).toBe(0);
    expect((await newGroup(c, 'Hubbers', refs.slice(0, 1000))).status).toBe(201);
    // After an hour the first group has its whole budget back.
    await clock(3_600_000);
    expect((await c.patch(path, patchOp({ op: 'add', path: 'members', value: refs.slice(1001, 1004) }))).status).toBe(200);
  });

  it('memberAdditionRate: the same additions pass under no persona; the budget forgets full groups, and reset restores it', async () => {
    const { c, users, tenant } = directory({ users: 1002, groups: 0 });
    const refs = memberRefs(users);
    const group = (await newGroup(c, 'Octocats', refs.slice(0, 1000))).body;
    expect((await c.patch(`/Groups/${group.id as string}`, patchOp({ op: 'add', path: 'members', value: refs.slice(1000) }))).status).toBe(200);
    expect(tenant.service.options.memberBudget).toBeUndefined();
    // Under the persona the budget holds a group only until it is full again: memory follows the last hour's writes.
    const gh = githubDirectory({ users: 10, groups: 0 });
    const budget = () => gh.tenant.service.options.memberBudget!.size;
    for (const name of ['A', 'B', 'C']) expect((await newGroup(gh.c, name, memberRefs(gh.users).slice(0, 5))).status).toBe(201);
    expect(budget()).toBe(3);
    await request(gh.c.app).post('/_mock/clock').send({ advance: 3_600_000 });
    expect((await newGroup(gh.c, 'D', memberRefs(gh.users).slice(0, 1))).status).toBe(201);
    expect(budget()).toBe(1);
    // POST /_mock/reset gives every group its whole budget again, as it restores the persona's rate limits.
    expect((await request(gh.c.app).post('/_mock/reset')).status).toBe(200);
    expect(budget()).toBe(0);
  });

  it('memberAdditionRate: a PATCH that removes a member and adds it back adds no one; a clock set back does not stretch the Retry-After', async () => {
    const { c, users } = githubDirectory({ users: 1001, groups: 0 });
    const refs = memberRefs(users);
    const group = (await newGroup(c, 'Octocats', refs.slice(0, 1000))).body;
    const path = `/Groups/${group.id as string}`;
    // The hour's 1,000 are spent; the member is in the group before and after, as a PUT of the same members (200).
    const again = await c.patch(path, patchOp({ op: 'remove', path: 'members', value: [refs[0]] }, { op: 'add', path: 'members', value: [refs[0]] }));
    expect(again.status).toBe(200);
    expect(((await c.get(`${path}?attributes=members`)).body.members as unknown[]).length).toBe(1000);
    // The clock set back an hour: the wait named is the wait kept (3.6 s for one member), not that plus the hour.
    expect((await request(c.app).post('/_mock/clock').send({ freeze: '2025-05-31T23:00:00.000Z' })).status).toBe(200);
    const refused = await c.patch(path, patchOp({ op: 'add', path: 'members', value: [refs[1000]] }));
    expectScimError(refused, 429);
    expect(refused.headers['retry-after']).toBe('4');
    await request(c.app).post('/_mock/clock').send({ advance: 4_000 });
    expect((await c.patch(path, patchOp({ op: 'add', path: 'members', value: [refs[1000]] }))).status).toBe(200);
  });
  constraint('github', 'unsupported', 'requests the API does not expect are 400 Bad Request', async () => {
    const { c, users } = githubDirectory({ users: 1, groups: 0 });
    const res = await c.patch(`/Users/${users[0]!.id as string}`, patchOp({ op: 'replace', path: 'emails[type eq "work"].value', value: 'a@example.com' }));
    expect(expectScimError(res, 400, 'invalidValue').detail).toMatch(/^PATCH paths with a value filter/);
  });

  constraint('github', 'documentationUri', 'ServiceProviderConfig points to the GitHub REST reference', async () => {
    const { c } = githubDirectory({ users: 0, groups: 0 });
    expect((await spcOf(c)).documentationUri).toBe('https://docs.github.com/en/enterprise-cloud@latest/rest/enterprise-admin/scim');
  });

  constraint('github', 'filter', 'one eq on userName, externalId, id or displayName (Groups: externalId, id, displayName)', async () => {
    const { c, users, groups } = githubDirectory({ users: 3, groups: 2 });
    for (const filter of [`userName eq "${users[0]!.userName as string}"`, 'externalId eq "x"', `id eq "${users[1]!.id as string}"`, 'displayName eq "x"']) {
      expect((await c.get(`/Users?filter=${q(filter)}`)).status, filter).toBe(200);
    }
    expect((await c.get(`/Groups?filter=${q(`displayName eq "${groups[0]!.displayName as string}"`)}`)).body.totalResults).toBe(1);
    for (const [path, filter] of [
      ['/Users', 'userName eq "a" and externalId eq "b"'],
      ['/Users', 'emails.value eq "a@example.com"'],
      ['/Users', 'userName co "a"'],
      ['/Groups', `members.value eq "${users[0]!.id as string}"`],
    ] as const) {
      expectScimError(await c.get(`${path}?filter=${q(filter)}`), 400, 'invalidFilter');
    }
  });

  constraint('github', 'pageSize', 'a page holds 30 by default', async () => {
    const { c } = githubDirectory({ users: 40, groups: 0 });
    expect((await c.get('/Users')).body.itemsPerPage).toBe(30);
    expect((await c.get('/Users?count=40')).body.itemsPerPage).toBe(40);
  });

  constraint('github', 'uniqueAttributes', 'a second user with a taken externalId is 409 naming the holder, on POST, PUT and PATCH', async () => {
    const { c } = githubDirectory({ users: 0, groups: 0 });
    const holder = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'a1', externalId: 'E1' })).body;
    const dup = expectScimError(await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'a2', externalId: 'E1' }), 409, 'uniqueness');
    expect(dup.detail).toBe(`externalId "E1" is already taken by User "${holder.id as string}".`);
    const other = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'a2', externalId: 'E2' })).body;
    const id = other.id as string;
    expectScimError(await c.put(`/Users/${id}`, { schemas: [USER_SCHEMA], userName: 'a2', externalId: 'E1' }), 409, 'uniqueness');
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'externalId', value: 'E1' })), 409, 'uniqueness');
    expect((await c.get(`/Users/${id}`)).body.externalId).toBe('E2');
    // externalId is case-exact: another case is another value. A resource keeps its own value on a write.
    expect((await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'externalId', value: 'e1' }))).status).toBe(200);
    expect((await c.put(`/Users/${holder.id as string}`, { schemas: [USER_SCHEMA], userName: 'a1', externalId: 'E1', displayName: 'A' })).status).toBe(200);
  });

  constraint('github', 'patchPathFilters', 'a PATCH path with a value filter is refused and changes nothing', async () => {
    const { c, users } = githubDirectory({ users: 1, groups: 0 });
    const id = users[0]!.id as string;
    const before = await c.get(`/Users/${id}`);
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'remove', path: 'emails[type eq "work"]' })), 400, 'invalidValue');
    expect((await c.get(`/Users/${id}`)).text).toBe(before.text);
    expect((await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'displayName', value: 'Mona' }))).status).toBe(200);
  });

  it('patchPathFilters: Entra ID\'s remove of one member by value (no filter sent) is taken, though the profile rewrites it into a filter', async () => {
    const { c, users } = githubDirectory({ users: 2, groups: 0 });
    const group = (await newGroup(c, 'Octocats', memberRefs(users))).body;
    const [gone, kept] = memberRefs(users);
    const res = await c.patch(`/Groups/${group.id as string}`, patchOp({ op: 'Remove', path: 'members', value: [gone] }));
    expect([200, 204]).toContain(res.status);
    const members = (await c.get(`/Groups/${group.id as string}`)).body.members as Array<{ value: string }>;
    expect(members.map((m) => m.value)).toEqual([kept!.value]);
    // The same removal written with a filter by the client is still refused.
    expectScimError(await c.patch(`/Groups/${group.id as string}`, patchOp({ op: 'remove', path: `members[value eq "${kept!.value}"]` })), 400, 'invalidValue');
  });

  constraint('github', 'rateLimits', 'at most 1,000 users provisioned per hour: the next one is 429 with Retry-After', async () => {
    const { c, tenant } = githubDirectory({ users: 0, groups: 0 });
    const rule = tenant.faults.list().find((r) => r.id === 'persona-github-user-provisioning')!;
    expect(rule.action).toMatchObject({ type: 'rateLimit', limit: 1000, windowMs: 3_600_000 });
    // Spend the hour's budget through the fault layer itself, then one more create over HTTP.
    for (let i = 0; i < 1000; i++) expect(tenant.faults.decide(info({ method: 'POST', operation: 'create', resourceType: 'User' }))).toEqual([]);
    const res = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'one-too-many' });
    expect(res.status).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(3);
    // Reads are not limited.
    expect((await c.get('/Users')).status).toBe(200);
  });
});

describe('slack: Slack', () => {
  constraint('slack', 'documentationUri', 'ServiceProviderConfig points to the Slack SCIM reference', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'slack' });
    expect((await spcOf(c)).documentationUri).toBe('https://docs.slack.dev/reference/scim-api');
  });

  constraint('slack', 'pageSize', 'ten per page by default; a count above 1,000 is read as 1,000', async () => {
    const { c } = directory({ users: 1005, groups: 0, persona: 'slack' });
    expect((await c.get('/Users')).body.itemsPerPage).toBe(10);
    const big = await c.get('/Users?count=5000');
    expect(big.body.itemsPerPage).toBe(1000);
    expect(big.body.totalResults).toBe(1005);
  });

  // https://docs.slack.dev/reference/scim-api/scim-api-2: DELETE /Users/<id> "Sets a Slack user to deactivated";
  // DELETE /Groups/<id> "Permanently removes a group".
  constraint('slack', 'deactivateOnDelete', 'DELETE of a user deactivates it: still readable and listed, its userName still taken; a group is removed', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'slack' });
    const user = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ada', emails: [{ value: 'ada@example.com', primary: true }] })).body;
    const group = (await newGroup(c, 'G', [{ value: user.id as string }])).body;
    expect((await c.delete(`/Users/${user.id as string}`)).status).toBe(204);
    const read = await c.get(`/Users/${user.id as string}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ userName: 'ada', active: false });
    expect((await c.get('/Users')).body.totalResults).toBe(1);
    expectScimError(await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ada', emails: [{ value: 'ada2@example.com' }] }), 409, 'uniqueness');
    expect((await c.delete(`/Users/${user.id as string}`)).status).toBe(204); // again: still deactivated
    // Reactivated as any user is.
    expect((await c.patch(`/Users/${user.id as string}`, patchOp({ op: 'replace', path: 'active', value: true }))).body.active).toBe(true);
    expect((await c.delete(`/Groups/${group.id as string}`)).status).toBe(204);
    expectScimError(await c.get(`/Groups/${group.id as string}`), 404);
  });

  // https://docs.slack.dev/reference/scim-api (POST /Users): "Must include the userName attribute and at least one email
  // address"; errors: email_empty "The user's primary email is missing from the request".
  constraint('slack', 'requiredAttributes', 'a user POST or PUT without an email is refused', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'slack' });
    const refused = expectScimError(await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ada' }), 400, 'invalidValue');
    expect(refused.detail).toBe('emails is required by this service; send it in every User POST and PUT.');
    expectScimError(await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ada', emails: [] }), 400, 'invalidValue');
    const created = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ada', emails: [{ value: 'ada@example.com', primary: true }] });
    expect(created.status).toBe(201);
    expectScimError(await c.put(`/Users/${created.body.id as string}`, { schemas: [USER_SCHEMA], userName: 'ada' }), 400, 'invalidValue');
  });

  // https://support.okta.com/help/s/article/Slack-Provisioning-error-Errors-reported-by-the-connector-Errors-description-long-username-user-code-400:
  // "The character limit is 21 characters for the Slack username on the Slack side" (Slack: long_username, 400);
  // an email address given as userName is "automatically converted to a Slack-appropriate username".
  constraint('slack', 'lengthLimits', 'a userName of more than 21 characters is 400 long_username on POST, PUT and PATCH; an email address is taken', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'slack' });
    const user = (userName: string) => ({ schemas: [USER_SCHEMA], userName, emails: [{ value: 'ada@example.com', primary: true }] });
    const refused = expectScimError(await c.post('/Users', user('ada_lovelace_countess1')), 400, 'invalidValue');
    expect(refused.detail).toBe('long_username: userName "ada_lovelace_countess1" is 22 characters long; this service takes at most 21 (an email address is taken as it is). Send a userName of 21 characters or fewer.');
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    const ada = await c.post('/Users', user('ada_lovelace_countess'));
    expect(ada.status).toBe(201);
    const id = ada.body.id as string;
    expect((await c.post('/Users', { ...user('augusta.ada.king.lovelace@example.com'), emails: [{ value: 'augusta@example.com' }] })).status).toBe(201);
    expectScimError(await c.put(`/Users/${id}`, user('ada_lovelace_countess_of')), 400, 'invalidValue');
    expectScimError(await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'userName', value: 'ada_lovelace_countess_of' })), 400, 'invalidValue');
    expect((await c.get(`/Users/${id}`)).body.userName).toBe('ada_lovelace_countess');
    expect((await c.patch(`/Users/${id}`, patchOp({ op: 'replace', path: 'userName', value: 'ada@lovelace.example.com' }))).status).toBe(200);
  });

  // https://docs.slack.dev/reference/scim-api#errors: unable_to_add_deleted_or_guest_to_group "Deleted or guest users
  // cannot be added to the Group" (DELETE /Users/<id> "Sets a Slack user to deactivated").
  constraint('slack', 'inactiveMember', 'a deactivated user cannot be added to a group; one already in it stays', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'slack' });
    const user = (id: string) => c.post('/Users', { schemas: [USER_SCHEMA], userName: id, emails: [{ value: `${id}@example.com` }] });
    const ada = (await user('ada')).body.id as string;
    const bob = (await user('bob')).body.id as string;
    const group = (await newGroup(c, 'G', [{ value: bob }])).body.id as string;
    expect((await c.delete(`/Users/${ada}`)).status).toBe(204);
    expect((await c.delete(`/Users/${bob}`)).status).toBe(204);
    const refused = expectScimError(await c.patch(`/Groups/${group}`, patchOp({ op: 'add', path: 'members', value: [{ value: ada }] })), 400, 'invalidValue');
    expect(refused.detail).toBe(`unable_to_add_deleted_or_guest_to_group: members value "${ada}" is a deactivated User ("active": false), which this service does not add to a group; reactivate it first or leave it out.`);
    expectScimError(await newGroup(c, 'H', [{ value: ada }]), 400, 'invalidValue');
    expectScimError(await c.put(`/Groups/${group}`, { schemas: [GROUP_SCHEMA], displayName: 'G', members: [{ value: bob }, { value: ada }] }), 400, 'invalidValue');
    // bob was a member before he was deactivated: a PUT that keeps him is not an add.
    expect((await c.put(`/Groups/${group}`, { schemas: [GROUP_SCHEMA], displayName: 'G2', members: [{ value: bob }] })).status).toBe(200);
    await c.patch(`/Users/${ada}`, patchOp({ op: 'replace', path: 'active', value: true }));
    expect((await c.patch(`/Groups/${group}`, patchOp({ op: 'add', path: 'members', value: [{ value: ada }] }))).status).toBe(200);
  });

  constraint('slack', 'maxMembersPerWrite', 'a POST or PUT of a group takes at most 15,000 members', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'slack' });
    const ghosts = Array.from({ length: 15_001 }, (_, i) => ({ value: `U${i}` }));
    expect(expectScimError(await newGroup(c, 'Everyone', ghosts), 400, 'invalidValue').detail).toMatch(/has 15001 members; at most 15000/);
  });

  constraint('slack', 'maxMembershipChangesPerPatch', 'a PATCH changes at most 15,000 members', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'slack' });
    const group = (await newGroup(c, 'G')).body;
    const ghosts = Array.from({ length: 15_001 }, (_, i) => ({ value: `U${i}` }));
    const res = await c.patch(`/Groups/${group.id}`, patchOp({ op: 'add', path: 'members', value: ghosts }));
    expect(expectScimError(res, 400, 'invalidValue').detail).toMatch(/makes 15001 membership changes; at most 15000/);
  });

  constraint('slack', 'memberPolicy', 'an unknown member fails the request (no_such_group_members)', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'slack' });
    expect((await request(c.app).get('/_mock/config')).body.memberPolicy).toBe('reject');
    const res = await newGroup(c, 'G', [{ value: users[0]!.id as string }, { value: 'U999ABC456' }]);
    expect(expectScimError(res, 400, 'invalidValue').detail).toContain('U999ABC456');
    expect((await c.get('/Groups')).body.totalResults).toBe(0);
  });

  constraint('slack', 'rateLimits', 'user creates: bursts of 20, then 429 with Retry-After; org-wide reads 1,000 per minute', async () => {
    const { c, tenant } = directory({ users: 0, groups: 0, persona: 'slack' });
    for (let i = 0; i < 20; i++) expect((await c.post('/Users', { schemas: [USER_SCHEMA], userName: `u${i}`, emails: [{ value: `u${i}@example.com` }] })).status).toBe(201);
    const limited = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'u20', emails: [{ value: 'u20@example.com' }] });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBe(1); // 180 per minute: one token every 333 ms
    tenant.clock.advance(334);
    expect((await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'u20', emails: [{ value: 'u20@example.com' }] })).status).toBe(201);
    // Reads: 1,000 per minute across all GETs.
    for (let i = 0; i < 999; i++) expect(tenant.faults.decide(info({ method: 'GET' }))).toEqual([]);
    expect((await c.get('/Groups')).status).toBe(200);
    expect((await c.get('/Groups')).status).toBe(429);
  });
  // https://docs.slack.dev/reference/scim-api/rate-limits ("Rate limits for Groups endpoints"): Get a group 300/min
  // (bursts 300), Create a group 180 (20), Update a group: PUT or PATCH 180 (80), Delete a group 180 (20).
  it('rateLimits: the Groups endpoints have their own limits: POST and DELETE bursts of 20, PUT or PATCH bursts of 80', async () => {
    const { c, tenant } = directory({ users: 0, groups: 0, persona: 'slack' });
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) ids.push((await newGroup(c, `g${i}`)).body.id as string);
    const limited = await newGroup(c, 'g20');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers['retry-after'])).toBe(1); // 180 per minute: one token every 333 ms
    for (let i = 0; i < 80; i++) {
      const res = await c.patch(`/Groups/${ids[i % 20]!}`, patchOp({ op: 'replace', path: 'displayName', value: `p${i}` }));
      expect(res.status, `PATCH ${i}`).toBe(200);
    }
    expect((await c.put(`/Groups/${ids[0]!}`, { schemas: [GROUP_SCHEMA], displayName: 'x' })).status).toBe(429);
    for (let i = 0; i < 20; i++) expect((await c.delete(`/Groups/${ids[i]!}`)).status).toBe(204);
    tenant.clock.advance(60_000);
    const again = (await newGroup(c, 'again')).body.id as string;
    for (let i = 0; i < 20; i++) tenant.faults.decide(info({ method: 'DELETE', relativePath: `/Groups/${again}`, operation: 'delete', resourceType: 'Group' }));
    expect((await c.delete(`/Groups/${again}`)).status).toBe(429);
    for (let i = 0; i < 299; i++) expect(tenant.faults.decide(info({ method: 'GET', relativePath: `/Groups/${again}`, operation: 'get', resourceType: 'Group' }))).toEqual([]);
    expect((await c.get(`/Groups/${again}`)).status).toBe(200);
    expect((await c.get(`/Groups/${again}`)).status).toBe(429);
  });
});

describe('atlassian: Atlassian Cloud', () => {
  constraint('atlassian', 'documentationUri', 'ServiceProviderConfig points to the user provisioning reference', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'atlassian' });
    expect((await spcOf(c)).documentationUri).toBe('https://developer.atlassian.com/cloud/admin/user-provisioning/rest/intro/');
  });

  constraint('atlassian', 'filter', 'Users: one eq on userName or externalId', async () => {
    const { c, users } = directory({ users: 3, groups: 1, persona: 'atlassian' });
    expect((await c.get(`/Users?filter=${q(`userName eq "${users[0]!.userName as string}"`)}`)).body.totalResults).toBe(1);
    expect((await c.get(`/Users?filter=${q('externalId eq "nobody"')}`)).body.totalResults).toBe(0);
    for (const filter of ['userName sw "a"', 'displayName eq "x"', 'userName eq "a" or externalId eq "b"']) {
      expectScimError(await c.get(`/Users?filter=${q(filter)}`), 400, 'invalidFilter');
    }
  });

  constraint('atlassian', 'sort', 'sorting is not supported: ServiceProviderConfig says so and sortBy is ignored', async () => {
    const { c, users } = directory({ users: 5, groups: 0, persona: 'atlassian' });
    expect((await spcOf(c)).sort).toEqual({ supported: false });
    const res = await c.get('/Users?sortBy=userName&sortOrder=descending');
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((u: any) => u.id)).toEqual(users.map((u) => u.id));
  });

  constraint('atlassian', 'groupDisplayNameUnique', 'a group with an existing name is 409 (Conflict)', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'atlassian' });
    const first = (await newGroup(c, 'jira-users')).body;
    expect(expectScimError(await newGroup(c, 'jira-users'), 409, 'uniqueness').detail).toContain(`"${first.id as string}"`);
    const other = (await newGroup(c, 'confluence-users')).body;
    // Renaming is refused whatever the name (immutableAttributes), so a clash can only come from a create.
    expectScimError(await c.put(`/Groups/${other.id as string}`, { schemas: [GROUP_SCHEMA], displayName: 'jira-users' }), 400, 'mutability');
    expect((await c.get('/Groups')).body.totalResults).toBe(2);
  });

  // https://developer.atlassian.com/cloud/admin/user-provisioning/rest/api-group-groups/ (Update a group): "Renaming
  // groups after they've synced to your Atlassian organization isn't supported in this release of User Provisioning API."
  constraint('atlassian', 'immutableAttributes', 'a group cannot be renamed by PUT or PATCH; its members still change', async () => {
    const { c, users } = directory({ users: 1, groups: 0, persona: 'atlassian' });
    const group = (await newGroup(c, 'jira-users')).body;
    const put = expectScimError(await c.put(`/Groups/${group.id as string}`, { schemas: [GROUP_SCHEMA], displayName: 'jira-admins' }), 400, 'mutability');
    expect(put.detail).toBe('displayName cannot be changed on this service (from "jira-users" to "jira-admins"); create a new Group with the new value instead.');
    expectScimError(await c.patch(`/Groups/${group.id as string}`, patchOp({ op: 'replace', path: 'displayName', value: 'jira-admins' })), 400, 'mutability');
    expectScimError(await c.patch(`/Groups/${group.id as string}`, patchOp({ op: 'replace', value: { displayName: 'x' } })), 400, 'mutability');
    expect((await c.get(`/Groups/${group.id as string}`)).body.displayName).toBe('jira-users');
    const added = await c.patch(`/Groups/${group.id as string}`, patchOp({ op: 'add', path: 'members', value: [{ value: users[0]!.id }] }));
    expect(added.status).toBe(200);
    expect(added.body.members).toHaveLength(1);
    expect((await c.put(`/Groups/${group.id as string}`, { schemas: [GROUP_SCHEMA], displayName: 'jira-users' })).status).toBe(200);
  });

  constraint('atlassian', 'pageSize', 'the first 100 users without count', async () => {
    const { c } = directory({ users: 120, groups: 0, persona: 'atlassian' });
    expect((await c.get('/Users')).body.itemsPerPage).toBe(100);
    expect((await c.get('/Users?startIndex=101')).body.itemsPerPage).toBe(20);
  });
});

describe('zoom: Zoom', () => {
  constraint('zoom', 'documentationUri', 'ServiceProviderConfig points to the SCIM2 API reference', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'zoom' });
    expect((await spcOf(c)).documentationUri).toBe('https://marketplace.zoom.us/docs/api-reference/scim-api/');
  });

  constraint('zoom', 'filter', 'Users: userName eq or externalId eq; Groups: displayName eq; others 400', async () => {
    const { c, users, groups } = directory({ users: 2, groups: 1, persona: 'zoom' });
    const get = (path: string) => c.get(path);
    expect((await get(`/Users?filter=${q(`userName eq "${users[0]!.userName as string}"`)}`)).body.totalResults).toBe(1);
    expect((await get(`/Groups?filter=${q(`displayName eq "${groups[0]!.displayName as string}"`)}`)).body.totalResults).toBe(1);
    const bad = await get(`/Groups?filter=${q('externalId eq "x"')}`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/filtering Group resources on externalId is not supported; supported filters: displayName/);
    expect((await get(`/Users?filter=${q('userName co "a"')}`)).status).toBe(400);
  });

  constraint('zoom', 'unsupportedOperations', 'eleven endpoints: no /Bulk, /.search, /Me or PUT of a Group (501)', async () => {
    const { c } = directory({ users: 0, groups: 0, persona: 'zoom' });
    const group = (await newGroup(c, 'G')).body;
    expect((await spcOf(c)).bulk.supported).toBe(false);
    expectScimError(await c.post('/Bulk', { schemas: [BULK], Operations: [] }), 501);
    expectScimError(await c.put(`/Groups/${group.id}`, { schemas: [GROUP_SCHEMA], displayName: 'H' }), 501);
    expectScimError(await c.post('/Groups/.search', { schemas: [SEARCH] }), 501);
  });

  // https://developers.zoom.us/docs/api/rest/scim-api/ sends to the rate-limit page: per account and per Rate Limit
  // Label; Business+ (SCIM2 needs a Business or Education account): Light 80/s, Medium 60/s.
  constraint('zoom', 'rateLimits', 'per label, per account: Medium (lists) 60 per second, Light (single resources) 80 per second; then 429 with Retry-After', async () => {
    const { c, tenant, users } = directory({ users: 1, groups: 0, persona: 'zoom' });
    const id = users[0]!.id as string;
    // Requests one after another are not limited (the marketplace reference's "1 request/second" per endpoint is gone).
    for (let i = 0; i < 3; i++) expect((await c.get('/Users')).status).toBe(200);
    // Medium: the lists of Users and Groups share one budget of 60 per second.
    for (let i = 3; i < 60; i++) expect(tenant.faults.decide(info({ operation: 'list', resourceType: i % 2 ? 'Group' : 'User', relativePath: i % 2 ? '/Groups' : '/Users' }))).toEqual([]);
    const limited = await c.get('/Groups');
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('1');
    expect((await c.get('/Users')).status).toBe(429);
    // Light has its own budget: 80 single-resource requests, Users and Groups together.
    expect((await c.get(`/Users/${id}`)).status).toBe(200);
    for (let i = 1; i < 80; i++) expect(tenant.faults.decide(info({ operation: 'get', resourceType: 'User', relativePath: `/Users/${id}` }))).toEqual([]);
    expect((await newGroup(c, 'G')).status).toBe(429);
    tenant.clock.advance(1000);
    expect((await newGroup(c, 'G')).status).toBe(201);
    expect((await c.get('/Groups')).status).toBe(200);
  });
});

describe('every documented constraint has its test here', () => {
  it.each(PERSONAS.map((p) => [p.name, p] as const))('%s', (name, persona) => {
    const tested = Object.keys(tests.get(name) ?? {}).sort();
    expect(tested).toEqual(Object.keys(persona.settings).sort());
  });
});
