/**
 * The SCIM protocol over HTTP (RFC 7644 section 3): maps requests onto the SCIM service and renders its
 * results. Knows nothing of faults, journal or profiles: those wrap it.
 */
import type { Request, Response } from 'express';
import { isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import { processBulk } from '../scim/bulk.js';
import { ScimError, badRequest } from '../scim/errors.js';
import { listRequestFromParams, listRequestFromSearchBody, SEARCH_REQUEST_SCHEMA, type ListRequest } from '../scim/list.js';
import { parseAttributeList, Projection, type ProjectionRequest } from '../scim/project.js';
import { checkListProjection, checkOperation, offers } from '../scim/capabilities.js';
import { etagMatches, resourceUrl, type Preconditions, type ScimService } from '../scim/service.js';
import type { Tenant } from '../tenant.js';
import {
  findResourceType,
  findSchema,
  listOf,
  resourceTypeDocument,
  schemaDocument,
  listedCommonAttributes,
  serviceProviderConfig,
} from './discovery.js';
import type { ConformanceWarning, RequestScimContext } from '../request-context.js';
import { LIST_RESPONSE_SCHEMA, sendScim, sendScimText } from './respond.js';

/** The tenant of this request, set by the tenant-resolution middleware. */
export const tenantOf = (res: Response): Tenant => res.locals.tenant as Tenant;

/** The SCIM service this request runs on: the tenant's, unless a layer gave the request its own view of the store. */
const serviceOf = (res: Response): ScimService => (res.locals.scim as RequestScimContext | undefined)?.service ?? tenantOf(res).service;

/** The absolute base URL of the SCIM endpoint this request came through, for meta.location and $ref. */
export function baseUrlOf(req: Request): string {
  return `${req.protocol}://${req.get('host')}${req.baseUrl}`;
}

/** One query parameter (names are matched case-insensitively); a repeated parameter is 400. */
export function queryParam(req: Request, name: string): string | undefined {
  const query = req.query as Record<string, unknown>;
  const wanted = name.toLowerCase();
  const keys = Object.keys(query).filter((k) => k.toLowerCase() === wanted);
  if (keys.length === 0) return undefined;
  const value = keys.length > 1 ? [query[keys[0]!], query[keys[1]!]] : query[keys[0]!];
  if (Array.isArray(value)) throw badRequest('invalidValue', `The query parameter "${name}" is given more than once; send it once.`);
  if (typeof value !== 'string') throw badRequest('invalidValue', `The query parameter "${name}" must be a plain string.`);
  return value;
}

export function integerParam(req: Request, name: string): number | undefined {
  const raw = queryParam(req, name);
  if (raw === undefined || raw === '') return undefined;
  if (!/^[+-]?\d{1,15}$/.test(raw.trim())) throw badRequest('invalidValue', `The query parameter "${name}" must be an integer, got "${raw}".`);
  return Number(raw);
}

/** The projection of a request without query parameters (shared: nobody changes a ProjectionRequest). */
const NO_PROJECTION: ProjectionRequest = Object.freeze({ attributes: undefined, excludedAttributes: undefined });

/** No enumerable key (a query object without parameters), found without making a list of keys. */
export function hasNoKeys(query: unknown): boolean {
  for (const _ in query as object) return false;
  return true;
}

export function projectionOf(req: Request): ProjectionRequest {
  if (hasNoKeys(req.query)) return NO_PROJECTION;
  return {
    attributes: parseAttributeList(queryParam(req, 'attributes')),
    excludedAttributes: parseAttributeList(queryParam(req, 'excludedAttributes')),
  };
}

/** The conditional headers of a write (RFC 7644 section 3.14, RFC 9110 section 13.1). */
function preconditionsOf(req: Request): Preconditions {
  return { ifMatch: req.get('If-Match'), ifNoneMatch: req.get('If-None-Match') };
}

/**
 * GET of one resource: If-Match that does not match is 412, If-None-Match that matches is 304 (RFC 9110 sections
 * 13.1.1, 13.1.2 and 13.2.2), else 200 with the resource.
 */
function getAndRespond(req: Request, res: Response, service: ScimService, typeName: string, id: string): void {
  const resource = service.get(typeName, id);
  service.checkPrecondition(resource, { ifMatch: req.get('If-Match') });
  const ifNoneMatch = service.options.capabilities?.etag === false ? undefined : req.get('If-None-Match');
  const version = service.versionOf(typeName, resource);
  if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version)) {
    res.status(304).set('ETag', version).end();
    return;
  }
  sendResource(req, res, service, typeName, resource, 200);
}

function requireObjectBody(req: Request): Record<string, unknown> {
  if (req.body === undefined) throw badRequest('invalidSyntax', 'This request needs a JSON object body.');
  if (!isPlainObject(req.body)) throw badRequest('invalidSyntax', 'The request body must be a JSON object.');
  return req.body;
}

/**
 * The projection of this request's `attributes` / `excludedAttributes` for one resource type. Built before a write,
 * so that a list the projection rejects (a malformed value filter) fails the request before anything changes.
 */
function projectionFor(req: Request, service: ScimService, typeName: string): Projection {
  return service.projection(service.resourceType(typeName), projectionOf(req));
}

/** A resource as the response body, with its ETag (and Location when created); the rendering may come from the cache. */
function sendResource(req: Request, res: Response, service: ScimService, typeName: string, resource: Record<string, unknown>, status: number, projection = projectionFor(req, service, typeName)): void {
  const baseUrl = baseUrlOf(req);
  // Bytes: a repeated read of an unchanged resource is neither rendered nor encoded again.
  const body = service.renderBytes(typeName, resource, baseUrl, projection);
  const etag = service.options.capabilities?.etag !== false ? service.versionOf(typeName, resource) : undefined;
  const location = status === 201 ? resourceUrl(baseUrl, service.resourceType(typeName).resourceType.endpoint, resource.id as string) : undefined;
  sendScimText(res, status, body, undefined, etag, location);
}

/** Adds conformance warnings to this request's SCIM context (journal, Scimulator-Warning header). */
function warnOf(res: Response, warnings: readonly ConformanceWarning[]): void {
  const context = res.locals.scim as RequestScimContext | undefined;
  if (context) for (const w of warnings) context.warnings.push({ code: w.code, rfc: w.rfc, detail: w.detail });
}

/** A sink for the warnings the SCIM service reports while it handles this request. */
const warningSink = (res: Response) => (w: ConformanceWarning) => warnOf(res, [w]);

/** The body of a /.search request; a missing body gets the same clear 400 as one without the SearchRequest schema. */
function requireSearchBody(req: Request): unknown {
  if (req.body === undefined) {
    throw badRequest('invalidSyntax', `POST /.search needs a JSON body with "schemas": ["${SEARCH_REQUEST_SCHEMA}"] (RFC 7644 section 3.4.3).`);
  }
  return req.body;
}

/**
 * Runs a query over `typeNames` and sends the ListResponse (RFC 7644 section 3.4.2, RFC 9865 section 2): index
 * pages carry startIndex; cursor pages carry nextCursor (all but the last) and previousCursor (all but the first).
 */
function sendList(req: Request, res: Response, typeNames: string[], request: ListRequest, projection: ProjectionRequest, filterInUri: boolean): void {
  const tenant = tenantOf(res);
  const { config, capabilities } = tenant;
  const service = serviceOf(res);
  projection = checkListProjection(capabilities, projection);
  const base = baseUrlOf(req);
  const result = service.query(typeNames, request, {
    limits: { defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize, cursorTimeout: config.cursorTimeout },
    cursorSecret: `scimulator-cursor:${tenant.id}:${tenant.seed}`,
    cursorKeys: tenant.cursorKeys,
    onWarning: (w) => warnOf(res, [w]),
    capabilities,
    baseUrl: base,
    filterInUri,
  });
  const projections = new Map<string, Projection>();
  const resources = result.entries.map(({ type, resource }) => {
    let p = projections.get(type.name);
    if (!p) projections.set(type.name, (p = service.projection(type, projection)));
    return service.renderText(type.name, resource, base, p);
  });
  const head: Record<string, unknown> = { schemas: [LIST_RESPONSE_SCHEMA], totalResults: result.totalResults, itemsPerPage: result.itemsPerPage };
  // A target that leaves totalResults out of cursor pages (AWS): index pages keep it.
  if (result.startIndex === undefined && capabilities?.cursorTotalResults === false) delete head.totalResults;
  if (result.startIndex !== undefined) head.startIndex = result.startIndex;
  if (result.nextCursor !== undefined) head.nextCursor = result.nextCursor;
  if (result.previousCursor !== undefined) head.previousCursor = result.previousCursor;
  const context = res.locals.scim as RequestScimContext | undefined;
  if (context) {
    context.page = {
      ...(result.startIndex !== undefined ? { startIndex: result.startIndex } : {}),
      itemsPerPage: result.itemsPerPage,
      totalResults: result.totalResults,
      resources: result.entries.map(({ type, resource }) => ({ type: type.name, id: resource.id as string })),
    };
  }
  // The JSON of {...head, Resources: [...]}, with the resources' (cached) JSON spliced in.
  const headText = JSON.stringify(head);
  sendScimText(res, 200, `${headText.slice(0, -1)},"Resources":[${resources.join(',')}]}`);
}

function notAllowed(req: Request, res: Response, allowed: string): never {
  res.set('Allow', allowed);
  throw new ScimError(405, undefined, `${req.method} is not allowed on ${req.path}; allowed: ${allowed}.`);
}

/** PATCH (RFC 7644 3.5.2): 200 with the resource, or 204 where the tenant's patchStatus says so. */
function patchAndRespond(req: Request, res: Response, type: ResourceSchema, id: string): void {
  const tenant = tenantOf(res);
  const service = serviceOf(res);
  const projection = projectionFor(req, service, type.name);
  const patched = service.patch(type.name, id, requireObjectBody(req), preconditionsOf(req), warningSink(res));
  if (tenant.config.patchStatus[type.name] === 204 && queryParam(req, 'attributes') === undefined) {
    const location = resourceUrl(baseUrlOf(req), type.resourceType.endpoint, patched.id as string);
    res.status(204).set({ Location: location });
    if (tenant.capabilities.etag !== false) res.set('ETag', service.versionOf(type.name, patched));
    res.end();
    return;
  }
  sendResource(req, res, service, type.name, patched, 200, projection);
}

/** The resource type whose endpoint is `endpoint` (a path segment), or a 404 naming the request. */
function typeOf(req: Request, res: Response, endpoint: string): ResourceSchema {
  const type = tenantOf(res).registry.byEndpoint(`/${endpoint}`);
  if (!type) throw new ScimError(404, undefined, `No SCIM endpoint at ${req.method} ${req.originalUrl.split('?')[0]}.`);
  return type;
}

/** /Me (RFC 7644 section 3.11): the id of the User the tenant's token is bound to (config auth.me). */
function meOf(res: Response): string {
  const tenant = tenantOf(res);
  const userName = tenant.auth.me;
  if (!userName) {
    throw new ScimError(501, undefined, 'The /Me endpoint is not supported for this token: no User is bound to it (set auth.me in the tenant config).');
  }
  const [id] = tenant.store.lookup('User', 'userName', userName);
  if (id === undefined) throw new ScimError(404, undefined, `The token is bound to userName "${userName}", but no such User exists.`);
  return id;
}

const isRead = (method: string) => method === 'GET' || method === 'HEAD';

/** A path parameter as express decoded it. */
function param(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ScimError(400, undefined, `The path segment "${segment}" has a malformed percent-encoding.`);
  }
}

/**
 * req.path, the path of req.url as express's parseurl gives it, without parsing the URL into an object (express
 * would parse it again, req.url having changed since it last did): the URL up to "?", unless it holds a character
 * parseurl leaves to url.parse.
 */
function pathOf(req: Request): string {
  const url = req.url;
  if (url.charCodeAt(0) !== 0x2f /* / */) return req.path;
  for (let i = 1; i < url.length; i++) {
    switch (url.charCodeAt(i)) {
      case 0x3f /* ? */:
        return url.slice(0, i);
      case 0x09:
      case 0x0a:
      case 0x0c:
      case 0x0d:
      case 0x20:
      case 0x23 /* # */:
      case 0xa0:
      case 0xfeff:
        return req.path;
    }
  }
  return url;
}

/**
 * The segments of a relative path as express's router matched them: one trailing slash ignored, an empty
 * segment anywhere else matches no route (undefined).
 */
function routeSegments(relativePath: string): string[] | undefined {
  let path = relativePath;
  if (path.length > 1 && path.charCodeAt(path.length - 1) === 0x2f) path = path.slice(0, -1);
  if (path === '/' || path === '') return [];
  const segments = path.slice(1).split('/');
  for (const s of segments) if (s === '') return undefined;
  return segments;
}

// Discovery (RFC 7644 section 4).
function discovery(req: Request, res: Response, kind: string, segments: string[]): boolean {
  if (segments.length > 2 || (kind === 'serviceproviderconfig' && segments.length > 1)) return false;
  if (!isRead(req.method)) notAllowed(req, res, 'GET');
  // RFC 7644 section 4: the query parameters of 3.4.2 are ignored here, but "If a "filter" is provided, the service
  // provider SHOULD respond with HTTP status code 403 (Forbidden)": a 200 with every document would let the client
  // believe that each of them matched.
  const filter = hasNoKeys(req.query) ? undefined : queryParam(req, 'filter');
  if (filter !== undefined && filter.trim() !== '') {
    throw new ScimError(403, undefined, `The discovery endpoints (/ServiceProviderConfig, /Schemas, /ResourceTypes) do not filter (RFC 7644 section 4); send the request without "filter" and select the documents yourself, or GET /Schemas/{id} or /ResourceTypes/{name} for one.`);
  }
  const tenant = tenantOf(res);
  const base = baseUrlOf(req);
  if (kind === 'serviceproviderconfig') sendScim(res, 200, serviceProviderConfig(tenant, base));
  else if (kind === 'resourcetypes') {
    if (segments.length === 1) sendScim(res, 200, listOf(tenant.registry.resourceTypes().map((t) => resourceTypeDocument(t, base))));
    else sendScim(res, 200, resourceTypeDocument(findResourceType(tenant, param(segments[1]!)), base));
  } else if (segments.length === 1) sendScim(res, 200, listOf(tenant.registry.schemas().map((s) => schemaDocument(s, base, listedCommonAttributes(tenant, s)))));
  else {
    const schema = findSchema(tenant, param(segments[1]!));
    sendScim(res, 200, schemaDocument(schema, base, listedCommonAttributes(tenant, schema)));
  }
  return true;
}

// /Me (RFC 7644 section 3.11): an alias for the User the tenant's token is bound to (config auth.me).
function me(req: Request, res: Response, segments: string[]): void {
  const method = req.method;
  if (segments.length === 1) {
    const service = serviceOf(res);
    if (isRead(method)) return getAndRespond(req, res, service, 'User', meOf(res));
    if (method === 'PUT') {
      const projection = projectionFor(req, service, 'User');
      const replaced = service.replace('User', meOf(res), requireObjectBody(req), preconditionsOf(req), warningSink(res));
      return sendResource(req, res, service, 'User', replaced, 200, projection);
    }
    if (method === 'PATCH') return patchAndRespond(req, res, service.resourceType('User'), meOf(res));
    if (method === 'DELETE') {
      service.delete('User', meOf(res), preconditionsOf(req));
      res.status(204).end();
      return;
    }
  }
  throw new ScimError(501, undefined, `${method} ${req.path} is not supported; /Me answers GET, PUT, PATCH and DELETE for the bound User.`);
}

// Bulk (RFC 7644 section 3.7); the limits are the tenant's, as ServiceProviderConfig advertises them.
function bulk(req: Request, res: Response): void {
  if (req.method !== 'POST') notAllowed(req, res, 'POST');
  const tenant = tenantOf(res);
  const limits = tenant.features.bulk;
  const declared = Number(req.get('Content-Length'));
  const payloadSize = Number.isFinite(declared) && declared > 0 ? declared : Buffer.byteLength(JSON.stringify(req.body ?? null));
  const response = processBulk(serviceOf(res), req.body, {
    baseUrl: baseUrlOf(req),
    maxOperations: limits.maxOperations,
    maxPayloadSize: limits.maxPayloadSize,
    payloadSize,
    patchStatus: (typeName) => tenant.config.patchStatus[typeName] ?? 200,
    onWarning: warningSink(res),
    intercept: (res.locals.scim as RequestScimContext | undefined)?.bulkOperationHook,
  });
  sendScim(res, 200, response);
}

/** Queries across all resource types (RFC 7644 3.4.2.1 GET /, 3.4.3 POST /.search). */
function rootQuery(req: Request, res: Response, search: boolean): void {
  const types = tenantOf(res).registry.resourceTypes().map((t) => t.name);
  if (!search) return sendList(req, res, types, listRequestFromParams((name) => queryParam(req, name)), projectionOf(req), true);
  const { request, projection, warnings } = listRequestFromSearchBody(requireSearchBody(req));
  warnOf(res, warnings);
  sendList(req, res, types, request, projection, false);
}

/** `/{endpoint}`, `/{endpoint}/.search` and `/{endpoint}/{id}` of the tenant's resource types (custom ones included). */
function resourceEndpoint(req: Request, res: Response, segments: string[]): boolean {
  if (segments.length > 2) return false;
  const method = req.method;
  const type = typeOf(req, res, param(segments[0]!));
  const service = serviceOf(res);
  if (segments.length === 1) {
    if (isRead(method)) sendList(req, res, [type.name], listRequestFromParams((name) => queryParam(req, name)), projectionOf(req), true);
    else if (method === 'POST') {
      const projection = projectionFor(req, service, type.name);
      const created = service.create(type.name, requireObjectBody(req), warningSink(res));
      sendResource(req, res, service, type.name, created, 201, projection);
    } else notAllowed(req, res, 'GET, POST');
    return true;
  }
  if (segments[1]!.toLowerCase() === '.search') {
    if (method !== 'POST') notAllowed(req, res, 'POST');
    const { request, projection, warnings } = listRequestFromSearchBody(requireSearchBody(req));
    warnOf(res, warnings);
    sendList(req, res, [type.name], request, projection, false);
    return true;
  }
  const id = param(segments[1]!);
  if (isRead(method)) {
    getAndRespond(req, res, service, type.name, id);
  } else if (method === 'PUT') {
    const projection = projectionFor(req, service, type.name);
    const replaced = service.replace(type.name, id, requireObjectBody(req), preconditionsOf(req), warningSink(res));
    sendResource(req, res, service, type.name, replaced, 200, projection);
  } else if (method === 'PATCH') {
    // 200 with the resource, or 204 when the tenant's patchStatus asks for it, except that "attributes" in the
    // query always gets a 200 with the resource.
    patchAndRespond(req, res, type, id);
  } else if (method === 'DELETE') {
    service.delete(type.name, id, preconditionsOf(req));
    res.status(204).end();
  } else notAllowed(req, res, 'GET, PUT, PATCH, DELETE');
  return true;
}

/**
 * The SCIM routes, one layer: the route is found from the path's segments in one pass (no router walks a list of
 * patterns). Endpoint names are case-insensitive; one trailing slash is ignored; a path no route takes goes on
 * to the 404 (next()). Operations the tenant's target does not offer (a persona's /Bulk, /.search, PUT of a Group)
 * are answered as that target documents, before any route runs.
 */
export function scimRoutes(): (req: Request, res: Response, next: (err?: unknown) => void) => void {
  return (req, res, next) => {
    const context = res.locals.scim as RequestScimContext | undefined;
    const path = pathOf(req);
    if (context) {
      const { capabilities } = tenantOf(res);
      if (!offers(capabilities, context.operation, context.resourceType)) checkOperation(capabilities, context.operation, context.resourceType, `${req.method} ${path}`);
    }
    const segments = routeSegments(path);
    if (segments === undefined) return next();
    if (segments.length === 0) {
      if (isRead(req.method)) return rootQuery(req, res, false);
      return next();
    }
    const first = segments[0]!.toLowerCase();
    switch (first) {
      case 'serviceproviderconfig':
      case 'resourcetypes':
      case 'schemas':
        if (discovery(req, res, first, segments)) return;
        break;
      case 'me':
        return me(req, res, segments);
      case 'bulk':
        if (segments.length === 1) return bulk(req, res);
        break;
      case '.search':
        if (segments.length === 1) {
          if (req.method !== 'POST') notAllowed(req, res, 'POST');
          return rootQuery(req, res, true);
        }
        break;
    }
    if (!resourceEndpoint(req, res, segments)) next();
  };
}
