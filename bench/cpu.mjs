#!/usr/bin/env node
/**
 * CPU cost per request, for a machine too busy to measure throughput on (a shared CI runner, 2 cores and
 * several jobs). Throughput on a pinned core is 1 / (CPU time per request), so the ratio of CPU time per request
 * of two servers measured in the same run predicts their throughput ratio on a quiet machine far better than
 * req/s measured under load does. Nothing here asserts a time.
 *
 *   npm run build && node bench/cpu.mjs                     W1, W4, W6 and S (about a minute)
 *   node bench/cpu.mjs --only W1,S --n 20000 --users 10000
 *
 * For each server: start it, send `--n` requests as warm-up, read the process's CPU time (utime + stime of
 * /proc/<pid>/stat, every thread: JIT and GC helpers included), send `--n` more with 8 connections, read it
 * again; the cell is CPU microseconds per request. S is the CPU time a process spends from spawn until it first
 * answered 200 (wall time printed beside it). RSS is VmRSS after the run.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { request } from './lib/http.mjs';
import { rssMB, startServer } from './lib/proc.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : fallback;
};
const only = arg('only', 'W1,W4,W6,S').toUpperCase().split(',');
const N = Number(arg('n', '20000'));
const USERS = Number(arg('users', '10000'));
const EXTRA = (arg('extra', '') || '').split(' ').filter(Boolean);
const TOKEN = 'scimulator-dev-token';
const BASE = '/scim/v2';
const AUTH = { Authorization: `Bearer ${TOKEN}`, Accept: 'application/scim+json' };
const TICK_MS = 10; // USER_HZ on Linux is 100

function cpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime, stime (fields 14 and 15 of stat)
}

async function fire(origin, requests, amount, headers = AUTH) {
  const result = await autocannon({ url: origin, connections: 8, amount, requests, headers, timeout: 30 });
  return { non2xx: result.non2xx, errors: result.errors + result.timeouts };
}

async function perRequest(server, requests, headers) {
  await fire(server.origin, requests, N, headers);
  await server.drain();
  const before = cpuMs(server.pid);
  const t0 = performance.now();
  const r = await fire(server.origin, requests, N, headers);
  await server.drain();
  const cpu = cpuMs(server.pid) - before;
  return { usPerReq: (cpu * 1000) / N, wallRps: N / ((performance.now() - t0) / 1000), ...r, rssMB: rssMB(server.pid) };
}

const startScimulator = (label, extra = [], users = USERS) =>
  startServer(label, [join(ROOT, 'dist/cli.js'), 'serve', '--port', '0', '--seed', '1', '--users', String(users), '--groups', String(Math.max(1, users / 50)), ...EXTRA, ...extra], {
    port: 0,
    readyPath: `${BASE}/ServiceProviderConfig`,
    headers: AUTH,
    cwd: ROOT,
  });
const startExpress = () => startServer('express', [join(ROOT, 'bench/servers/fixed-body.mjs'), '--kind', 'express', '--port', '0'], { port: 0, cwd: ROOT });

async function sampleIds(server) {
  const res = await request(`${server.origin}${BASE}/Users?startIndex=${USERS / 2}&count=64&attributes=userName`, { headers: AUTH });
  return res.json().Resources.map((u) => u.id);
}
const w1 = (ids) => ids.map((id) => ({ method: 'GET', path: `${BASE}/Users/${id}` }));
let w4n = 0;
const w4Body = () => {
  const name = `cpu-${process.pid}-${++w4n}`;
  return JSON.stringify({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: name, name: { givenName: 'Bench', familyName: 'User' }, emails: [{ value: `${name}@example.com`, type: 'work', primary: true }], active: true });
};
const w4 = [{ method: 'POST', path: `${BASE}/Users`, headers: { 'Content-Type': 'application/scim+json' }, body: w4Body(), setupRequest: (req) => ({ ...req, body: w4Body() }) }];

const out = [];
const row = (name, r, ref) => {
  const ratio = ref ? ` ${(ref / r.usPerReq).toFixed(2)}x express` : '';
  const line = `${name.padEnd(44)} ${r.usPerReq.toFixed(0).padStart(6)} us/req${ratio.padEnd(18)} ${r.wallRps.toFixed(0).padStart(6)} req/s wall  RSS ${r.rssMB.toFixed(0)} MB${r.non2xx || r.errors ? `  (${r.non2xx} non-2xx, ${r.errors} errors)` : ''}`;
  out.push(line);
  process.stdout.write(`${line}\n`);
};

process.stdout.write(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}; n=${N}, users=${USERS}\n`);
let expressUs;
if (only.some((w) => ['W1', 'W4', 'W6'].includes(w))) {
  const ex = await startExpress();
  try {
    const r = await perRequest(ex, w1(Array.from({ length: 64 }, (_, i) => `id-${i}`)), AUTH);
    expressUs = r.usPerReq;
    row('express reference (W1 shape)', r);
  } finally {
    await ex.stop();
  }
}
if (only.includes('W1') || only.includes('W4')) {
  const s = await startScimulator('scimulator');
  try {
    const ids = await sampleIds(s);
    if (only.includes('W1')) row('W1 GET /Users/{id} (journal on)', await perRequest(s, w1(ids)), expressUs);
    if (only.includes('W4')) row('W4 POST /Users (journal on)', await perRequest(s, w4), expressUs);
  } finally {
    await s.stop();
  }
}
if (only.includes('W6')) {
  const off = await startScimulator('scimulator off', ['--no-journal']);
  let offR;
  try {
    offR = await perRequest(off, w1(await sampleIds(off)));
    row('W6 off: --no-journal, no rules', offR, expressUs);
  } finally {
    await off.stop();
  }
  const on = await startScimulator('scimulator on');
  try {
    for (let i = 0; i < 50; i++) {
      await request(`${on.origin}/_mock/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: { name: `rule ${i}`, match: { operation: 'get', resourceType: 'User', headers: { 'X-Bench-Fault': `rule-${i}` } }, action: { type: 'error', status: 503 } },
      });
    }
    const onR = await perRequest(on, w1(await sampleIds(on)));
    row('W6 on: journal + 50 rules', onR, expressUs);
    out.push(`W6 on/off (CPU per request, inverted): ${(offR.usPerReq / onR.usPerReq).toFixed(2)}`);
    process.stdout.write(`${out.at(-1)}\n`);
  } finally {
    await on.stop();
  }
}
if (only.includes('S')) {
  const starts = async (label, make) => {
    const cpu = [];
    const wall = [];
    for (let i = 0; i < 5; i++) {
      const s = await make();
      cpu.push(cpuMs(s.pid));
      wall.push(s.startMs);
      await s.stop();
    }
    const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    const line = `S ${label.padEnd(42)} ${String(med(cpu)).padStart(6)} ms CPU   ${med(wall).toFixed(0).padStart(6)} ms wall (median of 5)`;
    out.push(line);
    process.stdout.write(`${line}\n`);
    return med(cpu);
  };
  const ex = await starts('express reference', startExpress);
  const seeded = await starts('default seed (seeds/default.json)', () =>
    startServer('default', [join(ROOT, 'dist/cli.js'), 'serve', '--port', '0', '--seed-file', 'seeds/default.json'], { port: 0, readyPath: `${BASE}/ServiceProviderConfig`, headers: AUTH, cwd: ROOT }),
  );
  const empty = await starts('serve (empty)', () =>
    startServer('empty', [join(ROOT, 'dist/cli.js'), 'serve', '--port', '0'], { port: 0, readyPath: `${BASE}/ServiceProviderConfig`, headers: AUTH, cwd: ROOT }),
  );
  const line = `S ratios (CPU): default seed ${(seeded / ex).toFixed(2)}x express, empty ${(empty / ex).toFixed(2)}x express`;
  out.push(line);
  process.stdout.write(`${line}\n`);
}
process.stdout.write(`load average at end: ${loadavg().map((l) => l.toFixed(1)).join(' ')}\n`);
