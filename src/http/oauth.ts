/**
 * OAuth 2.0 client credentials (RFC 6749 section 4.4) for tenants whose auth.mode is "oauth": the token endpoint
 * (`POST /oauth/token` for the default tenant, `POST /tenants/{id}/oauth/token` for another), the tenant's issued
 * tokens, and the control routes that show and revoke them.
 *
 * - The request is form-encoded (section 4.4.2) with grant_type=client_credentials; the client authenticates with
 *   HTTP Basic or with client_id and client_secret in the body (section 2.3.1), never both (section 2.3).
 * - Errors are the JSON of section 5.2: invalid_request, invalid_client (401, with a Basic challenge),
 *   unsupported_grant_type, unauthorized_client (the tenant does not use OAuth).
 * - A token lives auth.tokenLifetime seconds on the tenant clock (advance a frozen clock to expire it); an
 *   expired or revoked token is refused by the auth layer with 401 and `Bearer error="invalid_token"` (RFC 6750).
 * - Token requests go through the tenant's journal (client_secret, Authorization and the issued token redacted)
 *   and fault rules (`match.operation: "token"`), like SCIM requests.
 */
import express, { Router, type ErrorRequestHandler, type Request, type Response } from 'express';
import { faultMiddleware } from '../faults/middleware.js';
import { journalMiddleware } from '../journal/middleware.js';
import { fromDashboard, type RequestScimContext } from '../request-context.js';
import { DEFAULT_TENANT_ID, type Scimulator } from '../runtime.js';
import type { Tenant } from '../tenant.js';
import { secretEquals } from './auth.js';
import { checkRequestTarget, type TokenErrorShape } from './limits.js';

export { TokenStore } from './tokens.js';

// ---------------------------------------------------------------------------------------------------------------
// The token endpoint

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: 'invalid_request' | 'invalid_client' | 'unsupported_grant_type' | 'unauthorized_client',
    readonly description: string,
  ) {
    super(description);
  }
}

const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

function sendOAuthError(res: Response, err: OAuthError): void {
  res.status(err.status).set(NO_STORE);
  // RFC 6749 section 5.2: a client that tried HTTP Basic gets a 401 with a challenge of that scheme.
  if (err.status === 401) res.set('WWW-Authenticate', 'Basic realm="scimulator", charset="UTF-8"');
  if (err.status === 405) res.set('Allow', 'POST');
  res.json({ error: err.error, error_description: err.description });
}

/** A form value given once (RFC 6749 section 3.2: parameters must not be repeated); undefined when absent. */
function single(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `The parameter "${name}" is given more than once; send it once (RFC 6749 section 3.2).`);
  return value;
}

/** application/x-www-form-urlencoded decoding of one Basic credential half (RFC 6749 section 2.3.1). */
function formDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError(401, 'invalid_client', 'The client credentials in the Authorization header are not form-encoded correctly (RFC 6749 section 2.3.1).');
  }
}

/** The client credentials of a token request, from HTTP Basic or from the body. */
function clientCredentials(req: Request, body: Record<string, unknown>): { id: string; secret: string } {
  const header = req.headers.authorization;
  const inBody = body.client_id !== undefined || body.client_secret !== undefined;
  if (header !== undefined) {
    if (inBody) {
      throw new OAuthError(400, 'invalid_request', 'The client authenticated twice (HTTP Basic and client_id/client_secret in the body); RFC 6749 section 2.3 allows one method per request.');
    }
    const m = /^Basic\s+([A-Za-z0-9+/=._~-]*)\s*$/i.exec(header);
    if (!m) {
      throw new OAuthError(401, 'invalid_client', 'The Authorization header must carry HTTP Basic client credentials ("Basic base64(client_id:client_secret)"), or send client_id and client_secret in the form body.');
    }
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError(401, 'invalid_client', 'The HTTP Basic credentials must be "client_id:client_secret", base64-encoded.');
    return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
  }
  const id = single(body, 'client_id');
  const secret = single(body, 'client_secret');
  if (id === undefined || secret === undefined) {
    throw new OAuthError(401, 'invalid_client', 'Client authentication is missing: send HTTP Basic credentials (client_id:client_secret) or client_id and client_secret in the form body (RFC 6749 section 2.3.1).');
  }
  return { id, secret };
}

/** The issued token (RFC 6749 section 5.1), or the error of section 5.2. */
function token(req: Request, res: Response): void {
  const tenant = res.locals.tenant as Tenant;
  const { auth } = tenant;
  const inUrl = ['grant_type', 'client_id', 'client_secret', 'scope'].filter((name) => Object.hasOwn(req.query as object, name));
  if (inUrl.length) {
    throw new OAuthError(400, 'invalid_request', `Token request parameters go in the form-encoded body, never in the URL (RFC 6749 sections 2.3.1 and 4.4.2); the query holds ${inUrl.join(', ')}.`);
  }
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new OAuthError(400, 'invalid_request', `A token request must be form-encoded: Content-Type: application/x-www-form-urlencoded (RFC 6749 section 4.4.2), not ${type ? `"${type}"` : 'without a Content-Type'}.`);
  }
  const body = (req.body ?? {}) as Record<string, unknown>;
  const grant = single(body, 'grant_type');
  if (grant === undefined) throw new OAuthError(400, 'invalid_request', 'grant_type is missing; send grant_type=client_credentials (RFC 6749 section 4.4.2).');
  if (grant !== 'client_credentials') {
    throw new OAuthError(400, 'unsupported_grant_type', `grant_type "${grant}" is not supported here; this endpoint issues tokens for grant_type=client_credentials (RFC 6749 section 4.4).`);
  }
  if (auth.mode !== 'oauth') {
    throw new OAuthError(400, 'unauthorized_client', `Tenant "${tenant.id}" does not use OAuth 2.0 (its auth.mode is ${auth.mode}); set it with PATCH /_mock/config {"auth": {"mode": "oauth"}}.`);
  }
  const client = clientCredentials(req, body);
  // Both halves are always compared, so the timing does not reveal which one was wrong.
  const idOk = secretEquals(client.id, auth.clientId);
  const secretOk = secretEquals(client.secret, auth.clientSecret);
  if (!idOk || !secretOk) throw new OAuthError(401, 'invalid_client', 'Client authentication failed: unknown client_id or wrong client_secret.');
  single(body, 'scope');
  const issued = tenant.tokens.issue(auth.tokenLifetime);
  res.status(200).set(NO_STORE).json({ access_token: issued.token, token_type: 'Bearer', expires_in: auth.tokenLifetime });
}

const oauthErrors = (runtime: Scimulator): ErrorRequestHandler => (err, _req, res, next) => {
  if (res.headersSent) return next(err);
  if (err instanceof OAuthError) return sendOAuthError(res, err);
  const type = (err as { type?: string }).type;
  if (type === 'parameters.too.many') {
    return sendOAuthError(res, new OAuthError(400, 'invalid_request', `The token request body has more than ${runtime.options.maxQueryParams} parameters, over the limit (--max-query-params).`));
  }
  if (type === 'entity.too.large') return sendOAuthError(res, new OAuthError(413, 'invalid_request', `The token request body is larger than the limit of ${(err as { limit?: number }).limit} bytes (--max-body).`));
  if (typeof type === 'string' || (err as { status?: number }).status === 400) {
    return sendOAuthError(res, new OAuthError(400, 'invalid_request', 'The token request body is not valid application/x-www-form-urlencoded.'));
  }
  next(err);
};

/** Where the token endpoints are: the default tenant's, and another tenant's. */
export const TOKEN_PATHS = ['/oauth/token', '/tenants/:tenantId/oauth/token'];

/**
 * The token endpoints' error shape for refusals made before their router (CORS, a malformed path): paths as express
 * routes TOKEN_PATHS (any case, a trailing slash), errors as RFC 6749 section 5.2 writes them.
 */
export const TOKEN_ERRORS: TokenErrorShape = {
  matches: (path) => /^(?:\/tenants\/[^/]+)?\/oauth\/token\/?$/i.test(path),
  send: (res, status, detail) => sendOAuthError(res, new OAuthError(status, 'invalid_request', detail)),
};

/**
 * The token endpoint of every tenant (mount it at TOKEN_PATHS, before the SCIM pipelines: a base path of "/" would
 * otherwise take /oauth/token for a SCIM endpoint): tenant, journal, form body, faults, then the grant.
 */
export function oauthTokenEndpoint(runtime: Scimulator): Router {
  const endpoint = Router({ mergeParams: true });
  const context = (res: Response) => res.locals.scim as RequestScimContext;
  endpoint.use((req, res, next) => {
    const id = (req.params as { tenantId?: string }).tenantId ?? DEFAULT_TENANT_ID;
    const tenant = runtime.tenant(id);
    if (!tenant) {
      res.status(404).set(NO_STORE).json({ error: 'invalid_request', error_description: `There is no tenant "${id}".` });
      return;
    }
    res.locals.tenant = tenant;
    res.locals.scim = { tenantId: id, relativePath: '/oauth/token', operation: 'token', warnings: [] } satisfies RequestScimContext;
    next();
  });
  if (runtime.options.journal) {
    endpoint.use(journalMiddleware((_req, res) => ({ journal: (res.locals.tenant as Tenant).journal, context: context(res) })));
  }
  // The URL limits of every other route (README "Limits"): --max-url-length (414) and --max-query-params (400).
  endpoint.use((req, _res, next) => {
    const over = checkRequestTarget(req.originalUrl, runtime.options);
    next(over ? new OAuthError(over.status, 'invalid_request', over.detail) : undefined);
  });
  endpoint.use(express.urlencoded({ extended: false, limit: runtime.options.maxBody, parameterLimit: runtime.options.maxQueryParams }));
  endpoint.use(faultMiddleware((req, res) => {
    if (fromDashboard(req.headers)) return undefined;
    const tenant = res.locals.tenant as Tenant;
    return { faults: tenant.faults, context: context(res) };
  }));
  endpoint.post('/', token);
  endpoint.all('/', () => {
    throw new OAuthError(405, 'invalid_request', 'The token endpoint answers POST only (RFC 6749 section 3.2).');
  });
  endpoint.use(oauthErrors(runtime));
  return endpoint;
}

// ---------------------------------------------------------------------------------------------------------------
// Control routes

/**
 * GET /oauth: the tenant's OAuth settings (client id, token lifetime) and how many tokens are active;
 * DELETE /oauth/tokens: revokes every token the tenant issued ({ revoked: n }). The lifetime is set with
 * PATCH /config {"auth": {"tokenLifetime": seconds}} (tokens already issued keep theirs).
 */
export function oauthControlRouter(resolve: (req: Request) => Tenant, tokenEndpoint: (req: Request, tenant: Tenant) => string): Router {
  const router = Router({ mergeParams: true });
  router.get('/oauth', (req, res) => {
    const tenant = resolve(req);
    const { active, expired } = tenant.tokens.counts();
    res.json({
      mode: tenant.auth.mode,
      tokenEndpoint: tokenEndpoint(req, tenant),
      clientId: tenant.auth.clientId,
      tokenLifetime: tenant.auth.tokenLifetime,
      activeTokens: active,
      expiredTokens: expired,
    });
  });
  router.delete('/oauth/tokens', (req, res) => {
    res.json({ revoked: resolve(req).tokens.revokeAll() });
  });
  return router;
}
