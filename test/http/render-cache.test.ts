/**
 * The render cache (src/scim/render-cache.ts): repeated reads of an unchanged resource are not rendered again,
 * and no read ever shows a stale rendering, including computed attributes that change through writes to other
 * resources (User.groups, a member's display).
 */
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { runtimeOf } from '../../src/http/app.js';
import { AUTH, client, createUser, GROUP_SCHEMA, TEST_HOST } from './helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function setUp() {
  const c = client();
  const tenant = runtimeOf(c.app).defaultTenant;
  const render = vi.spyOn(tenant.service, 'render');
  return { c, tenant, render };
}

describe('render cache', () => {
  it('a second read of an unchanged resource with the same projection and base URL is not rendered again, byte for byte the same', async () => {
    const { c, render } = setUp();
    const user = await createUser(c, 'bjensen', { displayName: 'Babs' });
    render.mockClear();
    const first = await c.get(`/Users/${user.id}?attributes=userName,displayName`).expect(200);
    const second = await c.get(`/Users/${user.id}?attributes=userName,displayName`).expect(200);
    expect(first.body.displayName).toBe('Babs');
    expect(second.text).toBe(first.text);
    expect(second.headers.etag).toBe(first.headers.etag);
    expect(render).toHaveBeenCalledTimes(1);
    // The response to the create rendered the whole user already; a read and a list over it reuse that rendering.
    const whole = await c.get(`/Users/${user.id}`).expect(200);
    expect(whole.body).toEqual(user);
    const list = await c.get('/Users?filter=userName%20eq%20%22bjensen%22').expect(200);
    expect(list.body.Resources).toEqual([user]);
    expect(render).toHaveBeenCalledTimes(1);
  });

  it('the projection and the base URL are part of the key', async () => {
    const { c, render } = setUp();
    const user = await createUser(c, 'bjensen', { displayName: 'Babs' });
    render.mockClear();
    const all = await c.get(`/Users/${user.id}`).expect(200);
    const some = await c.get(`/Users/${user.id}?attributes=userName`).expect(200);
    const without = await c.get(`/Users/${user.id}?excludedAttributes=displayName`).expect(200);
    expect(all.body.displayName).toBe('Babs');
    expect(some.body).toEqual({ schemas: all.body.schemas, id: user.id, userName: 'bjensen' });
    expect(without.body.displayName).toBeUndefined();
    expect(without.body.userName).toBe('bjensen');
    const elsewhere = await request(c.app).get(`/scim/v2/Users/${user.id}`).set(AUTH).set('Host', 'other.test').expect(200);
    expect(elsewhere.body.meta.location).toBe(`http://other.test/scim/v2/Users/${user.id}`);
    expect(all.body.meta.location).toBe(`http://${TEST_HOST}/scim/v2/Users/${user.id}`);
    // `all` was rendered by the create already.
    expect(render).toHaveBeenCalledTimes(3);
  });

  it('User.groups follows group changes, and so does the version (the ETag) of the user', async () => {
    const { c } = setUp();
    const user = await createUser(c, 'bjensen');
    const before = await c.get(`/Users/${user.id}`).expect(200);
    expect(before.body.groups).toBeUndefined();
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides' }).expect(201)).body;
    await c.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: user.id }] }] }).expect(200);
    const after = await c.get(`/Users/${user.id}`).expect(200);
    expect(after.headers.etag).not.toBe(before.headers.etag);
    expect(after.body.groups).toEqual([{ value: group.id, $ref: `http://${TEST_HOST}/scim/v2/Groups/${group.id}`, display: 'Tour Guides', type: 'direct' }]);
    // A renamed group is renamed in User.groups; a nesting group shows up as indirect.
    await c.patch(`/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Guides' }] }).expect(200);
    const outer = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Staff', members: [{ value: group.id }] }).expect(201)).body;
    const renamed = await c.get(`/Users/${user.id}`).expect(200);
    expect(renamed.body.groups.map((g: { display: string; type: string }) => [g.display, g.type])).toEqual([
      ['Guides', 'direct'],
      ['Staff', 'indirect'],
    ]);
    // Deleting the group drops it.
    await c.delete(`/Groups/${outer.id}`).expect(204);
    await c.delete(`/Groups/${group.id}`).expect(204);
    expect((await c.get(`/Users/${user.id}`).expect(200)).body.groups).toBeUndefined();
  });

  it("a group's member display follows the member's renaming", async () => {
    const { c } = setUp();
    const user = await createUser(c, 'bjensen', { displayName: 'Babs' });
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ value: user.id }] }).expect(201)).body;
    expect((await c.get(`/Groups/${group.id}`).expect(200)).body.members[0].display).toBe('Babs');
    await c.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Barbara' }] }).expect(200);
    expect((await c.get(`/Groups/${group.id}`).expect(200)).body.members[0].display).toBe('Barbara');
  });

  it('a reset or a loaded snapshot (changes that bypass the SCIM operations) is never served from the cache', async () => {
    const { c } = setUp();
    const user = await createUser(c, 'bjensen', { displayName: 'Babs' });
    const seeded = await request(c.app).get('/_mock/snapshot').expect(200);
    const group = (await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Tour Guides', members: [{ value: user.id }] }).expect(201)).body;
    await c.put(`/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen', displayName: 'Changed' }).expect(200);
    const changed = await c.get(`/Users/${user.id}`).expect(200);
    expect(changed.body.displayName).toBe('Changed');
    expect(changed.body.groups).toHaveLength(1);
    // Loading the earlier state gives the user back its old version number: the cache must not answer with the
    // rendering of the same id and version from before.
    await request(c.app).put('/_mock/snapshot').send(seeded.body).expect(204);
    const restored = await c.get(`/Users/${user.id}`).expect(200);
    expect(restored.body.displayName).toBe('Babs');
    expect(restored.body.groups).toBeUndefined();
    await c.get(`/Groups/${group.id}`).expect(404);
    await c.put(`/Users/${user.id}`, { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen', displayName: 'Again' }).expect(200);
    await c.get(`/Users/${user.id}`).expect(200);
    await request(c.app).post('/_mock/reset').expect(200);
    await c.get(`/Users/${user.id}`).expect(404);
  });

  it('stays within its bounds', async () => {
    const { c, tenant } = setUp();
    const cache = tenant.service.renders;
    for (let i = 0; i < 20; i++) await createUser(c, `u${i}`);
    await c.get('/Users?count=20').expect(200);
    expect(cache.size).toBe(20);
    for (let i = 0; i < cache.maxEntries + 10; i++) cache.set(`k${i}`, 'x');
    expect(cache.size).toBe(cache.maxEntries);
    cache.set('big', 'y'.repeat(cache.maxChars));
    expect(cache.get('big')).toBeUndefined();
    expect(cache.get(`k${cache.maxEntries + 9}`)).toBe('x');
    expect(cache.get('k0')).toBeUndefined();
  });

  it('a read is sent as the cached UTF-8 bytes: non-ASCII text, Content-Length in bytes, the same in the journal', async () => {
    const { c, tenant } = setUp();
    const encode = vi.spyOn(TextEncoder.prototype, 'encode');
    const user = await createUser(c, 'jose', { displayName: 'José Ñúñez 中文 😀' });
    const first = await c.get(`/Users/${user.id}`).expect(200);
    const second = await c.get(`/Users/${user.id}`).expect(200);
    expect(first.body.displayName).toBe('José Ñúñez 中文 😀');
    expect(second.text).toBe(first.text);
    expect(Number(first.headers['content-length'])).toBe(Buffer.byteLength(first.text, 'utf8'));
    // The create's response encoded the rendering once; both reads sent those bytes as they were.
    expect(encode).toHaveBeenCalledTimes(1);
    const reads = tenant.journal.list({ method: 'GET', order: 'desc', limit: 2 });
    expect(reads.map((e) => e.responseBody)).toEqual([first.body, first.body]);
    // A change renders and encodes again: nobody is sent the old bytes.
    await c.patch(`/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'Jo' }] }).expect(200);
    const after = await c.get(`/Users/${user.id}`).expect(200);
    expect(after.body.displayName).toBe('Jo');
    expect(tenant.journal.list({ method: 'GET', order: 'desc', limit: 1 })[0]!.responseBody).toEqual(after.body);
    encode.mockRestore();
  });

  it('kept bytes count against its bound with the texts', () => {
    const { tenant } = setUp();
    const cache = tenant.service.renders;
    const text = 'é'.repeat(cache.maxChars / 16);
    cache.set('a', text);
    const bytes = cache.bytes('a', text);
    expect(Buffer.from(bytes).toString('utf8')).toBe(text);
    // The same bytes for the same text; the text of another key is encoded without being kept.
    expect(cache.bytes('a', text)).toBe(bytes);
    expect(cache.bytes('missing', 'x')).toEqual(new TextEncoder().encode('x'));
    // Texts (1 unit a character) plus their bytes (2 each): 3/16 of the budget per key; 6 keys overflow it.
    for (const key of ['b', 'c', 'd', 'e', 'f']) {
      cache.set(key, text);
      cache.bytes(key, text);
    }
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBe(text);
    expect(cache.get('f')).toBe(text);
  });
});
