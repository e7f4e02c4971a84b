/**
 * The behaviour findings as data: every code the analyser can raise, the RFC section (or reference) it rests on,
 * whether it is informational, and the fix in one line. The README table, the control API's summary and a
 * conformance report (one test case per code) read this list; nothing else names the codes.
 */

export const BEHAVIOUR_CODES = [
  'retry-before-retry-after',
  'retry-without-backoff',
  'retry-storm',
  'post-retry-duplicate',
  'pagination-gap',
  'pagination-overlap',
  'count-above-max',
  'put-drops-attributes',
  'if-match-unused',
  'lookup-by-listing',
] as const;

export type BehaviourCode = (typeof BEHAVIOUR_CODES)[number];

export interface BehaviourCodeInfo {
  code: BehaviourCode;
  /** The RFC section (or reference) the finding rests on, in the shape conformance warnings use. */
  rfc: string;
  /** Informational: a better way exists, nothing breaks yet. */
  informational: boolean;
  /** What the client did, in a few words. */
  title: string;
  /** What to change. */
  fix: string;
}

export const BEHAVIOUR_CODE_INFO: Readonly<Record<BehaviourCode, BehaviourCodeInfo>> = {
  'retry-before-retry-after': {
    code: 'retry-before-retry-after',
    rfc: 'RFC 6585 4; RFC 9110 10.2.3',
    informational: false,
    title: 'a request repeated before the Retry-After of its 429 or 503 had passed',
    fix: 'wait at least what Retry-After says (seconds or an HTTP date) before sending the request again',
  },
  'retry-without-backoff': {
    code: 'retry-without-backoff',
    rfc: 'RFC 9110 10.2.3',
    informational: false,
    title: 'three or more retries of a failing request with no growing delay between them',
    fix: 'back off: grow the delay between retries (exponential backoff with jitter) unless Retry-After sets it',
  },
  'retry-storm': {
    code: 'retry-storm',
    rfc: 'RFC 6585 4; RFC 9110 15.6.4',
    informational: false,
    title: 'the same failing request sent more times than the storm limit within its window',
    fix: 'cap the retries of one request and give up (or queue it for later) after a few failures',
  },
  'post-retry-duplicate': {
    code: 'post-retry-duplicate',
    rfc: 'RFC 7644 3.3; RFC 7644 3.12',
    informational: false,
    title: 'a create retried after a reset, timeout or 5xx met 409 uniqueness: the first attempt had created it',
    fix: 'before retrying a create that got no answer, look the resource up (filter on its unique attribute) and use it if it exists',
  },
  'pagination-gap': {
    code: 'pagination-gap',
    rfc: 'RFC 7644 3.4.2.4',
    informational: false,
    title: 'the next startIndex of an index walk skips resources the previous page did not return',
    fix: 'set the next startIndex to the previous startIndex plus the itemsPerPage the service returned (not the count asked for)',
  },
  'pagination-overlap': {
    code: 'pagination-overlap',
    rfc: 'RFC 7644 3.4.2.4',
    informational: false,
    title: 'the next startIndex of an index walk repeats resources the previous page returned',
    fix: 'startIndex is 1-based and counts resources, not pages: the next one is the previous startIndex plus itemsPerPage',
  },
  'count-above-max': {
    code: 'count-above-max',
    rfc: 'RFC 7644 3.4.2.4; RFC 7643 5',
    informational: false,
    title: 'count above the page size the service advertises',
    fix: 'read filter.maxResults from /ServiceProviderConfig and ask for at most that many per page',
  },
  'put-drops-attributes': {
    code: 'put-drops-attributes',
    rfc: 'RFC 7644 3.5.1',
    informational: false,
    title: 'a PUT that clears attributes the stored resource had and this client was never sent',
    fix: 'GET the resource and send it back whole with your changes, or change only what you mean to with PATCH',
  },
  'if-match-unused': {
    code: 'if-match-unused',
    rfc: 'RFC 7644 3.14; RFC 9110 13.1.1',
    informational: true,
    title: 'updates without If-Match of resources the client had read with an ETag',
    fix: 'send If-Match with the ETag you read, so a concurrent change is a 412 instead of being overwritten',
  },
  'lookup-by-listing': {
    code: 'lookup-by-listing',
    rfc: 'RFC 7644 3.4.2.2',
    informational: true,
    title: 'a resource found by walking an unfiltered list page by page',
    fix: 'look one resource up with a filter on its unique attribute (filter=userName eq "...")',
  },
};

/** Per tenant: which findings are raised, and when repeats become a storm (GET/PATCH /_mock/config `behaviour`). */
export interface BehaviourConfig {
  /** false: the analyser follows nobody and raises nothing. */
  enabled: boolean;
  /** Codes switched off for this tenant. */
  disabled: BehaviourCode[];
  /** `retry-storm`: more than `limit` sends of the same failing request within `windowSeconds`. */
  retryStorm: { limit: number; windowSeconds: number };
}

export const DEFAULT_BEHAVIOUR_CONFIG: Readonly<BehaviourConfig> = Object.freeze({
  enabled: true,
  disabled: [],
  retryStorm: { limit: 10, windowSeconds: 60 },
});

/** The largest retry-storm limit (it bounds the attempts kept per operation). */
export const MAX_RETRY_STORM_LIMIT = 100;
export const MAX_RETRY_STORM_WINDOW_SECONDS = 86_400;

export function isBehaviourCode(value: unknown): value is BehaviourCode {
  return typeof value === 'string' && (BEHAVIOUR_CODES as readonly string[]).includes(value);
}
