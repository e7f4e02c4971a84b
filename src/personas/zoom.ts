/** Zoom, from its SCIM2 API reference. */
import type { FaultRuleInput } from '../faults/types.js';
import type { ScimOperation } from '../request-context.js';
import type { Persona } from './types.js';

const REF = 'https://marketplace.zoom.us/docs/api-reference/scim-api/';

/** The eleven SCIM2 endpoints Zoom lists, each limited on its own. */
const ENDPOINTS: Array<[operation: ScimOperation, resourceType: string, label: string]> = [
  ['list', 'User', 'GET /Users'],
  ['create', 'User', 'POST /Users'],
  ['get', 'User', 'GET /Users/{userId}'],
  ['replace', 'User', 'PUT /Users/{userId}'],
  ['patch', 'User', 'PATCH /Users/{userId}'],
  ['delete', 'User', 'DELETE /Users/{userId}'],
  ['list', 'Group', 'GET /Groups'],
  ['create', 'Group', 'POST /Groups'],
  ['get', 'Group', 'GET /Groups/{groupId}'],
  ['patch', 'Group', 'PATCH /Groups/{groupId}'],
  ['delete', 'Group', 'DELETE /Groups/{groupId}'],
];

const perEndpoint: FaultRuleInput[] = ENDPOINTS.map(([operation, resourceType, label]) => ({
  id: `persona-zoom-${operation}-${resourceType.toLowerCase()}`,
  name: `Zoom: ${label}, 1 request per second`,
  match: { operation, resourceType },
  action: { type: 'rateLimit', limit: 1, windowMs: 1000, detail: 'Zoom: each SCIM2 API endpoint has a rate limit of 1 request/second per account.' },
}));

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
    rateLimits: { value: perEndpoint, source: REF, note: 'each SCIM2 endpoint: 1 request per second per account; 429. This is the marketplace reference; the newer reference (https://developers.zoom.us/docs/api/rest/scim-api/) drops the sentence, points to the rate-limit page and gives endpoints rate-limit labels (Light, Medium: on Business+ accounts 80 and 60 requests per second per label, https://marketplace.zoom.us/docs/api-reference/rate-limits), which Scimulator does not model: the 1 per second here is stricter than those' },
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
