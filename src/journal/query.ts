/**
 * Journal queries: validation (JournalQueryError names the bad field) and compilation into predicates over
 * stored entries. Body matches use the body paths of src/body-path.ts (fault rules use the same).
 */
import { BodyPathError, parseBodyPath as parseBodyPathSteps, selectBodyValues, type BodyPathStep } from '../body-path.js';
import { compilePathGlob, globToRegExp } from '../path-glob.js';
import { SCIM_OPERATIONS, type ConformanceWarning } from '../request-context.js';
import { parseRfc3339 } from '../scim/datetime.js';
import { lookupKey } from './redact.js';
import type { StoredEntry } from './entry.js';
import { MAX_TEXT_LENGTH, TextNeedle } from './text.js';

export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 10_000;

/** A match on the request body: `path` is JSON-path-like ("Operations[*].op"), with exactly one test. */
export interface JournalBodyMatch {
  path: string;
  /** Deep equality (strings compared exactly). */
  equals?: unknown;
  /** Strings: case-insensitive substring; arrays: some element contains it; objects: every given key contains. */
  contains?: unknown;
  /** true: the path resolves to at least one non-null value; false: to none. */
  exists?: boolean;
}

/** All fields optional; all given fields must hold. */
export interface JournalQuery {
  method?: string | string[];
  /** Glob on relativePath: `*` one segment (or part of one), `**` any number of segments (src/path-glob.ts). */
  path?: string;
  operation?: string | string[];
  resourceType?: string;
  /** 404, [200, 201], "4xx", ["4xx", 500]. */
  status?: number | string | Array<number | string>;
  /** RFC 3339, inclusive. */
  from?: string;
  /** RFC 3339, inclusive. */
  to?: string;
  hasWarnings?: boolean;
  warningCode?: string;
  hasFindings?: boolean;
  /** A behaviour finding code, e.g. "retry-storm". */
  findingCode?: string;
  /** true: a fault fired; false: none did; a string: that rule (by id or name) fired. */
  fault?: boolean | string;
  body?: JournalBodyMatch | JournalBodyMatch[];
  /**
   * Occurs, case-insensitively (toLowerCase on both sides), in the method, the path and query, the request headers
   * (credentials redacted: a search never finds a redacted secret), the request body, the response headers (as
   * "name: value" lines, like the request's) or the response body (their text as the journal keeps it: JSON as sent,
   * where text JSON escapes is found escaped too, and as the entry shows it decoded). 1 to 1024 characters.
   */
  text?: string;
  /** Only entries with seq > since. */
  since?: number;
  /** Default 100, at most 10,000 (exports default to everything). */
  limit?: number;
  order?: 'asc' | 'desc';
}

/** A bad journal query; `field` names the offending field. */
export class JournalQueryError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'JournalQueryError';
  }
}

const OPERATIONS = SCIM_OPERATIONS;

const QUERY_KEYS = new Set([
  'method',
  'path',
  'operation',
  'resourceType',
  'status',
  'from',
  'to',
  'hasWarnings',
  'warningCode',
  'hasFindings',
  'findingCode',
  'fault',
  'body',
  'text',
  'since',
  'limit',
  'order',
]);


export type Predicate = (e: StoredEntry) => boolean;

export interface CompiledQuery {
  predicates: Predicate[];
  since: number;
  limit: number | undefined;
  order: 'asc' | 'desc';
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(field: string, v: unknown, what: string): string[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length === 0) throw new JournalQueryError(field, `${field} must be ${what} or a non-empty array of them`);
  for (const s of list) {
    if (typeof s !== 'string' || s.trim() === '')
      throw new JournalQueryError(field, `${field} must be ${what} or a non-empty array of them, got ${JSON.stringify(s)}`);
  }
  return list as string[];
}

/** The path glob of a journal query as an expression (see src/path-glob.ts for its rules). */
export const compileGlob = globToRegExp;

/** Parses a body path (src/body-path.ts): "Operations[*].op", "emails[0].value", '["urn:...:2.0:User"].employeeNumber'. */
export function parseBodyPath(path: string, field = 'body.path'): BodyPathStep[] {
  try {
    return parseBodyPathSteps(path);
  } catch (err) {
    if (!(err instanceof BodyPathError)) throw err;
    throw new JournalQueryError(field, `${field} ${JSON.stringify(path)} is not a valid body path: ${err.why} (at character ${err.at + 1}); write e.g. "Operations[*].op" or "emails[0].value"`);
  }
}

/** All values the path reaches in `value`; keys are case-insensitive and walk through arrays implicitly. */
export const resolveBodyPath = selectBodyValues;

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  return ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}

function contains(value: unknown, needle: unknown): boolean {
  if (deepEqual(value, needle)) return true;
  if (typeof value === 'string' && (typeof needle === 'string' || typeof needle === 'number' || typeof needle === 'boolean'))
    return value.toLowerCase().includes(String(needle).toLowerCase());
  if (Array.isArray(value)) return value.some((v) => contains(v, needle));
  if (isPlainObject(value) && isPlainObject(needle)) {
    return Object.keys(needle).every((k) => {
      const key = lookupKey(value, k.toLowerCase());
      return key !== undefined && contains(value[key], needle[k]);
    });
  }
  return false;
}

function compileBodyMatch(m: unknown, field: string): Predicate {
  if (!isPlainObject(m)) throw new JournalQueryError(field, `${field} must be an object like {"path": "Operations[*].op", "equals": "add"}`);
  for (const k of Object.keys(m)) {
    if (!['path', 'equals', 'contains', 'exists'].includes(k))
      throw new JournalQueryError(`${field}.${k}`, `${field}.${k} is not a body match field; use path with one of equals, contains, exists`);
  }
  if (typeof m.path !== 'string') throw new JournalQueryError(`${field}.path`, `${field}.path must be a string such as "Operations[*].op"`);
  const tokens = parseBodyPath(m.path, `${field}.path`);
  const tests = (['equals', 'contains', 'exists'] as const).filter((k) => m[k] !== undefined);
  if (tests.length !== 1)
    throw new JournalQueryError(field, `${field} must have exactly one of equals, contains, exists (it has ${tests.length === 0 ? 'none' : tests.join(', ')})`);
  const test = tests[0]!;
  if (test === 'exists') {
    if (typeof m.exists !== 'boolean') throw new JournalQueryError(`${field}.exists`, `${field}.exists must be true or false`);
    const want = m.exists;
    return (e) => resolveBodyPath(e.requestBodyValue(), tokens).some((v) => v !== null && v !== undefined) === want;
  }
  const needle = m[test];
  if (test === 'equals') return (e) => resolveBodyPath(e.requestBodyValue(), tokens).some((v) => deepEqual(v, needle));
  return (e) => resolveBodyPath(e.requestBodyValue(), tokens).some((v) => contains(v, needle));
}

function nonNegativeInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new JournalQueryError(field, `${field} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function timeBound(field: string, v: unknown): number {
  const at = parseRfc3339(v);
  if (!at.ok) throw new JournalQueryError(field, `${field} must be an RFC 3339 date-time such as "2024-05-01T12:00:00Z", got ${JSON.stringify(v)}: ${at.reason}`);
  return at.ms;
}

/** Validates a query (throwing JournalQueryError naming the field) and turns it into predicates. */
export function compileQuery(input: unknown, defaultLimit: number | undefined): CompiledQuery {
  if (input === undefined || input === null) input = {};
  if (!isPlainObject(input)) throw new JournalQueryError('query', 'a journal query must be a JSON object');
  const q = input;
  const predicates: Predicate[] = [];
  for (const key of Object.keys(q)) {
    if (!QUERY_KEYS.has(key))
      throw new JournalQueryError(key, `${JSON.stringify(key)} is not a journal query field; use one of ${[...QUERY_KEYS].join(', ')}`);
  }
  const has = (k: string) => q[k] !== undefined;

  if (has('method')) {
    const methods = stringList('method', q.method, 'an HTTP method').map((m) => {
      if (!/^[A-Za-z]+$/.test(m)) throw new JournalQueryError('method', `method ${JSON.stringify(m)} is not an HTTP method`);
      return m.toUpperCase();
    });
    predicates.push((e) => methods.includes(e.method.toUpperCase()));
  }
  if (has('path')) {
    if (typeof q.path !== 'string' || q.path === '')
      throw new JournalQueryError('path', 'path must be a glob on the SCIM-relative path, such as "/Users/*" or "/Groups/**"');
    const matchesPath = compilePathGlob(q.path);
    predicates.push((e) => matchesPath(e.relativePath));
  }
  if (has('operation')) {
    const ops = stringList('operation', q.operation, 'a SCIM operation').map((o) => o.toLowerCase());
    for (const o of ops) {
      if (!(OPERATIONS as readonly string[]).includes(o))
        throw new JournalQueryError('operation', `operation ${JSON.stringify(o)} is not one of ${OPERATIONS.join(', ')}`);
    }
    predicates.push((e) => ops.includes(String(e.operation).toLowerCase()));
  }
  if (has('resourceType')) {
    if (typeof q.resourceType !== 'string' || q.resourceType === '')
      throw new JournalQueryError('resourceType', 'resourceType must be a resource type name such as "User"');
    const rt = q.resourceType.toLowerCase();
    predicates.push((e) => e.resourceType !== null && e.resourceType.toLowerCase() === rt);
  }
  if (has('status')) {
    const list = Array.isArray(q.status) ? q.status : [q.status];
    if (list.length === 0) throw new JournalQueryError('status', 'status must not be an empty array');
    const tests = list.map((s): ((n: number) => boolean) => {
      if (typeof s === 'number' && Number.isInteger(s) && s >= 0 && s <= 999) return (n) => n === s;
      if (typeof s === 'string' && /^\d{1,3}$/.test(s)) return (n) => n === Number(s);
      if (typeof s === 'string' && /^[1-5]xx$/i.test(s)) {
        const cls = Number(s[0]);
        return (n) => Math.floor(n / 100) === cls;
      }
      throw new JournalQueryError('status', `status must be a status code (404), a class ("4xx") or an array of them, got ${JSON.stringify(s)}`);
    });
    predicates.push((e) => tests.some((t) => t(e.status)));
  }
  if (has('from')) {
    const from = timeBound('from', q.from);
    predicates.push((e) => e.timeMs >= from);
  }
  if (has('to')) {
    const to = timeBound('to', q.to);
    predicates.push((e) => e.timeMs <= to);
  }
  // Conformance warnings and behaviour findings are queried alike: any at all, or one code.
  const codes = (hasKey: string, codeKey: string, listOf: (e: StoredEntry) => readonly ConformanceWarning[], example: string) => {
    if (has(hasKey)) {
      const want = q[hasKey];
      if (typeof want !== 'boolean') throw new JournalQueryError(hasKey, `${hasKey} must be true or false`);
      predicates.push((e) => listOf(e).length > 0 === want);
    }
    if (has(codeKey)) {
      const code = q[codeKey];
      if (typeof code !== 'string' || code === '') throw new JournalQueryError(codeKey, `${codeKey} must be ${example}`);
      predicates.push((e) => listOf(e).some((w) => w.code === code));
    }
  };
  codes('hasWarnings', 'warningCode', (e) => e.warnings, 'a warning code such as "op-case"');
  codes('hasFindings', 'findingCode', (e) => e.findings, 'a behaviour finding code such as "retry-storm"');
  if (has('fault')) {
    const f = q.fault;
    if (typeof f === 'boolean') predicates.push((e) => (e.fault !== null) === f);
    else if (typeof f === 'string' && f !== '') predicates.push((e) => e.fault !== null && (e.fault.id === f || e.fault.name === f));
    else throw new JournalQueryError('fault', 'fault must be true, false or a fault rule id');
  }
  if (has('text')) {
    const t = q.text;
    if (typeof t !== 'string' || t.trim() === '')
      throw new JournalQueryError('text', `text must be a non-empty string to look for in the requests and responses, got ${JSON.stringify(t)}`);
    if (t.length > MAX_TEXT_LENGTH)
      throw new JournalQueryError('text', `text must be at most ${MAX_TEXT_LENGTH} characters, got ${t.length}: search for a distinctive part of it`);
    const needle = new TextNeedle(t);
    predicates.push((e) => e.containsText(needle));
  }
  if (has('body')) {
    const list = Array.isArray(q.body) ? q.body : [q.body];
    if (list.length === 0) throw new JournalQueryError('body', 'body must be a body match or a non-empty array of them');
    list.forEach((m, i) => predicates.push(compileBodyMatch(m, Array.isArray(q.body) ? `body[${i}]` : 'body')));
  }
  const since = has('since') ? nonNegativeInt('since', q.since) : 0;
  let limit = defaultLimit;
  if (has('limit')) {
    limit = nonNegativeInt('limit', q.limit);
    if (limit < 1 || limit > MAX_QUERY_LIMIT)
      throw new JournalQueryError('limit', `limit must be between 1 and ${MAX_QUERY_LIMIT}, got ${limit}`);
  }
  let order: 'asc' | 'desc' = 'asc';
  if (has('order')) {
    if (q.order !== 'asc' && q.order !== 'desc') throw new JournalQueryError('order', 'order must be "asc" or "desc"');
    order = q.order;
  }
  return { predicates, since, limit, order };
}

/** Validates a query without running it; throws JournalQueryError naming the bad field. */
export function validateJournalQuery(query: unknown): asserts query is JournalQuery {
  compileQuery(query, DEFAULT_QUERY_LIMIT);
}

