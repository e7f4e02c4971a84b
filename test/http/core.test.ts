import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp } from '../../src/http/app.js';
import { AUTH, BJENSEN, ENTERPRISE, GROUP_SCHEMA, TEST_HOST, USER_SCHEMA, client, createUser, expectScimError } from './helpers.js';

describe('RFC 7644 section 3.3 round trip (bjensen)', () => {
  it('creates, reads, replaces and deletes', async () => {
    const c = client();
    const created = await c.post('/Users', BJENSEN);
    expect(created.status).toBe(201);
    expect(created.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    const id = created.body.id as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.headers.location).toBe(`http://scim.test:8080/scim/v2/Users/${id}`);
    expect(created.headers.etag).toMatch(/^W\/".+"$/);
    expect(created.body).toMatchObject({
      schemas: [USER_SCHEMA],
      userName: 'bjensen',
      externalId: 'bjensen',
      name: BJENSEN.name,
      meta: { resourceType: 'User', version: created.headers.etag, location: created.headers.location },
    });
    expect(created.body.meta.created).toBe(created.body.meta.lastModified);
    expect(Date.parse(created.body.meta.created)).not.toBeNaN();

    const read = await c.get(`/Users/${id}`);
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created.body);
    expect(read.headers.etag).toBe(created.headers.etag);

    const replaced = await c.put(`/Users/${id}`, { ...BJENSEN, displayName: 'Babs Jensen', name: { givenName: 'Barbara' } });
    expect(replaced.status).toBe(200);
    expect(replaced.body.displayName).toBe('Babs Jensen');
    expect(replaced.body.name).toEqual({ givenName: 'Barbara' });
    expect(replaced.body.meta.created).toBe(created.body.meta.created);
    expect(replaced.headers.etag).not.toBe(created.headers.etag);
    expect(replaced.body.meta.version).toBe(replaced.headers.etag);

    const deleted = await c.delete(`/Users/${id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');

    const gone = await c.get(`/Users/${id}`);
    const error = expectScimError(gone, 404);
    expect(error.detail).toContain(id);
  });

  it('ignores readOnly attributes and unknown attributes on input, and never returns the password', async () => {
    const c = client();
    const res = await c.post('/Users', {
      ...BJENSEN,
      id: 'client-chosen',
      meta: { resourceType: 'User', created: '2000-01-01T00:00:00Z' },
      groups: [{ value: 'x' }],
      password: 't1meMa$heen',
      favouriteColour: 'blue',
    });
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe('client-chosen');
    expect(res.body.meta.created).not.toBe('2000-01-01T00:00:00Z');
    expect(res.body).not.toHaveProperty('groups');
    expect(res.body).not.toHaveProperty('password');
    expect(res.body).not.toHaveProperty('favouriteColour');
  });

  it('matches attribute names case-insensitively and answers in canonical casing', async () => {
    const c = client();
    const res = await c.post('/Users', {
      SCHEMAS: [USER_SCHEMA],
      USERNAME: 'casey',
      Name: { GivenName: 'Casey' },
      Emails: [{ VALUE: 'casey@example.com', Type: 'work', Primary: true }],
    });
    expect(res.status).toBe(201);
    expect(res.body.userName).toBe('casey');
    expect(res.body.name).toEqual({ givenName: 'Casey' });
    expect(res.body.emails).toEqual([{ value: 'casey@example.com', type: 'work', primary: true }]);
  });

  it('keeps the enterprise extension and requires it in schemas', async () => {
    const c = client();
    const ext = { employeeNumber: '701984', department: 'Tour Operations', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d' } };
    const ok = await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'ext', [ENTERPRISE]: ext });
    expect(ok.status).toBe(201);
    expect(ok.body.schemas).toEqual([USER_SCHEMA, ENTERPRISE]);
    expect(ok.body[ENTERPRISE]).toEqual(ext);

    const missing = await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'ext2', [ENTERPRISE]: ext });
    expect(expectScimError(missing, 400, 'invalidValue').detail).toContain(ENTERPRISE);
  });

  it('a projection that leaves out the extension leaves its URN out of schemas (RFC 7643 section 3)', async () => {
    const c = client();
    const user = await createUser(c, 'proj', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { department: 'Tour Operations' } });
    for (const query of ['attributes=userName', `excludedAttributes=${ENTERPRISE}`, `excludedAttributes=${ENTERPRISE}:department`]) {
      const one = await c.get(`/Users/${user.id}?${query}`);
      expect(one.body, query).not.toHaveProperty([ENTERPRISE]);
      expect(one.body.schemas, query).toEqual([USER_SCHEMA]);
      const list = await c.get(`/Users?${query}`);
      expect(list.body.Resources[0].schemas, query).toEqual([USER_SCHEMA]);
      const search = await c.post('/.search', { schemas: ['urn:ietf:params:scim:api:messages:2.0:SearchRequest'], ...(query.startsWith('attributes') ? { attributes: ['userName'] } : { excludedAttributes: [query.split('=')[1]] }) });
      expect(search.body.Resources[0].schemas, query).toEqual([USER_SCHEMA]);
    }
    // the extension's attributes asked for, or not projected at all: it stays listed
    for (const query of [`attributes=${ENTERPRISE}:department`, 'attributes=userName,urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'excludedAttributes=emails', '']) {
      const one = await c.get(`/Users/${user.id}?${query}`);
      expect(one.body.schemas, query).toEqual([USER_SCHEMA, ENTERPRISE]);
      expect(one.body[ENTERPRISE], query).toEqual({ department: 'Tour Operations' });
    }
  });
});

describe('validation errors (rfc profile: no client quirk is tolerated)', () => {
  const c = client({ profile: 'rfc' });
  const cases: Array<[string, unknown, number, string]> = [
    ['missing userName', { schemas: [USER_SCHEMA] }, 400, 'invalidValue'],
    ['schemas without the core schema', { schemas: [GROUP_SCHEMA], userName: 'x' }, 400, 'invalidValue'],
    ['no schemas', { userName: 'x' }, 400, 'invalidValue'],
    ['active as a string', { schemas: [USER_SCHEMA], userName: 'x', active: 'False' }, 400, 'invalidValue'],
    ['emails not an array', { schemas: [USER_SCHEMA], userName: 'x', emails: { value: 'a@b.c' } }, 400, 'invalidValue'],
    ['name not an object', { schemas: [USER_SCHEMA], userName: 'x', name: 'Barbara' }, 400, 'invalidValue'],
    ['userName a number', { schemas: [USER_SCHEMA], userName: 42 }, 400, 'invalidValue'],
    ['two primary emails', { schemas: [USER_SCHEMA], userName: 'x', emails: [{ value: 'a@x.org', primary: true }, { value: 'b@x.org', primary: true }] }, 400, 'invalidValue'],
    ['a body that is an array', [], 400, 'invalidSyntax'],
    ['a body that is a string', 'hello', 400, 'invalidSyntax'],
  ];
  for (const [name, body, status, scimType] of cases) {
    it(`${name} is ${status} ${scimType}`, async () => {
      expectScimError(await c.post('/Users', body), status, scimType);
    });
  }

  it('names an extension attribute by its full path, URN:attribute (RFC 7644 3.10), on POST, PUT and PATCH alike', async () => {
    const post = await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'ext-err', [ENTERPRISE]: { employeeNumber: 5 } });
    expect(expectScimError(post, 400, 'invalidValue').detail).toContain(`"${ENTERPRISE}:employeeNumber" must be a string`);
    const manager = await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'ext-err', [ENTERPRISE]: { manager: { value: 5 } } });
    expect(expectScimError(manager, 400, 'invalidValue').detail).toContain(`"${ENTERPRISE}:manager.value" must be a string`);
    const user = await createUser(c, 'ext-ok');
    const put = await c.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'ext-ok', [ENTERPRISE]: { costCenter: ['a'] } });
    expect(expectScimError(put, 400, 'invalidValue').detail).toContain(`"${ENTERPRISE}:costCenter" is single-valued`);
    const patch = await c.patch(`/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', value: { [ENTERPRISE]: { employeeNumber: 5 } } }] });
    expect(expectScimError(patch, 400, 'invalidValue').detail).toContain(`"${ENTERPRISE}:employeeNumber" must be a string`);
  });

  it('rejects __proto__ keys without polluting anything', async () => {
    const res = await c.raw().post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json')
      .send('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p","name":{"__proto__":{"polluted":"yes"}}}');
    expectScimError(res, 400, 'invalidSyntax');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('uniqueness', () => {
  it('a userName differing only in case is 409 uniqueness, on POST and PUT', async () => {
    const c = client();
    await createUser(c, 'bjensen');
    expectScimError(await c.post('/Users', { ...BJENSEN, userName: 'BJensen' }), 409, 'uniqueness');
    const other = await createUser(c, 'other');
    expectScimError(await c.put(`/Users/${other.id}`, { schemas: [USER_SCHEMA], userName: 'BJENSEN' }), 409, 'uniqueness');
    // Renaming a user to a new case of its own name is fine.
    const again = await c.put(`/Users/${other.id}`, { schemas: [USER_SCHEMA], userName: 'OTHER' });
    expect(again.status).toBe(200);
  });

  it('group displayName uniqueness is off by default and on as an option', async () => {
    const lax = client();
    expect((await lax.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ops' })).status).toBe(201);
    expect((await lax.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'ops' })).status).toBe(201);
    const strict = client({ groupDisplayNameUnique: true });
    expect((await strict.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Ops' })).status).toBe(201);
    expectScimError(await strict.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'OPS' }), 409, 'uniqueness');
  });
});

describe('preconditions (RFC 7644 section 3.14)', () => {
  it('a stale If-Match is 412 on PUT and DELETE; the current one succeeds', async () => {
    const c = client();
    const user = await createUser(c, 'etag');
    const v1 = user.meta.version as string;
    const put = await c.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'etag', title: 'x' }).set('If-Match', v1);
    expect(put.status).toBe(200);
    expectScimError(await c.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'etag' }).set('If-Match', v1), 412);
    expectScimError(await c.delete(`/Users/${user.id}`).set('If-Match', v1), 412);
    expect((await c.delete(`/Users/${user.id}`).set('If-Match', put.headers.etag)).status).toBe(204);
  });

  it('If-None-Match with the current version is 304 on GET', async () => {
    const c = client();
    const user = await createUser(c, 'cache');
    const res = await c.get(`/Users/${user.id}`).set('If-None-Match', user.meta.version);
    expect(res.status).toBe(304);
    expect((await c.get(`/Users/${user.id}`).set('If-None-Match', 'W/"nope"')).status).toBe(200);
  });

  it('If-None-Match that matches is 412 on PUT, PATCH and DELETE, and changes nothing (RFC 9110 13.1.2)', async () => {
    const c = client();
    const user = await createUser(c, 'guarded');
    const v1 = user.meta.version as string;
    const patchBody = { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'x' }] };
    for (const tag of [v1, '*', `W/"other", ${v1}`]) {
      expectScimError(await c.put(`/Users/${user.id}`, { schemas: [USER_SCHEMA], userName: 'guarded', title: 'x' }).set('If-None-Match', tag), 412);
      expectScimError(await c.patch(`/Users/${user.id}`, patchBody).set('If-None-Match', tag), 412);
      expectScimError(await c.delete(`/Users/${user.id}`).set('If-None-Match', tag), 412);
    }
    const read = await c.get(`/Users/${user.id}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe(v1);
    expect(read.body.title).toBeUndefined();
    // A tag that does not match lets the write run.
    const patched = await c.patch(`/Users/${user.id}`, patchBody).set('If-None-Match', 'W/"other"');
    expect(patched.status).toBe(200);
    expect(patched.body.title).toBe('x');
  });

  it('If-Match that does not match is 412 on GET too, before If-None-Match is looked at (RFC 9110 13.1.1, 13.2.2)', async () => {
    const c = client();
    const user = await createUser(c, 'reader');
    const v1 = user.meta.version as string;
    expectScimError(await c.get(`/Users/${user.id}`).set('If-Match', 'W/"stale"'), 412);
    expectScimError(await c.get(`/Users/${user.id}`).set('If-Match', 'W/"stale"').set('If-None-Match', v1), 412);
    expect((await c.get(`/Users/${user.id}`).set('If-Match', v1)).status).toBe(200);
    expect((await c.get(`/Users/${user.id}`).set('If-Match', '*').set('If-None-Match', v1)).status).toBe(304);
  });
});

describe('groups and memberships', () => {
  it('members must exist (member policy reject); User.groups is computed with direct and indirect memberships; deletes clean up', async () => {
    const c = client({ memberPolicy: 'reject' });
    const alice = await createUser(c, 'alice');
    const bad = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Bad', members: [{ value: 'no-such-id' }] });
    expect(expectScimError(bad, 400, 'invalidValue').detail).toContain('no-such-id');

    const inner = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Inner', members: [{ value: alice.id }] });
    expect(inner.status).toBe(201);
    expect(inner.body.members).toEqual([
      { value: alice.id, type: 'User', display: 'alice', $ref: expect.stringMatching(new RegExp(`/scim/v2/Users/${alice.id}$`)) },
    ]);
    const outer = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Outer', members: [{ value: inner.body.id, type: 'Group' }] });
    expect(outer.status).toBe(201);

    const read = await c.get(`/Users/${alice.id}`);
    expect(read.body.groups).toEqual([
      { value: inner.body.id, $ref: expect.stringContaining(`/Groups/${inner.body.id}`), display: 'Inner', type: 'direct' },
      { value: outer.body.id, $ref: expect.stringContaining(`/Groups/${outer.body.id}`), display: 'Outer', type: 'indirect' },
    ]);

    expect((await c.delete(`/Users/${alice.id}`)).status).toBe(204);
    const innerAfter = await c.get(`/Groups/${inner.body.id}`);
    expect(innerAfter.body.members).toBeUndefined();
    expect(innerAfter.headers.etag).not.toBe(inner.headers.etag);
  });
});

describe('lists', () => {
  it('returns a ListResponse honouring startIndex and count, in creation order', async () => {
    const c = client();
    for (let i = 0; i < 5; i++) await createUser(c, `user${i}`);
    const res = await c.get('/Users?startIndex=2&count=2');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: 5, startIndex: 2, itemsPerPage: 2 });
    expect(res.body.Resources.map((r: any) => r.userName)).toEqual(['user1', 'user2']);
    const none = await c.get('/Users?count=0');
    expect(none.body).toMatchObject({ totalResults: 5, itemsPerPage: 0 });
    expect(none.body.Resources).toEqual([]);
  });
});

describe('protocol errors', () => {
  it('malformed JSON is 400 invalidSyntax', async () => {
    const res = await client().raw().post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').send('{"userName": ');
    expectScimError(res, 400, 'invalidSyntax');
  });

  it('a 2 MiB body is 413', async () => {
    const big = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'big', title: 'x'.repeat(2 * 1024 * 1024) });
    const res = await client().raw().post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').send(big);
    expectScimError(res, 413);
  });

  it('accepts application/json with a charset, and refuses other media types with 415', async () => {
    const c = client();
    const ok = await c.raw().post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify({ schemas: [USER_SCHEMA], userName: 'j' }));
    expect(ok.status).toBe(201);
    const bad = await c.raw().post('/scim/v2/Users').set(AUTH).set('Content-Type', 'text/plain').send('userName=j');
    expectScimError(bad, 415);
  });

  it('unknown routes are 404 and wrong methods 405, as SCIM errors', async () => {
    const c = client();
    expectScimError(await c.get('/Widgets'), 404);
    expectScimError(await c.raw().get('/nowhere').set(AUTH), 404);
    const res = await c.delete('/Users');
    expectScimError(res, 405);
    expect(res.headers.allow).toBe('GET, POST');
  });

  it('a path with an empty segment (base URL ending in "/" + "/Users") is a 404 whose detail names the doubled slash', async () => {
    const c = client();
    const user = await createUser(c, 'slashes');
    for (const [path, fixed] of [
      ['/scim/v2//Users', '/scim/v2/Users'],
      ['/scim/v2//Users/.search', '/scim/v2/Users/.search'],
      [`/scim/v2/Users//${user.id}`, `/scim/v2/Users/${user.id}`],
      ['//scim/v2/Users', '/scim/v2/Users'],
    ]) {
      const error = expectScimError(await c.raw().get(`${path!}?count=1`).set(AUTH), 404);
      expect(error.detail).toContain(`No SCIM endpoint at GET ${path!}.`);
      expect(error.detail).toContain('doubled slash "//"');
      expect(error.detail).toContain(`GET ${fixed!}.`);
      // The suggested path is the one that answers.
      expect((await c.raw().get(fixed!).set(AUTH)).status).not.toBe(404);
    }
    // Without an empty segment, no such hint.
    expect(expectScimError(await c.get('/Widgets'), 404).detail).not.toContain('//');
  });

  it('/Me is 501', async () => {
    expectScimError(await client().get('/Me'), 501);
  });
});

describe('authentication', () => {
  it('a missing or wrong token is 401 with WWW-Authenticate', async () => {
    const app = createApp();
    const missing = await request(app).get('/scim/v2/Users');
    expectScimError(missing, 401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expectScimError(await request(app).get('/scim/v2/Users').set('Authorization', 'Bearer wrong'), 401);
    expect((await request(app).get('/scim/v2/Users').set(AUTH)).status).toBe(200);
  });

  it('--token, --auth basic and --auth none', async () => {
    const custom = createApp({ token: 's3cret' });
    expect((await request(custom).get('/scim/v2/Users').set('Authorization', 'Bearer s3cret')).status).toBe(200);
    const basic = createApp({ auth: 'basic', basicUser: 'u', basicPassword: 'p' });
    expect((await request(basic).get('/scim/v2/Users').auth('u', 'p')).status).toBe(200);
    const wrong = await request(basic).get('/scim/v2/Users').auth('u', 'x');
    expectScimError(wrong, 401);
    expect(wrong.headers['www-authenticate']).toMatch(/^Basic/);
    const open = createApp({ auth: 'none' });
    expect((await request(open).get('/scim/v2/Users')).status).toBe(200);
  });
});

describe('binary attributes are base64 (RFC 7643 section 2.3.6: RFC 4648 section 4, trailing "=" may be omitted)', () => {
  const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
  const cert = (value: string) => ({ schemas: [USER_SCHEMA], userName: 'certified', x509Certificates: [{ value }] });

  it('refuses bad padding, impossible lengths, line breaks and characters outside the alphabet with 400 invalidValue naming the attribute', async () => {
    const c = client();
    const cases: Array<[string, string]> = [
      ['QQ=', 'its padding "=" does not complete the last group of four characters: send "==" after its 2 characters'],
      ['QUJD=', 'its padding "=" does not complete'],
      ['Q', 'its 1 character (before any padding) leave one over a group of four'],
      ['QUJDR', 'its 5 characters'],
      ['QQ=A', 'it has "=" at character 3 followed by more data'],
      ['QUJD\r\nREVG', 'it has a line break at character 5'],
      ['QUJD REVG', 'it has white space at character 5'],
      ['QU-D', 'it has "-" at character 3, of the URL-safe alphabet'],
      ['QUJ*', 'it has "*" at character 4, which is not in the base64 alphabet'],
    ];
    for (const [value, why] of cases) {
      const error = expectScimError(await c.post('/Users', cert(value)), 400, 'invalidValue');
      expect(error.detail, value).toContain('Attribute "x509Certificates[0].value" must be a base64-encoded string (RFC 7643 section 2.3.6');
      expect(error.detail, value).toContain(why);
    }
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    // Through PUT and PATCH as well, the stored value untouched.
    const created = await c.post('/Users', cert('QUJD'));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expectScimError(await c.put(`/Users/${id}`, cert('QQ=')), 400, 'invalidValue');
    const patched = expectScimError(await c.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'x509Certificates', value: [{ value: 'Q' }] }] }), 400, 'invalidValue');
    expect(patched.detail).toContain('base64');
    expectScimError(await c.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'x509Certificates[value eq "QUJD"].value', value: 'QUJD\n' }] }), 400, 'invalidValue');
    expect((await c.get(`/Users/${id}`)).body.x509Certificates).toEqual([{ value: 'QUJD' }]);
  });

  it('accepts padded and unpadded base64, and a data file saved before the check still loads', async () => {
    const c = client();
    for (const [i, value] of ['QQ==', 'QQ', 'QUI=', 'QUI', 'QUJD', 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx', 'KOVKWGIVVEHH', '+/+/'].entries()) {
      const res = await c.post('/Users', { ...cert(value), userName: `ok${i}` });
      expect(res.status, value).toBe(201);
      expect(res.body.x509Certificates).toEqual([{ value }]);
    }
    const meta = { resourceType: 'User', created: '2025-01-01T00:00:00Z', lastModified: '2025-01-01T00:00:00Z', version: 'W/"1"' };
    const loaded = await c.raw().put('/_mock/snapshot').send({
      format: 'scimulator-snapshot', version: 1, sequence: 1,
      resources: { User: [{ schemas: [USER_SCHEMA], id: 'old', userName: 'old', x509Certificates: [{ value: 'QUJD\r\nREVG' }], meta }] },
    });
    expect(loaded.status).toBe(204);
    expect((await c.get('/Users/old')).body.x509Certificates).toEqual([{ value: 'QUJD\r\nREVG' }]);
  });
});

describe('the enterprise manager carries $ref and displayName (RFC 7643 section 4.3)', () => {
  const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

  it('$ref is computed from value, displayName (readOnly) read from the manager, and the ETag follows the manager\'s name', async () => {
    const c = client();
    const boss = await createUser(c, 'boss', { displayName: 'The Boss' });
    // A client's $ref and displayName are not what it is served: $ref is the manager's URI, displayName is readOnly.
    const emp = await createUser(c, 'emp', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: boss.id, $ref: 'https://elsewhere.example/x', displayName: 'Made up' } } });
    const url = `http://scim.test:8080/scim/v2/Users/${boss.id as string}`;
    expect(emp[ENTERPRISE].manager).toEqual({ value: boss.id, $ref: url, displayName: 'The Boss' });
    const read = await c.get(`/Users/${emp.id as string}`);
    expect(read.body[ENTERPRISE].manager).toEqual({ value: boss.id, $ref: url, displayName: 'The Boss' });
    // Following $ref leads to the manager.
    expect((await c.raw().get(new URL(url).pathname).set(AUTH).set('Host', TEST_HOST)).body.userName).toBe('boss');
    // In lists too, and excludable like any sub-attribute.
    const listed = await c.get(`/Users?filter=${encodeURIComponent('userName eq "emp"')}`);
    expect(listed.body.Resources[0][ENTERPRISE].manager).toEqual({ value: boss.id, $ref: url, displayName: 'The Boss' });
    const narrow = await c.get(`/Users/${emp.id as string}?excludedAttributes=${ENTERPRISE}:manager.displayName`);
    expect(narrow.body[ENTERPRISE].manager).toEqual({ value: boss.id, $ref: url });

    // The manager renamed: what the employee's read shows changed, so its version did (If-None-Match no longer 304).
    const etag = read.headers.etag as string;
    expect((await c.get(`/Users/${emp.id as string}`).set('If-None-Match', etag)).status).toBe(304);
    await c.patch(`/Users/${boss.id as string}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Big Boss' }] });
    const after = await c.get(`/Users/${emp.id as string}`).set('If-None-Match', etag);
    expect(after.status).toBe(200);
    expect(after.body[ENTERPRISE].manager.displayName).toBe('Big Boss');
    expect(after.headers.etag).not.toBe(etag);
    expectScimError(await c.patch(`/Users/${emp.id as string}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }).set('If-Match', etag), 412);

    // A manager without displayName: $ref alone. A value that names no User: served as stored (there is no resource
    // to give the URI of) until that User exists; then its $ref appears, and the version changes with it.
    const plain = await createUser(c, 'plain');
    const report = await createUser(c, 'report', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: plain.id }, department: 'R&D' } });
    expect(report[ENTERPRISE]).toEqual({ manager: { value: plain.id, $ref: `http://scim.test:8080/scim/v2/Users/${plain.id as string}` }, department: 'R&D' });
    const orphan = await createUser(c, 'orphan', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { manager: { value: boss.id }, employeeNumber: '7' } });
    expect((await c.delete(`/Users/${boss.id as string}`)).status).toBe(204);
    const orphaned = await c.get(`/Users/${orphan.id as string}`);
    expect(orphaned.body[ENTERPRISE]).toEqual({ manager: { value: boss.id }, employeeNumber: '7' });
    expect(orphaned.headers.etag).not.toBe(orphan.meta.version);
  });
});
