import type { BulkOperationRef, ScimOperation } from '../request-context.js';
import type { ScimType } from '../scim/errors.js';

/** Every SCIM operation name a rule may match (`match.operation`). */
export { SCIM_OPERATIONS } from '../request-context.js';

/** The scimType values an `error` action may carry (RFC 7644 Table 9 and RFC 9865). */
export const SCIM_TYPES = [
  'invalidFilter',
  'tooMany',
  'uniqueness',
  'mutability',
  'invalidSyntax',
  'invalidPath',
  'noTarget',
  'invalidValue',
  'invalidVers',
  'sensitive',
  'invalidCursor',
  'expiredCursor',
  'invalidCount',
] as const satisfies readonly ScimType[];

/**
 * A string condition: an exact value, a substring, or a regular expression (JavaScript syntax);
 * `ignoreCase: true` makes the last two case-insensitive.
 */
export type StringCondition = string | { contains: string; ignoreCase?: boolean } | { matches: string; ignoreCase?: boolean };

/**
 * A condition on the parsed JSON request body.
 *
 * `path` selects values: names separated by dots, compared case-insensitively (SCIM attribute names are);
 * `[*]` walks every element of an array, `[2]` one element; a key that itself contains dots is written
 * in brackets and quotes: `["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].employeeNumber`.
 * Arrays met on the way are walked automatically, so `Operations.path` equals `Operations[*].path`.
 *
 * Exactly one test:
 * - `equals`: some selected value (or, if it is an array, one of its elements) deep-equals the JSON value;
 * - `contains`: some selected string (or string element) contains the text;
 * - `matches`: some selected string (or string element) matches the regular expression;
 * - `exists`: `true` when the path selects at least one value (null included), `false` when it selects none.
 * `ignoreCase: true` makes `equals` (on strings), `contains` and `matches` case-insensitive.
 *
 * `{ anyOf: [...] }` holds when one of its conditions holds. A list of conditions holds when all hold.
 *
 * A PATCH whose operations touch group members, in all the shapes IdPs send:
 * `{ anyOf: [ { path: "Operations[*].path", contains: "members", ignoreCase: true },
 *             { path: "Operations[*].value.members", exists: true } ] }`
 */
export type BodyCondition =
  | {
      path: string;
      equals?: unknown;
      contains?: string;
      matches?: string;
      exists?: boolean;
      ignoreCase?: boolean;
    }
  | { anyOf: BodyCondition[] };

export interface FaultMatch {
  /** HTTP method(s), case-insensitive. */
  method?: string | string[];
  /** A glob on the path relative to the SCIM base path: `*` = one segment (or part of one), `**` = any segments. */
  path?: string;
  /** Resource type name(s) such as "User", case-insensitive. */
  resourceType?: string | string[];
  operation?: ScimOperation | ScimOperation[];
  /** Query parameter (name case-insensitive) -> condition; holds when any value of the parameter meets it. */
  query?: Record<string, StringCondition>;
  /** Header (name case-insensitive) -> condition; holds when any value of the header meets it. */
  headers?: Record<string, StringCondition>;
  body?: BodyCondition | BodyCondition[];
  /**
   * Only for `POST /Bulk`: the rule acts on one operation inside the request instead of on the request. An index
   * (0-based, as in "Operations[0]") or a method and/or path glob (relative to the base path, as the operation's
   * "path" is sent). The matching operation fails with the action's status; the others run. Only `error` and
   * `conflict` actions may carry it.
   */
  bulkOperation?: number | BulkOperationMatch;
}

export interface BulkOperationMatch {
  method?: string | string[];
  path?: string;
}

export interface LatencyAction {
  type: 'latency';
  /** A fixed delay; or give `minMs` and `maxMs` for a uniform draw from the tenant's seeded generator. */
  ms?: number;
  minMs?: number;
  maxMs?: number;
}

/**
 * When a fault hits: "before" (default) the real handler never runs; "after" the real handler runs and commits
 * first, then the client gets the fault instead of the response (the write happened, the answer was lost).
 */
export type FaultPhase = 'before' | 'after';

export interface ErrorAction {
  type: 'error';
  phase?: FaultPhase;
  /** 400 to 599. */
  status: number;
  scimType?: ScimType;
  detail?: string;
  /** Seconds (integer) or an HTTP date. 429 and 503 send `Retry-After: 1` when this is not given. */
  retryAfter?: number | string;
}

export interface ConflictAction {
  type: 'conflict';
  /** "uniqueness" = 409 with scimType uniqueness; "precondition" = 412 Precondition Failed. */
  kind: 'uniqueness' | 'precondition';
  detail?: string;
}

export interface ResetAction {
  type: 'reset';
  phase?: FaultPhase;
}

export interface HangAction {
  type: 'hang';
  phase?: FaultPhase;
  /** Give up and destroy the socket after this long (default 300000 ms). */
  maxMs?: number;
}

export interface MalformedAction {
  type: 'malformed';
  /** "truncated" (default): JSON cut short; "html": an HTML error page; "empty": no body at all. */
  variant?: 'truncated' | 'html' | 'empty';
}

export interface RateLimitAction {
  type: 'rateLimit';
  /** A token bucket holding `limit` tokens, refilled continuously at `limit` per `windowMs`. */
  limit: number;
  windowMs: number;
  detail?: string;
}

export interface ThrottleAction {
  type: 'throttle';
  /** The real response, its body sent at this many bytes per second (real time). */
  bytesPerSecond: number;
}

export interface DriftAction {
  type: 'drift';
  /**
   * List and search requests on a resource type only: before the page is answered, this many resources of the
   * listed type are created (from the tenant's seeded generator) and placed first in creation order, so every
   * later page of an index walk shifts by that many (repeats).
   */
  insert?: number;
  /** ... and this many resources are deleted: the first ones of the listing (already seen by an index walk: skips). */
  delete?: number;
}

export interface LagAction {
  type: 'lag';
  /**
   * Writes of the matched requests become visible to list and search requests only `ms` after they were
   * acknowledged (tenant clock); until then those requests see the previous state.
   */
  ms: number;
  /** GET by id sees the previous state too (default false: GET by id reads the latest state). */
  reads?: boolean;
}

export type FaultAction =
  | LatencyAction
  | ErrorAction
  | ConflictAction
  | ResetAction
  | HangAction
  | MalformedAction
  | RateLimitAction
  | ThrottleAction
  | DriftAction
  | LagAction;

export type FaultActionType = FaultAction['type'];

export const FAULT_ACTION_TYPES = [
  'latency',
  'error',
  'conflict',
  'reset',
  'hang',
  'malformed',
  'rateLimit',
  'throttle',
  'drift',
  'lag',
] as const satisfies readonly FaultActionType[];

/**
 * A point in time on the tenant clock: an RFC 3339 date-time ("2030-01-01T00:00:10Z"), or a delay after the rule
 * was added: "+500ms", "+10s", "+2m", "+1h".
 */
export type FaultTime = string;

/** pending: before `from`; active: may fire; over: past `until`, or retired after `times` firings. */
export type FaultRuleState = 'pending' | 'active' | 'over';

/** What a caller sends to add a rule (validated by `validateFaultRule`). */
export interface FaultRuleInput {
  /** Optional; generated as fault-1, fault-2, ... when absent. */
  id?: string;
  name?: string;
  match?: FaultMatch;
  action: FaultAction;
  /** 0..1, default 1. Drawn from the tenant's seeded generator. */
  probability?: number;
  /** Fire at most this many times, then retire (the rule stays listed with `retired: true`). */
  times?: number;
  /** Let the first n matching requests through before the rule may fire. */
  after?: number;
  /** The rule is consulted from this time on (inclusive); relative times count from when the rule is added. */
  from?: FaultTime;
  /** ... and no longer from this time on (exclusive). */
  until?: FaultTime;
}

/** A rule as stored and listed: the validated input plus its counters. */
export interface FaultRule {
  id: string;
  name?: string;
  match: FaultMatch;
  action: FaultAction;
  probability: number;
  times?: number;
  after: number;
  /** RFC 3339, resolved on the tenant clock when the rule was added. */
  from?: string;
  until?: string;
  /** Where the tenant clock stands relative to the rule's window (computed when listed). */
  state: FaultRuleState;
  /** Requests that met `match` while the rule was active. */
  matched: number;
  /** Times the rule acted (for rateLimit: requests it refused). */
  fired: number;
  /** When it last acted (RFC 3339, from the tenant clock). */
  lastFiredAt?: string;
  /** True once `fired` reached `times`. */
  retired: boolean;
}

/** The request as the fault layer sees it. */
export interface FaultRequestInfo {
  method: string;
  /** Path relative to the SCIM base path, e.g. "/Users/123". */
  relativePath: string;
  operation: ScimOperation;
  resourceType?: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  body: unknown;
}

/** What the HTTP layer must do for one fired rule. */
export type FaultEffect =
  /** Wait, then go on (to the next decision, or to the real handler). */
  | { type: 'delay'; ms: number }
  /** Answer with exactly this response. */
  | { type: 'respond'; status: number; headers: Record<string, string>; body: string }
  /** Destroy the connection without an answer. */
  | { type: 'reset' }
  /** Never answer; destroy the connection after `maxMs` unless the client gives up first. */
  | { type: 'hang'; maxMs: number }
  /** Let the real handler answer, and send its body at this rate. */
  | { type: 'throttle'; bytesPerSecond: number }
  /** Create and delete resources of the listed type, then let the real handler answer. */
  | { type: 'drift'; insert: number; delete: number }
  /** Let the real handler answer; its writes stay invisible to lists (and gets, with reads) for `ms`. */
  | { type: 'lag'; ms: number; reads: boolean };

export interface FaultDecision {
  ruleId: string;
  name?: string;
  action: FaultActionType;
  effect: FaultEffect;
  /** "after": run the real handler first, then apply the effect (respond, reset or hang) instead of its answer. */
  phase?: 'after';
}

/** One operation of a POST /Bulk request, as `match.bulkOperation` sees it. */
export type BulkOperationInfo = BulkOperationRef;
