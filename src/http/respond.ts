import type { Response } from 'express';
import { ScimError } from '../scim/errors.js';

export const SCIM_CONTENT_TYPE = 'application/scim+json; charset=utf-8';
export const LIST_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:ListResponse';

/** Sends a SCIM JSON body with the SCIM media type (RFC 7644 section 3.1). */
export function sendScim(res: Response, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.status(status);
  res.set('Content-Type', SCIM_CONTENT_TYPE);
  for (const [name, value] of Object.entries(headers)) res.set(name, value);
  res.end(JSON.stringify(body));
}

export function sendScimError(res: Response, error: ScimError): void {
  sendScim(res, error.status, error.toJSON(), error.headers);
}
