/**
 * A Bulk operation's "path" (RFC 7644 3.7): "If "method" is "POST", the value must specify a resource type endpoint,
 * e.g., /Users or /Groups, whereas all other "method" values must specify the path to a specific resource, e.g.,
 * /Users/2819c223-7f76-453a-919d-413861904646." A query string is neither: it was read as part of the id, and the
 * operation answered 404 for a user named "<id>?attributes=...". It is 400 invalidValue naming the query.
 */
import { describe, expect, it } from 'vitest';
import { USER_SCHEMA, client, createUser } from '../http/helpers.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('a Bulk operation path with a query string', () => {
  it('is 400 invalidValue that names the query, for PATCH, PUT, DELETE and POST; an id with an encoded "?" still works', async () => {
    const c = client();
    const user = await createUser(c, 'bjensen');
    const patch = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'Babs' }] };
    const res = await c.post('/Bulk', {
      schemas: [BULK_REQUEST],
      Operations: [
        { method: 'PATCH', path: `/Users/${user.id}?attributes=nickName`, data: patch },
        { method: 'PUT', path: `/Users/${user.id}?excludedAttributes=groups`, data: { schemas: [USER_SCHEMA], userName: 'bjensen' } },
        { method: 'DELETE', path: `/Users/${user.id}?x=1` },
        { method: 'POST', path: '/Users?attributes=id', bulkId: 'n', data: { schemas: [USER_SCHEMA], userName: 'new' } },
        { method: 'PATCH', path: `/Users/${encodeURIComponent(`${user.id}?`)}`, data: patch },
      ],
    }).expect(200);
    const ops = res.body.Operations as Array<{ status: string; location?: string; response?: { scimType?: string; detail: string } }>;
    expect(ops.map((op) => op.status)).toEqual(['400', '400', '400', '400', '404']);
    for (const op of ops.slice(0, 4)) {
      expect(op.response!.scimType).toBe('invalidValue');
      expect(op.response!.detail).toMatch(/query string/);
      expect(op.location).toBeUndefined();
    }
    expect(ops[0]!.response!.detail).toContain('?attributes=nickName');
    // Nothing was written.
    const read = await c.get(`/Users/${user.id}`).expect(200);
    expect(read.body.nickName).toBeUndefined();
    expect((await c.get('/Users?filter=userName%20eq%20%22new%22').expect(200)).body.totalResults).toBe(0);
  });
});
