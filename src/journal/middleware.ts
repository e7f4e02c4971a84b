/**
 * Records one journal entry per request: when the response finishes, or when the connection closes first
 * (the client went away: "aborted"; a reset fault destroyed the socket: "reset").
 *
 * The response body is captured (up to 64 KiB) by wrapping res.write / res.end; everything still passes
 * through unchanged. The SCIM context (operation, resource type, fault, warnings) is read when the entry is
 * recorded, because later layers fill it in. The request body is copied when a body parser sets req.body (before
 * or after this layer runs), so the journal shows what the client sent even if a later layer rewrites it; if no
 * parser ever sets it, it is read at record time (null when undefined).
 */
import { performance } from 'node:perf_hooks';
import type { Request, RequestHandler, Response } from 'express';
import { isoTime } from '../scim/clock.js';
import type { RequestScimContext } from '../request-context.js';
import { JOURNAL_BODY_LIMIT, JsonText, redactBody, type Journal, type JournalOutcome } from './journal.js';

export type JournalResolver = (
  req: Request,
  res: Response,
) => { journal: Journal; context: RequestScimContext } | undefined;

/** Collects the first `limit` bytes written, and whether more followed. */
class BodyCapture {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  truncated = false;

  constructor(private readonly limit: number) {}

  add(chunk: unknown, encoding: unknown): void {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    let buf: Buffer;
    if (typeof chunk === 'string') {
      if (chunk.length === 0) return;
      if (this.bytes >= this.limit) {
        this.truncated = true;
        return;
      }
      const enc = typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8';
      buf = Buffer.from(chunk, enc);
    } else if (chunk instanceof Uint8Array) {
      if (chunk.byteLength === 0) return;
      buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    } else return;
    const room = this.limit - this.bytes;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    // Copy: the caller may reuse its buffer after write() returns.
    const kept = Buffer.from(buf.subarray(0, room));
    if (buf.length > room) this.truncated = true;
    this.chunks.push(kept);
    this.bytes += kept.length;
  }

  text(): string | undefined {
    return this.bytes === 0 ? undefined : Buffer.concat(this.chunks, this.bytes).toString('utf8');
  }
}

function parseResponseBody(text: string | undefined, truncated: boolean, contentType: unknown): unknown {
  if (text === undefined) return null;
  const ct = typeof contentType === 'string' ? contentType : Array.isArray(contentType) ? String(contentType[0]) : '';
  // JSON is kept as text and parsed when the entry is read (not JSON after all, e.g. a malformed fault: the text).
  if (!truncated && (ct === '' || /json/i.test(ct))) return new JsonText(text);
  return text;
}

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * The journal layer. `resolve` gives the tenant's journal and the request's SCIM context; it is called when the
 * request arrives (no entry is recorded when it returns undefined then) and again when the entry is recorded,
 * so a context object replaced by a later layer is still seen. `time` is taken from the journal's clock on
 * arrival and `durationMs` from performance.now().
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
    const t0 = performance.now();
    const time = isoTime(start.journal.clock);
    const capture = new BodyCapture(JOURNAL_BODY_LIMIT);
    const isHead = req.method === 'HEAD';

    // The request body as the client sent it: copied (redacted) as soon as a body parser sets req.body, so that a
    // later layer normalising it in place (IdP quirks) does not change what the journal shows.
    let sent: { body: unknown; truncated: boolean } | undefined;
    const snapshot = (v: unknown) => {
      if (sent === undefined && v !== undefined) sent = redactBody(v);
    };
    if (req.body !== undefined) snapshot(req.body);
    else {
      let current: unknown = req.body;
      Object.defineProperty(req, 'body', {
        configurable: true,
        enumerable: true,
        get: () => current,
        set: (v: unknown) => {
          current = v;
          snapshot(v);
        },
      });
    }

    const origWrite = res.write;
    const origEnd = res.end;
    res.write = function (this: Response, chunk: unknown, ...rest: unknown[]) {
      if (!isHead) capture.add(chunk, rest[0]);
      return (origWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof res.write;
    res.end = function (this: Response, chunk?: unknown, ...rest: unknown[]) {
      if (!isHead) capture.add(chunk, rest[0]);
      return (origEnd as (...a: unknown[]) => Response).call(this, chunk, ...rest);
    } as typeof res.end;

    let recorded = false;
    const record = (event: 'finish' | 'close') => {
      if (recorded) return;
      recorded = true;
      let late: ReturnType<JournalResolver>;
      try {
        late = resolve(req, res);
      } catch {
        late = undefined;
      }
      const { journal, context } = late ?? start!;
      const completed = event === 'finish' || res.writableFinished;
      const outcome: JournalOutcome = completed ? 'completed' : context.fault?.action === 'reset' ? 'reset' : 'aborted';
      const text = capture.text();
      try {
        journal.record({
          time,
          tenant: context.tenantId,
          method: req.method,
          path: pathOf(req.originalUrl ?? req.url ?? ''),
          relativePath: context.relativePath,
          query: (req.query ?? {}) as Record<string, unknown>,
          requestHeaders: req.headers,
          requestBody: sent ? sent.body : req.body === undefined ? null : (req.body as unknown),
          requestBodyTruncated: sent?.truncated ?? false,
          status: completed || res.headersSent ? res.statusCode : 0,
          responseHeaders: res.getHeaders() as Record<string, string | string[] | number>,
          responseBody: parseResponseBody(text, capture.truncated, res.getHeader('content-type')),
          responseBodyTruncated: capture.truncated,
          durationMs: Math.round((performance.now() - t0) * 1000) / 1000,
          operation: context.operation,
          resourceType: context.resourceType ?? null,
          fault: context.fault ?? null,
          warnings: context.warnings ?? [],
          committed: context.committed ?? null,
          outcome,
        }, context);
      } catch (err) {
        // Journaling must never take the server down; say so and carry on.
        process.emitWarning(`scimulator journal: could not record ${req.method} ${req.originalUrl}: ${(err as Error).message}`);
      }
    };
    res.once('finish', () => record('finish'));
    res.once('close', () => record('close'));
    next();
  };
}
