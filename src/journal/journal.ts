/**
 * The request journal of one tenant: a ring buffer of what clients sent and what they got back, bounded both in
 * entries (capacity) and in bytes (maxBytes), oldest entries evicted first; with queries for tests ("what did my
 * connector send?"), long-poll waits, a conformance summary, NDJSON and HAR export, subscribers, and an optional
 * NDJSON copy on disk.
 *
 * The jobs live in their own files: entry.ts (what is stored per request and what an entry shows), pages.ts (where
 * the entries' bytes live), redact.ts (redaction and bounding), query.ts (queries), export.ts (HAR, NDJSON),
 * file.ts (the copy on disk). This file is the buffer, and re-exports the rest.
 *
 * Secrets never leave the journal: credential headers and password values are redacted in every entry it hands
 * out, whatever the caller recorded.
 */
import { randomUUID } from 'node:crypto';
import type { ConformanceWarning, RequestScimContext } from '../request-context.js';
import type { Clock } from '../scim/clock.js';
import { EntryPages } from './pages.js';
import { StoredEntry, type JournalEntry, type JournalRecordInput, type RecordedEntry } from './entry.js';
import { toHarEntry, type HarLog } from './export.js';
import { JournalFile } from './file.js';
import { compileQuery, DEFAULT_QUERY_LIMIT, JournalQueryError, type CompiledQuery, type JournalQuery } from './query.js';

export { ENTRY_OVERHEAD_BYTES, journalEntryJson, type CommittedEntry, type JournalEntry, type JournalOutcome, type JournalRecordInput, type RecordedEntry } from './entry.js';
export { type HarEntry, type HarLog, type HarNameValue } from './export.js';
export {
  compileGlob,
  DEFAULT_QUERY_LIMIT,
  JournalQueryError,
  MAX_QUERY_LIMIT,
  parseBodyPath,
  resolveBodyPath,
  validateJournalQuery,
  type JournalBodyMatch,
  type JournalQuery,
} from './query.js';
export { JOURNAL_BODY_LIMIT, JsonText, REDACTED, redactBody, redactHeaders } from './redact.js';

export const DEFAULT_JOURNAL_CAPACITY = 10_000;
/**
 * Default byte limit per tenant: 16 MiB (the same as config.ts's default). About 7,000 entries of typical SCIM
 * traffic (requests and responses of 1-2 KB count about 2.4 KiB each) or 250 with 64 KiB bodies: sized so that a
 * server under steady traffic stays under issue 13's memory goals (the soak under 150 MiB); raise it, or add
 * --journal-file, to keep more.
 */
export const DEFAULT_JOURNAL_MAX_BYTES = 16 * 1024 * 1024;

export interface ConformanceSummaryItem {
  code: string;
  rfc: string;
  /** Occurrences in the buffer (a request may carry the same code more than once). */
  count: number;
  /** Distinct requests carrying the code. */
  requests: number;
  firstRequestId: string;
  /** The detail of the first occurrence. */
  example: string;
}

export interface ConformanceSummary {
  totalRequests: number;
  requestsWithWarnings: number;
  warnings: ConformanceSummaryItem[];
  /** Requests that completed a behaviour finding. */
  requestsWithFindings: number;
  /** Behaviour findings (what the client did across requests), kept apart from the per-request warnings. */
  behaviour: ConformanceSummaryItem[];
}

/**
 * Receives each entry as it is recorded (see Journal.subscribe), with the SCIM context of the request when the
 * capture middleware recorded it (what the layers shared about it; not part of the entry).
 */
export type JournalListener = (entry: JournalEntry, context?: RequestScimContext) => void;

/** Receives each entry as it is recorded without its JournalEntry being made (see Journal.subscribeRecorded). */
export type RecordedListener = (entry: RecordedEntry, context?: RequestScimContext) => void;

export interface JournalOptions {
  /** Entries kept; older ones are dropped. Default 10,000. */
  capacity?: number;
  /** Bytes kept (what the entries count, see ENTRY_OVERHEAD_BYTES); older entries are dropped. Default 16 MiB. */
  maxBytes?: number;
  clock: Clock;
  /**
   * Append each entry as one NDJSON line to this file: a path (the journal opens the file and closes it with
   * close()), or a JournalFile shared with other journals (its owner closes it; close() leaves it open).
   */
  file?: string | JournalFile;
  /** Written into HAR exports as log.creator.version. */
  creatorVersion?: string;
}

/** waitFor() found no matching request in time. */
export class JournalTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no matching request was recorded within ${timeoutMs} ms`);
    this.name = 'JournalTimeoutError';
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('waiting for a request was aborted');
}


/** Cleared seq ranges a journal remembers (see clearedIn). */
const MAX_CLEARED_RANGES = 1000;

interface Waiter {
  compiled: CompiledQuery;
  resolve: (e: JournalEntry) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  cleanup: () => void;
}

export class Journal {
  readonly capacity: number;
  readonly maxBytes: number;
  readonly clock: Clock;
  private readonly buffer: Array<StoredEntry | undefined>;
  /** Index of the oldest entry. */
  private head = 0;
  private held = 0;
  private heldBytes = 0;
  private seq = 0;
  private readonly waiters = new Set<Waiter>();
  /** Seq ranges [from, to] that clear() removed, oldest first, adjacent ones merged (at most MAX_CLEARED_RANGES). */
  private readonly clearedRanges: Array<[number, number]> = [];
  private readonly file: JournalFile | undefined;
  private readonly ownsFile: boolean = false;
  private readonly creatorVersion: string;
  private closed: Promise<void> | undefined;
  private readonly closing = new AbortController();
  /** Entries dropped from the buffer to make room for newer ones, or too large to keep (clear() does not count). */
  evicted = 0;
  /**
   * The last seq recorded when clear() last ran (0 before the first clear): every entry up to it is gone on purpose.
   * A viewer that still shows such entries (the dashboard) drops them when it learns this number.
   */
  clearedThrough = 0;
  /** Called after every clear() (the live streams tell their viewers at once). */
  private readonly clearListeners = new Set<() => void>();
  /**
   * Names this journal among all others: a restarted server, or a tenant deleted and created again, has a new
   * journal whose seqs start at 1 again; a viewer that compares this id knows its seqs mean other requests.
   */
  readonly id: string = randomUUID();
  /** Each listener, true when it takes a JournalEntry (subscribe), false when a RecordedEntry (subscribeRecorded). */
  private readonly listeners = new Map<JournalListener | RecordedListener, boolean>();
  /** Where the entries' texts are written (outside the V8 heap). */
  private readonly pages: EntryPages;

  constructor(opts: JournalOptions) {
    const capacity = opts.capacity ?? DEFAULT_JOURNAL_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`journal capacity must be a positive integer, got ${String(capacity)}`);
    const maxBytes = opts.maxBytes ?? DEFAULT_JOURNAL_MAX_BYTES;
    if (!Number.isSafeInteger(maxBytes) || maxBytes < 1)
      throw new RangeError(`journal maxBytes must be a positive integer, got ${String(maxBytes)}`);
    this.capacity = capacity;
    this.maxBytes = maxBytes;
    this.clock = opts.clock;
    this.creatorVersion = opts.creatorVersion ?? '0.0.0';
    this.buffer = new Array<StoredEntry | undefined>(capacity);
    this.pages = new EntryPages(maxBytes);
    if (typeof opts.file === 'string') {
      this.file = new JournalFile(opts.file);
      this.ownsFile = true;
    } else this.file = opts.file;
  }

  /**
   * How many of the seqs from..to (inclusive) were removed by clear() (a reset) rather than evicted. Exact for the
   * last MAX_CLEARED_RANGES clears that had entries to remove (clears with no eviction between them count as one).
   */
  clearedIn(from: number, to: number): number {
    let n = 0;
    for (const [a, b] of this.clearedRanges) {
      const lo = Math.max(a, from);
      const hi = Math.min(b, to);
      if (hi >= lo) n += hi - lo + 1;
    }
    return n;
  }

  /** Entries currently held. */
  get size(): number {
    return this.held;
  }

  /** Bytes the held entries count against maxBytes (never more than maxBytes). */
  get bytes(): number {
    return this.heldBytes;
  }

  /** The seq of the last recorded entry (0 before the first); tests wait for "the next request after lastSeq". */
  get lastSeq(): number {
    return this.seq;
  }

  /** Aborted when the journal is closed (its tenant deleted): open streams of it end. */
  get closedSignal(): AbortSignal {
    return this.closing.signal;
  }

  /** The first error of the NDJSON file stream, if any (writing stops then). */
  get fileError(): Error | undefined {
    return this.file?.error;
  }

  /** Lines not written to the file because the disk fell more than 16 MiB behind. */
  get fileLinesDropped(): number {
    return this.file?.linesDropped ?? 0;
  }

  /** Records one request and returns its entry (redacted and bounded, like every entry the journal hands out). */
  record(input: JournalRecordInput, context?: RequestScimContext): JournalEntry {
    return this.append(input, context).entry();
  }

  /**
   * Records one request without making its entry (the capture path: nothing is parsed, copied or redacted until
   * someone reads it). Evicts the oldest entries until the new one fits both limits; an entry larger than
   * maxBytes on its own is passed to subscribers, waiters and the file but not kept. `context` is handed to the
   * subscribers only (see JournalListener).
   */
  append(input: JournalRecordInput, context?: RequestScimContext): StoredEntry {
    const seq = ++this.seq;
    const stored = new StoredEntry(seq, input.timeMs ?? this.clock.now(), input, this.pages);
    while (this.held > 0 && (this.held >= this.capacity || this.heldBytes + stored.bytes > this.maxBytes)) this.dropOldest();
    const kept = stored.bytes <= this.maxBytes;
    if (kept) {
      this.buffer[(this.head + this.held) % this.capacity] = stored;
      this.held++;
      this.heldBytes += stored.bytes;
    } else {
      stored.evict(this.pages, true);
      this.evicted++;
    }
    // Subscribers first: the behaviour analyser completes the entry (client, findings) before it goes to the file.
    if (this.notify(stored, context) && kept) {
      const added = stored.additionsBytes();
      stored.bytes += added;
      this.heldBytes += added;
      while (this.held > 1 && this.heldBytes > this.maxBytes) this.dropOldest();
    }
    if (this.file) this.file.write(stored.entry());
    if (this.waiters.size > 0) {
      for (const w of [...this.waiters]) {
        if (seq > w.compiled.since && w.compiled.predicates.every((p) => p(stored))) {
          w.cleanup();
          w.resolve(stored.entry());
        }
      }
    }
    return stored;
  }

  /**
   * Calls `listener` with every entry recorded from now on, synchronously after it is stored and before it is
   * written to the NDJSON file; the response it describes has already been sent. Listeners run in the order they
   * subscribed. A listener may complete the entry's `client` and `findings` (the behaviour analyser, subscribed
   * when the tenant is made, does: later listeners see them); it must not change anything else. This is the
   * journal's one stream: the dashboard's live feed and the behaviour analyser read it (no second capture, no
   * second middleware). The entry's headers, bodies and query are worked out when the listener first reads them.
   * A listener that throws is reported and kept. Returns the unsubscribe function.
   */
  subscribe(listener: JournalListener): () => void {
    return this.listen(listener, true);
  }

  /**
   * The same as subscribe(), for a listener that reads only what a RecordedEntry has (id, time, method, path,
   * status, outcome, a response header) and completes `client` and `findings`: no JournalEntry is made for it, so
   * recording costs no more than storing (the behaviour analyser listens so; the entry's view is made only when
   * someone reads it). Listeners of both kinds run in the order they subscribed.
   */
  subscribeRecorded(listener: RecordedListener): () => void {
    return this.listen(listener, false);
  }

  private listen(listener: JournalListener | RecordedListener, view: boolean): () => void {
    if (!this.listeners.has(listener)) this.listeners.set(listener, view);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many listeners are subscribed (0 when nobody watches: streaming then costs nothing). */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** How many waitFor() calls (long-poll waits) are pending. */
  get pendingWaits(): number {
    return this.waiters.size;
  }

  /** Matching entries (default: the first 100 in ascending seq order). */
  list(query?: JournalQuery): JournalEntry[] {
    return this.select(compileQuery(query, DEFAULT_QUERY_LIMIT));
  }

  /** The same as list(), with a query. */
  find(query: JournalQuery): JournalEntry[] {
    return this.list(query);
  }

  /**
   * list() and count() in one pass over the held entries: the first `limit` matches in the query's order, and how
   * many match in all (a text condition reads every entry's bodies: scanned once, not twice).
   */
  listWithCount(query?: JournalQuery): { entries: JournalEntry[]; count: number } {
    const c = compileQuery(query, DEFAULT_QUERY_LIMIT);
    const limit = c.limit ?? Number.POSITIVE_INFINITY;
    const entries: JournalEntry[] = [];
    let count = 0;
    this.scan(c, (e) => {
      if (count++ < limit) entries.push(e.entry());
      return true;
    });
    return { entries, count };
  }

  /** How many held entries match (limit and order are ignored). */
  count(query?: JournalQuery): number {
    const c = compileQuery(query, undefined);
    let n = 0;
    this.scan(c, () => {
      n++;
      return true;
    });
    return n;
  }

  /** An entry by id ("req-12"); undefined when unknown or already dropped from the buffer. */
  get(id: string): JournalEntry | undefined {
    const m = /^req-(\d+)$/.exec(id);
    return m ? this.bySeq(Number(m[1]))?.entry() : undefined;
  }

  /**
   * The query's conditions (`since`, `limit` and `order` are not conditions) as one test of an entry this journal
   * still holds (false once it was evicted); throws JournalQueryError.
   */
  matcher(query: JournalQuery): (entry: JournalEntry) => boolean {
    const { predicates } = compileQuery(query, undefined);
    return (entry) => {
      const stored = this.bySeq(entry.seq);
      return stored !== undefined && predicates.every((p) => p(stored));
    };
  }

  /** Drops every entry; sequence numbers continue from where they were. */
  clear(): void {
    if (this.held > 0) {
      // Remember which seqs a clear removed, so a stream does not report them as missed (evicted) entries.
      const from = this.seq - this.held + 1;
      const last = this.clearedRanges[this.clearedRanges.length - 1];
      if (last && last[1] === from - 1) last[1] = this.seq;
      else this.clearedRanges.push([from, this.seq]);
      if (this.clearedRanges.length > MAX_CLEARED_RANGES) this.clearedRanges.shift();
    }
    for (let i = 0; i < this.held; i++) this.at(i)!.evict(this.pages);
    this.buffer.fill(undefined);
    this.head = 0;
    this.held = 0;
    this.heldBytes = 0;
    this.clearedThrough = this.seq;
    for (const listener of [...this.clearListeners]) {
      try {
        listener();
      } catch (err) {
        process.emitWarning(`scimulator journal: a clear listener failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Calls `listener` after every clear() (DELETE /requests, a reset): the live stream tells its viewer that the
   * entries it shows are gone. Returns the unsubscribe function. Not a subscriber of entries: `subscribers` does not
   * count it, and recording costs nothing more.
   */
  onClear(listener: () => void): () => void {
    this.clearListeners.add(listener);
    return () => {
      this.clearListeners.delete(listener);
    };
  }

  /**
   * Resolves with the first entry with seq > query.since (default: lastSeq now) that matches the query,
   * already recorded or yet to come; rejects with JournalTimeoutError after timeoutMs (default 5000).
   */
  waitFor(query: JournalQuery = {}, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<JournalEntry> {
    let compiled: CompiledQuery;
    try {
      compiled = compileQuery(query, 1);
      if (query.since === undefined) compiled.since = this.seq;
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
      return Promise.reject(new JournalQueryError('timeoutMs', `timeoutMs must be a non-negative number, got ${String(timeoutMs)}`));
    const existing = this.select({ ...compiled, limit: 1, order: 'asc' })[0];
    if (existing) return Promise.resolve(existing);
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
    return new Promise<JournalEntry>((resolve, reject) => {
      const onAbort = () => {
        waiter.cleanup();
        reject(abortError(opts.signal!));
      };
      const waiter: Waiter = {
        compiled,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiter.cleanup();
          reject(new JournalTimeoutError(timeoutMs));
        }, timeoutMs),
        cleanup: () => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          opts.signal?.removeEventListener('abort', onAbort);
        },
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /**
   * Warning codes seen in the buffer, in order of first appearance, with counts and the first request. The
   * dashboard's own requests (its Directory view) are not the connector's: they are left out, counts included.
   */
  conformanceSummary(): ConformanceSummary {
    const warnings = new CodeTally();
    const findings = new CodeTally();
    let total = 0;
    for (let i = 0; i < this.held; i++) {
      const e = this.at(i)!;
      if (e.fromDashboard) continue;
      total++;
      warnings.add(e, e.warnings);
      findings.add(e, e.findings);
    }
    return {
      totalRequests: total,
      requestsWithWarnings: warnings.requests,
      warnings: warnings.items(),
      requestsWithFindings: findings.requests,
      behaviour: findings.items(),
    };
  }

  /** One JSON entry per line; without a limit, every matching entry. */
  toNdjson(query?: JournalQuery): string {
    return this.select(compileQuery(query, undefined))
      .map((e) => `${JSON.stringify(e)}\n`)
      .join('');
  }

  /** A HAR 1.2 document; without a limit, every matching entry. */
  toHar(query?: JournalQuery): HarLog {
    const entries = this.select(compileQuery(query, undefined)).map(toHarEntry);
    return { log: { version: '1.2', creator: { name: 'scimulator', version: this.creatorVersion }, entries } };
  }

  /** Flushes and closes the NDJSON file (if any) and rejects pending waitFor() calls. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    this.closing.abort();
    for (const w of [...this.waiters]) {
      w.cleanup();
      w.reject(new Error('the journal was closed'));
    }
    this.closed = this.file && this.ownsFile ? this.file.close() : Promise.resolve();
    return this.closed;
  }

  // ---- internals

  private dropOldest(): void {
    const oldest = this.buffer[this.head]!;
    this.buffer[this.head] = undefined;
    oldest.evict(this.pages);
    this.head = (this.head + 1) % this.capacity;
    this.held--;
    this.heldBytes -= oldest.bytes;
    this.evicted++;
  }

  /** The held entry with this seq; undefined when it was never recorded or is evicted. */
  private bySeq(seq: number): StoredEntry | undefined {
    if (this.held === 0) return undefined;
    const i = seq - this.at(0)!.seq;
    return i >= 0 && i < this.held ? this.at(i) : undefined;
  }

  /** The i-th held entry, 0 = oldest. */
  private at(i: number): StoredEntry | undefined {
    return this.buffer[(this.head + i) % this.capacity];
  }

  private select(c: CompiledQuery): JournalEntry[] {
    const out: JournalEntry[] = [];
    const limit = c.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return out;
    this.scan(c, (e) => {
      out.push(e.entry());
      return out.length < limit;
    });
    return out;
  }

  /** Visits matching entries with seq > since in the query's order until visit returns false. */
  private scan(c: CompiledQuery, visit: (e: StoredEntry) => boolean): void {
    if (this.held === 0) return;
    const first = Math.max(0, c.since + 1 - this.at(0)!.seq);
    const matches = (e: StoredEntry) => c.predicates.every((p) => p(e));
    if (c.order === 'asc') {
      for (let i = first; i < this.held; i++) {
        const e = this.at(i)!;
        if (matches(e) && !visit(e)) return;
      }
    } else {
      for (let i = this.held - 1; i >= first; i--) {
        const e = this.at(i)!;
        if (matches(e) && !visit(e)) return;
      }
    }
  }

  /** Hands the entry to every listener; false when there is none. */
  private notify(stored: StoredEntry, context: RequestScimContext | undefined): boolean {
    if (this.listeners.size === 0) return false;
    let entry: JournalEntry | undefined;
    for (const [listener, view] of this.listeners) {
      try {
        if (view) (listener as JournalListener)((entry ??= stored.entry()), context);
        else (listener as RecordedListener)(stored, context);
      } catch (err) {
        process.emitWarning(`scimulator journal: a subscriber failed on ${stored.id}: ${(err as Error).message}`);
      }
    }
    return true;
  }
}

/** Counts codes over entries for the conformance summary. */
class CodeTally {
  private readonly byCode = new Map<string, ConformanceSummaryItem>();
  /** Entries with at least one code. */
  requests = 0;

  add(e: StoredEntry, list: readonly ConformanceWarning[]): void {
    if (list.length === 0) return;
    this.requests++;
    const seen = new Set<string>();
    for (const w of list) {
      let item = this.byCode.get(w.code);
      if (!item) {
        item = { code: w.code, rfc: w.rfc, count: 0, requests: 0, firstRequestId: e.id, example: w.detail };
        this.byCode.set(w.code, item);
      }
      item.count++;
      if (!seen.has(w.code)) {
        seen.add(w.code);
        item.requests++;
      }
    }
  }

  items(): ConformanceSummaryItem[] {
    return [...this.byCode.values()];
  }
}
