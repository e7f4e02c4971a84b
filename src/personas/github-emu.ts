/** GitHub Enterprise Cloud with Enterprise Managed Users, from GitHub's REST reference and provisioning guide. */
import type { Persona } from './types.js';

const REST = 'https://docs.github.com/en/enterprise-cloud@latest/rest/enterprise-admin/scim';
const GUIDE = 'https://docs.github.com/en/enterprise-cloud@latest/admin/managing-iam/provisioning-user-accounts-with-scim/provisioning-users-and-groups-with-scim-using-the-rest-api';

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
      note: 'do not assign more than 1,000 users per hour; 429 with Retry-After (https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api)',
    },
  },
  notDocumented: {
    sort: 'sortBy',
    etag: 'ETags and meta.version',
    maxMembersPerWrite: 'a limit on members per request (only 1,000 users added to each group per hour, which is not a per-request limit)',
    memberPolicy: 'the answer to a member id that names no user ("ensure users are created before referencing them")',
    patchStatus: 'which of 200 and 204 a group PATCH answers (both are listed)',
  },
};
