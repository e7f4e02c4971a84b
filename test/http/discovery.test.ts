import { describe, expect, it } from 'vitest';
import { client, ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA, expectScimError } from './helpers.js';

const CHARACTERISTICS = ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness'];

function everyAttribute(attributes: any[], visit: (a: any, path: string) => void, prefix = '') {
  for (const a of attributes) {
    visit(a, prefix + a.name);
    if (a.subAttributes) everyAttribute(a.subAttributes, visit, `${prefix}${a.name}.`);
  }
}

describe('discovery (RFC 7644 section 4)', () => {
  const c = client();

  it('ServiceProviderConfig is 200 application/scim+json and tells what is supported', async () => {
    const res = await c.get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(res.body.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig']);
    expect(res.body.etag).toEqual({ supported: true });
    expect(res.body.authenticationSchemes).toEqual([expect.objectContaining({ type: 'oauthbearertoken', primary: true })]);
    for (const key of ['patch', 'bulk', 'filter', 'changePassword', 'sort']) expect(typeof res.body[key].supported).toBe('boolean');
    expect(res.body.meta).toMatchObject({ resourceType: 'ServiceProviderConfig', location: 'http://scim.test:8080/scim/v2/ServiceProviderConfig' });
  });

  it('--auth none still lists authenticationSchemes (RFC 7643 section 5: REQUIRED; [] is unassigned, 2.5), each saying it is not checked', async () => {
    const open = client({ auth: 'none' });
    const res = await open.raw().get('/scim/v2/ServiceProviderConfig');
    expect(res.status).toBe(200);
    const schemes = res.body.authenticationSchemes as Array<Record<string, unknown>>;
    expect(schemes.map((s) => s.type)).toEqual(['oauthbearertoken', 'httpbasic']);
    expect(schemes.filter((s) => s.primary === true)).toHaveLength(1);
    for (const scheme of schemes) {
      // Every sub-attribute RFC 7643 section 5 requires (type, name, description), and only the ones it defines.
      for (const key of ['type', 'name', 'description']) expect(typeof scheme[key], key).toBe('string');
      expect(Object.keys(scheme).every((k) => ['type', 'name', 'description', 'specUri', 'documentationUri', 'primary'].includes(k))).toBe(true);
      expect(scheme.description).toContain('Not checked');
      expect(scheme.description).toContain('--auth none');
    }
    // It says the truth: either credentials, or none, are accepted.
    expect((await open.raw().get('/scim/v2/Users').set('Authorization', 'Bearer anything')).status).toBe(200);
    expect((await open.raw().get('/scim/v2/Users').auth('any', 'thing')).status).toBe(200);
    expect((await open.raw().get('/scim/v2/Users')).status).toBe(200);
  });

  it('/Schemas lists User, Group and EnterpriseUser with every attribute characteristic', async () => {
    const res = await c.get('/Schemas');
    expect(res.status).toBe(200);
    const ids = res.body.Resources.map((s: any) => s.id);
    expect(ids).toEqual(expect.arrayContaining([USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE]));
    expect(res.body.totalResults).toBe(res.body.Resources.length);
    for (const schema of res.body.Resources) {
      expect(schema.schemas).toEqual(['urn:ietf:params:scim:schemas:core:2.0:Schema']);
      expect(schema.meta).toMatchObject({ resourceType: 'Schema', location: `http://scim.test:8080/scim/v2/Schemas/${schema.id}` });
      everyAttribute(schema.attributes, (a, path) => {
        for (const key of CHARACTERISTICS) expect(a, `${schema.id} ${path} lacks ${key}`).toHaveProperty(key);
      });
    }
    const user = res.body.Resources.find((s: any) => s.id === USER_SCHEMA);
    const userName = user.attributes.find((a: any) => a.name === 'userName');
    expect(userName).toMatchObject({ type: 'string', required: true, caseExact: false, uniqueness: 'server', mutability: 'readWrite' });
    const password = user.attributes.find((a: any) => a.name === 'password');
    expect(password).toMatchObject({ returned: 'never', mutability: 'writeOnly' });
  });

  it('/Schemas/{urn} returns one schema; an unknown one is 404', async () => {
    const res = await c.get(`/Schemas/${ENTERPRISE}`);
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(ENTERPRISE);
    expect(res.body.attributes.map((a: any) => a.name)).toEqual(['employeeNumber', 'costCenter', 'organization', 'division', 'department', 'manager']);
    expectScimError(await c.get('/Schemas/urn:nope'), 404);
  });

  it('/ResourceTypes lists User (with the enterprise extension) and Group', async () => {
    const res = await c.get('/ResourceTypes');
    expect(res.status).toBe(200);
    expect(res.body.Resources).toEqual([
      expect.objectContaining({ id: 'User', name: 'User', endpoint: '/Users', schema: USER_SCHEMA, schemaExtensions: [{ schema: ENTERPRISE, required: false }] }),
      expect.objectContaining({ id: 'Group', name: 'Group', endpoint: '/Groups', schema: GROUP_SCHEMA, schemaExtensions: [] }),
    ]);
    const one = await c.get('/ResourceTypes/User');
    expect(one.body.meta).toEqual({ resourceType: 'ResourceType', location: 'http://scim.test:8080/scim/v2/ResourceTypes/User' });
    expectScimError(await c.get('/ResourceTypes/Widget'), 404);
  });

  it('a filter on a discovery endpoint is 403, other query parameters are ignored (RFC 7644 section 4)', async () => {
    // "If a "filter" is provided, the service provider SHOULD respond with HTTP status code 403 (Forbidden) to ensure
    // that clients cannot incorrectly assume that any matching conditions specified in a filter are true."
    const filter = `filter=${encodeURIComponent('id eq "urn:ietf:params:scim:schemas:core:2.0:User"')}`;
    for (const path of ['/Schemas', '/ResourceTypes', '/ServiceProviderConfig', '/ResourceTypes/User', `/Schemas/${USER_SCHEMA}`]) {
      expectScimError(await c.get(`${path}?${filter}`), 403);
      expectScimError(await c.get(`${path}?FILTER=${encodeURIComponent('name eq "User"')}`), 403);
    }
    // "Query parameters described in Section 3.4.2, such as filtering, sorting, and pagination, SHALL be ignored."
    const paged = await c.get('/Schemas?startIndex=2&count=1&sortBy=name&filter=');
    expect(paged.status).toBe(200);
    expect(paged.body.Resources.length).toBe(paged.body.totalResults);
    expect((await c.get('/ServiceProviderConfig?count=1')).status).toBe(200);
  });
});
