/**
 * What the journal holds per request, and what it shows.
 *
 * A request is stored as a StoredEntry: what went over the wire (the request and response bodies as their text,
 * the raw query string, the headers) written as UTF-8 on a page outside the V8 heap (src/journal/pages.ts), and
 * the few fixed fields queries test. Nothing is parsed when a request is recorded, and no secret is kept:
 * credential headers are redacted as they are written, and a body whose text may hold a password or a client
 * secret (or a token endpoint's answer) is redacted before it is kept. A JournalEntry is made from a stored entry
 * only when someone reads it (a query, an export, a subscriber, the NDJSON file); its costly fields (headers,
 * bodies, query, time) are decoded on first access and kept in that entry object for as long as its reader keeps
 * it.
 */
import { parse as parseQueryString } from 'node:querystring';
import { fromDashboard, type BehaviourFinding, type CommittedResponse, type ConformanceWarning, type FiredFaultInfo, type ScimOperation } from '../request-context.js';
import { type EntryPages, Page } from './pages.js';
import { decodeJsonEscapes, type TextNeedle } from './text.js';
import {
  decodeHeaders,
  define,
  encodeHeaders,
  type HeaderList,
  type RawHeaders,
  headersFromCaptured,
  JOURNAL_BODY_LIMIT,
  JsonBytes,
  isBinaryBody,
  isSecretQueryKey,
  redactFilterText,
  REDACTED,
  JsonText,
  MAY_HOLD_SECRET,
  mayHoldSecret,
  parseOrText,
  redactBody,
  redactBodySized,
  redactTokens,
  responseText,
  truncateText,
} from './redact.js';

export type JournalOutcome = 'completed' | 'aborted' | 'reset';

/** What the real handler answered when a fault replaced that answer (a fault with phase "after"). */
export interface CommittedEntry {
  status: number;
  responseHeaders: Record<string, string | string[] | number>;
  /** Parsed JSON when the answer was JSON, else text; null when it had no body. */
  responseBody: unknown;
  responseBodyTruncated: boolean;
}

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
  /**
   * Only when the request body was not text (not UTF-8, or control characters: an application/octet-stream body the
   * service refused with 415): its bytes (the first 64 KiB) in base64. `requestBody` then holds their UTF-8 decoding,
   * as for any body, which loses every byte that is not UTF-8.
   */
  requestBodyBase64?: string;
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
  /** `status`, `responseBody` and `outcome` are what the client got; they differ from what was committed here. */
  committed: CommittedEntry | null;
  outcome: JournalOutcome;
  /** Who sent it: a digest of tenant, credentials and User-Agent (never the credential); null when not analysed. */
  client: string | null;
  /** Behaviour findings this request completed (src/behaviour/); filled by the analyser, a journal subscriber. */
  findings: BehaviourFinding[];
}

/**
 * What a recording subscriber (Journal.subscribeRecorded) reads of an entry as it is recorded, without its
 * JournalEntry being made: the fields a JournalEntry has under the same names, and one response header. It may
 * complete `client` and `findings`, as a JournalEntry's subscriber may.
 */
export interface RecordedEntry {
  readonly id: string;
  readonly seq: number;
  readonly time: string;
  readonly method: string;
  readonly relativePath: string;
  readonly status: number;
  readonly outcome: JournalOutcome;
  client: string | null;
  findings: readonly BehaviourFinding[];
  /** A response header as sent (the first value of a list), by its lower-case name; undefined when absent. */
  responseHeader(name: string): string | undefined;
}

/**
 * What record() takes: an entry without id and seq; `time` defaults to the journal's clock. record() keeps the
 * strings and the response header object it is given (the caller must not change them afterwards) and redacts
 * secrets before it keeps anything.
 */
export type JournalRecordInput = Omit<
  JournalEntry,
  | 'id'
  | 'seq'
  | 'time'
  | 'query'
  | 'requestBodyTruncated'
  | 'responseBodyTruncated'
  | 'resourceType'
  | 'fault'
  | 'requestHeaders'
  | 'responseHeaders'
  | 'committed'
  | 'client'
  | 'findings'
> & {
  /** The real handler's answer, when a fault replaced it. */
  committed?: CommittedResponse | null;
  time?: string;
  /** The arrival time in ms of the journal's clock (`time` wins when both are given). */
  timeMs?: number;
  /** The parsed query, or the raw query string (without "?"), parsed as express's simple parser does when read. */
  query: Record<string, unknown> | string;
  /** Raw headers (e.g. req.headers); redacted when the entry is read. */
  requestHeaders: RawHeaders;
  /** The response's header object, or its entries as a flat [name, value, ...] list (the capture's: no object made). */
  responseHeaders: RawHeaders | HeaderList;
  resourceType?: string | null;
  fault?: FiredFaultInfo | null;
  requestBodyTruncated?: boolean;
  responseBodyTruncated?: boolean;
};

/**
 * What an entry counts beyond the bytes of its texts: the stored object on the heap and its share of a page. With
 * it, what the journal counts matches the memory it holds (heap and pages) within a few per cent
 * (`node --expose-gc bench/journal-memory.mjs` measures both).
 */
export const ENTRY_OVERHEAD_BYTES = 256;
/** Per header of a committed answer (kept as an object): the property slot and the two strings' headers. */
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

const NO_WARNINGS: readonly ConformanceWarning[] = Object.freeze([]);
const NO_FINDINGS: readonly BehaviourFinding[] = Object.freeze([]);

/** A committed answer as stored: bounded text, tokens already redacted for a token endpoint. */
interface StoredCommitted {
  status: number;
  headers: RawHeaders;
  text: string;
  truncated: boolean;
  json: boolean;
}

function storeCommitted(committed: CommittedResponse, tokens: boolean): StoredCommitted {
  const { text, truncated } = truncateText(tokens ? redactTokens(committed.body) : committed.body);
  let contentType = '';
  for (const k of Object.keys(committed.headers)) if (k.toLowerCase() === 'content-type') contentType = String(committed.headers[k]);
  const json = !truncated && text !== '' && (contentType === '' || /json/i.test(contentType));
  return { status: committed.status, headers: committed.headers, text, truncated, json };
}

/** How an entry's request body is kept on its page. */
const enum RequestBodyAs {
  /** No body. */
  None,
  /** The text as received, holding no secret: parsed and redacted when read (the same result as doing it now). */
  Text,
  /** A redacted value, as JSON. */
  Json,
  /** A redacted value that is a string (text that is not JSON, or the first 64 KiB of it). */
  String,
  /** Bytes that are not text, in base64 (the first 64 KiB of them); shown as their UTF-8 decoding too. */
  Base64,
}

/** How an entry's response body is kept on its page. */
const enum ResponseBodyAs {
  None,
  /** JSON text, parsed when read (the text itself when it is not JSON after all). */
  Json,
  Text,
}

/**
 * One recorded request as the journal holds it (see the file comment): its fixed fields, and its texts (path,
 * query, headers, bodies) as UTF-8 on a page of the journal's (src/journal/pages.ts), decoded when read.
 */
export class StoredEntry implements RecordedEntry {
  readonly seq: number;
  readonly timeMs: number;
  readonly tenant: string;
  readonly method: string;
  readonly status: number;
  readonly durationMs: number;
  readonly operation: ScimOperation | string;
  readonly resourceType: string | null;
  readonly fault: FiredFaultInfo | null;
  readonly warnings: readonly ConformanceWarning[];
  readonly outcome: JournalOutcome;
  readonly requestBodyTruncated: boolean;
  readonly responseBodyTruncated: boolean;
  /** The dashboard sent it for itself (see fromDashboard): left out of the conformance summary. */
  readonly fromDashboard: boolean;
  /** What this entry counts against the journal's byte limit (grows when subscribers add findings). */
  bytes: number;
  /** Set by the subscribers (the behaviour analyser) when the entry is recorded; see JournalEntry. */
  client: string | null = null;
  findings: readonly BehaviourFinding[] = NO_FINDINGS;
  /** The JournalEntry last handed out for this entry, while its reader keeps it (get() returns the same object). */
  view: WeakRef<JournalEntry> | undefined = undefined;
  private readonly timeText: string | undefined;
  private readonly committed: StoredCommitted | null;
  /**
   * The page holding the texts, where they start on it, and where each ends (from `start`; each starts where the
   * one before ends). Both change once, when an evicted entry that a reader still keeps moves to a buffer of its own.
   */
  private page: Page;
  private start: number;
  private readonly pathEnd: number;
  private readonly relativePathEnd: number;
  /** The raw query string, or the parsed query given to record() as JSON (`queryJson`). */
  private readonly queryEnd: number;
  /** encodeHeaders() of the request headers, credentials redacted. */
  private readonly requestHeadersEnd: number;
  private readonly requestBodyEnd: number;
  /** encodeHeaders() of the response headers. */
  private readonly responseHeadersEnd: number;
  private readonly responseBodyEnd: number;
  private readonly queryJson: boolean;
  private readonly requestBodyAs: RequestBodyAs;
  private readonly responseBodyAs: ResponseBodyAs;

  /** `pages`: the journal's pages, where the entry's texts are written. */
  constructor(seq: number, timeMs: number, input: JournalRecordInput, pages: EntryPages) {
    this.seq = seq;
    this.timeText = input.time;
    this.timeMs = input.time !== undefined ? Date.parse(input.time) : timeMs;
    this.tenant = input.tenant;
    this.method = input.method;
    this.status = input.status;
    this.durationMs = input.durationMs;
    this.operation = input.operation;
    this.resourceType = input.resourceType ?? null;
    this.fault = input.fault ?? null;
    this.warnings = input.warnings?.length ? input.warnings : NO_WARNINGS;
    this.outcome = input.outcome;
    this.fromDashboard = fromDashboard(input.requestHeaders);
    const tokens = input.operation === 'token';

    const query = input.query ?? '';
    this.queryJson = typeof query !== 'string';
    const queryText = typeof query === 'string' ? query : JSON.stringify(query);

    let requestText: string;
    let body = input.requestBody;
    if (body instanceof Uint8Array) {
      // Bytes as received (a body the service refused, or one that is not JSON): text is kept as text, as always.
      const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      body = isBinaryBody(bytes) && !mayHoldSecret(bytes.toString('latin1')) ? bytes : bytes.toString('utf8');
    }
    if (body instanceof Uint8Array) {
      const bytes = body as Buffer;
      requestText = bytes.toString('base64', 0, Math.min(bytes.length, JOURNAL_BODY_LIMIT));
      this.requestBodyAs = bytes.length === 0 ? RequestBodyAs.None : RequestBodyAs.Base64;
      this.requestBodyTruncated = bytes.length > JOURNAL_BODY_LIMIT || input.requestBodyTruncated === true;
    } else if (typeof body === 'string' && body.length <= JOURNAL_BODY_LIMIT && !mayHoldSecret(body) && !(body.includes('\\u') && MAY_HOLD_SECRET.test(decodeJsonEscapes(body)))) {
      // (A \uXXXX escape may spell a secret's name, "pass\u0077ord": such a text is parsed and redacted below, else a
      // text search, which reads the bytes kept, would find the secret the entry shows redacted.)
      requestText = body;
      this.requestBodyAs = body === '' ? RequestBodyAs.None : RequestBodyAs.Text;
      this.requestBodyTruncated = input.requestBodyTruncated === true;
    } else {
      const r = redactBodySized(body);
      if (r.body === null) {
        requestText = '';
        this.requestBodyAs = RequestBodyAs.None;
      } else if (typeof r.body === 'string') {
        requestText = r.body;
        this.requestBodyAs = RequestBodyAs.String;
      } else {
        requestText = JSON.stringify(r.body);
        this.requestBodyAs = RequestBodyAs.Json;
      }
      this.requestBodyTruncated = r.truncated || input.requestBodyTruncated === true;
    }
    let responseBody = input.responseBody;
    if (tokens && (responseBody instanceof JsonText || responseBody instanceof JsonBytes)) responseBody = new JsonText(redactTokens(responseBody.text));
    else if (tokens && typeof responseBody === 'object' && responseBody !== null) responseBody = new JsonText(redactTokens(JSON.stringify(responseBody)));
    const res = responseText(responseBody);
    this.responseBodyAs = res.text === null ? ResponseBodyAs.None : res.json ? ResponseBodyAs.Json : ResponseBodyAs.Text;
    this.responseBodyTruncated = res.truncated || input.responseBodyTruncated === true;
    this.committed = input.committed ? storeCommitted(input.committed, tokens) : null;

    const texts = [
      input.path,
      input.relativePath,
      queryText,
      encodeHeaders(input.requestHeaders, true),
      requestText,
      encodeHeaders(input.responseHeaders, false),
      res.text ?? '',
    ];
    const responseBytes = res.bytes;
    this.page = pages.reserve(texts, responseBytes?.length ?? 0);
    const start = (this.start = pages.offset);
    this.pathEnd = pages.put(texts[0]!) - start;
    this.relativePathEnd = pages.put(texts[1]!) - start;
    this.queryEnd = pages.put(texts[2]!) - start;
    this.requestHeadersEnd = pages.put(texts[3]!) - start;
    this.requestBodyEnd = pages.put(texts[4]!) - start;
    this.responseHeadersEnd = pages.put(texts[5]!) - start;
    this.responseBodyEnd = (responseBytes !== undefined ? pages.putBytes(responseBytes) : pages.put(texts[6]!)) - start;

    let extraBytes = 0;
    // Indexed loops: most lists here are the shared frozen empty ones, which for-of iterates with allocations.
    for (let i = 0; i < this.warnings.length; i++) {
      const w = this.warnings[i]!;
      extraBytes += 64 + w.code.length + w.rfc.length + w.detail.length;
    }
    if (this.committed) extraBytes += 64 + headerBytes(this.committed.headers) + this.committed.text.length;
    this.bytes = ENTRY_OVERHEAD_BYTES + this.responseBodyEnd + extraBytes;
  }

  /** The full URL path as received, without the query string. */
  get path(): string {
    return this.text(0, this.pathEnd);
  }

  /** The path relative to the tenant's SCIM base path. */
  get relativePath(): string {
    return this.text(this.pathEnd, this.relativePathEnd);
  }

  private text(from: number, to: number): string {
    return from === to ? '' : this.page.bytes.toString('utf8', this.start + from, this.start + to);
  }

  /**
   * The journal no longer holds this entry: its page may be filled again. When `handedOut` (the journal hands the
   * entry out afterwards: one too large to keep) or while a reader keeps its view, its texts move to a buffer of
   * its own first.
   */
  evict(pages: EntryPages, handedOut = false): void {
    const page = this.page;
    if (handedOut || this.view?.deref() !== undefined) {
      const own = Buffer.allocUnsafe(this.responseBodyEnd);
      page.bytes.copy(own, 0, this.start, this.start + this.responseBodyEnd);
      this.page = new Page(own);
      this.start = 0;
    }
    pages.release(page);
  }

  get id(): string {
    return `req-${this.seq}`;
  }

  get time(): string {
    return this.timeText ?? new Date(this.timeMs).toISOString();
  }

  /** What the subscribers' additions (client, findings) cost; counted once they ran (see Journal.append). */
  additionsBytes(): number {
    let bytes = this.client === null ? 0 : 32 + this.client.length;
    for (let i = 0; i < this.findings.length; i++) {
      const f = this.findings[i]!;
      bytes += 96 + f.code.length + f.rfc.length + f.detail.length + 16 * f.requestIds.length;
    }
    return bytes;
  }

  responseHeader(name: string): string | undefined {
    const list = this.responseHeaderList();
    for (let i = 0; i < list.length; i += 2) {
      if (list[i] !== name) continue;
      const v = list[i + 1] as string | string[] | number | null;
      return v === null ? undefined : String(Array.isArray(v) ? v[0] : v);
    }
    return undefined;
  }

  /** The request body as an entry shows it (parsed, passwords redacted), for body matches. */
  requestBodyValue(): unknown {
    const text = this.text(this.requestHeadersEnd, this.requestBodyEnd);
    switch (this.requestBodyAs) {
      case RequestBodyAs.None:
        return null;
      case RequestBodyAs.Text:
        return redactBody(text).body;
      case RequestBodyAs.Json:
        return JSON.parse(text) as unknown;
      case RequestBodyAs.String:
        return text;
      case RequestBodyAs.Base64:
        return Buffer.from(text, 'base64').toString('utf8');
    }
  }

  /**
   * Whether `needle` occurs in what a text search reads of this entry (the journal query's `text`): the method; the
   * path, the relative path and each with its query (as the entry shows it, secrets redacted: URL-encoded, and
   * decoded `name=value` pairs); the request headers and the response headers as "name: value" lines (as they were
   * stored and as the entry shows them: credentials in the request's redacted); the request body and the response
   * body as the journal keeps their text (JSON as sent, passwords and tokens already redacted; a needle holding what
   * JSON escapes is also looked for escaped). Nothing is parsed but the query string (only when there is one) and
   * the headers (only when their stored text, read in place, holds the needle's longest part between colons).
   */
  containsText(needle: TextNeedle): boolean {
    if (needle.inString(this.method)) return true;
    const bytes = this.page.bytes;
    const at = this.start;
    if (needle.inBytes(bytes, at, at + this.pathEnd) || needle.inBytes(bytes, at + this.pathEnd, at + this.relativePathEnd)) return true;
    // The raw query string may hold a secret the entry shows redacted: searched as the entry shows it.
    if (this.queryEnd > this.relativePathEnd && needle.inString(this.querySearchText())) return true;
    if (this.headersShow(needle, this.queryEnd, this.requestHeadersEnd)) return true;
    if (this.requestBodyAs === RequestBodyAs.Base64) {
      if (needle.inString(this.requestBodyValue() as string)) return true;
    } else if (this.requestBodyAs !== RequestBodyAs.None && needle.inBody(bytes, at + this.requestHeadersEnd, at + this.requestBodyEnd)) return true;
    if (this.headersShow(needle, this.requestBodyEnd, this.responseHeadersEnd)) return true;
    return this.responseBodyAs !== ResponseBodyAs.None && needle.inBody(bytes, at + this.responseHeadersEnd, at + this.responseBodyEnd);
  }

  /**
   * Whether the headers stored at [from, to) of this entry (its request's or its response's), as "name: value"
   * lines, hold the needle. Decoded only when their stored text, read in place, may hold the needle's probe.
   */
  private headersShow(needle: TextNeedle, from: number, to: number): boolean {
    if (to === from) return false;
    const probe = needle.headerProbe;
    if (probe !== undefined && !probe.mayBeInHeaders(this.page.bytes, this.start + from, this.start + to)) return false;
    return needle.inString(headerLines(decodeHeaders(this.text(from, to))));
  }

  /** The query as a text search reads it: after the path and the relative path, URL-encoded and decoded, one a line. */
  private querySearchText(): string {
    const query = this.queryObject();
    const encoded = new URLSearchParams();
    const decoded: string[] = [];
    for (const k of Object.keys(query)) {
      const v = query[k];
      for (const x of Array.isArray(v) ? v : [v]) {
        const s = typeof x === 'object' && x !== null ? JSON.stringify(x) : String(x);
        encoded.append(k, s);
        decoded.push(`${k}=${s}`);
      }
    }
    const e = encoded.toString();
    const d = decoded.join('&');
    const path = this.path;
    const rel = this.relativePath;
    return `${path}?${e}\n${rel}?${e}\n${path}?${d}\n${rel}?${d}`;
  }

  /** The request body's bytes in base64, when they are not text (see JournalEntry.requestBodyBase64). */
  requestBodyBase64(): string | undefined {
    return this.requestBodyAs === RequestBodyAs.Base64 ? this.text(this.requestHeadersEnd, this.requestBodyEnd) : undefined;
  }

  private requestHeaderList(): HeaderList {
    return decodeHeaders(this.text(this.queryEnd, this.requestHeadersEnd));
  }

  private responseHeaderList(): HeaderList {
    return decodeHeaders(this.text(this.requestBodyEnd, this.responseHeadersEnd));
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
        return settle(this, 'requestHeaders', headersFromCaptured(stored.requestHeaderList()));
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
        return settle(this, 'responseHeaders', responseHeadersOf(stored.responseHeaderList()));
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
      fault: this.fault ? structuredClone(this.fault) : null,
      warnings: this.warnings.map((w) => ({ code: w.code, rfc: w.rfc, detail: w.detail })),
      get committed(): CommittedEntry | null {
        return settle(this, 'committed', stored.committedEntry());
      },
      set committed(v: CommittedEntry | null) {
        settle(this, 'committed', v);
      },
      outcome: this.outcome,
      // What the subscribers complete lives in the stored entry (a view is made again once its readers let go).
      get client(): string | null {
        return stored.client;
      },
      set client(v: string | null) {
        stored.client = v;
      },
      get findings(): BehaviourFinding[] {
        return stored.findings as BehaviourFinding[];
      },
      set findings(v: BehaviourFinding[]) {
        stored.findings = v;
      },
    };
    // Only entries whose body is not text have the key (the others keep the shape and the JSON they had).
    if (this.requestBodyAs === RequestBodyAs.Base64) (entry as JournalEntry).requestBodyBase64 = this.requestBodyBase64();
    return entry;
  }

  private queryObject(): Record<string, unknown> {
    const text = this.text(this.relativePathEnd, this.queryEnd);
    return copyQuery(this.queryJson ? (JSON.parse(text) as Record<string, unknown>) : (parseQueryString(text) as Record<string, unknown>));
  }

  private responseBodyValue(): unknown {
    if (this.responseBodyAs === ResponseBodyAs.None) return null;
    const text = this.text(this.responseHeadersEnd, this.responseBodyEnd);
    return this.responseBodyAs === ResponseBodyAs.Json ? parseOrText(text) : text;
  }

  private committedEntry(): CommittedEntry | null {
    const c = this.committed;
    if (!c) return null;
    return {
      status: c.status,
      responseHeaders: copyResponseHeaders(c.headers),
      responseBody: c.text === '' ? null : c.json ? parseOrText(c.text) : c.text,
      responseBodyTruncated: c.truncated,
    };
  }
}

/**
 * The entry as JSON text, the same as JSON.stringify(entry) (without the keys in `omit`), without settling what
 * nobody read: the live stream serialises every entry, and parsed bodies kept in entries would multiply the
 * journal's memory (and the garbage collector's work). A field not read yet is worked out for the text only (its
 * accessor runs on a scratch object).
 */
export function journalEntryJson(entry: JournalEntry, omit?: ReadonlySet<string>): string {
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) {
    if (omit?.has(key)) continue;
    const field = Object.getOwnPropertyDescriptor(entry, key)!;
    copy[key] = field.get ? (field.get.call({}) as unknown) : field.value;
  }
  return JSON.stringify(copy);
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
    if (isSecretQueryKey(k)) define(out, k, Array.isArray(v) ? v.map(() => REDACTED) : REDACTED);
    else if (k.toLowerCase() === 'filter') define(out, k, Array.isArray(v) ? v.map((f) => (typeof f === 'string' ? redactFilterText(f) : f)) : typeof v === 'string' ? redactFilterText(v) : v);
    else define(out, k, typeof v === 'object' && v !== null ? JSON.parse(JSON.stringify(v)) : v);
  }
  return out;
}

/** Headers as a text search reads them: "name: value", one a line (each value of a list on its own line). */
function headerLines(list: HeaderList): string {
  let text = '';
  for (let i = 0; i < list.length; i += 2) {
    const v = list[i + 1]!;
    if (Array.isArray(v)) for (const x of v) text += `${list[i] as string}: ${String(x)}\n`;
    else text += `${list[i] as string}: ${String(v)}\n`;
  }
  return text;
}

/** The response header object of a flat list, as copyResponseHeaders makes it of an object. */
function responseHeadersOf(list: HeaderList): Record<string, string | string[] | number> {
  const out: Record<string, string | string[] | number> = {};
  for (let i = 0; i < list.length; i += 2) {
    const v = list[i + 1]!;
    define(out, list[i] as string, Array.isArray(v) ? v.map(String) : v);
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
