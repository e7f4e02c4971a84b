/**
 * A Scimulator app in this process, its default tenant seeded with 1,000 users and 20 groups (seed 1), listening on
 * a free port, and `send()`: one SCIM request over a keep-alive agent with the default token and an Okta-like
 * User-Agent, resolved with its status and the response size (rejected on a status of 300 or more unless
 * `anyStatus`). For the benches that read the journal's own structures beside the traffic (journal-text,
 * journal-memory). Needs a build (`npm run build`).
 */
import { Agent, request as httpRequest } from 'node:http';
import { createApp, runtimeOf } from '../../dist/http/app.js';
import { scenarioFor } from '../../dist/seed/scenario.js';
import { seedTenant } from '../../dist/seed/seed.js';

const TOKEN = 'scimulator-dev-token';

export async function startSeededApp(options = {}) {
  const app = createApp(options);
  const tenant = runtimeOf(app).defaultTenant;
  seedTenant(tenant, await scenarioFor({ seed: 1, users: 1000, groups: 20 }));
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const { port } = server.address();
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });

  function send(method, path, body, anyStatus = false) {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : JSON.stringify(body);
      const headers = { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/scim+json', 'User-Agent': 'Okta SCIM Client 1.0', ...(data ? { 'Content-Length': Buffer.byteLength(data) } : {}) };
      const req = httpRequest({ port, host: '127.0.0.1', method, path, agent, headers }, (res) => {
        let size = 0;
        res.on('data', (c) => (size += c.length));
        res.on('end', () => (res.statusCode < 300 || anyStatus ? resolve({ status: res.statusCode, size }) : reject(new Error(`${method} ${path}: ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end(data);
    });
  }

  const close = () => {
    agent.destroy();
    return new Promise((r) => server.close(r));
  };
  return { app, tenant, port, send, close };
}
