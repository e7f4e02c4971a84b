/**
 * Request bodies: application/scim+json and application/json (any charset) are parsed; any other media type
 * with a body is 415; size above the limit is 413; nesting deeper than the limit is 400 (checked on the raw text,
 * before parsing). Errors flow to the SCIM error handler.
 */
import express, { type RequestHandler, type Response } from 'express';
import type { RequestScimContext } from '../request-context.js';
import { ScimError } from '../scim/errors.js';
import { toScimError } from './errors.js';
import { depthVerifier } from './limits.js';

const JSON_TYPES = /^application\/(scim\+)?json$|^application\/[a-z0-9.+-]+\+json$/i;

function hasBody(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['transfer-encoding'] !== undefined || (headers['content-length'] !== undefined && headers['content-length'] !== '0');
}

/**
 * The body parser's errors as SCIM errors. Those the error handler knows keep their meaning; any other client
 * error the parser reports (a corrupt gzip stream, a body that is not in its declared charset) is a 400, not a
 * 500: the body was bad, the server is fine.
 */
export function bodyError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const mapped = toScimError(err);
  if (mapped.status < 500) return mapped;
  const status = (err as { status?: unknown })?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const type = (err as { type?: unknown }).type;
    return new ScimError(400, 'invalidSyntax', `The request body could not be read${typeof type === 'string' ? ` (${type})` : ''}: check its Content-Encoding, charset and length.`);
  }
  return mapped;
}

/**
 * The JSON body parser of the SCIM pipeline. The decoded text of a body it parsed is kept on the request's SCIM
 * context (`requestText`) for the journal, which shows what the client sent, not what later layers made of it.
 */
export function jsonBody(maxBytes: number, maxDepth = 64): RequestHandler {
  const checkDepth = depthVerifier(maxDepth);
  const parse = express.json({
    limit: maxBytes,
    strict: false,
    type: () => true,
    verify: (req, res, buf, encoding) => {
      const decoded = checkDepth(req, res, buf, encoding);
      const context = (res as Response).locals?.scim as RequestScimContext | undefined;
      const enc = (encoding ?? 'utf-8').toLowerCase();
      if (context) context.requestText = enc === 'utf-8' || enc === 'utf8' ? buf.toString('utf8') : decoded;
    },
  });
  return (req, res, next) => {
    if (!hasBody(req.headers)) return next();
    const mediaType = (req.headers['content-type'] ?? '').split(';')[0]!.trim();
    if (!JSON_TYPES.test(mediaType)) {
      return next(new ScimError(415, undefined, `Unsupported Content-Type "${mediaType || '(none)'}"; send the body as application/scim+json (RFC 7644 section 3.1).`));
    }
    parse(req, res, (err?: unknown) => {
      if (err === undefined || err === null) return next();
      // A body that could not be parsed is not shown as sent (the journal records it as null).
      const context = res.locals?.scim as RequestScimContext | undefined;
      if (context) context.requestText = undefined;
      next(bodyError(err));
    });
  };
}
