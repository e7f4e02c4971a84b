import express, { type Express } from 'express';
import request from 'supertest';
import { jsonBody } from '../../src/http/body.js';
import { classifyScimRequest } from '../../src/http/classify.js';
import type { RequestScimContext } from '../../src/request-context.js';
import { scimErrorHandler } from '../../src/http/errors.js';
import { profileMiddleware } from '../../src/profiles/middleware.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import type { ProfileName } from '../../src/tenant.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
export const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
export const ADSCIM_GROUP = 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group';

export interface Echo {
  body: unknown;
  query: Record<string, unknown>;
  warnings: Array<{ code: string; rfc: string; detail: string }>;
}

/**
 * A small app: JSON body -> SCIM context -> profile middleware -> a route that echoes what it received
 * (the body and query after the profile layer, and the warnings) -> SCIM error rendering.
 */
export function stubApp(profile: ProfileName, warningsHeader = false): Express {
  const registry = SchemaRegistry.builtIn();
  const tenant = { config: { profile, warningsHeader }, registry };
  const app = express();
  app.set('query parser', 'simple');
  app.use(jsonBody(1024 * 1024));
  app.use((req, res, next) => {
    const types = registry.resourceTypes().map((t) => t.resourceType);
    const { operation, resourceType } = classifyScimRequest(req.method, req.path, types);
    const context: RequestScimContext = { tenantId: 'default', relativePath: req.path, operation, warnings: [] };
    if (resourceType !== undefined) context.resourceType = resourceType;
    res.locals.scim = context;
    next();
  });
  app.use(profileMiddleware((_req, res) => ({ tenant, context: res.locals.scim as RequestScimContext })));
  app.use((req, res) => {
    const context = res.locals.scim as RequestScimContext;
    res.status(200).json({ body: req.body ?? null, query: { ...(req.query as object) }, warnings: context.warnings });
  });
  app.use(scimErrorHandler);
  return app;
}

export interface Sent {
  method: 'get' | 'post' | 'put' | 'patch';
  path: string;
  body?: unknown;
  contentType?: string;
}

export function send(app: Express, s: Sent): request.Test {
  const r = request(app)[s.method](s.path);
  if (s.body === undefined) return r;
  return r.set('Content-Type', s.contentType ?? 'application/scim+json').send(JSON.stringify(s.body));
}

export const codesOf = (warnings: Array<{ code: string }>) => warnings.map((w) => w.code);

/** The Scimulator-Warning header lines of a response, as sent (one per raw header line). */
export function warningHeaderLines(res: request.Response): string[] {
  const raw = (res as unknown as { res: { rawHeaders: string[] } }).res.rawHeaders;
  const lines: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'scimulator-warning') lines.push(raw[i + 1]!);
  return lines;
}
