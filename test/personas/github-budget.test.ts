/**
 * GitHub's hourly budget of members added to each group (1,000 per group per hour) against one request that adds
 * more than the whole budget: no wait lets it through, so it is answered 429 without Retry-After (a connector that
 * honours Retry-After would otherwise send it again forever), with a detail that says to split it. A request within
 * the budget that comes too early keeps its Retry-After.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { expectScimError, GROUP_SCHEMA, type Client } from '../http/helpers.js';
import { directory, q } from '../query/fixture.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** The persona's tenant, every request with the User-Agent GitHub requires. */
function github(users: number) {
  const dir = directory({ users, groups: 0, persona: 'github' });
  const ua = (t: request.Test) => t.set('User-Agent', 'octo-connector/1.0');
  const c: Client = {
    ...dir.c,
    get: (path) => ua(dir.c.get(path)),
    post: (path, body) => ua(dir.c.post(path, body)),
    put: (path, body) => ua(dir.c.put(path, body)),
    patch: (path, body) => ua(dir.c.patch(path, body)),
    delete: (path) => ua(dir.c.delete(path)),
  };
  const refs = dir.users.map((u) => ({ value: u.id as string }));
  const advance = async (ms: number) => expect((await request(c.app).post('/_mock/clock').send({ advance: ms })).status).toBe(200);
  return { c, refs, advance };
}

const NEVER = (count: number, group: string) =>
  `this request adds ${count} members to ${group}, but a group may gain at most 1000 members per hour on this service; split the members into requests of at most 1000. This request can never pass as it is, however long it waits (so no Retry-After); a request within the budget that comes too early is answered with the wait in Retry-After.`;

describe('github: one request that adds more than 1,000 members to a group', () => {
  it('POST, PUT and PATCH are 429 without Retry-After, whatever the group has left and however long the client waits', async () => {
    const { c, refs, advance } = github(1002);
    // POST: a new group with 1,001 members; nothing stored.
    const post = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Octocats', members: refs.slice(0, 1001) });
    expect(expectScimError(post, 429).detail).toBe(NEVER(1001, 'a new Group'));
    expect(post.headers['retry-after']).toBeUndefined();
    expect((await c.get(`/Groups?filter=${q('displayName eq "Octocats"')}`)).body.totalResults).toBe(0);

    // An empty group, its whole budget left: PATCH and PUT adding 1,001 are refused the same way, and still are
    // after two hours (the budget never holds more than 1,000).
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Octocats' })).body;
    const path = `/Groups/${group.id as string}`;
    const before = (await c.get(path)).text;
    for (let round = 0; round < 2; round++) {
      const patch = await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: refs.slice(0, 1001) }] });
      expect(expectScimError(patch, 429).detail).toBe(NEVER(1001, `Group "${group.id as string}"`));
      expect(patch.headers['retry-after']).toBeUndefined();
      const put = await c.put(path, { schemas: [GROUP_SCHEMA], displayName: 'Octocats', members: refs.slice(1, 1002) });
      expect(expectScimError(put, 429).detail).toBe(NEVER(1001, `Group "${group.id as string}"`));
      expect(put.headers['retry-after']).toBeUndefined();
      expect((await c.get(path)).text).toBe(before);
      await advance(3_600_000);
    }

    // Split as the detail says, it passes: 1,000 now.
    expect((await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: refs.slice(0, 1000) }] })).status).toBe(200);
  });

  it('a request within the budget that comes too early keeps its Retry-After', async () => {
    const { c, refs, advance } = github(1002);
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Octocats', members: refs.slice(0, 1000) })).body;
    const path = `/Groups/${group.id as string}`;
    const early = await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: refs.slice(1000, 1002) }] });
    expect(expectScimError(early, 429).detail).toMatch(/^this request adds 2 members to Group "[^"]+", but a group may gain at most 1000 members per hour on this service and 0 more can be added now\. Retry after 8 second\(s\)/);
    expect(early.headers['retry-after']).toBe('8');
    await advance(8_000);
    expect((await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: refs.slice(1000, 1002) }] })).status).toBe(200);
  });

  it('a Bulk operation adding 1,001 members fails with 429 and the same detail; the others apply', async () => {
    const { c, refs } = github(1001);
    const res = await c.post('/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'big', path: '/Groups', data: { schemas: [GROUP_SCHEMA], displayName: 'Big', members: refs.slice(0, 1001) } },
        { method: 'POST', bulkId: 'small', path: '/Groups', data: { schemas: [GROUP_SCHEMA], displayName: 'Small', members: refs.slice(0, 1000) } },
      ],
    });
    expect(res.status).toBe(200);
    const [big, small] = res.body.Operations as Array<{ status: string; response?: { detail: string } }>;
    expect(big!.status).toBe('429');
    expect(big!.response!.detail).toContain(NEVER(1001, 'a new Group'));
    expect(small!.status).toBe('201');
  });
});
