import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp, runtimeOf } from '../../src/http/app.js';
import { AUTH, USER_SCHEMA, expectScimError } from '../http/helpers.js';

const user = (userName: string) => JSON.stringify({ schemas: [USER_SCHEMA], userName });
const post = (app: ReturnType<typeof createApp>, path: string, token: string, body: string) =>
  request(app).post(path).set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/scim+json').send(body);

describe('control API', () => {
  it('health answers with version and uptime', async () => {
    const res = await request(createApp()).get('/_mock/health');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', version: expect.stringMatching(/^\d+\.\d+\.\d+/), uptimeMs: expect.any(Number) });
  });

  it('tenants are isolated: own store, own token, own journal', async () => {
    const app = createApp();
    const [a, b] = await Promise.all([
      request(app).post('/_mock/tenants').send({ id: 'alpha', seed: 1 }),
      request(app).post('/_mock/tenants').send({ id: 'beta', seed: 2 }),
    ]);
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({ id: 'alpha', baseUrl: expect.stringMatching(/\/tenants\/alpha\/scim\/v2$/), token: expect.any(String) });
    expect(b.body.token).not.toBe(a.body.token);

    const created = await post(app, '/tenants/alpha/scim/v2/Users', a.body.token, user('only-in-alpha'));
    expect(created.status).toBe(201);
    expect(created.body.meta.location).toMatch(/\/tenants\/alpha\/scim\/v2\/Users\//);
    const inBeta = await request(app).get('/tenants/beta/scim/v2/Users').set('Authorization', `Bearer ${b.body.token}`);
    expect(inBeta.body.totalResults).toBe(0);
    const inDefault = await request(app).get('/scim/v2/Users').set(AUTH);
    expect(inDefault.body.totalResults).toBe(0);

    expectScimError(await request(app).get('/tenants/beta/scim/v2/Users').set('Authorization', `Bearer ${a.body.token}`), 401);
    expectScimError(await request(app).get('/tenants/nope/scim/v2/Users').set(AUTH), 404);

    const journalA = await request(app).get('/_mock/tenants/alpha/requests');
    expect(journalA.body.requests.map((r: any) => r.operation)).toEqual(['create']);
    const journalB = await request(app).get('/_mock/tenants/beta/requests');
    expect(journalB.body.requests.map((r: any) => r.operation)).toEqual(['list', 'list']);

    const list = await request(app).get('/_mock/tenants');
    expect(list.body.tenants.map((t: any) => t.id)).toEqual(['default', 'alpha', 'beta']);
    expect((await request(app).delete('/_mock/tenants/beta')).status).toBe(204);
    expect((await request(app).get('/tenants/beta/scim/v2/Users').set('Authorization', `Bearer ${b.body.token}`)).status).toBe(404);
  });

  it('two tenants created in parallel with different seeds serve different directories', async () => {
    const app = createApp();
    const [one, two, again] = await Promise.all([
      request(app).post('/_mock/tenants').send({ id: 'seed-a', seed: 11, users: 20, groups: 2 }),
      request(app).post('/_mock/tenants').send({ id: 'seed-b', seed: 12, users: 20, groups: 2 }),
      request(app).post('/_mock/tenants').send({ id: 'seed-c', seed: 11, users: 20, groups: 2 }),
    ]);
    const users = async (t: { body: { id: string; token: string } }) =>
      (await request(app).get(`/tenants/${t.body.id}/scim/v2/Users?count=20&attributes=userName`).set('Authorization', `Bearer ${t.body.token}`)).body.Resources.map((u: any) => `${u.id} ${u.userName}`);
    const [a, b, c] = await Promise.all([users(one), users(two), users(again)]);
    expect(a).toHaveLength(20);
    expect(b).toHaveLength(20);
    expect(a.filter((x: string) => b.includes(x))).toEqual([]);
    expect(c).toEqual(a); // the same seed gives the same directory, ids included
  });

  it('bad control requests name the field', async () => {
    const app = createApp();
    const res = await request(app).patch('/_mock/config').send({ defaultPageSize: -1 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: expect.stringContaining('defaultPageSize'), field: 'defaultPageSize' });
    const unknown = await request(app).patch('/_mock/config').send({ colour: 'red' });
    expect(unknown.body.field).toBe('colour');
    const badTenant = await request(app).post('/_mock/tenants').send({ id: 'has space' });
    expect(badTenant.status).toBe(400);
    expect((await request(app).post('/_mock/tenants').send({ id: 'default' })).status).toBe(409);
    const polluted = await request(app).patch('/_mock/config').set('Content-Type', 'application/json').send('{"__proto__": {"polluted": true}}');
    expect(polluted.status).toBe(400);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('config changes take effect: auth token and group displayName uniqueness', async () => {
    const app = createApp();
    const res = await request(app).patch('/_mock/config').send({ auth: { token: 'rotated' }, groupDisplayNameUnique: true });
    expect(res.status).toBe(200);
    expect(res.body.auth.token).toBe('rotated');
    expectScimError(await request(app).get('/scim/v2/Users').set(AUTH), 401);
    const group = JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Ops' });
    expect((await post(app, '/scim/v2/Groups', 'rotated', group)).status).toBe(201);
    expectScimError(await post(app, '/scim/v2/Groups', 'rotated', group), 409, 'uniqueness');
  });

  it('a Basic user-id with a colon (which no client could ever send, RFC 7617 section 2) is refused', async () => {
    expect(() => createApp({ auth: 'basic', basicUser: 'ops:team', basicPassword: 'pw' })).toThrow(/--basic-user must not contain ":"/);
    const app = createApp();
    const res = await request(app).patch('/_mock/config').send({ auth: { mode: 'basic', basicUser: 'ops:team', basicPassword: 'pw' } });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'auth.basicUser must not contain ":" (RFC 7617 section 2: the user-id ends at the first colon).', field: 'auth.basicUser' });
    expect((await request(app).get('/_mock/config')).body.auth.mode).toBe('bearer');
    // A colon in the password is fine: only the first one separates.
    expect((await request(app).patch('/_mock/config').send({ auth: { mode: 'basic', basicUser: 'ops', basicPassword: 'a:b' } })).status).toBe(200);
    const basic = 'Basic ' + Buffer.from('ops:a:b').toString('base64');
    expect((await request(app).get('/scim/v2/Users').set('Authorization', basic)).status).toBe(200);
  });

  it('a long-poll on a tenant deleted while it waits is answered 404, not an internal error', async () => {
    const app = createApp();
    expect((await request(app).post('/_mock/tenants').send({ id: 'gone' })).status).toBe(201);
    const pending = request(app).get('/_mock/tenants/gone/requests/wait?timeoutMs=30000').then((r) => r);
    // Deleted once the wait is really pending (after a fixed sleep, a loaded machine may not have started it yet).
    const journal = runtimeOf(app).tenants.get('gone')!.journal;
    await expect.poll(() => journal.pendingWaits, { timeout: 10_000 }).toBe(1);
    expect((await request(app).delete('/_mock/tenants/gone')).status).toBe(204);
    const res = await pending;
    expect(res.status).toBe(404);
    expect(res.body.error).toMatch(/deleted while waiting/);
  });

  it('bulk limits are runtime options and ServiceProviderConfig follows them', async () => {
    const app = createApp();
    expect((await request(app).patch('/_mock/config').send({ bulkMaxOperations: 3, bulkMaxPayload: 4096 })).status).toBe(200);
    const spc = await request(app).get('/scim/v2/ServiceProviderConfig').set(AUTH);
    expect(spc.body.bulk).toEqual({ supported: true, maxOperations: 3, maxPayloadSize: 4096 });
    expect((await request(app).patch('/_mock/config').send({ bulkMaxOperations: 0 })).body.field).toBe('bulkMaxOperations');
  });

  it('the clock can be frozen and advanced; meta timestamps follow it', async () => {
    const app = createApp();
    expect((await request(app).post('/_mock/clock').send({ freeze: '2030-01-02T03:04:05Z' })).body).toEqual({ now: '2030-01-02T03:04:05.000Z', frozen: true });
    const created = await post(app, '/scim/v2/Users', 'scimulator-dev-token', user('timed'));
    expect(created.body.meta.created).toBe('2030-01-02T03:04:05.000Z');
    await request(app).post('/_mock/clock').send({ advance: 60_000 });
    const replaced = await request(app).put(`/scim/v2/Users/${created.body.id}`).set(AUTH).set('Content-Type', 'application/scim+json').send(user('timed'));
    expect(replaced.body.meta.lastModified).toBe('2030-01-02T03:05:05.000Z');
    const real = await request(app).post('/_mock/clock').send({ real: true });
    expect(real.body.frozen).toBe(false);
    expect((await request(app).post('/_mock/clock').send({ freeze: 'tomorrow' })).body.field).toBe('freeze');
  });

  it('freeze takes only a real RFC 3339 date-time and says what was wrong', async () => {
    const app = createApp();
    const cases: Array<[unknown, RegExp]> = [
      ['May 5', /not in the form YYYY-MM-DDTHH:MM:SS/],
      ['1', /not in the form/],
      ['01/02/2030', /not in the form/],
      ['2030-01-01', /not in the form/],
      ['2030-01-01T00:00:00', /not in the form/],
      ['2030-02-30T00:00:00Z', /day 30 does not exist: February 2030 has 28 days/],
      ['2030-13-01T00:00:00Z', /month 13 does not exist/],
      ['2030-01-01T23:60:00Z', /minute 60 does not exist/],
      ['2030-01-01T00:00:00+24:00', /offset \+24:00 does not exist/],
      [42, /expected a string, got number/],
    ];
    for (const [freeze, reason] of cases) {
      const res = await request(app).post('/_mock/clock').send({ freeze });
      expect(res.status, String(freeze)).toBe(400);
      expect(res.body.field, String(freeze)).toBe('freeze');
      expect(res.body.error, String(freeze)).toMatch(/must be an RFC 3339 date-time/);
      expect(res.body.error, String(freeze)).toMatch(reason);
    }
    expect((await request(app).get('/_mock/clock')).body.frozen).toBe(false);
    expect((await request(app).post('/_mock/clock').send({ freeze: '2028-02-29T23:59:59.5+01:30' })).body).toEqual({ now: '2028-02-29T22:29:59.500Z', frozen: true });
  });

  it('an advance past the range of dates is a 400 naming the allowed range, and changes nothing', async () => {
    const app = createApp();
    await request(app).post('/_mock/clock').send({ freeze: '2030-01-01T00:00:00Z' });
    for (const advance of [1e300, 8.64e15, 251508844800000]) {
      const res = await request(app).post('/_mock/clock').send({ advance });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('advance');
      expect(res.body.error).toMatch(/advance must be a number of milliseconds from 0 to 251508844799999 .*0000-01-01T00:00:00\.000Z to 9999-12-31T23:59:59\.999Z/);
    }
    expect((await request(app).get('/_mock/clock')).body).toEqual({ now: '2030-01-01T00:00:00.000Z', frozen: true });
    expect((await request(app).get('/_mock/requests')).status).toBe(200);
    expect((await post(app, '/scim/v2/Users', 'scimulator-dev-token', user('after-advance'))).status).toBe(201);
    // The largest allowed advance is accepted; from the last instant the clock may show, rules and writes still work.
    expect((await request(app).post('/_mock/clock').send({ advance: 251508844799999 })).body.now).toBe('9999-12-31T23:59:59.999Z');
    expect((await request(app).post('/_mock/clock').send({ advance: 1 })).status).toBe(400);
    expect((await request(app).post('/_mock/faults').send({ from: '+1h', action: { type: 'error', status: 503 } })).status).toBe(201);
    expect((await request(app).get('/_mock/faults')).status).toBe(200);
    expect((await request(app).get('/_mock/requests/export?format=har')).status).toBe(200);
    // A freeze whose offset puts it before year 0000 is refused too.
    const early = await request(app).post('/_mock/clock').send({ freeze: '0000-01-01T00:00:00+01:00' });
    expect(early.status).toBe(400);
    expect(early.body.error).toMatch(/freeze must lie within 0000-01-01T00:00:00\.000Z to 9999-12-31T23:59:59\.999Z/);
    expect((await request(app).get('/_mock/clock')).body.now).toBe('9999-12-31T23:59:59.999Z');
  });

  it('HAR exports name the package version as creator.version, for every tenant', async () => {
    const app = createApp();
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version).not.toBe('0.0.0');
    const tenant = await request(app).post('/_mock/tenants').send({ id: 'har' });
    for (const control of ['/_mock', '/_mock/tenants/har']) {
      const har = await request(app).get(`${control}/requests/export?format=har`);
      expect(har.status).toBe(200);
      expect(JSON.parse(har.text).log.creator, control).toEqual({ name: 'scimulator', version });
    }
    expect(tenant.status).toBe(201);
  });

  it('reset returns to the seed state and clears faults and journal unless kept', async () => {
    const app = createApp();
    await post(app, '/scim/v2/Users', 'scimulator-dev-token', user('temp'));
    await request(app).post('/_mock/faults').send({ match: { operation: 'delete' }, action: { type: 'error', status: 503 } });
    const kept = await request(app).post('/_mock/reset?keep=faults');
    expect(kept.status).toBe(200);
    expect((await request(app).get('/scim/v2/Users').set(AUTH)).body.totalResults).toBe(0);
    expect((await request(app).get('/_mock/faults')).body.faults).toHaveLength(1);
    await request(app).post('/_mock/reset');
    expect((await request(app).get('/_mock/faults')).body.faults).toHaveLength(0);
    expect((await request(app).get('/_mock/requests')).body.requests).toHaveLength(0);
    expect((await request(app).post('/_mock/reset?keep=everything')).status).toBe(400);
  });

  it('reset keeps the fault rules given on the command line', async () => {
    const app = createApp({ latency: '1' });
    await request(app).post('/_mock/faults').send({ match: { operation: 'delete' }, action: { type: 'error', status: 503 } });
    expect((await request(app).get('/_mock/faults')).body.faults).toHaveLength(2);
    await request(app).post('/_mock/reset');
    const after = (await request(app).get('/_mock/faults')).body.faults;
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ action: { type: 'latency', ms: 1 }, fired: 0 });
  });

  it('snapshot export, wipe and import gives byte-identical reads', async () => {
    const app = createApp();
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) ids.push((await post(app, '/scim/v2/Users', 'scimulator-dev-token', user(name))).body.id);
    const before = await Promise.all(ids.map((id) => request(app).get(`/scim/v2/Users/${id}`).set(AUTH).set('Host', 'scim.test')));
    const snapshot = await request(app).get('/_mock/snapshot');
    expect(snapshot.body.format).toBe('scimulator-snapshot');
    await request(app).post('/_mock/reset');
    expect((await request(app).get(`/scim/v2/Users/${ids[0]}`).set(AUTH)).status).toBe(404);
    expect((await request(app).put('/_mock/snapshot').send(snapshot.body)).status).toBe(204);
    const after = await Promise.all(ids.map((id) => request(app).get(`/scim/v2/Users/${id}`).set(AUTH).set('Host', 'scim.test')));
    expect(after.map((r) => r.text)).toEqual(before.map((r) => r.text));
    expect((await request(app).put('/_mock/snapshot').send({ format: 'nope' })).status).toBe(400);
  });

  it('faults fire on SCIM requests and the journal records which rule fired', async () => {
    const app = createApp();
    const rule = await request(app).post('/_mock/faults').send({ name: 'throttle', match: { method: 'GET', path: '/Users' }, action: { type: 'error', status: 429, retryAfter: 2 }, times: 2 });
    expect(rule.status).toBe(201);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await request(app).get('/scim/v2/Users').set(AUTH);
      statuses.push(res.status);
      if (res.status === 429) {
        expect(res.headers['retry-after']).toBe('2');
        expectScimError(res, 429);
      }
    }
    expect(statuses).toEqual([429, 429, 200]);
    const found = await request(app).post('/_mock/requests/find').send({ status: 429 });
    expect(found.body.requests).toHaveLength(2);
    expect(found.body.requests[0].fault).toMatchObject({ id: rule.body.id, name: 'throttle' });
    expect(found.body.requests[0].requestHeaders.authorization).toBe('Bearer [REDACTED]');
  });

  it('--control-token protects the control API; control can be turned off', async () => {
    const app = createApp({ controlToken: 'ctl' });
    const missing = await request(app).get('/_mock/health');
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toBe('Bearer realm="scimulator-control"');
    const wrong = await request(app).get('/_mock/health').set('Authorization', 'Bearer nope');
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="scimulator-control", error="invalid_token"');
    expect((await request(app).get('/_mock/health').set('Authorization', 'Bearer ctl')).status).toBe(200);
    const off = createApp({ control: false });
    expect((await request(off).get('/_mock/health')).status).toBe(404);
  });
});

describe('control API OpenAPI document', () => {
  it('describes routes that exist, for the default tenant and per tenant', async () => {
    const app = createApp();
    await request(app).post('/_mock/tenants').send({ id: 'docs' });
    const doc = (await request(app).get('/_mock/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.paths);
    expect(paths.length).toBe(38);
    for (const path of paths) {
      for (const method of Object.keys(doc.paths[path])) {
        // Deleting names another tenant, so "docs" stays for the tenant-scoped routes.
        const tenantId = path === '/tenants/{tenantId}' ? 'other' : 'docs';
        // The live stream runs until the client leaves: ask it to end at once.
        const query = path.endsWith('/requests/stream') ? '?timeoutMs=0' : '';
        const url = '/_mock' + path.replace('{tenantId}', tenantId).replace('{faultId}', 'fault-x').replace('{requestId}', 'req-x') + query;
        const res = await (request(app) as any)[method](url).send(method === 'post' && path.endsWith('/clock') ? { real: true } : undefined);
        expect(res.body.error ?? '', `${method.toUpperCase()} ${url}`).not.toMatch(/^No control endpoint/);
        expect(res.status, `${method.toUpperCase()} ${url}`).toBeLessThan(500);
      }
    }
  });
});

describe('control API request bodies, whatever their Content-Type', () => {
  const FORM = 'application/x-www-form-urlencoded';
  const send = (req: request.Test, type: string, body: string) => req.set('Content-Type', type).send(body);
  /** superagent always sends a Content-Type with a string body; fetch sends none with a byte body. */
  async function sendUntyped(app: ReturnType<typeof createApp>, method: string, path: string, body: string) {
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, { method, body: new TextEncoder().encode(body) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    } finally {
      server.close();
    }
  }

  it('reads JSON sent as a form (curl -d), application/scim+json, a +json type or text/plain', async () => {
    const app = createApp();
    const config = await send(request(app).patch('/_mock/config'), FORM, '{"profile":"rfc"}');
    expect(config.status).toBe(200);
    expect(config.body.profile).toBe('rfc');
    expect((await send(request(app).patch('/_mock/config'), 'application/scim+json', '{"defaultPageSize":7}')).body.defaultPageSize).toBe(7);
    expect((await send(request(app).patch('/_mock/config'), 'application/vnd.acme+json; charset=utf-8', '{"defaultPageSize":8}')).body.defaultPageSize).toBe(8);
    expect((await send(request(app).patch('/_mock/config'), 'text/plain', '{"defaultPageSize":9}')).body.defaultPageSize).toBe(9);

    const tenant = await send(request(app).post('/_mock/tenants'), FORM, '{"id":"acme","users":5}');
    expect(tenant.status).toBe(201);
    expect(tenant.body.id).toBe('acme');
    const users = await request(app).get('/tenants/acme/scim/v2/Users').set('Authorization', `Bearer ${tenant.body.token}`);
    expect(users.body.totalResults).toBe(5);

    await post(app, '/scim/v2/Users', 'scimulator-dev-token', user('counted'));
    await request(app).get('/scim/v2/Users').set(AUTH);
    const count = await send(request(app).post('/_mock/requests/count'), FORM, '{"operation":"create"}');
    expect(count.status).toBe(200);
    expect(count.body.count).toBe(1);

    const clock = await send(request(app).post('/_mock/clock'), FORM, '{"freeze":"2030-01-01T00:00:00Z"}');
    expect(clock.body).toEqual({ now: '2030-01-01T00:00:00.000Z', frozen: true });
    const fault = await send(request(app).post('/_mock/faults'), 'text/plain', '{"action":{"type":"reset"}}');
    expect(fault.status).toBe(201);
  });

  it('a body that is not JSON is a 400 naming the Content-Type it was sent with, and changes nothing', async () => {
    const app = createApp();
    for (const [type, shown] of [[FORM, 'sent as Content-Type "application/x-www-form-urlencoded"'], ['text/plain; charset=utf-8', 'sent as Content-Type "text/plain"'], [undefined, 'sent without a Content-Type']] as const) {
      for (const [method, path] of [['patch', '/_mock/config'], ['post', '/_mock/tenants'], ['post', '/_mock/clock'], ['post', '/_mock/requests/count'], ['post', '/_mock/faults']] as const) {
        const res = type ? await send(request(app)[method](path), type, 'profile=rfc') : await sendUntyped(app, method.toUpperCase(), path, 'profile=rfc');
        expect(res.status, `${method} ${path} ${type}`).toBe(400);
        expect(res.body, `${method} ${path} ${type}`).toEqual({ error: expect.stringContaining(`The control API takes JSON request bodies; this one (${shown}) is not valid JSON`) });
      }
    }
    expect((await request(app).get('/_mock/config')).body.profile).toBe('lenient');
    expect((await request(app).get('/_mock/tenants')).body.tenants).toHaveLength(1);
    expect((await request(app).get('/_mock/faults')).body.faults).toEqual([]);
    const json = await send(request(app).patch('/_mock/config'), 'application/json', 'profile=rfc');
    expect(json.body).toEqual({ error: 'The request body is not valid JSON.' });
  });

  it('keeps the limits for bodies of any Content-Type: prototype keys, nesting, size', async () => {
    const app = createApp({ maxBody: 2048, maxJsonDepth: 5 });
    const polluted = await send(request(app).patch('/_mock/config'), FORM, '{"__proto__": {"polluted": true}}');
    expect(polluted.status).toBe(400);
    expect(polluted.body.field).toBe('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await send(request(app).patch('/_mock/config'), 'text/plain', '{"a":[[[[[[1]]]]]]}')).status).toBe(400);
    expect((await send(request(app).post('/_mock/faults'), FORM, `{"name":"${'x'.repeat(3000)}"}`)).status).toBe(413);
  });
});

describe('PATCH /_mock/config checks the config the tenant would run with', () => {
  it('refuses a page size that conflicts with the persona\'s, changing nothing, and takes a PATCH that resolves it', async () => {
    const app = createApp();
    const before = (await request(app).get('/_mock/config')).body;
    const conflict = await request(app).patch('/_mock/config').send({ persona: 'aws', defaultPageSize: 500 });
    expect(conflict.status).toBe(400);
    expect(conflict.body).toEqual({
      error: 'defaultPageSize must not exceed maxPageSize: defaultPageSize would be 500 and maxPageSize 100 (from persona aws); set both so that defaultPageSize <= maxPageSize.',
      field: 'defaultPageSize',
    });
    expect((await request(app).get('/_mock/config')).body).toEqual(before);
    const spc = await request(app).get('/scim/v2/ServiceProviderConfig').set(AUTH);
    expect(spc.body.filter.maxResults).toBe(1000);

    const both = await request(app).patch('/_mock/config').send({ persona: 'aws', defaultPageSize: 500, maxPageSize: 500 });
    expect(both.status).toBe(200);
    expect(both.body).toMatchObject({ persona: 'aws', defaultPageSize: 500, maxPageSize: 500 });
    expect((await request(app).patch('/_mock/config').send({ maxPageSize: 50 })).body.error).toContain('defaultPageSize would be 500 and maxPageSize 50;');
    const off = await request(app).patch('/_mock/config').send({ persona: null });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ persona: null, defaultPageSize: 500, maxPageSize: 500 });
  });

  it('refuses bulkMaxPayload above --max-body, as the command line does', async () => {
    const app = createApp();
    const res = await request(app).patch('/_mock/config').send({ bulkMaxPayload: 5_000_000 });
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: 'bulkMaxPayload (5000000) must not exceed maxBody (--max-body, 1048576): larger bodies never reach /Bulk.', field: 'bulkMaxPayload' });
    expect((await request(app).get('/scim/v2/ServiceProviderConfig').set(AUTH)).body.bulk.maxPayloadSize).toBe(1_048_576);
    const bigger = createApp({ maxBody: 5_000_000 });
    expect((await request(bigger).patch('/_mock/config').send({ bulkMaxPayload: 5_000_000 })).status).toBe(200);
    expect((await request(bigger).get('/scim/v2/ServiceProviderConfig').set(AUTH)).body.bulk.maxPayloadSize).toBe(5_000_000);
  });

  it('patchStatus takes resource type names in any case, stores the canonical name, and refuses unknown ones', async () => {
    const app = createApp();
    const res = await request(app).patch('/_mock/config').send({ patchStatus: { user: 204 } });
    expect(res.status).toBe(200);
    expect(res.body.patchStatus).toEqual({ User: 204 });
    const id = (await post(app, '/scim/v2/Users', 'scimulator-dev-token', user('patched'))).body.id;
    const patched = await request(app).patch(`/scim/v2/Users/${id}`).set(AUTH).set('Content-Type', 'application/scim+json')
      .send({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'replace', path: 'displayName', value: 'P' }] });
    expect(patched.status).toBe(204);

    const unknown = await request(app).patch('/_mock/config').send({ patchStatus: { GROUP: 204, Devices: 204 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: 'patchStatus.Devices: there is no resource type "Devices"; the resource types are User, Group.', field: 'patchStatus.Devices' });
    expect((await request(app).get('/_mock/config')).body.patchStatus).toEqual({ User: 204 });
  });
});

describe('POST /_mock/tenants errors', () => {
  it('name the field for every member of the request', async () => {
    const app = createApp();
    await request(app).post('/_mock/tenants').send({ id: 'taken' });
    const cases: Array<[Record<string, unknown>, number, string, string]> = [
      [{ id: 'has space' }, 400, 'id', 'id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit.'],
      [{ id: 7 }, 400, 'id', 'id must be 1-64 letters, digits, "-" or "_", starting with a letter or digit.'],
      [{ id: 'taken' }, 409, 'id', 'A tenant "taken" already exists.'],
      [{ id: 'default' }, 409, 'id', 'A tenant "default" already exists.'],
      [{ seed: 1.5 }, 400, 'seed', 'seed must be an integer.'],
      [{ profile: 'strict' }, 400, 'profile', 'profile must be one of lenient, rfc, entra, okta.'],
      [{ token: '' }, 400, 'token', 'token must be a non-empty string.'],
      [{ me: 3 }, 400, 'me', 'me must be a userName.'],
      [{ size: 3 }, 400, 'size', 'Unknown field "size"; allowed: id, seed, token, profile, persona, me, users, groups, seedFile.'],
    ];
    for (const [body, status, field, error] of cases) {
      const res = await request(app).post('/_mock/tenants').send(body);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(res.body, JSON.stringify(body)).toEqual({ error, field });
    }
    expect((await request(app).get('/_mock/tenants')).body.tenants.map((t: { id: string }) => t.id)).toEqual(['default', 'taken']);
  });
});
