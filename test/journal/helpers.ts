import { ControllableClock } from '../../src/scim/clock.js';
import type { JournalRecordInput } from '../../src/journal/journal.js';

export const T0 = Date.parse('2024-05-01T12:00:00.000Z');

export function frozenClock(at = T0): ControllableClock {
  const clock = new ControllableClock({ now: () => 0 });
  clock.freeze(at);
  return clock;
}

/** A plausible recorded request; override what a test cares about. */
export function input(over: Partial<JournalRecordInput> = {}): JournalRecordInput {
  return {
    tenant: 'default',
    method: 'GET',
    path: '/scim/v2/Users',
    relativePath: '/Users',
    query: {},
    requestHeaders: { host: 'localhost:8080', accept: 'application/scim+json' },
    requestBody: null,
    status: 200,
    responseHeaders: { 'content-type': 'application/scim+json; charset=utf-8' },
    responseBody: { totalResults: 0 },
    durationMs: 1.5,
    operation: 'list',
    resourceType: 'User',
    fault: null,
    warnings: [],
    outcome: 'completed',
    ...over,
  };
}
