/**
 * The URIs Scimulator hands out for a resource (meta.location, the Location header, Bulk "location", member and
 * group "$ref"s) are URIs (RFC 7643 sections 3.1 and 2.3.7, RFC 3986): the id is one percent-encoded path segment,
 * whatever characters a data file, a snapshot or an unknown Group member put in it, and following one leads back
 * to the resource.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { AUTH, client, GROUP_SCHEMA, TEST_HOST, USER_SCHEMA } from './helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const meta = (resourceType: string) => ({ resourceType, created: '2024-01-01T00:00:00Z', lastModified: '2024-01-01T00:00:00Z', version: 'W/"1"' });

const USER_ID = 'Jürgen Weiß';
const GROUP_ID = '组 1/ops';
const ENCODED_USER = 'J%C3%BCrgen%20Wei%C3%9F';
const ENCODED_GROUP = '%E7%BB%84%201%2Fops';

async function loaded(options: Parameters<typeof client>[0] = {}) {
  const c = client(options);
  const res = await request(c.app)
    .put('/_mock/snapshot')
    .send({
      format: 'scimulator-snapshot',
      version: 1,
      sequence: 2,
      resources: {
        User: [{ schemas: [USER_SCHEMA], id: USER_ID, userName: 'jweiss', meta: meta('User') }],
        Group: [{ schemas: [GROUP_SCHEMA], id: GROUP_ID, displayName: 'Ops', members: [{ value: USER_ID }], meta: meta('Group') }],
      },
    });
  expect(res.status).toBe(204);
  return c;
}

/** A string that RFC 3986 accepts as a URI: no spaces, no characters beyond ASCII. */
function expectUri(value: unknown): string {
  expect(typeof value).toBe('string');
  expect(value as string).toMatch(/^[\x21-\x7e]+$/);
  return value as string;
}

describe('resource URIs for ids with spaces, "/" and non-ASCII characters', () => {
  it('meta.location and groups[].$ref are percent-encoded, and the location leads back to the resource', async () => {
    const c = await loaded();
    const res = await c.get(`/Users/${ENCODED_USER}`);
    expect(res.status).toBe(200);
    const location = expectUri(res.body.meta.location);
    expect(location).toBe(`http://scim.test:8080/scim/v2/Users/${ENCODED_USER}`);
    const again = await c.raw().get(new URL(location).pathname).set(AUTH).set('Host', TEST_HOST);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(USER_ID);
    expect(expectUri(res.body.groups[0].$ref)).toBe(`http://scim.test:8080/scim/v2/Groups/${ENCODED_GROUP}`);
  });

  it('members[].$ref and the group\'s location are percent-encoded, in a read and in a list', async () => {
    const c = await loaded();
    const res = await c.get(`/Groups/${ENCODED_GROUP}`);
    expect(res.status).toBe(200);
    expect(expectUri(res.body.members[0].$ref)).toBe(`http://scim.test:8080/scim/v2/Users/${ENCODED_USER}`);
    expect(expectUri(res.body.meta.location)).toBe(`http://scim.test:8080/scim/v2/Groups/${ENCODED_GROUP}`);
    const list = await c.get('/Groups');
    expect(list.body.Resources[0].meta.location).toBe(res.body.meta.location);
  });

  it('a Group PATCH answered 204 (Entra ID\'s profile) sends an encoded Location instead of failing with 500 after the write', async () => {
    const c = await loaded({ profile: 'entra' });
    const res = await c.patch(`/Groups/${ENCODED_GROUP}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'displayName', value: 'Operations' }] });
    expect(res.status).toBe(204);
    expect(res.headers.location).toBe(`http://scim.test:8080/scim/v2/Groups/${ENCODED_GROUP}`);
  });

  it('Bulk answers an encoded "location"', async () => {
    const c = await loaded();
    const res = await c.post('/Bulk', { schemas: [BULK], Operations: [{ method: 'PATCH', path: `/Users/${ENCODED_USER}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'J' }] } }] });
    expect(res.status).toBe(200);
    expect(res.body.Operations[0]).toMatchObject({ status: '200', location: `http://scim.test:8080/scim/v2/Users/${ENCODED_USER}` });
  });

  it('a member naming no resource ("string id 1", Microsoft\'s SCIM reference test collection) gets a $ref that is a URI', async () => {
    const c = client({ profile: 'entra' });
    const group = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Group 1' });
    const patched = await c.patch(`/Groups/${group.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: 'string id 1' }] });
    expect(patched.status).toBe(204);
    const res = await c.get(`/Groups/${group.body.id}`);
    expect(res.body.members).toHaveLength(1);
    expect(res.body.members[0].value).toBe('string id 1');
    expect(expectUri(res.body.members[0].$ref)).toBe('http://scim.test:8080/scim/v2/Users/string%20id%201');
  });

  it('an id with a lone surrogate is listed with a location (U+FFFD in its place), not a 500', async () => {
    const c = client();
    const snapshot = `{"format":"scimulator-snapshot","version":1,"sequence":1,"resources":{"User":[{"schemas":["${USER_SCHEMA}"],"id":"odd\\ud800","userName":"odd","meta":${JSON.stringify(meta('User'))}}],"Group":[]}}`;
    const load = await request(c.app).put('/_mock/snapshot').set('Content-Type', 'application/json').send(snapshot);
    expect(load.status).toBe(204);
    const res = await c.get('/Users');
    expect(res.status).toBe(200);
    expect(res.body.Resources[0].meta.location).toBe('http://scim.test:8080/scim/v2/Users/odd%EF%BF%BD');
  });
});
