#!/usr/bin/env node
/**
 * npm run soak -- [--minutes N] [--rate R] [--warmup S] [--sample S] [--population P] [--max-growth PCT] [--no-build] [--cpu-prof] [-- <serve flags>]
 *
 * Starts the CLI (dist/cli.js, built first) with the journal on, drives mixed SCIM traffic at a steady rate
 * (creates, reads, filtered lists, .search, PUTs, PATCHes, deletes, group membership changes) for N minutes, and
 * samples the server's resident set size from /proc/<pid>/status.
 *
 * The journal is a bounded ring buffer (10,000 entries by default) and fills during the first `capacity` requests,
 * so memory rightly grows then, and V8 goes on growing its heap for a while after; the warm-up (until the journal
 * is full plus 20 s, at least 30 % of the run and at least --warmup seconds, default 30) is excluded from the growth
 * figure. The report also gives the RSS trajectory, so the choice of baseline can be checked. The report gives RSS right after start-up, at the end of the warm-up
 * (the baseline), and at the end, with the growth from the baseline (medians of three samples at each end) and the
 * slope over the measured period. Exit code 1 when the growth reaches --max-growth (default 10 %), when any
 * request got a 5xx or failed at the transport level, or when the server died.
 */
import { spawn, spawnSync } from 'node:child_process';
import { Agent, request as httpRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const usage = 'usage: npm run soak -- [--minutes N] [--rate R] [--warmup S] [--sample S] [--population P] [--max-growth PCT] [--no-build] [-- <serve flags>]';

const options = { minutes: 10, rate: 200, warmup: undefined, sample: 5, population: 400, maxGrowth: 10, build: true, journalCapacity: 10_000, cpuProfile: false };
const all = process.argv.slice(2);
// After `--`: flags for the server itself (e.g. `-- --heap-growth 0 --journal-max-bytes 8388608`).
const serveFlags = all.includes('--') ? all.slice(all.indexOf('--') + 1) : [];
const args = all.includes('--') ? all.slice(0, all.indexOf('--')) : all;
for (let i = 0; i < args.length; i++) {
  const [flag, inline] = args[i].split('=', 2);
  if (flag === '--no-build') {
    options.build = false;
    continue;
  }
  if (flag === '--cpu-prof') {
    options.cpuProfile = true; // the server writes a V8 CPU profile into .tmp/soak-profile on exit
    continue;
  }
  if (flag === '--help' || flag === '-h') {
    process.stdout.write(`${usage}\n`);
    process.exit(0);
  }
  const value = Number(inline ?? args[++i]);
  const key = { '--minutes': 'minutes', '--rate': 'rate', '--warmup': 'warmup', '--sample': 'sample', '--population': 'population', '--max-growth': 'maxGrowth', '--journal-capacity': 'journalCapacity' }[flag];
  if (!key || !(value >= 0) || !Number.isFinite(value)) {
    process.stderr.write(`soak: bad argument ${args[i]}\n${usage}\n`);
    process.exit(2);
  }
  options[key] = value;
}
if (!(options.minutes > 0) || !(options.rate > 0)) {
  process.stderr.write(`soak: --minutes and --rate must be positive\n${usage}\n`);
  process.exit(2);
}
const warmupS = options.warmup ?? 30;
const totalMs = options.minutes * 60_000;

if (options.build) {
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
  if (build.status !== 0) process.exit(1);
}

// ---------------------------------------------------------------------------------------------------------------
// The server.

const child = spawn(process.execPath, [...(options.cpuProfile ? ['--cpu-prof', '--cpu-prof-dir', '.tmp/soak-profile'] : []), 'dist/cli.js', '--port', '0', '--journal-capacity', String(options.journalCapacity), '--max-page-size', '1000', ...serveFlags], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
let died = false;
child.stdout.on('data', (d) => (out += d));
child.stderr.on('data', (d) => (out += d));
child.on('exit', (code, signal) => {
  died = true;
  if (!stopping) process.stderr.write(`soak: the server exited (${code ?? signal}) during the run:\n${out}\n`);
});
let stopping = false;

const baseUrl = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`no start-up line: ${out}`)), 20_000);
  child.stdout.on('data', () => {
    const m = /SCIM base URL: (\S+)/.exec(out);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
});
const headers = { Authorization: 'Bearer scimulator-dev-token', 'Content-Type': 'application/scim+json' };

function rssKiB() {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Traffic.

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** A small seeded generator, so two runs send the same traffic. */
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const pick = (list) => list[Math.floor(random() * list.length)];

const users = []; // { id, etag, userName }
const groups = []; // { id }
let serial = 0;

function userBody(userName) {
  const n = serial;
  return {
    schemas: [USER],
    userName,
    name: { givenName: pick(['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken']), familyName: pick(['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson']) },
    displayName: `User ${n}`,
    emails: [{ value: `${userName}@example.com`, type: 'work', primary: true }],
    active: random() < 0.8,
    title: pick(['Engineer', 'Manager', 'Analyst', 'Director']),
  };
}

const OPERATIONS = [
  // [name, weight, run]
  ['create', 14, async () => {
    if (users.length >= options.population) return remove();
    const userName = `soak.${++serial}`;
    const res = await call('POST', '/Users', userBody(userName));
    if (res.status === 201) users.push({ id: res.body.id, etag: res.etag, userName });
    return res.status;
  }],
  ['read', 22, async () => {
    if (!users.length) return 'skip';
    return (await call('GET', `/Users/${pick(users).id}`)).status;
  }],
  ['list', 12, async () => {
    const filter = pick(['active eq true', 'title eq "Engineer"', 'name.familyName sw "H"', 'emails[type eq "work"].value co "soak.1"', 'userName gt "soak.5" and active eq false']);
    return (await call('GET', `/Users?filter=${encodeURIComponent(filter)}&count=50&sortBy=userName&attributes=userName,title`)).status;
  }],
  ['search', 4, async () => (await call('POST', '/Users/.search', { schemas: [SEARCH], filter: 'title eq "Manager"', count: 20, startIndex: 1 })).status],
  ['put', 10, async () => {
    if (!users.length) return 'skip';
    const u = pick(users);
    const res = await call('PUT', `/Users/${u.id}`, { ...userBody(u.userName), displayName: `Replaced ${serial++}` }, random() < 0.5 && u.etag ? { 'If-Match': u.etag } : {});
    if (res.status === 200) u.etag = res.etag;
    return res.status === 412 ? 'precondition' : res.status;
  }],
  ['patch', 14, async () => {
    if (!users.length) return 'skip';
    const u = pick(users);
    const res = await call('PATCH', `/Users/${u.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: random() < 0.5 }, { op: 'add', path: 'nickName', value: `n${serial++}` }] });
    if (res.status === 200) u.etag = res.etag;
    return res.status;
  }],
  ['group', 8, async () => {
    if (groups.length < 5) {
      const res = await call('POST', '/Groups', { schemas: [GROUP], displayName: `Soak group ${++serial}` });
      if (res.status === 201) groups.push({ id: res.body.id, members: new Set() });
      return res.status;
    }
    if (!users.length) return 'skip';
    // Membership stays around 20 per group, so the traffic (and what the journal keeps of it) is stationary.
    const g = pick(groups);
    let op;
    if (g.members.size < 20) {
      const u = pick(users);
      g.members.add(u.id);
      op = { op: 'add', path: 'members', value: [{ value: u.id }] };
    } else {
      const id = pick([...g.members]);
      g.members.delete(id);
      op = { op: 'remove', path: `members[value eq "${id}"]` };
    }
    const res = await call('PATCH', `/Groups/${g.id}`, { schemas: [PATCH_OP], Operations: [op] });
    // Removing a member the server already dropped (its User was deleted): RFC 7644 section 3.5.2.2, 400 noTarget.
    if (res.status === 400 && res.body.scimType === 'noTarget') return 'no-target';
    // Adding a User another request deleted a moment ago: the server checks references.
    if (res.status === 400 && /does not reference an existing/.test(res.body.detail ?? '')) return 'member-gone';
    return res.status;
  }],
  ['delete', 10, async () => remove()],
  ['discovery', 2, async () => (await call('GET', pick(['/ServiceProviderConfig', '/Schemas', '/ResourceTypes']))).status],
  ['notfound', 4, async () => (await call('GET', '/Users/00000000-0000-4000-8000-000000000000')).status],
];
const totalWeight = OPERATIONS.reduce((s, [, w]) => s + w, 0);

async function remove() {
  if (users.length < options.population / 4) return 'skip';
  const i = Math.floor(random() * users.length);
  const [u] = users.splice(i, 1);
  return (await call('DELETE', `/Users/${u.id}`)).status;
}

const EXPECTED = new Set([200, 201, 204, 404, 409, 'skip', 'precondition', 'no-target', 'member-gone']);
const counts = new Map(); // "op status" -> n
const latencies = [];
let inFlight = 0;
let sent = 0;
let failures = 0;
let serverErrors = 0;
const problems = [];

const agent = new Agent({ keepAlive: true, maxSockets: 64 });
const target = new URL(baseUrl);

/**
 * One HTTP exchange over the keep-alive pool (node:http costs the client less CPU than fetch). A pooled socket the
 * server closed at its keep-alive timeout just as it was reused fails with ECONNRESET before the server saw the
 * request; that one is retried, as node's documentation recommends (request.reusedSocket).
 */
function exchange(method, path, payload, extra, retried = false) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: target.hostname, port: target.port, method, path: `${target.pathname}${path}`, agent, headers: { ...headers, ...extra, ...(payload ? { 'Content-Length': Buffer.byteLength(payload) } : {}) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode, text, headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', (err) => {
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET') resolve(exchange(method, path, payload, extra, true));
      else {
        // Say which socket failed: a reused one lost the keep-alive race twice; a fresh one was reset by the server.
        err.socketState = `${req.reusedSocket ? 'reused' : 'fresh'} socket${retried ? ', on the retry' : ''}`;
        reject(err);
      }
    });
    req.end(payload);
  });
}

async function call(method, path, body, extra = {}) {
  const t0 = performance.now();
  const res = await exchange(method, path, body === undefined ? undefined : JSON.stringify(body), extra);
  const text = res.text;
  latencies.push(performance.now() - t0);
  if (res.status >= 500) {
    serverErrors++;
    if (problems.length < 10) problems.push(`${method} ${path} -> ${res.status} ${text.slice(0, 300)}`);
  }
  let parsed = {};
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    /* keep {} */
  }
  if (res.status === 400 && problems.length < 10 && parsed.scimType !== 'noTarget' && !/does not reference an existing/.test(parsed.detail ?? '')) {
    problems.push(`${method} ${path} -> 400 ${parsed.detail}`);
  }
  return { status: res.status, body: parsed, etag: res.headers.etag ?? null };
}

function runOne() {
  let r = random() * totalWeight;
  let chosen = OPERATIONS[0];
  for (const op of OPERATIONS) {
    r -= op[1];
    if (r < 0) {
      chosen = op;
      break;
    }
  }
  const [name, , run] = chosen;
  inFlight++;
  sent++;
  run().then(
    (status) => {
      const key = `${name} ${status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
      if (!EXPECTED.has(status) && problems.length < 10) problems.push(`${name}: unexpected ${status}`);
    },
    (err) => {
      failures++;
      if (problems.length < 10) problems.push(`${name}: ${err.code ?? err.message}${err.socketState ? ` (${err.socketState})` : ''}`);
    },
  ).finally(() => inFlight--);
}

// ---------------------------------------------------------------------------------------------------------------
// The run: a steady schedule, RSS sampled every --sample seconds.

const started = performance.now();
const samples = [{ t: 0, rss: rssKiB() }];
const MAX_IN_FLIGHT = 64;
let behind = 0;
process.stdout.write(`soak: ${options.minutes} min at ${options.rate} req/s against ${baseUrl} (pid ${child.pid}), journal on (capacity ${options.journalCapacity}); warm-up until the journal is full + 20 s (at least ${Math.round(Math.max(warmupS, options.minutes * 18))} s)\n`);
process.stdout.write(`soak: RSS right after start-up ${(samples[0].rss / 1024).toFixed(1)} MiB\n`);

let lastSample = started;
let journalFullAt;
await new Promise((resolve) => {
  const tick = setInterval(() => {
    const now = performance.now();
    const elapsed = now - started;
    if (elapsed >= totalMs || died) {
      clearInterval(tick);
      resolve();
      return;
    }
    const due = Math.floor((elapsed / 1000) * options.rate) - sent;
    for (let i = 0; i < due; i++) {
      if (inFlight >= MAX_IN_FLIGHT) {
        behind++;
        sent++; // skipped: the server is too slow for this rate
        continue;
      }
      runOne();
    }
    if (now - lastSample >= options.sample * 1000) {
      lastSample = now;
      const rss = rssKiB();
      samples.push({ t: elapsed / 1000, rss });
      const done = counts.size ? [...counts.values()].reduce((a, b) => a + b, 0) : 0;
      if (journalFullAt === undefined && done >= options.journalCapacity) journalFullAt = elapsed / 1000;
      process.stdout.write(`  ${String(Math.round(elapsed / 1000)).padStart(5)} s  RSS ${(rss / 1024).toFixed(1).padStart(7)} MiB  requests ${done}  users ${users.length}${behind ? `  skipped ${behind}` : ''}\n`);
    }
  }, 10);
});
while (inFlight > 0 && !died) await new Promise((r) => setTimeout(r, 20));
samples.push({ t: (performance.now() - started) / 1000, rss: rssKiB() });

// ---------------------------------------------------------------------------------------------------------------
// Report.

stopping = true;
const health = died ? undefined : await fetch(`${new URL(baseUrl).origin}/_mock/health`).then((r) => r.json(), () => undefined);
child.kill('SIGTERM');
agent.destroy();
if (options.cpuProfile) await new Promise((r) => child.once('exit', r));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// The baseline is taken once the journal is full (its ring buffer no longer grows) and --warmup has passed.
// V8 keeps growing its heap for a while after the journal is full before it settles, so the warm-up also lasts at
// least 30 % of the run.
const warmFrom = Math.max(warmupS, options.minutes * 60 * 0.3, journalFullAt === undefined ? Infinity : journalFullAt + 20);
const measured = samples.filter((s) => s.t >= warmFrom && s.rss !== undefined);
const baseline = measured.length ? median(measured.slice(0, 3).map((s) => s.rss)) : undefined;
const end = measured.length ? median(measured.slice(-3).map((s) => s.rss)) : undefined;
const growth = baseline && end ? ((end - baseline) / baseline) * 100 : undefined;
let slope;
if (measured.length >= 3) {
  const n = measured.length;
  const mt = measured.reduce((a, s) => a + s.t, 0) / n;
  const mr = measured.reduce((a, s) => a + s.rss, 0) / n;
  const cov = measured.reduce((a, s) => a + (s.t - mt) * (s.rss - mr), 0);
  const varT = measured.reduce((a, s) => a + (s.t - mt) ** 2, 0);
  slope = varT ? (cov / varT) * 60 / 1024 : 0; // MiB per minute
}
const lat = [...latencies].sort((a, b) => a - b);
const pct = (p) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]?.toFixed(1);
const mib = (k) => (k === undefined ? '?' : `${(k / 1024).toFixed(1)} MiB`);
const peak = Math.max(...samples.map((s) => s.rss ?? 0));

const lines = [
  '',
  `soak report (${options.minutes} min, ${options.rate} req/s, journal capacity ${options.journalCapacity})`,
  `  requests completed: ${lat.length}, transport failures: ${failures}, 5xx: ${serverErrors}, skipped (server behind): ${behind}`,
  `  latency ms: p50 ${pct(50)}  p90 ${pct(90)}  p99 ${pct(99)}  max ${lat.at(-1)?.toFixed(1)}`,
  `  by operation: ${[...counts].sort().map(([k, v]) => `${k}x${v}`).join(', ')}`,
  `  RSS right after start-up: ${mib(samples[0].rss)}`,
  `  journal full after: ${journalFullAt === undefined ? 'never (run longer or lower --journal-capacity)' : `${Math.round(journalFullAt)} s`}`,
  `  RSS at the end of the ${Number.isFinite(warmFrom) ? `${Math.round(warmFrom)} s` : ''} warm-up (baseline): ${mib(baseline)}`,
  `  RSS at the end: ${mib(end)}   peak: ${mib(peak)}`,
  `  growth over the measured ${Number.isFinite(warmFrom) ? ((samples.at(-1).t - warmFrom) / 60).toFixed(1) : 0} min: ${growth === undefined ? '?' : `${growth.toFixed(1)} %`}   slope: ${slope === undefined ? '?' : `${slope.toFixed(2)} MiB/min`}`,
  `  RSS trajectory (MiB, every minute): ${samples.filter((x, i) => i === 0 || Math.floor(x.t / 60) !== Math.floor(samples[i - 1].t / 60)).map((x) => `${Math.round(x.t)}s ${(x.rss / 1024).toFixed(0)}`).join(', ')}`,
  `  growth from start-up: ${samples[0].rss && end ? `${(((end - samples[0].rss) / samples[0].rss) * 100).toFixed(1)} %` : '?'} (includes filling the journal)`,
  health ? `  server health at the end: ${JSON.stringify(health)}` : '  server health at the end: unavailable',
];
if (problems.length) lines.push('  problems:', ...problems.map((p) => `    ${p}`));
const ok = !died && failures === 0 && serverErrors === 0 && growth !== undefined && growth < options.maxGrowth;
lines.push(`  verdict: ${ok ? 'PASS' : 'FAIL'} (growth limit ${options.maxGrowth} %)`);
process.stdout.write(`${lines.join('\n')}\n`);
process.exit(ok ? 0 : 1);
