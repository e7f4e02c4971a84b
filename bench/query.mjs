#!/usr/bin/env node
/**
 * Query benchmark (issue 3): the indexed existence probe (W2, `userName eq`) at 10,000 and 100,000 users, and the
 * full-scan value-path filter (W3) at 100,000 users. Runs on the built code: `npm run build && node bench/query.mjs`.
 *
 * Each workload is measured twice: in process (ScimService.query, no HTTP) and over HTTP (sequential requests with
 * keep-alive to a local server), reporting the median and p99 of single requests. The W3 reference is a plain
 * JavaScript loop applying the same predicate to the same objects.
 *
 * Options: --users 10000,100000 (sizes for W2), --w2 2000 (requests per size), --w3 31 (requests).
 */
import { performance } from 'node:perf_hooks';
import { createApp } from '../dist/http/app.js';
import { Scimulator } from '../dist/runtime.js';
import { generateDirectory } from '../dist/seed/generate.js';
import { option as arg } from './lib/args.mjs';

const SIZES = arg('users', '10000,100000').split(',').map(Number);
const W2_REQUESTS = Number(arg('w2', '2000'));
const W3_REQUESTS = Number(arg('w3', '31'));
const W3_FILTER = 'emails[type eq "work" and value ew "@example.com"]';

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((s.length * p) / 100))];
};
const ms = (x) => `${x.toFixed(3)} ms`;

async function setup(users) {
  const t0 = performance.now();
  const runtime = new Scimulator({ auth: 'none', control: false, maxPageSize: 1000 });
  const tenant = runtime.defaultTenant;
  const dir = generateDirectory({ seed: 1, users, groups: 0 });
  let sequence = 0;
  const stamped = dir.users.map((u) => ({ ...u, meta: { ...u.meta, version: `W/"${++sequence}"` } }));
  tenant.store.load({ sequence, resources: { User: stamped, Group: [] } });
  const app = createApp(runtime);
  const server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${server.address().port}/scim/v2`;
  return { tenant, users: stamped, server, base, loadMs: performance.now() - t0 };
}

const queryOptions = { limits: { defaultPageSize: 100, maxPageSize: 1000, cursorTimeout: 600 }, cursorSecret: 'bench' };

async function timeHttp(url) {
  const t = performance.now();
  const res = await fetch(url);
  const body = await res.json();
  const elapsed = performance.now() - t;
  if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(body)}`);
  return { elapsed, body };
}

async function w2(size) {
  const { tenant, users, server, base, loadMs } = await setup(size);
  const pick = (i) => users[(i * 7919) % users.length].userName;
  // In process.
  for (let i = 0; i < 200; i++) tenant.service.query(['User'], { filter: `userName eq "${pick(i)}"` }, queryOptions);
  const inProcess = [];
  let scanned = 0;
  for (let i = 0; i < W2_REQUESTS; i++) {
    const t = performance.now();
    const r = tenant.service.query(['User'], { filter: `userName eq "${pick(i).toUpperCase()}"` }, queryOptions);
    inProcess.push(performance.now() - t);
    scanned = Math.max(scanned, r.scanned);
    if (r.totalResults !== 1) throw new Error('W2 found no user');
  }
  // Over HTTP.
  for (let i = 0; i < 200; i++) await timeHttp(`${base}/Users?filter=${encodeURIComponent(`userName eq "${pick(i)}"`)}`);
  const http = [];
  for (let i = 0; i < W2_REQUESTS; i++) {
    const { elapsed, body } = await timeHttp(`${base}/Users?filter=${encodeURIComponent(`userName eq "${pick(i)}"`)}`);
    if (body.totalResults !== 1) throw new Error('W2 over HTTP found no user');
    http.push(elapsed);
  }
  server.close();
  return { size, loadMs, scanned, inProcess, http };
}

async function w3(size) {
  const { tenant, users, server, base } = await setup(size);
  const url = `${base}/Users?filter=${encodeURIComponent(W3_FILTER)}&count=10`;
  for (let i = 0; i < 3; i++) await timeHttp(url);
  const http = [];
  let total = 0;
  for (let i = 0; i < W3_REQUESTS; i++) {
    const { elapsed, body } = await timeHttp(url);
    http.push(elapsed);
    total = body.totalResults;
  }
  const inProcess = [];
  for (let i = 0; i < W3_REQUESTS; i++) {
    const t = performance.now();
    tenant.service.query(['User'], { filter: W3_FILTER, count: 10 }, queryOptions);
    inProcess.push(performance.now() - t);
  }
  // Reference: a plain loop with the same predicate over the same objects.
  const loop = [];
  let loopCount = 0;
  for (let i = 0; i < W3_REQUESTS; i++) {
    const t = performance.now();
    let n = 0;
    for (const u of users) {
      const emails = u.emails;
      if (!Array.isArray(emails)) continue;
      for (const e of emails) {
        if (typeof e.type === 'string' && e.type.toLowerCase() === 'work' && typeof e.value === 'string' && e.value.toLowerCase().endsWith('@example.com')) {
          n++;
          break;
        }
      }
    }
    loop.push(performance.now() - t);
    loopCount = n;
  }
  if (loopCount !== total) throw new Error(`W3 mismatch: loop ${loopCount}, server ${total}`);
  server.close();
  return { size, total, http, inProcess, loop };
}

console.log(`Scimulator query benchmark - node ${process.version}, ${new Date().toISOString()}`);
const w2Results = [];
for (const size of SIZES) {
  const r = await w2(size);
  w2Results.push(r);
  console.log(
    `W2 userName eq, ${size.toLocaleString('en')} users (loaded in ${Math.round(r.loadMs)} ms; scanned per query: ${r.scanned}): ` +
      `in process median ${ms(median(r.inProcess))} p99 ${ms(pct(r.inProcess, 99))}; ` +
      `HTTP median ${ms(median(r.http))} p99 ${ms(pct(r.http, 99))}`,
  );
}
if (w2Results.length >= 2) {
  const [a, b] = [w2Results[0], w2Results[w2Results.length - 1]];
  console.log(`W2 ratio ${b.size.toLocaleString('en')} / ${a.size.toLocaleString('en')} users: in process ${(median(b.inProcess) / median(a.inProcess)).toFixed(2)}, HTTP ${(median(b.http) / median(a.http)).toFixed(2)}`);
}
const w3Size = SIZES[SIZES.length - 1];
const r3 = await w3(w3Size);
console.log(
  `W3 ${W3_FILTER}&count=10, ${w3Size.toLocaleString('en')} users (${r3.total.toLocaleString('en')} match): ` +
    `HTTP median ${ms(median(r3.http))}; in process median ${ms(median(r3.inProcess))}; plain loop median ${ms(median(r3.loop))} ` +
    `(ratio HTTP / loop ${(median(r3.http) / median(r3.loop)).toFixed(2)})`,
);
