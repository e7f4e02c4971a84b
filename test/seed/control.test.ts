import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { Journal } from '../../src/journal/journal.js';
import { Scimulator } from '../../src/runtime.js';
import { HOST } from './helpers.js';

/** A fresh app; the control API is open (no control token). */
function app() {
  const runtime = new Scimulator();
  return { runtime, app: createApp(runtime) };
}

const createTenant = (a: ReturnType<typeof app>, body: unknown) => request(a.app).post('/_mock/tenants').set('Host', HOST).send(body as object);
const scimGet = (a: ReturnType<typeof app>, tenant: { id: string; token: string }, path: string) =>
  request(a.app).get(`/tenants/${tenant.id}/scim/v2${path}`).set('Host', HOST).set('Authorization', `Bearer ${tenant.token}`);

describe('POST /_mock/tenants seeds the new tenant', () => {
  it('generates { seed, users, groups }', async () => {
    const a = app();
    const res = await createTenant(a, { id: 'gen', seed: 5, users: 30, groups: 3 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const users = await scimGet(a, res.body, '/Users');
    expect(users.body.totalResults).toBe(30);
    expect((await scimGet(a, res.body, '/Groups')).body.totalResults).toBe(3);
    // deterministic: another tenant with the same spec has the same ids
    const again = await createTenant(a, { id: 'gen2', seed: 5, users: 30, groups: 3 });
    expect((await scimGet(a, again.body, '/Users')).body.Resources.map((u: { id: string }) => u.id)).toEqual(users.body.Resources.map((u: { id: string }) => u.id));
    // reset returns to the seed
    const tenant = a.runtime.tenant('gen')!;
    tenant.store.remove('User', users.body.Resources[0].id);
    expect((await request(a.app).post('/_mock/tenants/gen/reset')).status).toBe(200);
    expect((await scimGet(a, res.body, '/Users')).body.totalResults).toBe(30);
  });

  it('users alone use seed 1 and 8 groups; seed alone keeps an empty tenant', async () => {
    const a = app();
    const seeded = await createTenant(a, { users: 4 });
    expect((await scimGet(a, seeded.body, '/Groups')).body.totalResults).toBe(8);
    const plain = await createTenant(a, { seed: 3 });
    expect(plain.status).toBe(201);
    expect((await scimGet(a, plain.body, '/Users')).body.totalResults).toBe(0);
  });

  it('seedFile is a path on the server, relative to the working directory; the request profile and token win', async () => {
    const a = app();
    const res = await createTenant(a, { id: 'okta', seedFile: 'seeds/okta-like.json', users: 12 });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await scimGet(a, res.body, '/Users')).body.totalResults).toBe(12);
    expect((await request(a.app).get('/_mock/tenants/okta/config')).body.profile).toBe('okta');
    const overridden = await createTenant(a, { id: 'mine', seedFile: 'seeds/okta-like.json', users: 1, groups: 0, profile: 'rfc', token: 'tok-1' });
    expect(overridden.body.token).toBe('tok-1');
    const config = (await request(a.app).get('/_mock/tenants/mine/config')).body;
    expect(config.profile).toBe('rfc');
    expect(config.auth.token).toBe('tok-1');
  });

  it('answers the credentials of the tenant\'s auth mode: a token, Basic credentials, or the OAuth endpoint and client', async () => {
    const a = app();
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-control-'));
    const oauthFile = join(dir, 'oauth.json');
    writeFileSync(oauthFile, JSON.stringify({ options: { auth: { mode: 'oauth', clientId: 'acme-idp', clientSecret: 's3cret' } } }));
    const basicFile = join(dir, 'basic.json');
    writeFileSync(basicFile, JSON.stringify({ options: { auth: { mode: 'basic', basicUser: 'idp', basicPassword: 'pw' } } }));

    const bearer = await createTenant(a, { id: 'b' });
    expect(bearer.body).toEqual({ id: 'b', baseUrl: `http://${HOST}/tenants/b/scim/v2`, auth: 'bearer', token: expect.any(String) });
    expect((await scimGet(a, bearer.body, '/Users')).status).toBe(200);

    // A bearer token is no use to an OAuth tenant: it answers how to get one.
    const oauth = await createTenant(a, { id: 'o', seedFile: oauthFile });
    expect(oauth.status, JSON.stringify(oauth.body)).toBe(201);
    expect(oauth.body).toEqual({ id: 'o', baseUrl: `http://${HOST}/tenants/o/scim/v2`, auth: 'oauth', tokenEndpoint: `http://${HOST}/tenants/o/oauth/token`, clientId: 'acme-idp', clientSecret: 's3cret' });
    const grant = await request(a.app)
      .post(new URL(oauth.body.tokenEndpoint).pathname)
      .set('Host', HOST)
      .auth(oauth.body.clientId, oauth.body.clientSecret)
      .type('form')
      .send({ grant_type: 'client_credentials' });
    expect(grant.status, JSON.stringify(grant.body)).toBe(200);
    expect((await scimGet(a, { id: 'o', token: grant.body.access_token }, '/Users')).status).toBe(200);

    const basic = await createTenant(a, { id: 'p', seedFile: basicFile });
    expect(basic.body).toEqual({ id: 'p', baseUrl: `http://${HOST}/tenants/p/scim/v2`, auth: 'basic', basicUser: 'idp', basicPassword: 'pw' });
    const users = await request(a.app).get('/tenants/p/scim/v2/Users').set('Host', HOST).auth(basic.body.basicUser, basic.body.basicPassword);
    expect(users.status).toBe(200);
  });

  it('errors are 400 and name the field; nothing is created', async () => {
    const a = app();
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-control-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ generate: { users: 'many', groups: 1 } }));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ groups: [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ userName: 'ghost' }] }] }));
    const cases: Array<[unknown, string, string]> = [
      [{ users: -1 }, 'users', 'users must be a non-negative integer.'],
      [{ groups: 'x' }, 'groups', 'groups must be a non-negative integer.'],
      [{ users: 2_000_000 }, 'users', 'users must be an integer from 0 to 1000000, got 2000000.'],
      [{ seedFile: '' }, 'seedFile', 'seedFile must be a non-empty path.'],
      [{ seedFile: join(dir, 'nope.json') }, 'seedFile', `seedFile: ${join(dir, 'nope.json')}: /: no such file: looked for ${join(dir, 'nope.json')}; check the file name`],
      [{ seedFile: 'nope.json' }, 'seedFile', `seedFile: nope.json: /: no such file: looked for ${join(process.cwd(), 'nope.json')} (a relative path is read from the working directory, ${process.cwd()}); run scimulator from the directory the path is relative to, or give an absolute path`],
      [{ seedFile: bad }, 'seedFile', `seedFile: ${bad}: /generate/users: must be a non-negative integer`],
      [{ seedFile: broken }, 'seedFile', `seedFile: ${broken}: /groups/0/members/0: there is no user with userName "ghost" (literal users and generated ones are searched)`],
    ];
    for (const [body, field, error] of cases) {
      const res = await createTenant(a, { id: 'x', ...(body as object) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body).toEqual({ error, field });
    }
    expect((await request(a.app).get('/_mock/tenants')).body.tenants.map((t: { id: string }) => t.id)).toEqual(['default']);
    const unknown = await createTenant(a, { size: 3 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toContain('allowed: id, seed, token, profile, persona, me, users, groups, seedFile.');
  });

  it('a persona that does not fit the seed file\'s options is refused before seeding, and the tenant it began is closed', async () => {
    const a = app();
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-control-'));
    const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
    // Slack's default page size (10) with maxPageSize 50: under persona zoom defaultPageSize falls back to 100 > 50.
    const options = { persona: 'slack', defaultPageSize: 10, maxPageSize: 50 };
    const file = join(dir, 'slack-50.json');
    writeFileSync(file, JSON.stringify({ options, generate: { seed: 1, users: 3, groups: 0 } }));
    // The same options and a directory that cannot be built (a userName twice): the refusal comes first.
    const unbuildable = join(dir, 'unbuildable.json');
    writeFileSync(unbuildable, JSON.stringify({ options, users: [{ schemas: [USER], userName: 'a@x.example' }, { schemas: [USER], userName: 'A@x.example' }] }));
    const close = vi.spyOn(Journal.prototype, 'close');
    try {
      for (const seedFile of [file, unbuildable]) {
        close.mockClear();
        const res = await createTenant(a, { id: 'zoomed', seedFile, persona: 'zoom' });
        expect(res.status, JSON.stringify(res.body)).toBe(400);
        expect(res.body.field).toBe('persona');
        expect(res.body.error).toContain(`persona "zoom" and the options of seedFile ${seedFile} do not fit together: defaultPageSize must not exceed maxPageSize`);
        expect(close).toHaveBeenCalledTimes(1);
      }
    } finally {
      close.mockRestore();
    }
    expect((await request(a.app).get('/_mock/tenants')).body.tenants.map((t: { id: string }) => t.id)).toEqual(['default']);
    // The seed file alone, or with its own persona named again, is fine; the id was freed.
    expect((await createTenant(a, { id: 'zoomed', seedFile: file })).status).toBe(201);
    expect((await createTenant(a, { id: 'sized', seedFile: file, persona: 'slack' })).status).toBe(201);
    // aws's page sizes (100 / 100) fit together, but would replace the file's 10 / 50 without a word: refused too.
    const aws = await createTenant(a, { id: 'aws', seedFile: file, persona: 'aws' });
    expect(aws.status).toBe(400);
    expect(aws.body.error).toContain('they set defaultPageSize 10 and maxPageSize 50 with persona slack, which persona aws would replace with defaultPageSize 100 and maxPageSize 100');
  });
});

describe('POST /_mock/tenants: a persona over the page sizes of a seed file', () => {
  it('the request\'s persona replacing the file\'s page sizes is refused, naming both values; sizes the persona keeps are fine', async () => {
    const a = app();
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-control-'));
    const file = join(dir, 'slack-25.json');
    writeFileSync(file, JSON.stringify({ options: { persona: 'slack', defaultPageSize: 25, maxPageSize: 200 }, generate: { seed: 1, users: 3, groups: 0 } }));
    const res = await createTenant(a, { id: 'gh', seedFile: file, persona: 'github' });
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body).toEqual({
      field: 'persona',
      error: `persona "github" and the options of seedFile ${file} do not fit together: they set defaultPageSize 25 and maxPageSize 200 with persona slack, which persona github would replace with defaultPageSize 30 and maxPageSize 1000; leave persona out of the request (or name it in the file's options, whose page sizes then stay), or leave the page sizes out of the file.`,
    });
    expect((await request(a.app).get('/_mock/tenants')).body.tenants.map((t: { id: string }) => t.id)).toEqual(['default']);
    // The file's own persona, or the same one named again: its page sizes stay.
    for (const [id, body] of [['own', {}], ['same', { persona: 'slack' }]] as const) {
      expect((await createTenant(a, { id, seedFile: file, ...body })).status).toBe(201);
      expect((await request(a.app).get(`/_mock/tenants/${id}/config`)).body).toMatchObject({ persona: 'slack', defaultPageSize: 25, maxPageSize: 200 });
    }
    // A file that sets page sizes and no persona: its sizes are the tenant's own settings and win over the persona's.
    const sized = join(dir, 'sized.json');
    writeFileSync(sized, JSON.stringify({ options: { defaultPageSize: 25, maxPageSize: 200 } }));
    expect((await createTenant(a, { id: 'aws', seedFile: sized, persona: 'aws' })).status).toBe(201);
    expect((await request(a.app).get('/_mock/tenants/aws/config')).body).toMatchObject({ persona: 'aws', defaultPageSize: 25, maxPageSize: 200 });
  });
});

describe('POST /_mock/tenants with a large directory', () => {
  it('keeps serving other tenants while it seeds, and the new tenant is unreachable until it is complete', async () => {
    const a = app();
    const auth = { Authorization: 'Bearer scimulator-dev-token', Host: HOST };
    // What POST /_mock/tenants runs; its first slice starts before the next turn of the event loop.
    let answered = false;
    const creating = a.runtime.createTenantFromSpec({ id: 'big', seed: 3, users: 20_000, groups: 40 }).then((tenant) => {
      answered = true;
      return tenant;
    });
    await new Promise((resolve) => setImmediate(resolve));
    // The id is taken while it seeds.
    const conflict = await createTenant(a, { id: 'big' });
    expect(answered, 'the 20,000-user tenant was seeded before a second request could be served').toBe(false);
    expect(conflict.status).toBe(409);

    // While it seeds: the default tenant answers, and the new tenant is neither listed nor served.
    let servedMeanwhile = 0;
    let sawBig = false;
    while (!answered) {
      const [users, list, big] = await Promise.all([
        request(a.app).get('/scim/v2/Users?count=1').set(auth),
        request(a.app).get('/_mock/tenants').set('Host', HOST),
        request(a.app).get('/tenants/big/scim/v2/Users?count=1').set(auth),
      ]);
      if (answered) break; // these may have been answered after the seeding finished
      expect(users.status).toBe(200);
      sawBig ||= list.body.tenants.some((t: { id: string }) => t.id === 'big') || big.status !== 404;
      servedMeanwhile++;
    }
    expect(servedMeanwhile).toBeGreaterThan(0);
    expect(sawBig).toBe(false);

    const tenant = await creating;
    const big = { id: tenant.id, token: tenant.auth.token };
    expect((await scimGet(a, big, '/Users?count=1')).body.totalResults).toBe(20_000);
    expect((await scimGet(a, big, '/Groups?count=1')).body.totalResults).toBe(40);
    expect((await request(a.app).get('/_mock/tenants').set('Host', HOST)).body.tenants.map((t: { id: string }) => t.id)).toEqual(['default', 'big']);
  });

  it('a failed seeding frees the id', async () => {
    const a = app();
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-control-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ generate: { users: 2000, groups: 0 }, groups: [{ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'G', members: [{ userName: 'ghost' }] }] }));
    const res = await createTenant(a, { id: 'again', seedFile: broken });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('seedFile');
    expect((await createTenant(a, { id: 'again', users: 3 })).status).toBe(201);
  });
});
