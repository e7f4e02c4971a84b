/**
 * The express application. One SCIM pipeline (body, auth, SCIM routes, errors) is mounted for the default
 * tenant at the base path and for every other tenant at /tenants/{id}/<base path>.
 */
import express, { Router, type Express, type RequestHandler } from 'express';
import type { ScimulatorOptions } from '../config.js';
import { ScimError } from '../scim/errors.js';
import { Scimulator } from '../runtime.js';
import { authMiddleware } from './auth.js';
import { jsonBody } from './body.js';
import type { RequestScimContext } from './context.js';
import { scimErrorHandler, scimNotFound } from './errors.js';
import { scimRoutes, tenantOf } from './scim-routes.js';

function scimPipeline(runtime: Scimulator): Router {
  const pipeline = Router();
  pipeline.use(jsonBody(runtime.options.maxBody));
  pipeline.use(authMiddleware(tenantOf));
  pipeline.use(scimRoutes());
  pipeline.use(scimNotFound);
  pipeline.use(scimErrorHandler);
  return pipeline;
}

function resolveTenant(runtime: Scimulator, pick: (req: Parameters<RequestHandler>[0]) => string): RequestHandler {
  return (req, res, next) => {
    const id = pick(req);
    const tenant = runtime.tenant(id);
    if (!tenant) return next(new ScimError(404, undefined, `There is no tenant "${id}".`));
    res.locals.tenant = tenant;
    const context: RequestScimContext = { tenantId: id, relativePath: req.path, operation: 'unknown', warnings: [] };
    res.locals.scim = context;
    next();
  };
}

/** Builds the express app (use it with supertest, or listen on it yourself). */
export function createApp(options: Partial<ScimulatorOptions> | Scimulator = {}): Express {
  const runtime = options instanceof Scimulator ? options : new Scimulator(options);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.locals.scimulator = runtime;

  const pipeline = scimPipeline(runtime);
  const base = runtime.options.basePath;
  app.use(`/tenants/:tenantId${base}`, resolveTenant(runtime, (req) => req.params.tenantId as string), pipeline);
  app.use(base || '/', resolveTenant(runtime, () => 'default'), pipeline);

  app.use(scimNotFound);
  app.use(scimErrorHandler);
  return app;
}

export function runtimeOf(app: Express): Scimulator {
  return app.locals.scimulator as Scimulator;
}
