import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import request from 'supertest';
import { ControllableClock } from '../../src/scim/clock.js';
import { buildApp, listen, rawRequest, sleep } from './helpers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  vi.restoreAllMocks();
  while (closers.length) await closers.pop()!();
});

async function started(opts: Parameters<typeof buildApp>[0] = {}) {
  const t = buildApp(opts);
  const srv = await listen(t.app);
  closers.push(srv.close);
  // Object.assign keeps t's `handled` getter live (a spread would copy its value once).
  return Object.assign(t, srv);
}

const ERROR_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:Error';

describe('fault middleware over HTTP', () => {
  it('without rules, requests reach the handler and no fault is recorded', async () => {
    const t = buildApp();
    const res = await request(t.app).get('/scim/v2/Users/abc');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ operation: 'get', path: '/Users/abc' });
    expect(t.contexts[0]!.fault).toBeUndefined();
  });

  it('error: SCIM error body, exact content type, context.fault set, handler not run', async () => {
    const t = buildApp();
    t.faults.add({ name: 'throttle', match: { operation: 'create' }, action: { type: 'error', status: 429, detail: 'Slow down.' } });
    const res = await request(t.app).post('/scim/v2/Users').set('content-type', 'application/scim+json').send('{"userName":"a"}');
    expect(res.status).toBe(429);
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(res.headers['retry-after']).toBe('1');
    expect(JSON.parse(res.text)).toEqual({ schemas: [ERROR_SCHEMA], status: '429', detail: 'Slow down.' });
    expect(t.contexts[0]!.fault).toEqual({ id: 'fault-1', name: 'throttle', action: 'error' });
    expect(t.handled).toBe(0);
    const ok = await request(t.app).get('/scim/v2/Users');
    expect(ok.status).toBe(200);
    expect(t.contexts[1]!.fault).toBeUndefined();
  });

  it('503 with Retry-After as an HTTP date', async () => {
    const t = buildApp();
    t.faults.add({ action: { type: 'error', status: 503, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' } });
    const res = await request(t.app).get('/scim/v2/Groups');
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
    expect(JSON.parse(res.text)).toMatchObject({ schemas: [ERROR_SCHEMA], status: '503' });
  });

  it('matches the parsed body: a PATCH touching members fails, a rename does not', async () => {
    const t = buildApp();
    t.faults.add({
      match: {
        operation: 'patch',
        resourceType: 'Group',
        body: {
          anyOf: [
            { path: 'Operations[*].path', contains: 'members', ignoreCase: true },
            { path: 'Operations[*].value.members', exists: true },
          ],
        },
      },
      action: { type: 'conflict', kind: 'precondition' },
    });
    const patch = (ops: unknown[]) =>
      request(t.app)
        .patch('/scim/v2/Groups/g1')
        .set('content-type', 'application/scim+json')
        .set('if-match', 'W/"1"')
        .send(JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops }));
    const members = await patch([{ op: 'Add', path: 'members', value: [{ value: 'u1' }] }]);
    expect(members.status).toBe(412);
    expect(JSON.parse(members.text).detail).toMatch(/but If-Match asked for W\/"1"\./);
    const rename = await patch([{ op: 'Replace', path: 'displayName', value: 'x' }]);
    expect(rename.status).toBe(200);
  });

  it('matches headers and query parameters', async () => {
    const t = buildApp();
    t.faults.add({
      match: { headers: { 'user-agent': { contains: 'Okta' } }, query: { filter: { contains: 'userName eq' } } },
      action: { type: 'error', status: 500 },
    });
    const hit = await request(t.app).get('/scim/v2/Users').query({ filter: 'userName eq "x"' }).set('user-agent', 'Okta SCIM Client');
    expect(hit.status).toBe(500);
    const otherAgent = await request(t.app).get('/scim/v2/Users').query({ filter: 'userName eq "x"' }).set('user-agent', 'curl');
    expect(otherAgent.status).toBe(200);
    const noFilter = await request(t.app).get('/scim/v2/Users').set('user-agent', 'Okta SCIM Client');
    expect(noFilter.status).toBe(200);
  });

  it('latency of 300 ms on GET /Users/* delays those requests by 300 ms (one timer) and not others', async () => {
    const t = await started();
    const added = await request(t.app)
      .post('/_mock/faults')
      .send({ match: { method: 'GET', path: '/Users/*' }, action: { type: 'latency', ms: 300 } });
    expect(added.status).toBe(201);
    // Which requests were delayed is read from the server's timers and the fault it recorded, not from how long the
    // others took: on a loaded machine an undelayed request can take longer than any small bound.
    const setSpy = vi.spyOn(globalThis, 'setTimeout');
    const latencyTimers = () => setSpy.mock.calls.filter((call) => call[1] === 300).length;
    const slow = await rawRequest(t.port, '/scim/v2/Users/abc');
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(295);
    expect(slow.ms).toBeLessThan(2_000); // the 300 ms once, not a stuck or repeated delay
    expect(latencyTimers()).toBe(1);
    for (const path of ['/scim/v2/Groups', '/scim/v2/Groups/abc', '/scim/v2/Users']) {
      const fast = await rawRequest(t.port, path);
      expect(fast.status).toBe(200);
    }
    const put = await rawRequest(t.port, '/scim/v2/Users/abc', { method: 'DELETE' });
    expect(put.status).toBe(200);
    expect(latencyTimers()).toBe(1);
    expect(t.contexts.map((c) => c.fault)).toEqual([{ id: 'fault-1', action: 'latency' }, undefined, undefined, undefined, undefined]);
  });

  it('latency does not block other requests', async () => {
    const t = await started();
    t.faults.add({ match: { path: '/Users/*' }, action: { type: 'latency', ms: 1500 } });
    let slowDone = false;
    const slow = rawRequest(t.port, '/scim/v2/Users/abc').finally(() => (slowDone = true));
    // The slow request is in its latency once the server recorded the fault on it.
    await vi.waitFor(() => expect(t.contexts[0]?.fault).toEqual({ id: 'fault-1', action: 'latency' }), { timeout: 10_000 });
    const fast = await rawRequest(t.port, '/scim/v2/Groups');
    expect(fast.status).toBe(200);
    // Answered while the other one still waits: the latency held only its own request.
    expect(slowDone).toBe(false);
    const s = await slow;
    expect(s.status).toBe(200);
    expect(s.ms).toBeGreaterThanOrEqual(1495);
  });

  it('latency composes with a later error rule: delayed, then the error', async () => {
    const t = await started();
    t.faults.add({ action: { type: 'latency', ms: 150 } });
    t.faults.add({ match: { method: 'DELETE' }, action: { type: 'error', status: 500 } });
    const res = await rawRequest(t.port, '/scim/v2/Users/abc', { method: 'DELETE' });
    expect(res.status).toBe(500);
    expect(res.ms).toBeGreaterThanOrEqual(145);
    expect(t.contexts[0]!.fault).toEqual({ id: 'fault-2', action: 'error' });
    expect(t.handled).toBe(0);
  });

  it('a client leaving during latency clears the timer and the handler never runs', async () => {
    const t = await started();
    t.faults.add({ action: { type: 'latency', ms: 300 } });
    const setSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout');
    const delays = () => setSpy.mock.calls.flatMap((call, i) => (call[1] === 300 ? [setSpy.mock.results[i]!.value] : []));
    // The client leaves once the server holds its request in the latency (not after a fixed time, which a loaded
    // machine can spend before the request even arrives).
    const controller = new AbortController();
    const pending = rawRequest(t.port, '/scim/v2/Users', { method: 'POST', body: { userName: 'x' }, signal: controller.signal });
    await vi.waitFor(() => expect(delays()).toHaveLength(1), { timeout: 10_000 });
    controller.abort();
    expect((await pending).error).toBeDefined();
    await vi.waitFor(() => expect(clearSpy.mock.calls.some((call) => call[0] === delays()[0])).toBe(true), { timeout: 10_000 });
    expect(delays()).toHaveLength(1);
    setSpy.mockRestore();
    clearSpy.mockRestore();
    await sleep(400); // past the 300 ms the latency would have ended at
    expect(t.handled).toBe(0);
  });

  it('reset: the client sees a socket error and no response', async () => {
    const t = await started();
    t.faults.add({ match: { path: '/Users' }, action: { type: 'reset' } });
    const res = await rawRequest(t.port, '/scim/v2/Users');
    expect(res.status).toBeUndefined();
    expect(res.error).toBeDefined();
    expect(res.error!.code === 'ECONNRESET' || /socket hang up/.test(res.error!.message)).toBe(true);
    expect(t.handled).toBe(0);
    expect(t.contexts[0]!.fault).toEqual({ id: 'fault-1', action: 'reset' });
  });

  it('reset through supertest also fails the request', async () => {
    const t = buildApp();
    t.faults.add({ action: { type: 'reset' } });
    await expect(request(t.app).get('/scim/v2/Users')).rejects.toThrow(/ECONNRESET|socket hang up/);
  });

  it('hang holds the request until the client gives up, then lets go', async () => {
    const t = await started();
    t.faults.add({ action: { type: 'hang', maxMs: 10_000 } });
    const setSpy = vi.spyOn(globalThis, 'setTimeout');
    const clearSpy = vi.spyOn(globalThis, 'clearTimeout');
    const hangTimers = () => setSpy.mock.calls.flatMap((call, i) => (call[1] === 10_000 ? [setSpy.mock.results[i]!.value] : []));
    // The client gives up once the server holds its request (a fixed client timeout could run out, on a loaded
    // machine, before the request reached the server at all).
    const controller = new AbortController();
    const pending = rawRequest(t.port, '/scim/v2/Users', { signal: controller.signal, timeoutMs: 15_000 });
    await vi.waitFor(() => expect(hangTimers()).toHaveLength(1), { timeout: 10_000 });
    expect(t.handled).toBe(0);
    controller.abort();
    const res = await pending;
    expect(res.timedOut).toBe(false);
    expect(res.status).toBeUndefined();
    expect(res.error).toBeDefined();
    await vi.waitFor(async () => expect(await new Promise<number>((r) => t.server.getConnections((_e, n) => r(n)))).toBe(0), { timeout: 10_000 });
    // the server's 10 s hang timer was cleared when the client left
    expect(hangTimers()).toHaveLength(1);
    await vi.waitFor(() => expect(clearSpy.mock.calls.some((call) => call[0] === hangTimers()[0])).toBe(true), { timeout: 10_000 });
    setSpy.mockRestore();
    clearSpy.mockRestore();
    expect(t.handled).toBe(0);
  });

  it('hang is bounded by maxMs: the server then drops the connection', async () => {
    const t = await started();
    t.faults.add({ action: { type: 'hang', maxMs: 200 } });
    const res = await rawRequest(t.port, '/scim/v2/Users', { timeoutMs: 10_000 });
    expect(res.timedOut).toBe(false);
    expect(res.error).toBeDefined();
    expect(res.error!.code === 'ECONNRESET' || /socket hang up/.test(res.error!.message)).toBe(true);
    expect(res.ms).toBeGreaterThanOrEqual(190);
    expect(res.ms).toBeLessThan(5_000); // the server's 200 ms, not the client's 10 s (generous: a loaded machine)
  });

  it.each([
    ['truncated', (b: string) => b.startsWith('{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"]')],
    ['html', (b: string) => b.startsWith('<!DOCTYPE html>')],
    ['empty', (b: string) => b === ''],
  ] as const)('malformed %s: 200, application/scim+json, a body JSON.parse rejects', async (variant, check) => {
    const t = buildApp();
    t.faults.add({ action: { type: 'malformed', variant } });
    const res = await request(t.app).get('/scim/v2/Users').buffer(true).parse((r, cb) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (data += c));
      r.on('end', () => cb(null, data));
    });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/scim+json; charset=utf-8');
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength(res.body as string)));
    expect(check(res.body as string)).toBe(true);
    expect(() => JSON.parse(res.body as string)).toThrow();
  });

  it('rateLimit 5/s: exactly 5 of 20 burst requests pass, the rest are 429 with Retry-After >= 1', async () => {
    const clock = new ControllableClock();
    clock.freeze(Date.parse('2025-03-01T00:00:00Z'));
    const t = await started({ clock });
    const added = await request(t.app).post('/_mock/faults').send({ action: { type: 'rateLimit', limit: 5, windowMs: 1000 } });
    expect(added.status).toBe(201);
    const results = await Promise.all(Array.from({ length: 20 }, () => rawRequest(t.port, '/scim/v2/Users')));
    const ok = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(ok).toHaveLength(5);
    expect(limited).toHaveLength(15);
    for (const r of limited) {
      expect(Number(r.headers!['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(r.body!)).toMatchObject({ schemas: [ERROR_SCHEMA], status: '429' });
    }
    expect(t.handled).toBe(5);
    clock.advance(1000);
    const again = await Promise.all(Array.from({ length: 6 }, () => rawRequest(t.port, '/scim/v2/Users')));
    expect(again.filter((r) => r.status === 200)).toHaveLength(5);
  });

  it('probability 0.5 over 1,000 requests fires 430-570 times, on the same requests for the same seed', async () => {
    const run = async () => {
      const t = await started({ seed: 99 });
      t.faults.add({ probability: 0.5, action: { type: 'error', status: 500 } });
      const statuses: number[] = [];
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; i < 1000; i++) {
        statuses.push(
          await new Promise<number>((resolve, reject) =>
            http
              .get({ host: '127.0.0.1', port: t.port, path: '/scim/v2/Users', agent }, (res) => {
                res.resume();
                res.on('end', () => resolve(res.statusCode!));
              })
              .on('error', reject),
          ),
        );
      }
      agent.destroy();
      return statuses;
    };
    const first = await run();
    const fired = first.filter((s) => s === 500).length;
    expect(fired).toBeGreaterThanOrEqual(430);
    expect(fired).toBeLessThanOrEqual(570);
    expect(first.filter((s) => s === 200).length).toBe(1000 - fired);
    expect(await run()).toEqual(first);
  });

  it('resolve returning undefined skips the fault layer', async () => {
    const express = (await import('express')).default;
    const { faultMiddleware } = await import('../../src/faults/middleware.js');
    const app = express();
    app.use(faultMiddleware(() => undefined));
    app.use((_req, res) => {
      res.status(204).end();
    });
    expect((await request(app).get('/anything')).status).toBe(204);
  });
});
