/**
 * Request bodies: application/scim+json and application/json (any charset) are parsed; any other media type
 * with a body is 415; size above the limit is 413; nesting deeper than the limit is 400 (checked on the raw text,
 * before parsing). Errors flow to the SCIM error handler.
 */
import type { IncomingMessage } from 'node:http';
import { finished as finishedStream } from 'node:stream';
import express, { type RequestHandler, type Response } from 'express';
import type { RequestScimContext } from '../request-context.js';
import { ScimError } from '../scim/errors.js';
import { toScimError } from './errors.js';
import { depthVerifier, jsonNestingDepth, tooDeep } from './limits.js';

const JSON_TYPES = /^application\/(scim\+)?json$|^application\/[a-z0-9.+-]+\+json$/i;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * The body parser's errors as SCIM errors. Those the error handler knows keep their meaning; any other client
 * error the parser reports (a corrupt gzip stream, a body that is not in its declared charset) is a 400, not a
 * 500: the body was bad, the server is fine.
 */
export function bodyError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const mapped = toScimError(err);
  if (mapped.status < 500) return mapped;
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (err as { type?: unknown }).type;
    return new ScimError(400, 'invalidSyntax', `The request body could not be read${typeof type === 'string' ? ` (${type})` : ''}: check its Content-Encoding, charset and length.`);
  }
  return mapped;
}

/** What body-parser reports for a body it could not read; `bodyError` turns it into the same SCIM error. */
type ReadFailure = { status: number; type?: string; limit?: number };

/**
 * A Content-Type whose parameters leave the charset UTF-8: none, any without "charset" in them, or exactly one
 * charset=utf-8 (any case, quoted or not). Anything else (utf-16, a bad charset, two parameters one of which names a
 * charset) goes to body-parser, which decodes or refuses it as before.
 */
const UTF8_CHARSET = /^[ \t]*charset[ \t]*=[ \t]*(?:utf-8|"utf-8")[ \t]*$/i;
function declaresUtf8(contentType: string): boolean {
  const semi = contentType.indexOf(';');
  if (semi < 0) return true;
  const params = contentType.slice(semi + 1);
  return !/charset/i.test(params) || UTF8_CHARSET.test(params);
}

const upgraded = (req: IncomingMessage) => (req as { upgrade?: boolean }).upgrade === true;

/**
 * Whether the direct reader takes this request: a UTF-8 body with no content coding, on a stream nobody has read
 * or set an encoding on, whose request body-parser would not consider finished (an upgrade, a closed socket).
 */
function readsDirectly(req: IncomingMessage, contentType: string): boolean {
  const coding = req.headers['content-encoding'];
  return (
    (!coding || coding.toLowerCase() === 'identity') &&
    declaresUtf8(contentType) &&
    req.readable &&
    req.readableEncoding === null &&
    !upgraded(req) &&
    req.socket?.readable === true
  );
}

/** body-parser's test for a request it has nothing left to read of (on-finished). */
const finished = (req: IncomingMessage) => upgraded(req) || !req.socket?.readable || (req.complete && !req.readable);

/**
 * Reads a UTF-8 JSON body the way body-parser and raw-body did for it, without their layers: the declared length
 * is checked against the limit before reading (413), the bytes received against it while reading (413) and against
 * the declared length at the end (400), an aborted request is a 400; on any of these the rest of the request is
 * read off before the answer, as body-parser does. Nesting deeper than `maxDepth` is refused before parsing; the
 * text is decoded once, kept for the journal, and parsed once (a leading byte order mark dropped, an empty body
 * taken as {}).
 */
function readUtf8(req: IncomingMessage & { body?: unknown }, context: RequestScimContext | undefined, maxBytes: number, maxDepth: number, next: (err?: unknown) => void): void {
  const declared = req.headers['content-length'];
  const length = declared !== undefined && !Number.isNaN(Number(declared)) ? Number.parseInt(declared, 10) : null;
  const chunks: Buffer[] = [];
  let received = 0;
  let complete = false;

  const cleanup = () => {
    req.removeListener('aborted', onAborted);
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onError);
    req.removeListener('close', cleanup);
  };
  const fail = (failure: ReadFailure) => {
    complete = true;
    cleanup();
    req.unpipe();
    req.pause();
    const answer = () => next(bodyError(failure));
    if (finished(req)) return answer();
    finishedStream(req, () => answer());
    req.resume();
  };
  const tooLarge = (): ReadFailure => ({ status: 413, type: 'entity.too.large', limit: maxBytes });
  function onAborted() {
    if (!complete) fail({ status: 400, type: 'request.aborted' });
  }
  function onData(chunk: Buffer) {
    if (complete) return;
    received += chunk.length;
    if (received > maxBytes) return fail(tooLarge());
    chunks.push(chunk);
  }
  function onError(err: unknown) {
    if (complete) return;
    const type = (err as { type?: unknown })?.type;
    fail({ status: 400, ...(typeof type === 'string' ? { type } : {}) });
  }
  function onEnd() {
    if (complete) return;
    if (length !== null && received !== length) return fail({ status: 400, type: 'request.size.invalid' });
    complete = true;
    cleanup();
    const buf = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, received);
    if (jsonNestingDepth(buf, maxDepth) > maxDepth) return next(tooDeep(maxDepth));
    const text = buf.toString('utf8');
    // As iconv-lite decoded it for body-parser: without a byte order mark (the journal keeps the text as sent).
    const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    let body: unknown;
    try {
      body = json.length === 0 ? {} : JSON.parse(json);
    } catch {
      // Kept for the journal: what the client sent is what its developer needs to see to fix the syntax (as bytes:
      // the journal shows a body that is not text as such, not as its UTF-8 decoding).
      if (context) context.requestBytes = buf;
      return next(bodyError({ status: 400, type: 'entity.parse.failed' }));
    }
    if (context) context.requestText = text;
    req.body = body;
    next();
  }

  if (length !== null && length > maxBytes) {
    // Nothing read yet: the listeners below are not attached; the rest of the request is read off.
    fail(tooLarge());
    return;
  }
  req.on('aborted', onAborted);
  req.on('close', cleanup);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onError);
}

/** The largest body of another media type read for the journal before the 415 (what the journal keeps of a body). */
const REFUSED_BODY_KEPT = 64 * 1024;

/**
 * A body of a media type the service refuses (415) is read for the journal when its declared length is at most
 * 64 KiB and nothing else has read it: the connector developer sees what was sent as text/plain or without a
 * Content-Type (a client that forgot the header) and "copy as curl" sends it again. A chunked or larger body, or one
 * that fails to arrive, is answered at once / as it ends, without its text, as before.
 */
function keepRefused(req: IncomingMessage, context: RequestScimContext, refuse: () => void): void {
  const declared = req.headers['content-length'];
  const length = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : null;
  if (length === null || length > REFUSED_BODY_KEPT || !readsDirectly(req, 'application/octet-stream')) return refuse();
  const chunks: Buffer[] = [];
  let received = 0;
  let done = false;
  const finish = (keep: boolean) => {
    if (done) return;
    done = true;
    req.removeListener('data', onData);
    req.removeListener('end', onEnd);
    req.removeListener('error', onFail);
    req.removeListener('aborted', onFail);
    // The bytes: text is shown as text, anything else (an octet-stream upload) as bytes, not as UTF-8 mojibake.
    if (keep && received > 0) context.requestBytes = Buffer.concat(chunks, received);
    refuse();
  };
  function onData(chunk: Buffer) {
    received += chunk.length;
    if (received > length!) return finish(false);
    chunks.push(chunk);
  }
  const onEnd = () => finish(received === length);
  const onFail = () => finish(false);
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('error', onFail);
  req.on('aborted', onFail);
}

/**
 * A POST /Bulk body over the body limit is answered as RFC 7644 3.7.4 words it, with the maxPayloadSize the client
 * reads in ServiceProviderConfig (never above the body limit, so a body over the one is over the other).
 */
function bulkTooLarge(err: unknown, res: Response, declared: string | undefined): unknown {
  const error = bodyError(err);
  const max = (res.locals?.tenant as { features?: { bulk?: { maxPayloadSize?: number } } } | undefined)?.features?.bulk?.maxPayloadSize;
  if (error.status !== 413 || typeof max !== 'number') return err;
  const size = declared !== undefined && /^\d+$/.test(declared) ? ` (${declared} bytes)` : '';
  return new ScimError(413, undefined, `The size of the bulk operation${size} exceeds the maxPayloadSize (${max}) (RFC 7644 3.7.4; limits --bulk-max-payload and --max-body); split it into several requests.`);
}

/**
 * The JSON body parser of the SCIM pipeline. UTF-8 bodies without a content coding (what SCIM clients send) are
 * read directly (`readUtf8`); other charsets and gzip/deflate/br bodies go through body-parser, as all bodies did
 * before. The decoded text of a body it parsed is kept on the request's SCIM context (`requestText`) for the
 * journal, which shows what the client sent, not what later layers made of it.
 */
export function jsonBody(maxBytes: number, maxDepth = 64): RequestHandler {
  const checkDepth = depthVerifier(maxDepth);
  const parse = express.json({
    limit: maxBytes,
    strict: false,
    type: () => true,
    verify: (req, res, buf, encoding) => {
      const decoded = checkDepth(req, res, buf, encoding);
      const context = (res as Response).locals?.scim as RequestScimContext | undefined;
      const enc = (encoding ?? 'utf-8').toLowerCase();
      if (context) context.requestText = enc === 'utf-8' || enc === 'utf8' ? buf.toString('utf8') : decoded;
    },
  });
  return (req, res, sendOn) => {
    if (!hasBody(req.headers)) return sendOn();
    const contentType = req.headers['content-type'] ?? '';
    const mediaType = contentType.split(';')[0]!.trim();
    const context = res.locals?.scim as RequestScimContext | undefined;
    const next = context?.operation === 'bulk' ? (err?: unknown) => sendOn(err === undefined ? err : bulkTooLarge(err, res, req.headers['content-length'])) : sendOn;
    if (!JSON_TYPES.test(mediaType)) {
      const refuse = () => next(new ScimError(415, undefined, `Unsupported Content-Type "${mediaType || '(none)'}"; send the body as application/scim+json (RFC 7644 section 3.1).`));
      return context ? keepRefused(req, context, refuse) : refuse();
    }
    if (readsDirectly(req, contentType)) return readUtf8(req, context, maxBytes, maxDepth, next);
    parse(req, res, (err?: unknown) => {
      if (err === undefined || err === null) return next();
      // A body that was read whole but is not JSON is shown as sent (its text, from verify); one that could not be
      // read or was refused before parsing (too large, too deep, bad charset) is recorded as null.
      if (context && (err as { type?: unknown }).type !== 'entity.parse.failed') context.requestText = undefined;
      next(bodyError(err));
    });
  };
}
