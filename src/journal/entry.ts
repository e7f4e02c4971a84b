/**
 * What the journal holds per request, and what it shows.
 *
 * A request is stored as a StoredEntry: the values the capture already had (the request's header object, the
 * request and response bodies as the text that went over the wire, the raw query string, the response header
 * object) plus their size. Nothing is parsed, copied or redacted when a request is recorded. A JournalEntry is
 * made from it only when someone reads the entry (a query, an export, a subscriber, the NDJSON file); its costly
 * fields (headers, bodies, query, time) are worked out on first access, redacted, and kept in that entry object
 * for as long as its reader keeps it.
 */
import { parse as parseQueryString } from 'node:querystring';
import type { ConformanceWarning, FiredFaultInfo, ScimOperation } from '../request-context.js';
import { define, JOURNAL_BODY_LIMIT, parseOrText, redactBody, redactBodySized, redactHeaders, responseText } from './redact.js';

export type JournalOutcome = 'completed' | 'aborted' | 'reset';

export interface JournalEntry {
  /** "req-<seq>". */
  id: string;
  /** 1, 2, 3... per journal; never reused, not even after clear(). */
  seq: number;
  /** RFC 3339, from the tenant's clock, when the request arrived. */
  time: string;
  tenant: string;
  method: string;
  /** The full URL path as received, without the query string. */
  path: string;
  /** The path relative to the tenant's SCIM base path, e.g. "/Users/123". */
  relativePath: string;
  query: Record<string, unknown>;
  /** Authorization, Proxy-Authorization, Cookie and x-api-key values are "[REDACTED]" (the scheme is kept). */
  requestHeaders: Record<string, string | string[]>;
  /** Parsed JSON with password values "[REDACTED]"; raw text when not JSON; null when there was no body. */
  requestBody: unknown;
  /** True when the request body exceeded 64 KiB and only its first 64 KiB of text are kept. */
  requestBodyTruncated: boolean;
  /** 0 when the socket was destroyed without a response. */
  status: number;
  responseHeaders: Record<string, string | string[] | number>;
  /** Parsed JSON when the response was JSON, else text; null when there was no body. */
  responseBody: unknown;
  responseBodyTruncated: boolean;
  durationMs: number;
  operation: ScimOperation | string;
  resourceType: string | null;
  fault: FiredFaultInfo | null;
  warnings: ConformanceWarning[];
  outcome: JournalOutcome;
}

type RawHeaders = Record<string, string | string[] | number | undefined>;

/**
 * What record() takes: an entry without id and seq; `time` defaults to the journal's clock. record() takes the
 * values it is given as they are (the caller must not change them afterwards) and redacts whenever the entry is
 * read, so secrets never leave the journal.
 */
export type JournalRecordInput = Omit<
  JournalEntry,
  'id' | 'seq' | 'time' | 'query' | 'requestBodyTruncated' | 'responseBodyTruncated' | 'resourceType' | 'fault' | 'requestHeaders' | 'responseHeaders'
> & {
  time?: string;
  /** The arrival time in ms of the journal's clock (`time` wins when both are given). */
  timeMs?: number;
  /** The parsed query, or the raw query string (without "?"), parsed as express's simple parser does when read. */
  query: Record<string, unknown> | string;
  /** Raw headers (e.g. req.headers); redacted when the entry is read. */
  requestHeaders: RawHeaders;
  responseHeaders: RawHeaders;
  resourceType?: string | null;
  fault?: FiredFaultInfo | null;
  requestBodyTruncated?: boolean;
  responseBodyTruncated?: boolean;
};

/**
 * What an entry costs beyond the characters of its strings: the stored object, the header and query objects,
 * the arrays. With it, what the journal counts matches the heap it holds within a few per cent
 * (`node --expose-gc bench/journal-memory.mjs` measures both).
 */
export const ENTRY_OVERHEAD_BYTES = 800;
/** Per header: the property slot and the two strings' headers. */
const HEADER_OVERHEAD_BYTES = 40;

function headerBytes(headers: RawHeaders | undefined | null): number {
  if (!headers) return 0;
  let n = 0;
  for (const name in headers) {
    const v = headers[name];
    n += name.length + HEADER_OVERHEAD_BYTES;
    if (typeof v === 'string') n += v.length;
    else if (Array.isArray(v)) for (const item of v) n += String(item).length + 16;
    else n += 8;
  }
  return n;
}

function queryBytes(query: Record<string, unknown> | string): number {
  if (typeof query === 'string') return query.length;
  let n = 0;
  for (const k in query) {
    const v = query[k];
    n += k.length + 32 + (typeof v === 'string' ? v.length : JSON.stringify(v ?? null).length);
  }
  return n;
}

const NO_WARNINGS: readonly ConformanceWarning[] = Object.freeze([]);

/** One recorded request as the journal holds it (see the file comment). */
export class StoredEntry {
  readonly seq: number;
  readonly timeMs: number;
  readonly tenant: string;
  readonly method: string;
  readonly path: string;
  readonly relativePath: string;
  readonly status: number;
  readonly durationMs: number;
  readonly operation: ScimOperation | string;
  readonly resourceType: string | null;
  readonly fault: FiredFaultInfo | null;
  readonly warnings: readonly ConformanceWarning[];
  readonly outcome: JournalOutcome;
  readonly requestBodyTruncated: boolean;
  readonly responseBodyTruncated: boolean;
  /** What this entry counts against the journal's byte limit. */
  readonly bytes: number;
  /** The JournalEntry last handed out for this entry, while its reader keeps it (get() returns the same object). */
  view: WeakRef<JournalEntry> | undefined = undefined;
  private readonly timeText: string | undefined;
  private readonly query: Record<string, unknown> | string;
  private readonly requestHeaders: RawHeaders;
  private readonly responseHeaders: RawHeaders;
  /** Request body text to parse and redact when read; when undefined, `requestValue` is already redacted. */
  private readonly requestText: string | undefined;
  private readonly requestValue: unknown;
  private readonly responseText: string | null;
  private readonly responseJson: boolean;

  constructor(seq: number, timeMs: number, input: JournalRecordInput) {
    this.seq = seq;
    this.timeText = input.time;
    this.timeMs = input.time !== undefined ? Date.parse(input.time) : timeMs;
    this.tenant = input.tenant;
    this.method = input.method;
    this.path = input.path;
    this.relativePath = input.relativePath;
    this.query = input.query ?? '';
    this.requestHeaders = input.requestHeaders ?? {};
    this.status = input.status;
    this.responseHeaders = input.responseHeaders ?? {};
    this.durationMs = input.durationMs;
    this.operation = input.operation;
    this.resourceType = input.resourceType ?? null;
    this.fault = input.fault ?? null;
    this.warnings = input.warnings ?? NO_WARNINGS;
    this.outcome = input.outcome;

    let requestSize: number;
    const body = input.requestBody;
    if (typeof body === 'string' && body.length <= JOURNAL_BODY_LIMIT) {
      // Text as received: parsed and redacted when read (the same result as redacting it now).
      this.requestText = body === '' ? undefined : body;
      this.requestValue = null;
      this.requestBodyTruncated = input.requestBodyTruncated === true;
      requestSize = body.length;
    } else {
      const r = redactBodySized(body);
      this.requestText = undefined;
      this.requestValue = r.body;
      this.requestBodyTruncated = r.truncated || input.requestBodyTruncated === true;
      requestSize = r.size;
    }
    const res = responseText(input.responseBody);
    this.responseText = res.text;
    this.responseJson = res.json;
    this.responseBodyTruncated = res.truncated || input.responseBodyTruncated === true;

    let warningBytes = 0;
    for (const w of this.warnings) warningBytes += 64 + w.code.length + w.rfc.length + w.detail.length;
    this.bytes =
      ENTRY_OVERHEAD_BYTES +
      this.path.length +
      this.relativePath.length +
      queryBytes(this.query) +
      headerBytes(this.requestHeaders) +
      requestSize +
      headerBytes(this.responseHeaders) +
      (this.responseText?.length ?? 0) +
      warningBytes;
  }

  get id(): string {
    return `req-${this.seq}`;
  }

  get time(): string {
    return this.timeText ?? new Date(this.timeMs).toISOString();
  }

  /** The request body as an entry shows it (parsed, passwords redacted), for body matches. */
  requestBodyValue(): unknown {
    return this.requestText === undefined ? this.requestValue : redactBody(this.requestText).body;
  }

  /** The JournalEntry of this stored entry; the same object as long as its last reader keeps it. */
  entry(): JournalEntry {
    const kept = this.view?.deref();
    if (kept) return kept;
    const made = this.makeEntry();
    this.view = new WeakRef(made);
    return made;
  }

  private makeEntry(): JournalEntry {
    // Accessors in the literal (one shape for every entry); each turns into a plain value on first read.
    const stored = this;
    const entry = {
      id: this.id,
      seq: this.seq,
      get time(): string {
        return settle(this, 'time', stored.time);
      },
      set time(v: string) {
        settle(this, 'time', v);
      },
      tenant: this.tenant,
      method: this.method,
      path: this.path,
      relativePath: this.relativePath,
      get query(): Record<string, unknown> {
        return settle(this, 'query', stored.queryObject());
      },
      set query(v: Record<string, unknown>) {
        settle(this, 'query', v);
      },
      get requestHeaders(): Record<string, string | string[]> {
        return settle(this, 'requestHeaders', redactHeaders(stored.requestHeaders));
      },
      set requestHeaders(v: Record<string, string | string[]>) {
        settle(this, 'requestHeaders', v);
      },
      get requestBody(): unknown {
        return settle(this, 'requestBody', stored.requestBodyValue());
      },
      set requestBody(v: unknown) {
        settle(this, 'requestBody', v);
      },
      requestBodyTruncated: this.requestBodyTruncated,
      status: this.status,
      get responseHeaders(): Record<string, string | string[] | number> {
        return settle(this, 'responseHeaders', copyResponseHeaders(stored.responseHeaders));
      },
      set responseHeaders(v: Record<string, string | string[] | number>) {
        settle(this, 'responseHeaders', v);
      },
      get responseBody(): unknown {
        return settle(this, 'responseBody', stored.responseBodyValue());
      },
      set responseBody(v: unknown) {
        settle(this, 'responseBody', v);
      },
      responseBodyTruncated: this.responseBodyTruncated,
      durationMs: this.durationMs,
      operation: this.operation,
      resourceType: this.resourceType,
      fault: this.fault ? { ...this.fault } : null,
      warnings: this.warnings.map((w) => ({ code: w.code, rfc: w.rfc, detail: w.detail })),
      outcome: this.outcome,
    };
    return entry;
  }

  private queryObject(): Record<string, unknown> {
    return copyQuery(typeof this.query === 'string' ? (parseQueryString(this.query) as Record<string, unknown>) : this.query);
  }

  private responseBodyValue(): unknown {
    if (this.responseText === null) return null;
    return this.responseJson ? parseOrText(this.responseText) : this.responseText;
  }
}

/** Replaces the accessor `key` of an entry with a plain, writable value (its place among the keys is kept). */
function settle<T>(entry: object, key: string, value: T): T {
  Object.defineProperty(entry, key, { value, enumerable: true, configurable: true, writable: true });
  return value;
}

function copyQuery(query: Record<string, unknown> | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!query) return out;
  for (const k of Object.keys(query)) {
    const v = query[k];
    if (v === undefined) continue;
    define(out, k, typeof v === 'object' && v !== null ? JSON.parse(JSON.stringify(v)) : v);
  }
  return out;
}

function copyResponseHeaders(headers: RawHeaders | undefined | null): Record<string, string | string[] | number> {
  const out: Record<string, string | string[] | number> = {};
  if (!headers) return out;
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    if (v === undefined) continue;
    define(out, k, Array.isArray(v) ? v.map(String) : v);
  }
  return out;
}
