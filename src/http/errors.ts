/**
 * The one place errors become responses. ScimErrors render as the RFC 7644 section 3.12 Error shape; body
 * parser failures are mapped to their SCIM meaning; anything else is a 500 without internals.
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ScimError } from '../scim/errors.js';
import { sendScimError } from './respond.js';

interface BodyParserError {
  type?: string;
  status?: number;
  limit?: number;
  charset?: string;
  encoding?: string;
}

export function toScimError(err: unknown): ScimError {
  if (err instanceof ScimError) return err;
  const e = (err ?? {}) as BodyParserError;
  switch (e.type) {
    case 'entity.too.large':
      return new ScimError(413, undefined, `The request body is larger than the limit of ${e.limit} bytes (--max-body).`);
    case 'entity.parse.failed':
      return new ScimError(400, 'invalidSyntax', 'The request body is not valid JSON.');
    case 'charset.unsupported':
      return new ScimError(415, undefined, `Unsupported charset "${e.charset}"; send UTF-8 JSON.`);
    case 'encoding.unsupported':
      return new ScimError(415, undefined, `Unsupported content encoding "${e.encoding}".`);
    case 'request.aborted':
    case 'request.size.invalid':
      return new ScimError(400, 'invalidSyntax', 'The request body ended before its declared length.');
  }
  return new ScimError(500, undefined, 'Internal server error. This is a bug in Scimulator; please report it with the request that caused it.');
}

export const scimErrorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  const error = toScimError(err);
  if (error.status >= 500 && !(err instanceof ScimError)) {
    process.stderr.write(`scimulator: internal error: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendScimError(res, error);
};

export const scimNotFound: RequestHandler = (req, _res, next) => {
  const path = req.originalUrl.split('?')[0]!;
  next(new ScimError(404, undefined, `No SCIM endpoint at ${req.method} ${path}.${emptySegmentHint(req.method, path)}`));
};

/**
 * What to fix in a path with an empty segment ("//"): a base URL that ends in "/" joined with "/Users" makes one, and
 * an empty segment names no endpoint (RFC 3986 section 3.3: "/scim/v2//Users" is another path than "/scim/v2/Users").
 */
function emptySegmentHint(method: string, path: string): string {
  const at = path.indexOf('//');
  if (at < 0) return '';
  const fixed = path.replace(/\/{2,}/g, '/');
  return ` The path has an empty segment: a doubled slash "//" at character ${at + 1} (a base URL ending in "/" joined with a path starting with "/" makes one). Join them with one slash: ${method} ${fixed}.`;
}
