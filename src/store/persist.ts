/**
 * Persistence of the default tenant in a JSON data file through lowdb's JSON file adapter (atomic writes:
 * a temporary file renamed over the target). Bursts of writes are coalesced into one save per window;
 * `flush()` saves at once (used on shutdown).
 */
import { readFile } from 'node:fs/promises';
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import type { MemoryStore } from './memory.js';
import { fromDocument, toDocument, type SnapshotDocument } from './snapshot.js';

export class DataFileError extends Error {}

export class DataFile {
  private readonly db: Low<SnapshotDocument | null>;
  private timer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(readonly path: string, private readonly store: MemoryStore, private readonly delayMs: number) {
    this.db = new Low<SnapshotDocument | null>(new JSONFile<SnapshotDocument | null>(path), null);
  }

  /**
   * Loads the file into the store if it exists. A corrupt or unreadable file throws a DataFileError naming the
   * file; it is never overwritten.
   */
  async load(): Promise<boolean> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw new DataFileError(`cannot read data file ${this.path}: ${(err as Error).message}`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new DataFileError(`data file ${this.path} is not valid JSON (${(err as Error).message}); fix or remove it`);
    }
    try {
      this.store.load(fromDocument(parsed));
    } catch (err) {
      throw new DataFileError(`data file ${this.path} is not a Scimulator snapshot: ${(err as Error).message}`);
    }
    this.dirty = false;
    return true;
  }

  /** Starts saving after changes, coalesced per window. */
  watch(): void {
    this.store.onChange(() => {
      this.dirty = true;
      if (this.timer) return;
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.save();
      }, this.delayMs);
    });
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      this.db.data = toDocument(this.store.snapshot());
      try {
        await this.db.write();
      } catch (err) {
        this.dirty = true;
        process.stderr.write(`scimulator: could not save ${this.path}: ${(err as Error).message}\n`);
      }
    });
    return this.saving;
  }

  /** Saves pending changes now. */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    await this.save();
  }
}
