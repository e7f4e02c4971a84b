/**
 * Per-tenant authentication: a static bearer token, HTTP Basic, OAuth 2.0 bearer tokens from the tenant's token
 * endpoint (RFC 6749 section 4.4, refused per RFC 6750 section 3.1 once expired or revoked), or none. Secrets are
 * compared in constant time.
 */
import type { RequestHandler } from 'express';
import { ScimError } from '../scim/errors.js';
import type { Tenant } from '../tenant.js';

/**
 * Compares two secrets in time that depends on neither's content: every character of `expected` is compared
 * (without stopping at the first difference) and the lengths are compared too, so the time is a function of the
 * configured secret's length alone, whatever a client sends. No hashing: this runs on every request.
 */
export function secretEquals(given: string, expected: string): boolean {
  let diff = given.length ^ expected.length;
  for (let i = 0; i < expected.length; i++) diff |= (given.charCodeAt(i) | 0) ^ expected.charCodeAt(i);
  return diff === 0;
}

function unauthorized(challenge: string, detail: string): ScimError {
  return new ScimError(401, undefined, detail, { 'WWW-Authenticate': challenge });
}

export function authMiddleware(getTenant: (res: Parameters<RequestHandler>[1]) => Tenant): RequestHandler {
  return (req, res, next) => {
    const { auth } = getTenant(res);
    if (auth.mode === 'none') return next();
    const header = req.headers.authorization ?? '';
    const space = header.indexOf(' ');
    const scheme = space < 0 ? header : header.slice(0, space);
    const credentials = space < 0 ? '' : header.slice(space + 1).trim();
    if (auth.mode === 'oauth') {
      const challenge = 'Bearer realm="scimulator"';
      const get = 'get an access token from the token endpoint (POST <server>/oauth/token, or /tenants/{id}/oauth/token, with grant_type=client_credentials) and send "Authorization: Bearer <access_token>"';
      if (!header) return next(unauthorized(challenge, `Missing Authorization header; ${get}.`));
      if (scheme.toLowerCase() !== 'bearer') return next(unauthorized(challenge, `Unsupported authorization scheme "${scheme}"; this service expects an OAuth 2.0 Bearer token: ${get}.`));
      const { state, expiresAt } = getTenant(res).tokens.check(credentials);
      if (state === 'valid') return next();
      // RFC 6750 section 3.1: invalid_token for an expired, revoked or unknown token; the client should get a new one.
      const why = state === 'expired' ? 'The access token expired' : 'The access token is not valid (revoked or never issued by this tenant)';
      const when = state === 'expired' ? ` at ${new Date(expiresAt!).toISOString()}` : '';
      return next(unauthorized(`${challenge}, error="invalid_token", error_description="${why}"`, `${why}${when}; request a new one from the token endpoint.`));
    }
    if (auth.mode === 'bearer') {
      const challenge = 'Bearer realm="scimulator"';
      if (!header) return next(unauthorized(challenge, 'Missing Authorization header; send "Authorization: Bearer <token>".'));
      if (scheme.toLowerCase() !== 'bearer') return next(unauthorized(challenge, `Unsupported authorization scheme "${scheme}"; this service expects Bearer.`));
      if (!secretEquals(credentials, auth.token)) return next(unauthorized(`${challenge}, error="invalid_token"`, 'The bearer token is not valid for this tenant.'));
      return next();
    }
    const challenge = 'Basic realm="scimulator", charset="UTF-8"';
    if (!header) return next(unauthorized(challenge, 'Missing Authorization header; send HTTP Basic credentials.'));
    if (scheme.toLowerCase() !== 'basic') return next(unauthorized(challenge, `Unsupported authorization scheme "${scheme}"; this service expects Basic.`));
    const decoded = Buffer.from(credentials, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // Both halves are always compared, so the timing does not reveal which one was wrong.
    const userOk = secretEquals(colon >= 0 ? decoded.slice(0, colon) : decoded, auth.basicUser);
    const passwordOk = secretEquals(colon >= 0 ? decoded.slice(colon + 1) : '', auth.basicPassword);
    const ok = colon >= 0 && userOk && passwordOk;
    if (!ok) return next(unauthorized(challenge, 'The Basic credentials are not valid for this tenant.'));
    return next();
  };
}
