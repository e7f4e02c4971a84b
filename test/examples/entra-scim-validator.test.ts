/**
 * Microsoft's checks of a SCIM service, replayed step by step against Scimulator.
 *
 * 1. The Microsoft Entra SCIM Validator (scimvalidator.microsoft.com, "Tutorial: Validate a SCIM endpoint"): it
 *    provisions the way the Entra provisioning service does, with the requests and the expected answers of
 *    "Tutorial: Develop and plan provisioning for a SCIM endpoint in Microsoft Entra ID" (user and group
 *    operations) and "Known issues and resolutions with SCIM 2.0 protocol compliance" (the PATCH shapes sent
 *    without the aadOptscim062020 flag): the existence query on a random user, create, get, filter by userName (also
 *    in another letter case) and externalId, Replace/Add PATCHes with capitalised ops, disable with "False", the
 *    empty PATCH it is known to send, duplicate create 409, delete; groups created with the ADSCIM schema URN, read
 *    with excludedAttributes=members, renamed and given and relieved of members with 204 answers. The tutorial's
 *    requirements on every answer: Content-Type application/scim+json, a ListResponse for every query, a 404 Error
 *    whose status is the string "404", disabled users still returned.
 * 2. The direct SCIM tests of Microsoft's gallery validation (AzureAD/SCIMReferenceCode,
 *    Microsoft.SCIM.LogicAppValidationTemplate, SCIMTests_Workflow.json): schema discoverability, the two-phase
 *    null update (replace with "" then with null), the manager set (Add with the id as a bare string), change and
 *    removal (replace with ""), and user pagination with count=5.
 * 3. The reference code's Postman collection (AzureAD/SCIMReferenceCode PostmanCollection.json, "SCIM Tests"):
 *    PascalCase sub-attributes, application/json bodies, attributes with a value filter, PUT, 409 on a duplicate.
 *
 * They run under `entra` (what Entra ID needs), the default `lenient` and `rfc` (the RFC answer); a step where Entra ID sends what the RFC
 * forbids asserts the 400 under `rfc`.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import type { ProfileName } from '../../src/tenant.js';
import { ENTERPRISE, ERROR, GROUP, LIST, PATCH_OP, scimJson, suiteClient, USER } from './suite.js';

const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';
const ENTRA = { 'Content-Type': 'application/scim+json', Accept: 'application/scim+json' };
const PROFILES: ProfileName[] = ['entra', 'lenient', 'rfc'];
/** Entra ID's profile answers a Group PATCH 204, as the tutorial asks; other profiles 200 with the group, which Entra ID accepts too. */
const groupPatchStatus = (profile: ProfileName) => (profile === 'entra' ? 204 : 200);

describe.each(PROFILES)('Microsoft Entra SCIM Validator (profile %s)', (profile) => {
  const s = suiteClient({ profile }, ENTRA);
  const strict = profile === 'rfc';
  const userName = 'Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee';
  const externalId = '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef';
  let userId = '';
  let memberId = '';
  let groupId = '';

  it('Test Connection: a query for a random user answers 200 with totalResults 0 and an empty list', async () => {
    const res = await s.send({ method: 'get', path: `/Users?filter=${encodeURIComponent('userName eq "non-existent user"')}` });
    expect(res.status).toBe(200);
    scimJson(res);
    expect(res.body).toMatchObject({ schemas: [LIST], totalResults: 0 });
    const groups = await s.send({ method: 'get', path: `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "non-existent group"')}` });
    expect(groups.status).toBe(200);
    expect(groups.body.totalResults).toBe(0);
  });

  it('POST /Users: Create a new User (the Entra shape: enterprise schema, meta.resourceType, roles: [])', async () => {
    const res = await s.send({
      method: 'post',
      path: '/Users',
      body: {
        schemas: [USER, ENTERPRISE],
        externalId,
        userName,
        active: true,
        emails: [{ primary: true, type: 'work', value: 'Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com' }],
        meta: { resourceType: 'User' },
        name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
        roles: [],
      },
    });
    expect(res.status).toBe(201);
    scimJson(res);
    expect(res.body).toMatchObject({ externalId, userName, active: true, name: { familyName: 'familyName', givenName: 'givenName' } });
    expect(typeof res.body.id).toBe('string');
    userId = res.body.id;
  });

  it('GET /Users/Id: the user; an unknown id is 404 with status "404"', async () => {
    const res = await s.send({ method: 'get', path: `/Users/${userId}` });
    expect(res.status).toBe(200);
    scimJson(res);
    expect(res.body.id).toBe(userId);
    const missing = await s.send({ method: 'get', path: '/Users/5171a35d82074e068ce2' });
    expect(missing.status).toBe(404);
    scimJson(missing);
    expect(missing.body).toMatchObject({ schemas: [ERROR], status: '404' });
  });

  it('GET /Users?filter: an existing user by userName, by userName in another case, by externalId', async () => {
    for (const filter of [`userName eq "${userName}"`, `userName eq "${userName.toUpperCase()}"`, `externalId eq "${externalId}"`]) {
      const res = await s.send({ method: 'get', path: `/Users?filter=${encodeURIComponent(filter)}` });
      expect(res.status, filter).toBe(200);
      expect(res.body.totalResults, filter).toBe(1);
      expect(res.body.Resources[0].id, filter).toBe(userId);
    }
  });

  it('GET /Users?filter=externalId eq jyoung: the tutorial\'s unquoted value', async () => {
    const res = await s.send({ method: 'get', path: `/Users?filter=${encodeURIComponent(`externalId eq ${externalId}`)}` });
    if (strict) {
      // RFC 7644 section 3.4.2.2: a string comparison value is a JSON string, quoted.
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidFilter');
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
  });

  it('PATCH /Users/Id: Patch User - Replace Attributes (several Replace operations, a value-filtered path)', async () => {
    const res = await s.send({
      method: 'patch',
      path: `/Users/${userId}`,
      body: {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'Replace', path: 'displayName', value: 'Pvlo' },
          { op: 'Replace', path: 'emails[type eq "work"].value', value: 'TestBcwqnm@test.microsoft.com' },
          { op: 'Replace', path: 'name.givenName', value: 'Gtfd' },
          { op: 'Replace', path: 'name.familyName', value: 'Pkqf' },
          { op: 'Replace', path: 'externalId', value: 'Eqpj' },
          { op: 'Replace', path: `${ENTERPRISE}:employeeNumber`, value: 'Eqpj' },
        ],
      },
    });
    if (strict) {
      expect(res.status).toBe(400); // RFC 7644 section 3.5.2: op is "add", "remove" or "replace"
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Pvlo', name: { givenName: 'Gtfd', familyName: 'Pkqf' }, externalId: 'Eqpj', emails: [{ type: 'work', value: 'TestBcwqnm@test.microsoft.com' }] });
    expect(res.body[ENTERPRISE].employeeNumber).toBe('Eqpj');
  });

  it('PATCH /Users/Id: Patch User - Replace Attributes, the validator\'s full shape (every attribute, primary-filtered paths, string booleans at create)', async () => {
    // As replayed by goauthentik/authentik (sources/scim tests, "results from scimvalidator.microsoft.com have been
    // saved and replayed"): a user created with "primary": "true" strings, then one PATCH of 15 filtered paths and
    // a path-less replace with dotted and URN keys.
    const created = await s.send({
      method: 'post',
      path: '/Users',
      body: {
        schemas: [USER, ENTERPRISE],
        userName: 'imelda.auer@kshlerin.co.uk',
        active: true,
        addresses: [{ primary: 'true', formatted: 'BLJMCNXHYLZK', streetAddress: '7801 Jacobs Fork', locality: 'HZJBJWFAKXDD', region: 'GJXCXPMIIKWK', postalCode: 'pv82 8ua', country: 'India' }],
        emails: [{ primary: 'true', value: 'scot@zemlak.uk' }],
        entitlements: [{ primary: 'true', value: 'FTTUXWYDAAQC' }],
        ims: [{ primary: 'true', value: 'IGWZUUMCMKXS', display: 'PJVGMMKYYHRU' }],
        phoneNumbers: [{ primary: 'true', value: '50-608-7660', display: '50-608-7660' }],
        photos: [{ primary: 'true', display: 'KCONLNLSYTBP' }],
        roles: [{ primary: 'true', value: 'TLGYITOIZGKP' }],
        x509Certificates: [{ primary: 'true', value: 'KOVKWGIVVEHH' }],
        name: { formatted: 'Ladarius', familyName: 'Manley', givenName: 'Mazie' },
        [ENTERPRISE]: { employeeNumber: 'XHDMEJUURJNR', department: 'BKMNJVMCJUYS', manager: 'PNGSGXLYVWMV' },
      },
    });
    if (strict) {
      expect(created.status).toBe(400); // RFC 7643 section 2.3.2: "true" is no boolean [boolean-string]
      return;
    }
    expect(created.status).toBe(201);
    expect(created.body.emails[0].primary).toBe(true);
    const filtered = (attr: string, sub: string, value: string) => ({ op: 'replace', path: `${attr}[primary eq true].${sub}`, value });
    const res = await s.send({
      method: 'patch',
      path: `/Users/${created.body.id}`,
      body: {
        Operations: [
          filtered('emails', 'value', 'dandre_kling@wintheiser.info'),
          filtered('phoneNumbers', 'value', '72-634-1548'),
          filtered('ims', 'display', 'IMCHDKUQIPYB'),
          filtered('photos', 'display', 'TWAWLHHSUNIV'),
          filtered('addresses', 'formatted', 'TMINZQAJQDCL'),
          filtered('addresses', 'country', 'Taiwan'),
          filtered('entitlements', 'value', 'NGBJMUYZVVBX'),
          filtered('roles', 'value', 'XEELVFMMWCVM'),
          filtered('x509Certificates', 'value', 'UYISMEDOXUZY'),
          { op: 'replace', value: { 'name.familyName': 'Gay', 'name.honorificPrefix': 'Cassie', timezone: 'America/Argentina/Rio_Gallegos', active: true, [`${ENTERPRISE}:costCenter`]: 'HACMZWSEDOTQ' } },
        ],
        schemas: [PATCH_OP],
      },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      emails: [{ value: 'dandre_kling@wintheiser.info', primary: true }],
      phoneNumbers: [{ value: '72-634-1548' }],
      addresses: [{ formatted: 'TMINZQAJQDCL', country: 'Taiwan', locality: 'HZJBJWFAKXDD' }],
      x509Certificates: [{ value: 'UYISMEDOXUZY' }],
      name: { familyName: 'Gay', givenName: 'Mazie', honorificPrefix: 'Cassie' },
      timezone: 'America/Argentina/Rio_Gallegos',
      [ENTERPRISE]: { costCenter: 'HACMZWSEDOTQ', employeeNumber: 'XHDMEJUURJNR', manager: { value: 'PNGSGXLYVWMV' } },
    });
    expect((await s.send({ method: 'delete', path: `/Users/${created.body.id}` })).status).toBe(204);
  });

  it('PATCH /Users/Id: the same change with the aadOptscim062020 flag (one path-less replace with dotted and URN keys)', async () => {
    const res = await s.send({
      method: 'patch',
      path: `/Users/${userId}`,
      body: {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'emails[type eq "work"].value', value: 'TestMhvaes@test.microsoft.com' },
          { op: 'replace', value: { displayName: 'Bjfe', 'name.givenName': 'Kkom', 'name.familyName': 'Unua', [`${ENTERPRISE}:employeeNumber`]: 'Aklq' } },
        ],
      },
    });
    if (strict) {
      expect(res.status).toBe(400); // RFC 7644 section 3.5.2.3: a path-less value is the resource's own attributes
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ displayName: 'Bjfe', name: { givenName: 'Kkom', familyName: 'Unua' }, emails: [{ value: 'TestMhvaes@test.microsoft.com' }] });
    expect(res.body[ENTERPRISE].employeeNumber).toBe('Aklq');
  });

  it('PATCH /Users/Id: Patch User - Add Attributes (Add to a single-valued attribute)', async () => {
    const res = await s.send({ method: 'patch', path: `/Users/${userId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'nickName', value: 'Babs' }] } });
    if (strict) {
      expect(res.status).toBe(400);
      const lower = await s.send({ method: 'patch', path: `/Users/${userId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'Babs' }] } });
      expect(lower.status).toBe(200);
      expect(lower.body.nickName).toBe('Babs');
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body.nickName).toBe('Babs');
  });

  it('PATCH /Users/Id: Update userName', async () => {
    const res = await s.send({ method: 'patch', path: `/Users/${userId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com' }] } });
    expect(res.status).toBe(200);
    expect(res.body.userName).toBe('5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com');
  });

  it('PATCH /Users/Id: an empty Operations array (the validator sends one)', async () => {
    const res = await s.send({ method: 'patch', path: `/Users/${userId}`, body: { schemas: [PATCH_OP], Operations: [] } });
    if (strict) {
      // RFC 7644 section 3.5.2: "an array of one or more PATCH operations".
      expect(res.status).toBe(400);
      expect(res.body.scimType).toBe('invalidSyntax');
      return;
    }
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(userId);
  });

  it('PATCH /Users/Id: Patch User - Disable User ("False"); GET and a filter still return it with active false', async () => {
    const res = await s.send({ method: 'patch', path: `/Users/${userId}`, body: { Operations: [{ op: 'Replace', path: 'active', value: 'False' }], schemas: [PATCH_OP] } });
    if (strict) {
      expect(res.status).toBe(400);
      const flagged = await s.send({ method: 'patch', path: `/Users/${userId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] } });
      expect(flagged.status).toBe(200);
    } else {
      expect(res.status).toBe(200);
      expect(res.body.active).toBe(false);
    }
    const got = await s.send({ method: 'get', path: `/Users/${userId}` });
    expect(got.body.active).toBe(false);
    const found = await s.send({ method: 'get', path: `/Users?filter=${encodeURIComponent('userName eq "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"')}` });
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].active).toBe(false);
  });

  it('POST /Users: Create a duplicate User is 409 uniqueness', async () => {
    const res = await s.send({ method: 'post', path: '/Users', body: { schemas: [USER], userName: '5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com', active: true } });
    expect(res.status).toBe(409);
    scimJson(res);
    expect(res.body).toMatchObject({ schemas: [ERROR], status: '409', scimType: 'uniqueness' });
  });

  it('POST /Groups: created with the ADSCIM schema URN beside the core one', async () => {
    const member = await s.send({ method: 'post', path: '/Users', body: { schemas: [USER], userName: 'member@testuser.com', active: true } });
    memberId = member.body.id;
    const res = await s.send({
      method: 'post',
      path: '/Groups',
      body: { schemas: [GROUP, ADSCIM_GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName', meta: { resourceType: 'Group' } },
    });
    if (strict) {
      // RFC 7643 section 3: schemas names the schemas of the representation; ADSCIM is no schema of /Groups.
      expect(res.status).toBe(400);
      const plain = await s.send({ method: 'post', path: '/Groups', body: { schemas: [GROUP], externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159', displayName: 'displayName' } });
      expect(plain.status).toBe(201);
      groupId = plain.body.id;
      return;
    }
    expect(res.status).toBe(201);
    scimJson(res);
    expect(res.body).toMatchObject({ schemas: [GROUP], displayName: 'displayName', externalId: '8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159' });
    groupId = res.body.id;
  });

  it('GET /Groups/Id?excludedAttributes=members and GET /Groups?excludedAttributes=members&filter=displayName eq', async () => {
    const res = await s.send({ method: 'get', path: `/Groups/${groupId}?excludedAttributes=members` });
    expect(res.status).toBe(200);
    expect(res.body.members).toBeUndefined();
    const list = await s.send({ method: 'get', path: `/Groups?excludedAttributes=members&filter=${encodeURIComponent('displayName eq "displayName"')}` });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ schemas: [LIST], totalResults: 1 });
    expect(list.body.Resources[0].members).toBeUndefined();
  });

  it('PATCH /Groups/Id: Update Group [Non-member attributes], 204', async () => {
    const res = await s.send({ method: 'patch', path: `/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }] } });
    if (strict) {
      expect(res.status).toBe(400);
      await s.send({ method: 'patch', path: `/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: '1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName' }] } });
    } else {
      expect(res.status).toBe(groupPatchStatus(profile));
      if (res.status === 204) expect(res.text).toBe('');
    }
    expect((await s.send({ method: 'get', path: `/Groups/${groupId}` })).body.displayName).toBe('1879db59-3bdf-4490-ad68-ab880a269474updatedDisplayName');
  });

  it('PATCH /Groups/Id: Update Group [Add Members] with "$ref": null, 204; the membership query finds it', async () => {
    const res = await s.send({ method: 'patch', path: `/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ $ref: null, value: memberId }] }] } });
    if (strict) {
      expect(res.status).toBe(400);
      await s.send({ method: 'patch', path: `/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: memberId }] }] } });
    } else {
      expect(res.status).toBe(groupPatchStatus(profile));
    }
    const q = await s.send({ method: 'get', path: `/Groups?excludedAttributes=members&filter=${encodeURIComponent(`id eq "${groupId}" and members.value eq "${memberId}"`)}` });
    expect(q.status).toBe(200);
    expect(q.body.totalResults).toBe(1);
  });

  it('PATCH /Groups/Id: Update Group [Remove Members] with a value array, 204; the member is gone', async () => {
    const res = await s.send({ method: 'patch', path: `/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: 'members', value: [{ $ref: null, value: memberId }] }] } });
    if (strict) {
      expect(res.status).toBe(400);
      await s.send({ method: 'patch', path: `/Groups/${groupId}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${memberId}"]` }] } });
    } else {
      expect(res.status).toBe(groupPatchStatus(profile));
    }
    const got = await s.send({ method: 'get', path: `/Groups/${groupId}` });
    expect(got.body.members ?? []).toEqual([]);
  });

  it('DELETE /Groups/Id and DELETE /Users/Id: 204, then 404', async () => {
    for (const path of [`/Groups/${groupId}`, `/Users/${userId}`]) {
      const res = await s.send({ method: 'delete', path });
      expect(res.status, path).toBe(204);
      const again = await s.send({ method: 'get', path });
      expect(again.status, path).toBe(404);
      expect(again.body.status).toBe('404');
    }
  });
});

describe.each(PROFILES)("Microsoft's gallery validation, direct SCIM tests (profile %s)", (profile) => {
  const s = suiteClient({ profile }, ENTRA);

  it('Schema_Discoverability_Test: /Schemas is a ListResponse with Resources holding the User, EnterpriseUser and Group schemas', async () => {
    const res = await s.send({ method: 'get', path: '/Schemas' });
    expect(res.status).toBe(200);
    scimJson(res);
    const ids = (res.body.Resources as Array<{ id: string }>).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining([USER, ENTERPRISE, GROUP]));
    // The test flattens each schema as its Flatten_*_Attrs_Loop does: a multi-valued complex attribute becomes one
    // name per canonical value of its "type" sub-attribute and per other sub-attribute (emails[type eq "work"].value),
    // a single-valued complex one name.sub, manager and members stay whole, reference attributes are skipped; then
    // every target of the app's attribute mappings must be among them (compared case-insensitively).
    interface Attr { name: string; type: string; multiValued?: boolean; subAttributes?: Attr[]; canonicalValues?: string[] }
    const flatten = (attrs: Attr[], prefix = ''): string[] =>
      attrs.flatMap((a) => {
        if (a.name === 'manager' || a.name === 'members') return [prefix + a.name];
        if (a.type === 'complex' && a.multiValued) {
          const kinds = a.subAttributes?.find((x) => x.name === 'type')?.canonicalValues ?? [];
          const subs = (a.subAttributes ?? []).filter((x) => x.name !== 'type' && x.name !== 'primary');
          return kinds.length ? kinds.flatMap((k) => subs.map((x) => `${prefix}${a.name}[type eq "${k}"].${x.name}`)) : (a.subAttributes ?? []).filter((x) => x.name !== 'primary').map((x) => `${prefix}${a.name}[primary eq "True"].${x.name}`);
        }
        if (a.type === 'complex') return (a.subAttributes ?? []).filter((x) => x.type !== 'complex' && x.type !== 'reference').map((x) => `${prefix}${a.name}.${x.name}`);
        return a.type === 'reference' ? [] : [prefix + a.name];
      });
    const schemas = res.body.Resources as Array<{ id: string; attributes: Attr[] }>;
    const userNames = [...flatten(schemas.find((r) => r.id === USER)!.attributes), ...flatten(schemas.find((r) => r.id === ENTERPRISE)!.attributes, `${ENTERPRISE}:`)].map((n) => n.toLowerCase());
    const groupNames = flatten(schemas.find((r) => r.id === GROUP)!.attributes).map((n) => n.toLowerCase());
    const userTargets = [
      'userName', 'active', 'displayName', 'title', 'emails[type eq "work"].value', 'preferredLanguage', 'name.givenName', 'name.familyName', 'name.formatted',
      'addresses[type eq "work"].formatted', 'addresses[type eq "work"].streetAddress', 'addresses[type eq "work"].locality', 'addresses[type eq "work"].region',
      'addresses[type eq "work"].postalCode', 'addresses[type eq "work"].country', 'phoneNumbers[type eq "work"].value', 'phoneNumbers[type eq "mobile"].value',
      'phoneNumbers[type eq "fax"].value', 'externalId', `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:department`, `${ENTERPRISE}:manager`,
    ];
    // externalId is a common attribute (RFC 7643 section 3.1), which section 8.7.1's User and Group schemas do not
    // list; section 3.1 lets a schema list it "for backward compatibility". Entra ID's profile lists it, so the test
    // passes; under the other profiles /Schemas is section 8.7.1's, and the test reports externalId as missing.
    const missing = profile === 'entra' ? [] : ['externalId'];
    expect(userTargets.filter((t) => !userNames.includes(t.toLowerCase()))).toEqual(missing);
    expect(['displayName', 'externalId', 'members'].filter((t) => !groupNames.includes(t.toLowerCase()))).toEqual(missing);
  });

  it('SCIM_Null_Update_Test: replace optional attributes with "" then with null; each reads back empty or absent', async () => {
    const created = await s.send({
      method: 'post',
      path: '/Users',
      body: {
        schemas: [USER, ENTERPRISE],
        userName: 'scnull-1a2b3c4d@test.com',
        active: true,
        externalId: '6c1e5a7e-2f44-4a8e-9d3e-0a8a4d0f5e11',
        displayName: 'Test1a2b3c',
        title: 'Test4d5e6f',
        name: { givenName: 'Testg', familyName: 'Testf', formatted: 'Testg Testf' },
        emails: [{ type: 'work', primary: true, value: 'Test7a8b9c@test.com' }],
        phoneNumbers: [{ type: 'work', primary: true, value: 'Test010203' }],
        addresses: [{ type: 'work', primary: true, formatted: 'Test0a0b0c', streetAddress: 'Test1d1e1f', locality: 'Testloc', country: 'US' }],
        [ENTERPRISE]: { department: 'Testdept', employeeNumber: 'Test00001' },
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const targets = [
      'displayName',
      'title',
      'name.givenName',
      'name.familyName',
      'name.formatted',
      'emails[type eq "work"].value',
      'phoneNumbers[type eq "work"].value',
      'addresses[type eq "work"].formatted',
      'addresses[type eq "work"].streetAddress',
      `${ENTERPRISE}:department`,
      `${ENTERPRISE}:employeeNumber`,
    ];
    const read = (body: Record<string, any>, target: string): unknown => {
      const filtered = /^(\w+)\[type eq "(\w+)"\]\.(\w+)$/.exec(target);
      if (filtered) return (body[filtered[1]!] as Array<Record<string, unknown>> | undefined)?.find((v) => v.type === filtered[2])?.[filtered[3]!];
      if (target.startsWith('urn:')) return body[ENTERPRISE]?.[target.slice(ENTERPRISE.length + 1)];
      const [a, b] = target.split('.');
      return b === undefined ? body[a!] : body[a!]?.[b];
    };
    for (const value of ['', null]) {
      const res = await s.send({ method: 'patch', path: `/Users/${id}`, body: { schemas: [PATCH_OP], Operations: targets.map((path) => ({ op: 'replace', path, value })) } });
      expect([200, 204], `PATCH with ${JSON.stringify(value)}: ${res.text}`).toContain(res.status);
      const got = await s.send({ method: 'get', path: `/Users/${id}` });
      for (const target of targets) expect(['', null, undefined], `${target} after ${JSON.stringify(value)}`).toContain(read(got.body, target));
      expect(got.body.userName).toBe('scnull-1a2b3c4d@test.com');
    }
  });

  it('SCIM_Update_Manager_Test: set with Add and the id as a bare string, change with replace, remove with replace ""', async () => {
    const mk = async (userName: string) => (await s.send({ method: 'post', path: '/Users', body: { schemas: [USER, ENTERPRISE], userName, active: true } })).body.id as string;
    const user = await mk('scmgr-user-0001@test.com');
    const manager = await mk('scmgr-mgr-0001@test.com');
    const second = await mk('scmgr-mgr2-0001@test.com');
    const managerPath = `${ENTERPRISE}:manager`;
    const managerOf = async () => (await s.send({ method: 'get', path: `/Users/${user}` })).body[ENTERPRISE]?.manager as { value?: string } | undefined;

    const set = await s.send({ method: 'patch', path: `/Users/${user}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: managerPath, value: manager }] } });
    if (profile === 'rfc') {
      // op "Add" (RFC 7644 section 3.5.2) and a string for the complex manager (RFC 7643 section 2.3.8) are both 400.
      expect(set.status).toBe(400);
      const rfcSet = await s.send({ method: 'patch', path: `/Users/${user}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: managerPath, value: { value: manager } }] } });
      expect(rfcSet.status).toBe(200);
    } else {
      expect([200, 204]).toContain(set.status);
    }
    expect((await managerOf())?.value).toBe(manager);

    const change = await s.send({ method: 'patch', path: `/Users/${user}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: managerPath, value: second }] } });
    if (profile === 'rfc') {
      expect(change.status).toBe(400);
      await s.send({ method: 'patch', path: `/Users/${user}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: managerPath, value: { value: second } }] } });
    } else {
      expect([200, 204]).toContain(change.status);
    }
    expect((await managerOf())?.value).toBe(second);

    const remove = await s.send({ method: 'patch', path: `/Users/${user}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: managerPath, value: '' }] } });
    if (profile === 'rfc') {
      expect(remove.status).toBe(400);
      await s.send({ method: 'patch', path: `/Users/${user}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: managerPath }] } });
    } else {
      expect([200, 204]).toContain(remove.status);
    }
    const after = await managerOf();
    expect(after === undefined || after === null || after.value === '' || after.value === undefined).toBe(true);
  });

  it('Validate_Credentials_Test: client credentials at the token endpoint (scope included), 60-360 minutes, then GET /Users?startIndex=1&count=1', async () => {
    const client = suiteClient({ profile });
    expect((await client.control.patch('/config', { auth: { mode: 'oauth', clientId: 'entra-validation', clientSecret: 's3cr3t' } })).status).toBe(200);
    const token = await request(client.app)
      .post('/oauth/token')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`grant_type=client_credentials&client_id=entra-validation&client_secret=s3cr3t&scope=${encodeURIComponent('api://scim/.default')}`);
    expect(token.status).toBe(200);
    expect(typeof token.body.access_token).toBe('string');
    const minutes = (token.body.expires_in ?? 3600) / 60;
    expect(minutes).toBeGreaterThanOrEqual(60);
    expect(minutes).toBeLessThanOrEqual(360);
    const res = await client.send({ method: 'get', path: '/Users?startIndex=1&count=1', headers: { Authorization: `Bearer ${token.body.access_token}`, Accept: 'application/scim+json' } });
    expect(res.status).toBe(200);
  });

  it('SCIM_User_Pagination_Test: startIndex=N&count=5 pages answer 200 with startIndex = page * 5 + 1', async () => {
    for (let i = 0; i < 11; i++) await s.send({ method: 'post', path: '/Users', body: { schemas: [USER], userName: `scpage-${i}@test.com`, active: true } });
    const seen: string[] = [];
    for (let page = 0; page < 3; page++) {
      const res = await s.send({ method: 'get', path: `/Users?startIndex=${page * 5 + 1}&count=5` });
      expect(res.status).toBe(200);
      expect(res.body.startIndex).toBe(page * 5 + 1);
      seen.push(...(res.body.Resources as Array<{ id: string }>).map((u) => u.id));
    }
    expect(new Set(seen).size).toBe(seen.length);
  });
});

describe.each(PROFILES)('The SCIM reference code\'s Postman collection "SCIM Tests" (profile %s)', (profile) => {
  const s = suiteClient({ profile }, { 'Content-Type': 'application/json' });
  let id1 = '';
  let id2 = '';

  it('Endpoint tests: ResourceTypes lists /Users first; ServiceProviderConfig has patch.supported true; Schemas says "User Account"', async () => {
    const rt = await s.send({ method: 'get', path: '/ResourceTypes' });
    expect(rt.status).toBe(200);
    expect(rt.body.Resources[0].endpoint).toBe('/Users');
    const spc = await s.send({ method: 'get', path: '/ServiceProviderConfig' });
    expect(spc.body.patch.supported).toBe(true);
    const schemas = await s.send({ method: 'get', path: '/Schemas' });
    expect(schemas.status).toBe(200);
    expect(schemas.text).toContain('User Account');
  });

  it('Post User / Post EnterpriseUser: PascalCase sub-attributes ("Primary", "Department", "Manager": {"Value"}), 201', async () => {
    const res = await s.send({
      method: 'post',
      path: '/Users',
      body: {
        userName: 'UserName123',
        active: true,
        displayName: 'BobIsAmazing',
        schemas: [USER],
        externalId: '9f1d7c1e-1111-4a8e-9d3e-0a8a4d0f5e11',
        name: { formatted: 'Ryan Leenay', familyName: 'Leenay', givenName: 'Ryan' },
        emails: [{ Primary: true, type: 'work', value: 'testing@bob.com' }, { Primary: false, type: 'home', value: 'testinghome@bob.com' }],
      },
    });
    expect(res.status).toBe(201);
    id1 = res.body.id;
    expect(res.body.emails[0].primary).toBe(true);
    const ent = await s.send({
      method: 'post',
      path: '/Users',
      body: {
        userName: 'UserName222',
        active: true,
        displayName: 'lennay',
        schemas: [ENTERPRISE, USER],
        externalId: '9f1d7c1e-2222-4a8e-9d3e-0a8a4d0f5e11',
        name: { formatted: 'Adrew Ryan', familyName: 'Ryan', givenName: 'Andrew' },
        emails: [{ Primary: true, type: 'work', value: 'testing@bob2.com' }, { Primary: false, type: 'home', value: 'testinghome@bob3.com' }],
        [ENTERPRISE]: { Department: 'bob', Manager: { Value: 'SuzzyQ' } },
      },
    });
    expect(ent.status).toBe(201);
    id2 = ent.body.id;
    expect(ent.body[ENTERPRISE]).toMatchObject({ department: 'bob', manager: { value: 'SuzzyQ' } });
  });

  it('Get User Attributes (?attributes=userName,emails) and Get User Filters (DisplayName+eq+"BobIsAmazing")', async () => {
    const attrs = await s.send({ method: 'get', path: '/Users?attributes=userName,emails' });
    expect(attrs.status).toBe(200);
    expect(attrs.text).toContain(id1);
    const filtered = await s.send({ method: 'get', path: '/Users?filter=DisplayName+eq+%22BobIsAmazing%22' });
    expect(filtered.status).toBe(200);
    expect(filtered.text).toContain(id1);
  });

  it('patch user1 (replace userName) and User 2 replace test (PUT with id and a new name.formatted)', async () => {
    const patched = await s.send({ method: 'patch', path: `/Users/${id1}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'ryan3' }] } });
    expect(patched.status).toBe(200);
    expect((await s.send({ method: 'get', path: `/Users/${id1}` })).body.userName).toBe('ryan3');
    const put = await s.send({
      method: 'put',
      path: `/Users/${id2}`,
      body: {
        userName: 'UserNameReplace2',
        active: true,
        displayName: 'BobIsAmazing',
        schemas: [ENTERPRISE, USER],
        id: id2,
        externalId: '9f1d7c1e-2222-4a8e-9d3e-0a8a4d0f5e11',
        name: { formatted: 'NewName', familyName: 'Leenay', givenName: 'Ryan' },
        emails: [{ Primary: true, type: 'work', value: 'testing@bobREPLACE.com' }, { Primary: false, type: 'home', value: 'testinghome@bob.com' }],
      },
    });
    expect(put.status).toBe(200);
    expect((await s.send({ method: 'get', path: `/Users/${id2}` })).body.name.formatted).toBe('NewName');
  });

  it('Group tests: add a member twice, remove it with members[value eq], remove all members; deletes answer 204', async () => {
    const user4 = (await s.send({ method: 'post', path: '/Users', body: { userName: 'UserName444', active: true, schemas: [USER] } })).body.id as string;
    const group = await s.send({ method: 'post', path: '/Groups', body: { externalId: '9f1d7c1e-3333-4a8e-9d3e-0a8a4d0f5e11', schemas: [GROUP], displayName: 'Group1DisplayName', members: [] } });
    expect(group.status).toBe(201);
    const gid = group.body.id as string;
    const add = { schemas: [PATCH_OP], Operations: [{ name: 'addMember', op: 'add', path: 'members', value: [{ displayName: 'new User', value: user4 }] }] };
    for (let i = 0; i < 2; i++) expect([200, 204]).toContain((await s.send({ method: 'patch', path: `/Groups/${gid}`, body: add })).status);
    expect((await s.send({ method: 'get', path: `/Groups/${gid}` })).body.members.map((m: { value: string }) => m.value)).toEqual([user4]);
    expect([200, 204]).toContain((await s.send({ method: 'patch', path: `/Groups/${gid}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${user4}"]` }] } })).status);
    expect([200, 204]).toContain((await s.send({ method: 'patch', path: `/Groups/${gid}`, body: add })).status);
    expect([200, 204]).toContain((await s.send({ method: 'patch', path: `/Groups/${gid}`, body: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] } })).status);
    expect((await s.send({ method: 'get', path: `/Groups/${gid}` })).body.members ?? []).toEqual([]);
    expect((await s.send({ method: 'delete', path: `/Groups/${gid}` })).status).toBe(204);
    for (const id of [id1, id2, user4]) expect((await s.send({ method: 'delete', path: `/Users/${id}` })).status).toBe(204);
  });

  it('Group tests: the member\'s "displayName": "new User" is not read back (the collection\'s "Body contians user" check)', async () => {
    // The collection adds {"displayName": "new User", "value": <id>} and then checks the group's text for "new User".
    // RFC 7643 section 4.1.2 / 8.7.1: members has value, $ref, type and display; "displayName" is no sub-attribute,
    // so an RFC service ignores it (section 3.1 of RFC 7644: unknown attributes are ignored) and renders "display"
    // from the member itself. The check holds only for the reference code, which stores what it is given; Scimulator
    // keeps the RFC under every profile.
    const user = (await s.send({ method: 'post', path: '/Users', body: { userName: 'UserName555', displayName: 'lennay', schemas: [USER] } })).body.id as string;
    const gid = (await s.send({ method: 'post', path: '/Groups', body: { schemas: [GROUP], displayName: 'Group5DisplayName', members: [] } })).body.id as string;
    const add = await s.send({ method: 'patch', path: `/Groups/${gid}`, body: { schemas: [PATCH_OP], Operations: [{ name: 'addMember', op: 'add', path: 'members', value: [{ displayName: 'new User', value: user }] }] } });
    expect([200, 204]).toContain(add.status);
    const got = await s.send({ method: 'get', path: `/Groups/${gid}` });
    expect(got.body.members).toEqual([expect.objectContaining({ value: user, display: 'lennay' })]);
    expect(got.text).not.toContain('new User');
    expect((await s.send({ method: 'delete', path: `/Groups/${gid}` })).status).toBe(204);
    expect((await s.send({ method: 'delete', path: `/Users/${user}` })).status).toBe(204);
  });

  it('Group tests with garbage: a PatchOp with a top-level "id" and a bare string member ("string id 1"), 204; the group reads back with URI $refs', async () => {
    await s.control.patch('/config', { patchStatus: { Group: 204 } });
    const gid = (await s.send({ method: 'post', path: '/Groups', body: { displayName: 'Group 1', externalId: '015489ea-9410-4306-b583-9f002b2446f7', schemas: [GROUP] } })).body.id as string;
    for (const member of ['string id 1', 'string id 2']) {
      const res = await s.send({ method: 'patch', path: `/Groups/${gid}`, body: { id: gid, Operations: [{ op: 'add', path: 'members', value: member }], schemas: [PATCH_OP] } });
      if (profile === 'rfc') {
        // RFC 7644 section 3.5.2.1: members are added as an array of member objects [member-bare-string].
        expect(res.status).toBe(400);
        expect(res.body.scimType).toBe('invalidValue');
      } else {
        expect(res.status).toBe(204);
      }
    }
    const got = await s.send({ method: 'get', path: `/Groups/${gid}` });
    expect(got.status).toBe(200);
    if (profile !== 'rfc') {
      expect(got.body.members.map((m: { value: string }) => m.value)).toEqual(['string id 1', 'string id 2']);
      // Each $ref is a URI (RFC 7643 section 2.3.7): the space is percent-encoded.
      for (const m of got.body.members as Array<{ $ref: string }>) expect(m.$ref).toMatch(/^http:\/\/scim\.test\/scim\/v2\/Users\/string%20id%20[12]$/);
    }
    const excluded = await s.send({ method: 'get', path: `/Groups/${gid}?excludedAttributes=members` });
    expect(excluded.status).toBe(200);
    expect(excluded.body.members).toBeUndefined();
    const put = await s.send({ method: 'put', path: `/Groups/${gid}`, body: { id: gid, displayName: 'Tiffany Ortiz', externalId: '6c6b54c2-fa81-4234-ad4f-420ec6808049', schemas: [GROUP] } });
    expect(put.status).toBe(200);
    expect(put.body.displayName).toBe('Tiffany Ortiz');
    expect((await s.send({ method: 'delete', path: `/Groups/${gid}` })).status).toBe(204);
    await s.control.patch('/config', { patchStatus: { Group: profile === 'entra' ? 204 : 200 } });
  });

  it('Patch user omalley new username: the collection expects 204 from a User PATCH; Scimulator answers 200 unless patchStatus says 204', async () => {
    // RFC 7644 section 3.5.2: 200 with the resource, or 204 without a body; both are RFC answers. The collection
    // expects the reference code's 204, Entra's SCIM Validator expects 200 with the user (and Entra ID's profile
    // sets 204 for Groups only). PATCH /_mock/config {"patchStatus": {"User": 204}} gives the collection its 204.
    const id = (await s.send({ method: 'post', path: '/Users', body: { userName: 'OMalley', active: true, schemas: [USER] } })).body.id as string;
    const body = { schemas: [PATCH_OP], Operations: [{ op: profile === 'rfc' ? 'replace' : 'Replace', path: 'userName', value: 'newusername' }] };
    expect((await s.send({ method: 'patch', path: `/Users/${id}`, body })).status).toBe(200);
    expect((await s.control.patch('/config', { patchStatus: { User: 204 } })).status).toBe(200);
    const active = await s.send({ method: 'patch', path: `/Users/${id}`, body: { schemas: [PATCH_OP], Operations: [{ op: profile === 'rfc' ? 'replace' : 'Replace', path: 'active', value: false }] } });
    expect(active.status).toBe(204);
    expect((await s.send({ method: 'get', path: `/Users/${id}` })).body).toMatchObject({ userName: 'newusername', active: false });
    await s.control.patch('/config', { patchStatus: { User: 200 } });
    expect((await s.send({ method: 'delete', path: `/Users/${id}` })).status).toBe(204);
  });

  it('filters: unquoted values ("name.FamilyName eq Employee and (emails.Value co example.com or ...)", "userName sw O", a dateTime with 7 fractional digits)', async () => {
    for (const [userName, familyName, email] of [['emp7', 'Employee', 'a@example.com'], ['emp8', 'Employee', 'b@example.org'], ['Olga', 'Other', 'c@example.net']]) {
      expect((await s.send({ method: 'post', path: '/Users', body: { schemas: [USER], userName, name: { familyName }, emails: [{ type: 'work', value: email }] } })).status).toBe(201);
    }
    const cases: Array<[string, number]> = [
      ['name.FamilyName eq Employee and (emails.Value co example.com or emails.Value co example.org)', 2],
      ['userName sw O', 1],
      ['meta.Created gt 2015-10-10T14:38:21.8617979-07:00', 3],
    ];
    for (const [filter, total] of cases) {
      const res = await s.send({ method: 'get', path: `/Users?filter=${encodeURIComponent(filter)}` });
      if (profile === 'rfc') {
        // RFC 7644 section 3.4.2.2: compValue is a JSON value; strings and dateTimes are quoted [filter-unquoted].
        expect(res.status, filter).toBe(400);
        expect(res.body.scimType, filter).toBe('invalidFilter');
        continue;
      }
      expect(res.status, filter).toBe(200);
      expect(res.body.totalResults, filter).toBe(total);
    }
    const quoted = await s.send({ method: 'get', path: `/Users?filter=${encodeURIComponent('meta.created gt "2015-10-10T14:38:21.8617979-07:00"')}` });
    expect(quoted.body.totalResults).toBe(3);
    const page = await s.send({ method: 'get', path: '/Users?startIndex=1&count=2' });
    expect(page.body).toMatchObject({ totalResults: 3, itemsPerPage: 2 });
  });

  it('User tests with garbage: "active": "True" is accepted by Entra\'s profile; no userName and broken JSON are 400; a second emp3 is 409', async () => {
    const base = {
      addresses: [{ country: null, formatted: '18522 Lisa Unions\nEast Gregory, CT 52311', locality: null, postalCode: null, region: null, streetAddress: null, type: 'other', primary: false }],
      displayName: 'Kimberly Baker',
      emails: [{ type: 'work', primary: true, value: 'anna33@gmail.com' }, { type: 'work', primary: false, value: 'anna33@example.com' }],
      meta: { created: '2019-09-18T18:15:26.5788954+00:00', lastModified: '2019-09-18T18:15:26.5788976+00:00', resourceType: 'User' },
      name: { formatted: 'Daniel Mcgee', familyName: 'Employee', givenName: 'Darl', honorificPrefix: null, honorificSuffix: null },
      roles: [],
      externalId: '22fbc523-6032-4c5f-939d-5d4850cf3e52',
      schemas: [USER],
    };
    const emp1 = await s.send({ method: 'post', path: '/Users', body: { ...base, userName: 'emp1', active: 'True' } });
    if (profile === 'rfc') expect(emp1.status).toBe(400); // RFC 7643 section 2.3.2: a boolean is true or false
    else {
      expect(emp1.status).toBe(201);
      expect(emp1.body.active).toBe(true);
    }
    expect((await s.send({ method: 'post', path: '/Users', body: { ...base, userName: 'emp3', active: true } })).status).toBe(201);
    const noName = await s.send({ method: 'post', path: '/Users', body: { ...base, active: true } });
    expect(noName.status).toBe(400);
    const junk = await s.send({ method: 'post', path: '/Users', body: '{\r\n    "acve": tre,\r\n    "adadfdresses": [' });
    expect(junk.status).toBe(400);
    const dup = await s.send({ method: 'post', path: '/Users', body: { ...base, userName: 'emp3', active: true } });
    expect(dup.status).toBe(409);
    expect(dup.text).toContain('detail');
  });
});
