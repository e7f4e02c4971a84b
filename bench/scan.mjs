#!/usr/bin/env node
/**
 * W3 in one process, interleaved: the value-path scan `emails[type eq "work" and value ew "@example.com"]&count=10`
 * over a directory seeded as `serve --seed 1 --users N --groups N/50` seeds it, against W3's reference loop
 * (bench/lib/scan-loop.mjs's predicate over the same users parsed from JSON). Every repetition runs each case once,
 * in turn, so a busy machine slows them alike. Runs on the built code: `npm run build && node bench/scan.mjs`.
 *
 *   node bench/scan.mjs --users 100000 --reps 21
 *   node bench/scan.mjs --baseline /tmp/base/dist      the same cases on another build too (before/after)
 *
 * Cases: `loop` (the reference), `query` (ScimService.query, no HTTP) and `http` (GET over keep-alive to the
 * app with its default layers, journal on), per build. Prints the median and spread of each, and the ratios to
 * the loop. Nothing here asserts a time.
 */
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { referenceScan } from './lib/w3-reference.mjs';
import { option as arg } from './lib/args.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const USERS = Number(arg('users', '100000'));
const REPS = Number(arg('reps', '21'));
const BASELINE = arg('baseline', '');
const FILTER = 'emails[type eq "work" and value ew "@example.com"]';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs) => `${median(xs).toFixed(2)} ms (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

async function build(label, dist) {
  const url = (p) => pathToFileURL(join(dist, p)).href;
  const { Scimulator } = await import(url('runtime.js'));
  const { createApp } = await import(url('http/app.js'));
  const { scenarioFor } = await import(url('seed/scenario.js'));
  const { seedTenant } = await import(url('seed/seed.js'));
  const runtime = new Scimulator({ auth: 'none' });
  const tenant = runtime.defaultTenant;
  seedTenant(tenant, await scenarioFor({ seed: 1, users: USERS, groups: Math.max(1, USERS / 50) }));
  const server = await new Promise((done) => {
    const s = createApp(runtime).listen(0, '127.0.0.1', () => done(s));
  });
  const path = `http://127.0.0.1:${server.address().port}/scim/v2/Users?filter=${encodeURIComponent(FILTER)}&count=10`;
  const options = { limits: { defaultPageSize: 100, maxPageSize: 1000, cursorTimeout: 600 }, cursorSecret: 'bench' };
  return {
    label,
    server,
    users: () => [...tenant.store.all('User')],
    query: () => tenant.service.query(['User'], { filter: FILTER, count: 10 }, options).totalResults,
    http: async () => {
      const res = await fetch(path);
      const body = await res.json();
      if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(body)}`);
      return body.totalResults;
    },
  };
}

const builds = [await build('this', join(ROOT, 'dist'))];
if (BASELINE) builds.push(await build('baseline', resolve(BASELINE)));

// The reference loop's users: the same directory as JSON, parsed in one go (as scan-loop.mjs reads users.json).
const users = JSON.parse(JSON.stringify(builds[0].users()));
const loop = () => referenceScan(users);

const cases = [{ name: 'loop', run: loop }];
for (const b of builds) cases.push({ name: `${b.label} query`, run: b.query }, { name: `${b.label} http`, run: b.http });
const times = new Map(cases.map((c) => [c.name, []]));
const load = [loadavg()];
let expected;
for (let rep = -3; rep < REPS; rep++) {
  for (const c of cases) {
    const t0 = performance.now();
    const total = await c.run();
    const elapsed = performance.now() - t0;
    expected ??= total;
    if (total !== expected) throw new Error(`${c.name}: ${total} matches, the loop found ${expected}`);
    if (rep >= 0) times.get(c.name).push(elapsed);
  }
}
load.push(loadavg());
for (const b of builds) b.server.close();

console.log(`W3 ${FILTER}&count=10, ${USERS.toLocaleString('en')} users (${expected} match), ${REPS} interleaved repetitions, node ${process.version}`);
console.log(`load average ${load.map((l) => l.map((x) => x.toFixed(2)).join(' / ')).join(' -> ')}`);
const loopMedian = median(times.get('loop'));
for (const [name, xs] of times) console.log(`  ${name.padEnd(16)} ${fmt(xs)}${name === 'loop' ? '' : `  ${(median(xs) / loopMedian).toFixed(2)}x the loop`}`);
