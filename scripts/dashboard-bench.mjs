#!/usr/bin/env node
/**
 * SCIM throughput with and without a dashboard open, in one run: `npm run build && node scripts/dashboard-bench.mjs`.
 *
 * Starts the built CLI (default directory, journal on) as its own process and drives `GET /Users/{id}` with
 * autocannon in rounds that alternate between
 *   none     nobody watches the journal
 *   stream   a viewer process reads GET /_mock/requests/stream (every entry, parsed), as the dashboard does
 *   browser  the dashboard itself, open in Chromium (only with --browser; Chromium shares the machine's cores)
 * and reports per mode the median requests per second, the server's CPU time per request (from /proc, steadier
 * than req/s on a shared machine), their ratios to `none`, what the viewers received, and the load average.
 * Flags: --rounds 5, --seconds 6, --connections 16, --browser.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const rounds = arg('rounds', 5);
const seconds = arg('seconds', 6);
const connections = arg('connections', 16);
const withBrowser = process.argv.includes('--browser');
if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/dashboard/main.js'))) throw new Error('build first: npm run build');

/** Starts a child process and resolves once `ready` matches its output. */
function start(args, ready) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk) => {
      out += chunk;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m, output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** utime + stime of a process in milliseconds. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

const server = await start(['dist/cli.js', 'serve', '--port', '0', '--seed-file', 'seeds/default.json'], /SCIM base URL: (\S+)/);
const base = server.match[1];
const url = new URL(base).origin;
const headers = { Authorization: 'Bearer scimulator-dev-token' };
const { Resources } = await (await fetch(`${base}/Users?count=1`, { headers })).json();
const target = `${base}/Users/${Resources[0].id}`;

// The stream viewer: a separate process that reads and parses every event, and reports its counts when stopped.
const VIEWER = `
  let entries = 0, missed = 0, buffer = '';
  const res = await fetch(process.argv[1], { headers: { Accept: 'text/event-stream' } });
  process.on('SIGTERM', () => { process.stdout.write(JSON.stringify({ entries, missed }) + '\\n'); process.exit(0); });
  process.stdout.write('viewing\\n');
  const decoder = new TextDecoder();
  for await (const chunk of res.body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf('\\n\\n')) >= 0) {
      const event = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const data = event.split('\\n').filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\\n');
      if (!data) continue;
      const parsed = JSON.parse(data);
      if (event.includes('event: dropped')) missed += parsed.missed; else if (!event.includes('event: ')) entries++;
    }
  }`;

let browser;
async function openViewer(mode) {
  if (mode === 'stream') {
    const viewer = await start(['--input-type=module', '-e', VIEWER, `${url}/_mock/requests/stream`], /viewing/);
    return async () => {
      const counts = new Promise((resolve) => viewer.child.stdout.on('data', (c) => /entries/.test(String(c)) && resolve(JSON.parse(String(c).trim().split('\n').pop()))));
      viewer.child.kill('SIGTERM');
      return counts;
    };
  }
  if (mode === 'browser') {
    const { chromium } = await import('playwright-core');
    browser ??= await chromium.launch({
      executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${url}/_mock/ui/`);
    await page.locator('#live[data-state="on"]').waitFor();
    return async () => {
      const stats = await page.locator('#journal-stats').textContent();
      await page.close();
      return { page: stats };
    };
  }
  return async () => undefined;
}

const modes = ['none', 'stream', ...(withBrowser ? ['browser'] : [])];
const results = Object.fromEntries(modes.map((m) => [m, []]));
const load = [loadavg()[0]];
// Warm-up: JIT, caches, and a full journal ring (10,000 entries), so that every round sees the same steady heap.
await autocannon({ url: target, headers, connections, amount: 12_000 });
for (let r = 0; r < rounds; r++) {
  // The order rotates every round, so that drift (JIT, the machine's other load) does not favour one mode.
  for (const mode of modes.map((_, i) => modes[(i + r) % modes.length])) {
    const close = await openViewer(mode);
    const cpuBefore = cpuMs(server.child.pid);
    const run = await autocannon({ url: target, headers, connections, duration: seconds });
    const cpu = cpuMs(server.child.pid) - cpuBefore;
    const viewer = await close();
    const requests = run.requests.total;
    results[mode].push({ rps: run.requests.average, cpuPerRequestMs: cpu / requests, non2xx: run.non2xx, viewer });
    process.stderr.write(`round ${r + 1} ${mode.padEnd(7)} ${run.requests.average.toFixed(0)} req/s, ${((cpu / requests) * 1000).toFixed(1)} us CPU/request${viewer ? ` viewer ${JSON.stringify(viewer)}` : ''}\n`);
  }
  load.push(loadavg()[0]);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = {};
for (const mode of modes) {
  summary[mode] = { rps: Math.round(median(results[mode].map((x) => x.rps))), cpuPerRequestUs: Math.round(median(results[mode].map((x) => x.cpuPerRequestMs)) * 1000 * 10) / 10 };
}
for (const mode of modes) {
  summary[mode].rpsRatio = Math.round((summary[mode].rps / summary.none.rps) * 1000) / 1000;
  summary[mode].cpuRatio = Math.round((summary[mode].cpuPerRequestUs / summary.none.cpuPerRequestUs) * 1000) / 1000;
}
process.stdout.write(
  `${JSON.stringify({ cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, rounds, seconds, connections, loadAverage1m: load.map((l) => l.toFixed(2)), summary, viewers: Object.fromEntries(modes.slice(1).map((m) => [m, results[m].map((x) => x.viewer)])) }, null, 2)}\n`,
);
await browser?.close();
server.child.kill('SIGTERM');
