#!/usr/bin/env node
/**
 * PATCH of one member of a large group (issue 4): the time to add one member and to remove it again by filter,
 * for a group of 100 and of 100,000 members, in-process against the built code (npm run build first).
 *
 *   node bench/patch.mjs [--iterations 2000] [--sizes 100,100000] [--http]
 *
 * "service" times ScimService.patch alone; "http" (with --http) times the whole request through the express app
 * on a local socket, with the tenant answering group PATCH with 204 (as Entra expects).
 * Both use 204 / no rendering: a 200 would render all members into the response, which is not what is measured.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createApp } from '../dist/http/app.js';
import { Scimulator } from '../dist/runtime.js';
import { option as arg } from './lib/args.mjs';

const args = process.argv.slice(2);
const iterations = Number(arg('iterations', '2000'));
const sizes = arg('sizes', '100,100000').split(',').map(Number);
const withHttp = args.includes('--http');

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

function stats(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return { median: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}
const ms = (x) => `${x.toFixed(3)} ms`;

function setup(size) {
  const runtime = new Scimulator({ auth: 'none', control: false, seed: 7 });
  const tenant = runtime.defaultTenant;
  const service = tenant.service;
  const ids = [];
  for (let i = 0; i < size + 1; i++) ids.push(service.create('User', { schemas: [USER], userName: `user${i}` }).id);
  const extra = ids.pop();
  // Through JSON, as a group created over HTTP holds its members: the ids SeededRandom builds are concatenated
  // (cons) strings, which V8 scans several times slower than the flat strings JSON.parse produces.
  const body = JSON.parse(JSON.stringify({ schemas: [GROUP], displayName: 'big', members: ids.map((value) => ({ value })) }));
  const group = service.create('Group', body);
  tenant.config.patchStatus = { Group: 204 };
  return { runtime, tenant, service, groupId: group.id, extra };
}

const addBody = (id) => ({ schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: id }] }] });
const removeBody = (id) => ({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `members[value eq "${id}"]` }] });

/** CPU time (user + system) in ms: less disturbed than wall time when other processes share the machine. */
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

function benchService({ service, groupId, extra }) {
  const add = [];
  const remove = [];
  let addCpu = 0;
  let removeCpu = 0;
  for (let i = 0; i < iterations; i++) {
    let c = cpuMs();
    let t = performance.now();
    service.patch('Group', groupId, addBody(extra));
    add.push(performance.now() - t);
    addCpu += cpuMs() - c;
    c = cpuMs();
    t = performance.now();
    service.patch('Group', groupId, removeBody(extra));
    remove.push(performance.now() - t);
    removeCpu += cpuMs() - c;
  }
  return { add: { ...stats(add), cpuMean: addCpu / iterations }, remove: { ...stats(remove), cpuMean: removeCpu / iterations } };
}

async function benchHttp({ runtime, groupId, extra }) {
  const server = http.createServer(createApp(runtime));
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const send = (body) =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = http.request(
        { host: '127.0.0.1', port, agent, method: 'PATCH', path: `/scim/v2/Groups/${groupId}`, headers: { 'content-type': 'application/scim+json', 'content-length': Buffer.byteLength(data) } },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end(data);
    });
  const add = [];
  const remove = [];
  for (let i = 0; i < iterations; i++) {
    let t = performance.now();
    await send(addBody(extra));
    add.push(performance.now() - t);
    t = performance.now();
    await send(removeBody(extra));
    remove.push(performance.now() - t);
  }
  agent.destroy();
  await new Promise((resolve) => server.close(resolve));
  return { add: stats(add), remove: stats(remove) };
}

const results = {};
for (const size of sizes) {
  const t = performance.now();
  const ctx = setup(size);
  process.stdout.write(`group of ${size} members ready in ${ms(performance.now() - t)}\n`);
  benchService(ctx); // warm-up
  results[size] = { service: benchService(ctx) };
  if (withHttp) {
    await benchHttp(ctx); // warm-up
    results[size].http = await benchHttp(ctx);
  }
}
for (const size of sizes) {
  for (const [layer, r] of Object.entries(results[size])) {
    const cpu = (x) => (x.cpuMean === undefined ? '' : ` (cpu mean ${ms(x.cpuMean)})`);
    process.stdout.write(`${layer.padEnd(7)} ${String(size).padStart(7)} members  add: median ${ms(r.add.median)} p95 ${ms(r.add.p95)}${cpu(r.add)}   remove: median ${ms(r.remove.median)} p95 ${ms(r.remove.p95)}${cpu(r.remove)}\n`);
  }
}
if (sizes.length >= 2) {
  const [small, large] = [sizes[0], sizes[sizes.length - 1]];
  for (const layer of Object.keys(results[small])) {
    const ratio = (op) => (results[large][layer][op].median / results[small][layer][op].median).toFixed(2);
    process.stdout.write(`${layer}: ${large}/${small} median ratio  add ${ratio('add')}x  remove ${ratio('remove')}x\n`);
  }
}
