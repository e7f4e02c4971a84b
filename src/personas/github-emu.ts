/** GitHub Enterprise Cloud with Enterprise Managed Users, from GitHub's REST reference and provisioning guide. */
import type { Persona } from './types.js';

const REST = 'https://docs.github.com/en/enterprise-cloud@latest/rest/enterprise-admin/scim';
const GUIDE = 'https://docs.github.com/en/enterprise-cloud@latest/admin/managing-iam/provisioning-user-accounts-with-scim/provisioning-users-and-groups-with-scim-using-the-rest-api';
const GETTING_STARTED = 'https://docs.github.com/en/enterprise-cloud@latest/rest/using-the-rest-api/getting-started-with-the-rest-api#user-agent';
const RATE_LIMITS = 'https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api';

export const GITHUB_EMU: Persona = {
  name: 'github',
  title: 'GitHub Enterprise Managed Users',
  documentation: REST,
  settings: {
    unsupported: {
      value: { status: 400, scimType: 'invalidValue' },
      source: `${GUIDE}#send-valid-requests-to-rest-api-endpoints`,
      note: 'requests that do not match the API\'s expectations return 400 Bad Request',
    },
    documentationUri: { value: REST, source: REST },
    filter: {
      value: {
        operators: ['eq'],
        logical: [],
        valuePaths: false,
        attributes: {
          User: [['userName'], ['externalId'], ['id'], ['displayName']],
          Group: [['externalId'], ['id'], ['displayName']],
        },
        error: { status: 400, scimType: 'invalidFilter' },
      },
      source: `${REST}#list-scim-provisioned-identities-for-an-enterprise`,
      note: `one filter only ("multiple filters are not supported"); Users: userName, externalId, id, displayName; Groups (${REST}#list-provisioned-scim-groups-for-an-enterprise): externalId, id, displayName`,
    },
    pageSize: { value: { default: 30, max: 1000 }, source: `${REST}#list-scim-provisioned-identities-for-an-enterprise`, note: 'count defaults to 30; the largest page is not documented (Scimulator\'s 1000 kept)' },
    uniqueAttributes: {
      value: { User: ['externalId'] },
      source: `${REST}#provision-a-scim-enterprise-user`,
      note: 'userName (unique in every SCIM service) and externalId are unique: a duplicate is 409 "Duplicate record detected"',
    },
    patchPathFilters: {
      value: false,
      source: `${REST}#update-an-attribute-for-a-scim-enterprise-user`,
      note: 'paths with filters such as emails[type eq "work"] are documented as not supported; Scimulator answers 400',
    },
    rateLimits: {
      value: [
        {
          id: 'persona-github-user-provisioning',
          name: 'GitHub: at most 1,000 users provisioned per hour',
          match: { operation: 'create', resourceType: 'User' },
          action: { type: 'rateLimit', limit: 1000, windowMs: 3_600_000, detail: 'GitHub rate limit: do not provision more than 1,000 users per hour.' },
        },
      ],
      source: `${GUIDE}#understand-rate-limits-on-github`,
      note: `do not assign more than 1,000 users per hour; 429 with Retry-After (${RATE_LIMITS})`,
    },
    memberAdditionRate: {
      value: { limit: 1000, windowMs: 3_600_000 },
      source: `${GUIDE}#understand-rate-limits-on-github`,
      note: `"If you use groups to assign users to the IdP application, do not add more than 1,000 users to each group per hour. If you exceed these thresholds, attempts to provision users may fail with a 'rate limit' error": read as 1,000 members added to each Group per hour, counted per group on the tenant clock (a token bucket, as the rateLimits rule) for every member a POST, PUT or PATCH adds; a write that adds more than the group has left is refused whole, nothing stored. GitHub's rate-limited requests get "a 403 or 429 response" (${RATE_LIMITS}): Scimulator answers 429 with Retry-After, as for rateLimits. One request that adds more than 1,000 members to one group is refused after any wait: GitHub documents no answer of its own for it, so it is 429 without Retry-After (a connector that honours Retry-After would send it again forever), its detail naming the count and the limit and asking for requests of at most 1,000`,
    },
    requiredHeaders: {
      value: [{ name: 'User-Agent', error: { status: 403 }, message: 'Request forbidden by administrative rules. Please make sure your request has a User-Agent header' }],
      source: `${GUIDE}#send-valid-requests-to-rest-api-endpoints`,
      note: `"REST API endpoints for provisioning users with SCIM require a User-Agent header. GitHub will reject requests without this header"; the status from ${GETTING_STARTED}: "Requests with no User-Agent header will be rejected. If you provide an invalid User-Agent header, you will receive a 403 Forbidden response" (a missing or empty one is modelled; which non-empty values GitHub finds invalid is not documented). The message is GitHub's answer as quoted in https://gitlab.com/gitlab-org/gitlab/-/merge_requests/43852 (its pages do not give the body). Every SCIM endpoint is checked, discovery included, before authentication and rate limits; the control API and the dashboard's own requests are not SCIM traffic`,
    },
  },
  notDocumented: {
    sort: 'sortBy',
    etag: 'ETags and meta.version',
    maxMembersPerWrite: 'a limit on members per request (only the hourly budget of members added to each group: memberAdditionRate)',
    memberPolicy: 'the answer to a member id that names no user ("ensure users are created before referencing them")',
    patchStatus: 'which of 200 and 204 a group PATCH answers (both are listed)',
  },
};
