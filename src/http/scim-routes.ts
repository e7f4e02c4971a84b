/**
 * The SCIM protocol over HTTP (RFC 7644 section 3): maps requests onto the SCIM service and renders its
 * results. Knows nothing of faults, journal or profiles: those wrap it.
 */
import { Router, type Request, type Response } from 'express';
import { isPlainObject } from '../scim/attributes.js';
import { ScimError, badRequest } from '../scim/errors.js';
import { parseAttributeList, type ProjectionRequest } from '../scim/project.js';
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
import { LIST_RESPONSE_SCHEMA, sendScim } from './respond.js';

/** The tenant of this request, set by the tenant-resolution middleware. */
export const tenantOf = (res: Response): Tenant => res.locals.tenant as Tenant;

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

function sendResource(req: Request, res: Response, service: ScimService, typeName: string, resource: Record<string, unknown>, status: number): void {
  const baseUrl = baseUrlOf(req);
  const rendered = service.render(typeName, resource, baseUrl, projectionOf(req));
  const headers: Record<string, string> = { ETag: (resource.meta as Record<string, string>).version! };
  if (status === 201) headers.Location = (rendered.meta as Record<string, string> | undefined)?.location ?? `${baseUrl}${service.resourceType(typeName).resourceType.endpoint}/${resource.id}`;
  sendScim(res, status, rendered, headers);
}

const notAllowed = (allowed: string) => (req: Request, res: Response) => {
  res.set('Allow', allowed);
  throw new ScimError(405, undefined, `${req.method} is not allowed on ${req.path}; allowed: ${allowed}.`);
};

export function scimRoutes(): Router {
  const router = Router({ caseSensitive: false });

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
    const service = tenantOf(res).service;
    sendResource(req, res, service, 'User', service.get('User', meOf(res)), 200);
  });
  router.put('/Me', (req, res) => {
    const service = tenantOf(res).service;
    const replaced = service.replace('User', meOf(res), requireObjectBody(req), { ifMatch: req.get('If-Match') });
    sendResource(req, res, service, 'User', replaced, 200);
  });
  router.delete('/Me', (req, res) => {
    tenantOf(res).service.delete('User', meOf(res), { ifMatch: req.get('If-Match') });
    res.status(204).end();
  });
  router.all(['/Me', '/Me/{*rest}'], (req) => {
    throw new ScimError(501, undefined, `${req.method} ${req.path} is not supported; /Me answers GET, PUT, PATCH and DELETE for the bound User.`);
  });

  router.all(['/Bulk'], () => {
    throw new ScimError(501, undefined, 'Bulk operations are not supported yet (ServiceProviderConfig bulk.supported is false).');
  });

  // Resource endpoints, dispatched on the tenant's resource types (custom types included).
  const typeOf = (req: Request, res: Response) => {
    const type = tenantOf(res).registry.byEndpoint(`/${req.params.endpoint as string}`);
    if (!type) throw new ScimError(404, undefined, `No SCIM endpoint at ${req.method} ${req.originalUrl.split('?')[0]}.`);
    return type;
  };

  router.get('/:endpoint', (req, res) => {
    const type = typeOf(req, res);
    const tenant = tenantOf(res);
    if (queryParam(req, 'filter') !== undefined) {
      throw badRequest('invalidFilter', 'Filtering is not supported yet (ServiceProviderConfig filter.supported is false).');
    }
    const all = [...tenant.store.all(type.name)];
    const startIndex = Math.max(1, integerParam(req, 'startIndex') ?? 1);
    const maxResults = tenant.features.filter.maxResults;
    const count = Math.min(Math.max(0, integerParam(req, 'count') ?? maxResults), maxResults);
    const page = all.slice(startIndex - 1, startIndex - 1 + count);
    const base = baseUrlOf(req);
    const projection = projectionOf(req);
    sendScim(res, 200, {
      schemas: [LIST_RESPONSE_SCHEMA],
      totalResults: all.length,
      startIndex,
      itemsPerPage: page.length,
      Resources: page.map((r) => tenant.service.render(type.name, r, base, projection)),
    });
  });

  router.post('/:endpoint', (req, res) => {
    const type = typeOf(req, res);
    const service = tenantOf(res).service;
    const created = service.create(type.name, requireObjectBody(req));
    sendResource(req, res, service, type.name, created, 201);
  });

  router.get('/:endpoint/:id', (req, res) => {
    const type = typeOf(req, res);
    const service = tenantOf(res).service;
    const resource = service.get(type.name, req.params.id as string);
    const ifNoneMatch = req.get('If-None-Match');
    const version = (resource.meta as Record<string, string>).version!;
    if (ifNoneMatch !== undefined && etagMatches(ifNoneMatch, version)) {
      res.status(304).set('ETag', version).end();
      return;
    }
    sendResource(req, res, service, type.name, resource, 200);
  });

  router.put('/:endpoint/:id', (req, res) => {
    const type = typeOf(req, res);
    const service = tenantOf(res).service;
    const replaced = service.replace(type.name, req.params.id as string, requireObjectBody(req), { ifMatch: req.get('If-Match') });
    sendResource(req, res, service, type.name, replaced, 200);
  });

  router.patch('/:endpoint/:id', (req, res) => {
    typeOf(req, res);
    throw new ScimError(501, undefined, 'PATCH is not supported yet (ServiceProviderConfig patch.supported is false); use PUT.');
  });

  router.delete('/:endpoint/:id', (req, res) => {
    const type = typeOf(req, res);
    tenantOf(res).service.delete(type.name, req.params.id as string, { ifMatch: req.get('If-Match') });
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
