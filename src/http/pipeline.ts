/**
 * One dispatch per SCIM request. The express app mounts `scimDispatcher` once; for a request under a SCIM base
 * path it resolves, in one pass over the URL, the tenant (`/scim/v2/...` is the default tenant,
 * `/tenants/{id}/scim/v2/...` that tenant), the path relative to the base path, and the operation and resource
 * type; then it runs the SCIM layers (a plain list, see src/http/app.ts) in order, and renders any error once.
 *
 * A layer is an express middleware `(req, res, next)`: it finds the tenant on `res.locals.tenant` and the
 * request's SCIM context (src/request-context.ts) on `res.locals.scim`, and calls `next()` to go on or
 * `next(err)` (or throws) to answer with an error. Nothing here knows what the layers do.
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorRequestHandler, Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { RequestScimContext } from '../request-context.js';
import type { Scimulator } from '../runtime.js';
import { ScimError } from '../scim/errors.js';
import { isLowerCaseOf } from '../scim/strings.js';
import { classifyScimRequest } from './classify.js';

/** Where a SCIM request was mounted: its tenant and the length of the URL prefix before the relative path. */
interface Mount {
  tenantId: string;
  prefixLength: number;
}

/** Whether `url` has `lower` (in lower case) at `at`, compared ignoring case without making strings. */
function hasLowerAt(url: string, at: number, lower: string): boolean {
  return url.length >= at + lower.length && isLowerCaseOf(url, lower, at, at + lower.length);
}

/** `url` (path and query) starts with `prefix`, compared case-insensitively, followed by "/", "?" or the end. */
function startsWithSegment(url: string, at: number, prefix: string): boolean {
  if (prefix === '') return true;
  if (!hasLowerAt(url, at, prefix)) return false;
  const next = url.charCodeAt(at + prefix.length);
  return Number.isNaN(next) || next === 0x2f /* / */ || next === 0x3f /* ? */;
}

/**
 * The tenant and base-path prefix of a request URL, as express mounted them before: `/tenants/{id}<base>` first,
 * then `<base>` for the default tenant; paths compared case-insensitively; undefined for any other URL.
 */
export function scimMount(url: string, basePath: string, tenantsPrefix = '/tenants/'): Mount | undefined {
  const base = basePath.toLowerCase();
  if (url.length > tenantsPrefix.length && hasLowerAt(url, 0, tenantsPrefix)) {
    let end = tenantsPrefix.length;
    while (end < url.length && url.charCodeAt(end) !== 0x2f && url.charCodeAt(end) !== 0x3f) end++;
    const raw = url.slice(tenantsPrefix.length, end);
    if (raw !== '' && startsWithSegment(url, end, base)) {
      let tenantId = raw;
      if (raw.includes('%')) {
        try {
          tenantId = decodeURIComponent(raw);
        } catch {
          tenantId = raw;
        }
      }
      return { tenantId, prefixLength: end + base.length };
    }
  }
  if (startsWithSegment(url, 0, base)) return { tenantId: 'default', prefixLength: base.length };
  return undefined;
}

const EMPTY_QUERY: Record<string, unknown> = Object.freeze(Object.create(null) as Record<string, unknown>);
/** The descriptor the dispatcher gives req.query with (one object, its value set for the call and cleared after). */
const QUERY_VALUE: PropertyDescriptor = { value: undefined, writable: true, configurable: true, enumerable: true };
const ignore = (): undefined => undefined;

/**
 * Runs `layers` in order with express's `next` semantics: `next()` goes on, `next(err)` (or a throw, or a
 * rejected promise) stops and hands the error to `done`; `done()` without an error when every layer passed.
 */
export function runLayers(layers: readonly RequestHandler[], req: Request, res: Response, done: (err?: unknown) => void): void {
  let index = 0;
  const next: NextFunction = (err?: unknown) => {
    if (err !== undefined && err !== null && err !== 'route' && err !== 'router') return done(err);
    const layer = layers[index++];
    if (layer === undefined) return done();
    try {
      const ret = layer(req, res, next) as unknown;
      if (ret instanceof Promise) ret.then(undefined, (e: unknown) => next(e ?? new Error('a SCIM layer rejected without a reason')));
    } catch (e) {
      next(e ?? new Error('a SCIM layer threw without a reason'));
    }
  };
  next();
}

export interface DispatcherOptions {
  /** The SCIM layers, in order (the last one answers every request it gets). */
  layers: readonly RequestHandler[];
  /** Renders an error (ScimError or anything a layer threw) as the response. */
  onError: ErrorRequestHandler;
  /** Answers a request no layer answered (a 404). */
  notFound: RequestHandler;
}

/**
 * The SCIM dispatcher: one express middleware for every tenant's SCIM base path. Requests outside them go on to
 * the next middleware of the app.
 */
export function scimDispatcher(runtime: Scimulator, options: DispatcherOptions): RequestHandler {
  const basePath = runtime.options.basePath;
  const { layers, onError, notFound } = options;
  return (req, res, next) => {
    const url = req.url;
    const mount = scimMount(url, basePath);
    if (!mount) return next();
    const tenant = runtime.tenant(mount.tenantId);
    if (!tenant) return onError(new ScimError(404, undefined, `There is no tenant "${mount.tenantId}".`), req, res, ignore);

    // What express's mounting did: the matched prefix becomes req.baseUrl, the rest req.url.
    let rest = url.slice(mount.prefixLength);
    if (rest === '' || rest.charCodeAt(0) !== 0x2f) rest = `/${rest}`;
    req.baseUrl = (req.baseUrl ?? '') + url.slice(0, mount.prefixLength);
    req.url = rest;
    const q = rest.indexOf('?');
    const relativePath = q < 0 ? rest : rest.slice(0, q);
    // The query is parsed once per request (express would parse it again on every read of req.query).
    QUERY_VALUE.value = q < 0 ? EMPTY_QUERY : req.query;
    Object.defineProperty(req, 'query', QUERY_VALUE);
    QUERY_VALUE.value = undefined;

    const { operation, resourceType } = classifyScimRequest(req.method, relativePath, tenant.registry);
    const context: RequestScimContext = { tenantId: mount.tenantId, relativePath, operation, warnings: [] };
    if (resourceType !== undefined) context.resourceType = resourceType;
    res.locals.tenant = tenant;
    res.locals.scim = context;
    runLayers(layers, req, res, (err) => (err === undefined ? notFound(req, res, (e?: unknown) => onError(e, req, res, ignore)) : onError(err, req, res, ignore)));
  };
}

type AppHandle = (req: Request, res: Response, callback?: (err?: unknown) => void) => void;

/**
 * Lets SCIM requests enter the express app at its entry point (app.handle) rather than through its router, which
 * would walk its app-level layers and build its closures for each of them: a request for which `isScim(url)`
 * holds gets express's request and response prototypes as app.handle gives them, then runs `before` (what
 * the router runs ahead of the SCIM dispatcher: CORS, the path guard) and the dispatcher. Every other request
 * (control API, unknown paths) goes through the router as before, and the dispatcher stays mounted there too.
 * App-level middleware added to the router therefore does not see SCIM requests: SCIM layers go in the layer list.
 */
export function enterScimDirectly(
  app: Express,
  dispatcher: RequestHandler,
  before: readonly RequestHandler[],
  isScim: (url: string) => boolean,
  onError: ErrorRequestHandler,
): void {
  const target = app as unknown as { handle: AppHandle; request: object; response: object; enabled(setting: string): boolean };
  const routerHandle = target.handle.bind(app);
  const layers = [...before, dispatcher];
  target.handle = (req, res, callback) => {
    if (!isScim(req.url)) return routerHandle(req, res, callback);
    if (target.enabled('x-powered-by')) res.setHeader('X-Powered-By', 'Express');
    (req as { res?: Response }).res = res;
    (res as { req?: Request }).req = req;
    Object.setPrototypeOf(req, target.request);
    Object.setPrototypeOf(res, target.response);
    if (!res.locals) res.locals = Object.create(null) as Response['locals'];
    req.originalUrl ??= req.url;
    req.baseUrl ??= '';
    runLayers(layers, req, res, (err) => (err === undefined ? routerHandle(req, res, callback) : onError(err, req, res, ignore)));
  };
}

/** What node's createServer takes to make requests and responses of its own classes. */
export interface MessageClasses {
  IncomingMessage: typeof IncomingMessage;
  ServerResponse: typeof ServerResponse;
}

/**
 * Node's createServer options that make each request and response with the express app's own prototypes
 * (`app.request`, `app.response`) from the start, so that express's switch of their prototypes on entry (in
 * app.handle and in enterScimDirectly) finds nothing to change. Changing the prototype of an object that exists
 * gives it a hidden class of its own, and every property added to it afterwards (by express, node and our layers)
 * copies its property store: about 8 KB of garbage per request, a quarter of what a `GET /Users/{id}` allocated.
 * The constructors run node's own on the new object; their own prototypes are node's constructors, so that V8
 * reserves room in the object for every field node's constructors set. Undefined when node's IncomingMessage or
 * ServerResponse is a class (it cannot be called on an object made elsewhere): the server then uses node's own.
 */
export function appMessageClasses(app: Express): MessageClasses | undefined {
  const { request, response } = app as unknown as { request: object; response: object };
  const isClass = (f: unknown) => Function.prototype.toString.call(f).startsWith('class');
  if (isClass(IncomingMessage) || isClass(ServerResponse)) return undefined;
  const incoming = IncomingMessage as unknown as (this: object, socket: Socket) => void;
  const outgoing = ServerResponse as unknown as (this: object, req: IncomingMessage, options: unknown) => void;
  function AppRequest(this: object, socket: Socket): void {
    incoming.call(this, socket);
  }
  function AppResponse(this: object, req: IncomingMessage, options: unknown): void {
    outgoing.call(this, req, options);
  }
  AppRequest.prototype = request;
  AppResponse.prototype = response;
  Object.setPrototypeOf(AppRequest, IncomingMessage);
  Object.setPrototypeOf(AppResponse, ServerResponse);
  return { IncomingMessage: AppRequest as unknown as typeof IncomingMessage, ServerResponse: AppResponse as unknown as typeof ServerResponse };
}

/**
 * Whether a URL is one the SCIM dispatcher serves: under a SCIM base path, and not under the control API's path
 * or one of `otherPaths` (express paths with `:param` segments; the app serves them before the SCIM layers, which
 * matters when the base path is "/").
 */
export function scimUrlTest(basePath: string, controlPath: string | undefined, otherPaths: readonly string[] = []): (url: string) => boolean {
  const control = controlPath?.toLowerCase();
  const others = otherPaths.map((p) => new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:[A-Za-z]+/g, '[^/?]+')}/?(?:\\?|$)`, 'i'));
  return (url) => {
    if (control !== undefined && hasLowerAt(url, 0, control)) {
      const next = url.charCodeAt(control.length);
      if (Number.isNaN(next) || next === 0x2f || next === 0x3f) return false;
    }
    if (scimMount(url, basePath) === undefined) return false;
    for (const re of others) if (re.test(url)) return false;
    return true;
  };
}
