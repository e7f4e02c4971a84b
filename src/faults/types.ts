import type { ScimOperation } from '../request-context.js';
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
}

export interface LatencyAction {
  type: 'latency';
  /** A fixed delay; or give `minMs` and `maxMs` for a uniform draw from the tenant's seeded generator. */
  ms?: number;
  minMs?: number;
  maxMs?: number;
}

export interface ErrorAction {
  type: 'error';
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
}

export interface HangAction {
  type: 'hang';
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

export type FaultAction =
  | LatencyAction
  | ErrorAction
  | ConflictAction
  | ResetAction
  | HangAction
  | MalformedAction
  | RateLimitAction;

export type FaultActionType = FaultAction['type'];

export const FAULT_ACTION_TYPES = [
  'latency',
  'error',
  'conflict',
  'reset',
  'hang',
  'malformed',
  'rateLimit',
] as const satisfies readonly FaultActionType[];

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
  | { type: 'hang'; maxMs: number };

export interface FaultDecision {
  ruleId: string;
  name?: string;
  action: FaultActionType;
  effect: FaultEffect;
}
