/**
 * Records one journal entry per request: when the response is done, or when the connection closes first
 * (the client went away: "aborted"; a reset fault destroyed the socket: "reset").
 *
 * The capture keeps what went over the wire and nothing more: the response body as written (a single
 * `res.end(text)` is kept as that very string; bytes, such as a cached rendering's, and several writes are
 * collected as bytes up to 64 KiB and reach the journal's pages as bytes), the request body as
 * the text the body layer parsed (`context.requestText`), the request's header object and its raw query string.
 * Nothing is parsed, copied or redacted here: the journal does that when an entry is read (src/journal/entry.ts).
 * Everything still passes through unchanged.
 *
 * The response body is taken by `write` and `end` of the express app's response prototype, installed there once
 * (the first journaled request of an app does it): they hand each chunk to the request's capture, when it has
 * one, and go on to node's own. A request then costs one slot on its response, not two wrapped methods and their
 * closures; every path that answers (the SCIM routes, errors, faults, held and throttled responses, --data-sync)
 * goes through them, since the layers that wrap `res.write`/`res.end` themselves end up calling the prototype's.
 * A response without an express app prototype (a plain node handler) has its own two methods wrapped instead.
 *
 * The SCIM context (operation, resource type, fault, warnings) is read when the entry is recorded, because later
 * layers fill it in. When no body layer provides the request text (an app with its own parser), the body is
 * copied, redacted, as soon as a parser sets req.body, so a later layer rewriting it in place does not change
 * what the journal shows.
 */
import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import type { RequestScimContext } from '../request-context.js';
import { isUnchangingRendering } from '../scim/render-cache.js';
import { JOURNAL_BODY_LIMIT, JsonBytes, JsonText, prefixCopy, redactBody } from './redact.js';
import type { Journal, JournalOutcome } from './journal.js';

export type JournalResolver = (
  req: Request,
  res: Response,
) => { journal: Journal; context: RequestScimContext } | undefined;

const CAPTURE = Symbol('scimulator.journal.capture');
const NO_WARNINGS = Object.freeze([]) as unknown as RequestScimContext['warnings'];
type CapturedResponse = Response & { [CAPTURE]?: RequestCapture };

/**
 * What the journal layer keeps of one request until it records it: where to record, when it arrived, the request
 * body copied when no body layer keeps its text, and the response body written so far (one string as is, or
 * bytes up to the limit; nothing for HEAD). One object per request, on its response: the shared `recordOnClose`
 * listener and the prototype's write and end find it there, so no closure is made per request.
 */
class RequestCapture {
  private single: string | undefined = undefined;
  private chunks: Buffer[] | undefined = undefined;
  private bytes = 0;
  truncated = false;
  recorded = false;
  /** The parsed request body, redacted, when no body layer keeps its text (see journalMiddleware). */
  sent: { body: unknown; truncated: boolean } | undefined = undefined;
  /** The response's own write and end, when they were wrapped (no express app prototype to install on). */
  write: Response['write'] | undefined = undefined;
  end: Response['end'] | undefined = undefined;

  constructor(
    readonly req: Request,
    readonly resolve: JournalResolver,
    /** What `resolve` gave when the request arrived. */
    readonly journal: Journal,
    readonly context: RequestScimContext,
    /** False for HEAD: no response body is kept. */
    readonly capturing: boolean,
    readonly t0: number,
    readonly timeMs: number,
  ) {}

  add(chunk: unknown, encoding: unknown): void {
    if (!this.capturing || chunk === undefined || chunk === null || typeof chunk === 'function') return;
    if (typeof chunk === 'string') {
      if (chunk.length === 0) return;
      const utf8 = encoding === undefined || typeof encoding === 'function' || encoding === 'utf8' || encoding === 'utf-8';
      if (utf8 && this.single === undefined && this.chunks === undefined) {
        // The usual case: the whole body in one string, kept without a copy.
        if (chunk.length > JOURNAL_BODY_LIMIT) {
          this.single = prefixCopy(chunk, JOURNAL_BODY_LIMIT);
          this.truncated = true;
        } else this.single = chunk;
        return;
      }
      const enc = typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
      this.addBytes(Buffer.from(chunk, enc), false);
    } else if (chunk instanceof Uint8Array) {
      if (chunk.byteLength === 0) return;
      // A cached rendering is never written to: kept without a copy.
      this.addBytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength), !isUnchangingRendering(chunk));
    }
  }

  private addBytes(buf: Buffer, borrowed: boolean): void {
    if (this.chunks === undefined) {
      this.chunks = [];
      if (this.single !== undefined) {
        const first = Buffer.from(this.single, 'utf8');
        this.single = undefined;
        this.chunks.push(first.subarray(0, JOURNAL_BODY_LIMIT));
        this.bytes = Math.min(first.length, JOURNAL_BODY_LIMIT);
      }
    }
    const room = JOURNAL_BODY_LIMIT - this.bytes;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    // A caller's buffer is copied: it may reuse it after write() returns.
    const part = buf.length > room ? buf.subarray(0, room) : buf;
    const kept = borrowed ? Buffer.from(part) : part;
    if (buf.length > room) this.truncated = true;
    this.chunks.push(kept);
    this.bytes += kept.length;
  }

  /** The body written: the one string as it was, or the bytes (the capture's own copy). */
  body(): string | Buffer | undefined {
    if (this.single !== undefined) return this.single;
    if (this.bytes === 0) return undefined;
    return this.chunks!.length === 1 ? this.chunks![0]! : Buffer.concat(this.chunks!, this.bytes);
  }
}

type Write = (chunk: unknown, encoding: unknown, callback: unknown) => boolean;
type End = (chunk: unknown, encoding: unknown, callback: unknown) => Response;

// Node's write(chunk, encoding, callback) and end(chunk, encoding, callback) treat an argument given as undefined
// like one not given, so the wrappers pass all three on.
function captureWrite(this: CapturedResponse, chunk: unknown, encoding: unknown, callback: unknown): boolean {
  const capture = this[CAPTURE]!;
  capture.add(chunk, encoding);
  return (capture.write as unknown as Write).call(this, chunk, encoding, callback);
}

function captureEnd(this: CapturedResponse, chunk: unknown, encoding: unknown, callback: unknown): Response {
  const capture = this[CAPTURE]!;
  capture.add(chunk, encoding);
  return (capture.end as unknown as End).call(this, chunk, encoding, callback);
}

const INSTALLED = Symbol('scimulator.journal.captureInstalled');

/**
 * Whether the capturing write and end are on the response's prototype: installed on an express app's own response
 * prototype (`app.response`, which has `app` as its own property), never on one shared by every app or server.
 */
function captureOnPrototype(res: Response): boolean {
  const proto = Object.getPrototypeOf(res) as (Record<PropertyKey, unknown> & Pick<Response, 'write' | 'end'>) | null;
  if (proto === null) return false;
  if (Object.hasOwn(proto, INSTALLED)) return true;
  if (!Object.hasOwn(proto, 'app') || Object.isFrozen(proto)) return false;
  const write = proto.write as unknown as Write;
  const end = proto.end as unknown as End;
  Object.defineProperties(proto, {
    [INSTALLED]: { value: true },
    write: {
      configurable: true,
      writable: true,
      value: function write_(this: CapturedResponse, chunk: unknown, encoding: unknown, callback: unknown): boolean {
        const capture = this[CAPTURE];
        if (capture !== undefined) capture.add(chunk, encoding);
        return write.call(this, chunk, encoding, callback);
      },
    },
    end: {
      configurable: true,
      writable: true,
      value: function end_(this: CapturedResponse, chunk: unknown, encoding: unknown, callback: unknown): Response {
        const capture = this[CAPTURE];
        if (capture !== undefined) capture.add(chunk, encoding);
        return end.call(this, chunk, encoding, callback);
      },
    },
  });
  return true;
}

function responseBodyOf(body: string | Buffer | undefined, truncated: boolean, contentType: unknown): unknown {
  if (body === undefined) return null;
  const ct = typeof contentType === 'string' ? contentType : Array.isArray(contentType) ? String(contentType[0]) : '';
  // JSON is kept as written (text or bytes) and parsed when the entry is read (not JSON after all, e.g. a malformed
  // fault: the text).
  if (!truncated && (ct === '' || /json/i.test(ct))) return typeof body === 'string' ? new JsonText(body) : new JsonBytes(body);
  return typeof body === 'string' ? body : body.toString('utf8');
}

function hasBody(req: Request): boolean {
  const h = req.headers;
  return h['transfer-encoding'] !== undefined || (h['content-length'] !== undefined && h['content-length'] !== '0');
}

/**
 * The journal layer. `resolve` gives the tenant's journal and the request's SCIM context; it is called when the
 * request arrives (no entry is recorded when it returns undefined then) and again when the entry is recorded,
 * so a context object replaced by a later layer is still seen. The arrival time is taken from the journal's clock
 * and `durationMs` from performance.now().
 */
export function journalMiddleware(resolve: JournalResolver): RequestHandler {
  return (req, res, next) => {
    let start: ReturnType<JournalResolver>;
    try {
      start = resolve(req, res);
    } catch {
      start = undefined;
    }
    if (!start) {
      next();
      return;
    }
    const capturing = req.method !== 'HEAD';
    const capture = new RequestCapture(req, resolve, start.journal, start.context, capturing, performance.now(), start.journal.clock.now());
    const r = res as CapturedResponse;
    r[CAPTURE] = capture;
    if (capturing && !captureOnPrototype(res)) {
      capture.write = res.write;
      capture.end = res.end;
      r.write = captureWrite as Response['write'];
      r.end = captureEnd as Response['end'];
    }

    // Without a body layer that keeps the text (context.requestText), the parsed body is copied as soon as a parser
    // sets req.body, so that a later layer normalising it in place (IdP quirks) does not change what is shown.
    if (req.body !== undefined) {
      if (start.context.requestText === undefined) capture.sent = redactBody(req.body);
    } else if (hasBody(req)) {
      const watched = req as CapturedRequest;
      watched[CAPTURE] = capture;
      watched[BODY] = req.body;
      Object.defineProperty(req, 'body', BODY_WATCH);
    }
    // 'close' follows 'finish' on every response, and comes alone when the connection went away first.
    res.on('close', recordOnClose);
    next();
  };
}

const NO_HEADERS: Array<string | string[] | number> = [];

/** The response's headers as a flat [name, value, ...] list (names in lower case, as getHeaders() gives them). */
function responseHeaderList(res: Response): Array<string | string[] | number> {
  const names = res.getHeaderNames();
  // Made at its size: the journal keeps it.
  const list = new Array<string | string[] | number>(names.length * 2);
  let n = 0;
  for (const name of names) {
    const value = res.getHeader(name);
    if (value === undefined) continue;
    list[n++] = name;
    list[n++] = value;
  }
  list.length = n;
  return list;
}

const BODY = Symbol('scimulator.journal.body');
type CapturedRequest = Request & { [CAPTURE]?: RequestCapture; [BODY]?: unknown };

/**
 * req.body while the journal watches it: the value lives under a symbol, and the first body a parser sets is copied,
 * redacted, unless a body layer keeps the request's text. The same two functions for every request, so that V8
 * gives every watched request the same hidden class (accessors made per request would each make a new one).
 */
const BODY_WATCH: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: CapturedRequest): unknown {
    return this[BODY];
  },
  set(this: CapturedRequest, v: unknown) {
    this[BODY] = v;
    const capture = this[CAPTURE];
    if (capture !== undefined && capture.sent === undefined && v !== undefined && capture.context.requestText === undefined) capture.sent = redactBody(v);
  },
};

/** The 'close' listener of every journaled response (`this` is the response): records its entry once. */
function recordOnClose(this: CapturedResponse): void {
  const capture = this[CAPTURE];
  if (capture === undefined || capture.recorded) return;
  capture.recorded = true;
  const { req, sent } = capture;
  const res = this;
  let late: ReturnType<JournalResolver>;
  try {
    late = capture.resolve(req, res);
  } catch {
    late = undefined;
  }
  const journal = late ? late.journal : capture.journal;
  const context = late ? late.context : capture.context;
  const completed = res.writableFinished;
  const outcome: JournalOutcome = completed ? 'completed' : context.fault?.action === 'reset' ? 'reset' : 'aborted';
  const sentHead = completed || res.headersSent;
  const url = req.originalUrl ?? req.url ?? '';
  const q = url.indexOf('?');
  const hash = url.indexOf('#', q + 1);
  try {
    journal.append({
      timeMs: capture.timeMs,
      tenant: context.tenantId,
      method: req.method,
      path: q < 0 ? url : url.slice(0, q),
      relativePath: context.relativePath,
      query: q < 0 ? '' : url.slice(q + 1, hash < 0 ? undefined : hash),
      requestHeaders: req.headers,
      requestBody: context.requestText ?? context.requestBytes ?? (sent ? sent.body : req.body === undefined ? null : (req.body as unknown)),
      requestBodyTruncated: sent?.truncated ?? false,
      status: sentHead ? res.statusCode : 0,
      // What the client got: headers set on a response that never went out (a reset) were not received.
      responseHeaders: sentHead ? responseHeaderList(res) : NO_HEADERS,
      responseBody: capture.capturing ? responseBodyOf(capture.body(), capture.truncated, res.getHeader('content-type')) : null,
      responseBodyTruncated: capture.truncated,
      durationMs: Math.round((performance.now() - capture.t0) * 1000) / 1000,
      operation: context.operation,
      resourceType: context.resourceType ?? null,
      fault: context.fault ?? null,
      warnings: context.warnings?.length ? context.warnings : NO_WARNINGS,
      committed: context.committed ?? null,
      outcome,
    }, context);
  } catch (err) {
    // Journaling must never take the server down; say so and carry on.
    process.emitWarning(`scimulator journal: could not record ${req.method} ${req.originalUrl}: ${(err as Error).message}`);
  }
}
