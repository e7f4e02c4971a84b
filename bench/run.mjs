#!/usr/bin/env node
/**
 * Scimulator benchmark harness (issue 7). `npm run bench` builds, then runs this file.
 *
 *   node bench/run.mjs                 every workload (W1..W6, S, M), 3 runs each, under 10 minutes
 *   node bench/run.mjs --only W2       one workload (comma-separate several: --only W1,W6); its references run too
 *   node bench/run.mjs --quick         smoke run: every workload with 1 s durations and fewer samples
 *
 * Each server under test is its own child process pinned to core 0 (`taskset -c 0`); this process, the load
 * generator (autocannon, programmatic), pins itself to core 1. Every workload is warmed up, then run 3 times;
 * the table shows the median and the spread (min–max) of the 3 runs, the ratios against the references measured
 * in the same run, and the goals of issues 7 and 13 with PASS/MISS. The same data goes to bench/results.json.
 * A workload Scimulator does not support yet (the server answers 400/501) is reported as
 * "n/a (feature missing: ...)". See bench/README.md.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { detailOf, request } from './lib/http.mjs';
import { load } from './lib/load.mjs';
import { freePort, killAll, rssMB, setUpPinning, spawnNode, startServer, usePinning } from './lib/proc.mjs';
import { COLUMNS, markdownTable, naNotes, textTable } from './lib/report.mjs';
import { median, round, summarize } from './lib/stats.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const T0 = performance.now();

// ------------------------------------------------------------------------------------------------------------
// Options

const WORKLOADS = ['W1', 'W2', 'W3', 'W4', 'W5', 'W6', 'S', 'M'];
const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
let only = null;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i];
  if (a === '--only' || a.startsWith('--only=')) {
    const value = a.includes('=') ? a.slice(7) : argv[++i];
    only = String(value ?? '').toUpperCase().split(',').filter(Boolean);
    const bad = only.filter((w) => !WORKLOADS.includes(w));
    if (bad.length || only.length === 0) usage(`--only takes a comma-separated list of ${WORKLOADS.join(', ')}; got "${value ?? ''}"`);
  } else if (a === '--help' || a === '-h') {
    usage();
  } else if (a !== '--quick') {
    usage(`unknown argument ${a}`);
  }
}
const want = (...ws) => ws.some((w) => !only || only.includes(w));

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write('usage: npm run bench [-- --only W1,W2,...] [-- --quick]   (workloads: W1 W2 W3 W4 W5 W6 S M)\n');
  process.exit(message ? 2 : 0);
}

/** Durations (s) and sample counts. The full run must stay under 10 minutes on 2 cores. */
const D = quick
  ? { main: 1, peer: 1, w2: 1, warm: 0.5, runs: 3, seqWarm: 2, seqN: 5, seqCapMs: 3000, starts: 1, loopReps: 3 }
  : { main: 10, peer: 3, w2: 3, warm: 2, runs: 3, seqWarm: 10, seqN: 30, seqCapMs: 8000, starts: 5, loopReps: 15 };
const CONNECTIONS = 32;
const SLOW_MS = 200;
/** Scimulator's default --journal-capacity. */
const JOURNAL_CAPACITY = 10_000;
const SMALL = 10_000;
const LARGE = 100_000;
const groupsFor = (users) => Math.max(1, Math.round(users / 50));

const TOKEN = 'scimulator-dev-token';
const BASE = '/scim/v2';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const AUTH = { Authorization: `Bearer ${TOKEN}`, Accept: 'application/scim+json' };
const SCIM_JSON = { ...AUTH, 'Content-Type': 'application/scim+json' };
const W3_FILTER = 'emails[type eq "work" and value ew "@example.com"]';
const filterPath = (filter, extra = '') => `${BASE}/Users?filter=${encodeURIComponent(filter)}${extra}`;
/**
 * W4's body with a userName never used before. (autocannon's own idReplacement sends a wrong Content-Length
 * with its URL-safe ids, so the body is built per request in setupRequest.)
 */
let w4Counter = 0;
const W4_TAG = `${Date.now().toString(36)}${process.pid.toString(36)}`;
const w4Body = () => {
  const name = `bench-${W4_TAG}-${++w4Counter}`;
  return JSON.stringify({
    schemas: [USER],
    userName: name,
    name: { givenName: 'Bench', familyName: 'User' },
    emails: [{ value: `${name}@example.com`, type: 'work', primary: true }],
    active: true,
  });
};

// ------------------------------------------------------------------------------------------------------------
// Results

const results = {
  date: new Date().toISOString(),
  machine: { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, platform: `${process.platform} ${process.arch}` },
  options: { quick, only, durations: D, connections: CONNECTIONS },
  scimulatorLauncher: null,
  pinning: null,
  rows: [],
  details: {},
  errors: [],
  phases: {},
  totalSeconds: null,
};
const rows = new Map();
/** A table row; cells: { scimulator, http, express, jsonServer, scimmy, loop } -> stats | { na } | undefined. */
function row(key, id, what, unit, better, goal) {
  if (!rows.has(key)) rows.set(key, { key, id, what, unit, better, goal, cells: {}, ratios: {}, verdict: '' });
  return rows.get(key);
}
const na = (reason) => ({ na: reason });
const single = (x) => ({ median: x, min: x, max: x, runs: [x] });
const log = (msg) => process.stdout.write(`[${((performance.now() - T0) / 1000).toFixed(0).padStart(3)} s] ${msg}\n`);

async function phase(name, fn) {
  const t = performance.now();
  try {
    await fn();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    results.errors.push(`${name}: ${message}`);
    log(`ERROR in ${name}: ${message}`);
  } finally {
    results.phases[name] = round((performance.now() - t) / 1000, 1);
  }
}

// ------------------------------------------------------------------------------------------------------------
// Measuring

/**
 * Sends the first request of a workload once. A 400/501 (or 404/405 for an endpoint that is not there) means
 * the feature is missing: returns { na } with the server's own words. `check(res)` may reject a wrong answer.
 */
async function probe(origin, req, headers, check, timing) {
  const res = await request(`${origin}${req.path}`, { method: req.method ?? 'GET', headers: { ...headers, ...req.headers }, body: req.body });
  if ([400, 404, 405, 501].includes(res.status)) return na(`feature missing: ${res.status} ${detailOf(res)}`);
  if (res.status >= 300) return na(`unexpected ${res.status}: ${detailOf(res)}`);
  const wrong = check?.(res);
  if (wrong) return na(`wrong answer: ${wrong}`);
  if (timing) timing.ms = res.ms;
  return null;
}

/**
 * Warm-up, then D.runs autocannon runs. Returns { rps, p99, runs, non2xx, errors } (stats over runs), or { na }.
 * `afterRun(i)` runs after each measured run (RSS readings).
 */
async function throughput(server, requests, { duration = D.main, headers = AUTH, check, afterRun } = {}) {
  const timing = {};
  const failed = await probe(server.origin, requests[0], headers, check, timing);
  if (failed) return { rps: failed, p99: failed };
  if (timing.ms > SLOW_MS) {
    // A server that needs more than SLOW_MS a request (a peer scanning 100,000 users) is measured with sequential
    // requests instead: with 32 connections it would complete a handful per run and then spend half a minute
    // on the requests still queued. It serves one request at a time anyway, so req/s = 1000 / latency.
    const seq = await sequential(server.origin, (i) => requests[i % requests.length], { headers, expect: [200, 201, 204], warm: 1, n: 20, capMs: duration * 1000 });
    if (seq.na) return { rps: seq, p99: seq };
    const rps = summarize(seq.runs.map((ms) => 1000 / ms));
    rps.note = `sequential requests (slower than ${SLOW_MS} ms each): req/s = 1000 / median latency`;
    return { rps, p99: undefined, raw: seq };
  }
  const opts = { origin: server.origin, connections: CONNECTIONS, requests, headers };
  await load({ ...opts, duration: D.warm });
  await server.drain();
  const runs = [];
  for (let i = 0; i < D.runs; i++) {
    runs.push(await load({ ...opts, duration }));
    await server.drain();
    await afterRun?.(i);
  }
  const bad = runs.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
  const total = runs.reduce((n, r) => n + r.total, 0);
  const rps = summarize(runs.map((r) => r.rps));
  const p99 = summarize(runs.map((r) => r.p99));
  if (bad > 0) {
    rps.failures = bad;
    rps.note = `${bad} of ${total} requests failed (non-2xx, errors or timeouts)`;
    if (bad > total * 0.01) return { rps: na(rps.note), p99: na(rps.note), raw: runs };
  }
  return { rps, p99, raw: runs };
}

/**
 * Sequential requests: warm-up, then D.runs runs of up to D.seqN requests (each run also stops after
 * D.seqCapMs); the value of a run is its median latency. `make(i)` returns { method, path, body }.
 */
async function sequential(origin, make, { headers = AUTH, expect = [200], check, warm = D.seqWarm, n = D.seqN, capMs = D.seqCapMs, probeIsSample = false } = {}) {
  let i = 0;
  const send = async () => {
    let req = make(i++);
    if (req.setupRequest) req = req.setupRequest({ ...req });
    return request(`${origin}${req.path}`, { method: req.method ?? 'GET', headers: { ...headers, ...req.headers }, body: req.body, timeoutMs: 120_000 });
  };
  const first = await send();
  if ([400, 404, 405, 501].includes(first.status)) return na(`feature missing: ${first.status} ${detailOf(first)}`);
  if (!expect.includes(first.status)) return na(`unexpected ${first.status}: ${detailOf(first)}`);
  const wrong = check?.(first);
  if (wrong) return na(`wrong answer: ${wrong}`);
  const deadline = performance.now() + capMs;
  for (let k = 1; k < warm && performance.now() < deadline; k++) await send();
  const runs = [];
  for (let r = 0; r < D.runs; r++) {
    const times = r === 0 && probeIsSample ? [first.ms] : [];
    const end = performance.now() + capMs;
    while (times.length < n && (times.length === 0 || performance.now() < end)) {
      const res = await send();
      if (!expect.includes(res.status)) return na(`unexpected ${res.status} during the run: ${detailOf(res)}`);
      times.push(res.ms);
    }
    runs.push(median(times));
  }
  return { ...summarize(runs), samplesPerRun: n };
}

const settle = (ms = 500) => new Promise((r) => setTimeout(r, ms));
async function rssAfterSettle(server, ms = 500) {
  await settle(ms);
  return rssMB(server.pid);
}

// ------------------------------------------------------------------------------------------------------------
// Servers

let cliHasSeeding = false;
let cliHasNoJournal = false;
function scimulatorArgs({ port, users = 0, groups = 0, extra = [] }) {
  const common = ['--port', String(port), '--host', '127.0.0.1', ...extra];
  if (users === 0 && groups === 0) return [join(ROOT, 'dist/cli.js'), 'serve', ...common];
  const seed = ['--seed', '1', '--users', String(users), '--groups', String(groups)];
  if (cliHasSeeding) return [join(ROOT, 'dist/cli.js'), 'serve', ...common, ...seed];
  return [join(ROOT, 'bench/start-scimulator.mjs'), ...common, ...seed];
}

async function startScimulator(label, opts = {}) {
  return startServer(label, scimulatorArgs({ port: 0, ...opts }), { port: 0, readyPath: `${BASE}/ServiceProviderConfig`, headers: AUTH, cwd: ROOT });
}

async function startReference(kind) {
  return startServer(`${kind} reference`, [join(ROOT, 'bench/servers/fixed-body.mjs'), '--kind', kind, '--port', '0'], { port: 0, cwd: ROOT });
}

async function startJsonServer(dbFile, size) {
  const dir = join(ROOT, '.tmp/bench/run', `json-server-${size}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(dbFile, join(dir, 'db.json')); // json-server rewrites its file on every write (W4)
  const port = await freePort();
  const bin = join(ROOT, 'node_modules/json-server/lib/cli/bin.js');
  return startServer(`json-server ${size}`, [bin, '--port', String(port), '--host', '127.0.0.1', '--quiet', 'db.json'], { port, readyPath: '/users?_limit=1', cwd: dir });
}

async function startScimmy(dbFile, size) {
  return startServer(`scimmy-routers ${size}`, [join(ROOT, 'bench/servers/scimmy.mjs'), '--port', '0', '--db', dbFile, '--token', TOKEN], {
    port: 0,
    readyPath: `${BASE}/ServiceProviderConfig`,
    headers: AUTH,
    cwd: ROOT,
  });
}

/** `count` userNames and ids of a Scimulator directory, taken from the middle of it. */
async function scimulatorSample(server, users, count = 64) {
  const start = Math.max(1, Math.floor(users / 2) - count);
  const res = await request(`${server.origin}${BASE}/Users?startIndex=${start}&count=${count}&attributes=userName`, { headers: AUTH });
  if (res.status !== 200) throw new Error(`cannot list users of ${server.name}: ${res.status} ${detailOf(res)}`);
  const list = res.json().Resources ?? [];
  if (list.length === 0) throw new Error(`${server.name} listed no users`);
  return { ids: list.map((u) => u.id), userNames: list.map((u) => u.userName) };
}

/** Every user id of a Scimulator directory, through pages of 1,000. */
async function allUserIds(server) {
  const ids = [];
  for (let start = 1; ; ) {
    const res = await request(`${server.origin}${BASE}/Users?startIndex=${start}&count=1000&attributes=id`, { headers: AUTH });
    if (res.status !== 200) throw new Error(`paging users failed: ${res.status} ${detailOf(res)}`);
    const body = res.json();
    const page = body.Resources ?? [];
    for (const u of page) ids.push(u.id);
    if (page.length === 0 || ids.length >= body.totalResults) break;
    start += page.length;
  }
  return ids;
}

const w1Requests = (ids, prefix = `${BASE}/Users/`) => ids.map((id) => ({ method: 'GET', path: `${prefix}${encodeURIComponent(id)}` }));
const w2Requests = (userNames) => userNames.map((u) => ({ method: 'GET', path: filterPath(`userName eq "${u}"`) }));
const w2JsonServerRequests = (userNames) => userNames.map((u) => ({ method: 'GET', path: `/users?userName=${encodeURIComponent(u)}` }));
const w4Request = (path, contentType) => [
  { method: 'POST', path, body: w4Body(), headers: { 'Content-Type': contentType }, setupRequest: (req) => ({ ...req, body: w4Body() }) },
];
const exactlyOne = (res) => {
  const body = res.json();
  const n = Array.isArray(body) ? body.length : body.totalResults;
  return n === 1 ? null : `expected exactly one user, got ${n}`;
};
const w3Check = (res) => {
  const body = res.json();
  if (!(body.totalResults > 0)) return `expected matches, got totalResults ${body.totalResults}`;
  if ((body.Resources ?? []).length !== Math.min(10, body.totalResults)) return `count=10 returned ${(body.Resources ?? []).length} resources`;
  return null;
};

// ------------------------------------------------------------------------------------------------------------
// Peer data (json-server and scimmy-routers load the same generated users; Scimulator generates its own)

function peerData() {
  const gen = readFileSync(join(ROOT, 'dist/seed/generate.js'));
  const key = createHash('sha256').update(gen).update(`seed1:${LARGE}`).digest('hex').slice(0, 12);
  const dir = join(ROOT, '.tmp/bench', `data-${key}`);
  if (!existsSync(join(dir, 'users.json'))) {
    log(`generating ${LARGE.toLocaleString('en')} users for the peers (cached in ${dir})`);
    const child = spawnSync(process.execPath, [join(ROOT, 'bench/lib/make-data.mjs'), dir, String(LARGE)], { stdio: 'inherit' });
    if (child.status !== 0) throw new Error('generating peer data failed');
  }
  return {
    dir,
    users: join(dir, 'users.json'),
    db: { [SMALL]: join(dir, `db-${SMALL}.json`), [LARGE]: join(dir, `db-${LARGE}.json`) },
    sample: JSON.parse(readFileSync(join(dir, 'sample.json'), 'utf8')),
  };
}

// ------------------------------------------------------------------------------------------------------------
// Workloads

const W1 = () => row('W1', 'W1', 'GET /Users/{id}, 32 conn', 'req/s', 'higher', 'Scimulator ≥ 0.8× express and ≥ 3× SCIM peer');
const W1p99 = () => row('W1p99', 'W1', 'p99 latency', 'ms', 'lower', '');
const W2s = () => row('W2s', 'W2', `userName eq, ${SMALL / 1000}k users`, 'req/s', 'higher', '');
const W2l = () => row('W2l', 'W2', `userName eq, ${LARGE / 1000}k users`, 'req/s', 'higher', '≥ 0.9× W2 at 10k and ≥ 0.7× express');
const W3 = () => row('W3', 'W3', `emails[…] scan, ${LARGE / 1000}k, median`, 'ms', 'lower', '≤ 1.0× the JS loop');
const W4 = () => row('W4', 'W4', 'POST /Users, 32 conn', 'req/s', 'higher', '≥ 0.5× express');
const W5s = () => row('W5s', 'W5', 'PATCH add member, 100-member group', 'ms', 'lower', '< 2 ms');
const W5l = () => row('W5l', 'W5', `PATCH add member, ${LARGE / 1000}k-member group`, 'ms', 'lower', '< 2 ms and ≤ 1.5× the 100-member case');
const W6on = () => row('W6on', 'W6', 'W1 with journal on + 50 fault rules', 'req/s', 'higher', '≥ 0.9× W1 with both off');
const W6off = () => row('W6off', 'W6', 'W1 with journal off + no rules', 'req/s', 'higher', '');
const Sdef = () => row('Sdef', 'S', 'start-up, default seed', 'ms', 'lower', '≤ 2× express start-up');
const Slarge = () => row('Slarge', 'S', `start-up, ${LARGE / 1000}k users (generation included)`, 'ms', 'lower', '< 8 s');
const Msmall = () => row('Msmall', 'M', `RSS after loading ${SMALL / 1000}k users`, 'MB', 'lower', '');
const Mlarge = () => row('Mlarge', 'M', `RSS after loading ${LARGE / 1000}k users`, 'MB', 'lower', '< 300 MB');
const MafterSmall = () => row('MafterSmall', 'M', `RSS after W1, W2, W4 (${SMALL / 1000}k server)`, 'MB', 'lower', '< 250 MB');
const MafterLarge = () => row('MafterLarge', 'M', `RSS after W2, W3, W5 (${LARGE / 1000}k server)`, 'MB', 'lower', '< 450 MB');
const MafterW6 = () => row('MafterW6', 'M', 'RSS after W6 (journal on, 50 rules)', 'MB', 'lower', '');
const Mgrowth = () => row('Mgrowth', 'M', 'RSS growth, W1 run 1 → run 3', '%', 'lower', '≤ 5 %');

function orderRows() {
  const order = [W1, W1p99, W2s, W2l, W3, W4, W5s, W5l, W6on, W6off, Sdef, Slarge, Msmall, Mlarge, MafterSmall, MafterLarge, MafterW6, Mgrowth].map((f) => f().key);
  return order.map((k) => rows.get(k)).filter((r) => Object.values(r.cells).some(Boolean));
}

async function references() {
  for (const kind of ['http', 'express']) {
    const server = await startReference(kind);
    try {
      const column = kind === 'http' ? 'http' : 'express';
      const ids = Array.from({ length: 64 }, (_, i) => `2819c223-7f76-453a-919d-${String(i).padStart(12, '0')}`);
      log(`${kind} reference: W1 shape, ${D.runs}× ${D.main} s`);
      const t = await throughput(server, w1Requests(ids));
      results.details[`reference-${kind}`] = t.raw;
      W1().cells[column] = t.rps;
      W1p99().cells[column] = t.p99;
      Msmall().cells[column] = single(await rssAfterSettle(server, 100));
    } finally {
      await server.stop();
    }
  }
}

async function scimulatorSmall() {
  log(`Scimulator with ${SMALL.toLocaleString('en')} users: start`);
  const server = await startScimulator(`Scimulator ${SMALL}`, { users: SMALL, groups: groupsFor(SMALL), extra: ['--max-body', String(16 * 1024 * 1024)] });
  try {
    Msmall().cells.scimulator = single(await rssAfterSettle(server));
    const sample = await scimulatorSample(server, SMALL);
    const stages = {};
    if (want('W1', 'M')) {
      log(`Scimulator W1: ${D.runs}× ${D.main} s`);
      const rss = [];
      const journal = [];
      const afterRun = async () => {
        rss.push(rssMB(server.pid));
        // How full the journal's ring is: RSS grows until it holds --journal-capacity entries.
        const res = await request(`${server.origin}/_mock/requests?limit=1`).catch(() => undefined);
        try {
          const body = res?.status === 200 ? res.json() : undefined;
          journal.push(body ? { count: body.count, lastSeq: body.lastSeq } : null);
        } catch {
          journal.push(null);
        }
      };
      const t = await throughput(server, w1Requests(sample.ids), { afterRun });
      W1().cells.scimulator = t.rps;
      W1p99().cells.scimulator = t.p99;
      results.details.scimulatorW1 = { runs: t.raw, rssAfterEachRunMB: rss, journalAfterEachRun: journal };
      if (rss.length >= 2) {
        Mgrowth().cells.scimulator = single(((rss[rss.length - 1] - rss[0]) / rss[0]) * 100);
        const held = journal[0]?.count;
        if (Number.isFinite(held) && held < JOURNAL_CAPACITY) {
          Mgrowth().cells.scimulator.note = `the journal was still filling (${held} of ${JOURNAL_CAPACITY} entries after run 1, ${journal.at(-1)?.count} after run ${journal.length}): part of the growth is its ring buffer`;
        }
      }
      stages.afterW1 = rssMB(server.pid);
    }
    if (want('W2')) {
      log(`Scimulator W2 at ${SMALL / 1000}k: ${D.runs}× ${D.w2} s`);
      const t = await throughput(server, w2Requests(sample.userNames), { duration: D.w2, check: exactlyOne });
      W2s().cells.scimulator = t.rps;
      stages.afterW2 = rssMB(server.pid);
    }
    if (want('W4')) {
      log(`Scimulator W4: ${D.runs}× ${D.main} s`);
      const t = await throughput(server, w4Request(`${BASE}/Users`, 'application/scim+json'));
      W4().cells.scimulator = t.rps;
      stages.afterW4 = rssMB(server.pid);
    }
    results.details.scimulatorSmallRssMB = stages;
    const last = Object.values(stages).at(-1);
    if (last !== undefined) MafterSmall().cells.scimulator = single(last);
  } finally {
    await server.stop();
  }
}

async function jsonServer(data, size) {
  log(`json-server with ${size.toLocaleString('en')} users: start`);
  const server = await startJsonServer(data.db[size], size);
  try {
    (size === SMALL ? Msmall : Mlarge)().cells.jsonServer = single(await rssAfterSettle(server));
    const sample = data.sample[size];
    if (size === SMALL && want('W1')) {
      log(`json-server W1: ${D.runs}× ${D.peer} s`);
      const t = await throughput(server, w1Requests(sample.ids, '/users/'), { duration: D.peer, headers: {} });
      W1().cells.jsonServer = t.rps;
      W1p99().cells.jsonServer = t.p99;
    }
    if (want('W2')) {
      log(`json-server W2 (?userName=) at ${size / 1000}k: ${D.runs}× ${D.peer} s`);
      const t = await throughput(server, w2JsonServerRequests(sample.userNames), { duration: D.peer, headers: {}, check: exactlyOne });
      (size === SMALL ? W2s : W2l)().cells.jsonServer = t.rps;
    }
    if (size === SMALL && want('W4')) {
      log(`json-server W4: ${D.runs}× ${D.peer} s`);
      const t = await throughput(server, w4Request('/users', 'application/json'), { duration: D.peer, headers: {} });
      W4().cells.jsonServer = t.rps;
    }
  } finally {
    await server.stop();
  }
}

async function scimmy(data, size) {
  log(`scimmy-routers with ${size.toLocaleString('en')} users: start`);
  const server = await startScimmy(data.db[size], size);
  try {
    (size === SMALL ? Msmall : Mlarge)().cells.scimmy = single(await rssAfterSettle(server));
    const sample = data.sample[size];
    if (size === SMALL && want('W1')) {
      log(`scimmy-routers W1: ${D.runs}× ${D.peer} s`);
      const t = await throughput(server, w1Requests(sample.ids), { duration: D.peer });
      W1().cells.scimmy = t.rps;
      W1p99().cells.scimmy = t.p99;
    }
    if (want('W2')) {
      log(`scimmy-routers W2 at ${size / 1000}k: ${D.runs}× ${D.peer} s`);
      const t = await throughput(server, w2Requests(sample.userNames), { duration: D.peer, check: exactlyOne });
      (size === SMALL ? W2s : W2l)().cells.scimmy = t.rps;
    }
    if (size === SMALL && want('W4')) {
      log(`scimmy-routers W4: ${D.runs}× ${D.peer} s`);
      const t = await throughput(server, w4Request(`${BASE}/Users`, 'application/scim+json'), { duration: D.peer });
      W4().cells.scimmy = t.rps;
    }
    if (size === LARGE && want('W3')) {
      log('scimmy-routers W3 (sequential)');
      // Seconds per request (no JIT warm-up matters at that scale): one request per run, the probe being the first.
      W3().cells.scimmy = await sequential(server.origin, () => ({ path: filterPath(W3_FILTER, '&count=10') }), { check: w3Check, warm: 0, n: 1, probeIsSample: true });
    }
  } finally {
    await server.stop();
  }
}

/** S: spawn to first 200 from /ServiceProviderConfig. Returns the last 100k server, still running, when asked to. */
async function startups({ keepLarge }) {
  const times = { express: [], scimDefault: [], scimLarge: [] };
  for (let i = 0; i < D.starts; i++) {
    const e = await startReference('express');
    times.express.push(e.startMs);
    await e.stop();
    const s = await startScimulator('Scimulator (default seed)');
    times.scimDefault.push(s.startMs);
    await s.stop();
  }
  Sdef().cells.express = summarize(times.express);
  Sdef().cells.scimulator = summarize(times.scimDefault);
  let kept = null;
  for (let i = 0; i < D.starts; i++) {
    log(`S: Scimulator with ${LARGE.toLocaleString('en')} users, start ${i + 1} of ${D.starts}`);
    const s = await startScimulator(`Scimulator ${LARGE}`, { users: LARGE, groups: groupsFor(LARGE), extra: ['--max-body', String(16 * 1024 * 1024)] });
    times.scimLarge.push(s.startMs);
    if (keepLarge && i === D.starts - 1) kept = s;
    else await s.stop();
  }
  Slarge().cells.scimulator = summarize(times.scimLarge);
  results.details.startupsMs = times;
  return kept;
}

async function scimulatorLarge(server) {
  if (!server) {
    log(`Scimulator with ${LARGE.toLocaleString('en')} users: start`);
    server = await startScimulator(`Scimulator ${LARGE}`, { users: LARGE, groups: groupsFor(LARGE), extra: ['--max-body', String(16 * 1024 * 1024)] });
  }
  try {
    Mlarge().cells.scimulator = single(await rssAfterSettle(server));
    const stages = {};
    if (want('W2')) {
      const sample = await scimulatorSample(server, LARGE);
      log(`Scimulator W2 at ${LARGE / 1000}k: ${D.runs}× ${D.w2} s`);
      const t = await throughput(server, w2Requests(sample.userNames), { duration: D.w2, check: exactlyOne });
      W2l().cells.scimulator = t.rps;
      stages.afterW2 = rssMB(server.pid);
    }
    if (want('W3')) {
      log('Scimulator W3 (sequential)');
      W3().cells.scimulator = await sequential(server.origin, () => ({ path: filterPath(W3_FILTER, '&count=10') }), { check: w3Check });
      stages.afterW3 = rssMB(server.pid);
    }
    if (want('W5')) {
      await membership(server);
      stages.afterW5 = rssMB(server.pid);
    }
    results.details.scimulatorLargeRssMB = stages;
    const last = Object.values(stages).at(-1);
    if (last !== undefined) MafterLarge().cells.scimulator = single(last);
  } finally {
    await server.stop();
  }
}

/** W5: PATCH /Groups/{id} adding one member, to a group of 100 and to a group of 100,000 members. */
async function membership(server) {
  const t = performance.now();
  const ids = await allUserIds(server);
  const setup = { pagingMs: round(performance.now() - t) };
  const samples = D.seqWarm + D.runs * D.seqN + 5;
  const post = async (path, body) => {
    const res = await request(`${server.origin}${BASE}${path}`, { method: 'POST', headers: SCIM_JSON, body });
    if (res.status !== 201) throw new Error(`POST ${path} failed: ${res.status} ${detailOf(res)}`);
    return res.json();
  };
  const small = await post('/Groups', { schemas: [GROUP], displayName: 'bench-w5-small', members: ids.slice(0, 100).map((value) => ({ value })) });
  let t1 = performance.now();
  const large = await post('/Groups', { schemas: [GROUP], displayName: 'bench-w5-large', members: ids.slice(0, LARGE).map((value) => ({ value })) });
  setup.createLargeGroupMs = round(performance.now() - t1);
  t1 = performance.now();
  const extras = [];
  for (let i = 0; i < samples; i++) {
    extras.push((await post('/Users', { schemas: [USER], userName: `bench-w5-extra-${i}`, emails: [{ value: `bench-w5-extra-${i}@example.com`, type: 'work' }] })).id);
  }
  setup.createExtraUsersMs = round(performance.now() - t1);
  results.details.w5Setup = { ...setup, largeGroupMembers: Math.min(LARGE, ids.length) };
  const patch = (groupId, pool) => (i) => ({
    method: 'PATCH',
    path: `${BASE}/Groups/${groupId}?excludedAttributes=members`,
    body: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: pool[i % pool.length] }] }] },
  });
  log(`Scimulator W5 (sequential): 100-member group`);
  W5s().cells.scimulator = await sequential(server.origin, patch(small.id, ids.slice(100, 100 + samples)), { headers: SCIM_JSON, expect: [200, 204] });
  log(`Scimulator W5 (sequential): ${LARGE.toLocaleString('en')}-member group`);
  W5l().cells.scimulator = await sequential(server.origin, patch(large.id, extras), { headers: SCIM_JSON, expect: [200, 204] });
}

async function scanLoop(data) {
  log('W3 reference: plain JS loop over the users, in its own process on core 0');
  const child = spawnNode([join(ROOT, 'bench/lib/scan-loop.mjs'), data.users, String(LARGE), String(D.loopReps)]);
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const { code } = await child.exited;
  if (code !== 0) throw new Error(`scan loop failed: ${child.tail()}`);
  const { runsMs, matches } = JSON.parse(out.trim().split('\n').at(-1));
  const per = Math.max(1, Math.floor(runsMs.length / D.runs));
  const runs = [];
  for (let r = 0; r < D.runs; r++) runs.push(median(runsMs.slice(r * per, (r + 1) * per)));
  W3().cells.loop = { ...summarize(runs), matches };
}

/** W6: W1 with the journal on and 50 non-matching fault rules, against W1 with the journal off and no rules. */
async function testDoubleCost() {
  const offFlags = cliHasNoJournal ? ['--no-journal'] : ['--journal-capacity', '1'];
  log(`W6: two Scimulator servers (journal on + 50 rules / ${offFlags.join(' ')} + no rules)`);
  results.details.w6 = {
    off: offFlags.join(' '),
    note: cliHasNoJournal
      ? undefined
      : 'Scimulator has no switch that turns the journal off; "off" is --journal-capacity 1 (the minimum). An off switch is needed.',
  };
  const on = await startScimulator('Scimulator W6 on', { users: SMALL, groups: groupsFor(SMALL) });
  let off;
  try {
    off = await startScimulator('Scimulator W6 off', { users: SMALL, groups: groupsFor(SMALL), extra: offFlags });
    for (let i = 0; i < 50; i++) {
      const res = await request(`${on.origin}/_mock/faults`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: {
          name: `bench non-matching rule ${i}`,
          match: { operation: 'get', resourceType: 'User', headers: { 'X-Bench-Fault': `rule-${i}` } },
          action: { type: 'error', status: 503 },
        },
      });
      if (res.status !== 201) throw new Error(`adding fault rule ${i} failed: ${res.status} ${detailOf(res)}`);
    }
    const sample = await scimulatorSample(on, SMALL);
    const requests = w1Requests(sample.ids);
    for (const s of [on, off]) {
      const failed = await probe(s.origin, requests[0], AUTH);
      if (failed) throw new Error(`${s.name}: ${failed.na}`);
    }
    const opts = (s) => ({ origin: s.origin, connections: CONNECTIONS, requests, headers: AUTH });
    await load({ ...opts(off), duration: D.warm });
    await off.drain();
    await load({ ...opts(on), duration: D.warm });
    await on.drain();
    const runs = { on: [], off: [] };
    // Interleaved, so that drift of the machine hits both sides alike.
    for (let i = 0; i < D.runs; i++) {
      runs.off.push(await load({ ...opts(off), duration: D.main }));
      await off.drain();
      runs.on.push(await load({ ...opts(on), duration: D.main }));
      await on.drain();
    }
    W6on().cells.scimulator = summarize(runs.on.map((r) => r.rps));
    W6off().cells.scimulator = summarize(runs.off.map((r) => r.rps));
    results.details.w6.runs = runs;
    MafterW6().cells.scimulator = single(rssMB(on.pid));
  } finally {
    await on.stop();
    await off?.stop();
  }
}

// ------------------------------------------------------------------------------------------------------------
// Ratios and goals

function evaluate() {
  const m = (r, col = 'scimulator') => (r.cells[col] && !r.cells[col].na ? r.cells[col].median : NaN);
  const ratio = (r, col) => {
    const a = m(r);
    const b = m(r, col);
    if (!Number.isFinite(a) || !Number.isFinite(b) || a === 0 || b === 0) return NaN;
    return r.better === 'higher' ? a / b : b / a; // > 1: Scimulator does better
  };
  for (const r of rows.values()) {
    if (r.key === 'Mgrowth') continue;
    // Against the references only where they do the same kind of work (requests, start-up), not memory.
    const refs = r.id !== 'M';
    r.ratios = { express: refs ? ratio(r, 'express') : NaN, http: refs ? ratio(r, 'http') : NaN, peer: ratio(r, 'scimmy') };
  }
  // Throughput workloads are compared against the references' W1-shaped runs (fixed body, same request).
  const ex = m(W1(), 'express');
  const ht = m(W1(), 'http');
  for (const r of [W2s(), W2l(), W4(), W6on(), W6off()]) {
    r.ratios.express = m(r) / ex;
    r.ratios.http = m(r) / ht;
  }
  const verdict = (...conds) => (conds.some((c) => c === undefined || Number.isNaN(c)) ? 'n/a' : conds.every(Boolean) ? 'PASS' : 'MISS');
  const ge = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? a >= b : undefined);
  const lt = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? a < b : undefined);
  const le = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? a <= b : undefined);
  W1().verdict = verdict(ge(W1().ratios.express, 0.8), ge(W1().ratios.peer, 3));
  W2l().extra = { vsW2at10k: m(W2l()) / m(W2s()) };
  W2l().verdict = verdict(ge(W2l().extra.vsW2at10k, 0.9), ge(W2l().ratios.express, 0.7));
  W3().ratios.loop = m(W3(), 'loop') / m(W3());
  W3().verdict = verdict(le(m(W3()), m(W3(), 'loop')));
  W4().verdict = verdict(ge(W4().ratios.express, 0.5));
  W5s().verdict = verdict(lt(m(W5s()), 2));
  W5l().extra = { vsW5at100: m(W5l()) / m(W5s()) };
  W5l().verdict = verdict(lt(m(W5l()), 2), le(W5l().extra.vsW5at100, 1.5));
  W6on().extra = { onOverOff: m(W6on()) / m(W6off()) };
  W6on().verdict = verdict(ge(W6on().extra.onOverOff, 0.9));
  Sdef().verdict = verdict(le(m(Sdef()), 2 * m(Sdef(), 'express')));
  Slarge().verdict = verdict(lt(m(Slarge()), 8000));
  Mlarge().verdict = verdict(lt(m(Mlarge()), 300));
  MafterSmall().verdict = verdict(lt(m(MafterSmall()), 250));
  MafterLarge().verdict = verdict(lt(m(MafterLarge()), 450));
  Mgrowth().verdict = verdict(le(m(Mgrowth()), 5));
  for (const r of rows.values()) if (r.verdict === 'n/a' && !r.goal) r.verdict = '';
}

// ------------------------------------------------------------------------------------------------------------
// Main

process.on('SIGINT', () => {
  killAll();
  process.exit(130);
});
process.on('exit', killAll);

results.loadAverageAtStart = loadavg().map((x) => round(x, 2));
if (results.loadAverageAtStart[0] > 0.5) {
  log(`warning: the machine is busy (load average ${results.loadAverageAtStart.join(', ')}): absolute numbers will be low and noisy; ratios suffer less`);
}
results.pinning = setUpPinning();
usePinning(results.pinning);
if (!existsSync(join(ROOT, 'dist/cli.js'))) usage('dist/ is missing: run `npm run build` first (npm run bench does)');
const cliHelp = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'serve', '--help'], { encoding: 'utf8' }).stdout ?? '';
cliHasSeeding = /--users\b/.test(cliHelp);
cliHasNoJournal = /--journal\s/.test(cliHelp);
results.scimulatorLauncher = cliHasSeeding ? 'dist/cli.js serve --seed --users --groups' : 'bench/start-scimulator.mjs (the CLI has no --users yet)';
log(
  `Scimulator bench${quick ? ' (quick)' : ''}${only ? ` --only ${only.join(',')}` : ''}: node ${process.version}, ${results.machine.cores} cores, ` +
    (results.pinning.taskset ? 'servers on core 0, load generator on core 1' : 'no taskset: processes are not pinned') +
    `; seeded Scimulator via ${results.scimulatorLauncher}`,
);

let data = null;
if (want('W1', 'W2', 'W3', 'W4', 'M')) {
  await phase('peer data', async () => {
    data = peerData();
  });
}
if (want('W1', 'W2', 'W4', 'M')) await phase('references', references);
if (want('W1', 'W2', 'W4', 'M')) await phase('Scimulator 10k', scimulatorSmall);
if (data && want('W1', 'W2', 'W4', 'M')) {
  await phase('json-server 10k', () => jsonServer(data, SMALL));
  await phase('scimmy-routers 10k', () => scimmy(data, SMALL));
}
let large = null;
if (want('S')) await phase('start-up', async () => (large = await startups({ keepLarge: want('W2', 'W3', 'W5', 'M') })));
if (want('W2', 'W3', 'W5', 'M')) await phase('Scimulator 100k', () => scimulatorLarge(large));
if (data && want('W2', 'M')) await phase('json-server 100k', () => jsonServer(data, LARGE));
if (data && want('W2', 'W3', 'M')) await phase('scimmy-routers 100k', () => scimmy(data, LARGE));
if (data && want('W3')) await phase('W3 loop', () => scanLoop(data));
if (want('W6')) await phase('W6', testDoubleCost);

evaluate();
const ordered = orderRows();
results.rows = ordered;
results.totalSeconds = round((performance.now() - T0) / 1000, 1);
results.loadAverageAtEnd = loadavg().map((x) => round(x, 2));
results.table = textTable(ordered);
results.markdown = markdownTable(ordered);
writeFileSync(join(ROOT, 'bench/results.json'), JSON.stringify(results, null, 2) + '\n');

process.stdout.write(`\n${results.table}\n\n`);
const notes = naNotes(ordered);
if (notes.length) process.stdout.write(`n/a:\n${notes.map((n) => `  ${n}`).join('\n')}\n\n`);
for (const r of ordered) {
  for (const [key, name] of COLUMNS) {
    const c = r.cells[key];
    if (c?.note) process.stdout.write(`note: ${r.id} ${r.what}, ${name}: ${c.note}\n`);
  }
}
if (results.details.w6?.note) process.stdout.write(`note: W6: ${results.details.w6.note}\n`);
if (results.errors.length) process.stdout.write(`errors:\n${results.errors.map((e) => `  ${e}`).join('\n')}\n`);
process.stdout.write(
  `ratios: > 1 means Scimulator does better (throughput: Scimulator/reference; latency, time and memory: reference/Scimulator).\n` +
    `Total: ${results.totalSeconds} s. Results: bench/results.json\n`,
);
process.exit(0);
