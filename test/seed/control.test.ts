import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
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
      [{ seedFile: join(dir, 'nope.json') }, 'seedFile', `seedFile: ${join(dir, 'nope.json')}: /: no such file`],
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
});
