#!/usr/bin/env node
/**
 * What an open dashboard costs SCIM throughput, in one run: `npm run build && node scripts/dashboard-bench.mjs`.
 *
 * Starts the built CLI (default directory, journal on) as its own process and drives `GET /Users/{id}` with
 * autocannon in rounds, each round running every mode in turn (the order rotates, so that drift favours none):
 *   none     nobody watches the journal
 *   stream   a viewer process reads GET /_mock/requests/stream?response=none and parses every entry: the
 *            dashboard's feed
 *   browser  the dashboard itself, open in Chromium (--browser; Chromium shares the machine's cores)
 * It reports per mode the median requests per second, the median of the per-round ratios to `none` (the modes of
 * a round run seconds apart), the server's CPU time per request (from /proc), what the viewers received, and the
 * load average. On a shared machine these wall-clock figures move with everyone else's load.
 *
 * --instructions counts instead what the server executes (valgrind's callgrind, which load does not change): the
 * server runs under callgrind with a 1,000-entry journal, and windows of --requests requests (default 2,000) in
 * the order none, stream, stream, none are counted; the ratio is instructions per request with the stream to
 * without. Slow (valgrind runs node some 50 times slower): about 15 minutes.
 *
 * Flags: --rounds 6, --seconds 6, --connections 16, --browser; --instructions [--requests 2000].
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
};
const rounds = arg('rounds', 6);
const seconds = arg('seconds', 6);
const connections = arg('connections', 16);
const withBrowser = process.argv.includes('--browser');
const instructions = process.argv.includes('--instructions');
if (!existsSync(join(root, 'dist/cli.js')) || !existsSync(join(root, 'dist/dashboard/main.js'))) throw new Error('build first: npm run build');
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a child process and resolves once `ready` matches its output. */
function start(command, args, ready) {
  const child = spawn(command, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = ready.exec(out);
      if (m) resolve({ child, match: m });
    });
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

/** utime + stime of a process in milliseconds. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

const serve = ['dist/cli.js', 'serve', '--port', '0', '--seed-file', 'seeds/default.json'];
const callgrindDir = instructions ? mkdtempSync(join(tmpdir(), 'dashboard-bench-')) : undefined;
const server = instructions
  ? await start(
      'valgrind',
      ['--tool=callgrind', '--smc-check=all-non-file', '--instr-atstart=no', `--callgrind-out-file=${callgrindDir}/cg.%p`, process.execPath, ...serve, '--journal-capacity', '1000'],
      /SCIM base URL: (\S+)/,
    )
  : await start(process.execPath, serve, /SCIM base URL: (\S+)/);
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
/** Opens the mode's viewer; resolves with a function that closes it and tells what it saw. */
async function openViewer(mode) {
  if (mode === 'stream') {
    const viewer = await start(process.execPath, ['--input-type=module', '-e', VIEWER, `${url}/_mock/requests/stream?response=none`], /viewing/);
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round3 = (x) => Math.round(x * 1000) / 1000;
const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version };

if (instructions) {
  const ctl = (...a) => execFileSync('callgrind_control', [...a, String(server.child.pid)], { encoding: 'utf8' });
  const requests = arg('requests', 2000);
  // Warm-up: JIT, and a full journal ring.
  await autocannon({ url: target, headers, connections: 4, amount: 1500, timeout: 120 });
  const windows = [];
  for (const mode of ['none', 'stream', 'stream', 'none']) {
    const close = await openViewer(mode);
    await sleep(500);
    ctl('-z');
    ctl('-i', 'on');
    const run = await autocannon({ url: target, headers, connections: 4, amount: requests, timeout: 120 });
    await sleep(300);
    ctl('-i', 'off');
    for (const f of readdirSync(callgrindDir)) rmSync(join(callgrindDir, f));
    ctl('-d');
    await sleep(1000);
    const dump = readdirSync(callgrindDir).find((f) => /\.\d+$/.test(f));
    const total = Number(/^(?:totals|summary): (\d+)/m.exec(readFileSync(join(callgrindDir, dump), 'utf8'))[1]);
    const viewer = await close();
    windows.push({ mode, irPerRequest: Math.round(total / requests), non2xx: run.non2xx, viewer });
    process.stderr.write(`${mode.padEnd(7)} ${Math.round(total / requests)} instructions/request${viewer ? ` viewer ${JSON.stringify(viewer)}` : ''}\n`);
  }
  const sum = (mode) => windows.filter((w) => w.mode === mode).reduce((s, w) => s + w.irPerRequest, 0);
  process.stdout.write(`${JSON.stringify({ ...machine, requests, windows, instructionRatio: round3(sum('stream') / sum('none')) }, null, 2)}\n`);
} else {
  const modes = ['none', 'stream', ...(withBrowser ? ['browser'] : [])];
  const results = Object.fromEntries(modes.map((m) => [m, []]));
  const load = [loadavg()[0]];
  // Warm-up: JIT, caches, and a full journal ring (10,000 entries), so that every round sees the same steady heap.
  await autocannon({ url: target, headers, connections, amount: 12_000 });
  for (let r = 0; r < rounds; r++) {
    for (const mode of modes.map((_, i) => modes[(i + r) % modes.length])) {
      const close = await openViewer(mode);
      const cpuBefore = cpuMs(server.child.pid);
      const run = await autocannon({ url: target, headers, connections, duration: seconds });
      const cpu = cpuMs(server.child.pid) - cpuBefore;
      const viewer = await close();
      results[mode][r] = { rps: run.requests.average, cpuPerRequestMs: cpu / run.requests.total, non2xx: run.non2xx, viewer };
      process.stderr.write(`round ${r + 1} ${mode.padEnd(7)} ${run.requests.average.toFixed(0)} req/s, ${((cpu / run.requests.total) * 1000).toFixed(1)} us CPU/request${viewer ? ` viewer ${JSON.stringify(viewer)}` : ''}\n`);
    }
    load.push(loadavg()[0]);
  }
  const summary = {};
  for (const mode of modes) {
    summary[mode] = {
      rps: Math.round(median(results[mode].map((x) => x.rps))),
      rpsRatio: round3(median(results[mode].map((x, r) => x.rps / results.none[r].rps))),
      cpuPerRequestUs: Math.round(median(results[mode].map((x) => x.cpuPerRequestMs)) * 1000),
      cpuRatio: round3(median(results[mode].map((x, r) => x.cpuPerRequestMs / results.none[r].cpuPerRequestMs))),
    };
  }
  const viewers = Object.fromEntries(modes.slice(1).map((m) => [m, results[m].map((x) => x.viewer)]));
  process.stdout.write(`${JSON.stringify({ ...machine, rounds, seconds, connections, loadAverage1m: load.map((l) => l.toFixed(2)), summary, viewers }, null, 2)}\n`);
}
await browser?.close();
server.child.kill('SIGKILL');
if (callgrindDir) rmSync(callgrindDir, { recursive: true, force: true });
