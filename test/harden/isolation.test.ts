/**
 * Isolation and access: CORS is off unless --cors names origins (then preflights are answered for those only, on
 * SCIM and control routes); no response carries a stack trace or an internal path, even on a 500; secrets are
 * never printed, logged or journaled.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import request from 'supertest';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { scimErrorHandler } from '../../src/http/errors.js';
import { Scimulator } from '../../src/runtime.js';
import { AUTH, USER_SCHEMA, expectScimError } from '../http/helpers.js';
import { buildCli, startCli } from './cli.js';
import { leaksInternals, scimErrorProblem } from './support.js';

const ORIGIN = 'https://connector.example.com';

describe('CORS', () => {
  it('is off by default: no CORS header on any response, preflights are not answered', async () => {
    const app = createApp();
    const get = await request(app).get('/scim/v2/Users').set(AUTH).set('Origin', ORIGIN);
    expect(get.status).toBe(200);
    expect(Object.keys(get.headers).filter((h) => h.startsWith('access-control-'))).toEqual([]);
    for (const path of ['/scim/v2/Users', '/_mock/faults']) {
      const pre = await request(app).options(path).set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST');
      expect(pre.status, path).not.toBe(204);
      expect(pre.status, path).toBeLessThan(500);
      expect(pre.headers['access-control-allow-origin'], path).toBeUndefined();
    }
  });

  it('with --cors, answers preflights from that origin on SCIM, tenant and control routes without credentials', async () => {
    const runtime = new Scimulator({ cors: ORIGIN });
    runtime.createTenant({ id: 'acme' });
    const app = createApp(runtime);
    for (const path of ['/scim/v2/Users', '/scim/v2/Users/123', '/tenants/acme/scim/v2/Groups', '/_mock/faults', '/_mock/requests/find']) {
      const pre = await request(app)
        .options(path)
        .set('Origin', ORIGIN)
        .set('Access-Control-Request-Method', 'PATCH')
        .set('Access-Control-Request-Headers', 'authorization, content-type, if-match');
      expect(pre.status, path).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(pre.headers['access-control-allow-methods']).toContain('PATCH');
      expect(pre.headers['access-control-allow-headers']).toBe('authorization, content-type, if-match');
      expect(pre.headers['access-control-max-age']).toBe('600');
      expect(pre.headers.vary).toMatch(/Origin/);
    }
  });

  it('with --cors, actual requests from that origin carry the CORS headers, errors included', async () => {
    const app = createApp({ cors: ORIGIN });
    const ok = await request(app).post('/scim/v2/Users').set(AUTH).set('Origin', ORIGIN).set('Content-Type', 'application/scim+json').send(JSON.stringify({ schemas: [USER_SCHEMA], userName: 'cors' }));
    expect(ok.status).toBe(201);
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
    expect(ok.headers['access-control-expose-headers']).toMatch(/ETag.*Location/);
    const unauthorized = await request(app).get('/scim/v2/Users').set('Origin', ORIGIN);
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers['access-control-allow-origin']).toBe(ORIGIN);
    const control = await request(app).get('/_mock/health').set('Origin', ORIGIN);
    expect(control.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('with --cors, other origins get no CORS headers and their preflights a 403', async () => {
    const app = createApp({ cors: ORIGIN });
    const evil = 'https://evil.example.net';
    const pre = await request(app).options('/scim/v2/Users').set('Origin', evil).set('Access-Control-Request-Method', 'DELETE');
    expectScimError(pre, 403);
    expect(pre.headers['access-control-allow-origin']).toBeUndefined();
    const get = await request(app).get('/scim/v2/Users').set(AUTH).set('Origin', evil);
    expect(get.headers['access-control-allow-origin']).toBeUndefined();
    expect(get.headers.vary).toMatch(/Origin/);
    // A near miss is another origin.
    const port = await request(app).options('/scim/v2/Users').set('Origin', `${ORIGIN}:8443`).set('Access-Control-Request-Method', 'GET');
    expect(port.status).toBe(403);
    // On the control API the refusal has the control API's error shape, not a SCIM error.
    for (const path of ['/_mock/faults', '/_mock/tenants/acme/config']) {
      const control = await request(app).options(path).set('Origin', evil).set('Access-Control-Request-Method', 'POST');
      expect(control.status, path).toBe(403);
      expect(control.headers['content-type'], path).toMatch(/^application\/json/);
      expect(control.body, path).toEqual({ error: `Cross-origin requests from ${evil} are not allowed; allowed origins: ${ORIGIN} (--cors).` });
      expect(control.headers['access-control-allow-origin'], path).toBeUndefined();
    }
  });

  it('with --cors, a refused preflight on a token endpoint gets the token endpoint\'s error shape (RFC 6749 5.2)', async () => {
    const runtime = new Scimulator({ cors: ORIGIN });
    runtime.createTenant({ id: 'acme' });
    const app = createApp(runtime);
    const evil = 'https://evil.example.net';
    for (const path of ['/oauth/token', '/tenants/acme/oauth/token', '/OAuth/Token/']) {
      const pre = await request(app).options(path).set('Origin', evil).set('Access-Control-Request-Method', 'POST');
      expect(pre.status, path).toBe(403);
      expect(pre.headers['content-type'], path).toMatch(/^application\/json/);
      expect(pre.headers['cache-control'], path).toBe('no-store');
      expect(pre.body, path).toEqual({ error: 'invalid_request', error_description: `Cross-origin requests from ${evil} are not allowed; allowed origins: ${ORIGIN} (--cors).` });
      expect(pre.headers['access-control-allow-origin'], path).toBeUndefined();
    }
    // The allowed origin's preflight is answered as on every other route.
    const ok = await request(app).options('/oauth/token').set('Origin', ORIGIN).set('Access-Control-Request-Method', 'POST');
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(ORIGIN);
  });

  it('with --cors, responses to requests without an Origin say Vary: Origin too (they lack the CORS headers)', async () => {
    // Fetch standard, "CORS protocol and HTTP caches": without Vary a cache may hand such a response to a browser's
    // CORS request, which then fails for want of Access-Control-Allow-Origin.
    for (const cors of [ORIGIN, '*']) {
      const app = createApp({ cors });
      for (const res of [
        await request(app).get('/scim/v2/Users').set(AUTH),
        await request(app).get('/scim/v2/Users'),
        await request(app).get('/scim/v2/ServiceProviderConfig').set(AUTH),
        await request(app).get('/_mock/health'),
      ]) {
        expect(res.headers['access-control-allow-origin'], cors).toBeUndefined();
        expect(res.headers.vary, `${cors} ${res.status}`).toMatch(/\bOrigin\b/);
      }
    }
  });

  it('takes a list of origins, or "*"', async () => {
    const list = createApp({ cors: `${ORIGIN}, http://localhost:3000` });
    const local = await request(list).options('/scim/v2/Users').set('Origin', 'http://localhost:3000').set('Access-Control-Request-Method', 'GET');
    expect(local.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    // An origin given with its scheme's default port matches what browsers send (no port, RFC 6454 section 6.1).
    const ports = createApp({ cors: 'https://app.example.com:443,http://LOCALHOST:80' });
    for (const origin of ['https://app.example.com', 'http://localhost']) {
      const pre = await request(ports).options('/scim/v2/Users').set('Origin', origin).set('Access-Control-Request-Method', 'GET');
      expect(pre.status, origin).toBe(204);
      expect(pre.headers['access-control-allow-origin']).toBe(origin);
    }
    const any = createApp({ cors: '*' });
    const res = await request(any).get('/scim/v2/Users').set(AUTH).set('Origin', 'https://anywhere.example');
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

describe('no internals in responses', () => {
  const INTERNAL = `${process.cwd()}/src/secret/thing.ts:42`;
  const throwers: Array<[string, () => never]> = [
    ['an Error naming an internal path', () => { throw new Error(`ENOENT: no such file ${INTERNAL}`); }],
    ['a TypeError', () => { throw new TypeError("Cannot read properties of undefined (reading 'x')"); }],
    ['a RangeError', () => { throw new RangeError('Maximum call stack size exceeded'); }],
    ['a string', () => { throw `boom at ${INTERNAL}`; }], // eslint-disable-line no-throw-literal
    ['a number', () => { throw 42; }], // eslint-disable-line no-throw-literal
    ['an object posing as an http error', () => { throw Object.assign(new Error(INTERNAL), { status: 500, expose: true, type: 'weird' }); }],
  ];

  it.each(throwers)('the error handler renders %s as a bare SCIM 500', async (_name, thrower) => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const app = express();
      app.get('/boom', () => thrower());
      app.get('/async', async () => thrower());
      app.use(scimErrorHandler);
      for (const path of ['/boom', '/async']) {
        const res = await request(app).get(path);
        expect(res.status).toBe(500);
        expect(scimErrorProblem(500, res.headers['content-type'], res.text)).toBeUndefined();
        expect(res.text).not.toContain('secret');
        expect(res.text).not.toContain('Cannot read');
        expect(res.text).not.toContain('call stack');
        expect(leaksInternals(res.text)).toBeUndefined();
      }
    } finally {
      stderr.mockRestore();
    }
  });

  it('an error after the response started destroys the socket instead of appending an error', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const app = express();
      app.get('/half', (_req, res, next) => {
        res.writeHead(200, { 'Content-Type': 'application/scim+json' });
        res.write('{"partial":');
        next(new Error(INTERNAL));
      });
      app.use(scimErrorHandler);
      await expect(request(app).get('/half')).rejects.toThrow();
    } finally {
      stderr.mockRestore();
    }
  });

  it('a bug deep in the SCIM service or the control API surfaces as a bare 500, and the server goes on', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const runtime = new Scimulator();
      const app = createApp(runtime);
      runtime.defaultTenant.service.create = () => { throw new Error(`BUG-MARKER in ${INTERNAL}`); };
      const res = await request(app).post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').send(JSON.stringify({ schemas: [USER_SCHEMA], userName: 'x' }));
      expect(res.status).toBe(500);
      expect(scimErrorProblem(500, res.headers['content-type'], res.text)).toBeUndefined();
      expect(res.text).not.toContain('BUG-MARKER');

      runtime.createTenantFromSpec = async () => { throw new Error(`BUG-MARKER in ${INTERNAL}`); };
      const control = await request(app).post('/_mock/tenants').send({});
      expect(control.status).toBe(500);
      expect(control.body).toEqual({ error: 'Internal error in the control API.' });
      expect(leaksInternals(control.text)).toBeUndefined();

      expect((await request(app).get('/scim/v2/Users').set(AUTH)).status).toBe(200);
      // The operator sees what happened on stderr.
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('BUG-MARKER');
    } finally {
      stderr.mockRestore();
    }
  });
});

describe('secrets', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  beforeAll(async () => {
    await buildCli();
  }, 180_000);

  it('are never printed, logged or journaled: tokens, control token, passwords, wrong guesses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-secrets-'));
    const journalFile = join(dir, 'journal.ndjson');
    const secrets = { token: 'tok-SECRET-1f9a', control: 'ctl-SECRET-77b2', guess: 'guess-SECRET-0c3d', password: 'pw-SECRET-a1b2' };
    const server = await startCli(['--port', '0', '--token', secrets.token, '--control-token', secrets.control, '--journal-file', journalFile], children);
    const auth = { Authorization: `Bearer ${secrets.token}`, 'Content-Type': 'application/scim+json' };
    const created = await fetch(`${server.baseUrl}/Users`, { method: 'POST', headers: auth, body: JSON.stringify({ schemas: [USER_SCHEMA], userName: 'sec', password: secrets.password }) });
    expect(created.status).toBe(201);
    expect(await created.text()).not.toContain(secrets.password);
    expect((await fetch(`${server.baseUrl}/Users`, { headers: { Authorization: `Bearer ${secrets.guess}` } })).status).toBe(401);
    expect((await fetch(`${server.baseUrl}/Users`, { headers: { Authorization: `Basic ${Buffer.from(`u:${secrets.guess}`).toString('base64')}` } })).status).toBe(401);
    expect((await fetch(`${server.url}/_mock/requests`, { headers: { Authorization: `Bearer ${secrets.guess}` } })).status).toBe(401);
    const journal = await fetch(`${server.url}/_mock/requests`, { headers: { Authorization: `Bearer ${secrets.control}` } });
    expect(journal.status).toBe(200);
    const journalText = await journal.text();
    expect(JSON.parse(journalText).requests.length).toBeGreaterThanOrEqual(3);
    const exit = server.exited;
    server.child.kill('SIGTERM');
    expect((await exit).code).toBe(0);

    const fileText = readFileSync(journalFile, 'utf8');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(server.out(), `${name} on stdout/stderr`).not.toContain(secret);
      expect(journalText, `${name} in the journal`).not.toContain(secret);
      expect(fileText, `${name} in the journal file`).not.toContain(secret);
    }
    expect(server.out()).toContain('(as given by --token or the seed file; not printed)');
  });

  it('a Basic password given on the command line is not printed', async () => {
    const server = await startCli(['--port', '0', '--auth', 'basic', '--basic-user', 'ops', '--basic-password', 'pw-SECRET-basic'], children);
    expect(server.out()).toContain('ops');
    expect(server.out()).not.toContain('pw-SECRET-basic');
  });
});
