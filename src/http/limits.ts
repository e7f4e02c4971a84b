/**
 * What protects the server from its clients: request limits (URL length, number of query parameters, JSON
 * nesting depth, request head size), socket timeouts, CORS, and the --data-sync hold on write responses.
 * Every limit is an option with a safe default, and a request over it gets an error that names the limit
 * and the flag that sets it.
 *
 * | limit               | option           | default  | answer                                    |
 * | ------------------- | ---------------- | -------- | ----------------------------------------- |
 * | body size           | maxBody          | 1 MiB    | 413 (src/http/body.ts)                    |
 * | JSON nesting depth  | maxJsonDepth     | 64       | 400 invalidSyntax                         |
 * | query parameters    | maxQueryParams   | 100      | 400                                       |
 * | URL length          | maxUrlLength     | 8 KiB    | 414                                       |
 * | request head size   | maxHeaderSize    | 16 KiB   | 431 (node's parser; body written here)    |
 * | head not sent in    | headersTimeout   | 30 s     | 408, socket closed                        |
 * | request not sent in | requestTimeout   | 120 s    | 408, socket closed                        |
 * | idle connection     | keepAliveTimeout | 65 s     | socket closed (node's default: 5 s)       |
 *
 * A request line longer than maxHeaderSize never reaches the URL check: node refuses the head first (431).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { parseCorsOrigins, type ScimulatorOptions } from '../config.js';
import { FORBIDDEN_KEYS, isPlainObject } from '../scim/attributes.js';
import { ScimError, badRequest } from '../scim/errors.js';
import { assertNoForbiddenKeys } from '../scim/validate.js';
import type { RequestScimContext } from '../request-context.js';
import { toScimError } from './errors.js';
import { projectionOf } from './scim-routes.js';
import { SCIM_CONTENT_TYPE, sendScimError } from './respond.js';

export type LimitOptions = Pick<ScimulatorOptions, 'maxUrlLength' | 'maxQueryParams' | 'maxJsonDepth' | 'maxBody' | 'maxHeaderSize'>;

/** The request target of `req` as the client sent it (path and query). */
const targetOf = (req: Request) => req.originalUrl ?? req.url ?? '';

/** Number of parameters in a raw query string ("a=1&&b" has 2). */
export function countQueryParams(url: string): number {
  const q = url.indexOf('?');
  if (q < 0) return 0;
  let count = 0;
  let start = q + 1;
  const end = url.indexOf('#', start) < 0 ? url.length : url.indexOf('#', start);
  while (start <= end) {
    let amp = url.indexOf('&', start);
    if (amp < 0 || amp > end) amp = end;
    if (amp > start) count++;
    start = amp + 1;
  }
  return count;
}

/** The ScimError for a request over the URL or query-parameter limit, or undefined. */
export function checkRequestTarget(url: string, limits: Pick<LimitOptions, 'maxUrlLength' | 'maxQueryParams'>): ScimError | undefined {
  const bytes = Buffer.byteLength(url, 'latin1');
  if (bytes > limits.maxUrlLength) {
    return new ScimError(414, undefined, `The request URL is ${bytes} bytes long, over the limit of ${limits.maxUrlLength} bytes (--max-url-length). Send long filters in the body of a POST to .search (RFC 7644 section 3.4.3).`);
  }
  const params = countQueryParams(url);
  if (params > limits.maxQueryParams) {
    return new ScimError(400, undefined, `The request has ${params} query parameters, over the limit of ${limits.maxQueryParams} (--max-query-params).`);
  }
  return undefined;
}

/** How the token endpoints (src/http/oauth.ts) answer an error: their paths, and RFC 6749 section 5.2's shape. */
export interface TokenErrorShape {
  matches(path: string): boolean;
  send(res: Response, status: number, detail: string): void;
}

/**
 * A refusal made ahead of every route, in the shape of the route the request was for: the control API's
 * {"error"}, the token endpoints' RFC 6749 error, else a SCIM error.
 */
function refuseAhead(res: Response, path: string, status: number, detail: string, controlPath: string | undefined, token: TokenErrorShape | undefined): void {
  if (controlPath && (path === controlPath || path.startsWith(`${controlPath}/`))) return void res.status(status).json({ error: detail });
  if (token?.matches(path)) return token.send(res, status, detail);
  sendScimError(res, new ScimError(status, undefined, detail));
}

/**
 * A path whose percent-encoding does not decode (such as "/Users/%E0%A4%A") is a 400 before any router tries to
 * decode it (the router would throw). Control API and token endpoint paths get their own error shapes.
 */
export function malformedPathGuard(controlPath: string | undefined, token?: TokenErrorShape): RequestHandler {
  return (req, res, next) => {
    const url = req.url;
    const q = url.indexOf('?');
    if (!(q < 0 ? url : url.slice(0, q)).includes('%')) return next();
    const path = req.path;
    try {
      decodeURIComponent(path);
      return next();
    } catch {
      const detail = `The request path ${JSON.stringify(path.length > 200 ? `${path.slice(0, 200)}...` : path)} has a malformed percent-encoding; encode each byte of UTF-8 as %XX (RFC 3986 section 2.1).`;
      refuseAhead(res, path, 400, detail, controlPath, token);
    }
  };
}

/** URL length (414) and number of query parameters (400), answered as SCIM errors through the error handler. */
export function requestLimits(limits: Pick<LimitOptions, 'maxUrlLength' | 'maxQueryParams'>): RequestHandler {
  return (req, _res, next) => next(checkRequestTarget(targetOf(req), limits));
}

/**
 * How deep objects and arrays nest in a JSON text, given as UTF-8 bytes or as a string; stops counting and
 * returns `max + 1` as soon as the text goes deeper than `max`. Strings are skipped, so brackets inside them do
 * not count. Invalid JSON gives a meaningless but finite answer: the parser rejects it afterwards.
 */
export function jsonNestingDepth(text: Uint8Array | string, max = Number.MAX_SAFE_INTEGER): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  const bytes = typeof text !== 'string';
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = bytes ? (text as Uint8Array)[i]! : (text as string).charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped (\" \\ \uXXXX)
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

export function tooDeep(maxDepth: number): ScimError {
  return new ScimError(400, 'invalidSyntax', `The JSON body has objects or arrays nesting deeper than ${maxDepth} levels, over the limit (--max-json-depth).`);
}

/**
 * A body-parser `verify` hook that refuses bodies nesting deeper than `maxDepth` before they are parsed, so no
 * later layer (validation, journal, cloning) ever walks a pathologically deep value. Returns the decoded text when
 * it had to decode a charset other than UTF-8.
 */
export function depthVerifier(maxDepth: number): (req: unknown, res: unknown, buf: Buffer, encoding: string | null) => string | undefined {
  return (_req, _res, buf, encoding) => {
    const enc = (encoding ?? 'utf-8').toLowerCase();
    let text: Uint8Array | string = buf;
    if (enc !== 'utf-8' && enc !== 'utf8') {
      try {
        text = new TextDecoder(enc).decode(buf);
      } catch {
        return undefined; // an encoding TextDecoder does not know: the body parser rejects or decodes it
      }
    }
    if (jsonNestingDepth(text, maxDepth) > maxDepth) throw tooDeep(maxDepth);
    return typeof text === 'string' ? text : undefined;
  };
}

/**
 * The first `__proto__`, `constructor` or `prototype` key in a parsed JSON value, with its dotted path (array
 * elements as [i]); iterative, so any depth the parser accepted is fine.
 */
export function findForbiddenKey(value: unknown): { key: string; field: string } | undefined {
  const stack: Array<{ value: unknown; at: string }> = [{ value, at: '' }];
  while (stack.length) {
    const { value: v, at } = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], at: `${at}[${i}]` });
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      for (const key of keys) if (FORBIDDEN_KEYS.has(key)) return { key, field: at ? `${at}.${key}` : key };
      for (let i = keys.length - 1; i >= 0; i--) stack.push({ value: (v as Record<string, unknown>)[keys[i]!], at: at ? `${at}.${keys[i]}` : keys[i]! });
    }
  }
  return undefined;
}

/** A JSON media type: application/json, application/scim+json, any application/...+json. */
export const JSON_MEDIA_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json$/i;

/**
 * In front of the control API: the same URL, query and nesting limits, with the control API's own error shape
 * ({"error": "...", "field"?: "..."}), and `__proto__` / `constructor` / `prototype` keys anywhere in a body are a
 * 400 naming the field, whatever the endpoint. Every control request body is parsed here, once, for every
 * endpoint: the control API takes JSON whatever the Content-Type says (as WireMock's admin API does), so
 * `curl -d '{"profile":"rfc"}'` (sent as application/x-www-form-urlencoded) works; a body that is not JSON is a
 * 400 that names the Content-Type it came with.
 */
export function controlLimits(limits: LimitOptions): RequestHandler {
  const parse = express.json({ limit: limits.maxBody, strict: false, type: () => true, verify: depthVerifier(limits.maxJsonDepth) });
  const fail = (res: Response, status: number, message: string, field?: string) => {
    if (res.headersSent) return void res.destroy();
    res.status(status).json(field === undefined ? { error: message } : { error: message, field });
  };
  return (req, res, next) => {
    const over = checkRequestTarget(targetOf(req), limits);
    if (over) return fail(res, over.status, over.detail);
    parse(req, res, (err?: unknown) => {
      if (err === undefined || err === null) {
        const forbidden = findForbiddenKey(req.body);
        if (forbidden) return fail(res, 400, `the key "${forbidden.key}" is not allowed (at ${forbidden.field})`, forbidden.field);
        return next();
      }
      if ((err as { type?: unknown }).type === 'entity.parse.failed') {
        const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
        if (!JSON_MEDIA_TYPE.test(mediaType)) {
          const sent = mediaType ? `sent as Content-Type "${mediaType}"` : 'sent without a Content-Type';
          return fail(res, 400, `The control API takes JSON request bodies; this one (${sent}) is not valid JSON. Send a JSON document, preferably with Content-Type: application/json.`);
        }
      }
      const error = toScimError(err);
      if (error.status < 500) return fail(res, error.status, error.detail);
      const status = (err as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        return fail(res, 400, 'The request body could not be read: check its Content-Encoding, charset and length.');
      }
      next(err);
    });
  };
}

/**
 * CORS, only when --cors names origins: preflights (OPTIONS with Access-Control-Request-Method) from an allowed
 * origin are answered 204 here, before authentication (browsers never send credentials on a preflight); a
 * preflight from any other origin is 403 (a SCIM error; the control API and the token endpoints answer in their own
 * shapes). Actual requests from an allowed origin get Access-Control-Allow-Origin and the response headers a SCIM
 * client reads exposed. Every response says Vary: Origin, those to requests without an Origin too: they carry no
 * Access-Control-Allow-Origin, so a cache must not hand them to a browser's CORS request (Fetch standard, "CORS
 * protocol and HTTP caches"). Without --cors no CORS header is ever sent.
 */
export function corsMiddleware(spec: string, controlPath?: string, token?: TokenErrorShape): RequestHandler {
  const allowed = parseCorsOrigins(spec);
  const METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';
  const EXPOSE = 'ETag, Location, Retry-After, WWW-Authenticate, Scimulator-Warning';
  const TOKEN_LIST = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+(\s*,\s*[!#$%&'*+.^_`|~0-9A-Za-z-]+)*$/;
  return (req, res, next) => {
    const origin = req.headers.origin;
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    res.vary('Origin');
    if (origin === undefined) return next();
    const ok = allowed === '*' || allowed.has(origin.toLowerCase());
    if (!ok) {
      if (preflight) {
        const detail = `Cross-origin requests from ${origin} are not allowed; allowed origins: ${[...(allowed as Set<string>)].join(', ')} (--cors).`;
        return refuseAhead(res, req.path, 403, detail, controlPath, token);
      }
      return next(); // no CORS headers: the browser keeps the response from the page
    }
    res.set('Access-Control-Allow-Origin', allowed === '*' ? '*' : origin);
    if (!preflight) {
      res.set('Access-Control-Expose-Headers', EXPOSE);
      return next();
    }
    const requested = req.headers['access-control-request-headers'];
    res.vary('Access-Control-Request-Headers');
    res.set('Access-Control-Allow-Methods', METHODS);
    res.set('Access-Control-Allow-Headers', typeof requested === 'string' && TOKEN_LIST.test(requested.trim()) ? requested.trim() : 'Authorization, Content-Type, If-Match, If-None-Match');
    res.set('Access-Control-Max-Age', '600');
    res.status(204).end();
  };
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * --data-sync: the response to a write is held until `sync()` says every change made so far is durable (saved
 * and fsynced). Concurrent holds share one save (the data file coalesces them). When the save fails the client
 * is not told the write succeeded: it gets a 500 that says so.
 */
export function durableWrites(sync: () => Promise<void>): RequestHandler {
  return (req, res, next) => {
    if (!WRITE_METHODS.has(req.method)) return next();
    const end = res.end;
    res.end = function (this: Response, ...args: unknown[]) {
      res.end = end;
      sync().then(
        () => (end as (...a: unknown[]) => Response).apply(this, args),
        (err: unknown) => {
          if (res.headersSent) return void res.destroy();
          for (const name of ['ETag', 'Location', 'Content-Length']) res.removeHeader(name);
          const code = (err as NodeJS.ErrnoException)?.code;
          const error = new ScimError(500, undefined, `The change was made in memory but could not be saved to the data file${code ? ` (${code})` : ''}, so it is not acknowledged (--data-sync). It may be lost on restart.`);
          res.status(500).set('Content-Type', SCIM_CONTENT_TYPE);
          (end as (...a: unknown[]) => Response).call(this, JSON.stringify(error.toJSON()));
        },
      );
      return this;
    } as typeof res.end;
    next();
  };
}

const REASONS: Record<number, string> = { 400: 'Bad Request', 408: 'Request Timeout', 431: 'Request Header Fields Too Large' };

/** A whole HTTP/1.1 response with a SCIM error body, for a socket the request parser gave up on. */
export function rawScimError(error: ScimError): string {
  const body = JSON.stringify(error.toJSON());
  return `HTTP/1.1 ${error.status} ${REASONS[error.status] ?? 'Error'}\r\nContent-Type: ${SCIM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`;
}

/** The SCIM error for a client error node's HTTP parser raised, or undefined to just close the socket. */
export function clientErrorResponse(err: NodeJS.ErrnoException, options: Pick<ScimulatorOptions, 'maxHeaderSize' | 'headersTimeout' | 'requestTimeout'>): ScimError | undefined {
  switch (err.code) {
    case 'ECONNRESET':
    case 'EPIPE':
      return undefined;
    case 'HPE_HEADER_OVERFLOW':
      return new ScimError(431, undefined, `The request line and headers are larger than the limit of ${options.maxHeaderSize} bytes (--max-header-size).`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return new ScimError(408, undefined, `The request was not received in time: the headers must arrive within ${options.headersTimeout} ms (--headers-timeout) and the whole request within ${options.requestTimeout} ms (--request-timeout).`);
    default:
      return new ScimError(400, 'invalidSyntax', 'The request is not valid HTTP/1.1.');
  }
}

/**
 * Applies the socket-level limits to a server created with `serverOptions(...)`: requests whose head node's parser
 * rejects (too large, malformed, too slow) get a SCIM error body instead of node's bare status line, and the
 * socket is closed.
 */
export function guardServer(server: Server, options: Pick<ScimulatorOptions, 'maxHeaderSize' | 'headersTimeout' | 'requestTimeout' | 'keepAliveTimeout'>): void {
  server.headersTimeout = options.headersTimeout;
  server.requestTimeout = options.requestTimeout;
  server.keepAliveTimeout = options.keepAliveTimeout;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    const error = clientErrorResponse(err, options);
    if (!error || !socket.writable || socket.bytesWritten !== 0) return void socket.destroy();
    socket.end(rawScimError(error), () => socket.destroy());
    setTimeout(() => socket.destroy(), 1000).unref();
  });
}

/** Options for node's createServer that carry the limits (header size; how often timeouts are checked). */
export function serverOptions(options: Pick<ScimulatorOptions, 'maxHeaderSize' | 'headersTimeout' | 'requestTimeout'>): {
  maxHeaderSize: number;
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    maxHeaderSize: options.maxHeaderSize,
    headersTimeout: options.headersTimeout,
    requestTimeout: options.requestTimeout,
    // node checks the timeouts on this interval (30 s by default), so a short timeout needs a short interval.
    connectionsCheckingInterval: Math.max(50, Math.min(30_000, Math.floor(options.headersTimeout / 4))),
  };
}

/** The forbidden name (`__proto__`, `constructor`, `prototype`) an attribute path uses as a segment, if any. */
export function forbiddenSegment(path: string): string | undefined {
  for (const segment of path.split(/[.:[\]\s]+/)) if (FORBIDDEN_KEYS.has(segment)) return segment;
  return undefined;
}

function checkAttributeList(list: readonly unknown[] | undefined, where: string): void {
  for (const item of list ?? []) {
    if (typeof item !== 'string') continue; // the route reports wrong types
    const bad = forbiddenSegment(item);
    if (bad) throw badRequest('invalidPath', `"${bad}" is not allowed in an attribute path (${where} "${item}").`);
  }
}

/**
 * In front of the SCIM routes, for every request:
 * - `attributes` / `excludedAttributes` are parsed before anything is written (a write answers with the resource
 *   it wrote, projected by them: a bad parameter must fail the request before the write, never after);
 * - attribute paths naming `__proto__`, `constructor` or `prototype` (query parameters, and the attribute lists
 *   of a SearchRequest body) are a 400 invalidPath;
 * - such keys anywhere in the body of a .search or Bulk request, and as keys of a PatchOp message or of its
 *   operation objects, are a 400 invalidSyntax (resource bodies, PATCH paths and values are checked by the
 *   validator and the PATCH engine, which name the attribute in their own terms).
 */
export function scimInputGuard(): RequestHandler {
  return (req, res, next) => {
    const projection = projectionOf(req);
    checkAttributeList(projection.attributes, 'attributes');
    checkAttributeList(projection.excludedAttributes, 'excludedAttributes');
    const operation = (res.locals.scim as RequestScimContext | undefined)?.operation;
    if (req.method === 'PATCH' && isPlainObject(req.body)) {
      // The PatchOp message and its operation objects; values and paths are the PATCH engine's to check.
      const body = req.body;
      const keyOf = (object: Record<string, unknown>, where: string) => {
        for (const key of Object.keys(object)) {
          if (FORBIDDEN_KEYS.has(key)) throw badRequest('invalidSyntax', `"${key}" is not allowed as a key (at ${where}).`);
        }
      };
      keyOf(body, 'body');
      for (const key of Object.keys(body)) {
        if (key.toLowerCase() !== 'operations' || !Array.isArray(body[key])) continue;
        (body[key] as unknown[]).forEach((op, i) => isPlainObject(op) && keyOf(op, `${key}[${i}]`));
      }
    }
    if ((operation === 'search' || operation === 'bulk') && req.body !== undefined) {
      assertNoForbiddenKeys(req.body);
      if (operation === 'search' && isPlainObject(req.body)) {
        for (const key of Object.keys(req.body)) {
          const lower = key.toLowerCase();
          if ((lower === 'attributes' || lower === 'excludedattributes') && Array.isArray(req.body[key])) checkAttributeList(req.body[key] as unknown[], key);
        }
      }
    }
    next();
  };
}
