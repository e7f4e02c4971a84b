/**
 * Child processes under test: each server runs as its own process, pinned to core 0 with `taskset -c 0` when
 * available; the harness itself (the load generator) pins itself to core 1. RSS is read from /proc/<pid>/status.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { request } from './http.mjs';

const children = new Set();

/** Pins this process (all its threads) to core 1 and reports whether servers can be pinned to core 0. */
export function setUpPinning() {
  const cores = (() => {
    try {
      return spawnSync('nproc', { encoding: 'utf8' }).stdout.trim() | 0;
    } catch {
      return 0;
    }
  })();
  const probe = spawnSync('taskset', ['-c', '0', 'true']);
  const taskset = probe.status === 0 && cores >= 2;
  if (taskset) spawnSync('taskset', ['-a', '-cp', '1', String(process.pid)], { stdio: 'ignore' });
  return { taskset, cores };
}

let pinning = { taskset: false };
export function usePinning(p) {
  pinning = p;
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Spawns `node <args>` (pinned to core 0 when possible). Returns the child with its stderr/stdout tails. */
export function spawnNode(args, { cwd, env } = {}) {
  const cmd = pinning.taskset ? 'taskset' : process.execPath;
  const argv = pinning.taskset ? ['-c', '0', process.execPath, ...args] : args;
  const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let tail = '';
  const keep = (chunk) => {
    tail = (tail + chunk.toString()).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.tail = () => tail;
  child.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.exited.then(() => children.delete(child));
  return child;
}

/**
 * Starts a server and waits until `readyPath` answers 200. Returns { name, child, pid, port, origin, startMs, stop }.
 * startMs is spawn to first 200, measured from this process (the poll runs every 5 ms). With `port: 0` the
 * server is started on a port of its own choosing, read from its output.
 */
export async function startServer(name, args, { port, readyPath = '/', headers = {}, cwd, env, timeoutMs = 180_000 } = {}) {
  const t0 = performance.now();
  const child = spawnNode(args, { cwd, env });
  let dead;
  child.exited.then((e) => (dead = e));
  if (port === 0) {
    // The server picks its own port and prints it ("http://127.0.0.1:<port>"): a port chosen here and freed
    // again could be taken by another process on a shared machine before the server binds it.
    port = await new Promise((resolve, reject) => {
      let out = '';
      const onData = (chunk) => {
        out += chunk.toString();
        const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(out) ?? /listening on (\d+)/.exec(out);
        if (m) {
          child.stdout.off('data', onData);
          resolve(Number(m[1]));
        }
      };
      child.stdout.on('data', onData);
      child.exited.then((e) => reject(new Error(`${name} exited (${e.code ?? e.signal}) before it listened: ${child.tail().trim().slice(-1500)}`)));
      setTimeout(() => reject(new Error(`${name} printed no port within ${timeoutMs / 1000} s`)), timeoutMs).unref();
    });
  }
  const origin = `http://127.0.0.1:${port}`;
  for (;;) {
    if (dead) throw new Error(`${name} exited (${dead.code ?? dead.signal}) before it answered: ${child.tail().trim().slice(-1500)}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`${name} did not answer 200 on ${readyPath} within ${timeoutMs / 1000} s: ${child.tail().slice(-1500)}`);
    }
    try {
      const res = await request(`${origin}${readyPath}`, { headers, timeoutMs: 2000, agent: false });
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const startMs = performance.now() - t0;
  return {
    name,
    child,
    pid: child.pid,
    port,
    origin,
    startMs,
    rssMB: () => rssMB(child.pid),
    /**
     * Waits until the server has answered what it still had queued: autocannon stops at the end of a run
     * without waiting for in-flight requests, which a slow server would otherwise serve during the next run.
     */
    async drain() {
      await request(`${origin}${readyPath}`, { headers, timeoutMs: 600_000, agent: false }).catch(() => {});
    },
    async stop() {
      if (dead) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
      await child.exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of a process in MB (VmRSS of /proc/<pid>/status), NaN when unreadable. */
export function rssMB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
