/**
 * Persistence of the default tenant in a JSON data file. lowdb holds the document; its adapter here writes
 * crash-safe: the JSON goes to a temporary file in the same directory, which is fsynced, renamed over the
 * target, and the directory is fsynced, so the file on disk is always either the previous save or the new one,
 * never a torn mix, whenever the process (or the machine) stops.
 *
 * Bursts of writes are coalesced into one save per window (`delayMs`, --save-delay): without --data-sync a crash
 * may lose the changes of the last window. `sync()` (--data-sync) makes every change so far durable now;
 * concurrent calls share saves. `flush()` saves at once (used on shutdown).
 */
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Low, type Adapter } from 'lowdb';
import { FORBIDDEN_KEYS } from '../scim/attributes.js';
import type { MemoryStore } from './memory.js';
import { fromDocument, toDocument, type LoadOptions, type SnapshotDocument } from './snapshot.js';

export class DataFileError extends Error {}

/** Temporary files of `target`: `.<name>.<pid>.<n>.tmp` beside it. */
function tempPattern(target: string): RegExp {
  const name = basename(target).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^\\.${name}\\.\\d+\\.\\d+\\.tmp$`);
}

async function fsyncDirectory(dir: string): Promise<void> {
  let handle;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is as durable as they allow.
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw err;
  } finally {
    await handle?.close();
  }
}

/**
 * A lowdb adapter for a JSON file with atomic, durable writes (temp file, fsync, rename, directory fsync).
 * `read()` is null when the file does not exist; invalid JSON throws (a SyntaxError).
 */
export class AtomicJsonFile<T> implements Adapter<T> {
  private counter = 0;
  /** Writes run one at a time, in call order. */
  private queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string, private readonly indent = 2) {}

  /** Whether the last read() found the file (read() is also null for a file holding JSON null). */
  found = false;

  async read(): Promise<T | null> {
    let text: string;
    this.found = false;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    this.found = true;
    return JSON.parse(text) as T;
  }

  /** Serialises now (so later changes to `data` do not leak into this write), then writes in turn. */
  write(data: T): Promise<void> {
    const text = JSON.stringify(data, null, this.indent) + '\n';
    const run = this.queue.then(() => this.writeText(text));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async writeText(text: string): Promise<void> {
    const dir = dirname(this.path);
    const temp = join(dir, `.${basename(this.path)}.${process.pid}.${++this.counter}.tmp`);
    // The new file keeps the permissions of the one it replaces (a data file made private stays private).
    const mode = await stat(this.path).then((s) => s.mode & 0o777, () => undefined);
    let handle;
    try {
      handle = await open(temp, 'w', mode ?? 0o666);
      if (mode !== undefined) await handle.chmod(mode);
      await handle.writeFile(text, 'utf8');
      await handle.sync();
      await handle.close();
      handle = undefined;
      await rename(temp, this.path);
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await unlink(temp).catch(() => undefined);
      throw err;
    }
    await fsyncDirectory(dir);
  }

  /** Removes temporary files a killed process left beside the target (never the target itself). */
  async removeStaleTemporaries(): Promise<number> {
    const dir = dirname(this.path);
    const pattern = tempPattern(this.path);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (!pattern.test(name)) continue;
      await unlink(join(dir, name)).then(() => removed++, () => undefined);
    }
    return removed;
  }
}

/** Throws on `__proto__`, `constructor` and `prototype` keys anywhere (iteratively: a data file may be deep). */
function assertSafeKeys(value: unknown): void {
  const stack: Array<{ value: unknown; where: string }> = [{ value, where: '' }];
  while (stack.length) {
    const { value: v, where } = stack.pop()!;
    if (Array.isArray(v)) v.forEach((e, i) => stack.push({ value: e, where: `${where}/${i}` }));
    else if (typeof v === 'object' && v !== null) {
      for (const key of Object.keys(v)) {
        if (FORBIDDEN_KEYS.has(key)) throw new Error(`${where}/${key}: "${key}" is not allowed as a key`);
        stack.push({ value: (v as Record<string, unknown>)[key], where: `${where}/${key}` });
      }
    }
  }
}

export class DataFile {
  private readonly adapter: AtomicJsonFile<SnapshotDocument | null>;
  private readonly db: Low<SnapshotDocument | null>;
  private timer: NodeJS.Timeout | undefined;
  /** Store changes seen so far, and how many of them the last successful save covers. */
  private changes = 0;
  private savedUpTo = 0;
  /** The save in progress, and the one queued behind it (shared by everyone who needs a save after it). */
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(readonly path: string, private readonly store: MemoryStore, private readonly delayMs: number) {
    this.adapter = new AtomicJsonFile<SnapshotDocument | null>(path);
    this.db = new Low<SnapshotDocument | null>(this.adapter, null);
  }

  /**
   * Loads the file into the store if it exists. A corrupt or unreadable file throws a DataFileError naming the
   * file; it is never overwritten. Temporary files of a killed save are removed. `options.memberPolicy` is the
   * tenant's: under "accept" members that name no resource load as stored (see fromDocument).
   */
  async load(options: LoadOptions = {}): Promise<boolean> {
    await mkdir(dirname(this.path), { recursive: true }).catch(() => undefined);
    await this.adapter.removeStaleTemporaries();
    try {
      await this.db.read();
    } catch (err) {
      if (err instanceof SyntaxError) {
        throw new DataFileError(`data file ${this.path} is not valid JSON (${err.message}); fix or remove it`);
      }
      throw new DataFileError(`cannot read data file ${this.path}: ${(err as Error).message}`);
    }
    const parsed = this.db.data;
    if (parsed === null) {
      if (!this.adapter.found) return false;
      // The file exists but holds JSON null: foreign, so refused (and never overwritten) like any other non-snapshot.
      throw new DataFileError(`data file ${this.path} is not a Scimulator snapshot: /: a snapshot must be a JSON object, not null`);
    }
    try {
      assertSafeKeys(parsed);
      this.store.load(fromDocument(parsed, options));
    } catch (err) {
      throw new DataFileError(`data file ${this.path} is not a Scimulator snapshot: ${(err as Error).message}`);
    }
    this.savedUpTo = this.changes;
    return true;
  }

  /** Starts saving after changes, coalesced per window. */
  watch(): void {
    this.store.onChange(() => {
      this.changes++;
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.saveNow().catch(() => undefined); // reported by save(); retried on the next change or flush
      }, this.delayMs);
    });
  }

  /** True when every change is in the file. */
  get clean(): boolean {
    return this.savedUpTo >= this.changes;
  }

  /** Makes every change made so far durable; rejects when the save fails. */
  async sync(): Promise<void> {
    const target = this.changes;
    if (this.savedUpTo >= target) return;
    await this.saveNow();
    if (this.savedUpTo < target) await this.saveNow(); // a save that started before the change; the next one has it
  }

  /** Saves pending changes now. */
  async flush(): Promise<void> {
    await this.sync();
  }

  /** Starts a save now, or joins the one queued behind the save in progress. */
  private saveNow(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (!this.running) return this.start();
    this.queued ??= this.running.then(
      () => undefined,
      () => undefined,
    ).then(() => {
      this.queued = undefined;
      return this.start();
    });
    return this.queued;
  }

  private start(): Promise<void> {
    const upTo = this.changes;
    const save = (async () => {
      if (upTo <= this.savedUpTo) return;
      this.db.data = toDocument(this.store.snapshot());
      try {
        await this.db.write();
      } catch (err) {
        process.stderr.write(`scimulator: could not save ${this.path}: ${(err as Error).message}\n`);
        throw err;
      }
      this.savedUpTo = Math.max(this.savedUpTo, upTo);
    })();
    this.running = save;
    const clear = () => {
      if (this.running === save) this.running = undefined;
    };
    save.then(clear, clear);
    return save;
  }
}
