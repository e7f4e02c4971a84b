/**
 * OAuth 2.0 client credentials (RFC 6749 section 4.4) and bearer token errors (RFC 6750 section 3.1), with tokens
 * living on the tenant clock (frozen here: expiry without sleeping).
 */
import { describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp, runtimeOf } from '../../src/http/app.js';
import { parseScenario } from '../../src/seed/scenario.js';
import { TEST_HOST } from './helpers.js';

const T0 = '2030-01-01T00:00:00.000Z';
const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;

async function setup(auth: Record<string, unknown> = { mode: 'oauth', clientId: 'okta-connector', clientSecret: 's3cret!', tokenLifetime: 60 }) {
  const app = createApp();
  const tenant = runtimeOf(app).defaultTenant;
  tenant.clock.freeze(Date.parse(T0));
  const patched = await request(app).patch('/_mock/config').send({ auth });
  expect(patched.status).toBe(200);
  const tokenRequest = (form: string, authorization?: string, path = '/oauth/token') => {
    const req = request(app).post(path).set('Host', TEST_HOST).set('Content-Type', 'application/x-www-form-urlencoded');
    return (authorization ? req.set('Authorization', authorization) : req).send(form);
  };
  const users = (token?: string, prefix = '') => {
    const req = request(app).get(`${prefix}/scim/v2/Users`).set('Host', TEST_HOST);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };
  const advance = async (ms: number) => expect((await request(app).post('/_mock/clock').send({ advance: ms })).status).toBe(200);
  return { app, tenant, tokenRequest, users, advance };
}

describe('OAuth 2.0 client credentials', () => {
  it('a token works until its lifetime passes on the frozen clock, then 401 invalid_token; a new token works', async () => {
    const { tokenRequest, users, advance } = await setup();
    const missing = await users();
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="scimulator"');

    const issued = await tokenRequest('grant_type=client_credentials', basic('okta-connector', 's3cret!'));
    expect(issued.status).toBe(200);
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.headers['pragma']).toBe('no-cache');
    expect(issued.headers['content-type']).toMatch(/^application\/json/);
    expect(issued.body).toEqual({ access_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), token_type: 'Bearer', expires_in: 60 });
    const first = issued.body.access_token as string;

    expect((await users(first)).status).toBe(200);
    await advance(59_999);
    expect((await users(first)).status).toBe(200);
    await advance(1);
    const expired = await users(first);
    expect(expired.status).toBe(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer realm="scimulator", error="invalid_token", error_description="The access token expired"');
    expect(JSON.parse(expired.text)).toMatchObject({ status: '401', detail: expect.stringMatching(/expired at 2030-01-01T00:01:00.000Z; request a new one/) });

    // Client credentials in the body (RFC 6749 section 2.3.1) work as well.
    const renewed = await tokenRequest(`grant_type=client_credentials&client_id=okta-connector&client_secret=${encodeURIComponent('s3cret!')}`);
    expect(renewed.status).toBe(200);
    expect(renewed.body.access_token).not.toBe(first);
    expect((await users(renewed.body.access_token)).status).toBe(200);
    expect((await users('made-up')).headers['www-authenticate']).toMatch(/error="invalid_token", error_description="The access token is not valid/);
    // The static token of bearer mode is not a token of oauth mode.
    expect((await users('scimulator-dev-token')).status).toBe(401);
  });

  it('ServiceProviderConfig advertises the bearer scheme the access tokens are sent with (RFC 7643 section 5)', async () => {
    const { app, tokenRequest } = await setup();
    const issued = await tokenRequest('grant_type=client_credentials', basic('okta-connector', 's3cret!'));
    const spc = await request(app).get('/scim/v2/ServiceProviderConfig').set('Host', TEST_HOST).set('Authorization', `Bearer ${issued.body.access_token}`);
    expect(spc.status).toBe(200);
    // "authenticationSchemes ... REQUIRED": an empty list tells a client that reads it nothing about how to authenticate.
    expect(spc.body.authenticationSchemes).toEqual([
      expect.objectContaining({ type: 'oauthbearertoken', primary: true, specUri: 'https://www.rfc-editor.org/info/rfc6750' }),
    ]);
  });

  it('a wrong secret is 401 invalid_client at the token endpoint, with a Basic challenge', async () => {
    const { tokenRequest } = await setup();
    for (const res of [
      await tokenRequest('grant_type=client_credentials', basic('okta-connector', 'wrong')),
      await tokenRequest('grant_type=client_credentials&client_id=okta-connector&client_secret=wrong'),
      await tokenRequest('grant_type=client_credentials', basic('someone-else', 's3cret!')),
      await tokenRequest('grant_type=client_credentials'),
    ]) {
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('invalid_client');
      expect(typeof res.body.error_description).toBe('string');
      expect(res.headers['www-authenticate']).toBe('Basic realm="scimulator", charset="UTF-8"');
      expect(res.headers['cache-control']).toBe('no-store');
    }
  });

  it('Basic credentials are form-decoded (RFC 6749 section 2.3.1)', async () => {
    const { tokenRequest } = await setup({ mode: 'oauth', clientId: 'my client', clientSecret: 'a:b+c%', tokenLifetime: 60 });
    const res = await tokenRequest('grant_type=client_credentials', basic('my+client', 'a%3Ab%2Bc%25'));
    expect(res.status).toBe(200);
  });

  it('malformed token requests get the RFC 6749 section 5.2 error naming what to fix', async () => {
    const { app, tokenRequest } = await setup();
    const auth = basic('okta-connector', 's3cret!');
    const cases: Array<[request.Test | Promise<request.Response>, number, string, RegExp]> = [
      [tokenRequest('', auth), 400, 'invalid_request', /grant_type is missing/],
      [tokenRequest('grant_type=password&username=a&password=b', auth), 400, 'unsupported_grant_type', /client_credentials/],
      [tokenRequest('grant_type=client_credentials&grant_type=client_credentials', auth), 400, 'invalid_request', /more than once/],
      [tokenRequest('grant_type=client_credentials&client_id=okta-connector&client_secret=s3cret!', auth), 400, 'invalid_request', /authenticated twice/],
      [request(app).post('/oauth/token').set('Authorization', auth).send({ grant_type: 'client_credentials' }), 400, 'invalid_request', /form-encoded.*application\/json/],
      [request(app).get('/oauth/token'), 405, 'invalid_request', /POST only/],
    ];
    for (const [pending, status, error, description] of cases) {
      const res = await pending;
      expect(res.status, res.text).toBe(status);
      expect(res.body.error, res.text).toBe(error);
      expect(res.body.error_description, res.text).toMatch(description);
    }
  });

  it('the request limits apply to the token endpoint, each answered invalid_request naming its flag (README "Limits")', async () => {
    const { tokenRequest } = await setup();
    const auth = basic('okta-connector', 's3cret!');
    const params = Array.from({ length: 101 }, (_, i) => `p${i}=1`).join('&');
    const cases: Array<[request.Test, number, RegExp]> = [
      [tokenRequest(`grant_type=client_credentials&${params}`, auth), 400, /more than 100 parameters.*--max-query-params/],
      [tokenRequest('grant_type=client_credentials', auth, `/oauth/token?${params}`), 400, /101 query parameters.*--max-query-params/],
      [tokenRequest('grant_type=client_credentials', auth, `/oauth/token?x=${'a'.repeat(8200)}`), 414, /--max-url-length/],
    ];
    for (const [pending, status, description] of cases) {
      const res = await pending;
      expect(res.status, res.text).toBe(status);
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.body.error, res.text).toBe('invalid_request');
      expect(res.body.error_description, res.text).toMatch(description);
    }
  });

  it('a tenant id with a malformed percent-encoding gets the token endpoint\'s error shape, not a SCIM error', async () => {
    const { tokenRequest } = await setup();
    const res = await tokenRequest('grant_type=client_credentials', basic('okta-connector', 's3cret!'), '/tenants/%E0%A4%A/oauth/token');
    expect(res.status, res.text).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/"\/tenants\/%E0%A4%A\/oauth\/token" has a malformed percent-encoding/) });
  });

  it('a tenant that does not use OAuth answers unauthorized_client; another tenant has its own endpoint and tokens', async () => {
    const bearerApp = createApp();
    const refused = await request(bearerApp)
      .post('/oauth/token')
      .type('form')
      .set('Authorization', basic('scimulator', 'scimulator-dev-secret'))
      .send('grant_type=client_credentials');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: 'unauthorized_client', error_description: expect.stringMatching(/auth.mode is bearer/) });

    const { app, tokenRequest, users } = await setup();
    await request(app).post('/_mock/tenants').send({ id: 'acme' });
    const patched = await request(app).patch('/_mock/tenants/acme/config').send({ auth: { mode: 'oauth', clientId: 'acme', clientSecret: 'acme-secret' } });
    expect(patched.body.auth).toMatchObject({ mode: 'oauth', clientId: 'acme', tokenLifetime: 3600 });
    const acme = await tokenRequest('grant_type=client_credentials', basic('acme', 'acme-secret'), '/tenants/acme/oauth/token');
    expect(acme.status).toBe(200);
    expect(acme.body.expires_in).toBe(3600);
    expect((await users(acme.body.access_token, '/tenants/acme')).status).toBe(200);
    expect((await users(acme.body.access_token)).status).toBe(401);
    // The default tenant's credentials are not acme's.
    expect((await tokenRequest('grant_type=client_credentials', basic('okta-connector', 's3cret!'), '/tenants/acme/oauth/token')).status).toBe(401);
    const unknown = await tokenRequest('grant_type=client_credentials', basic('acme', 'acme-secret'), '/tenants/nope/oauth/token');
    expect(unknown.status).toBe(404);
  });

  it('control API: GET /oauth shows the settings and token counts, DELETE /oauth/tokens revokes them all; the lifetime is config', async () => {
    const { app, tokenRequest, users, advance } = await setup();
    const auth = basic('okta-connector', 's3cret!');
    const a = (await tokenRequest('grant_type=client_credentials', auth)).body.access_token;
    await advance(60_000);
    const b = (await tokenRequest('grant_type=client_credentials', auth)).body.access_token;
    const info = await request(app).get('/_mock/oauth').set('Host', TEST_HOST);
    expect(info.body).toEqual({
      mode: 'oauth',
      tokenEndpoint: `http://${TEST_HOST}/oauth/token`,
      clientId: 'okta-connector',
      tokenLifetime: 60,
      activeTokens: 1,
      expiredTokens: 1,
    });
    expect((await users(b)).status).toBe(200);
    const revoked = await request(app).delete('/_mock/oauth/tokens');
    expect(revoked.body).toEqual({ revoked: 1 });
    const after = await users(b);
    expect(after.status).toBe(401);
    expect(after.headers['www-authenticate']).toMatch(/error="invalid_token"/);
    expect((await users(a)).status).toBe(401);

    // Lifetime: PATCH /config; tokens issued before keep theirs.
    await request(app).patch('/_mock/config').send({ auth: { tokenLifetime: 5 } });
    const short = await tokenRequest('grant_type=client_credentials', auth);
    expect(short.body.expires_in).toBe(5);
    await advance(5_000);
    expect((await users(short.body.access_token)).status).toBe(401);
    for (const [patch, field] of [
      [{ tokenLifetime: 0 }, 'auth.tokenLifetime'],
      [{ tokenLifetime: 1.5 }, 'auth.tokenLifetime'],
      [{ mode: 'oauth2' }, 'auth.mode'],
      [{ clientSecret: '' }, 'auth.clientSecret'],
    ] as const) {
      const res = await request(app).patch('/_mock/config').send({ auth: patch });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe(field);
    }
  });

  it('token requests are journaled with the secret, the Authorization header and the issued token redacted', async () => {
    const { tenant, tokenRequest } = await setup();
    const issued = await tokenRequest('grant_type=client_credentials&client_id=okta-connector&client_secret=s3cret!');
    await tokenRequest('grant_type=client_credentials', basic('okta-connector', 'wrong'));
    // Credentials in the URL (RFC 6749 section 2.3.1 forbids it) are refused, and redacted from the journal too.
    const inUrl = await tokenRequest('', undefined, '/oauth/token?grant_type=client_credentials&client_id=okta-connector&client_secret=s3cret!&access_token=tok3n');
    expect(inUrl.status).toBe(400);
    expect(inUrl.body).toEqual({ error: 'invalid_request', error_description: expect.stringMatching(/never in the URL.*grant_type, client_id, client_secret/) });
    const entries = tenant.journal.find({ operation: 'token' });
    expect(entries).toHaveLength(3);
    expect(entries[2]!.query).toEqual({ grant_type: 'client_credentials', client_id: 'okta-connector', client_secret: '[REDACTED]', access_token: '[REDACTED]' });
    expect(entries[0]).toMatchObject({
      method: 'POST',
      path: '/oauth/token',
      relativePath: '/oauth/token',
      status: 200,
      requestBody: { grant_type: 'client_credentials', client_id: 'okta-connector', client_secret: '[REDACTED]' },
      responseBody: { access_token: '[REDACTED]', token_type: 'Bearer', expires_in: 60 },
    });
    expect(entries[1]!.requestHeaders.authorization).toBe('Basic [REDACTED]');
    expect(entries[1]!.status).toBe(401);
    const exported = tenant.journal.toNdjson() + JSON.stringify(tenant.journal.toHar());
    expect(exported).not.toContain('s3cret');
    expect(exported).not.toContain(issued.body.access_token);
    expect(exported).not.toContain('tok3n');
  });

  it('fault rules reach the token endpoint: a 503 on operation token, then recovery', async () => {
    const { app, tokenRequest } = await setup();
    await request(app).post('/_mock/faults').send({ match: { operation: 'token' }, times: 1, action: { type: 'error', status: 503 } });
    const down = await tokenRequest('grant_type=client_credentials', basic('okta-connector', 's3cret!'));
    expect(down.status).toBe(503);
    expect(down.headers['retry-after']).toBe('1');
    expect((await tokenRequest('grant_type=client_credentials', basic('okta-connector', 's3cret!'))).status).toBe(200);

    // A token issued but its answer lost: the journal keeps the committed answer, without the token.
    await request(app).post('/_mock/faults').send({ match: { operation: 'token' }, times: 1, action: { type: 'error', status: 502, phase: 'after' } });
    const lost = await tokenRequest('grant_type=client_credentials', basic('okta-connector', 's3cret!'));
    expect(lost.status).toBe(502);
    const entry = runtimeOf(app).defaultTenant.journal.find({ operation: 'token', status: 502 })[0]!;
    expect(entry.committed!.status).toBe(200);
    expect(entry.committed!.responseBody).toEqual({ access_token: '[REDACTED]', token_type: 'Bearer', expires_in: 60 });
    expect((await request(app).get('/_mock/oauth')).body.activeTokens).toBe(2); // the 503 came before the grant, the 502 after it
  });

  it('scenario files set OAuth like PATCH /config, with the same checks', () => {
    const ok = parseScenario({ options: { auth: { mode: 'oauth', clientId: 'entra', clientSecret: 'x', tokenLifetime: 30 } } }, 'oauth.json');
    expect(ok.options).toEqual({ auth: { mode: 'oauth', clientId: 'entra', clientSecret: 'x', tokenLifetime: 30 } });
    expect(() => parseScenario({ options: { auth: { mode: 'oauth', tokenLifetime: 0 } } }, 'oauth.json')).toThrow('oauth.json: /options/auth/tokenLifetime: must be');
    expect(() => parseScenario({ options: { auth: { clientSecret: '' } } }, 'oauth.json')).toThrow('oauth.json: /options/auth/clientSecret:');
  });
});
