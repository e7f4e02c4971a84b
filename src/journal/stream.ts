/**
 * The live feed of a journal as Server-Sent Events (GET <control>/requests/stream): what the dashboard reads,
 * and any tool can (curl -N, EventSource when there is no control token, ScimulatorClient.requests.stream()).
 *
 *   retry: 3000
 *   event: hello     data: {"lastSeq","size","capacity","evicted","cleared", once, first ("journal" names the journal:
 *                          "since","journal"}                                  another id means seqs start over)
 *   id: 12           data: <journal entry>                                     one per entry (the default event;
 *                                                                              with response=none, no responseHeaders/Body)
 *   event: dropped   data: {"missed": n}                                       entries evicted before this viewer got
 *                                                                              them (not those a reset/clear removed)
 *   event: stats     data: {"lastSeq","size","capacity","evicted","cleared"} every 5 s (also a keep-alive)
 *   event: cleared   data: {"lastSeq","size","capacity","evicted","cleared"} at once when the journal is cleared
 *                                                                              (DELETE /requests, a reset): every
 *                                                                              entry with seq <= cleared is gone
 *
 * A viewer is a cursor into the journal, woken by Journal.subscribe: the ring buffer is the only queue. Entries
 * are written while the viewer's socket holds less than `bufferLimit` bytes; past that the viewer waits for
 * 'drain' and the entries wait in the journal. A viewer slower than the traffic falls behind until the ring
 * evicts what it has not read yet: those it skips and reports in a `dropped` event. So a stalled browser costs at
 * most `bufferLimit` bytes plus its socket, never an unbounded queue; nobody watching costs nothing at all
 * (no listener is subscribed).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { journalEntryJson, type Journal, type JournalEntry, type JournalQuery } from './journal.js';

/** Bytes a viewer may have waiting in its socket before the stream waits for it to drain. */
export const STREAM_BUFFER_LIMIT = 1024 * 1024;
export const STREAM_STATS_INTERVAL_MS = 5000;
/** Written in one res.write at most (a batch of entries is split above this). */
const CHUNK_CHARS = 64 * 1024;
/** Entries recorded within this many ms go out in one write (one syscall instead of one per request). */
export const STREAM_BATCH_MS = 20;

export interface JournalStreamOptions {
  /** Send entries with seq > since (what was already recorded is replayed first). */
  since: number;
  /** Which entries to send; the others are skipped (not "missed"). */
  matches: (entry: JournalEntry) => boolean;
  /**
   * "none": entries without responseHeaders and responseBody (a reader fetches GET /requests/{id} when it wants
   * them). The dashboard's choice: a response body costs a parse and a serialisation per request, the largest part
   * of what streaming costs the server. Default "full".
   */
  response?: 'full' | 'none';
  /** End the stream after this many entries. */
  limit?: number;
  /** End the stream after this many milliseconds. */
  timeoutMs?: number;
  /** Ends the stream (the server is shutting down). */
  signal?: AbortSignal;
  bufferLimit?: number;
  statsIntervalMs?: number;
}

/** The journal's counters as the stream reports them. */
export interface JournalStats {
  lastSeq: number;
  size: number;
  capacity: number;
  /** Entries the ring buffer dropped to make room (since the start; clear() does not count). */
  evicted: number;
  /**
   * The last seq the last clear (DELETE /requests, a reset) removed, 0 before the first: a viewer drops the entries
   * it shows with a seq up to this one (the journal no longer has them).
   */
  cleared: number;
}

/** An entry as the stream sends it: whole, or without its response when asked with response=none. */
export type StreamedJournalEntry = Omit<JournalEntry, 'responseHeaders' | 'responseBody'> & Partial<Pick<JournalEntry, 'responseHeaders' | 'responseBody'>>;

/** The stream's events, as ScimulatorClient.requests.stream() and the dashboard see them. */
export type JournalStreamEvent =
  | { type: 'entry'; entry: StreamedJournalEntry }
  | ({ type: 'hello'; since: number; journal: string } & JournalStats)
  | ({ type: 'stats' } & JournalStats)
  | ({ type: 'cleared' } & JournalStats)
  | { type: 'dropped'; missed: number };

/** GET /requests/stream parameters: the journal filters (not order) plus where to start and when to end. */
export type JournalStreamQuery = Omit<JournalQuery, 'order'> & { tail?: number; timeoutMs?: number; response?: 'full' | 'none' };

export function journalStats(journal: Journal): JournalStats {
  return { lastSeq: journal.lastSeq, size: journal.size, capacity: journal.capacity, evicted: journal.evicted, cleared: journal.clearedThrough };
}

/** What `response=none` leaves out of each entry. */
const RESPONSE_KEYS: ReadonlySet<string> = new Set(['responseHeaders', 'responseBody']);

/**
 * The last entry serialised (per form): viewers woken by the same request share its JSON. Only one: a cache of
 * many would keep their text alive long enough to reach the old generation and cost major garbage collections.
 */
const last: Record<'full' | 'none', { entry: JournalEntry; json: string } | undefined> = { full: undefined, none: undefined };
function entryJson(entry: JournalEntry, response: 'full' | 'none'): string {
  let cached = last[response];
  if (cached?.entry !== entry) {
    cached = { entry, json: journalEntryJson(entry, response === 'full' ? undefined : RESPONSE_KEYS) };
    last[response] = cached;
  }
  return cached.json;
}

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Answers `res` with the event stream of `journal` until the client leaves, the limit or timeout is reached, `signal`
 * aborts, or the journal is closed (its tenant was deleted: a reconnecting EventSource then meets 404 and stops).
 */
export function streamJournal(journal: Journal, req: IncomingMessage, res: ServerResponse, opts: JournalStreamOptions): void {
  const bufferLimit = opts.bufferLimit ?? STREAM_BUFFER_LIMIT;
  const response = opts.response ?? 'full';
  let cursor = opts.since + 1;
  let missed = 0;
  let sent = 0;
  let scheduled = false;
  let waitingDrain = false;
  let done = false;

  res.statusCode = 200;
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('X-Accel-Buffering', 'no');
  res.flushHeaders();
  req.socket.setNoDelay(true);
  res.write(`retry: 3000\n${event('hello', { ...journalStats(journal), since: opts.since, journal: journal.id })}`);

  const finish = () => {
    if (done) return;
    done = true;
    unsubscribe();
    unsubscribeClear();
    clearInterval(stats);
    if (timer) clearTimeout(timer);
    opts.signal?.removeEventListener('abort', finish);
    journal.closedSignal.removeEventListener('abort', finish);
    if (!res.writableEnded) res.end();
  };

  const pump = () => {
    scheduled = false;
    if (done || waitingDrain) return;
    const last = journal.lastSeq;
    const oldest = last - journal.size + 1;
    if (cursor < oldest) {
      // Gone before this viewer read them: evicted by newer entries (missed), or removed by a reset / clear
      // (skipped without a word, like entries the filters do not match: the journal was emptied on purpose).
      missed += oldest - cursor - journal.clearedIn(cursor, oldest - 1);
      cursor = oldest;
    }
    let chunk = '';
    let limitReached = false;
    while (cursor <= last) {
      if (res.writableLength + chunk.length > bufferLimit) break;
      const entry = journal.get(`req-${cursor}`);
      cursor++;
      if (!entry) {
        missed++;
        continue;
      }
      if (!opts.matches(entry)) continue;
      if (missed > 0) {
        chunk += event('dropped', { missed });
        missed = 0;
      }
      chunk += `id: ${entry.seq}\ndata: ${entryJson(entry, response)}\n\n`;
      if (opts.limit !== undefined && ++sent >= opts.limit) {
        limitReached = true;
        break;
      }
      if (chunk.length >= CHUNK_CHARS) {
        res.write(chunk);
        chunk = '';
      }
    }
    if (missed > 0 && cursor > last) {
      chunk += event('dropped', { missed });
      missed = 0;
    }
    if (chunk) res.write(chunk);
    if (limitReached) return finish();
    if (cursor <= last) {
      // The viewer is behind: the rest waits in the journal until its socket drains.
      waitingDrain = true;
      res.once('drain', () => {
        waitingDrain = false;
        pump();
      });
    }
  };

  const schedule = () => {
    if (scheduled || waitingDrain || done) return;
    scheduled = true;
    setTimeout(pump, STREAM_BATCH_MS);
  };

  const unsubscribe = journal.subscribe(schedule);
  // Said at once, not at the next stats event: a viewer still shows the rows the clear removed.
  const unsubscribeClear = journal.onClear(() => {
    if (!done) res.write(event('cleared', journalStats(journal)));
  });
  const stats = setInterval(() => {
    if (!waitingDrain) res.write(event('stats', journalStats(journal)));
  }, opts.statsIntervalMs ?? STREAM_STATS_INTERVAL_MS);
  stats.unref();
  const timer = opts.timeoutMs !== undefined ? setTimeout(finish, opts.timeoutMs) : undefined;
  timer?.unref();
  res.on('close', finish);
  if (opts.signal?.aborted || journal.closedSignal.aborted) return finish();
  opts.signal?.addEventListener('abort', finish, { once: true });
  journal.closedSignal.addEventListener('abort', finish, { once: true });
  schedule();
}
