/**
 * The SCIM protocol over HTTP (RFC 7644 section 3): maps requests onto the SCIM service and renders its
 * results. Knows nothing of faults, journal or profiles: those wrap it.
 */
import { Router, type Request, type Response } from 'express';
import { isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import { processBulk } from '../scim/bulk.js';
import { ScimError, badRequest } from '../scim/errors.js';
import { listRequestFromParams, listRequestFromSearchBody, SEARCH_REQUEST_SCHEMA, type ListRequest } from '../scim/list.js';
import { parseAttributeList, Projection, type ProjectionRequest } from '../scim/project.js';
import { checkListProjection, checkOperation } from '../scim/capabilities.js';
import { etagMatches, type ScimService } from '../scim/service.js';
import type { Tenant } from '../tenant.js';
import {
  findResourceType,
  findSchema,
  listOf,
  resourceTypeDocument,
  schemaDocument,
  serviceProviderConfig,
} from './discovery.js';
import type { ConformanceWarning, RequestScimContext } from '../request-context.js';
import { LIST_RESPONSE_SCHEMA, sendScim } from './respond.js';

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

export function projectionOf(req: Request): ProjectionRequest {
  return {
    attributes: parseAttributeList(queryParam(req, 'attributes')),
    excludedAttributes: parseAttributeList(queryParam(req, 'excludedAttributes')),
  };
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
  return new Projection(service.resourceType(typeName), projectionOf(req));
}

function sendResource(req: Request, res: Response, service: ScimService, typeName: string, resource: Record<string, unknown>, status: number, projection = projectionFor(req, service, typeName)): void {
  const baseUrl = baseUrlOf(req);
  const rendered = service.render(typeName, resource, baseUrl, projection);
  const headers: Record<string, string> = {};
  if (service.options.capabilities?.etag !== false) headers.ETag = (resource.meta as Record<string, string>).version!;
  if (status === 201) headers.Location = (rendered.meta as Record<string, string> | undefined)?.location ?? `${baseUrl}${service.resourceType(typeName).resourceType.endpoint}/${resource.id}`;
  sendScim(res, status, rendered, headers);
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
function sendList(req: Request, res: Response, typeNames: string[], request: ListRequest, projection: ProjectionRequest): void {
  const tenant = tenantOf(res);
  const { config, capabilities } = tenant;
  const service = serviceOf(res);
  projection = checkListProjection(capabilities, projection);
  const result = service.query(typeNames, request, {
    limits: { defaultPageSize: config.defaultPageSize, maxPageSize: config.maxPageSize, cursorTimeout: config.cursorTimeout },
    cursorSecret: `scimulator-cursor:${tenant.id}:${tenant.seed}`,
    onWarning: (w) => warnOf(res, [w]),
    capabilities,
  });
  const base = baseUrlOf(req);
  const projections = new Map<string, Projection>();
  const resources = result.entries.map(({ type, resource }) => {
    let p = projections.get(type.name);
    if (!p) projections.set(type.name, (p = new Projection(type, projection)));
    return service.render(type.name, resource, base, p);
  });
  const body: Record<string, unknown> = { schemas: [LIST_RESPONSE_SCHEMA], totalResults: result.totalResults, itemsPerPage: result.itemsPerPage };
  if (result.startIndex !== undefined) body.startIndex = result.startIndex;
  if (result.nextCursor !== undefined) body.nextCursor = result.nextCursor;
  if (result.previousCursor !== undefined) body.previousCursor = result.previousCursor;
  body.Resources = resources;
  const context = res.locals.scim as RequestScimContext | undefined;
  if (context) {
    context.page = {
      ...(result.startIndex !== undefined ? { startIndex: result.startIndex } : {}),
      itemsPerPage: result.itemsPerPage,
      totalResults: result.totalResults,
      resources: result.entries.map(({ type, resource }) => ({ type: type.name, id: resource.id as string })),
    };
  }
  sendScim(res, 200, body);
}

const notAllowed = (allowed: string) => (req: Request, res: Response) => {
  res.set('Allow', allowed);
  throw new ScimError(405, undefined, `${req.method} is not allowed on ${req.path}; allowed: ${allowed}.`);
};

/** PATCH (RFC 7644 3.5.2): 200 with the resource, or 204 where the tenant's patchStatus says so. */
function patchAndRespond(req: Request, res: Response, type: ResourceSchema, id: string): void {
  const tenant = tenantOf(res);
  const service = serviceOf(res);
  const projection = projectionFor(req, service, type.name);
  const patched = service.patch(type.name, id, requireObjectBody(req), { ifMatch: req.get('If-Match') }, warningSink(res));
  if (tenant.config.patchStatus[type.name] === 204 && queryParam(req, 'attributes') === undefined) {
    const location = `${baseUrlOf(req)}${type.resourceType.endpoint}/${patched.id}`;
    res.status(204).set({ Location: location });
    if (tenant.capabilities.etag !== false) res.set('ETag', (patched.meta as Record<string, string>).version!);
    res.end();
    return;
  }
  sendResource(req, res, service, type.name, patched, 200, projection);
}

export function scimRoutes(): Router {
  const router = Router({ caseSensitive: false });

  // Operations the tenant's target does not offer (a persona's /Bulk, /.search, PUT of a Group) are answered as
  // that target documents, before any route runs.
  router.use((req, res, next) => {
    const context = res.locals.scim as RequestScimContext | undefined;
    if (context) checkOperation(tenantOf(res).capabilities, context.operation, context.resourceType, `${req.method} ${req.path}`);
    next();
  });

  // Discovery (RFC 7644 section 4).
  router.get('/ServiceProviderConfig', (req, res) => {
    sendScim(res, 200, serviceProviderConfig(tenantOf(res), baseUrlOf(req)));
  });
  router.get('/ResourceTypes', (req, res) => {
    const base = baseUrlOf(req);
    sendScim(res, 200, listOf(tenantOf(res).registry.resourceTypes().map((t) => resourceTypeDocument(t, base))));
  });
  router.get('/ResourceTypes/:name', (req, res) => {
    sendScim(res, 200, resourceTypeDocument(findResourceType(tenantOf(res), req.params.name as string), baseUrlOf(req)));
  });
  router.get('/Schemas', (req, res) => {
    const base = baseUrlOf(req);
    sendScim(res, 200, listOf(tenantOf(res).registry.schemas().map((s) => schemaDocument(s, base))));
  });
  router.get('/Schemas/:id', (req, res) => {
    sendScim(res, 200, schemaDocument(findSchema(tenantOf(res), req.params.id as string), baseUrlOf(req)));
  });
  for (const path of ['/ServiceProviderConfig', '/ResourceTypes', '/ResourceTypes/:name', '/Schemas', '/Schemas/:id']) {
    router.all(path, notAllowed('GET'));
  }

  // /Me (RFC 7644 section 3.11): an alias for the User the tenant's token is bound to (config auth.me).
  const meOf = (res: Response) => {
    const tenant = tenantOf(res);
    const userName = tenant.auth.me;
    if (!userName) {
      throw new ScimError(501, undefined, 'The /Me endpoint is not supported for this token: no User is bound to it (set auth.me in the tenant config).');
    }
    const [id] = tenant.store.lookup('User', 'userName', userName);
    if (id === undefined) throw new ScimError(404, undefined, `The token is bound to userName "${userName}", but no such User exists.`);
    return id;
  };
  router.get('/Me', (req, res) => {
    const service = serviceOf(res);
    sendResource(req, res, service, 'User', service.get('User', meOf(res)), 200);
  });
  router.put('/Me', (req, res) => {
    const service = serviceOf(res);
    const projection = projectionFor(req, service, 'User');
    const replaced = service.replace('User', meOf(res), requireObjectBody(req), { ifMatch: req.get('If-Match') }, warningSink(res));
    sendResource(req, res, service, 'User', replaced, 200, projection);
  });
  router.patch('/Me', (req, res) => {
    patchAndRespond(req, res, serviceOf(res).resourceType('User'), meOf(res));
  });
  router.delete('/Me', (req, res) => {
    serviceOf(res).delete('User', meOf(res), { ifMatch: req.get('If-Match') });
    res.status(204).end();
  });
  router.all(['/Me', '/Me/{*rest}'], (req) => {
    throw new ScimError(501, undefined, `${req.method} ${req.path} is not supported; /Me answers GET, PUT, PATCH and DELETE for the bound User.`);
  });

  // Bulk (RFC 7644 section 3.7); the limits are the tenant's, as ServiceProviderConfig advertises them.
  router.post('/Bulk', (req, res) => {
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
  });
  router.all('/Bulk', notAllowed('POST'));

  // Resource endpoints, dispatched on the tenant's resource types (custom types included).
  const typeOf = (req: Request, res: Response) => {
    const type = tenantOf(res).registry.byEndpoint(`/${req.params.endpoint as string}`);
    if (!type) throw new ScimError(404, undefined, `No SCIM endpoint at ${req.method} ${req.originalUrl.split('?')[0]}.`);
    return type;
  };

  // Queries (RFC 7644 section 3.4.2 and 3.4.3; RFC 9865 cursors). /.search routes come before /:endpoint ones.
  router.get('/', (req, res) => {
    const types = tenantOf(res).registry.resourceTypes().map((t) => t.name);
    sendList(req, res, types, listRequestFromParams((name) => queryParam(req, name)), projectionOf(req));
  });
  router.post('/.search', (req, res) => {
    const types = tenantOf(res).registry.resourceTypes().map((t) => t.name);
    const { request, projection, warnings } = listRequestFromSearchBody(requireSearchBody(req));
    warnOf(res, warnings);
    sendList(req, res, types, request, projection);
  });
  router.all('/.search', notAllowed('POST'));
  router.post('/:endpoint/.search', (req, res) => {
    const type = typeOf(req, res);
    const { request, projection, warnings } = listRequestFromSearchBody(requireSearchBody(req));
    warnOf(res, warnings);
    sendList(req, res, [type.name], request, projection);
  });
  router.all('/:endpoint/.search', (req, res) => {
    typeOf(req, res);
    notAllowed('POST')(req, res);
  });
  router.get('/:endpoint', (req, res) => {
    const type = typeOf(req, res);
    sendList(req, res, [type.name], listRequestFromParams((name) => queryParam(req, name)), projectionOf(req));
  });

  router.post('/:endpoint', (req, res) => {
    const type = typeOf(req, res);
    const service = serviceOf(res);
    const projection = projectionFor(req, service, type.name);
    const created = service.create(type.name, requireObjectBody(req), warningSink(res));
    sendResource(req, res, service, type.name, created, 201, projection);
  });

  router.get('/:endpoint/:id', (req, res) => {
    const type = typeOf(req, res);
    const service = serviceOf(res);
    const resource = service.get(type.name, req.params.id as string);
    const ifNoneMatch = service.options.capabilities?.etag === false ? undefined : req.get('If-None-Match');
    const version = (resource.meta as Record<string, string>).version!;
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version)) {
      res.status(304).set('ETag', version).end();
      return;
    }
    sendResource(req, res, service, type.name, resource, 200);
  });

  router.put('/:endpoint/:id', (req, res) => {
    const type = typeOf(req, res);
    const service = serviceOf(res);
    const projection = projectionFor(req, service, type.name);
    const replaced = service.replace(type.name, req.params.id as string, requireObjectBody(req), { ifMatch: req.get('If-Match') }, warningSink(res));
    sendResource(req, res, service, type.name, replaced, 200, projection);
  });

  // PATCH (RFC 7644 section 3.5.2): 200 with the resource, or 204 when the tenant's patchStatus asks for it,
  // except that "attributes" in the query always gets a 200 with the resource.
  router.patch('/:endpoint/:id', (req, res) => {
    patchAndRespond(req, res, typeOf(req, res), req.params.id as string);
  });

  router.delete('/:endpoint/:id', (req, res) => {
    const type = typeOf(req, res);
    serviceOf(res).delete(type.name, req.params.id as string, { ifMatch: req.get('If-Match') });
    res.status(204).end();
  });

  router.all('/:endpoint', (req, res) => {
    typeOf(req, res);
    notAllowed('GET, POST')(req, res);
  });
  router.all('/:endpoint/:id', (req, res) => {
    typeOf(req, res);
    notAllowed('GET, PUT, PATCH, DELETE')(req, res);
  });

  return router;
}
