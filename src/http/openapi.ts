/**
 * The OpenAPI 3.1 description of the control API, served at <control path>/openapi.json. Kept beside the
 * routes in control.ts, faults/control.ts and journal/control.ts; a test checks that every route is listed.
 */
import { BEHAVIOUR_CODES, MAX_RETRY_STORM_LIMIT, MAX_RETRY_STORM_WINDOW_SECONDS } from '../behaviour/codes.js';
import { PERSONA_NAMES } from '../personas/index.js';
import { VERSION } from '../version.js';

const json = (schema: Record<string, unknown> = { type: 'object' }) => ({ content: { 'application/json': { schema } } });
const ok = (description: string, schema?: Record<string, unknown>) => ({ description, ...(schema ? json(schema) : {}) });
const error = { description: 'Bad request: { error, field? } names what to fix', ...json({ $ref: '#/components/schemas/Error' }) };
const notFound = { description: 'Unknown id', ...json({ $ref: '#/components/schemas/Error' }) };

/** Each tenant-scoped path, documented once and listed under both the default and the /tenants/{tenantId} prefix. */
const tenantScoped: Record<string, Record<string, unknown>> = {
  '/reset': {
    post: {
      summary: 'Return the tenant to its seed state; clears faults and journal unless ?keep=faults,journal',
      parameters: [{ name: 'keep', in: 'query', schema: { type: 'string' }, example: 'faults,journal' }],
      responses: { 200: ok('Reset done', { type: 'object' }), 400: error },
    },
  },
  '/snapshot': {
    get: { summary: 'The whole state of the tenant as a snapshot document', responses: { 200: ok('Snapshot', { $ref: '#/components/schemas/Snapshot' }) } },
    put: {
      summary: 'Replace the whole state with a snapshot document',
      description: 'Every resource is checked against the schemas of its resource type before anything loads; a document with a problem is refused whole with 400, naming its JSON pointer.',
      requestBody: json({ $ref: '#/components/schemas/Snapshot' }),
      responses: { 204: ok('Loaded'), 400: error },
    },
  },
  '/config': {
    get: { summary: 'The tenant runtime options', responses: { 200: ok('Config', { $ref: '#/components/schemas/Config' }) } },
    patch: { summary: 'Change some runtime options', requestBody: json({ $ref: '#/components/schemas/Config' }), responses: { 200: ok('Config after the change'), 400: error } },
  },
  '/clock': {
    get: { summary: 'The tenant clock', responses: { 200: ok('Now', { type: 'object', properties: { now: { type: 'string' }, frozen: { type: 'boolean' } } }) } },
    post: {
      summary: 'Freeze, advance or return the tenant clock to real time (send exactly one field)',
      requestBody: json({ type: 'object', properties: { freeze: { type: 'string', format: 'date-time' }, advance: { type: 'number', minimum: 0 }, real: { const: true } } }),
      responses: { 200: ok('Now'), 400: error },
    },
  },
  '/faults': {
    get: { summary: 'The fault rules, in evaluation order, with counters and their state (pending, active, over) on the tenant clock', responses: { 200: ok('Rules', { type: 'object', properties: { faults: { type: 'array', items: { $ref: '#/components/schemas/FaultRule' } } } }) } },
    post: { summary: 'Add a fault rule', requestBody: json({ $ref: '#/components/schemas/FaultRule' }), responses: { 201: ok('The rule with its id'), 400: error } },
    delete: { summary: 'Remove every fault rule', responses: { 204: ok('Removed') } },
  },
  '/faults/{faultId}': {
    get: { summary: 'One fault rule', responses: { 200: ok('Rule'), 404: notFound } },
    delete: { summary: 'Remove one fault rule', responses: { 204: ok('Removed'), 404: notFound } },
  },
  '/requests': {
    get: { summary: 'Journal entries matching query-string filters (method, path, operation, resourceType, status, from, to, hasWarnings, warningCode, hasFindings, findingCode, fault, body, since, limit, order)', responses: { 200: ok('{ requests, count, lastSeq }'), 400: error } },
    delete: { summary: 'Clear the journal', responses: { 204: ok('Cleared') } },
  },
  '/requests/{requestId}': { get: { summary: 'One journal entry', responses: { 200: ok('Entry'), 404: notFound } } },
  '/requests/find': { post: { summary: 'Journal entries matching a JSON query', requestBody: json({ $ref: '#/components/schemas/JournalQuery' }), responses: { 200: ok('{ requests, count, lastSeq }'), 400: error } } },
  '/requests/count': { post: { summary: 'How many journal entries match a JSON query', requestBody: json({ $ref: '#/components/schemas/JournalQuery' }), responses: { 200: ok('{ count }'), 400: error } } },
  '/requests/export': { get: { summary: 'The journal as NDJSON (?format=ndjson) or HAR 1.2 (?format=har)', responses: { 200: ok('Export') } } },
  '/requests/wait': { get: { summary: 'Long-poll for the first entry after ?since=N matching the query (timeoutMs up to 60000)', responses: { 200: ok('Entry'), 408: ok('Timed out') } } },
  '/oauth': {
    get: {
      summary: 'OAuth 2.0 settings of the tenant (auth mode, token endpoint, client id, token lifetime) and how many issued tokens are active or expired; the lifetime is set with PATCH /config {"auth": {"tokenLifetime": seconds}}',
      responses: { 200: ok('OAuth', { $ref: '#/components/schemas/OAuth' }) },
    },
  },
  '/oauth/tokens': { delete: { summary: 'Revoke every access token the tenant issued: they answer 401 invalid_token from now on', responses: { 200: ok('{ revoked }', { type: 'object', properties: { revoked: { type: 'integer' } } }) } } },
  '/requests/stream': {
    get: {
      summary: 'The journal live, as Server-Sent Events (text/event-stream); the dashboard reads it',
      description:
        'Events: `hello` once ({lastSeq, size, capacity, evicted, since}); one unnamed event per journal entry, its `id` the entry seq; ' +
        '`dropped` ({missed}) when entries left the journal before this viewer read them (a slow reader never makes the server buffer more ' +
        'than about 1 MiB for it); `stats` every 5 s ({lastSeq, size, capacity, evicted}). Starts after `since` (or the `Last-Event-ID` ' +
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
        { name: 'Last-Event-ID', in: 'header', schema: { type: 'string' } },
      ],
      responses: { 200: { description: 'The event stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 400: error },
    },
  },
  '/conformance': {
    get: {
      summary:
        'Without format: the conformance warnings this tenant saw and, apart from them, its behaviour findings (code, RFC section, count, first request id). With ?format=json|junit|text: the conformance report, one check per known code, passed or failed, for every tenant under the control path itself and for one tenant under /tenants/{tenantId} (JUnit: one testsuite per tenant)',
      parameters: [{ name: 'format', in: 'query', schema: { enum: ['json', 'junit', 'text'] } }],
      responses: {
        200: {
          description: 'Summary, or the report in the format asked for',
          content: { 'application/json': { schema: { type: 'object' } }, 'application/xml': { schema: { type: 'string' } }, 'text/plain': { schema: { type: 'string' } } },
        },
        400: error,
      },
    },
  },
  '/behaviour': {
    get: {
      summary: 'What the behaviour analyser found: per code, and per client (credential digest and User-Agent) the findings with their request ids',
      responses: { 200: ok('Report', { $ref: '#/components/schemas/BehaviourReport' }) },
    },
    delete: { summary: 'Forget every client and finding (journal entries keep theirs)', responses: { 204: ok('Cleared') } },
  },
};

const finding = {
  type: 'object',
  required: ['code', 'rfc', 'detail', 'requestIds'],
  properties: { code: { enum: [...BEHAVIOUR_CODES] }, rfc: { type: 'string' }, detail: { type: 'string' }, requestIds: { type: 'array', items: { type: 'string' } } },
};

export function controlOpenApi(controlPath: string): Record<string, unknown> {
  const paths: Record<string, unknown> = {
    '/health': { get: { summary: 'Liveness, version, uptime', responses: { 200: ok('Healthy') } } },
    '/openapi.json': { get: { summary: 'This document', responses: { 200: ok('OpenAPI') } } },
    '/tenants': {
      get: { summary: 'The tenants with their SCIM base URLs', responses: { 200: ok('Tenants') } },
      post: {
        summary: 'Create an isolated tenant (own store, faults, journal, clock, config, token)',
        description: 'A generated directory is seeded in slices while other tenants keep being served; the response comes once the tenant is completely seeded, and until then it is neither listed nor served (its id is taken: 409).',
        requestBody: json({ type: 'object', properties: { id: { type: 'string' }, seed: { type: 'integer' }, users: { type: 'integer' }, groups: { type: 'integer' }, seedFile: { type: 'string' }, profile: { enum: ['lenient', 'rfc', 'entra', 'okta'] }, persona: { enum: [...PERSONA_NAMES] }, token: { type: 'string' }, me: { type: 'string' } } }),
        responses: { 201: ok('{ id, baseUrl, auth, ... }: the credentials of the tenant\'s auth mode: token (bearer, none); basicUser, basicPassword (basic); tokenEndpoint, clientId, clientSecret (oauth)'), 400: error, 409: ok('The id is taken') },
      },
    },
    '/tenants/{tenantId}': { delete: { summary: 'Delete a tenant', responses: { 204: ok('Deleted'), 404: notFound } } },
  };
  for (const [path, item] of Object.entries(tenantScoped)) {
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
      schemas: {
        Error: { type: 'object', required: ['error'], properties: { error: { type: 'string' }, field: { type: 'string' } } },
        Snapshot: { type: 'object', required: ['format', 'version', 'sequence', 'resources'], properties: { format: { const: 'scimulator-snapshot' }, version: { const: 1 }, sequence: { type: 'integer' }, resources: { type: 'object' } } },
        Config: {
          type: 'object',
          properties: {
            profile: { enum: ['lenient', 'rfc', 'entra', 'okta'] },
            auth: {
              type: 'object',
              properties: {
                mode: { enum: ['bearer', 'basic', 'none', 'oauth'] },
                token: { type: 'string' },
                basicUser: { type: 'string' },
                basicPassword: { type: 'string' },
                clientId: { type: 'string', description: 'OAuth 2.0 client_id (mode oauth)' },
                clientSecret: { type: 'string', description: 'OAuth 2.0 client_secret (mode oauth)' },
                tokenLifetime: { type: 'integer', minimum: 1, maximum: 31_536_000, description: 'Seconds an access token lives on the tenant clock (mode oauth)' },
                me: { type: ['string', 'null'] },
              },
            },
            defaultPageSize: { type: 'integer', minimum: 1 },
            maxPageSize: { type: 'integer', minimum: 1 },
            patchStatus: { type: 'object', additionalProperties: { enum: [200, 204] } },
            groupDisplayNameUnique: { type: 'boolean' },
            warningsHeader: { type: 'boolean' },
            cursorTimeout: { type: 'integer', minimum: 1 },
            behaviour: { $ref: '#/components/schemas/BehaviourConfig' },
          },
        },
        BehaviourConfig: {
          type: 'object',
          properties: {
            enabled: { type: 'boolean' },
            disabled: { type: 'array', items: { enum: [...BEHAVIOUR_CODES] } },
            retryStorm: { type: 'object', properties: { limit: { type: 'integer', minimum: 1, maximum: MAX_RETRY_STORM_LIMIT }, windowSeconds: { type: 'integer', minimum: 1, maximum: MAX_RETRY_STORM_WINDOW_SECONDS } } },
          },
        },
        BehaviourReport: {
          type: 'object',
          properties: {
            tenant: { type: 'string' },
            enabled: { type: 'boolean' },
            disabled: { type: 'array', items: { enum: [...BEHAVIOUR_CODES] } },
            retryStorm: { type: 'object' },
            totalFindings: { type: 'integer' },
            summary: { type: 'array', items: { type: 'object', properties: { code: { enum: [...BEHAVIOUR_CODES] }, rfc: { type: 'string' }, informational: { type: 'boolean' }, count: { type: 'integer' }, clients: { type: 'integer' }, firstRequestId: { type: 'string' }, example: { type: 'string' }, fix: { type: 'string' } } } },
            clients: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  client: { type: 'string', description: 'c- and 12 hex digits of a SHA-256 of tenant, Authorization and User-Agent' },
                  userAgent: { type: 'string' },
                  credentials: { type: 'string', description: 'The authorization scheme only' },
                  firstSeen: { type: 'string', format: 'date-time' },
                  lastSeen: { type: 'string', format: 'date-time' },
                  requests: { type: 'integer' },
                  findingCounts: { type: 'object', additionalProperties: { type: 'integer' } },
                  findings: { type: 'array', items: { allOf: [finding, { type: 'object', properties: { time: { type: 'string', format: 'date-time' }, client: { type: 'string' } } }] } },
                },
              },
            },
            bounds: { type: 'object', additionalProperties: { type: 'integer' } },
            advertisePagination: { type: 'boolean' },
            memberPolicy: { enum: ['accept', 'reject', 'notFound', 'drop'] },
            persona: { enum: [...PERSONA_NAMES, null] },
          },
        },
        FaultRule: {
          type: 'object',
          required: ['action'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            match: {
              type: 'object',
              properties: {
                method: {},
                path: { type: 'string' },
                resourceType: { type: 'string' },
                operation: {},
                query: { type: 'object' },
                headers: { type: 'object' },
                body: {},
                bulkOperation: {
                  description: 'POST /Bulk only: fail one operation (0-based index, or method and/or path glob) with the error or conflict action; the others run',
                  oneOf: [{ type: 'integer', minimum: 0 }, { type: 'object', properties: { method: {}, path: { type: 'string' } } }],
                },
              },
            },
            action: {
              type: 'object',
              required: ['type'],
              properties: {
                type: { enum: ['latency', 'error', 'conflict', 'reset', 'hang', 'malformed', 'rateLimit', 'throttle', 'drift', 'lag'] },
                phase: { enum: ['before', 'after'], description: 'reset, hang, error: "after" runs the real handler first (it commits), then the client gets the fault' },
                bytesPerSecond: { type: 'integer', minimum: 1, description: 'throttle' },
                insert: { type: 'integer', minimum: 0, description: 'drift' },
                delete: { type: 'integer', minimum: 0, description: 'drift' },
                ms: { type: 'integer', description: 'latency, lag' },
                reads: { type: 'boolean', description: 'lag: GET by id sees the previous state too' },
              },
            },
            probability: { type: 'number', minimum: 0, maximum: 1 },
            times: { type: 'integer', minimum: 1 },
            after: { type: 'integer', minimum: 0 },
            from: { type: 'string', description: 'RFC 3339 date-time, or "+10s" / "+500ms" / "+2m" / "+1h" after the rule is added (tenant clock); listed resolved' },
            until: { type: 'string', description: 'as from; exclusive' },
            state: { enum: ['pending', 'active', 'over'], readOnly: true },
          },
        },
        OAuth: {
          type: 'object',
          properties: {
            mode: { enum: ['bearer', 'basic', 'none', 'oauth'] },
            tokenEndpoint: { type: 'string' },
            clientId: { type: 'string' },
            tokenLifetime: { type: 'integer' },
            activeTokens: { type: 'integer' },
            expiredTokens: { type: 'integer' },
          },
        },
        JournalQuery: { type: 'object', properties: { method: {}, path: { type: 'string' }, operation: {}, resourceType: { type: 'string' }, status: {}, from: { type: 'string' }, to: { type: 'string' }, hasWarnings: { type: 'boolean' }, warningCode: { type: 'string' }, hasFindings: { type: 'boolean' }, findingCode: { type: 'string' }, fault: {}, body: {}, since: { type: 'integer' }, limit: { type: 'integer' }, order: { enum: ['asc', 'desc'] } } },
      },
    },
  };
}
