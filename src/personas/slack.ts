/** Slack, from the SCIM API reference and its rate-limit page. */
import type { Persona } from './types.js';

const REF = 'https://docs.slack.dev/reference/scim-api';
const LIMITS = 'https://docs.slack.dev/reference/scim-api/rate-limits';
const OKTA_LONG_USERNAME = 'https://support.okta.com/help/s/article/Slack-Provisioning-error-Errors-reported-by-the-connector-Errors-description-long-username-user-code-400';
const SDK_SCIM = 'https://slack.dev/python-slack-sdk/scim/index.html';

/** A token bucket of `burst` requests refilled at `perMinute` per minute. */
const bucket = (perMinute: number, burst: number) => ({ type: 'rateLimit' as const, limit: burst, windowMs: Math.round((burst / perMinute) * 60_000) });

export const SLACK: Persona = {
  name: 'slack',
  title: 'Slack',
  documentation: REF,
  settings: {
    documentationUri: { value: REF, source: REF },
    pageSize: { value: { default: 10, max: 1000 }, source: `${REF}#get-users`, note: 'ten per page by default; count above 1,000 is read as 1,000 (https://api.slack.com/changelog/2019-06-have-scim-will-paginate)' },
    deactivateOnDelete: {
      value: ['User'],
      source: `${REF}/scim-api-2`,
      note: 'DELETE /Users/<id> "Sets a Slack user to deactivated" (DELETE /Groups/<id> "Permanently removes a group"): the user stays readable and listed with "active": false, and a new user cannot take its userName',
    },
    requiredAttributes: {
      value: { User: ['emails'] },
      source: `${REF}#post-users`,
      note: 'POST /Users "Must include the userName attribute and at least one email address"; errors (#errors): email_empty "The user\'s primary email is missing from the request"; a PUT without one is refused as well (missing_primary_email)',
    },
    lengthLimits: {
      value: { User: [{ path: 'userName', max: 21, unlessEmail: true, error: { status: 400, scimType: 'invalidValue', code: 'long_username' } }] },
      source: OKTA_LONG_USERNAME,
      note: `"The character limit is 21 characters for the Slack username on the Slack side", Slack answering {"Errors":{"description":"long_username (user=<user>)","code":400}} (Okta's article; Slack's own reference pages give no number); an email address is taken: POST /Users "You may provide an email address as the user_name value, but it will be automatically converted to a Slack-appropriate username" (${SDK_SCIM}); Scimulator keeps it as sent. The characters Slack allows in a username are not documented in its SCIM reference (not modelled)`,
    },
    inactiveMember: {
      value: { status: 400, scimType: 'invalidValue', code: 'unable_to_add_deleted_or_guest_to_group' },
      source: `${REF}#errors`,
      note: 'unable_to_add_deleted_or_guest_to_group: "Deleted or guest users cannot be added to the Group" (a deleted user is a deactivated one: deactivateOnDelete); the HTTP status is not documented (Scimulator\'s 400); guests are not modelled',
    },
    maxMembersPerWrite: { value: 15_000, source: `${REF}#post-groups`, note: '15,000 users per call (5,000 recommended)' },
    maxMembershipChangesPerPatch: { value: 15_000, source: `${REF}#patch-groups-id`, note: '15,000 users can be modified per call' },
    memberPolicy: { value: 'reject', source: `${REF}#errors`, note: 'unknown members fail with no_such_group_members; the HTTP status is not documented (Scimulator\'s 400)' },
    rateLimits: {
      value: [
        { id: 'persona-slack-user-create', name: 'Slack: POST /Users, 180 per minute, bursts of 20', match: { operation: 'create', resourceType: 'User' }, action: bucket(180, 20) },
        { id: 'persona-slack-user-update', name: 'Slack: PUT or PATCH /Users/<id>, 180 per minute, bursts of 20', match: { operation: ['replace', 'patch'], resourceType: 'User' }, action: bucket(180, 20) },
        { id: 'persona-slack-user-delete', name: 'Slack: DELETE /Users/<id>, 180 per minute, bursts of 20', match: { operation: 'delete', resourceType: 'User' }, action: bucket(180, 20) },
        { id: 'persona-slack-user-get', name: 'Slack: GET /Users/<id>, 300 per minute', match: { operation: 'get', resourceType: 'User' }, action: bucket(300, 300) },
        { id: 'persona-slack-group-create', name: 'Slack: POST /Groups, 180 per minute, bursts of 20', match: { operation: 'create', resourceType: 'Group' }, action: bucket(180, 20) },
        { id: 'persona-slack-group-update', name: 'Slack: PUT or PATCH /Groups/<id>, 180 per minute, bursts of 80', match: { operation: ['replace', 'patch'], resourceType: 'Group' }, action: bucket(180, 80) },
        { id: 'persona-slack-group-delete', name: 'Slack: DELETE /Groups/<id>, 180 per minute, bursts of 20', match: { operation: 'delete', resourceType: 'Group' }, action: bucket(180, 20) },
        { id: 'persona-slack-group-get', name: 'Slack: GET /Groups/<id>, 300 per minute', match: { operation: 'get', resourceType: 'Group' }, action: bucket(300, 300) },
        { id: 'persona-slack-writes', name: 'Slack: org-wide writes, 600 per minute, bursts of 180', match: { method: ['POST', 'PUT', 'PATCH', 'DELETE'] }, action: bucket(600, 180) },
        { id: 'persona-slack-reads', name: 'Slack: org-wide reads, 1,000 per minute', match: { method: 'GET' }, action: bucket(1000, 1000) },
      ],
      source: LIMITS,
      note: 'org-wide writes 600/min (bursts 180), reads 1,000/min; Users writes 180/min (bursts 20), GET a user 300/min; Groups POST and DELETE 180/min (bursts 20), PUT or PATCH 180/min (bursts 80), GET a group 300/min; 429 with Retry-After',
    },
  },
  notDocumented: {
    filter: 'the filters of SCIM v2 (the filter section covers v1.1 only)',
    sort: 'sortBy',
    etag: 'ETags and meta.version',
    patchStatus: 'a status other than 200 with the group (the PATCH example answers the group)',
    unsupported: 'a general error for unsupported requests',
  },
};
