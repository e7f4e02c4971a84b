/**
 * Fault rules as data: validation of untrusted rule input (from the control API, the embedding API or CLI
 * shorthands) and compilation of `match` into a predicate over a FaultRequestInfo.
 */
import { BodyPathError, parseBodyPath as parseBodyPathSteps, selectBodyValues, type BodyPathStep } from '../body-path.js';
import { compilePathGlob } from '../path-glob.js';
import { parseHttpDate, parseRfc3339 } from '../scim/datetime.js';
import { ScimError } from '../scim/errors.js';
import {
  FAULT_ACTION_TYPES,
  SCIM_OPERATIONS,
  SCIM_TYPES,
  type BodyCondition,
  type BulkOperationInfo,
  type BulkOperationMatch,
  type FaultAction,
  type FaultMatch,
  type FaultPhase,
  type FaultRequestInfo,
  type FaultRule,
  type StringCondition,
} from './types.js';

/** A rule input that failed validation: 400 invalidValue, with the offending field (e.g. "action.status"). */
export class FaultRuleError extends ScimError {
  readonly field: string;
  constructor(field: string, detail: string) {
    super(400, 'invalidValue', detail);
    this.name = 'FaultRuleError';
    this.field = field;
  }
}

/** A `from` / `until` as given: an instant (epoch ms) or a delay after the rule is added. */
export type FaultTimeSpec = { at: number } | { in: number };

/**
 * The validated, copied rule input: a stored rule without its counters and state, its id still optional and its
 * window not yet resolved against the clock.
 */
export type ValidatedFaultRule = Omit<FaultRule, 'id' | 'matched' | 'fired' | 'lastFiredAt' | 'retired' | 'state' | 'from' | 'until'> & {
  id?: string;
  from?: FaultTimeSpec;
  until?: FaultTimeSpec;
};

export type RequestPredicate = (req: FaultRequestInfo) => boolean;
export type BulkOperationPredicate = (op: BulkOperationInfo) => boolean;

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const RULE_KEYS = ['id', 'name', 'match', 'action', 'probability', 'times', 'after', 'from', 'until'];
/** Read-only fields of a listed rule; accepted and ignored so that a listed rule can be posted again. */
const OUTPUT_ONLY_KEYS = new Set(['matched', 'fired', 'lastFiredAt', 'retired', 'state']);
const MATCH_KEYS = ['method', 'path', 'resourceType', 'operation', 'query', 'headers', 'body', 'bulkOperation'];
const ACTION_KEYS: Record<FaultAction['type'], string[]> = {
  latency: ['ms', 'minMs', 'maxMs'],
  error: ['status', 'scimType', 'detail', 'retryAfter', 'phase'],
  conflict: ['kind', 'detail'],
  reset: ['phase'],
  hang: ['maxMs', 'phase'],
  malformed: ['variant'],
  rateLimit: ['limit', 'windowMs', 'detail'],
  throttle: ['bytesPerSecond'],
  drift: ['insert', 'delete'],
  lag: ['ms', 'reads'],
};

export const MAX_LATENCY_MS = 600_000;
export const MAX_HANG_MS = 3_600_000;
export const DEFAULT_HANG_MS = 300_000;
export const MAX_LAG_MS = 86_400_000;
export const MAX_DRIFT = 1_000;
/** The furthest a relative `from` / `until` may lie ahead: a year. */
const MAX_RELATIVE_MS = 366 * 86_400_000;
const TIME_UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const MAX_REGEX_LENGTH = 1_000;
const MAX_TEXT_LENGTH = 2_000;
const MAX_DEPTH = 32;

const fail = (field: string, detail: string): never => {
  throw new FaultRuleError(field, detail);
};

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

const join = (parent: string, key: string) => (parent ? `${parent}.${key}` : key);
const list = (items: readonly string[]) => items.join(', ');

/** Rejects __proto__/constructor/prototype keys anywhere in the input, and absurd nesting. */
function assertSafe(v: unknown, field: string, depth: number): void {
  if (depth > MAX_DEPTH) fail(field, `${field || 'the rule'} is nested too deeply (more than ${MAX_DEPTH} levels)`);
  if (Array.isArray(v)) {
    v.forEach((e, i) => assertSafe(e, `${field}[${i}]`, depth + 1));
  } else if (typeof v === 'object' && v !== null) {
    for (const key of Object.keys(v)) {
      const f = join(field, key);
      if (FORBIDDEN_KEYS.has(key)) fail(f, `${f}: the key "${key}" is not allowed`);
      assertSafe((v as Record<string, unknown>)[key], f, depth + 1);
    }
  }
}

function checkKeys(obj: Record<string, unknown>, field: string, allowed: string[], what: string): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      const f = join(field, key);
      fail(f, `${f} is not a known ${what}; use one of: ${list(allowed)}`);
    }
  }
}

function integer(v: unknown, field: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    fail(field, `${field} must be an integer from ${min} to ${max}`);
  }
  return v as number;
}

function text(v: unknown, field: string, max = MAX_TEXT_LENGTH): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) {
    fail(field, `${field} must be a non-empty string of at most ${max} characters`);
  }
  return v as string;
}

function compileRegex(source: unknown, field: string, ignoreCase: boolean): RegExp {
  const s = text(source, field, MAX_REGEX_LENGTH);
  try {
    return new RegExp(s, ignoreCase ? 'i' : '');
  } catch (e) {
    return fail(field, `${field} is not a valid regular expression: ${(e as Error).message}`);
  }
}

/** A string or a non-empty array of strings, each checked by `each`. */
function stringOrList(v: unknown, field: string, each: (s: string, f: string) => string): string[] {
  if (typeof v === 'string') return [each(v, field)];
  if (Array.isArray(v) && v.length > 0) return v.map((s, i) => each(typeof s === 'string' ? s : fail(`${field}[${i}]`, `${field}[${i}] must be a string`), `${field}[${i}]`));
  return fail(field, `${field} must be a string or a non-empty array of strings`);
}

// ---------------------------------------------------------------------------------------------------------------
// Rule validation

/**
 * Validates untrusted rule input and returns a fresh copy plus its compiled matchers (`matchesOperation` for a
 * rule with `match.bulkOperation`). Throws FaultRuleError.
 */
export function validateFaultRule(input: unknown): {
  rule: ValidatedFaultRule;
  matches: RequestPredicate;
  matchesOperation?: BulkOperationPredicate;
  prefilter?: MatchPrefilter;
} {
  if (!isPlainObject(input)) fail('', 'a fault rule must be a JSON object with at least an "action"');
  const obj = input as Record<string, unknown>;
  assertSafe(obj, '', 0);
  for (const key of Object.keys(obj)) {
    if (!RULE_KEYS.includes(key) && !OUTPUT_ONLY_KEYS.has(key)) {
      fail(key, `${key} is not a fault rule field; use one of: ${list(RULE_KEYS)}`);
    }
  }

  const rule: ValidatedFaultRule = { match: {}, action: { type: 'reset' }, probability: 1, after: 0 };
  if (obj.id !== undefined) {
    if (typeof obj.id !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._~-]{0,63}$/.test(obj.id)) {
      fail('id', 'id must be 1 to 64 letters, digits, ".", "_", "~" or "-", starting with a letter or digit');
    }
    rule.id = obj.id as string;
  }
  if (obj.name !== undefined) rule.name = text(obj.name, 'name', 200);

  if (obj.action === undefined) fail('action', 'action is required, e.g. { "type": "error", "status": 503 }');
  rule.action = validateAction(obj.action);

  if (obj.probability !== undefined) {
    const p = obj.probability;
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1) {
      fail('probability', 'probability must be a number from 0 to 1');
    }
    rule.probability = p as number;
  }
  if (obj.times !== undefined && obj.times !== null) {
    rule.times = integer(obj.times, 'times', 1, Number.MAX_SAFE_INTEGER);
  }
  if (obj.after !== undefined && obj.after !== null) {
    rule.after = integer(obj.after, 'after', 0, Number.MAX_SAFE_INTEGER);
  }

  if (obj.from !== undefined && obj.from !== null) rule.from = validateTime(obj.from, 'from');
  if (obj.until !== undefined && obj.until !== null) rule.until = validateTime(obj.until, 'until');

  let matches: RequestPredicate = () => true;
  let matchesOperation: BulkOperationPredicate | undefined;
  let prefilter: MatchPrefilter | undefined;
  if (obj.match !== undefined && obj.match !== null) {
    const compiled = validateMatch(obj.match);
    rule.match = compiled.match;
    matches = compiled.matches;
    matchesOperation = compiled.matchesOperation;
    prefilter = compiled.prefilter;
  }
  if (matchesOperation) {
    const { type } = rule.action;
    if (type !== 'error' && type !== 'conflict') {
      fail('match.bulkOperation', `match.bulkOperation makes one Bulk operation fail with a status: it needs an error or conflict action, not ${type}`);
    }
    if (rule.action.type === 'error' && rule.action.phase === 'after') {
      fail('action.phase', 'action.phase "after" does not apply to a Bulk operation (the operation fails instead of running)');
    }
  }
  return { rule, matches, ...(matchesOperation ? { matchesOperation } : {}), ...(prefilter ? { prefilter } : {}) };
}

/** An RFC 3339 date-time, or "+<n><unit>" (ms, s, m, h) after the rule is added. */
function validateTime(v: unknown, field: string): FaultTimeSpec {
  const hint = `${field} must be an RFC 3339 date-time such as "2030-01-01T00:00:00Z" or a delay after the rule is added such as "+10s", "+500ms", "+2m" or "+1h"`;
  if (typeof v !== 'string' || v.length > 64) return fail(field, hint);
  const relative = /^\+(\d{1,12})(ms|s|m|h)$/.exec(v.trim());
  if (relative) {
    const ms = Number(relative[1]) * TIME_UNITS_MS[relative[2]!]!;
    if (ms > MAX_RELATIVE_MS) fail(field, `${field} lies more than 366 days ahead; give an RFC 3339 date-time instead`);
    return { in: ms };
  }
  const at = parseRfc3339(v.trim());
  if (!at.ok) return fail(field, `${hint}: ${at.reason}`);
  return { at: at.ms };
}

/** The instant of a time spec for a rule added at `addedAt`. */
export function resolveFaultTime(spec: FaultTimeSpec, addedAt: number): number {
  return 'at' in spec ? spec.at : addedAt + spec.in;
}

function validatePhase(v: unknown): FaultPhase {
  if (v !== 'before' && v !== 'after') {
    fail('action.phase', 'action.phase must be "before" (default: the fault instead of the real handler) or "after" (the real handler runs and commits, then the fault replaces its answer)');
  }
  return v as FaultPhase;
}

function validateAction(v: unknown): FaultAction {
  if (!isPlainObject(v)) return fail('action', 'action must be an object with a "type"');
  const a = v as Record<string, unknown>;
  const type = a.type;
  if (typeof type !== 'string' || !(FAULT_ACTION_TYPES as readonly string[]).includes(type)) {
    return fail('action.type', `action.type must be one of: ${list(FAULT_ACTION_TYPES)}`);
  }
  const t = type as FaultAction['type'];
  checkKeys(a, 'action', ['type', ...ACTION_KEYS[t]], `field of a ${t} action`);

  switch (t) {
    case 'latency': {
      if (a.ms !== undefined) {
        if (a.minMs !== undefined || a.maxMs !== undefined) {
          fail('action.ms', 'action.ms cannot be combined with action.minMs/action.maxMs; give one or the other');
        }
        return { type: 'latency', ms: integer(a.ms, 'action.ms', 0, MAX_LATENCY_MS) };
      }
      if (a.minMs === undefined && a.maxMs === undefined) {
        fail('action.ms', 'a latency action needs action.ms, or action.minMs and action.maxMs');
      }
      if (a.minMs === undefined) fail('action.minMs', 'action.minMs is required with action.maxMs');
      if (a.maxMs === undefined) fail('action.maxMs', 'action.maxMs is required with action.minMs');
      const minMs = integer(a.minMs, 'action.minMs', 0, MAX_LATENCY_MS);
      const maxMs = integer(a.maxMs, 'action.maxMs', 0, MAX_LATENCY_MS);
      if (maxMs < minMs) fail('action.maxMs', `action.maxMs (${maxMs}) must not be less than action.minMs (${minMs})`);
      return { type: 'latency', minMs, maxMs };
    }
    case 'error': {
      if (a.status === undefined) fail('action.status', 'action.status is required: an integer from 400 to 599');
      const out: FaultAction = { type: 'error', status: integer(a.status, 'action.status', 400, 599) };
      if (a.scimType !== undefined) {
        if (typeof a.scimType !== 'string' || !(SCIM_TYPES as readonly string[]).includes(a.scimType)) {
          fail('action.scimType', `action.scimType must be one of: ${list(SCIM_TYPES)}`);
        }
        out.scimType = a.scimType as (typeof SCIM_TYPES)[number];
      }
      if (a.detail !== undefined) out.detail = text(a.detail, 'action.detail');
      if (a.retryAfter !== undefined) out.retryAfter = validateRetryAfter(a.retryAfter);
      if (a.phase !== undefined) out.phase = validatePhase(a.phase);
      return out;
    }
    case 'conflict': {
      if (a.kind !== 'uniqueness' && a.kind !== 'precondition') {
        fail('action.kind', 'action.kind must be "uniqueness" (409) or "precondition" (412)');
      }
      const out: FaultAction = { type: 'conflict', kind: a.kind as 'uniqueness' | 'precondition' };
      if (a.detail !== undefined) out.detail = text(a.detail, 'action.detail');
      return out;
    }
    case 'reset': {
      const out: FaultAction = { type: 'reset' };
      if (a.phase !== undefined) out.phase = validatePhase(a.phase);
      return out;
    }
    case 'hang': {
      const out: FaultAction = { type: 'hang' };
      if (a.maxMs !== undefined) out.maxMs = integer(a.maxMs, 'action.maxMs', 1, MAX_HANG_MS);
      if (a.phase !== undefined) out.phase = validatePhase(a.phase);
      return out;
    }
    case 'throttle': {
      if (a.bytesPerSecond === undefined) fail('action.bytesPerSecond', 'action.bytesPerSecond is required, e.g. 1000 for 1 KB/s');
      return { type: 'throttle', bytesPerSecond: integer(a.bytesPerSecond, 'action.bytesPerSecond', 1, 1_000_000_000) };
    }
    case 'drift': {
      const out: FaultAction = { type: 'drift' };
      if (a.insert !== undefined) out.insert = integer(a.insert, 'action.insert', 0, MAX_DRIFT);
      if (a.delete !== undefined) out.delete = integer(a.delete, 'action.delete', 0, MAX_DRIFT);
      if (!out.insert && !out.delete) fail('action.insert', 'a drift action needs action.insert and/or action.delete: how many resources to create or delete before the page');
      return out;
    }
    case 'lag': {
      if (a.ms === undefined) fail('action.ms', 'action.ms is required: how long, on the tenant clock, writes stay invisible to lists');
      const out: FaultAction = { type: 'lag', ms: integer(a.ms, 'action.ms', 1, MAX_LAG_MS) };
      if (a.reads !== undefined) out.reads = booleanFlag(a.reads, 'action.reads');
      return out;
    }
    case 'malformed': {
      const out: FaultAction = { type: 'malformed' };
      if (a.variant !== undefined) {
        if (a.variant !== 'truncated' && a.variant !== 'html' && a.variant !== 'empty') {
          fail('action.variant', 'action.variant must be one of: truncated, html, empty');
        }
        out.variant = a.variant as 'truncated' | 'html' | 'empty';
      }
      return out;
    }
    case 'rateLimit': {
      if (a.limit === undefined) fail('action.limit', 'action.limit is required: requests allowed per action.windowMs');
      if (a.windowMs === undefined) fail('action.windowMs', 'action.windowMs is required: the window in milliseconds, e.g. 1000');
      const out: FaultAction = {
        type: 'rateLimit',
        limit: integer(a.limit, 'action.limit', 1, 1_000_000),
        windowMs: integer(a.windowMs, 'action.windowMs', 1, 86_400_000),
      };
      if (a.detail !== undefined) out.detail = text(a.detail, 'action.detail');
      return out;
    }
  }
}

function validateRetryAfter(v: unknown): number | string {
  if (typeof v === 'number') return integer(v, 'action.retryAfter', 0, 31_536_000);
  let why = '';
  if (typeof v === 'string' && v.length <= 100) {
    // An HTTP date (IMF-fixdate), or an RFC 3339 date-time turned into one.
    const at = /^\d{4}-/.test(v) ? parseRfc3339(v) : parseHttpDate(v);
    if (at.ok) return new Date(at.ms).toUTCString();
    why = `: ${at.reason}`;
  }
  return fail(
    'action.retryAfter',
    `action.retryAfter must be a number of seconds or an HTTP date such as "Wed, 21 Oct 2015 07:28:00 GMT"${why}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Match validation and compilation

/**
 * What a request must have for a rule to match, implied by its tests and cheap to check first (the registry checks
 * it before it calls `matches`, so that rules a request cannot match cost next to nothing): the one operation the
 * rule names, and the header its first header condition names (lower case; every header condition needs the
 * header, see mayHaveHeader).
 */
export interface MatchPrefilter {
  operation?: string;
  header?: string;
}

/** False only when the request certainly has no header named `name` (lower case), so no header condition on it holds. */
export function mayHaveHeader(r: FaultRequestInfo, name: string): boolean {
  const headers = r.headers as unknown;
  if (typeof headers !== 'object' || headers === null) return false;
  if ((headers as Record<string, unknown>)[name] !== undefined) return true;
  // Not found by its lower-case name: absent, unless some key is not in lower case (then the tests look by case).
  return !headersLower(r, lookupsOf(r));
}

function validateMatch(v: unknown): { match: FaultMatch; matches: RequestPredicate; matchesOperation?: BulkOperationPredicate; prefilter?: MatchPrefilter } {
  if (!isPlainObject(v)) return fail('match', 'match must be an object (all its conditions must hold)');
  const m = v as Record<string, unknown>;
  checkKeys(m, 'match', MATCH_KEYS, 'match key');
  const match: FaultMatch = {};
  const tests: RequestTest[] = [];
  const prefilter: MatchPrefilter = {};
  /** Whether a test uses the request's lookups (fetched once per rule and request, not once per test). */
  let looksUp = false;

  if (m.method !== undefined) {
    const methods = stringOrList(m.method, 'match.method', (s, f) =>
      /^[A-Za-z]{1,20}$/.test(s) ? s : fail(f, `${f} must be an HTTP method name such as GET or PATCH`),
    );
    match.method = typeof m.method === 'string' ? methods[0]! : methods;
    const set = new Set(methods.map((s) => s.toUpperCase()));
    tests.push((r) => set.has(r.method.toUpperCase()));
  }
  if (m.path !== undefined) {
    const glob = text(m.path, 'match.path', 1_000);
    if (!glob.startsWith('/')) {
      fail('match.path', 'match.path must be a glob starting with "/", relative to the SCIM base path, e.g. "/Users/*"');
    }
    if (/[?#]/.test(glob)) fail('match.path', 'match.path must not contain "?" or "#"; use match.query for query parameters');
    match.path = glob;
    const matchesPath = compilePathGlob(glob);
    tests.push((r) => matchesPath(r.relativePath));
  }
  if (m.resourceType !== undefined) {
    const types = stringOrList(m.resourceType, 'match.resourceType', (s, f) => text(s, f, 200));
    match.resourceType = typeof m.resourceType === 'string' ? types[0]! : types;
    const set = new Set(types.map((s) => s.toLowerCase()));
    tests.push((r, l) => {
      const type = resourceTypeOf(r, l);
      return type !== undefined && set.has(type);
    });
    looksUp = true;
  }
  if (m.operation !== undefined) {
    const ops = stringOrList(m.operation, 'match.operation', (s, f) =>
      (SCIM_OPERATIONS as readonly string[]).includes(s) ? s : fail(f, `${f} must be one of: ${list(SCIM_OPERATIONS)}`),
    );
    match.operation = (typeof m.operation === 'string' ? ops[0] : ops) as FaultMatch['operation'];
    const set = new Set<string>(ops);
    tests.push((r) => set.has(r.operation));
    if (set.size === 1) prefilter.operation = ops[0]!;
  }
  if (m.query !== undefined) {
    const { copy, test } = validateNamedConditions(m.query, 'match.query');
    match.query = copy;
    tests.push((r, l) => test(r.query, queryLower(r, l)));
    looksUp = true;
  }
  if (m.headers !== undefined) {
    const { copy, test } = validateNamedConditions(m.headers, 'match.headers');
    match.headers = copy;
    tests.push((r, l) => test(r.headers, headersLower(r, l)));
    looksUp = true;
    prefilter.header = Object.keys(copy)[0]!.toLowerCase();
  }
  if (m.body !== undefined) {
    if (Array.isArray(m.body)) {
      if (m.body.length === 0) fail('match.body', 'match.body must be a condition or a non-empty array of conditions');
      const compiled = m.body.map((c, i) => validateBodyCondition(c, `match.body[${i}]`));
      match.body = compiled.map((c) => c.copy);
      tests.push((r) => compiled.every((c) => c.test(r.body)));
    } else {
      const compiled = validateBodyCondition(m.body, 'match.body');
      match.body = compiled.copy;
      tests.push((r) => compiled.test(r.body));
    }
  }
  let matchesOperation: BulkOperationPredicate | undefined;
  if (m.bulkOperation !== undefined) {
    const compiled = validateBulkOperation(m.bulkOperation);
    match.bulkOperation = compiled.copy;
    matchesOperation = compiled.test;
    // Only a Bulk request has operations.
    tests.push((r) => r.operation === 'bulk');
  }
  const none: RequestLookups = {};
  const matches: RequestPredicate = (r) => {
    const l = looksUp ? lookupsOf(r) : none;
    for (const t of tests) if (!t(r, l)) return false;
    return true;
  };
  return { match, matches, ...(matchesOperation ? { matchesOperation } : {}), ...(prefilter.operation !== undefined || prefilter.header !== undefined ? { prefilter } : {}) };
}

/** `match.bulkOperation`: an index, or an object with a method and/or a path glob. */
function validateBulkOperation(v: unknown): { copy: number | BulkOperationMatch; test: BulkOperationPredicate } {
  const field = 'match.bulkOperation';
  if (typeof v === 'number') {
    const index = integer(v, field, 0, 1_000_000);
    return { copy: index, test: (op) => op.index === index };
  }
  if (!isPlainObject(v)) {
    return fail(field, `${field} must be the 0-based index of an operation (as in "Operations[0]") or an object with "method" and/or "path", e.g. { "method": "PATCH", "path": "/Groups/*" }`);
  }
  const o = v as Record<string, unknown>;
  checkKeys(o, field, ['method', 'path'], 'field of match.bulkOperation');
  if (o.method === undefined && o.path === undefined) fail(field, `${field} needs "method" and/or "path"`);
  const copy: BulkOperationMatch = {};
  const tests: BulkOperationPredicate[] = [];
  if (o.method !== undefined) {
    const methods = stringOrList(o.method, `${field}.method`, (s, f) =>
      /^(post|put|patch|delete)$/i.test(s) ? s : fail(f, `${f} must be POST, PUT, PATCH or DELETE (the methods of a Bulk operation)`),
    );
    copy.method = typeof o.method === 'string' ? methods[0]! : methods;
    const set = new Set(methods.map((s) => s.toUpperCase()));
    tests.push((op) => set.has(op.method.toUpperCase()));
  }
  if (o.path !== undefined) {
    const glob = text(o.path, `${field}.path`, 1_000);
    if (!glob.startsWith('/')) fail(`${field}.path`, `${field}.path must be a glob starting with "/", as the operation's "path" is sent, e.g. "/Users" or "/Groups/*"`);
    copy.path = glob;
    const matchesPath = compilePathGlob(glob);
    tests.push((op) => matchesPath(op.path));
  }
  return { copy, test: (op) => tests.every((t) => t(op)) };
}

/** The glob matcher of `match.path` is the one the journal uses too (src/path-glob.ts). */
export { globToRegExp, pathMatchesGlob } from '../path-glob.js';

/**
 * What rules look up in one request, worked out on first use and kept while the request is matched: fifty rules
 * that name the same header do not each lower-case every header name of the request. Kept per FaultRequestInfo
 * (the fault layer builds one per request) and dropped with it; a new headers or query object is looked at anew.
 */
interface RequestLookups {
  headersOf?: unknown;
  /** Every key of `headersOf` is in lower case (node's are), so a lower-cased name is found by direct lookup. */
  headersLower?: boolean;
  queryOf?: unknown;
  queryLower?: boolean;
  resourceTypeOf?: string;
  resourceType?: string;
}
type RequestTest = (r: FaultRequestInfo, l: RequestLookups) => boolean;
const lookups = new WeakMap<FaultRequestInfo, RequestLookups>();
/** Where a request's lookups are kept on its FaultRequestInfo (the WeakMap only for one that cannot take them). */
const LOOKUPS = Symbol('scimulator.faults.lookups');

function lookupsOf(r: FaultRequestInfo): RequestLookups {
  const holder = r as FaultRequestInfo & { [LOOKUPS]?: RequestLookups };
  let l = holder[LOOKUPS];
  if (l !== undefined) return l;
  l = lookups.get(r);
  if (l !== undefined) return l;
  l = {};
  if (Object.isExtensible(r)) holder[LOOKUPS] = l;
  else lookups.set(r, l);
  return l;
}

function keysLower(obj: unknown): boolean {
  if (typeof obj !== 'object' || obj === null) return true;
  // for-in makes no list of keys; an inherited enumerable key can only make this false, which is always safe
  // (the tests then compare names ignoring case).
  for (const key in obj) if (key !== key.toLowerCase()) return false;
  return true;
}

function headersLower(r: FaultRequestInfo, l: RequestLookups): boolean {
  if (l.headersLower === undefined || l.headersOf !== r.headers) {
    l.headersOf = r.headers;
    l.headersLower = keysLower(r.headers);
  }
  return l.headersLower;
}

function queryLower(r: FaultRequestInfo, l: RequestLookups): boolean {
  if (l.queryLower === undefined || l.queryOf !== r.query) {
    l.queryOf = r.query;
    l.queryLower = keysLower(r.query);
  }
  return l.queryLower;
}

/** The request's resource type in lower case (rules compare it ignoring case). */
function resourceTypeOf(r: FaultRequestInfo, l: RequestLookups): string | undefined {
  if (r.resourceType === undefined) return undefined;
  if (l.resourceType === undefined || l.resourceTypeOf !== r.resourceType) {
    l.resourceTypeOf = r.resourceType;
    l.resourceType = r.resourceType.toLowerCase();
  }
  return l.resourceType;
}

/** Whether a string value, or a string element of an array value, passes `test`. */
function someString(v: unknown, test: (s: string) => boolean): boolean {
  if (typeof v === 'string') return test(v);
  if (Array.isArray(v)) for (const e of v) if (typeof e === 'string' && test(e)) return true;
  return false;
}

const isOwnEnumerable = (obj: object, key: string) => Object.prototype.propertyIsEnumerable.call(obj, key);

/**
 * Whether a value named `name` (lower case) in a header or query object passes `test`; names are compared
 * ignoring case, every key that differs only in case counts. `lowerKeys`: the object's keys are all lower case.
 */
function someNamed(obj: unknown, name: string, lowerKeys: boolean, test: (s: string) => boolean): boolean {
  if (typeof obj !== 'object' || obj === null) return false;
  const values = obj as Record<string, unknown>;
  if (lowerKeys) {
    const v = values[name];
    return v !== undefined && isOwnEnumerable(values, name) && someString(v, test);
  }
  for (const key of Object.keys(values)) if (key.toLowerCase() === name && someString(values[key], test)) return true;
  return false;
}

function validateNamedConditions(
  v: unknown,
  field: string,
): { copy: Record<string, StringCondition>; test: (values: unknown, lowerKeys: boolean) => boolean } {
  if (!isPlainObject(v) || Object.keys(v as object).length === 0) {
    return fail(field, `${field} must be a non-empty object of name -> value, { "contains": ... } or { "matches": ... }`);
  }
  // Keys were checked by assertSafe (no __proto__ & co.), so a plain object is safe here.
  const copy: Record<string, StringCondition> = {};
  const tests: Array<[string, (s: string) => boolean]> = [];
  for (const [name, cond] of Object.entries(v as Record<string, unknown>)) {
    const f = `${field}.${name}`;
    const compiled = validateStringCondition(cond, f);
    copy[name] = compiled.copy;
    tests.push([name.toLowerCase(), compiled.test]);
  }
  return {
    copy,
    test: (values, lowerKeys) => {
      for (const [name, t] of tests) if (!someNamed(values, name, lowerKeys, t)) return false;
      return true;
    },
  };
}

function validateStringCondition(v: unknown, field: string): { copy: StringCondition; test: (s: string) => boolean } {
  if (typeof v === 'string') return { copy: v, test: (s) => s === v };
  if (!isPlainObject(v)) {
    return fail(field, `${field} must be a string (exact value), { "contains": "..." } or { "matches": "<regex>" }`);
  }
  const c = v as Record<string, unknown>;
  checkKeys(c, field, ['contains', 'matches', 'ignoreCase'], 'string condition key');
  const ignoreCase = booleanFlag(c.ignoreCase, `${field}.ignoreCase`);
  const hasContains = c.contains !== undefined;
  const hasMatches = c.matches !== undefined;
  if (hasContains === hasMatches) fail(field, `${field} must have exactly one of "contains" or "matches"`);
  if (hasContains) {
    const needle = text(c.contains, `${field}.contains`);
    const n = ignoreCase ? needle.toLowerCase() : needle;
    const copy = ignoreCase ? { contains: needle, ignoreCase: true } : { contains: needle };
    return { copy, test: (s) => (ignoreCase ? s.toLowerCase() : s).includes(n) };
  }
  const re = compileRegex(c.matches, `${field}.matches`, ignoreCase);
  const copy = ignoreCase ? { matches: c.matches as string, ignoreCase: true } : { matches: c.matches as string };
  return { copy, test: (s) => re.test(s) };
}

function booleanFlag(v: unknown, field: string): boolean {
  if (v === undefined) return false;
  if (typeof v !== 'boolean') fail(field, `${field} must be true or false`);
  return v as boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Body conditions

/** Parses a body path (src/body-path.ts: the syntax journal queries use too); names like "__proto__" are refused. */
export function parseBodyPath(path: string, field = 'path'): BodyPathStep[] {
  let steps: BodyPathStep[];
  try {
    steps = parseBodyPathSteps(path);
  } catch (err) {
    if (!(err instanceof BodyPathError)) throw err;
    return fail(field, `${field} "${path}" is not a valid body path (${err.why}, at character ${err.at + 1}); write names separated by dots, [*] or [n] for array elements, ["a.b"] for keys with dots`);
  }
  for (const s of steps) {
    if (s.kind === 'key' && FORBIDDEN_KEYS.has(s.name)) fail(field, `${field}: the name "${s.name}" is not allowed`);
  }
  return steps;
}

export { selectBodyValues };

function validateBodyCondition(v: unknown, field: string): { copy: BodyCondition; test: (body: unknown) => boolean } {
  if (!isPlainObject(v)) return fail(field, `${field} must be an object such as { "path": "userName", "equals": "bjensen" }`);
  const c = v as Record<string, unknown>;
  if (c.anyOf !== undefined) {
    checkKeys(c, field, ['anyOf'], 'key next to anyOf');
    if (!Array.isArray(c.anyOf) || c.anyOf.length === 0) fail(`${field}.anyOf`, `${field}.anyOf must be a non-empty array of conditions`);
    const parts = (c.anyOf as unknown[]).map((p, i) => validateBodyCondition(p, `${field}.anyOf[${i}]`));
    return { copy: { anyOf: parts.map((p) => p.copy) }, test: (body) => parts.some((p) => p.test(body)) };
  }
  checkKeys(c, field, ['path', 'equals', 'contains', 'matches', 'exists', 'ignoreCase'], 'body condition key');
  if (c.path === undefined) fail(`${field}.path`, `${field}.path is required, e.g. "Operations[*].path"`);
  const path = text(c.path, `${field}.path`, 1_000);
  const steps = parseBodyPath(path, `${field}.path`);
  const ignoreCase = booleanFlag(c.ignoreCase, `${field}.ignoreCase`);
  const tests = ['equals', 'contains', 'matches', 'exists'].filter((k) => c[k] !== undefined);
  if (tests.length !== 1) fail(field, `${field} must have exactly one of "equals", "contains", "matches" or "exists"`);
  const copy: Record<string, unknown> = { path };
  if (ignoreCase) copy.ignoreCase = true;
  const kind = tests[0]!;
  let test: (values: unknown[]) => boolean;
  if (kind === 'exists') {
    const want = booleanFlag(c.exists, `${field}.exists`);
    copy.exists = want;
    test = (values) => values.length > 0 === want;
  } else if (kind === 'equals') {
    const expected = structuredClone(c.equals);
    copy.equals = structuredClone(expected);
    test = (values) => candidates(values).some((x) => deepEqual(x, expected, ignoreCase));
  } else if (kind === 'contains') {
    const needle = text(c.contains, `${field}.contains`);
    copy.contains = needle;
    const n = ignoreCase ? needle.toLowerCase() : needle;
    test = (values) =>
      candidates(values).some((x) => typeof x === 'string' && (ignoreCase ? x.toLowerCase() : x).includes(n));
  } else {
    const re = compileRegex(c.matches, `${field}.matches`, ignoreCase);
    copy.matches = c.matches;
    test = (values) => candidates(values).some((x) => typeof x === 'string' && re.test(x));
  }
  return { copy: copy as BodyCondition, test: (body) => test(selectBodyValues(body, steps)) };
}

/** Each selected value, and the elements of those that are arrays. */
function candidates(values: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    out.push(v);
    if (Array.isArray(v)) out.push(...v);
  }
  return out;
}

function deepEqual(a: unknown, b: unknown, ignoreCase: boolean, depth = 0): boolean {
  if (depth > MAX_DEPTH) return false;
  if (typeof a === 'string' && typeof b === 'string') return ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b;
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => deepEqual(x, b[i], ignoreCase, depth + 1));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every(
    (k) =>
      Object.prototype.hasOwnProperty.call(b, k) &&
      deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], ignoreCase, depth + 1),
  );
}
