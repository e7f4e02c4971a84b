/**
 * Replication lag: writes a lag rule matched become visible to lists and searches (and, with reads, to GET by id)
 * only `ms` after they were acknowledged, on the tenant clock (frozen here: the clock is advanced to release them).
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { runtimeOf } from '../../src/http/app.js';
import { BJENSEN, client, GROUP_SCHEMA, USER_SCHEMA } from '../http/helpers.js';

const T0 = '2030-01-01T00:00:00.000Z';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const eq = (attribute: string, value: string) => `filter=${encodeURIComponent(`${attribute} eq "${value}"`)}`;

async function setup() {
  const c = client();
  const tenant = runtimeOf(c.app).defaultTenant;
  tenant.clock.freeze(Date.parse(T0));
  const control = () => request(c.app);
  const lag = async (rule: Record<string, unknown>) => expect((await control().post('/_mock/faults').send(rule)).status).toBe(201);
  const advance = async (ms: number) => expect((await control().post('/_mock/clock').send({ advance: ms })).status).toBe(200);
  const names = async (query = '') => ((await c.get(`/Users?${query}`)).body.Resources as Array<{ userName: string }>).map((u) => u.userName);
  return { c, tenant, control, lag, advance, names };
}

describe('lag', () => {
  it('2,000 ms on creates: userName eq finds nothing until the clock advances 2 s; GET by id with reads is 404 then 200; a list in between shows the old state', async () => {
    const { c, tenant, lag, advance, names } = await setup();
    await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'existing' });
    await lag({ name: 'replica', match: { operation: 'create' }, action: { type: 'lag', ms: 2000, reads: true } });

    const created = await c.post('/Users', BJENSEN);
    // The write is acknowledged with the resource, as the primary committed it.
    expect(created.status).toBe(201);
    expect(created.body.userName).toBe('bjensen');
    const id = created.body.id as string;

    const probe = await c.get(`/Users?${eq('userName', 'bjensen')}`);
    expect(probe.status).toBe(200);
    expect(probe.body.totalResults).toBe(0);
    expect((await c.get(`/Users/${id}`)).status).toBe(404);
    const list = await c.get('/Users');
    expect(list.body.totalResults).toBe(1);
    expect(await names()).toEqual(['existing']);
    const search = await c.post('/.search', { schemas: [SEARCH], filter: 'userName sw "b"' });
    expect(search.body.totalResults).toBe(0);
    // Uniqueness is the primary's: the connector that creates again meets 409 although it cannot find the user.
    expect((await c.post('/Users', BJENSEN)).status).toBe(409);

    await advance(1999);
    expect((await c.get(`/Users?${eq('userName', 'bjensen')}`)).body.totalResults).toBe(0);
    await advance(1);
    const found = await c.get(`/Users?${eq('userName', 'bjensen')}`);
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);
    expect((await c.get(`/Users/${id}`)).status).toBe(200);
    expect(await names()).toEqual(['existing', 'bjensen']);

    const entry = tenant.journal.find({ operation: 'create', status: 201 })[1]!;
    expect(entry.fault).toEqual({ id: 'fault-1', name: 'replica', action: 'lag' });
  });

  it('without reads, GET by id sees the write at once while lists do not', async () => {
    const { c, lag, advance } = await setup();
    await lag({ match: { operation: 'create' }, action: { type: 'lag', ms: 500 } });
    const id = (await c.post('/Users', BJENSEN)).body.id;
    expect((await c.get(`/Users/${id}`)).status).toBe(200);
    expect((await c.get(`/Users?${eq('userName', 'bjensen')}`)).body.totalResults).toBe(0);
    await advance(500);
    expect((await c.get(`/Users?${eq('userName', 'bjensen')}`)).body.totalResults).toBe(1);
  });

  it('a replaced resource reads old, a deleted one is still there with its group, a group PATCH is not yet visible', async () => {
    const { c, lag, advance, names } = await setup();
    const alice = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'alice', title: 'Engineer' })).body;
    const bob = (await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'bob' })).body;
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: bob.id }] })).body;
    await lag({ match: { operation: ['replace', 'delete', 'patch'] }, action: { type: 'lag', ms: 1000, reads: true } });

    expect((await c.put(`/Users/${alice.id}`, { schemas: [USER_SCHEMA], userName: 'alice', title: 'Manager' })).body.title).toBe('Manager');
    expect((await c.delete(`/Users/${bob.id}`)).status).toBe(204);
    const patched = await c.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: alice.id }] }] });
    expect(patched.status).toBe(200);
    expect(patched.body.members.map((m: { value: string }) => m.value)).toEqual([alice.id]);

    // Reads see the state before the three writes.
    const users = (await c.get('/Users?sortBy=userName')).body;
    expect(users.totalResults).toBe(2);
    expect(users.Resources.map((u: { userName: string; title?: string }) => [u.userName, u.title ?? null])).toEqual([
      ['alice', 'Engineer'],
      ['bob', null],
    ]);
    // bob is still a member of Team; alice is not yet.
    const bobNow = users.Resources[1];
    expect(bobNow.groups.map((g: { value: string }) => g.value)).toEqual([group.id]);
    expect(users.Resources[0].groups).toBeUndefined();
    const team = (await c.get(`/Groups?${eq('displayName', 'Team')}`)).body.Resources[0];
    expect(team.members.map((m: { value: string }) => m.value)).toEqual([bob.id]);
    expect((await c.get(`/Users/${bob.id}`)).status).toBe(200);
    expect((await c.get(`/Users?${eq('title', 'Manager')}`)).body.totalResults).toBe(0);
    expect(await names('startIndex=2&count=1')).toEqual(['bob']);

    await advance(1000);
    const after = (await c.get('/Users')).body;
    expect(after.Resources.map((u: { userName: string; title?: string }) => [u.userName, u.title])).toEqual([['alice', 'Manager']]);
    expect(after.Resources[0].groups.map((g: { value: string }) => g.value)).toEqual([group.id]);
    expect((await c.get(`/Users/${bob.id}`)).status).toBe(404);
  });

  it('a lagged member PATCH on a group the store already edits in place leaves the old members visible', async () => {
    const { c, lag, advance } = await setup();
    const [a, b, d] = await Promise.all(['a', 'b', 'd'].map(async (n) => (await c.post('/Users', { schemas: [USER_SCHEMA], userName: n })).body.id as string));
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: a }] })).body;
    // Without lag: the store now holds the group's list alone and may edit it in place from here on.
    const add = (id: string) => c.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
    expect((await add(b)).status).toBe(200);
    await lag({ match: { operation: 'patch' }, action: { type: 'lag', ms: 1000, reads: true } });
    expect((await add(d)).body.members.map((m: { value: string }) => m.value)).toEqual([a, b, d]);

    const members = async () => ((await c.get(`/Groups/${group.id}`)).body.members as Array<{ value: string }>).map((m) => m.value);
    expect(await members()).toEqual([a, b]);
    expect((await c.get(`/Groups?${eq('members.value', d)}`)).body.totalResults).toBe(0);
    await advance(1000);
    expect(await members()).toEqual([a, b, d]);
  });

  it('a cursor walk sees the old state too', async () => {
    const { c, lag } = await setup();
    for (const name of ['a', 'b', 'c']) await c.post('/Users', { schemas: [USER_SCHEMA], userName: name });
    await lag({ match: { operation: ['create', 'delete'] }, action: { type: 'lag', ms: 1000 } });
    const b = (await c.get(`/Users?${eq('userName', 'b')}`)).body.Resources[0].id;
    await c.delete(`/Users/${b}`);
    await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'd' });
    const first = (await c.get('/Users?count=2&cursor=')).body;
    const second = (await c.get(`/Users?count=2&cursor=${first.nextCursor}`)).body;
    expect([...first.Resources, ...second.Resources].map((u: { userName: string }) => u.userName)).toEqual(['a', 'b', 'c']);
    expect(first.totalResults).toBe(3);
  });

  it('nothing is lost: a snapshot in between holds the write; a reset in between drops the pending visibility with the data', async () => {
    const { c, tenant, control, lag, advance } = await setup();
    tenant.seedState = tenant.store.snapshot();
    await lag({ match: { operation: 'create' }, action: { type: 'lag', ms: 5000 } });
    const id = (await c.post('/Users', BJENSEN)).body.id;
    const snapshot = (await control().get('/_mock/snapshot')).body;
    expect(snapshot.resources.User.map((u: { id: string }) => u.id)).toEqual([id]);
    // Loading that snapshot makes it the state everyone reads.
    expect((await control().put('/_mock/snapshot').send(snapshot)).status).toBe(204);
    expect((await c.get(`/Users?${eq('userName', 'bjensen')}`)).body.totalResults).toBe(1);

    await c.post('/Users', { schemas: [USER_SCHEMA], userName: 'pending' });
    expect((await c.get('/Users')).body.totalResults).toBe(1);
    await control().post('/_mock/reset?keep=faults');
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    await advance(5000);
    expect((await c.get('/Users')).body.totalResults).toBe(0);
  });

  it('a later write without lag makes the resource visible at once; Bulk writes lag too', async () => {
    const { c, lag } = await setup();
    await lag({ id: 'lag-creates', match: { operation: ['create', 'bulk'] }, action: { type: 'lag', ms: 60_000 } });
    const id = (await c.post('/Users', BJENSEN)).body.id;
    expect((await c.get('/Users')).body.totalResults).toBe(0);
    await c.patch(`/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Babs' }] });
    expect((await c.get('/Users')).body.Resources.map((u: { displayName: string }) => u.displayName)).toEqual(['Babs']);

    const bulk = await c.post('/Bulk', {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [{ method: 'POST', path: '/Users', bulkId: 'x', data: { schemas: [USER_SCHEMA], userName: 'from-bulk' } }],
    });
    expect(bulk.body.Operations[0].status).toBe('201');
    expect((await c.get(`/Users?${eq('userName', 'from-bulk')}`)).body.totalResults).toBe(0);
  });

  it('reads that do not match any rule are still lagged; lag rules do not fire on reads; ms is required', async () => {
    const { c, control, tenant } = await setup();
    const res = await control().post('/_mock/faults').send({ action: { type: 'lag', ms: 1000 } });
    expect(res.status).toBe(201);
    await c.get('/Users');
    await c.post('/Users', BJENSEN);
    expect(tenant.faults.get(res.body.id)).toMatchObject({ matched: 2, fired: 1 });
    for (const [action, field] of [
      [{ type: 'lag' }, 'action.ms'],
      [{ type: 'lag', ms: 0 }, 'action.ms'],
      [{ type: 'lag', ms: 10, reads: 'yes' }, 'action.reads'],
    ] as const) {
      const bad = await control().post('/_mock/faults').send({ action });
      expect(bad.status).toBe(400);
      expect(bad.body.field).toBe(field);
    }
  });
});
