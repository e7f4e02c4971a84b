#!/usr/bin/env node
/**
 * Packs Scimulator as `npm publish` would and checks the tarball from the outside, in an empty temporary folder:
 *   1. the tarball holds only what runs (dist JavaScript and declarations, seeds, README, LICENSE, package.json)
 *      and is under 1 MB packed (its size is printed), within 20 % of the README's "about N kB packed"
 *      (scripts/readme-size.mjs);
 *   2. installed into an empty project, `npx scimulator seed ...` writes a directory and `npx scimulator` serves it
 *      (SCIM and control API answer; SIGTERM to npx stops it with its data saved), and `npx scimulator report` reads
 *      the server's report;
 *   3. a TypeScript consumer type-checks `import { startScimulator, ScimulatorClient } from 'scimulator'` and
 *      `scimulator/vitest` with moduleResolution node16 and bundler and skipLibCheck false, and the compiled
 *      consumer runs against the installed package;
 *   4. a vitest run in the consumer uses the shipped global setup (`globalSetup: ['scimulator/vitest']`).
 * Network: the npm registry only (the tarball's dependencies, and @types/node and vitest at this repository's
 * versions, mostly from npm's cache); nothing is installed globally. Usage: node scripts/pack-check.mjs [--keep]
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packedSizeProblem, readmePackedClaim, TOLERANCE } from './readme-size.mjs';

const ROOT = new URL('..', import.meta.url).pathname;
const MAX_PACKED = 1_000_000;
const keep = process.argv.includes('--keep');
const work = mkdtempSync(join(tmpdir(), 'scimulator-pack-'));
const consumer = join(work, 'consumer');
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const started = Date.now();

const log = (message) => process.stdout.write(`pack-check: ${message}\n`);
function die(message) {
  process.stderr.write(`pack-check: FAILED: ${message}\n`);
  if (!keep) process.stderr.write(`pack-check: (run with --keep to inspect ${work})\n`);
  cleanup();
  process.exit(1);
}
function cleanup() {
  if (!keep) rmSync(work, { recursive: true, force: true });
}

/** Runs a command to completion; its output is returned, and shown when it fails. */
function run(command, args, options = {}) {
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options, env: { ...process.env, ...options.env } });
  if (r.status !== 0 && !options.allowFail) die(`${command} ${args.join(' ')} exited ${r.status ?? r.signal}\n${r.stdout ?? ''}${r.stderr ?? ''}`);
  return r;
}

const version = (name) => JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version;

// ---------------------------------------------------------------------------------------------------------------
// 1. The tarball.

const pack = run('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT });
const packed = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('[')))[0];
const files = packed.files.map((f) => f.path).sort();
const allowed = (f) => /^dist\/.+\.(js|d\.ts)$/.test(f) || /^dist\/dashboard\/[^/]+\.(html|css|svg)$/.test(f) || /^seeds\/[^/]+\.(json|md)$/.test(f) || ['README.md', 'LICENSE', 'package.json'].includes(f);
const stray = files.filter((f) => !allowed(f));
if (stray.length) die(`the tarball holds files that do not run: ${stray.join(', ')}`);
for (const must of ['LICENSE', 'README.md', 'dist/dashboard/index.html', 'dist/dashboard/style.css', 'dist/dashboard/main.js', 'dist/cli.js', 'dist/index.js', 'dist/index.d.ts', 'dist/vitest.js', 'dist/vitest.d.ts', 'seeds/default.json']) {
  if (!files.includes(must)) die(`the tarball lacks ${must}`);
}
const kB = (n) => `${(n / 1000).toFixed(1)} kB`;
log(`${packed.filename}: ${kB(packed.size)} packed, ${kB(packed.unpackedSize)} unpacked, ${files.length} files`);
if (packed.size >= MAX_PACKED) die(`the tarball is ${kB(packed.size)}, over the ${kB(MAX_PACKED)} budget`);
const sizeProblem = packedSizeProblem(readFileSync(join(ROOT, 'README.md'), 'utf8'), packed.size);
if (sizeProblem) die(sizeProblem);
log(`README.md's "${readmePackedClaim(readFileSync(join(ROOT, 'README.md'), 'utf8')).text}" holds (within ${TOLERANCE * 100} %)`);

// ---------------------------------------------------------------------------------------------------------------
// 2. Installed into an empty project: npx scimulator seed / serve / report.

mkdirSync(consumer);
writeFileSync(join(consumer, 'package.json'), `${JSON.stringify({ name: 'scimulator-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`);
const install = ['install', '--no-audit', '--no-fund', '--prefer-offline'];
run('npm', [...install, join(work, packed.filename), `@types/node@${version('@types/node')}`, `vitest@${version('vitest')}`, `vite@${version('vite')}`], { cwd: consumer });
log(`installed the tarball with @types/node ${version('@types/node')} and vitest ${version('vitest')} in ${consumer}`);
const npx = (args, options) => run('npx', ['--no', 'scimulator', ...args], { cwd: consumer, ...options });

const seeded = npx(['seed', '--seed', '3', '--users', '5', '--groups', '2', '--out', 'dir.json']);
const dir = JSON.parse(readFileSync(join(consumer, 'dir.json'), 'utf8'));
if (dir.resources?.User?.length !== 5 || dir.resources?.Group?.length !== 2) die(`npx scimulator seed wrote ${JSON.stringify(Object.keys(dir.resources ?? {}))}: ${seeded.stdout}`);
log(`npx scimulator seed: ${seeded.stdout.trim()}`);

/** Starts `npx scimulator ...` and resolves once it prints the SCIM base URL and the control API URL. */
function serve(args) {
  const child = spawn('npx', ['--no', 'scimulator', ...args], { cwd: consumer, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  child.stderr.on('data', (c) => (out += c));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no start-up lines within 60 s:\n${out}`)), 60_000);
    const check = () => {
      const base = /^ {2}SCIM base URL: (\S+)$/m.exec(out)?.[1];
      const control = /^ {2}Control API: {3}(\S+)$/m.exec(out)?.[1];
      if (base && control) {
        clearTimeout(timer);
        resolve({ child, base, control, exited, out: () => out });
      }
    };
    child.stdout.on('data', check);
    void exited.then(({ code }) => reject(new Error(`exited ${code} before serving:\n${out}`)));
  });
}

let server;
try {
  server = await serve(['serve', '--port', '0', '--data', 'dir.json']);
} catch (err) {
  die(`npx scimulator: ${err.message}`);
}
const auth = { Authorization: 'Bearer scimulator-dev-token' };
const users = await fetch(`${server.base}/Users`, { headers: auth });
const listed = await users.json();
if (users.status !== 200 || listed.totalResults !== 5) die(`GET ${server.base}/Users answered ${users.status} with ${JSON.stringify(listed).slice(0, 300)}`);
const health = await fetch(`${server.control}/health`);
if (health.status !== 200) die(`GET ${server.control}/health answered ${health.status}`);
// The dashboard ships in the package ([dashboard] #12): its page and assets are served from the installed copy.
for (const asset of ['', 'main.js', 'style.css']) {
  const res = await fetch(`${server.control}/ui/${asset}`);
  if (res.status !== 200) die(`GET ${server.control}/ui/${asset} answered ${res.status}`);
}
// An Entra-style PATCH draws two warnings; `npx scimulator report --fail-on warning` must then exit 1. (It sends
// If-Match with the ETag it listed: without, the behaviour finding if-match-unused would be a third failure.)
const id = listed.Resources[0].id;
const patched = await fetch(`${server.base}/Users/${id}`, {
  method: 'PATCH',
  headers: { ...auth, 'Content-Type': 'application/scim+json', 'If-Match': listed.Resources[0].meta.version },
  body: JSON.stringify({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] }),
});
if (patched.status !== 200) die(`PATCH answered ${patched.status}`);
const origin = new URL(server.base).origin;
const report = npx(['report', '--url', origin, '--format', 'junit', '--fail-on', 'warning', '--out', 'conformance.xml'], { allowFail: true });
const xml = existsSync(join(consumer, 'conformance.xml')) ? readFileSync(join(consumer, 'conformance.xml'), 'utf8') : '';
if (report.status !== 1 || !xml.includes('failures="2"')) die(`npx scimulator report --fail-on warning exited ${report.status} (want 1, with 2 failures): ${report.stdout}${report.stderr}`);
log(`npx scimulator serve: ${server.base} answered, ${server.control}/health 200; npx scimulator report --fail-on warning exited 1 on 2 warnings`);
// SIGTERM to npx alone, as a script's `kill $!` sends it: npm passes it to its `sh -c` only, so the server stops
// because its parent went away (--stop-with-parent, on under npm); the exit code on SIGTERM is tested in test/cli.
process.kill(server.child.pid, 'SIGTERM');
await server.exited;
let down = false;
for (let i = 0; i < 200 && !down; i++) {
  down = await fetch(`${server.control}/health`).then(() => false, () => true);
  if (!down) await new Promise((r) => setTimeout(r, 100));
}
if (!down) {
  process.kill(-server.child.pid, 'SIGKILL');
  die(`npx scimulator still answers 20 s after npx got SIGTERM:\n${server.out()}`);
}
const saved = JSON.parse(readFileSync(join(consumer, 'dir.json'), 'utf8')).resources.User.find((u) => u.id === id);
if (saved?.active !== false) die('the PATCH is not in the --data file after SIGTERM');
log('SIGTERM to npx: the server stopped and the data file holds the PATCH');

// ---------------------------------------------------------------------------------------------------------------
// 3. A TypeScript consumer, skipLibCheck off, in both module resolutions; then the compiled consumer runs.

writeFileSync(
  join(consumer, 'consumer.ts'),
  `import { createApp, startScimulator, ScimulatorClient, type ConformanceReport, type ScimulatorApp } from 'scimulator';
import { createServer } from 'node:http';

const scim = await startScimulator({ seeding: { users: 2, groups: 1 } });
const client = new ScimulatorClient(scim.url);
const health: { status: string } = await client.health();
const users = await fetch(\`\${scim.baseUrl}/Users\`, { headers: { Authorization: \`Bearer \${scim.token}\` } });
const report: ConformanceReport = await client.conformanceReport();
const junit: string = await client.conformanceReport('junit');
const app: ScimulatorApp = createApp();
const server = createServer(app);
server.close();
await scim.close();
console.log(JSON.stringify({ health: health.status, users: users.status, checks: report.tests, junit: junit.startsWith('<?xml') }));
`,
);
writeFileSync(
  join(consumer, 'setup.ts'),
  `import { scimulatorGlobalSetup, type ScimulatorTestContext } from 'scimulator/vitest';
import type { TestProject } from 'vitest/node';
import { inject } from 'vitest';

export default scimulatorGlobalSetup({ profile: 'rfc' });
export function withProject(project: TestProject) {
  return scimulatorGlobalSetup()(project);
}
export const injected = (): ScimulatorTestContext => inject('scimulator');
`,
);
const tsconfig = (compilerOptions) => ({ compilerOptions: { target: 'ES2022', strict: true, skipLibCheck: false, types: ['node'], ...compilerOptions }, files: ['consumer.ts', 'setup.ts'] });
writeFileSync(join(consumer, 'tsconfig.node16.json'), JSON.stringify(tsconfig({ module: 'node16', moduleResolution: 'node16', outDir: 'out' })));
writeFileSync(join(consumer, 'tsconfig.bundler.json'), JSON.stringify(tsconfig({ module: 'esnext', moduleResolution: 'bundler', noEmit: true })));
for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
  const r = run(process.execPath, [TSC, '-p', config], { cwd: consumer, allowFail: true });
  if (r.status !== 0) die(`the TypeScript consumer (${config}, skipLibCheck false) does not type-check:\n${r.stdout}${r.stderr}`);
}
log(`TypeScript ${version('typescript')}: the consumer type-checks with moduleResolution node16 and bundler, skipLibCheck false`);
const ran = run(process.execPath, [join(consumer, 'out/consumer.js')], { cwd: consumer });
const result = JSON.parse(ran.stdout.trim().split('\n').at(-1));
if (result.health !== 'ok' || result.users !== 200 || !(result.checks > 0) || !result.junit) die(`the compiled consumer printed ${ran.stdout}`);
log(`the compiled consumer ran: ${ran.stdout.trim()}`);

// ---------------------------------------------------------------------------------------------------------------
// 4. vitest with the shipped global setup.

writeFileSync(join(consumer, 'vitest.config.mjs'), `import { defineConfig } from 'vitest/config';\nexport default defineConfig({ test: { include: ['*.test.mjs'], globalSetup: ['scimulator/vitest'] } });\n`);
writeFileSync(
  join(consumer, 'scim.test.mjs'),
  `import { expect, inject, it } from 'vitest';
it('gets the server from the global setup', async () => {
  const { baseUrl, token, controlUrl } = inject('scimulator');
  expect(process.env.SCIM_BASE_URL).toBe(baseUrl);
  const res = await fetch(\`\${baseUrl}/ServiceProviderConfig\`, { headers: { Authorization: \`Bearer \${token}\` } });
  expect(res.status).toBe(200);
  expect((await fetch(\`\${controlUrl}/health\`)).status).toBe(200);
});
`,
);
const vitest = run(process.execPath, [join(consumer, 'node_modules/vitest/vitest.mjs'), 'run'], { cwd: consumer, env: { CI: 'true' }, allowFail: true });
if (vitest.status !== 0 || !/1 passed/.test(vitest.stdout)) die(`vitest with globalSetup: ['scimulator/vitest'] failed:\n${vitest.stdout}${vitest.stderr}`);
log("vitest with globalSetup: ['scimulator/vitest']: 1 test passed");

cleanup();
log(`passed in ${((Date.now() - started) / 1000).toFixed(0)} s (packed size ${kB(packed.size)})`);
