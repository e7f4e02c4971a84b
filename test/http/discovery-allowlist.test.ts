/**
 * The default discovery documents hold only the attributes RFC 7643 defines (sections 5-7, with the common
 * attributes of 3.1 and the ListResponse of RFC 7644 3.4.2), so clients whose models forbid unknown attributes
 * (scim2-models, the UnboundID SDK before 5.0) parse them. RFC 9865's `pagination` is advertised only on request.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { client } from './helpers.js';
import { extraKeys, listOf, RESOURCE_TYPE, SCHEMA, SERVICE_PROVIDER_CONFIG } from './rfc-allowlist.js';

describe('discovery documents hold only RFC 7643 attributes', () => {
  const c = client();

  it('the allow-list check itself finds extra keys at any depth', () => {
    expect(extraKeys({ patch: { supported: true, x: 1 }, pagination: {} }, SERVICE_PROVIDER_CONFIG)).toEqual(['patch.x', 'pagination']);
    expect(extraKeys({ attributes: [{ name: 'a', subAttributes: [{ name: 'b', deep: true }] }] }, SCHEMA)).toEqual(['attributes[0].subAttributes[0].deep']);
  });

  it('GET /ServiceProviderConfig', async () => {
    const res = await c.get('/ServiceProviderConfig');
    expect(res.status).toBe(200);
    expect(extraKeys(res.body, SERVICE_PROVIDER_CONFIG)).toEqual([]);
    expect(res.body).not.toHaveProperty('pagination');
  });

  it('GET /Schemas and every /Schemas/{id}', async () => {
    const list = await c.get('/Schemas');
    expect(extraKeys(list.body, listOf(SCHEMA))).toEqual([]);
    expect(list.body.Resources.length).toBeGreaterThanOrEqual(3);
    for (const schema of list.body.Resources) {
      const one = await c.get(`/Schemas/${schema.id}`);
      expect(one.status).toBe(200);
      expect(extraKeys(one.body, SCHEMA)).toEqual([]);
    }
  });

  it('GET /ResourceTypes and every /ResourceTypes/{name}', async () => {
    const list = await c.get('/ResourceTypes');
    expect(extraKeys(list.body, listOf(RESOURCE_TYPE))).toEqual([]);
    for (const type of list.body.Resources) {
      const one = await c.get(`/ResourceTypes/${type.name}`);
      expect(extraKeys(one.body, RESOURCE_TYPE)).toEqual([]);
    }
  });

  it('with a custom resource type from a scenario file, the documents stay within the allow-list', async () => {
    const app = client();
    const created = await request(app.app).post('/_mock/tenants').send({ id: 'custom', seedFile: 'seeds/custom-device.json' });
    expect(created.status).toBe(201);
    const auth = { Authorization: `Bearer ${created.body.token}` };
    for (const [path, shape] of [['/Schemas', listOf(SCHEMA)], ['/ResourceTypes', listOf(RESOURCE_TYPE)], ['/ServiceProviderConfig', SERVICE_PROVIDER_CONFIG]] as const) {
      const res = await request(app.app).get(`/tenants/custom/scim/v2${path}`).set(auth);
      expect(res.status, path).toBe(200);
      expect(extraKeys(res.body, shape), path).toEqual([]);
    }
  });
});

describe('RFC 9865 pagination in ServiceProviderConfig, on request', () => {
  const expected = { cursor: true, index: true, defaultPaginationMethod: 'index', defaultPageSize: 100, maxPageSize: 1000, cursorTimeout: 600 };

  it('--advertise-pagination brings `pagination` back with the values it always had', async () => {
    const c = client({ advertisePagination: true });
    expect((await c.get('/ServiceProviderConfig')).body.pagination).toEqual(expected);
  });

  it('PATCH /_mock/config {advertisePagination} turns it on and off', async () => {
    const c = client();
    await request(c.app).patch('/_mock/config').send({ advertisePagination: true }).expect(200);
    expect((await c.get('/ServiceProviderConfig')).body.pagination).toEqual(expected);
    await request(c.app).patch('/_mock/config').send({ advertisePagination: false }).expect(200);
    expect((await c.get('/ServiceProviderConfig')).body).not.toHaveProperty('pagination');
    const bad = await request(c.app).patch('/_mock/config').send({ advertisePagination: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('advertisePagination');
  });

  it('cursor requests work whether or not pagination is advertised', async () => {
    for (const advertisePagination of [false, true]) {
      const c = client({ advertisePagination });
      for (const name of ['a', 'b', 'c']) await c.post('/Users', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name }).expect(201);
      const first = await c.get('/Users?cursor=&count=2');
      expect(first.status).toBe(200);
      expect(first.body.Resources).toHaveLength(2);
      const second = await c.get(`/Users?cursor=${encodeURIComponent(first.body.nextCursor)}&count=2`);
      expect(second.body.Resources.map((u: { userName: string }) => u.userName)).toEqual(['c']);
    }
  });
});
