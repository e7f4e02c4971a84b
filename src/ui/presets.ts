/**
 * The fault presets of the dashboard: each fills the rule editor, to be changed before it is added. Typed as the
 * control API's rule input, and test/dashboard/ui-server.test.ts adds every one of them through the API, so a
 * preset the server would refuse fails the tests. A new fault action (say a phase or a throttle) is one more
 * entry here.
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
];
