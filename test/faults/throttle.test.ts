/**
 * throttle: the real response, its body trickling at bytesPerSecond. Real time is the behaviour here, so this test
 * takes about five seconds and asserts generous bounds.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { runtimeOf } from '../../src/http/app.js';
import { directory } from '../query/fixture.js';
import { AUTH } from '../http/helpers.js';
import { listen } from './helpers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

interface Timed {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  firstByteMs: number;
  totalMs: number;
  chunks: number;
}

function timedGet(port: number, path: string): Promise<Timed> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, headers: AUTH, agent: false }, (res) => {
      const firstByteMs = performance.now() - start;
      let body = '';
      let chunks = 0;
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
        chunks++;
      });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, firstByteMs, totalMs: performance.now() - start, chunks }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

describe('throttle', () => {
  it('1,000 B/s on a 5 KB body takes 4-7 s; the head comes at once and the body is the real one', async () => {
    const { c } = directory({ users: 40, groups: 0 });
    const srv = await listen(c.app);
    closers.push(srv.close);
    // A list just over 5,000 bytes.
    let count = 1;
    let plain = await timedGet(srv.port, `/scim/v2/Users?attributes=userName&count=${count}`);
    while (Buffer.byteLength(plain.body) < 5000) plain = await timedGet(srv.port, `/scim/v2/Users?attributes=userName&count=${++count}`);
    const size = Buffer.byteLength(plain.body);
    expect(size).toBeLessThan(5200);

    const added = await request(c.app).post('/_mock/faults').send({ match: { operation: 'list' }, action: { type: 'throttle', bytesPerSecond: 1000 } });
    expect(added.status).toBe(201);
    const slow = await timedGet(srv.port, `/scim/v2/Users?attributes=userName&count=${count}`);
    expect(slow.status).toBe(200);
    expect(slow.body).toBe(plain.body);
    expect(Number(slow.headers['content-length'])).toBe(size);
    expect(slow.firstByteMs).toBeLessThan(2500); // at once: the throttled body takes 5 s (generous for a loaded machine)
    expect(slow.totalMs).toBeGreaterThanOrEqual(4000);
    expect(slow.totalMs).toBeLessThanOrEqual(7000);
    expect(slow.chunks).toBeGreaterThan(10);

    const entry = runtimeOf(c.app).defaultTenant.journal.find({ fault: true })[0]!;
    expect(entry.fault!.action).toBe('throttle');
    expect(entry.durationMs).toBeGreaterThanOrEqual(4000);
    expect((entry.responseBody as { Resources: unknown[] }).Resources).toHaveLength(count);
  }, 20_000);

  it('a client that leaves mid-trickle stops the timers; bytesPerSecond is validated', async () => {
    const { c } = directory({ users: 5, groups: 0 });
    const srv = await listen(c.app);
    closers.push(srv.close);
    await request(c.app).post('/_mock/faults').send({ action: { type: 'throttle', bytesPerSecond: 10 } });
    await new Promise<void>((resolve) => {
      const req = http.get({ host: '127.0.0.1', port: srv.port, path: '/scim/v2/Users', headers: AUTH, agent: false }, (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => resolve());
    });
    const entry = await runtimeOf(c.app).defaultTenant.journal.waitFor({ since: 0 }, { timeoutMs: 10_000 });
    expect(entry.outcome).toBe('aborted');

    for (const bad of [{}, { bytesPerSecond: 0 }, { bytesPerSecond: 1.5 }]) {
      const res = await request(c.app).post('/_mock/faults').send({ action: { type: 'throttle', ...bad } });
      expect(res.status).toBe(400);
      expect(res.body.field).toBe('action.bytesPerSecond');
    }
  });
});
