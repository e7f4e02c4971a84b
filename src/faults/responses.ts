/**
 * The responses fault actions answer with: SCIM error bodies (RFC 7644 section 3.12) and malformed bodies.
 */
import { STATUS_CODES } from 'node:http';
import { ScimError, type ScimType } from '../scim/errors.js';
import { SCIM_CONTENT_TYPE } from '../http/respond.js';
import type { FaultEffect, FaultRequestInfo } from './types.js';

export { SCIM_CONTENT_TYPE };

/** Default details, phrased as a real service provider would (mostly after RFC 7644 Table 8). */
const DEFAULT_DETAILS: Record<number, string> = {
  400: 'Request is unparsable, syntactically incorrect, or violates schema.',
  401: 'Authorization failure. The authorization header is invalid or missing.',
  403: 'Operation is not permitted based on the supplied authorization.',
  404: 'Specified resource or endpoint does not exist.',
  409: 'The request conflicts with the current state of the resource.',
  412: 'Failed to update. Resource has changed on the server.',
  413: 'The request payload is too large.',
  500: 'An internal error occurred while processing the request.',
  501: 'Service provider does not support the requested operation.',
  502: 'Bad gateway: the upstream service returned an invalid response.',
  503: 'The service is temporarily unavailable.',
  504: 'Gateway timeout: the upstream service did not answer in time.',
};

function defaultDetail(status: number, retryAfter: string | undefined): string {
  const retry = retryAfter === undefined ? '' : /^\d+$/.test(retryAfter) ? ` Retry after ${retryAfter} second(s).` : ` Retry after ${retryAfter}.`;
  if (status === 429) return `Too many requests.${retry}`;
  const base = DEFAULT_DETAILS[status] ?? `${STATUS_CODES[status] ?? 'Error'}.`;
  return base + retry;
}

/** The SCIM error a fault answers with; `Retry-After` is sent when given. */
export function faultScimError(status: number, scimType: ScimType | undefined, detail: string | undefined, retryAfter?: string): ScimError {
  return new ScimError(status, scimType, detail ?? defaultDetail(status, retryAfter), retryAfter !== undefined ? { 'Retry-After': retryAfter } : undefined);
}

/** A SCIM error as a response. */
export function errorEffect(error: ScimError): FaultEffect {
  return { type: 'respond', status: error.status, headers: { 'Content-Type': SCIM_CONTENT_TYPE, ...error.headers }, body: JSON.stringify(error.toJSON()) };
}

/** A SCIM error response; `Retry-After` is sent when given. */
export function scimErrorEffect(
  status: number,
  scimType: ScimType | undefined,
  detail: string | undefined,
  retryAfter?: string,
): FaultEffect {
  return errorEffect(faultScimError(status, scimType, detail, retryAfter));
}

/** `Retry-After` for an error action: the given seconds or HTTP date; 1 second for 429 and 503 by default. */
export function retryAfterHeader(status: number, retryAfter: number | string | undefined): string | undefined {
  if (retryAfter !== undefined) return String(retryAfter);
  return status === 429 || status === 503 ? '1' : undefined;
}

/**
 * 409 uniqueness, worded like the SCIM service's own check (src/scim/service.ts) after the attribute the
 * request carries; the clashing resource is unknown here, so it is "another <type>".
 */
export function uniquenessDetail(req: FaultRequestInfo): string {
  const type = req.resourceType ?? 'resource';
  for (const [attr, caseExact] of [['userName', false], ['displayName', false], ['externalId', true]] as const) {
    const value = topLevelString(req.body, attr);
    if (value !== undefined) {
      return `${attr} "${value}" is already taken by another ${type}${caseExact ? '' : ' (compared case-insensitively)'}.`;
    }
  }
  return `A unique attribute value of this ${type} is already taken by another ${type}.`;
}

/** 412, worded like the SCIM service's own If-Match check, naming the If-Match the request carried. */
export function preconditionDetail(req: FaultRequestInfo): string {
  const raw = req.headers['if-match'];
  const ifMatch = Array.isArray(raw) ? raw.join(', ') : raw;
  if (ifMatch) {
    return `Precondition failed: the resource is at a newer version, but If-Match asked for ${ifMatch}. Read the resource again and retry with its current ETag.`;
  }
  return 'Precondition failed: the resource has changed on the server. Read the resource again and retry with its current ETag.';
}

function topLevelString(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const lname = name.toLowerCase();
  for (const key of Object.keys(body)) {
    const v = (body as Record<string, unknown>)[key];
    if (key.toLowerCase() === lname && typeof v === 'string') return v.length > 200 ? v.slice(0, 200) + '…' : v;
  }
  return undefined;
}

const TRUNCATED_LIST =
  '{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":2,"itemsPerPage":2,' +
  '"startIndex":1,"Resources":[{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],' +
  '"id":"2819c223-7f76-453a-919d-413861904646","userName":"bjensen","meta":{"resourceType":"Us';
const TRUNCATED_GROUP =
  '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"id":"e9e30dba-f08f-4109-8486-d5c6a331660a",' +
  '"displayName":"Tour Guides","members":[{"value":"2819c223-7f76-453a-919d-413861904646","display":"Babs Je';
const TRUNCATED_RESOURCE =
  '{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223-7f76-453a-919d-413861904646",' +
  '"userName":"bjensen","name":{"familyName":"Jensen","givenName":"Barb';
const HTML_PAGE =
  '<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head>\n' +
  '<body><h1>502 Bad Gateway</h1><p>The proxy server received an invalid response from an upstream server.</p>' +
  '<hr><address>nginx</address></body></html>\n';

/** 200 with a SCIM content type and a body a JSON parser must reject (or none at all). */
export function malformedEffect(variant: 'truncated' | 'html' | 'empty', req: FaultRequestInfo): FaultEffect {
  const headers = { 'Content-Type': SCIM_CONTENT_TYPE };
  if (variant === 'empty') return { type: 'respond', status: 200, headers, body: '' };
  if (variant === 'html') return { type: 'respond', status: 200, headers, body: HTML_PAGE };
  const body =
    req.operation === 'list' || req.operation === 'search'
      ? TRUNCATED_LIST
      : req.resourceType?.toLowerCase() === 'group'
        ? TRUNCATED_GROUP
        : TRUNCATED_RESOURCE;
  return { type: 'respond', status: 200, headers, body };
}
