/**
 * The control API (WireMock's /__admin in spirit): JSON over HTTP under /_mock, outside the SCIM base path.
 * Every tenant-scoped endpoint exists as /_mock/... (default tenant) and /_mock/tenants/{id}/...
 * Errors are { "error": "...", "field"?: "..." } with 400, 401, 404 or 409.
 */
import { Router, type ErrorRequestHandler, type Request, type RequestHandler, type Response } from 'express';
import { behaviourControlRouter } from '../behaviour/control.js';
import { faultsControlRouter } from '../faults/control.js';
import { requestsControlRouter } from '../journal/control.js';
import { DEFAULT_TENANT_ID, type Scimulator } from '../runtime.js';
import { isPlainObject } from '../scim/attributes.js';
import { ControllableClock } from '../scim/clock.js';
import { CLOCK_RANGE_TEXT, parseRfc3339 } from '../scim/datetime.js';
import { ScimError } from '../scim/errors.js';
import { assertNoForbiddenKeys } from '../scim/validate.js';
import { fromDocument, toDocument } from '../store/snapshot.js';
import type { Tenant } from '../tenant.js';
import { ControlError, mergeConfig, onlyKeys } from '../tenant-config.js';
import { secretEquals } from './auth.js';
import { oauthControlRouter } from './oauth.js';
import { controlOpenApi } from './openapi.js';
import { dashboardRouter } from './ui.js';

export { ControlError, mergeConfig };

const tenantOf = (res: Response): Tenant => res.locals.controlTenant as Tenant;

function body(req: Request): Record<string, unknown> {
  const value = req.body ?? {};
  if (!isPlainObject(value)) throw new ControlError(400, 'The request body must be a JSON object.');
  try {
    assertNoForbiddenKeys(value);
  } catch (err) {
    throw new ControlError(400, (err as Error).message);
  }
  return value;
}

/** The config as shown by GET /config: secrets included, since the control API is the operator's. */
const configView = (tenant: Tenant) => ({ tenant: tenant.id, ...tenant.config });

/** The tenant's OAuth 2.0 token endpoint, as the request reached the server. */
const tokenEndpointUrl = (req: Request, tenant: Tenant) => `${req.protocol}://${req.get('host')}${tenant.id === DEFAULT_TENANT_ID ? '' : `/tenants/${tenant.id}`}/oauth/token`;

/**
 * What a client needs to call a new tenant, by its auth mode (a seed file's options.auth may set one): the bearer
 * token; the Basic user and password; or the OAuth 2.0 token endpoint and client credentials (a bearer token is no
 * use there: the tenant takes only the tokens its endpoint issues).
 */
function credentialsOf(req: Request, tenant: Tenant): Record<string, string> {
  const auth = tenant.auth;
  if (auth.mode === 'oauth') return { auth: auth.mode, tokenEndpoint: tokenEndpointUrl(req, tenant), clientId: auth.clientId, clientSecret: auth.clientSecret };
  if (auth.mode === 'basic') return { auth: auth.mode, basicUser: auth.basicUser, basicPassword: auth.basicPassword };
  return { auth: auth.mode, token: auth.token };
}

function tenantRoutes(runtime: Scimulator): Router {
  const router = Router();

  router.post('/reset', (req, res) => {
    const keep = new Set(String(req.query.keep ?? '').split(',').map((s) => s.trim()).filter(Boolean));
    for (const k of keep) if (k !== 'faults' && k !== 'journal') throw new ControlError(400, `keep may list faults and journal, not "${k}".`, 'keep');
    const started = performance.now();
    tenantOf(res).reset({ faults: keep.has('faults'), journal: keep.has('journal') });
    res.json({ reset: true, tenant: tenantOf(res).id, ms: Math.round((performance.now() - started) * 100) / 100 });
  });

  router.get('/snapshot', (_req, res) => {
    res.json(toDocument(tenantOf(res).store.snapshot()));
  });
  router.put('/snapshot', (req, res) => {
    let snapshot;
    try {
      assertNoForbiddenKeys(req.body);
      snapshot = fromDocument(req.body, { memberPolicy: tenantOf(res).config.memberPolicy });
    } catch (err) {
      throw new ControlError(400, `Not a Scimulator snapshot: ${(err as Error).message}`);
    }
    tenantOf(res).load(snapshot);
    res.status(204).end();
  });

  router.get('/config', (_req, res) => {
    res.json(configView(tenantOf(res)));
  });
  router.patch('/config', (req, res) => {
    const tenant = tenantOf(res);
    // applyConfig checks the config the tenant would run with (after its persona's and profile's defaults) first.
    tenant.applyConfig(mergeConfig(tenant.config, body(req), tenant.registry.resourceTypes().map((t) => t.name)));
    res.json(configView(tenant));
  });

  router.post('/clock', (req, res) => {
    const b = body(req);
    onlyKeys(b, ['freeze', 'advance', 'real']);
    const clock = tenantOf(res).clock;
    if (Object.keys(b).length !== 1) throw new ControlError(400, 'Send exactly one of freeze (RFC 3339 time), advance (ms) or real (true).');
    if (b.freeze !== undefined) {
      const at = parseRfc3339(b.freeze);
      if (!at.ok) throw new ControlError(400, `freeze must be an RFC 3339 date-time such as "2025-01-01T00:00:00Z": ${at.reason}.`, 'freeze');
      if (!ControllableClock.inRange(at.ms)) throw new ControlError(400, `freeze must lie within ${CLOCK_RANGE_TEXT} (the years an RFC 3339 date-time can name), got ${JSON.stringify(b.freeze)}.`, 'freeze');
      clock.freeze(at.ms);
    } else if (b.advance !== undefined) {
      const max = clock.maxAdvance();
      if (typeof b.advance !== 'number' || !Number.isFinite(b.advance) || b.advance < 0 || b.advance > max) {
        throw new ControlError(
          400,
          `advance must be a number of milliseconds from 0 to ${max} (the clock, now ${new Date(clock.now()).toISOString()}, stays within ${CLOCK_RANGE_TEXT}), got ${JSON.stringify(b.advance) ?? String(b.advance)}.`,
          'advance',
        );
      }
      clock.advance(b.advance);
    } else if (b.real !== true) {
      throw new ControlError(400, 'real must be true.', 'real');
    } else {
      clock.real();
    }
    res.json({ now: new Date(clock.now()).toISOString(), frozen: clock.frozen });
  });
  router.get('/clock', (_req, res) => {
    const clock = tenantOf(res).clock;
    res.json({ now: new Date(clock.now()).toISOString(), frozen: clock.frozen });
  });

  router.use(faultsControlRouter((req) => (req.res as Response).locals.controlTenant.faults));
  router.use(oauthControlRouter((req) => (req.res as Response).locals.controlTenant, tokenEndpointUrl));
  router.use(
    requestsControlRouter(
      (req) => (req.res as Response).locals.controlTenant.journal,
      // The conformance report: every tenant under the control path itself, one under /tenants/{id}.
      (req) => {
        const locals = (req.res as Response).locals;
        const tenants: Tenant[] = locals.controlEveryTenant ? [...runtime.tenants.values()] : [locals.controlTenant];
        return tenants.map((t) => ({ tenant: t.id, profile: t.config.profile, journal: t.journal, recording: runtime.options.journal, unchecked: t.behaviour.codesOff() }));
      },
      { stopping: runtime.stopping },
    ),
  );
  router.use(behaviourControlRouter((req) => (req.res as Response).locals.controlTenant.behaviour));
  return router;
}

function scimBaseUrl(req: Request, runtime: Scimulator, tenantId: string): string {
  const prefix = tenantId === DEFAULT_TENANT_ID ? '' : `/tenants/${tenantId}`;
  return `${req.protocol}://${req.get('host')}${prefix}${runtime.options.basePath}`;
}

export function controlRouter(runtime: Scimulator): Router {
  const router = Router();
  const { controlToken } = runtime.options;
  // The dashboard's static files carry no data: served before the token check (the page asks for the token).
  router.use(dashboardRouter({ tokenRequired: Boolean(controlToken), journal: runtime.options.journal }));
  if (controlToken) {
    router.use((req, res, next) => {
      const header = req.headers.authorization ?? '';
      const given = header.toLowerCase().startsWith('bearer ') ? header.slice(7).trim() : '';
      if (!secretEquals(given, controlToken)) {
        // RFC 9110 section 15.5.2: a 401 carries a challenge; RFC 6750 section 3.1: invalid_token for a wrong token.
        res.set('WWW-Authenticate', given ? 'Bearer realm="scimulator-control", error="invalid_token"' : 'Bearer realm="scimulator-control"');
        return next(new ControlError(401, 'The control API needs "Authorization: Bearer <control token>" (--control-token).'));
      }
      next();
    });
  }
  // Request bodies were parsed, whatever their Content-Type, by controlLimits (src/http/limits.ts) in front of this router.

  router.get('/health', (_req, res) => {
    res.json({ status: 'ok', version: runtime.version, uptimeMs: Date.now() - runtime.startedAt, tenants: runtime.tenants.size });
  });

  router.get('/openapi.json', (_req, res) => {
    res.json(controlOpenApi(runtime.options.controlPath));
  });

  router.get('/tenants', (req, res) => {
    res.json({ tenants: [...runtime.tenants.values()].map((t) => ({ id: t.id, baseUrl: scimBaseUrl(req, runtime, t.id), profile: t.config.profile })) });
  });
  router.post('/tenants', async (req, res) => {
    const b = body(req);
    const tenant = await runtime.createTenantFromSpec(b);
    res.status(201).json({ id: tenant.id, baseUrl: scimBaseUrl(req, runtime, tenant.id), ...credentialsOf(req, tenant) });
  });
  router.delete('/tenants/:id', (req, res) => {
    if (!runtime.deleteTenant(req.params.id as string)) throw new ControlError(404, `There is no tenant "${req.params.id}".`);
    res.status(204).end();
  });

  const pickTenant = (id: (req: Request) => string, everyTenant = false): RequestHandler => (req, res, next) => {
    const tenant = runtime.tenant(id(req));
    if (!tenant) return next(new ControlError(404, `There is no tenant "${id(req)}".`));
    res.locals.controlTenant = tenant;
    res.locals.controlEveryTenant = everyTenant;
    next();
  };
  const perTenant = tenantRoutes(runtime);
  router.use('/tenants/:tenantId', pickTenant((req) => req.params.tenantId as string), perTenant);
  router.use(pickTenant(() => DEFAULT_TENANT_ID, true), perTenant);

  router.use((req, _res, next) => next(new ControlError(404, `No control endpoint at ${req.method} ${req.originalUrl.split('?')[0]}.`)));
  const errors: ErrorRequestHandler = (err, _req, res, _next) => {
    let status = 500;
    let message = 'Internal error in the control API.';
    let field: string | undefined;
    if (err instanceof ControlError) ({ status, message, field } = { status: err.status, message: err.message, field: err.field });
    else if (err instanceof ScimError) ({ status, message } = { status: err.status, message: err.detail });
    else if ((err as { type?: string }).type === 'entity.parse.failed') ({ status, message } = { status: 400, message: 'The request body is not valid JSON.' });
    else if ((err as { type?: string }).type === 'entity.too.large') ({ status, message } = { status: 413, message: `The request body is larger than the limit of ${(err as { limit?: number }).limit} bytes (--max-body).` });
    else process.stderr.write(`scimulator: control API error: ${(err as Error)?.stack ?? String(err)}\n`);
    if (res.headersSent) return void res.destroy();
    res.status(status).json(field ? { error: message, field } : { error: message });
  };
  router.use(errors);
  return router;
}
