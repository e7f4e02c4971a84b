#!/usr/bin/env node
/**
 * CPU cost per request, for a machine too busy to measure throughput on (a shared CI runner, 2 cores and
 * several jobs). Throughput on a pinned core is 1 / (CPU time per request), so the ratio of CPU time per request
 * of two servers measured in the same run predicts their throughput ratio on a quiet machine far better than
 * req/s measured under load does. Nothing here asserts a time.
 *
 *   npm run build && node bench/cpu.mjs                     W1, W4, W6 and S (a few minutes)
 *   node bench/cpu.mjs --only W1,S --n 10000 --rounds 5 --users 10000
 *   node bench/cpu.mjs --only W4,W6 --baseline /tmp/base/dist   before/after in one run
 *   node bench/cpu.mjs --only W6 --split-w6 1                W6, and the journal alone and the 50 rules alone
 *   node bench/cpu.mjs --only W2 --n 20000                  W2 (userName eq) at --users and at --large users
 *   node bench/cpu.mjs --only W2 --ballast 90000             and at --users with a second tenant of 90,000 users
 *                                                           (the heap of the large server, the default tenant's store of the small one)
 *
 * `--baseline DIR` names another build's dist/ (say, main's, copied aside with a node_modules beside it): every
 * Scimulator case of W1, W4 and W6 then runs against that build too, in the same interleaved rounds, so a change
 * is measured against what it replaces under the same load.
 *
 * Every server is started first. Then, in each of `--rounds` rounds, each workload in turn: a short warm-up, the
 * server's CPU time read (utime + stime of /proc/<pid>/stat, every thread: JIT and GC helpers included), `--n`
 * requests with 8 connections, CPU time read again; a cell is the median over the rounds of CPU microseconds per
 * request, with the spread. S is the CPU time a process spends from spawn until it first answered 200 (wall time
 * printed beside it), median of 5. RSS is VmRSS after the last round.
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { request } from './lib/http.mjs';
import { option as arg } from './lib/args.mjs';
import { rssMB, startServer } from './lib/proc.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const only = arg('only', 'W1,W4,W6,S').toUpperCase().split(',');
const N = Number(arg('n', '10000'));
const ROUNDS = Number(arg('rounds', '5'));
const USERS = Number(arg('users', '10000'));
const EXTRA = (arg('extra', '') || '').split(' ').filter(Boolean);
const BASELINE = arg('baseline', '');
const LARGE = Number(arg('large', '100000'));
const BALLAST = Number(arg('ballast', '0'));
const SPLIT_W6 = arg('split-w6', '') !== '';
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
  await fire(server.origin, requests, Math.min(N, 2000), headers);
  await server.drain();
  const before = cpuMs(server.pid);
  const t0 = performance.now();
  const r = await fire(server.origin, requests, N, headers);
  await server.drain();
  const cpu = cpuMs(server.pid) - before;
  return { usPerReq: (cpu * 1000) / N, wallRps: N / ((performance.now() - t0) / 1000), ...r, rssMB: rssMB(server.pid) };
}

const startScimulator = (label, extra = [], users = USERS, dist = join(ROOT, 'dist')) =>
  startServer(label, [join(dist, 'cli.js'), 'serve', '--port', '0', '--seed', '1', '--users', String(users), '--groups', String(Math.max(1, users / 50)), ...EXTRA, ...extra], {
    port: 0,
    readyPath: `${BASE}/ServiceProviderConfig`,
    headers: AUTH,
    cwd: ROOT,
  });
const startExpress = () => startServer('express', [join(ROOT, 'bench/servers/fixed-body.mjs'), '--kind', 'express', '--port', '0'], { port: 0, cwd: ROOT });

/** W2's userNames: 64 from the middle of the directory (no early exit of a linear search helps). */
async function sampleUserNames(server, users) {
  const res = await request(`${server.origin}${BASE}/Users?startIndex=${users / 2}&count=64&attributes=userName`, { headers: AUTH });
  return res.json().Resources.map((u) => u.userName);
}
const w2 = (userNames) => userNames.map((u) => ({ method: 'GET', path: `${BASE}/Users?filter=${encodeURIComponent(`userName eq "${u}"`)}` }));

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
const print = (line) => {
  out.push(line);
  process.stdout.write(`${line}\n`);
};
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

process.stdout.write(`load average at start: ${loadavg().map((l) => l.toFixed(1)).join(' ')}; n=${N} per round, ${ROUNDS} rounds, users=${USERS}\n`);
// Every server is started first; then the rounds measure each workload in turn (each round starting with the
// next one), so that drift of a shared machine hits them all alike; a cell is the median of the rounds.
const cases = [];
const servers = [];
try {
  if (only.some((w) => ['W1', 'W4', 'W6'].includes(w))) {
    const ex = await startExpress();
    servers.push(ex);
    cases.push({ name: 'express reference (W1 shape)', server: ex, requests: w1(Array.from({ length: 64 }, (_, i) => `id-${i}`)), ref: true });
  }
  // The build under test, and with --baseline the other build: same cases, labelled "(baseline)".
  const builds = [{ dist: join(ROOT, 'dist'), tag: '' }, ...(BASELINE ? [{ dist: BASELINE, tag: ' (baseline)' }] : [])];
  for (const { dist, tag } of builds) {
    if (only.includes('W1') || only.includes('W4')) {
      const s = await startScimulator(`scimulator${tag}`, [], USERS, dist);
      servers.push(s);
      const ids = await sampleIds(s);
      if (only.includes('W1')) cases.push({ name: `W1 GET /Users/{id} (journal on)${tag}`, server: s, requests: w1(ids) });
      if (only.includes('W4')) cases.push({ name: `W4 POST /Users (journal on)${tag}`, server: s, requests: w4 });
    }
    if (only.includes('W2')) {
      for (const users of [USERS, LARGE]) {
        const s = await startScimulator(`scimulator ${users}${tag}`, [], users, dist);
        servers.push(s);
        cases.push({ name: `W2 userName eq, ${users / 1000}k users${tag}`, server: s, requests: w2(await sampleUserNames(s, users)), w2: `${users}${tag}` });
      }
      if (BALLAST) {
        const s = await startScimulator(`scimulator ${USERS} + ballast${tag}`, [], USERS, dist);
        servers.push(s);
        const res = await request(`${s.origin}/_mock/tenants`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: { id: 'ballast', users: BALLAST, groups: Math.floor(BALLAST / 50) } });
        if (res.status !== 201) throw new Error(`ballast tenant: ${res.status}`);
        cases.push({ name: `W2 ${USERS / 1000}k users + ${BALLAST / 1000}k in another tenant${tag}`, server: s, requests: w2(await sampleUserNames(s, USERS)) });
      }
    }
    if (only.includes('W6')) {
      const off = await startScimulator(`scimulator off${tag}`, ['--no-journal'], USERS, dist);
      servers.push(off);
      const on = await startScimulator(`scimulator on${tag}`, [], USERS, dist);
      servers.push(on);
      const addRules = async (server) => {
        for (let i = 0; i < 50; i++) {
          await request(`${server.origin}/_mock/faults`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: { name: `rule ${i}`, match: { operation: 'get', resourceType: 'User', headers: { 'X-Bench-Fault': `rule-${i}` } }, action: { type: 'error', status: 503 } },
          });
        }
      };
      await addRules(on);
      cases.push({ name: `W6 off: --no-journal, no rules${tag}`, server: off, requests: w1(await sampleIds(off)), w6: `off${tag}` });
      cases.push({ name: `W6 on: journal + 50 rules${tag}`, server: on, requests: w1(await sampleIds(on)), w6: `on${tag}` });
      if (SPLIT_W6) {
        // Which half costs what: the journal alone, the rules alone.
        const journalOnly = await startScimulator(`scimulator journal only${tag}`, [], USERS, dist);
        servers.push(journalOnly);
        const rulesOnly = await startScimulator(`scimulator rules only${tag}`, ['--no-journal'], USERS, dist);
        servers.push(rulesOnly);
        await addRules(rulesOnly);
        cases.push({ name: `W6 journal on, no rules${tag}`, server: journalOnly, requests: w1(await sampleIds(journalOnly)) });
        cases.push({ name: `W6 --no-journal, 50 rules${tag}`, server: rulesOnly, requests: w1(await sampleIds(rulesOnly)) });
      }
    }
  }
  for (const c of cases) c.runs = [];
  for (let round = 0; round < ROUNDS; round++) {
    // Each round starts with the next case: on a shared machine the position in a round biases the numbers.
    for (let k = 0; k < cases.length; k++) {
      const c = cases[(k + round) % cases.length];
      c.runs.push(await perRequest(c.server, c.requests));
    }
  }
  const ref = cases.find((c) => c.ref);
  const refUs = ref ? median(ref.runs.map((r) => r.usPerReq)) : undefined;
  for (const c of cases) {
    const us = median(c.runs.map((r) => r.usPerReq));
    c.us = us;
    const ratio = refUs && !c.ref ? ` ${(refUs / us).toFixed(2)}x express` : '';
    const spread = `(${Math.min(...c.runs.map((r) => r.usPerReq)).toFixed(0)}-${Math.max(...c.runs.map((r) => r.usPerReq)).toFixed(0)})`;
    const bad = c.runs.reduce((n, r) => n + r.non2xx + r.errors, 0);
    print(`${c.name.padEnd(48)} ${us.toFixed(0).padStart(5)} us/req ${spread.padEnd(12)}${ratio.padEnd(16)} RSS ${c.runs.at(-1).rssMB.toFixed(0)} MB${bad ? `  (${bad} failed)` : ''}`);
  }
  for (const tag of ['', ' (baseline)']) {
    const small = cases.find((c) => c.w2 === `${USERS}${tag}`);
    const large = cases.find((c) => c.w2 === `${LARGE}${tag}`);
    if (small && large) print(`W2 ${LARGE / 1000}k / ${USERS / 1000}k (CPU per request, inverted)${tag}: ${(small.us / large.us).toFixed(2)}`);
    const off = cases.find((c) => c.w6 === `off${tag}`);
    const on = cases.find((c) => c.w6 === `on${tag}`);
    if (off && on) print(`W6 on/off (CPU per request, inverted)${tag}: ${(off.us / on.us).toFixed(2)}`);
  }
} finally {
  for (const s of servers) await s.stop();
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
