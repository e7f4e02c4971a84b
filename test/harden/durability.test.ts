/**
 * Crash safety of --data: SIGKILL at any moment leaves a data file that loads, and with --data-sync every write
 * that was acknowledged is in the file.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fromDocument } from '../../src/store/snapshot.js';
import { buildCli, headers, startCli, TOKEN, USER, type Started } from './cli.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

beforeAll(async () => {
  await buildCli();
}, 180_000);

/** The file parses and is a snapshot document; returns the ids of its Users. */
function loadFile(file: string): Set<string> {
  const text = readFileSync(file, 'utf8');
  const snapshot = fromDocument(JSON.parse(text));
  return new Set((snapshot.resources.User ?? []).map((u) => u.id as string));
}

/**
 * `workers` clients POST Users back to back until the process dies; resolves with the ids of the Users whose
 * creation got a 201. `onAck` sees the count after each acknowledgement.
 */
function storm(server: Started, prefix: string, workers: number, onAck: (acked: number) => void): Promise<string[]> {
  const acked: string[] = [];
  let seq = 0;
  const worker = async () => {
    for (;;) {
      const userName = `${prefix}-${seq++}`;
      let res: Response;
      try {
        res = await fetch(`${server.baseUrl}/Users`, { method: 'POST', headers, body: JSON.stringify({ schemas: [USER], userName, displayName: 'x'.repeat(200) }) });
      } catch {
        return; // the server is gone
      }
      if (res.status !== 201) throw new Error(`POST ${userName}: ${res.status} ${await res.text()}`);
      try {
        const body = (await res.json()) as { id: string };
        acked.push(body.id);
      } catch {
        return; // killed while the body was on its way: not acknowledged
      }
      onAck(acked.length);
    }
  };
  return Promise.all(Array.from({ length: workers }, worker)).then(() => acked);
}

/** A small seeded generator (mulberry32), so the kill moments are the same on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('--data crash safety', () => {
  it('with --data-sync, every POST that got a 201 before SIGKILL is in the file and served after restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-sync-'));
    const file = join(dir, 'data.json');
    const server = await startCli(['--port', '0', '--data', file, '--data-sync'], children);
    let killedAt = -1;
    const acked = await storm(server, 'sync', 24, (n) => {
      if (n >= 150 && killedAt < 0) {
        killedAt = n;
        server.child.kill('SIGKILL'); // while other POSTs are in flight
      }
    });
    expect((await server.exited).signal).toBe('SIGKILL');
    expect(acked.length).toBeGreaterThanOrEqual(150);

    const inFile = loadFile(file);
    const missing = acked.filter((id) => !inFile.has(id));
    expect(missing, `${missing.length} of ${acked.length} acknowledged Users missing from the file`).toEqual([]);

    const again = await startCli(['--port', '0', '--data', file], children);
    const list = await fetch(`${again.baseUrl}/Users?count=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(((await list.json()) as { totalResults: number }).totalResults).toBe(inFile.size);
    for (const id of acked.slice(-20)) {
      const res = await fetch(`${again.baseUrl}/Users/${id}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(res.status, id).toBe(200);
    }
    // Temporaries of a killed save are removed on start-up.
    expect(readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 60_000);

  it('without --data-sync, SIGKILL at seeded random moments never leaves a file that fails to load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-kill-'));
    const file = join(dir, 'data.json');
    const random = seeded(20250101);
    let previous = 0;
    for (let round = 0; round < 6; round++) {
      // A short save delay makes saves frequent, so a kill often lands inside one.
      const server = await startCli(['--port', '0', '--data', file, '--save-delay', String(round % 3), '--no-journal'], children);
      // The kill moment counts from the first acknowledged write, not from start-up: on a loaded machine the first
      // POST may take longer than the whole window, and a round killed before any write tests nothing.
      const killAfter = 40 + Math.floor(random() * 400);
      let timer: NodeJS.Timeout | undefined;
      await storm(server, `r${round}`, 8, () => {
        timer ??= setTimeout(() => server.child.kill('SIGKILL'), killAfter);
      });
      clearTimeout(timer);
      expect((await server.exited).signal).toBe('SIGKILL');
      if (!existsSync(file)) continue; // killed before the first save
      const ids = loadFile(file); // throws if torn
      expect(ids.size, `round ${round}: the file lost Users it had`).toBeGreaterThanOrEqual(previous);
      previous = ids.size;
    }
    expect(previous).toBeGreaterThan(0);
    const last = await startCli(['--port', '0', '--data', file], children);
    const res = await fetch(`${last.baseUrl}/Users?count=1`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(((await res.json()) as { totalResults: number }).totalResults).toBe(previous);
  }, 90_000);
});
