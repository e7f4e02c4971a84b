/**
 * Filtering over HTTP against 500 generated users: case rules, value paths, the IdP probes, malformed filters,
 * index-planner honesty, projection on lists, Entra's group reads.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { expectScimError, USER_SCHEMA, GROUP_SCHEMA, createUser } from '../http/helpers.js';
import { directory, ENTERPRISE, q } from './fixture.js';

describe('GET /Users?filter=... over 500 generated users', () => {
  it('userName eq is case-insensitive: "BJENSEN@example.com" finds bjensen@example.com', async () => {
    const { c } = directory();
    const created = await createUser(c, 'bjensen@example.com');
    const res = await c.get(`/Users?filter=${q('userName eq "BJENSEN@example.com"')}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(res.body).toMatchObject({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 1,
      startIndex: 1,
      itemsPerPage: 1,
    });
    expect(res.body.Resources).toHaveLength(1);
    expect(res.body.Resources[0].id).toBe(created.id);
    expect(res.body.Resources[0].userName).toBe('bjensen@example.com');
    // id is caseExact: the same lookup with the id upper-cased finds nothing.
    const byId = await c.get(`/Users?filter=${q(`id eq "${String(created.id).toUpperCase()}"`)}`);
    expect(byId.body.totalResults).toBe(String(created.id) === String(created.id).toUpperCase() ? 1 : 0);
    const byExactId = await c.get(`/Users?filter=${q(`id eq "${created.id}"`)}`);
    expect(byExactId.body.totalResults).toBe(1);
  });

  it('emails[type eq "work" and value co "@example.com"] needs one and the same email to satisfy both', async () => {
    const { c, users } = directory();
    const trap = await createUser(c, 'trap-user', {
      emails: [
        { type: 'work', value: 'trap@elsewhere.org', primary: true },
        { type: 'home', value: 'trap@example.com' },
      ],
    });
    const filter = 'emails[type eq "work" and value co "@example.com"]';
    const res = await c.get(`/Users?filter=${q(filter)}&count=1000`);
    expect(res.status).toBe(200);
    const found: Array<Record<string, any>> = res.body.Resources;
    expect(found.map((u) => u.id)).not.toContain(trap.id);
    for (const u of found) {
      expect(u.emails.some((e: any) => e.type === 'work' && String(e.value).toLowerCase().includes('@example.com'))).toBe(true);
    }
    const expected = users.filter((u: any) => (u.emails ?? []).some((e: any) => e.type === 'work' && e.value.toLowerCase().includes('@example.com')));
    expect(expected.length).toBeGreaterThan(0);
    expect(res.body.totalResults).toBe(expected.length);
    // The same test without brackets matches across elements, so it does find the trap user.
    const loose = await c.get(`/Users?filter=${q('emails.type eq "work" and emails.value co "@example.com"')}&count=1000`);
    expect(loose.body.Resources.map((u: any) => u.id)).toContain(trap.id);
  });

  it('Okta probe: filter=userName eq "x"&startIndex=1&count=100 is 200 with integer totalResults 0', async () => {
    const { c } = directory();
    const res = await c.get(`/Users?filter=${q('userName eq "x"')}&startIndex=1&count=100`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'],
      totalResults: 0,
      itemsPerPage: 0,
      startIndex: 1,
      Resources: [],
    });
    expect(res.text).toMatch(/"totalResults":0/);
    expect(res.text).toMatch(/"startIndex":1/);
  });

  it('a filter encoded with "+" for spaces (form encoding) is read the same', async () => {
    const { c, users } = directory({ users: 20, groups: 0 });
    const u = users[4]! as any;
    const res = await c.get(`/Users?filter=userName+eq+%22${encodeURIComponent(u.userName)}%22&startIndex=1&count=100`);
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((r: any) => r.id)).toEqual([u.id]);
  });

  it('Entra test connection: a random non-existent userName is 200 with totalResults 0', async () => {
    const { c } = directory();
    const res = await c.get(`/Users?filter=${q('userName eq "3f2a7c51-9d8e-4b0f-a6c2-5e1d9b7a4c03"')}`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(0);
    expect(res.body.Resources).toEqual([]);
  });

  it.each([
    ['userName eq'],
    ['userName eq "a" and'],
    ['userName pr "x"'],
    ['(userName eq "a"'],
    ['emails[type eq "work"'],
    ['userName xx "a"'],
    ['userName eq a'],
    [''],
  ])('malformed filter %j is 400 invalidFilter under the rfc profile', async (filter) => {
    const { c } = directory({ users: 5, groups: 0, profile: 'rfc' });
    const body = expectScimError(await c.get(`/Users?filter=${q(filter)}`), 400, 'invalidFilter');
    expect(body.detail).toMatch(/filter/i);
  });

  it('under the lenient profile an unquoted value is read as a string, with a conformance warning', async () => {
    const { c, users } = directory({ users: 5, groups: 0 });
    const name = users[2]!.userName as string;
    const res = await c.get(`/Users?filter=${q(`userName eq ${name}`)}`);
    expect(res.status).toBe(200);
    expect(res.body.Resources.map((u: any) => u.userName)).toEqual([name]);
    const journal = await request(c.app).get('/_mock/requests');
    expect(journal.body.requests.at(-1).warnings.map((w: any) => w.code)).toContain('filter-unquoted');
  });

  it('a filter is never ignored: ordering operators on a boolean are 400 invalidFilter', async () => {
    const { c } = directory({ users: 5, groups: 0 });
    expectScimError(await c.get(`/Users?filter=${q('active gt true')}`), 400, 'invalidFilter');
  });

  it('a repeated query parameter is 400', async () => {
    const { c } = directory({ users: 5, groups: 0 });
    const body = expectScimError(await c.get(`/Users?filter=${q('userName eq "a"')}&filter=${q('userName eq "b"')}`), 400);
    expect(body.detail).toMatch(/filter.*more than once/);
  });

  it('filters on extension attributes by URN path', async () => {
    const { c, users } = directory();
    const target = users[42]! as any;
    const number = target[ENTERPRISE].employeeNumber as string;
    const res = await c.get(`/Users?filter=${q(`${ENTERPRISE}:employeeNumber eq "${number}"`)}`);
    expect(res.body.totalResults).toBe(users.filter((u: any) => u[ENTERPRISE]?.employeeNumber === number).length);
    expect(res.body.Resources.map((u: any) => u.id)).toContain(target.id);
  });

  it('filter and attributes together: Resources carry only what was asked plus returned:always', async () => {
    const { c } = directory();
    const res = await c.get(`/Users?filter=${q('userName sw "a"')}&attributes=userName,name.familyName&count=5`);
    expect(res.status).toBe(200);
    expect(res.body.Resources.length).toBeGreaterThan(0);
    for (const u of res.body.Resources) {
      expect(Object.keys(u).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
      expect(Object.keys(u.name)).toEqual(['familyName']);
      expect(u.userName.toLowerCase().startsWith('a')).toBe(true);
    }
  });
});

describe('Entra group reads', () => {
  it('GET /Groups?excludedAttributes=members&filter=displayName eq "x" returns the group without members', async () => {
    const { c, groups } = directory();
    const group = groups.find((g: any) => Array.isArray(g.members) && g.members.length > 0)! as any;
    const res = await c.get(`/Groups?excludedAttributes=members&filter=${q(`displayName eq "${group.displayName}"`)}`);
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(1);
    const found = res.body.Resources[0];
    expect(found.id).toBe(group.id);
    expect(found.displayName).toBe(group.displayName);
    expect(found.schemas).toEqual([GROUP_SCHEMA]);
    expect(found.meta).toMatchObject({ resourceType: 'Group', location: `http://scim.test:8080/scim/v2/Groups/${group.id}` });
    expect(found).not.toHaveProperty('members');
    // Without the exclusion the members are there.
    const full = await c.get(`/Groups?filter=${q(`displayName eq "${group.displayName}"`)}`);
    expect(full.body.Resources[0].members.length).toBe(group.members.length);
  });

  it('GET /Groups/{id}?excludedAttributes=members returns the group without members', async () => {
    const { c, groups } = directory();
    const group = groups.find((g: any) => Array.isArray(g.members) && g.members.length > 0)! as any;
    const res = await c.get(`/Groups/${group.id}?excludedAttributes=members`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(group.id);
    expect(res.body.displayName).toBe(group.displayName);
    expect(res.body).not.toHaveProperty('members');
  });

  it('displayName eq on Groups is case-insensitive (displayName is not caseExact)', async () => {
    const { c, groups } = directory();
    const group = groups[0]! as any;
    const res = await c.get(`/Groups?filter=${q(`displayName eq "${String(group.displayName).toUpperCase()}"`)}`);
    expect(res.body.Resources.map((g: any) => g.id)).toContain(group.id);
  });
});

describe('index planner honesty', () => {
  const query = (tenant: ReturnType<typeof directory>['tenant'], type: string, filter: string) =>
    tenant.service.query([type], { filter }, {
      limits: { defaultPageSize: 100, maxPageSize: 1000, cursorTimeout: 600 },
      cursorSecret: 'test',
    });

  it('equality on userName, id, externalId and Group displayName reads only the index candidates', () => {
    const { tenant, users, groups } = directory();
    const u = users[123]! as any;
    const g = groups[3]! as any;
    const cases: Array<[string, string, string]> = [
      ['User', `userName eq "${u.userName.toUpperCase()}"`, 'userName'],
      ['User', `id eq "${u.id}"`, 'id'],
      ['User', `externalId eq "${u.externalId}"`, 'externalId'],
      ['User', `userName eq "${u.userName}" and active eq ${u.active}`, 'userName'],
      ['User', `(name.familyName pr) and externalId eq "${u.externalId}" and emails.value co "@"`, 'externalId'],
      ['User', `userName eq "nobody@example.com"`, 'userName'],
      ['Group', `displayName eq "${g.displayName}"`, 'displayName'],
    ];
    for (const [type, filter, attribute] of cases) {
      const result = query(tenant, type, filter);
      expect(result.plans[type]?.attribute, filter).toBe(attribute);
      expect(result.scanned, filter).toBeLessThanOrEqual(1);
    }
    expect(query(tenant, 'User', `userName eq "${u.userName}"`).entries[0]!.resource.id).toBe(u.id);
    // The rest of the filter still applies to the candidate.
    expect(query(tenant, 'User', `userName eq "${u.userName}" and active eq ${!u.active}`).totalResults).toBe(0);
  });

  it('a filter that needs a scan scans every resource', () => {
    const { tenant, users } = directory();
    const u = users[5]! as any;
    for (const filter of [`userName eq "${u.userName}" or active eq false`, `not (userName ne "${u.userName}")`, 'userName co "a"', `emails[value eq "${u.userName}"]`]) {
      const result = query(tenant, 'User', filter);
      expect(result.plans.User, filter).toBeUndefined();
      expect(result.scanned, filter).toBe(users.length);
    }
  });

  it('over HTTP an indexed lookup never iterates the store', async () => {
    const { c, tenant, users } = directory();
    const store = tenant.store;
    const all = store.all.bind(store);
    let iterations = 0;
    store.all = (type: string) => {
      iterations++;
      return all(type);
    };
    const u = users[77]! as any;
    const res = await c.get(`/Users?filter=${q(`userName eq "${u.userName}"`)}`);
    expect(res.body.totalResults).toBe(1);
    expect(iterations).toBe(0);
    await c.get(`/Users?filter=${q('userName co "zz"')}`);
    expect(iterations).toBe(1);
  });
});

describe('filter on created users', () => {
  it('finds a user created through the API by an attribute of its enterprise extension', async () => {
    const { c } = directory({ users: 10, groups: 0 });
    const created = await createUser(c, 'ext-user', { schemas: [USER_SCHEMA, ENTERPRISE], [ENTERPRISE]: { costCenter: 'CC-42' } });
    const res = await c.get(`/Users?filter=${q(`${ENTERPRISE}:costCenter eq "cc-42"`)}`);
    expect(res.body.Resources.map((u: any) => u.id)).toEqual([created.id]);
  });
});

describe('filters on password (returned: never)', () => {
  const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

  it('in a GET URI a comparison with a value is 403 sensitive (RFC 7644 7.5.2), pointing at POST .search, where eq is answered', async () => {
    const { c } = directory({ users: 20, groups: 0 });
    const carol = await createUser(c, 'carol', { password: 'Secret123' });
    for (const [path, filter, search] of [
      ['/Users', 'password eq "Secret123"', 'POST /Users/.search'],
      ['/Users', 'userName eq "carol" and password ne "x"', 'POST /Users/.search'],
      ['/', 'password eq "Secret123"', 'POST /.search'],
    ]) {
      const error = expectScimError(await c.get(`${path!}?filter=${q(filter!)}`), 403, 'sensitive');
      expect(error.detail).toContain('"password"');
      expect(error.detail).toContain('RFC 7644 section 7.5.2');
      expect(error.detail).toContain(`Send the filter in the body of ${search!}`);
    }
    // In a body (RFC 7643 4.1.1: password is "intended to be used as a means to ... compare (i.e., filter for equality)").
    const found = await c.post('/Users/.search', { schemas: [SEARCH], filter: 'password eq "Secret123"' });
    expect(found.status).toBe(200);
    expect(found.body.Resources.map((r: { id: string }) => r.id)).toEqual([carol.id]);
    expect(found.text).not.toContain('Secret123');
    expect((await c.post('/Users/.search', { schemas: [SEARCH], filter: 'password eq "wrong"' })).body.totalResults).toBe(0);
    expect((await c.post('/.search', { schemas: [SEARCH], filter: 'password ne "Secret123"' })).body.totalResults).toBe(20);
    // Presence carries no value: answered in a URI too.
    const present = await c.get(`/Users?filter=${q('password pr')}`);
    expect(present.status).toBe(200);
    expect(present.body.Resources.map((r: { id: string }) => r.id)).toEqual([carol.id]);
  });

  it('anything but equality (co, sw, ew, gt...) is 400 invalidFilter, in a URI and in a body: it would reveal the password piece by piece', async () => {
    const { c } = directory({ users: 5, groups: 0 });
    await createUser(c, 'carol', { password: 'Secret123' });
    for (const filter of ['password sw "S"', 'password co "cret"', 'password ew "3"', 'password gt "A"', 'not (password le "z")']) {
      const inUri = expectScimError(await c.get(`/Users?filter=${q(filter)}`), 400, 'invalidFilter');
      expect(inUri.detail).toContain('"password" is never returned (returned: never), and a filter may compare it for equality only');
      expectScimError(await c.post('/Users/.search', { schemas: [SEARCH], filter }), 400, 'invalidFilter');
    }
  });
});
