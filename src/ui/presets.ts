/**
 * The fault presets of the dashboard: each fills the rule editor, to be changed before it is added. Typed as the
 * control API's rule input, and test/dashboard/ui-server.test.ts adds every one of them through the API, so a
 * preset the server would refuse fails the tests. A new fault action is one more entry here.
 */
import type { FaultRuleInput } from '../faults/types.js';

export interface FaultPreset {
  label: string;
  /** One line on what it does to the client. */
  hint: string;
  rule: FaultRuleInput;
}

export const FAULT_PRESETS: readonly FaultPreset[] = [
  {
    label: 'Latency',
    hint: 'every request waits 100-800 ms, then is answered',
    rule: { name: 'slow responses', action: { type: 'latency', minMs: 100, maxMs: 800 } },
  },
  {
    label: '429 Retry-After',
    hint: 'the next request is throttled: 429 Too Many Requests with Retry-After: 2',
    rule: { name: 'throttled', action: { type: 'error', status: 429, retryAfter: 2 }, times: 1 },
  },
  {
    label: '503 outage',
    hint: 'every request is 503 Service Unavailable (Retry-After: 30) until the rule is removed',
    rule: { name: 'outage', action: { type: 'error', status: 503, retryAfter: 30, detail: 'The service is down for maintenance.' } },
  },
  {
    label: '409 uniqueness',
    hint: 'the next user create is refused as a duplicate',
    rule: { name: 'duplicate userName', match: { operation: 'create', resourceType: 'User' }, action: { type: 'conflict', kind: 'uniqueness' }, times: 1 },
  },
  {
    label: '412 precondition',
    hint: 'the next PATCH fails its If-Match precondition',
    rule: { name: 'stale version', match: { operation: 'patch' }, action: { type: 'conflict', kind: 'precondition' }, times: 1 },
  },
  {
    label: 'Dropped connection',
    hint: 'the next request loses its connection without an answer',
    rule: { name: 'connection reset', action: { type: 'reset' }, times: 1 },
  },
  {
    label: 'Hang',
    hint: 'the next list never answers (for 60 s): the client must time out',
    rule: { name: 'hang', match: { operation: 'list' }, action: { type: 'hang', maxMs: 60000 }, times: 1 },
  },
  {
    label: 'Malformed body',
    hint: 'the next GET answers 200 with JSON cut short',
    rule: { name: 'truncated JSON', match: { method: 'GET' }, action: { type: 'malformed', variant: 'truncated' }, times: 1 },
  },
  {
    label: 'Rate limit',
    hint: 'a token bucket of 5 requests per second; beyond it 429 with an accurate Retry-After',
    rule: { name: 'rate limit', action: { type: 'rateLimit', limit: 5, windowMs: 1000 } },
  },
  {
    label: 'Lost answer',
    hint: 'the next user create is committed, then the connection drops: the retry meets 409 for its own user',
    rule: { name: 'lost create answer', match: { operation: 'create', resourceType: 'User' }, action: { type: 'reset', phase: 'after' }, times: 1 },
  },
  {
    label: '504 after commit',
    hint: 'the next PATCH is applied, then a gateway answers 504 instead of the result',
    rule: { name: 'gateway timeout after commit', match: { operation: 'patch' }, action: { type: 'error', status: 504, phase: 'after' }, times: 1 },
  },
  {
    label: 'Replication lag',
    hint: 'creates, replaces, PATCHes and deletes show in lists and searches only 5 s (tenant clock) after they were acknowledged',
    rule: { name: 'replication lag', match: { operation: ['create', 'replace', 'patch', 'delete'] }, action: { type: 'lag', ms: 5000 } },
  },
  {
    label: 'Pagination drift',
    hint: 'before the next page of Users, 3 users are created ahead of it: an index walk sees 3 repeats',
    rule: { name: 'drift', match: { operation: 'list', resourceType: 'User' }, action: { type: 'drift', insert: 3 }, times: 1 },
  },
  {
    label: 'Slow body',
    hint: 'every answer trickles at 1 KB/s',
    rule: { name: 'slow body', action: { type: 'throttle', bytesPerSecond: 1000 } },
  },
  {
    label: 'Outage window',
    hint: '503 with Retry-After: 30 for 30 s, starting 10 s (tenant clock) after the rule is added',
    rule: { name: 'outage window', from: '+10s', until: '+40s', action: { type: 'error', status: 503, retryAfter: 30 } },
  },
  {
    label: 'One Bulk operation fails',
    hint: 'in the next POST /Bulk, the first operation fails with 409 while the others run',
    rule: { name: 'bulk operation conflict', match: { operation: 'bulk', bulkOperation: 0 }, action: { type: 'conflict', kind: 'uniqueness' }, times: 1 },
  },
];
