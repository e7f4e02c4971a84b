/** AWS IAM Identity Center, from its SCIM implementation developer guide. */
import type { Persona } from './types.js';

const GUIDE = 'https://docs.aws.amazon.com/singlesignon/latest/developerguide';

export const AWS_IAM_IDENTITY_CENTER: Persona = {
  name: 'aws',
  title: 'AWS IAM Identity Center',
  documentation: `${GUIDE}/what-is-scim.html`,
  settings: {
    unsupported: {
      value: { status: 400, scimType: 'invalidValue', code: 'ValidationException' },
      source: `${GUIDE}/listusers.html`,
      note: 'ValidationException (400) "also occurs if the operation is unsupported"',
    },
    documentationUri: { value: 'https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source-idp.html', source: `${GUIDE}/serviceproviderconfig.html` },
    filter: {
      value: {
        operators: ['eq'],
        logical: ['and'],
        valuePaths: false,
        attributes: {
          User: [['userName'], ['externalId'], ['groups.value'], ['id', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager']],
          Group: [['displayName'], ['externalId'], ['members.value'], ['id', 'members.value']],
        },
      },
      source: `${GUIDE}/listusers.html`,
      note: `only eq joined by and (${GUIDE}/limitations.html); Users: userName, externalId, groups.value, id and manager; Groups (${GUIDE}/listgroups.html): displayName, externalId, members.value, id and member`,
    },
    sort: { value: false, source: `${GUIDE}/serviceproviderconfig.html` },
    startIndex: { value: false, source: `${GUIDE}/listusers.html`, note: 'startIndex not supported; cursor paging (an empty cursor first, then nextCursor)' },
    pageSize: { value: { default: 100, max: 100 }, source: `${GUIDE}/listusers.html`, note: 'count "Default: 100", at most 100 results per page' },
    countRange: {
      value: { min: 1, max: 100 },
      source: `${GUIDE}/listusers.html`,
      note: `count "Valid Range: Minimum value of 1. Maximum value of 100" (also ${GUIDE}/listgroups.html), and a request that "violates schema" is a ValidationException (400): so count 0 or above 100 is refused, 400 invalidCount, with or without cursor (not capped as RFC 7644 would)`,
    },
    cursorTotalResults: {
      value: false,
      source: `${GUIDE}/listusers.html`,
      note: `"Including the cursor parameter changes the default response format from non-paginated (with totalResults, startIndex, and itemsPerPage fields) to cursor-based paginated results (with itemsPerPage and nextCursor fields)" (also ${GUIDE}/listgroups.html)`,
    },
    listProjection: { value: false, source: `${GUIDE}/listusers.html`, note: 'attributes and excludedAttributes not supported' },
    etag: { value: false, source: `${GUIDE}/serviceproviderconfig.html` },
    changePassword: { value: false, source: `${GUIDE}/serviceproviderconfig.html` },
    unremovableAttributes: { value: { User: ['userName', 'active'] }, source: `${GUIDE}/patchuser.html`, note: '"the remove patch operation is not supported for userName or active attributes" (a ValidationException); set active with replace' },
    singleOperationAttributes: {
      value: { User: ['userName', 'active'] },
      source: `${GUIDE}/patchuser.html`,
      note: 'PatchUser, not supported: "Multiple PATCH operations on userName or active attribute": read as a second operation on the same one of them in one request (by path or in a path-less value); a ValidationException. One operation on each, beside operations on other attributes, is taken (Entra ID and Okta send such requests to AWS)',
    },
    patchableAttributes: {
      value: {
        User: ['userName', 'active', 'externalId', 'displayName', 'nickName', 'profileUrl', 'title', 'userType', 'preferredLanguage', 'locale', 'timezone', 'name', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User', 'emails', 'addresses', 'phoneNumbers'],
        Group: ['displayName', 'members', 'externalId'],
      },
      source: `${GUIDE}/patchuser.html`,
      note: `PatchUser: "Modification is only allowed for the userName, active, externalId, displayName, nickName, profileUrl, title, userType, preferredLanguage, locale, timezone, name, enterprise, emails, addresses, and phoneNumbers attributes"; PatchGroup (${GUIDE}/patchgroup.html): "Only displayName, members, and externalId attributes are allowed in the request"; another is a ValidationException (readOnly ones such as the id Okta repeats in a group rename are left to the RFC answer)`,
    },
    requiredAttributes: {
      value: { User: ['name.givenName', 'name.familyName', 'displayName'] },
      source: `${GUIDE}/createuser.html`,
      note: `CreateUser and PutUser (${GUIDE}/putuser.html): "givenName, familyName, userName, and displayName are required" (userName is required by the schema already); one missing is a ValidationException`,
    },
    singleValued: {
      value: { User: ['emails', 'addresses', 'phoneNumbers', 'roles'] },
      source: `${GUIDE}/createuser.html`,
      note: `"We do not support multiple values in multi-value attributes (such as emails, addresses, phoneNumbers, roles). Only single values are permitted" (also PutUser and ${GUIDE}/patchuser.html; ${GUIDE}/limitations.html); a PATCH is checked on the attributes it changes`,
    },
    primaryRequired: { value: { User: ['emails'] }, source: `${GUIDE}/createuser.html`, note: 'CreateUser and PutUser: "The emails attribute value must be marked as primary"' },
    refusedAttributes: {
      value: { User: ['groups', 'password', 'ims', 'photos', 'x509Certificates', 'entitlements'] },
      source: `${GUIDE}/createuser.html`,
      note: `CreateUser and PutUser (${GUIDE}/putuser.html): "The groups field cannot be specified"; RFC 7643 would ignore the readOnly attribute, AWS answers a ValidationException; an empty list (Okta sends "groups": [] with every create) is taken as not specified. "Not supported: ... password attributes" (changePassword false, ${GUIDE}/serviceproviderconfig.html): a password is a ValidationException, not stored (PATCH: patchableAttributes); so are the other attributes CreateUser lists as not supported, "ims, photos, x509Certificates, entitlements"`,
    },
    maxMembersPerWrite: { value: 100, source: `${GUIDE}/creategroup.html` },
    groupDisplayNameUnique: { value: true, source: `${GUIDE}/creategroup.html`, note: 'CreateGroup: "ConflictException: Group already exists" (409); Scimulator compares displayName as the Group schema does (case-insensitively)' },
    maxMembershipChangesPerPatch: { value: 100, source: `${GUIDE}/patchgroup.html` },
    replaceAllMembers: { value: false, source: `${GUIDE}/patchgroup.html`, note: 'replacing or removing all memberships in one request is a ValidationException' },
    hiddenAttributes: { value: { Group: ['members'] }, source: `${GUIDE}/listgroups.html`, note: 'GetGroup and ListGroups return an empty member list; filter Groups on members.value instead' },
    unknownMemberFilter: {
      value: { status: 404, code: 'ResourceNotFoundException' },
      source: `${GUIDE}/listgroups.html`,
      note: 'ListGroups: ResourceNotFoundException (404) "when filter querying with a nonexisting member"',
    },
    unsupportedOperations: {
      value: [{ operation: 'bulk' }, { operation: 'search' }, { operation: 'me' }, { operation: 'replace', resourceType: 'Group' }],
      source: `${GUIDE}/limitations.html`,
      note: `no /Bulk, /.search or /Me; no PutGroup among the supported operations (${GUIDE}/supported-apis.html)`,
    },
    patchStatus: { value: { Group: 204 }, source: `${GUIDE}/patchgroup.html`, note: 'the PatchGroup example answers 204 without a body' },
  },
  notDocumented: {
    patchPathFilters: 'PATCH paths with value filters',
    memberPolicy: 'the answer to a member id that names no user (only a member filter naming an unknown user is documented: unknownMemberFilter)',
    rateLimits: 'numbers behind ThrottlingException (429)',
  },
};
