import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { USER_SCHEMA, expectScimError } from './helpers.js';

describe('/Me (RFC 7644 section 3.11)', () => {
  it('is 501 when no User is bound to the token', async () => {
    const app = createApp({ auth: 'none' });
    expectScimError(await request(app).get('/scim/v2/Me'), 501);
  });

  it('reads, replaces, patches and deletes the bound User of a tenant token', async () => {
    const app = createApp();
    const tenant = await request(app).post('/_mock/tenants').send({ id: 'me', token: 'me-token', me: 'barbara' });
    expect(tenant.status).toBe(201);
    const auth = { Authorization: 'Bearer me-token' };
    expectScimError(await request(app).get('/tenants/me/scim/v2/Me').set(auth), 404);

    const created = await request(app).post('/tenants/me/scim/v2/Users').set(auth).set('Content-Type', 'application/scim+json')
      .send(JSON.stringify({ schemas: [USER_SCHEMA], userName: 'Barbara' }));
    expect(created.status).toBe(201);

    const me = await request(app).get('/tenants/me/scim/v2/Me').set(auth).set('Host', 'scim.test');
    expect(me.status).toBe(200);
    expect(me.body.id).toBe(created.body.id);
    expect(me.body.meta.location).toBe(`http://scim.test/tenants/me/scim/v2/Users/${created.body.id}`);

    const replaced = await request(app).put('/tenants/me/scim/v2/Me').set(auth).set('Content-Type', 'application/scim+json')
      .send(JSON.stringify({ schemas: [USER_SCHEMA], userName: 'barbara', title: 'Tour Guide' }));
    expect(replaced.status).toBe(200);
    expect(replaced.body.title).toBe('Tour Guide');

    const patched = await request(app).patch('/tenants/me/scim/v2/Me').set(auth).set('Content-Type', 'application/scim+json')
      .send(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'title', value: 'Pilot' }] }));
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: created.body.id, title: 'Pilot' });
    // Conditional requests work on /Me as on /Users/{id}: 304 for a matching If-None-Match on GET, 412 on a write.
    const etag = patched.headers.etag as string;
    expect((await request(app).get('/tenants/me/scim/v2/Me').set(auth).set('If-None-Match', etag)).status).toBe(304);
    expectScimError(await request(app).delete('/tenants/me/scim/v2/Me').set(auth).set('If-None-Match', etag), 412);

    expectScimError(await request(app).post('/tenants/me/scim/v2/Me').set(auth).set('Content-Type', 'application/scim+json').send('{}'), 501);
    expect((await request(app).delete('/tenants/me/scim/v2/Me').set(auth)).status).toBe(204);
    expect((await request(app).get(`/tenants/me/scim/v2/Users/${created.body.id}`).set(auth)).status).toBe(404);
  });

  it('can be bound through the config', async () => {
    const app = createApp({ auth: 'none' });
    await request(app).post('/scim/v2/Users').set('Content-Type', 'application/scim+json').send(JSON.stringify({ schemas: [USER_SCHEMA], userName: 'ops' }));
    expect((await request(app).patch('/_mock/config').send({ auth: { me: 'ops' } })).status).toBe(200);
    expect((await request(app).get('/scim/v2/Me')).body.userName).toBe('ops');
    expect((await request(app).patch('/_mock/config').send({ auth: { me: null } })).status).toBe(200);
    expect((await request(app).get('/scim/v2/Me')).status).toBe(501);
  });
});
