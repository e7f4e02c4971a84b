/**
 * The express application. One SCIM pipeline is mounted for the default tenant at the base path and for every
 * other tenant at /tenants/{id}/<base path>; the control API lives under its own path, the OAuth 2.0 token
 * endpoints at /oauth/token and /tenants/{id}/oauth/token (src/http/oauth.ts).
 *
 * A SCIM request flows through, one middleware each:
 *   [CORS] -> tenant resolution -> journal -> limits -> [durable writes] -> JSON body -> auth -> [behaviour]
 *   -> faults -> profile -> SCIM routes -> error rendering
 * (behaviour: the analyser's arrival check, with the journal on; it completes from the journal's entries).
 * The SCIM routes never know that the journal or faults exist.
 */
import express, { Router, type Express, type Request, type RequestHandler, type Response } from 'express';
import { behaviourMiddleware } from '../behaviour/middleware.js';
import type { ScimulatorOptions } from '../config.js';
import { faultMiddleware } from '../faults/middleware.js';
import { journalMiddleware } from '../journal/middleware.js';
import { profileMiddleware } from '../profiles/middleware.js';
import { Scimulator } from '../runtime.js';
import { ScimError } from '../scim/errors.js';
import type { Tenant } from '../tenant.js';
import { authMiddleware } from './auth.js';
import { jsonBody } from './body.js';
import { controlLimits, corsMiddleware, durableWrites, malformedPathGuard, requestLimits, scimInputGuard } from './limits.js';
import { classifyScimRequest } from './classify.js';
import { oauthTokenEndpoint, TOKEN_PATHS } from './oauth.js';
import type { RequestScimContext } from '../request-context.js';
import { controlRouter } from './control.js';
import { scimErrorHandler, scimNotFound } from './errors.js';
import { scimRoutes, tenantOf } from './scim-routes.js';

const contextOf = (res: Response): RequestScimContext => res.locals.scim as RequestScimContext;

function resolveTenant(runtime: Scimulator, pick: (req: Request) => string): RequestHandler {
  return (req, res, next) => {
    const id = pick(req);
    const tenant = runtime.tenant(id);
    if (!tenant) return next(new ScimError(404, undefined, `There is no tenant "${id}".`));
    res.locals.tenant = tenant;
    const types = tenant.registry.resourceTypes().map((t) => t.resourceType);
    const { operation, resourceType } = classifyScimRequest(req.method, req.path, types);
    const context: RequestScimContext = { tenantId: id, relativePath: req.path, operation, warnings: [] };
    if (resourceType !== undefined) context.resourceType = resourceType;
    res.locals.scim = context;
    next();
  };
}

/** What the server around the app adds (src/server.ts). */
export interface AppHooks {
  /** --data-sync: resolves once every change made so far is durable; write responses wait for it. */
  sync?: () => Promise<void>;
}

function scimPipeline(runtime: Scimulator, hooks: AppHooks): Router {
  const pipeline = Router();
  const tenantParts = (res: Response): { tenant: Tenant; context: RequestScimContext } | undefined =>
    res.locals.tenant ? { tenant: tenantOf(res), context: contextOf(res) } : undefined;
  if (runtime.options.journal) {
    pipeline.use(journalMiddleware((_req, res) => {
      const parts = tenantParts(res);
      return parts && { journal: parts.tenant.journal, context: parts.context };
    }));
  }
  pipeline.use(requestLimits(runtime.options));
  if (hooks.sync) pipeline.use(durableWrites(hooks.sync));
  pipeline.use(jsonBody(runtime.options.maxBody, runtime.options.maxJsonDepth));
  pipeline.use(authMiddleware(tenantOf));
  if (runtime.options.journal) {
    pipeline.use(behaviourMiddleware((_req, res) => {
      const parts = tenantParts(res);
      if (!parts) return undefined;
      const { tenant, context } = parts;
      // OAuth access tokens rotate; the client they were issued to stays the same.
      const principal = tenant.auth.mode === 'oauth' ? `oauth client ${tenant.auth.clientId}` : undefined;
      return { analyser: tenant.behaviour, context, warningsHeader: tenant.config.warningsHeader, ...(principal ? { principal } : {}) };
    }));
  }
  pipeline.use(faultMiddleware((_req, res) => {
    const parts = tenantParts(res);
    return parts && { faults: parts.tenant.faults, context: parts.context, service: parts.tenant.service, view: parts.tenant.view };
  }));
  pipeline.use(profileMiddleware((_req, res) => tenantParts(res)));
  pipeline.use(scimInputGuard());
  pipeline.use(scimRoutes());
  pipeline.use(scimNotFound);
  pipeline.use(scimErrorHandler);
  return pipeline;
}

/** Builds the express app (use it with supertest, or listen on it yourself). */
export function createApp(options: Partial<ScimulatorOptions> | Scimulator = {}, hooks: AppHooks = {}): Express {
  const runtime = options instanceof Scimulator ? options : new Scimulator(options);
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.locals.scimulator = runtime;

  if (runtime.options.cors !== undefined) app.use(corsMiddleware(runtime.options.cors));
  app.use(malformedPathGuard(runtime.options.control ? runtime.options.controlPath : undefined));
  if (runtime.options.control) {
    const guards = [controlLimits(runtime.options), ...(hooks.sync ? [durableWrites(hooks.sync)] : [])];
    app.use(runtime.options.controlPath, ...guards, controlRouter(runtime));
  }
  app.use(TOKEN_PATHS, oauthTokenEndpoint(runtime));
  const pipeline = scimPipeline(runtime, hooks);
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
