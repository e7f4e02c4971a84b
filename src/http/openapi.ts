/**
 * The OpenAPI 3.1 description of the control API, served at <control path>/openapi.json. Kept beside the
 * routes in control.ts, faults/control.ts and journal/control.ts; test/control/openapi-contract.test.ts checks
 * that every route is listed and that what each route answers is what this document says (every status, every
 * property of every JSON body), so a client generated from it can read every answer.
 *
 * The schemas leave objects open (no additionalProperties: false), so that a client generated from this version
 * keeps working when a later one adds a property.
 */
import { BEHAVIOUR_CODES, MAX_RETRY_STORM_LIMIT, MAX_RETRY_STORM_WINDOW_SECONDS } from '../behaviour/codes.js';
import { AUTH_MODES, MAX_TOKEN_LIFETIME } from '../config.js';
import { FAULT_ACTION_TYPES, SCIM_OPERATIONS, SCIM_TYPES } from '../faults/types.js';
import { PERSONA_NAMES } from '../personas/index.js';
import { MEMBER_POLICIES } from '../scim/member-policy.js';
import { PROFILE_NAMES } from '../tenant-config.js';
import { VERSION } from '../version.js';

type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Schema = { type: 'object' }) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema?: Schema) => ({ description, ...(schema ? json(schema) : {}) });
const noContent = (description: string) => ({ description });
const error = { description: 'Bad request: { error, field? } names what to fix', ...json(ref('Error')) };
const notFound = { description: 'Unknown id', ...json(ref('Error')) };
const integer = { type: 'integer' };
const string = { type: 'string' };
const boolean = { type: 'boolean' };
const dateTime = { type: 'string', format: 'date-time' };
const object = (properties: Record<string, Schema>, required?: string[]): Schema => ({ type: 'object', ...(required ? { required } : {}), properties });
const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
const oneOrMany = (item: Schema): Schema => ({ oneOf: [item, arrayOf(item)] });
/** The journal query's free-text condition (src/journal/text.ts). */
const TEXT_CONDITION = {
  type: 'string',
  minLength: 1,
  maxLength: 1024,
  description:
    'Occurs, case-insensitively, in the method, the path and query, the request headers (credentials redacted: a redacted secret is never found), the request body or the response body (their text as kept: JSON as sent, where text JSON escapes is found escaped too, and as the entry shows it decoded)',
};

/** What GET /requests and POST /requests/find answer. */
const journalPage = ok('Matching entries, oldest first unless order=desc', object({ requests: arrayOf(ref('JournalEntry')), count: integer, lastSeq: integer }, ['requests', 'count', 'lastSeq']));

/** Each tenant-scoped path, documented once and listed under both the default and the /tenants/{tenantId} prefix. */
function tenantScopedPaths(): Record<string, Schema> {
  return {
    '/reset': {
      post: {
        summary: 'Return the tenant to its seed state; clears faults and journal unless ?keep=faults,journal',
        parameters: [{ name: 'keep', in: 'query', schema: string, example: 'faults,journal' }],
        responses: { 200: ok('Reset done', object({ reset: { const: true }, tenant: string, ms: { type: 'number', description: 'How long the reset took' } }, ['reset', 'tenant', 'ms'])), 400: error },
      },
    },
    '/snapshot': {
      get: { summary: 'The whole state of the tenant as a snapshot document', responses: { 200: ok('Snapshot', ref('Snapshot')) } },
      put: {
        summary: 'Replace the whole state with a snapshot document',
        description: 'Every resource is checked against the schemas of its resource type before anything loads; a document with a problem is refused whole with 400, naming its JSON pointer.',
        requestBody: json(ref('Snapshot')),
        responses: { 204: noContent('Loaded'), 400: error },
      },
    },
    '/config': {
      get: { summary: 'The tenant runtime options', responses: { 200: ok('Config', ref('Config')) } },
      patch: { summary: 'Change some runtime options', requestBody: json(ref('Config')), responses: { 200: ok('Config after the change', ref('Config')), 400: error } },
    },
    '/clock': {
      get: { summary: 'The tenant clock', responses: { 200: ok('Now', ref('Clock')) } },
      post: {
        summary: 'Freeze, advance or return the tenant clock to real time (send exactly one field)',
        requestBody: json(object({ freeze: dateTime, advance: { type: 'number', minimum: 0, description: 'Milliseconds' }, real: { const: true } })),
        responses: { 200: ok('Now', ref('Clock')), 400: error },
      },
    },
    '/faults': {
      get: { summary: 'The fault rules, in evaluation order, with counters and their state (pending, active, over) on the tenant clock', responses: { 200: ok('Rules', object({ faults: arrayOf(ref('FaultRule')) }, ['faults'])) } },
      post: { summary: 'Add a fault rule', requestBody: json(ref('FaultRuleInput')), responses: { 201: ok('The rule with its id', ref('FaultRule')), 400: error } },
      delete: { summary: 'Remove every fault rule', responses: { 204: noContent('Removed') } },
    },
    '/faults/{faultId}': {
      get: { summary: 'One fault rule', responses: { 200: ok('Rule', ref('FaultRule')), 404: notFound } },
      delete: { summary: 'Remove one fault rule', responses: { 204: noContent('Removed'), 404: notFound } },
    },
    '/requests': {
      get: {
        summary: 'Journal entries matching query-string filters (method, path, operation, resourceType, status, from, to, hasWarnings, warningCode, hasFindings, findingCode, fault, body, text, since, limit, order)',
        parameters: [
          { name: 'text', in: 'query', schema: TEXT_CONDITION },
          { name: 'response', in: 'query', description: '`none` leaves responseHeaders and responseBody out of the entries (GET /requests/{requestId} has them)', schema: { enum: ['full', 'none'], default: 'full' } },
        ],
        responses: { 200: journalPage, 400: error },
      },
      delete: { summary: 'Clear the journal', responses: { 204: noContent('Cleared') } },
    },
    '/requests/{requestId}': { get: { summary: 'One journal entry', responses: { 200: ok('Entry', ref('JournalEntry')), 404: notFound } } },
    '/requests/find': { post: { summary: 'Journal entries matching a JSON query', requestBody: json(ref('JournalQuery')), responses: { 200: journalPage, 400: error } } },
    '/requests/count': { post: { summary: 'How many journal entries match a JSON query', requestBody: json(ref('JournalQuery')), responses: { 200: ok('Count', object({ count: integer }, ['count'])), 400: error } } },
    '/requests/export': {
      get: {
        summary: 'The journal as NDJSON (?format=ndjson, the default) or HAR 1.2 (?format=har); the journal filters of GET /requests apply',
        parameters: [{ name: 'format', in: 'query', schema: { enum: ['ndjson', 'har'], default: 'ndjson' } }],
        responses: {
          200: {
            description: 'Export, sent as an attachment',
            content: { 'application/x-ndjson': { schema: { type: 'string', description: 'One JournalEntry as JSON a line' } }, 'application/json': { schema: ref('Har') } },
          },
          400: error,
        },
      },
    },
    '/requests/wait': {
      get: {
        summary: 'Long-poll for the first entry after ?since=N matching the query (the filters of GET /requests; timeoutMs up to 60000, default 5000)',
        parameters: [{ name: 'timeoutMs', in: 'query', schema: { type: 'integer', minimum: 0, maximum: 60000 } }],
        responses: {
          200: ok('Entry', ref('JournalEntry')),
          400: error,
          404: { description: 'The tenant was deleted while waiting', ...json(ref('Error')) },
          408: { description: 'No matching entry within timeoutMs', ...json(ref('Error')) },
          503: { description: 'The server began shutting down while waiting', ...json(ref('Error')) },
        },
      },
    },
    '/oauth': {
      get: {
        summary: 'OAuth 2.0 settings of the tenant (auth mode, token endpoint, client id, token lifetime) and how many issued tokens are active or expired; the lifetime is set with PATCH /config {"auth": {"tokenLifetime": seconds}}',
        responses: { 200: ok('OAuth', ref('OAuth')) },
      },
    },
    '/oauth/tokens': { delete: { summary: 'Revoke every access token the tenant issued: they answer 401 invalid_token from now on', responses: { 200: ok('{ revoked }', object({ revoked: integer }, ['revoked'])) } } },
    '/requests/stream': {
      get: {
        summary: 'The journal live, as Server-Sent Events (text/event-stream); the dashboard reads it',
        description:
          'Events: `hello` once ({lastSeq, size, capacity, evicted, cleared, since, journal}: `journal` is the id of this journal, new after a restart or when a tenant is created again, its seqs starting over); one unnamed event per journal entry, its `id` the entry seq; ' +
          '`dropped` ({missed}) when entries left the journal before this viewer read them (a slow reader never makes the server buffer more ' +
          'than about 1 MiB for it); `stats` every 5 s ({lastSeq, size, capacity, evicted, cleared}); `cleared` (the same counters) at once when the journal is cleared (DELETE /requests, a reset): `cleared` is the last seq that clear removed, so a viewer drops what it shows up to it (0 before the first clear). Starts after `since` (or the `Last-Event-ID` ' +
          'header), or with the last `tail` matching entries, or (neither) with the next entry. The journal filters of GET /requests apply ' +
          '(except order); `limit` ends the stream after that many entries, `timeoutMs` after that long; otherwise it runs until the client leaves. ' +
          '`response=none` leaves responseHeaders and responseBody out of the entries (GET /requests/{requestId} has them); it is what the dashboard reads. ' +
          'With --control-token, send it in Authorization (EventSource cannot: read the stream with fetch()).',
        parameters: [
          { name: 'since', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'tail', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1 } },
          { name: 'timeoutMs', in: 'query', schema: { type: 'integer', minimum: 0 } },
          { name: 'response', in: 'query', schema: { enum: ['full', 'none'], default: 'full' } },
          { name: 'Last-Event-ID', in: 'header', schema: string },
        ],
        responses: { 200: { description: 'The event stream', content: { 'text/event-stream': { schema: string } } }, 400: error },
      },
    },
    '/conformance': {
      get: {
        summary:
          'Without format: the conformance warnings this tenant saw and, apart from them, its behaviour findings (code, RFC section, count, first request id). With ?format=json|junit|text: the conformance report, one check per known code, passed or failed, for every tenant under the control path itself and for one tenant under /tenants/{tenantId} (JUnit: one testsuite per tenant)',
        parameters: [{ name: 'format', in: 'query', schema: { enum: ['json', 'junit', 'text'] } }],
        responses: {
          200: {
            description: 'The summary (no format), or the report in the format asked for',
            content: { 'application/json': { schema: { oneOf: [ref('ConformanceSummary'), ref('ConformanceReport')] } }, 'application/xml': { schema: string }, 'text/plain': { schema: string } },
          },
          400: error,
        },
      },
    },
    '/behaviour': {
      get: {
        summary: 'What the behaviour analyser found: per code, and per client (credential digest and User-Agent) the findings with their request ids',
        responses: { 200: ok('Report', ref('BehaviourReport')) },
      },
      delete: { summary: 'Forget every client and finding (journal entries keep theirs)', responses: { 204: noContent('Cleared') } },
    },
  };
}

/** A string condition of a fault rule: the exact value, a substring, or a regular expression. */
const stringCondition: Schema = {
  oneOf: [string, object({ contains: string, ignoreCase: boolean }, ['contains']), object({ matches: string, ignoreCase: boolean }, ['matches'])],
};

/** Each fault action, its `type` the discriminator. */
function faultActions(): Record<string, Schema> {
  const phase = { enum: ['before', 'after'], description: '"after" runs the real handler first (it commits), then the client gets the fault' };
  const action = (type: string, properties: Record<string, Schema>, required: string[] = []) => object({ type: { const: type }, ...properties }, ['type', ...required]);
  return {
    latency: action('latency', { ms: { ...integer, minimum: 0, description: 'A fixed delay' }, minMs: { ...integer, minimum: 0 }, maxMs: { ...integer, minimum: 0, description: 'With minMs: a uniform draw from the seeded generator' } }),
    error: action(
      'error',
      { phase, status: { ...integer, minimum: 400, maximum: 599 }, scimType: { enum: [...SCIM_TYPES] }, detail: string, retryAfter: { oneOf: [{ ...integer, minimum: 0 }, string], description: 'Seconds or an HTTP date; 429 and 503 send 1 when absent' } },
      ['status'],
    ),
    conflict: action('conflict', { kind: { enum: ['uniqueness', 'precondition'] }, detail: string }, ['kind']),
    reset: action('reset', { phase }),
    hang: action('hang', { phase, maxMs: { ...integer, minimum: 1, description: 'Destroy the socket after this long (default 300000)' } }),
    malformed: action('malformed', { variant: { enum: ['truncated', 'html', 'empty'] } }),
    rateLimit: action('rateLimit', { limit: { ...integer, minimum: 1 }, windowMs: { ...integer, minimum: 1 }, detail: string }, ['limit', 'windowMs']),
    throttle: action('throttle', { bytesPerSecond: { ...integer, minimum: 1 } }, ['bytesPerSecond']),
    drift: action('drift', { insert: { ...integer, minimum: 0 }, delete: { ...integer, minimum: 0 } }),
    lag: action('lag', { ms: { ...integer, minimum: 1 }, reads: { ...boolean, description: 'GET by id sees the previous state too' } }, ['ms']),
  };
}

function componentSchemas(): Record<string, Schema> {
  const actions = faultActions();
  const headers = { type: 'object', additionalProperties: { oneOf: [string, integer, arrayOf(string)] } };
  const warning = object({ code: string, rfc: string, detail: string }, ['code', 'rfc', 'detail']);
  const finding = object({ code: { enum: [...BEHAVIOUR_CODES] }, rfc: string, detail: string, requestIds: arrayOf(string) }, ['code', 'rfc', 'detail', 'requestIds']);
  const tally = object({ code: string, rfc: string, count: integer, requests: integer, firstRequestId: string, example: string }, ['code', 'rfc', 'count', 'requests', 'firstRequestId', 'example']);
  const behaviourSettings = {
    enabled: boolean,
    disabled: arrayOf({ enum: [...BEHAVIOUR_CODES] }),
    retryStorm: object({ limit: { ...integer, minimum: 1, maximum: MAX_RETRY_STORM_LIMIT }, windowSeconds: { ...integer, minimum: 1, maximum: MAX_RETRY_STORM_WINDOW_SECONDS } }),
  };
  const faultRuleFields = {
    id: string,
    name: string,
    match: ref('FaultMatch'),
    action: ref('FaultAction'),
    probability: { type: 'number', minimum: 0, maximum: 1 },
    times: { ...integer, minimum: 1 },
    after: { ...integer, minimum: 0 },
  };
  return {
    Error: object({ error: string, field: string }, ['error']),
    Snapshot: object({ format: { const: 'scimulator-snapshot' }, version: { const: 1 }, sequence: integer, resources: { type: 'object', description: 'Resource type name -> its resources' } }, ['format', 'version', 'sequence', 'resources']),
    Config: object({
      tenant: { ...string, readOnly: true },
      profile: { enum: [...PROFILE_NAMES] },
      auth: object({
        mode: { enum: [...AUTH_MODES] },
        token: string,
        basicUser: string,
        basicPassword: string,
        clientId: { ...string, description: 'OAuth 2.0 client_id (mode oauth)' },
        clientSecret: { ...string, description: 'OAuth 2.0 client_secret (mode oauth)' },
        tokenLifetime: { ...integer, minimum: 1, maximum: MAX_TOKEN_LIFETIME, description: 'Seconds an access token lives on the tenant clock (mode oauth)' },
        me: { type: ['string', 'null'], description: 'The userName /Me stands for; null (in a PATCH) for none' },
      }),
      defaultPageSize: { ...integer, minimum: 1 },
      maxPageSize: { ...integer, minimum: 1 },
      patchStatus: { type: 'object', additionalProperties: { enum: [200, 204] }, description: 'Resource type name -> status of a successful PATCH' },
      groupDisplayNameUnique: boolean,
      warningsHeader: boolean,
      cursorTimeout: { ...integer, minimum: 1, description: 'Seconds' },
      bulkMaxOperations: { ...integer, minimum: 1 },
      bulkMaxPayload: { ...integer, minimum: 1, description: 'Bytes; at most --max-body' },
      advertisePagination: boolean,
      memberPolicy: { enum: [...MEMBER_POLICIES] },
      persona: { enum: [...PERSONA_NAMES, null] },
      behaviour: object(behaviourSettings),
    }),
    Clock: object({ now: dateTime, frozen: boolean }, ['now', 'frozen']),
    Health: object({ status: { const: 'ok' }, version: string, uptimeMs: integer, tenants: integer }, ['status', 'version', 'uptimeMs', 'tenants']),
    TenantList: object({ tenants: arrayOf(object({ id: string, baseUrl: string, profile: { enum: [...PROFILE_NAMES] } }, ['id', 'baseUrl', 'profile'])) }, ['tenants']),
    TenantSpec: object({
      id: { ...string, pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' },
      seed: integer,
      users: { ...integer, minimum: 0 },
      groups: { ...integer, minimum: 0 },
      seedFile: { ...string, description: 'A seed file path on the server' },
      profile: { enum: [...PROFILE_NAMES] },
      persona: { enum: [...PERSONA_NAMES] },
      token: string,
      me: string,
    }),
    TenantCreated: {
      description: "The tenant and the credentials of its auth mode: token (bearer, none); basicUser and basicPassword (basic); tokenEndpoint, clientId and clientSecret (oauth)",
      oneOf: [
        object({ id: string, baseUrl: string, auth: { enum: ['bearer', 'none'] }, token: string }, ['id', 'baseUrl', 'auth', 'token']),
        object({ id: string, baseUrl: string, auth: { const: 'basic' }, basicUser: string, basicPassword: string }, ['id', 'baseUrl', 'auth', 'basicUser', 'basicPassword']),
        object({ id: string, baseUrl: string, auth: { const: 'oauth' }, tokenEndpoint: string, clientId: string, clientSecret: string }, ['id', 'baseUrl', 'auth', 'tokenEndpoint', 'clientId', 'clientSecret']),
      ],
    },
    BehaviourReport: object(
      {
        tenant: string,
        ...behaviourSettings,
        totalFindings: integer,
        summary: arrayOf(
          object(
            { code: { enum: [...BEHAVIOUR_CODES] }, rfc: string, informational: boolean, count: integer, clients: integer, firstRequestId: string, example: string, fix: string },
            ['code', 'rfc', 'informational', 'count', 'clients', 'firstRequestId', 'example', 'fix'],
          ),
        ),
        clients: arrayOf(
          object(
            {
              client: { ...string, description: 'c- and 12 hex digits of a SHA-256 of tenant, Authorization and User-Agent' },
              userAgent: string,
              credentials: { ...string, description: 'The authorization scheme only' },
              firstSeen: dateTime,
              lastSeen: dateTime,
              requests: integer,
              findingCounts: { type: 'object', additionalProperties: integer },
              findings: arrayOf({ allOf: [finding, object({ time: dateTime, client: string }, ['time', 'client'])] }),
            },
            ['client', 'userAgent', 'credentials', 'firstSeen', 'lastSeen', 'requests', 'findingCounts', 'findings'],
          ),
        ),
        bounds: { type: 'object', additionalProperties: integer, description: 'The most the analyser keeps of each kind of state' },
        state: object({ clients: integer, operations: integer, walks: integer, resources: integer, findings: integer }, ['clients', 'operations', 'walks', 'resources', 'findings']),
      },
      ['tenant', 'enabled', 'disabled', 'retryStorm', 'totalFindings', 'summary', 'clients', 'bounds', 'state'],
    ),
    FaultMatch: object({
      method: oneOrMany(string),
      path: { ...string, description: 'A glob on the path relative to the SCIM base path: * one segment, ** any' },
      resourceType: oneOrMany(string),
      operation: oneOrMany({ enum: [...SCIM_OPERATIONS] }),
      query: { type: 'object', additionalProperties: stringCondition },
      headers: { type: 'object', additionalProperties: stringCondition },
      body: { description: 'A body condition ({path, equals|contains|matches|exists, ignoreCase} or {anyOf: [...]}), or a list of them that must all hold' },
      bulkOperation: {
        description: 'POST /Bulk only: fail one operation (0-based index, or method and/or path glob) with the error or conflict action; the others run',
        oneOf: [{ ...integer, minimum: 0 }, object({ method: oneOrMany(string), path: string })],
      },
    }),
    FaultAction: { oneOf: Object.keys(actions).map((type) => ref(`FaultAction_${type}`)), discriminator: { propertyName: 'type', mapping: Object.fromEntries(Object.keys(actions).map((type) => [type, `#/components/schemas/FaultAction_${type}`])) } },
    ...Object.fromEntries(Object.entries(actions).map(([type, schema]) => [`FaultAction_${type}`, schema])),
    FaultRuleInput: object(
      {
        ...faultRuleFields,
        from: { ...string, description: 'RFC 3339 date-time, or "+10s" / "+500ms" / "+2m" / "+1h" after the rule is added (tenant clock)' },
        until: { ...string, description: 'as from; exclusive' },
      },
      ['action'],
    ),
    FaultRule: object(
      {
        ...faultRuleFields,
        from: { ...dateTime, description: 'Resolved on the tenant clock when the rule was added' },
        until: { ...dateTime, description: 'Exclusive' },
        state: { enum: ['pending', 'active', 'over'] },
        matched: { ...integer, description: 'Requests that met match while the rule was active' },
        fired: { ...integer, description: 'Times the rule acted (rateLimit: requests it refused)' },
        lastFiredAt: dateTime,
        retired: { ...boolean, description: 'fired reached times' },
      },
      ['id', 'match', 'action', 'probability', 'after', 'state', 'matched', 'fired', 'retired'],
    ),
    OAuth: object(
      { mode: { enum: [...AUTH_MODES] }, tokenEndpoint: string, clientId: string, tokenLifetime: integer, activeTokens: integer, expiredTokens: integer },
      ['mode', 'tokenEndpoint', 'clientId', 'tokenLifetime', 'activeTokens', 'expiredTokens'],
    ),
    JournalQuery: object({
      method: oneOrMany(string),
      path: { ...string, description: 'A glob on relativePath: * one segment, ** any' },
      operation: oneOrMany({ enum: [...SCIM_OPERATIONS] }),
      resourceType: string,
      status: { ...oneOrMany({ oneOf: [integer, string] }), description: 'A status (404), a class ("4xx"), or a list of them' },
      from: { ...dateTime, description: 'Inclusive' },
      to: { ...dateTime, description: 'Inclusive' },
      hasWarnings: boolean,
      warningCode: string,
      hasFindings: boolean,
      findingCode: string,
      fault: { oneOf: [boolean, string], description: 'true: a fault fired; false: none did; a string: that rule (by id or name) fired' },
      body: { description: 'A body condition, as a fault rule match takes' },
      text: TEXT_CONDITION,
      since: { ...integer, minimum: 0 },
      limit: { ...integer, minimum: 1, maximum: 10000, description: 'Default 100' },
      order: { enum: ['asc', 'desc'] },
    }),
    JournalEntry: object(
      {
        id: { ...string, description: '"req-" and seq' },
        seq: integer,
        time: dateTime,
        tenant: string,
        method: string,
        path: string,
        relativePath: string,
        query: { type: 'object', description: 'Query parameters as received; a repeated one as a list' },
        requestHeaders: headers,
        requestBody: { description: 'Parsed JSON (password values "[REDACTED]"), text when not JSON, null when none' },
        requestBodyTruncated: boolean,
        status: { ...integer, description: '0 when the connection was destroyed without a response' },
        responseHeaders: headers,
        responseBody: { description: 'Parsed JSON when the response was JSON, text otherwise, null when none' },
        responseBodyTruncated: boolean,
        durationMs: { type: 'number' },
        operation: { enum: [...SCIM_OPERATIONS] },
        resourceType: { type: ['string', 'null'] },
        fault: {
          oneOf: [
            { type: 'null' },
            object({ id: string, name: string, action: { enum: [...FAULT_ACTION_TYPES] }, phase: { const: 'after' }, inserted: arrayOf(string), deleted: arrayOf(string), operations: arrayOf(integer) }, ['id', 'action']),
          ],
        },
        warnings: arrayOf(warning),
        committed: {
          description: 'What the real handler answered when an "after" fault replaced it',
          oneOf: [{ type: 'null' }, object({ status: integer, responseHeaders: headers, responseBody: {}, responseBodyTruncated: boolean }, ['status', 'responseHeaders', 'responseBody', 'responseBodyTruncated'])],
        },
        outcome: { enum: ['completed', 'aborted', 'reset'] },
        client: { type: ['string', 'null'] },
        findings: arrayOf(finding),
      },
      ['id', 'seq', 'time', 'tenant', 'method', 'path', 'relativePath', 'query', 'requestHeaders', 'requestBody', 'requestBodyTruncated', 'status', 'responseHeaders', 'responseBody', 'responseBodyTruncated', 'durationMs', 'operation', 'resourceType', 'fault', 'warnings', 'committed', 'outcome', 'client', 'findings'],
    ),
    ConformanceSummary: object(
      { totalRequests: integer, requestsWithWarnings: integer, warnings: arrayOf(tally), requestsWithFindings: integer, behaviour: arrayOf(tally) },
      ['totalRequests', 'requestsWithWarnings', 'warnings', 'requestsWithFindings', 'behaviour'],
    ),
    ConformanceReport: object(
      {
        tenants: arrayOf(
          object(
            {
              tenant: string,
              profile: string,
              recording: boolean,
              totalRequests: integer,
              requestsWithWarnings: integer,
              requestsWithFindings: integer,
              evicted: integer,
              checks: arrayOf(
                object(
                  {
                    code: string,
                    kind: { enum: ['deviation', 'informational', 'unlisted'] },
                    rfc: string,
                    checks: string,
                    finding: { const: true },
                    status: { enum: ['passed', 'failed', 'skipped'] },
                    reason: string,
                    count: integer,
                    requests: integer,
                    first: object({ id: string, method: string, path: string }, ['id', 'method', 'path']),
                    example: string,
                  },
                  ['code', 'kind', 'rfc', 'checks', 'status', 'count', 'requests'],
                ),
              ),
            },
            ['tenant', 'recording', 'totalRequests', 'requestsWithWarnings', 'requestsWithFindings', 'evicted', 'checks'],
          ),
        ),
        tests: integer,
        failures: integer,
        skipped: integer,
      },
      ['tenants', 'tests', 'failures', 'skipped'],
    ),
    Har: object({ log: object({ version: { const: '1.2' }, creator: object({ name: string, version: string }, ['name', 'version']), entries: arrayOf({ type: 'object' }) }, ['version', 'creator', 'entries']) }, ['log']),
  };
}

export function controlOpenApi(controlPath: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/health': { get: { summary: 'Liveness, version, uptime', responses: { 200: ok('Healthy', ref('Health')) } } },
    '/openapi.json': { get: { summary: 'This document', responses: { 200: ok('OpenAPI 3.1', { type: 'object' }) } } },
    '/tenants': {
      get: { summary: 'The tenants with their SCIM base URLs', responses: { 200: ok('Tenants', ref('TenantList')) } },
      post: {
        summary: 'Create an isolated tenant (own store, faults, journal, clock, config, token)',
        description: 'A generated directory is seeded in slices while other tenants keep being served; the response comes once the tenant is completely seeded, and until then it is neither listed nor served (its id is taken: 409).',
        requestBody: json(ref('TenantSpec')),
        responses: { 201: ok('The tenant and how to reach it', ref('TenantCreated')), 400: error, 409: { description: 'The id is taken', ...json(ref('Error')) } },
      },
    },
    '/tenants/{tenantId}': { delete: { summary: 'Delete a tenant', responses: { 204: noContent('Deleted'), 404: notFound } } },
  };
  for (const [path, item] of Object.entries(tenantScopedPaths())) {
    paths[path] = item;
    paths[`/tenants/{tenantId}${path}`] = item;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Scimulator control API', version: VERSION, description: 'Drive the SCIM test double from tests: faults, journal, tenants, clock, snapshots.' },
    servers: [{ url: controlPath }],
    paths,
    components: {
      securitySchemes: { controlToken: { type: 'http', scheme: 'bearer', description: 'Only when the server runs with --control-token' } },
      schemas: componentSchemas(),
    },
  };
}
