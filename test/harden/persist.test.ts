/**
 * The data file: the atomic lowdb adapter, coalesced saves, sync() for --data-sync, and the middleware that holds
 * write responses until the write is durable.
 */
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { describe, expect, it, vi } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { Scimulator } from '../../src/runtime.js';
import { startServer } from '../../src/server.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { MemoryStore } from '../../src/store/memory.js';
import { AtomicJsonFile, DataFile, DataFileError } from '../../src/store/persist.js';
import { fromDocument, toDocument } from '../../src/store/snapshot.js';
import { AUTH, USER_SCHEMA, expectScimError } from '../http/helpers.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'scimulator-persist-'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function user(id: string, version = 1) {
  return { schemas: [USER_SCHEMA], id, userName: id, meta: { resourceType: 'User', created: '2025-01-01T00:00:00Z', lastModified: '2025-01-01T00:00:00Z', version: `W/"${version}"` } };
}

function newStore() {
  return new MemoryStore(SchemaRegistry.builtIn());
}

/** Counts the writes an adapter performs. */
function countWrites(file: DataFile): { count: () => number } {
  const adapter = (file as unknown as { adapter: AtomicJsonFile<unknown> }).adapter;
  const write = adapter.write.bind(adapter);
  let n = 0;
  adapter.write = (data) => {
    n++;
    return write(data);
  };
  return { count: () => n };
}

describe('AtomicJsonFile (the lowdb adapter)', () => {
  it('reads null for a missing file, writes JSON, leaves no temporary behind', async () => {
    const dir = tempDir();
    const adapter = new AtomicJsonFile<{ a: number }>(join(dir, 'x.json'));
    expect(await adapter.read()).toBeNull();
    await adapter.write({ a: 1 });
    expect(await adapter.read()).toEqual({ a: 1 });
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it.skipIf(process.platform === 'win32')('a save keeps the permissions of the file it replaces', async () => {
    const dir = tempDir();
    const path = join(dir, 'private.json');
    writeFileSync(path, '{}', { mode: 0o600 });
    chmodSync(path, 0o600);
    await new AtomicJsonFile<{ a: number }>(path).write({ a: 1 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('runs concurrent writes one at a time in call order: the last one wins', async () => {
    const dir = tempDir();
    const adapter = new AtomicJsonFile<{ n: number }>(join(dir, 'x.json'));
    await Promise.all(Array.from({ length: 20 }, (_, n) => adapter.write({ n })));
    expect(await adapter.read()).toEqual({ n: 19 });
    expect(readdirSync(dir)).toEqual(['x.json']);
  });

  it('serialises when write() is called, so a later change to the data does not leak in', async () => {
    const dir = tempDir();
    const adapter = new AtomicJsonFile<{ n: number }>(join(dir, 'x.json'));
    const data = { n: 1 };
    const done = adapter.write(data);
    data.n = 2;
    await done;
    expect(await adapter.read()).toEqual({ n: 1 });
  });

  it('a failed write rejects, removes its temporary and leaves the target as it was', async () => {
    const dir = tempDir();
    const target = join(dir, 'x.json');
    mkdirSync(target); // renaming a file over a directory fails
    const adapter = new AtomicJsonFile<{ a: number }>(target);
    await expect(adapter.write({ a: 1 })).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(['x.json']);
    await expect(new AtomicJsonFile(join(dir, 'missing-dir', 'y.json')).write({})).rejects.toThrow(/ENOENT/);
  });

  it('removes temporaries a killed process left, and nothing else', async () => {
    const dir = tempDir();
    for (const name of ['.data.json.123.4.tmp', '.data.json.9.1.tmp', 'data.json', '.other.json.1.1.tmp', 'data.json.tmp', '.data.json.x.1.tmp']) writeFileSync(join(dir, name), '{}');
    const adapter = new AtomicJsonFile(join(dir, 'data.json'));
    expect(await adapter.removeStaleTemporaries()).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['.data.json.x.1.tmp', '.other.json.1.1.tmp', 'data.json', 'data.json.tmp']);
  });
});

describe('DataFile', () => {
  it('loads nothing from a missing file, refuses a corrupt or unsafe one naming it, loads a snapshot', async () => {
    const dir = tempDir();
    expect(await new DataFile(join(dir, 'none.json'), newStore(), 10).load()).toBe(false);

    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, '{"format": "scimulator-snapshot", ');
    await expect(new DataFile(corrupt, newStore(), 10).load()).rejects.toThrow(DataFileError);
    await expect(new DataFile(corrupt, newStore(), 10).load()).rejects.toThrow(corrupt);
    expect(readFileSync(corrupt, 'utf8')).toBe('{"format": "scimulator-snapshot", ');

    const unsafe = join(dir, 'unsafe.json');
    writeFileSync(unsafe, `{"format":"scimulator-snapshot","version":1,"sequence":1,"resources":{"User":[{"id":"a","meta":{"version":"W/\\"1\\""},"__proto__":{"polluted":1}}]}}`);
    await expect(new DataFile(unsafe, newStore(), 10).load()).rejects.toThrow(/__proto__/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();

    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(toDocument({ sequence: 5, resources: { User: [user('a')] } })));
    const store = newStore();
    expect(await new DataFile(good, store, 10).load()).toBe(true);
    expect(store.get('User', 'a')?.userName).toBe('a');
  });

  it('refuses a data file holding JSON null and never overwrites it, even when seeding', async () => {
    const dir = tempDir();
    const file = join(dir, 'null.json');
    writeFileSync(file, 'null\n');
    await expect(new DataFile(file, newStore(), 10).load()).rejects.toThrow(/not a Scimulator snapshot/);
    await expect(startServer({ port: 0, data: file, seeding: { users: 2 } })).rejects.toThrow(file);
    expect(readFileSync(file, 'utf8')).toBe('null\n');
  });

  it('coalesces a burst of changes into one save after the window', async () => {
    const dir = tempDir();
    const store = newStore();
    const file = new DataFile(join(dir, 'd.json'), store, 40);
    const writes = countWrites(file);
    file.watch();
    for (let i = 0; i < 50; i++) store.put('User', user(`u${i}`));
    expect(writes.count()).toBe(0);
    expect(file.clean).toBe(false);
    // After the 40 ms window the save runs; a loaded machine may take longer to write it (generous bound).
    await vi.waitFor(() => expect(file.clean).toBe(true), { timeout: 5000, interval: 20 });
    expect(writes.count()).toBe(1);
    expect(fromDocument(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'))).resources.User).toHaveLength(50);
  });

  it('sync() makes every change durable now; concurrent syncs share saves', async () => {
    const dir = tempDir();
    const store = newStore();
    const file = new DataFile(join(dir, 'd.json'), store, 60_000);
    const writes = countWrites(file);
    file.watch();
    await file.sync();
    expect(writes.count()).toBe(0); // nothing to save

    const syncs: Array<Promise<void>> = [];
    for (let i = 0; i < 100; i++) {
      store.put('User', user(`u${i}`));
      syncs.push(file.sync());
    }
    await Promise.all(syncs);
    // The first sync starts a save of u0; the 99 that follow share the one queued behind it.
    expect(writes.count()).toBe(2);
    expect(fromDocument(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'))).resources.User).toHaveLength(100);
    expect(file.clean).toBe(true);
  });

  it('every sync() resolves only once its own change is in the file', async () => {
    const dir = tempDir();
    const store = newStore();
    const path = join(dir, 'd.json');
    const file = new DataFile(path, store, 60_000);
    file.watch();
    const checks: Array<Promise<void>> = [];
    for (let i = 0; i < 30; i++) {
      store.put('User', user(`u${i}`));
      const id = `u${i}`;
      checks.push(file.sync().then(() => {
        const ids = fromDocument(JSON.parse(readFileSync(path, 'utf8'))).resources.User!.map((u) => u.id);
        expect(ids).toContain(id);
      }));
      if (i % 7 === 0) await sleep(1);
    }
    await Promise.all(checks);
  });

  it('a failed save rejects sync() and is retried by the next one', async () => {
    const dir = tempDir();
    const store = newStore();
    const target = join(dir, 'd.json');
    mkdirSync(target);
    const file = new DataFile(target, store, 60_000);
    file.watch();
    store.put('User', user('a'));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      await expect(file.sync()).rejects.toThrow();
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toContain('could not save');
    } finally {
      stderr.mockRestore();
    }
    expect(file.clean).toBe(false);
    const { rmdirSync } = await import('node:fs');
    rmdirSync(target);
    await file.sync();
    expect(file.clean).toBe(true);
    expect(JSON.parse(readFileSync(target, 'utf8')).resources.User[0].id).toBe('a');
  });
});

describe('--data-sync middleware', () => {
  const body = JSON.stringify({ schemas: [USER_SCHEMA], userName: 'held' });

  it('holds write responses until sync() resolves; reads are not held', async () => {
    let release!: () => void;
    let calls = 0;
    const sync = () => {
      calls++;
      return new Promise<void>((resolve) => (release = resolve));
    };
    const app = createApp(new Scimulator(), { sync });
    let answered = false;
    const pending = request(app).post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').send(body).then((r) => {
      answered = true;
      return r;
    });
    for (let waited = 0; calls === 0 && waited < 10_000; waited += 10) await sleep(10);
    expect(calls).toBe(1);
    await sleep(50); // the response stays held while the save is pending
    expect(answered).toBe(false);
    release();
    const res = await pending;
    expect(res.status).toBe(201);
    expect(res.headers.etag).toBeDefined();

    const read = await request(app).get('/scim/v2/Users').set(AUTH);
    expect(read.status).toBe(200);
    expect(calls).toBe(1);
  });

  it('a write that cannot be made durable is not acknowledged: 500 without ETag or Location', async () => {
    const app = createApp(new Scimulator(), { sync: () => Promise.reject(Object.assign(new Error('disk full'), { code: 'ENOSPC' })) });
    const res = await request(app).post('/scim/v2/Users').set(AUTH).set('Content-Type', 'application/scim+json').send(body);
    const error = expectScimError(res, 500);
    expect(error.detail).toMatch(/ENOSPC.*--data-sync/);
    expect(res.headers.etag).toBeUndefined();
    expect(res.headers.location).toBeUndefined();
  });

  it('holds control API writes too (snapshot load, reset)', async () => {
    let calls = 0;
    const app = createApp(new Scimulator(), { sync: async () => void calls++ });
    expect((await request(app).post('/_mock/reset')).status).toBe(200);
    expect(calls).toBe(1);
  });
});
