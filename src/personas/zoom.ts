/** Zoom, from its SCIM2 API reference and its rate-limit page. */
import type { FaultRuleInput } from '../faults/types.js';
import type { ScimOperation } from '../request-context.js';
import type { Persona } from './types.js';

const REF = 'https://marketplace.zoom.us/docs/api-reference/scim-api/';
/** The current SCIM2 reference: "See rate limits for SCIM2 API endpoint rate limits", a Rate Limit Label per endpoint. */
const SCIM2 = 'https://developers.zoom.us/docs/api/rest/scim-api/';
const RATE_LIMITS = 'https://marketplace.zoom.us/docs/api-reference/rate-limits';

/**
 * The eleven SCIM2 endpoints Zoom lists, by Rate Limit Label. Light: "Create, read, update, and delete a single
 * resource, e.g. Get A User"; Medium: "Create, read, and update multiple resources at once" (the rate-limit page).
 */
const LIGHT: Array<[operation: ScimOperation, resourceType: string]> = [
  ['create', 'User'],
  ['get', 'User'],
  ['replace', 'User'],
  ['patch', 'User'],
  ['delete', 'User'],
  ['create', 'Group'],
  ['get', 'Group'],
  ['patch', 'Group'],
  ['delete', 'Group'],
];
const MEDIUM: Array<[operation: ScimOperation, resourceType: string]> = [
  ['list', 'User'],
  ['list', 'Group'],
];

/**
 * One token bucket per label, shared by every endpoint that carries it (the account's quota for that label). Light's
 * operations on Users and Groups also take in a PUT of a Group, which Zoom does not offer (answered 501 after it).
 */
const perLabel = (label: string, endpoints: Array<[ScimOperation, string]>, perSecond: number): FaultRuleInput => ({
  id: `persona-zoom-${label.toLowerCase()}`,
  name: `Zoom: ${label} APIs, ${perSecond} requests per second per account (Business+)`,
  match: { operation: [...new Set(endpoints.map(([o]) => o))], resourceType: [...new Set(endpoints.map(([, t]) => t))] },
  action: { type: 'rateLimit', limit: perSecond, windowMs: 1000, detail: `Zoom: the ${label} rate limit of ${perSecond} requests per second (Business+ accounts) is used up; retry after Retry-After.` },
});

export const ZOOM: Persona = {
  name: 'zoom',
  title: 'Zoom',
  documentation: REF,
  settings: {
    documentationUri: { value: REF, source: REF },
    filter: {
      value: {
        operators: ['eq'],
        logical: [],
        valuePaths: false,
        attributes: { User: [['userName'], ['externalId']], Group: [['displayName']] },
        error: { status: 400 },
      },
      source: REF,
      note: 'List users: userName eq, externalId eq (and a license-type filter Scimulator does not model); List groups: displayName eq; another filter is 400 ("The current filter does not support the filter name")',
    },
    unsupportedOperations: {
      value: [{ operation: 'bulk' }, { operation: 'search' }, { operation: 'me' }, { operation: 'replace', resourceType: 'Group' }],
      source: REF,
      note: 'the reference lists eleven endpoints: Users (list, create, get, PUT, PATCH, delete) and Groups (list, create, get, PATCH, delete); the answer to others is not documented (RFC 7644 3.12: 501)',
    },
    rateLimits: {
      value: [perLabel('Light', LIGHT, 80), perLabel('Medium', MEDIUM, 60)],
      source: SCIM2,
      note: `the SCIM2 reference sends to the rate-limit page (${RATE_LIMITS}): limits are per account and per Rate Limit Label, "APIs are grouped by Request Type with unique rate limits for each"; SCIM2 needs a Business or Education account, whose (Business+) limits are Light 80 and Medium 60 requests per second; 429. Labels: Get, Update (PUT), Deactivate (PATCH) and Delete a user are Light and List users is Medium in the reference; the other endpoints follow the page's definitions (Light: "Create, read, update, and delete a single resource"; Medium: "multiple resources at once"): lists Medium, the rest Light. The older marketplace reference's "1 request/second per account" for each endpoint is gone from the current one`,
    },
  },
  notDocumented: {
    sort: 'sortBy',
    etag: 'ETags and meta.version',
    pageSize: 'the default and the largest count',
    memberPolicy: 'the answer to a member id that names no user',
    patchStatus: 'the status of a successful PATCH',
    unsupported: 'a general error for unsupported requests',
  },
};
