/** Atlassian Cloud user provisioning, from its REST reference and support articles. */
import type { Persona } from './types.js';

const REST = 'https://developer.atlassian.com/cloud/admin/user-provisioning/rest';
const FILTER_KB = 'https://support.atlassian.com/atlassian-cloud/kb/how-to-filter-users-in-provisioning-scim-using-rest-api';
const PAGING_KB = 'https://support.atlassian.com/atlassian-cloud/kb/how-to-fetch-all-users-via-user-provisioning-scim-api/';

export const ATLASSIAN_CLOUD: Persona = {
  name: 'atlassian',
  title: 'Atlassian Cloud',
  documentation: `${REST}/intro/`,
  settings: {
    documentationUri: { value: `${REST}/intro/`, source: `${REST}/intro/` },
    filter: {
      value: {
        operators: ['eq'],
        logical: [],
        valuePaths: false,
        attributes: { User: [['userName'], ['externalId']] },
        error: { status: 400, scimType: 'invalidFilter' },
      },
      source: `${REST}/api-group-users/`,
      note: `Get users: "filtering is supported with a single exact match (eq) against the userName and externalId attributes" (also ${FILTER_KB}); Group filters are not documented`,
    },
    sort: { value: false, source: `${REST}/api-group-users/`, note: 'Get users: "sorting is not supported"; the answer to sortBy is not documented, so Scimulator ignores it' },
    groupDisplayNameUnique: { value: true, source: `${REST}/api-group-groups/`, note: 'Create a group: "an attempt to create a group with an existing name will fail with a 409 (Conflict) error"' },
    immutableAttributes: {
      value: { Group: ['displayName'] },
      source: `${REST}/api-group-groups/`,
      note: 'Update a group: "Renaming groups after they\'ve synced to your Atlassian organization isn\'t supported ... create a new group with the desired name, update membership, and then delete the old group"; the status is not documented, so Scimulator answers RFC 7644\'s 400 mutability',
    },
    pageSize: { value: { default: 100, max: 1000 }, source: PAGING_KB, note: 'the first 100 users without count; the largest page is not documented (Scimulator\'s 1000 kept)' },
  },
  notDocumented: {
    unsupported: 'a general error for unsupported requests',
    etag: 'ETags and meta.version',
    maxMembersPerWrite: 'a limit on members per request',
    memberPolicy: 'the answer to a member id that names no user',
    patchStatus: 'a status other than 200 with the group',
    rateLimits: 'rate limits of the provisioning API',
  },
};
