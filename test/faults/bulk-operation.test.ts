/**
 * match.bulkOperation: one operation inside a POST /Bulk fails with the rule's status while the others run
 * (RFC 7644 3.7: each operation stands on its own).
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { runtimeOf } from '../../src/http/app.js';
import { client, GROUP_SCHEMA, USER_SCHEMA } from '../http/helpers.js';

const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const user = (bulkId: string, userName: string) => ({ method: 'POST', path: '/Users', bulkId, data: { schemas: [USER_SCHEMA], userName } });

function setup() {
  const c = client();
  const tenant = runtimeOf(c.app).defaultTenant;
  const addRule = async (rule: object) => {
    const res = await request(c.app).post('/_mock/faults').send(rule);
    return res;
  };
  const bulk = (Operations: unknown[], extra: Record<string, unknown> = {}) => c.post('/Bulk', { schemas: [BULK_REQUEST], Operations, ...extra });
  return { c, tenant, addRule, bulk };
}

describe('match.bulkOperation', () => {
  it('by index: Operations[1] fails with 503, Operations[0] and [2] are created; the journal names the rule and the operation', async () => {
    const { c, tenant, addRule, bulk } = setup();
    expect((await addRule({ name: 'second op down', match: { bulkOperation: 1 }, action: { type: 'error', status: 503, retryAfter: 5 } })).status).toBe(201);
    const res = await bulk([user('a', 'alice'), user('b', 'bob'), user('c', 'carol')]);
    expect(res.status).toBe(200);
    const ops = res.body.Operations;
    expect(ops.map((o: { status: string }) => o.status)).toEqual(['201', '503', '201']);
    expect(ops[1]).toEqual({
      method: 'POST',
      bulkId: 'b',
      status: '503',
      response: { schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'], status: '503', detail: 'Operations[1]: The service is temporarily unavailable. Retry after 5 second(s).' },
    });
    expect(ops[1].location).toBeUndefined(); // a failed POST has none (RFC 7644 3.7.3)
    for (const name of ['alice', 'carol']) expect(tenant.store.lookup('User', 'userName', name)).toHaveLength(1);
    expect(tenant.store.lookup('User', 'userName', 'bob')).toHaveLength(0);

    const entry = tenant.journal.find({ operation: 'bulk' })[0]!;
    expect(entry.status).toBe(200);
    expect(entry.fault).toEqual({ id: 'fault-1', name: 'second op down', action: 'error', operations: [1] });
    // Other requests are not touched by the rule.
    expect((await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'dave' })).status).toBe(201);
    expect(tenant.faults.get('fault-1')).toMatchObject({ matched: 1, fired: 1 });
  });

  it('by method and path: every PATCH of a group fails with 412, a PUT of the same group and the POSTs run; a failed POST fails what refers to it', async () => {
    const { c, addRule, bulk } = setup();
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides' })).body;
    await addRule({ match: { bulkOperation: { method: 'patch', path: '/Groups/*' } }, action: { type: 'conflict', kind: 'precondition' } });
    await addRule({ match: { bulkOperation: { path: '/Users' } }, times: 1, action: { type: 'error', status: 500 } });
    const res = await bulk([
      user('u1', 'ulla'),
      user('u2', 'ute'),
      { method: 'PATCH', path: `/Groups/${group.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:u2' }] }] } },
      { method: 'PATCH', path: `/Groups/${group.id}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Guides' }] } },
      { method: 'PUT', path: `/Groups/${group.id}`, data: { schemas: [GROUP_SCHEMA], displayName: 'Guides', members: [{ value: 'bulkId:u1' }] } },
    ]);
    const ops = res.body.Operations as Array<{ status: string; location?: string; response?: { detail: string } }>;
    expect(ops.map((o) => o.status)).toEqual(['500', '201', '412', '412', '409']);
    expect(ops[2]!.location).toMatch(new RegExp(`/Groups/${group.id}$`));
    expect(ops[2]!.response!.detail).toMatch(/^Operations\[2\]: Precondition failed/);
    // The PUT refers to the failed POST: 409, as for any failed bulkId.
    expect(ops[4]!.response!.detail).toMatch(/bulkId:u1.*Operations\[0\].*failed \(500/);
  });

  it('counts per operation: times, after and probability apply to operations', async () => {
    const { addRule, bulk } = setup();
    await addRule({ match: { bulkOperation: { method: 'POST' } }, after: 1, times: 2, action: { type: 'error', status: 429 } });
    const res = await bulk([user('a', 'a1'), user('b', 'b1'), user('c', 'c1'), user('d', 'd1')]);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '429', '429', '201']);
  });

  it('validation: only error and conflict actions, a real index or method/path', async () => {
    const { addRule } = setup();
    const cases: Array<[object, string]> = [
      [{ match: { bulkOperation: 0 }, action: { type: 'latency', ms: 10 } }, 'match.bulkOperation'],
      [{ match: { bulkOperation: 0 }, action: { type: 'reset' } }, 'match.bulkOperation'],
      [{ match: { bulkOperation: -1 }, action: { type: 'error', status: 500 } }, 'match.bulkOperation'],
      [{ match: { bulkOperation: 'first' }, action: { type: 'error', status: 500 } }, 'match.bulkOperation'],
      [{ match: { bulkOperation: {} }, action: { type: 'error', status: 500 } }, 'match.bulkOperation'],
      [{ match: { bulkOperation: { method: 'GET' } }, action: { type: 'error', status: 500 } }, 'match.bulkOperation.method'],
      [{ match: { bulkOperation: { path: 'Users' } }, action: { type: 'error', status: 500 } }, 'match.bulkOperation.path'],
      [{ match: { bulkOperation: { verb: 'POST' } }, action: { type: 'error', status: 500 } }, 'match.bulkOperation.verb'],
      [{ match: { bulkOperation: 0 }, action: { type: 'error', status: 500, phase: 'after' } }, 'action.phase'],
    ];
    for (const [rule, field] of cases) {
      const res = await addRule(rule);
      expect(res.status, JSON.stringify(rule)).toBe(400);
      expect(res.body.field, JSON.stringify(rule)).toBe(field);
    }
  });
});
