/**
 * Lifecycle of the CLI process: SIGTERM and SIGINT stop accepting, let in-flight requests finish within
 * --shutdown-grace, flush the data file and exit 0; a second signal exits at once; a taken port is a one-line
 * error and exit code 1.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, get } from 'node:http';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, headers, startCli, TOKEN, USER } from './cli.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
beforeAll(async () => {
  await buildCli();
}, 180_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Resolves once the server holds a request in its --latency rule (the rule counts it as matched): a signal sent
 * after a fixed sleep could, on a loaded machine, come before the request reached the server at all.
 */
async function requestHeld(server: { url: string }): Promise<void> {
  for (const until = Date.now() + 15_000; Date.now() < until; await sleep(20)) {
    const { faults } = (await (await fetch(`${server.url}/_mock/faults`)).json()) as { faults: Array<{ matched: number }> };
    if (faults.some((f) => f.matched > 0)) return;
  }
  throw new Error('the request never reached the server');
}

/** Resolves with the connect error code, or "connected". */
async function tryConnect(url: string): Promise<string> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  try {
    await once(socket, 'connect');
    return 'connected';
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? 'error';
  } finally {
    socket.destroy();
  }
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s', (signal) => {
  it('lets a request held by a 500 ms latency fault finish with 200, refuses new connections, exits 0', async () => {
    const server = await startCli(['--port', '0', '--latency', '500'], children);
    const started = Date.now();
    const held = fetch(`${server.baseUrl}/Users`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    await requestHeld(server);
    server.child.kill(signal);
    // The server prints this line in the same tick as it stops listening: wait for it, not for a fixed time (a
    // loaded machine may take longer than any fixed sleep to deliver the signal).
    for (const until = Date.now() + 10_000; !server.out().includes(`Received ${signal}`) && Date.now() < until; ) await sleep(10);
    expect(await tryConnect(server.url)).toBe('ECONNREFUSED');
    const res = await held;
    expect(res.status).toBe(200);
    expect(((await res.json()) as { schemas: string[] }).schemas[0]).toMatch(/ListResponse/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    const answered = Date.now();
    const { code } = await server.exited;
    expect(code).toBe(0);
    // The client's keep-alive connection does not hold the process once its request is answered.
    expect(Date.now() - answered).toBeLessThan(3000); // not the 65 s keep-alive timeout
    expect(server.out()).toContain(`Received ${signal}`);
  });
});

describe('shutdown', () => {
  it('flushes the data file before exiting, even inside a long --save-delay window', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'scimulator-flush-')), 'data.json');
    const server = await startCli(['--port', '0', '--data', file, '--save-delay', '600000'], children);
    const created = await fetch(`${server.baseUrl}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER], userName: 'flushed' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { resources: { User: Array<{ id: string }> } };
    expect(doc.resources.User.map((u) => u.id)).toContain(id);
  });

  it('idle keep-alive connections do not hold the process', async () => {
    const server = await startCli(['--port', '0'], children);
    const agent = new Agent({ keepAlive: true });
    const status = await new Promise<number>((resolve, reject) => {
      get(`${server.baseUrl}/Users`, { agent, headers: { Authorization: `Bearer ${TOKEN}` } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      }).on('error', reject);
    });
    expect(status).toBe(200);
    expect(Object.keys(agent.freeSockets)).toHaveLength(1); // the connection stays open, idle
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000); // not the 65 s keep-alive timeout
    agent.destroy();
  });

  it('a request outlasting --shutdown-grace is cut off when the grace ends, then the process exits 0', async () => {
    const server = await startCli(['--port', '0', '--latency', '10000', '--shutdown-grace', '300'], children);
    const held = fetch(`${server.baseUrl}/Users`, { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.status, () => 'cut off');
    await requestHeld(server);
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000); // not the 10 s latency
    expect(await held).toBe('cut off');
  });

  it('a second signal exits at once', async () => {
    const server = await startCli(['--port', '0', '--latency', '10000', '--shutdown-grace', '20000'], children);
    void fetch(`${server.baseUrl}/Users`, { headers: { Authorization: `Bearer ${TOKEN}` } }).catch(() => undefined);
    await requestHeld(server);
    const t0 = Date.now();
    server.child.kill('SIGTERM');
    // The second signal once the first one is handled (the server is waiting for its in-flight request).
    for (const until = Date.now() + 10_000; !server.out().includes('Received SIGTERM') && Date.now() < until; ) await sleep(10);
    expect(server.out()).toContain('Received SIGTERM');
    server.child.kill('SIGINT');
    const { code } = await server.exited;
    expect(Date.now() - t0).toBeLessThan(4000); // not the 10 s latency
    expect(code).not.toBe(0);
  });

  it('a port already in use is a one-line error and exit code 1', async () => {
    const server = await startCli(['--port', '0'], children);
    const run = spawnSync(process.execPath, [CLI, '--port', new URL(server.url).port], { encoding: 'utf8', timeout: 15_000 });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^scimulator: port \d+ on 127\.0\.0\.1 is already in use/);
  });
});
