/**
 * Request bodies: application/scim+json and application/json (any charset) are parsed; any other media type
 * with a body is 415; size above the limit is 413. Errors flow to the SCIM error handler.
 */
import express, { type RequestHandler } from 'express';
import { ScimError } from '../scim/errors.js';

const JSON_TYPES = /^application\/(scim\+)?json$|^application\/[a-z0-9.+-]+\+json$/i;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

export function jsonBody(maxBytes: number): RequestHandler {
  const parse = express.json({ limit: maxBytes, strict: false, type: () => true });
  return (req, res, next) => {
    if (!hasBody(req.headers)) return next();
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (!JSON_TYPES.test(mediaType)) {
      return next(new ScimError(415, undefined, `Unsupported Content-Type "${mediaType || '(none)'}"; send the body as application/scim+json (RFC 7644 section 3.1).`));
    }
    parse(req, res, next);
  };
}
