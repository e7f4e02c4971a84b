/**
 * Bulk operations that refer forward to a bulkId (RFC 7644 3.7): an operation waiting for a later POST runs as soon
 * as that POST has run, before the operations that follow it in the request. RFC 7644 3.7: "A SCIM service provider
 * MAY elect to optimize the sequence of operations received (e.g., to improve processing performance). When doing
 * so, the service provider MUST ensure that the client's intent is preserved and the same stateful result is
 * achieved as for non-optimized processing."
 */
import { describe, expect, it } from 'vitest';
import { runtimeOf } from '../../src/http/app.js';
import { GROUP_SCHEMA, USER_SCHEMA, client, type Client } from '../http/helpers.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function setup() {
  const c = client();
  runtimeOf(c.app).defaultTenant.clock.freeze(Date.parse('2030-01-01T00:00:00Z'));
  return c;
}
const bulk = (c: Client, Operations: unknown[], extra: Record<string, unknown> = {}) => c.post('/Bulk', { schemas: [BULK_REQUEST], ...extra, Operations });
const replaceDisplayName = (path: string, value: string) => ({
  method: 'PATCH', path, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value }] },
});
type Op = { method: string; bulkId?: string; location?: string; version?: string; status: string };

describe('a forward bulkId reference runs as soon as its POST has run (RFC 7644 3.7)', () => {
  it('two PATCHes of the same new user, one before its POST and one after, apply in request order', async () => {
    const c = setup();
    const res = await bulk(c, [
      replaceDisplayName('/Users/bulkId:u', 'First'),
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'bob' } },
      replaceDisplayName('/Users/bulkId:u', 'Second'),
    ]).expect(200);
    const ops = res.body.Operations as Op[];
    expect(ops.map((op) => op.status)).toEqual(['200', '201', '200']);
    const user = await c.get(ops[1]!.location!.replace(/^.*\/scim\/v2/, '')).expect(200);
    // In request order the PATCH to "Second" is the last write.
    expect(user.body.displayName).toBe('Second');
    expect(user.headers.etag).toBe(ops[2]!.version);
  });

  it('failOnErrors counts errors in request order: a group waiting for its member is created before a later failing operation stops the bulk', async () => {
    const c = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Groups', bulkId: 'g', data: { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ type: 'User', value: 'bulkId:u' }] } },
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'alice' } },
      { method: 'DELETE', path: '/Users/no-such-user' },
      { method: 'POST', path: '/Users', bulkId: 'late', data: { schemas: [USER_SCHEMA], userName: 'late' } },
    ], { failOnErrors: 1 }).expect(200);
    const ops = res.body.Operations as Op[];
    expect(ops.map((op) => [op.method, op.bulkId, op.status])).toEqual([
      ['POST', 'g', '201'],
      ['POST', 'u', '201'],
      ['DELETE', undefined, '404'],
    ]);
    const groups = await c.get('/Groups?filter=displayName%20eq%20%22Tour%20Guides%22').expect(200);
    expect(groups.body.totalResults).toBe(1);
    expect(groups.body.Resources[0].members).toHaveLength(1);
    expect((await c.get('/Users?filter=userName%20eq%20%22late%22').expect(200)).body.totalResults).toBe(0);
  });

  it('an operation waiting for a POST that fails fails right after it (409), before later operations use up failOnErrors', async () => {
    const c = setup();
    const res = await bulk(c, [
      replaceDisplayName('/Users/bulkId:u', 'First'),
      { method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA] } },
      { method: 'DELETE', path: '/Users/no-such-user' },
    ], { failOnErrors: 2 }).expect(200);
    expect((res.body.Operations as Op[]).map((op) => [op.method, op.status])).toEqual([['PATCH', '409'], ['POST', '400']]);
  });

  it('an operation held for a circle (RFC 7644 3.7.1) still runs after the POSTs that close it, and before what follows', async () => {
    const c = setup();
    const res = await bulk(c, [
      { method: 'POST', path: '/Groups', bulkId: 'a', data: { schemas: [GROUP_SCHEMA], displayName: 'A', members: [{ value: 'bulkId:b' }] } },
      replaceDisplayName('/Groups/bulkId:a', 'A renamed'),
      { method: 'POST', path: '/Groups', bulkId: 'b', data: { schemas: [GROUP_SCHEMA], displayName: 'B', members: [{ value: 'bulkId:a' }] } },
      replaceDisplayName('/Groups/bulkId:a', 'A final'),
    ]).expect(200);
    const ops = res.body.Operations as Op[];
    expect(ops.map((op) => op.status)).toEqual(['201', '200', '201', '200']);
    const a = await c.get(ops[0]!.location!.replace(/^.*\/scim\/v2/, '')).expect(200);
    expect(a.body.displayName).toBe('A final');
    expect(a.body.members).toHaveLength(1);
    expect(a.headers.etag).toBe(ops[3]!.version);
  });

  it('a chain of forward references written backwards resolves, each operation right after the one it waits for', async () => {
    const c = setup();
    const n = 30;
    // Operations[i] is a group whose member is the group of Operations[i + 1]; the last one names a user.
    const ops: unknown[] = [];
    for (let i = 0; i < n; i++) {
      ops.push({ method: 'POST', path: '/Groups', bulkId: `g${i}`, data: { schemas: [GROUP_SCHEMA], displayName: `G${i}`, members: [{ value: i === n - 1 ? 'bulkId:u' : `bulkId:g${i + 1}` }] } });
    }
    ops.push({ method: 'POST', path: '/Users', bulkId: 'u', data: { schemas: [USER_SCHEMA], userName: 'leaf' } });
    const res = await bulk(c, ops).expect(200);
    expect((res.body.Operations as Op[]).every((op) => op.status === '201')).toBe(true);
    expect(res.body.Operations).toHaveLength(n + 1);
  });
});
