/** The journal's optional copy on disk: one NDJSON line per entry, appended as entries are recorded. */
import { createWriteStream, type WriteStream } from 'node:fs';
import { ndjsonLine } from './export.js';
import type { JournalEntry } from './entry.js';

/** Lines waiting for the disk beyond this many bytes are dropped (counted in `linesDropped`). */
const FILE_BACKLOG_LIMIT = 16 * 1024 * 1024;

export class JournalFile {
  private readonly stream: WriteStream;
  private closed: Promise<void> | undefined;
  /** The first error of the stream, if any (writing stops then). */
  error: Error | undefined;
  /** Lines not written because the disk fell more than 16 MiB behind. */
  linesDropped = 0;

  constructor(path: string) {
    this.stream = createWriteStream(path, { flags: 'a', encoding: 'utf8' });
    this.stream.on('error', (err) => {
      this.error ??= err;
    });
  }

  write(entry: JournalEntry): void {
    const s = this.stream;
    if (this.closed || this.error || s.destroyed) return;
    if (s.writableLength > FILE_BACKLOG_LIMIT) {
      this.linesDropped++;
      return;
    }
    s.write(ndjsonLine(entry));
  }

  /** Flushes and closes the file. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    const stream = this.stream;
    this.closed = new Promise<void>((resolve) => {
      if (stream.destroyed || stream.closed) return resolve();
      stream.once('close', () => resolve());
      stream.end();
    });
    return this.closed;
  }
}
