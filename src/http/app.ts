/**
 * The express application. The control API lives under its own path, the OAuth 2.0 token endpoints at /oauth/token
 * and /tenants/{id}/oauth/token (src/http/oauth.ts); every SCIM request, for the default tenant
 * at the base path and for every other tenant at /tenants/{id}/<base path>, goes through one dispatcher
 * (src/http/pipeline.ts) that resolves tenant, relative path, operation and resource type once, then runs the
 * SCIM layers of `scimLayers` in order. SCIM requests enter it at the app's entry point, after the two app-level
 * handlers every request gets (CORS when configured, the malformed-path guard), without walking express's
 * router; the rest of the app (control API, 404s) is an ordinary express router.
 *
 *   journal -> limits -> [durable writes] -> JSON body -> target headers -> auth -> [behaviour] -> faults -> profile
 *   -> input guard -> SCIM routes   (errors rendered once, as SCIM errors)
 *
 * (behaviour, with the journal on: the analyser's arrival check, src/behaviour/; it completes each request from the
 * journal's entries, as a journal subscriber.)
 *
 * Adding a layer (an OAuth check, a fault phase after the handler, a behaviour check) is one entry in that list:
 * an express middleware `(req, res, next)` that reads the tenant from `res.locals.tenant` and what the layers share
 * about the request from `res.locals.scim` (src/request-context.ts). The SCIM routes never know that the journal,
 * faults or profiles exist, and the SCIM core (src/scim/) knows nothing of HTTP.
 */
import express, { type Express, type RequestHandler, type Response } from 'express';
import { behaviourMiddleware, type BehaviourResolver } from '../behaviour/middleware.js';
import type { StartOptions } from '../config.js';
import { faultMiddleware } from '../faults/middleware.js';
import { journalMiddleware } from '../journal/middleware.js';
import { profileMiddleware } from '../profiles/middleware.js';
import { fromDashboard, type RequestScimContext } from '../request-context.js';
import { Scimulator } from '../runtime.js';
import { authMiddleware } from './auth.js';
import { jsonBody } from './body.js';
import { controlRouter } from './control.js';
import { scimErrorHandler, scimNotFound } from './errors.js';
import { controlLimits, corsMiddleware, durableWrites, malformedPathGuard, requestLimits, scimInputGuard } from './limits.js';
import { oauthTokenEndpoint, TOKEN_ERRORS, TOKEN_PATHS } from './oauth.js';
import { enterScimDirectly, scimDispatcher, scimUrlTest } from './pipeline.js';
import { scimRoutes, tenantOf } from './scim-routes.js';
import { requiredHeadersMiddleware } from './target-headers.js';

const contextOf = (res: Response): RequestScimContext => res.locals.scim as RequestScimContext;

/** What the server around the app adds (src/server.ts). */
export interface AppHooks {
  /** --data-sync: resolves once every change made so far is durable; write responses wait for it. */
  sync?: () => Promise<void>;
}

/** The layers of every SCIM request, in order (see the file comment). */
function scimLayers(runtime: Scimulator, hooks: AppHooks): RequestHandler[] {
  const { options } = runtime;
  const layers: Array<RequestHandler | false | undefined> = [
    options.journal && journalMiddleware((_req, res) => ({ journal: tenantOf(res).journal, context: contextOf(res) })),
    requestLimits(options),
    hooks.sync && durableWrites(hooks.sync),
    jsonBody(options.maxBody, options.maxJsonDepth),
    requiredHeadersMiddleware((res) => tenantOf(res).capabilities),
    authMiddleware(tenantOf),
    options.journal &&
      behaviourMiddleware((req, res) => {
        // The dashboard's own reads are not a connector's behaviour: it is not listed as a client.
        if (fromDashboard(req.headers)) return undefined;
        const tenant = tenantOf(res);
        const target: ReturnType<BehaviourResolver> = { analyser: tenant.behaviour, context: contextOf(res), warningsHeader: tenant.config.warningsHeader };
        // OAuth access tokens rotate; the client they were issued to stays the same.
        if (tenant.auth.mode === 'oauth') target.principal = `oauth client ${tenant.auth.clientId}`;
        return target;
      }),
    faultMiddleware((req, res) => {
      if (fromDashboard(req.headers)) return undefined;
      const tenant = tenantOf(res);
      return { faults: tenant.faults, context: contextOf(res), service: tenant.service, view: tenant.view };
    }),
    profileMiddleware((_req, res) => ({ tenant: tenantOf(res), context: contextOf(res) })),
    scimInputGuard(),
    scimRoutes(),
  ];
  return layers.filter((layer): layer is RequestHandler => typeof layer === 'function');
}

/** Builds the express app (use it with supertest, or listen on it yourself). */
export function createApp(options: StartOptions | Scimulator = {}, hooks: AppHooks = {}): Express {
  const runtime = options instanceof Scimulator ? options : new Scimulator(options);
  // Seeding reads files and loads the generator asynchronously, which this synchronous call cannot wait for: refused
  // rather than ignored, so that a test does not run against an empty directory it believes seeded.
  if (!(options instanceof Scimulator) && runtime.options.seeding) {
    throw new Error('createApp does not seed (seeding, users, groups, seedFile): use startScimulator or startServer, or load a directory into the app with PUT /_mock/snapshot');
  }
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.locals.scimulator = runtime;

  const controlPath = runtime.options.control ? runtime.options.controlPath : undefined;
  const ahead: RequestHandler[] = [];
  if (runtime.options.cors !== undefined) ahead.push(corsMiddleware(runtime.options.cors, controlPath, TOKEN_ERRORS));
  ahead.push(malformedPathGuard(controlPath, TOKEN_ERRORS));
  for (const handler of ahead) app.use(handler);
  if (controlPath !== undefined) {
    const guards = [controlLimits(runtime.options), ...(hooks.sync ? [durableWrites(hooks.sync)] : [])];
    app.use(controlPath, ...guards, controlRouter(runtime));
  }
  app.use(TOKEN_PATHS, oauthTokenEndpoint(runtime));
  const dispatcher = scimDispatcher(runtime, { layers: scimLayers(runtime, hooks), onError: scimErrorHandler, notFound: scimNotFound });
  app.use(dispatcher);
  app.use(scimNotFound);
  app.use(scimErrorHandler);
  // SCIM requests skip the walk through the router above: same handlers, in the same order.
  enterScimDirectly(app, dispatcher, ahead, scimUrlTest(runtime.options.basePath, controlPath, TOKEN_PATHS), scimErrorHandler);
  return app;
}

export function runtimeOf(app: Express): Scimulator {
  return app.locals.scimulator as Scimulator;
}
