/**
 * A switch to Basic through the control API names its credentials, as `--auth basic` needs --basic-user and
 * --basic-password: there are no built-in Basic credentials a client could guess.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';

const basic = (user: string, password: string) => 'Basic ' + Buffer.from(`${user}:${password}`).toString('base64');

describe('PATCH /_mock/config auth.mode "basic"', () => {
  it('without both credentials is 400 naming the missing one, and changes nothing', async () => {
    const app = createApp();
    const none = await request(app).patch('/_mock/config').send({ auth: { mode: 'basic' } });
    expect(none.status).toBe(400);
    expect(none.body.field).toBe('auth.basicUser');
    expect(none.body.error).toContain('--auth basic needs --basic-user and --basic-password');
    const half = await request(app).patch('/_mock/config').send({ auth: { mode: 'basic', basicUser: 'idp' } });
    expect(half.status).toBe(400);
    expect(half.body.field).toBe('auth.basicPassword');
    expect((await request(app).get('/_mock/config')).body.auth.mode).toBe('bearer');
    // The credentials a switch without them used to install do not open the directory.
    expect((await request(app).get('/scim/v2/Users').set('Authorization', basic('scim', 'scim'))).status).toBe(401);
  });

  it('with both is taken; later changes of a Basic tenant may leave them out', async () => {
    const app = createApp();
    expect((await request(app).patch('/_mock/config').send({ auth: { mode: 'basic', basicUser: 'idp', basicPassword: 'pw' } })).status).toBe(200);
    expect((await request(app).get('/scim/v2/Users').set('Authorization', basic('idp', 'pw'))).status).toBe(200);
    // Already Basic: a new password alone, or the mode repeated, keeps the user.
    expect((await request(app).patch('/_mock/config').send({ auth: { mode: 'basic', basicPassword: 'pw2' } })).status).toBe(200);
    expect((await request(app).get('/scim/v2/Users').set('Authorization', basic('idp', 'pw2'))).status).toBe(200);
  });
});
