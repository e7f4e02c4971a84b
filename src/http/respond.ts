import type { Response } from 'express';
import { ScimError } from '../scim/errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Sends a SCIM JSON body with the SCIM media type (RFC 7644 section 3.1). */
export function sendScim(res: Response, status: number, body: unknown, headers?: Record<string, string>): void {
  sendScimText(res, status, JSON.stringify(body), headers);
}

/** Sends JSON already serialised (a cached rendering, as text or as its UTF-8 bytes) as a SCIM body. */
export function sendScimText(res: Response, status: number, json: string | Uint8Array, headers?: Record<string, string>, etag?: string, location?: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', SCIM_CONTENT_TYPE);
  if (etag !== undefined) res.setHeader('ETag', etag);
  if (location !== undefined) res.setHeader('Location', location);
  if (headers) for (const name of Object.keys(headers)) res.setHeader(name, headers[name]!);
  res.end(json);
}

export function sendScimError(res: Response, error: ScimError): void {
  sendScim(res, error.status, error.toJSON(), error.headers);
}
