#!/usr/bin/env node
/**
 * What the behaviour analyser costs on W1 (`GET /Users/{id}`), in one process and one run: blocks of identical
 * GETs over keep-alive connections, alternating the analyser on and off (PATCH /_mock/config
 * {"behaviour": {"enabled": ...}}), CPU time of the whole process (server and load generator) per request from
 * process.cpuUsage(). Alternating blocks spread drift (JIT warm-up, GC, other jobs on the machine) over both
 * sides; the medians are compared.
 *
 *   npm run build && node bench/behaviour-cost.mjs [--requests 4000] [--blocks 8] [--connections 8]
 */
import http from 'node:http';
import { parseArgs } from 'node:util';
import { startScimulator } from '../dist/index.js';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '4000' }, blocks: { type: 'string', default: '8' }, connections: { type: 'string', default: '8' } },
});
const perBlock = Number(values.requests);
const blocks = Number(values.blocks);
const connections = Number(values.connections);

const scim = await startScimulator({ seeding: { users: 1000, groups: 0, seed: 1 }, warningsHeader: false });
const url = new URL(scim.baseUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const list = await (await fetch(`${scim.baseUrl}/Users?count=1`, { headers: { Authorization: `Bearer ${scim.token}` } })).json();
const path = `${url.pathname}/Users/${list.Resources[0].id}`;

function get() {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path, agent, headers: { Authorization: `Bearer ${scim.token}`, 'User-Agent': 'w1-cost/1.0' } }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

async function block(n) {
  let sent = 0;
  const worker = async () => {
    while (sent < n) {
      sent++;
      await get();
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: connections }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { cpuUsPerRequest: (cpu.user + cpu.system) / n, wallMsPerRequest: (performance.now() - t0) / n };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

await block(perBlock); // warm-up, analyser on
const results = { on: [], off: [] };
for (let i = 0; i < blocks; i++) {
  for (const mode of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
    await scim.config.update({ behaviour: { enabled: mode === 'on' } });
    results[mode].push(await block(perBlock));
  }
}
await scim.config.update({ behaviour: { enabled: true } });
const report = await scim.behaviour.report();

// The analyser's own work for one such request, without HTTP: arrive() plus the journal's record() (whose
// subscriber is complete()), on vs off, in alternating blocks of the same loop.
const tenant = scim.runtime.defaultTenant;
const relativePath = path.slice(url.pathname.length);
const headers = { host: url.host, authorization: `Bearer ${scim.token}`, 'user-agent': 'w1-cost/1.0', accept: '*/*' };
function direct(n) {
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const context = { tenantId: 'default', relativePath, operation: 'get', resourceType: 'User', warnings: [] };
    tenant.behaviour.arrive({ context, method: 'GET', query: {}, headers, body: undefined });
    tenant.journal.record(
      { tenant: 'default', method: 'GET', path, relativePath, query: {}, requestHeaders: headers, requestBody: null, status: 200, responseHeaders: { etag: 'W/"1"' }, responseBody: null, durationMs: 1, operation: 'get', resourceType: 'User', warnings: [], outcome: 'completed' },
      context,
    );
  }
  const cpu = process.cpuUsage(cpu0);
  return (cpu.user + cpu.system) / n;
}
const loop = { on: [], off: [] };
direct(20_000);
for (let i = 0; i < blocks; i++) {
  for (const mode of i % 2 === 0 ? ['on', 'off'] : ['off', 'on']) {
    tenant.applyConfig({ ...tenant.config, behaviour: { ...tenant.config.behaviour, enabled: mode === 'on' } });
    loop[mode].push(direct(20_000));
  }
}
await scim.close();
agent.destroy();

const on = median(results.on.map((r) => r.cpuUsPerRequest));
const off = median(results.off.map((r) => r.cpuUsPerRequest));
const spread = (xs) => `${Math.min(...xs).toFixed(1)}-${Math.max(...xs).toFixed(1)}`;
console.log(`W1 GET /Users/{id}, ${blocks} blocks of ${perBlock} per side, ${connections} connections, Node ${process.version}`);
console.log(`CPU per request (server + load generator): analyser on ${on.toFixed(1)} us (${spread(results.on.map((r) => r.cpuUsPerRequest))}), off ${off.toFixed(1)} us (${spread(results.off.map((r) => r.cpuUsPerRequest))})`);
const pairs = results.on.map((r, i) => r.cpuUsPerRequest / results.off[i].cpuUsPerRequest);
console.log(`on/off: ${(on / off).toFixed(3)} (difference ${(on - off).toFixed(1)} us per request); median of the ${blocks} paired blocks' ratios ${median(pairs).toFixed(3)} (${spread(pairs)})`);
console.log(`wall per request: on ${median(results.on.map((r) => r.wallMsPerRequest)).toFixed(3)} ms, off ${median(results.off.map((r) => r.wallMsPerRequest)).toFixed(3)} ms`);
console.log(`analyser state after the run: ${JSON.stringify(report.state)}, findings ${report.totalFindings}`);
const loopOn = median(loop.on);
const loopOff = median(loop.off);
console.log(`the analyser alone (arrive + journal record with complete(), no HTTP): on ${loopOn.toFixed(2)} us, off ${loopOff.toFixed(2)} us per request: +${(loopOn - loopOff).toFixed(2)} us, ${(((loopOn - loopOff) / off) * 100).toFixed(2)} % of the ${off.toFixed(0)} us a W1 request costs with it off`);
