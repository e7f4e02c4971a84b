#!/usr/bin/env node
/**
 * Does creating a large tenant stall the others? Starts the built server (`npm run build` first) with a default
 * tenant of 10,000 users, then creates a tenant of 100,000 users through POST /_mock/tenants while W1's request
 * (GET /Users/{id}, 64 ids in turn) runs against the default tenant on 32 connections. Prints the W1 latencies
 * measured while the creation was in flight (p50, p99, max) beside those of a run without it.
 *
 *   node bench/seed-stall.mjs [--users 100000] [--connections 32]
 *
 * Goal (issue 13): W1 p99 under 100 ms during the creation. The server and this process are pinned to a core
 * each when `taskset` is available, as in bench/run.mjs.
 */
import autocannon from 'autocannon';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from './lib/http.mjs';
import { setUpPinning, startServer, usePinning } from './lib/proc.mjs';
import { option } from './lib/args.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const arg = (name, fallback) => Number(option(name, fallback));
const USERS = arg('users', 100_000);
const CONNECTIONS = arg('connections', 32);
const AUTH = { Authorization: 'Bearer scimulator-dev-token', Accept: 'application/scim+json' };

usePinning(setUpPinning());
const server = await startServer('Scimulator', [join(ROOT, 'dist/cli.js'), 'serve', '--port', '0', '--seed', '1', '--users', '10000', '--groups', '200'], {
  port: 0,
  readyPath: '/scim/v2/ServiceProviderConfig',
  headers: AUTH,
  cwd: ROOT,
});
try {
  const page = (await request(`${server.origin}/scim/v2/Users?count=64&startIndex=5000`, { headers: AUTH })).json();
  const requests = page.Resources.map((u) => ({ method: 'GET', path: `/scim/v2/Users/${u.id}` }));

  /** W1 on the default tenant until `until` settles (or for `seconds`); latency percentiles in ms. */
  const w1 = (until, seconds) =>
    new Promise((resolve, reject) => {
      const run = autocannon({ url: server.origin, connections: CONNECTIONS, duration: seconds ?? 600, requests, headers: AUTH, timeout: 30 }, (err, result) => {
        if (err) reject(err);
        else resolve({ requests: result.requests.total, non2xx: result.non2xx, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max });
      });
      until?.then(() => run.stop());
    });

  const load1 = loadavg()[0];
  const quiet = await w1(undefined, 10);
  const started = performance.now();
  const creation = request(`${server.origin}/_mock/tenants`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { id: 'big', users: USERS, groups: Math.round(USERS / 50) }, timeoutMs: 600_000 }).then((res) => {
    if (res.status !== 201) throw new Error(`POST /_mock/tenants answered ${res.status}: ${res.text}`);
    return performance.now() - started;
  });
  const [during, creationMs] = await Promise.all([w1(creation), creation]);
  const load2 = loadavg()[0];
  const line = (label, r) => `${label.padEnd(36)} ${String(r.requests).padStart(7)} requests  p50 ${r.p50} ms  p99 ${r.p99} ms  max ${r.max} ms${r.non2xx ? `  (${r.non2xx} non-2xx)` : ''}`;
  console.log(`creating a tenant of ${USERS.toLocaleString('en')} users took ${(creationMs / 1000).toFixed(1)} s; load average ${load1.toFixed(1)} -> ${load2.toFixed(1)}`);
  console.log(line('W1 on the default tenant, alone', quiet));
  console.log(line('W1 while the tenant is created', during));
  console.log(`goal: p99 < 100 ms during the creation: ${during.p99 < 100 ? 'met' : 'MISSED'}`);
} finally {
  await server.stop();
}
