/**
 * The request journal of one tenant: a bounded ring buffer of what clients sent and what they got back,
 * with queries for tests ("what did my connector send?"), a conformance summary, NDJSON and HAR export,
 * and an optional NDJSON stream to disk.
 *
 * Memory stays flat: the buffer is a fixed-size array with a head index; bodies are bounded at 64 KiB.
 * Secrets never enter the journal: record() redacts credentials headers and password values itself,
 * whatever the caller passes.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { isoTime, type Clock } from '../scim/clock.js';
import {
  SCIM_OPERATIONS,
  type BehaviourFinding,
  type CommittedResponse,
  type ConformanceWarning,
  type FiredFaultInfo,
  type RequestScimContext,
  type ScimOperation,
} from '../request-context.js';

/** Bodies (request and response) are kept up to this many bytes (characters for text). */
export const JOURNAL_BODY_LIMIT = 64 * 1024;
export const DEFAULT_JOURNAL_CAPACITY = 10_000;
export const DEFAULT_QUERY_LIMIT = 100;
export const MAX_QUERY_LIMIT = 10_000;
export const REDACTED = '[REDACTED]';
/** Lines waiting for the disk beyond this many bytes are dropped (counted in `fileLinesDropped`). */
const FILE_BACKLOG_LIMIT = 16 * 1024 * 1024;
const MAX_BODY_DEPTH = 200;

export type JournalOutcome = 'completed' | 'aborted' | 'reset';

/** What the real handler answered when a fault replaced that answer (a fault with phase "after"). */
export interface CommittedEntry {
  status: number;
  responseHeaders: Record<string, string | string[] | number>;
  /** Parsed JSON when the answer was JSON, else text; null when it had no body. */
  responseBody: unknown;
  responseBodyTruncated: boolean;
}

export interface JournalEntry {
  /** "req-<seq>". */
  id: string;
  /** 1, 2, 3... per journal; never reused, not even after clear(). */
  seq: number;
  /** RFC 3339, from the tenant's clock, when the request arrived. */
  time: string;
  tenant: string;
  method: string;
  /** The full URL path as received, without the query string. */
  path: string;
  /** The path relative to the tenant's SCIM base path, e.g. "/Users/123". */
  relativePath: string;
  query: Record<string, unknown>;
  /** Authorization, Proxy-Authorization, Cookie and x-api-key values are "[REDACTED]" (the scheme is kept). */
  requestHeaders: Record<string, string | string[]>;
  /** Parsed JSON with password values "[REDACTED]"; raw text when not JSON; null when there was no body. */
  requestBody: unknown;
  /** True when the request body exceeded 64 KiB and only its first 64 KiB of text are kept. */
  requestBodyTruncated: boolean;
  /** 0 when the socket was destroyed without a response. */
  status: number;
  responseHeaders: Record<string, string | string[] | number>;
  /** Parsed JSON when the response was JSON, else text; null when there was no body. */
  responseBody: unknown;
  responseBodyTruncated: boolean;
  durationMs: number;
  operation: ScimOperation | string;
  resourceType: string | null;
  fault: FiredFaultInfo | null;
  warnings: ConformanceWarning[];
  /** `status`, `responseBody` and `outcome` are what the client got; they differ from what was committed here. */
  committed: CommittedEntry | null;
  outcome: JournalOutcome;
  /** Who sent it: a digest of tenant, credentials and User-Agent (never the credential); null when not analysed. */
  client: string | null;
  /** Behaviour findings this request completed (src/behaviour/); filled by the analyser, a journal subscriber. */
  findings: BehaviourFinding[];
}

/** What record() takes: an entry without id and seq; `time` defaults to the journal's clock. */
export type JournalRecordInput = Omit<
  JournalEntry,
  | 'id'
  | 'seq'
  | 'time'
  | 'requestBodyTruncated'
  | 'responseBodyTruncated'
  | 'resourceType'
  | 'fault'
  | 'requestHeaders'
  | 'responseHeaders'
  | 'client'
  | 'findings'
  | 'committed'
> & {
  /** The real handler's answer, when a fault replaced it. */
  committed?: CommittedResponse | null;
  time?: string;
  /** Raw headers (e.g. req.headers); record() redacts them. */
  requestHeaders: Record<string, string | string[] | number | undefined>;
  responseHeaders: Record<string, string | string[] | number | undefined>;
  resourceType?: string | null;
  fault?: FiredFaultInfo | null;
  requestBodyTruncated?: boolean;
  responseBodyTruncated?: boolean;
};

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
  /** Glob on relativePath: `*` one segment, `**` any number of characters (case-insensitive). */
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
  /** Only entries with seq > since. */
  since?: number;
  /** Default 100, at most 10,000 (exports default to everything). */
  limit?: number;
  order?: 'asc' | 'desc';
}

export interface ConformanceSummaryItem {
  code: string;
  rfc: string;
  /** Occurrences in the buffer (a request may carry the same code more than once). */
  count: number;
  /** Distinct requests carrying the code. */
  requests: number;
  firstRequestId: string;
  /** The detail of the first occurrence. */
  example: string;
}

export interface ConformanceSummary {
  totalRequests: number;
  requestsWithWarnings: number;
  warnings: ConformanceSummaryItem[];
  /** Requests that completed a behaviour finding. */
  requestsWithFindings: number;
  /** Behaviour findings (what the client did across requests), kept apart from the per-request warnings. */
  behaviour: ConformanceSummaryItem[];
}

/**
 * Receives each entry as it is recorded (see Journal.subscribe), with the SCIM context of the request when the
 * capture middleware recorded it (what the layers shared about it; not part of the entry).
 */
export type JournalListener = (entry: JournalEntry, context?: RequestScimContext) => void;

export interface JournalOptions {
  /** Entries kept; older ones are dropped. Default 10,000. */
  capacity?: number;
  clock: Clock;
  /** Append each entry as one NDJSON line to this file. */
  file?: string;
  /** Written into HAR exports as log.creator.version. */
  creatorVersion?: string;
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

/** waitFor() found no matching request in time. */
export class JournalTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`no matching request was recorded within ${timeoutMs} ms`);
    this.name = 'JournalTimeoutError';
  }
}

// ---------------------------------------------------------------------------------------------------------
// Redaction and bounding

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
const SCHEME_HEADERS = new Set(['authorization', 'proxy-authorization']);
const AUTH_SCHEME = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(\s+)([\s\S]*)$/;

function redactHeaderValue(name: string, value: string): string {
  if (value === '') return value;
  if (SCHEME_HEADERS.has(name)) {
    const m = AUTH_SCHEME.exec(value);
    if (m) return m[3] === '' ? value : `${m[1]} ${REDACTED}`;
  }
  return REDACTED;
}

/** A copy of the headers with credential values replaced by "[REDACTED]" (the auth scheme is kept). */
export function redactHeaders(
  headers: Record<string, string | string[] | number | undefined> | undefined | null,
): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  if (!headers) return out;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    let kept: string | string[] = Array.isArray(value) ? value.map(String) : String(value);
    if (SECRET_HEADERS.has(lower)) {
      kept = Array.isArray(kept) ? kept.map((v) => redactHeaderValue(lower, v)) : redactHeaderValue(lower, kept);
    }
    define(out, name, kept);
  }
  return out;
}

/** Sets a property without ever touching a prototype (works for "__proto__" too). */
function define(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * `password`, or an attribute path ending in it (`urn:...:User:password`, `x.password`); and the client secret of
 * an OAuth 2.0 token request (RFC 6749 section 2.3.1) or its assertion (RFC 7521).
 */
const PASSWORD_KEY = /(^|[:.])password$|^client_secret$|^client_assertion$/i;
/** Tokens in the answer of an OAuth 2.0 token endpoint (RFC 6749 section 5.1). */
const TOKEN_KEYS = new Set(['access_token', 'refresh_token', 'id_token']);
/** A PATCH operation path naming the password attribute, e.g. "password" or "urn:...:User:password". */
const PASSWORD_PATH = /^\s*(?:[^\s]*[:.])?password\s*$/i;

class TooDeep extends Error {}

interface CopyState {
  size: number;
}

function lookupKey(obj: Record<string, unknown>, lower: string): string | undefined {
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return k;
  return undefined;
}

function redactCopy(value: unknown, state: CopyState, depth: number): unknown {
  if (depth > MAX_BODY_DEPTH) throw new TooDeep();
  if (value === null || value === undefined) {
    state.size += 4;
    return value === undefined ? null : value;
  }
  switch (typeof value) {
    case 'string':
      state.size += value.length + 2;
      return value;
    case 'number':
    case 'boolean':
      state.size += 6;
      return value;
    case 'bigint':
      state.size += 8;
      return String(value);
    case 'object':
      break;
    default:
      return null;
  }
  if (Array.isArray(value)) {
    state.size += 2;
    return value.map((v) => {
      state.size += 1;
      return redactCopy(v, state, depth + 1);
    });
  }
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    const text = Buffer.from(value).toString('utf8');
    state.size += text.length;
    return text;
  }
  const src = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  state.size += 2;
  // A PATCH operation that sets the password carries it in `value`: {"op":"replace","path":"password","value":"..."}
  const pathKey = lookupKey(src, 'path');
  const valueKey = lookupKey(src, 'value');
  const pathIsPassword =
    pathKey !== undefined && valueKey !== undefined && typeof src[pathKey] === 'string' && PASSWORD_PATH.test(src[pathKey] as string);
  for (const k of Object.keys(src)) {
    state.size += k.length + 4;
    if (PASSWORD_KEY.test(k) || (pathIsPassword && k === valueKey)) {
      state.size += REDACTED.length;
      define(out, k, REDACTED);
    } else {
      define(out, k, redactCopy(src[k], state, depth + 1));
    }
  }
  return out;
}

function truncateText(text: string, limit = JOURNAL_BODY_LIMIT): { text: string; truncated: boolean } {
  return text.length > limit ? { text: text.slice(0, limit), truncated: true } : { text, truncated: false };
}

/**
 * A bounded, redacted copy of a request body: parsed JSON with every `password` value "[REDACTED]"
 * (any depth, case-insensitive, and the `value` of a PATCH operation whose path is password); a string that is
 * not JSON stays text; anything larger than 64 KiB becomes its first 64 KiB of (redacted) JSON text.
 */
export function redactBody(body: unknown): { body: unknown; truncated: boolean } {
  if (body === undefined || body === null) return { body: null, truncated: false };
  let value: unknown = body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) value = Buffer.from(body).toString('utf8');
  if (typeof value === 'string') {
    const text = value;
    if (text === '') return { body: null, truncated: false };
    try {
      value = JSON.parse(text);
    } catch {
      const t = truncateText(text);
      return { body: t.text, truncated: t.truncated };
    }
  }
  const state: CopyState = { size: 0 };
  let copy: unknown;
  try {
    copy = redactCopy(value, state, 0);
  } catch (e) {
    if (e instanceof TooDeep) return { body: `[body nested deeper than ${MAX_BODY_DEPTH} levels, not recorded]`, truncated: true };
    throw e;
  }
  if (state.size > JOURNAL_BODY_LIMIT) {
    const text = JSON.stringify(copy) ?? '';
    if (text.length > JOURNAL_BODY_LIMIT) return { body: text.slice(0, JOURNAL_BODY_LIMIT), truncated: true };
  }
  return { body: copy, truncated: false };
}

/** A bounded copy of a response body (no redaction: the server wrote it). */
/**
 * A response body captured as JSON text (already bounded by the capture). It is parsed only when the entry is
 * read: most entries are never read, and parsing every response on the hot path halved throughput.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Response bodies not parsed yet: entry -> its JSON text (the same string the lazy property holds). */
const unparsedBodies = new WeakMap<object, string>();

function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** Makes `entry[key]` the parsed `text`, parsed on first read (the text itself if it is not JSON). */
function defineLazyJson(entry: object, key: string, text: string): void {
  let value: unknown;
  let parsed = false;
  unparsedBodies.set(entry, text);
  Object.defineProperty(entry, key, {
    enumerable: true,
    configurable: true,
    get() {
      if (!parsed) {
        value = parseOrText(text);
        parsed = true;
        unparsedBodies.delete(entry);
      }
      return value;
    },
    set(next: unknown) {
      unparsedBodies.delete(entry);
      Object.defineProperty(entry, key, { value: next, enumerable: true, configurable: true, writable: true });
    },
  });
}

/** A token endpoint's answer with its tokens "[REDACTED]" (the journal never keeps a usable credential). */
function redactTokens(body: unknown): unknown {
  let value = body;
  if (body instanceof JsonText) {
    try {
      value = JSON.parse(body.text) as unknown;
    } catch {
      return body;
    }
  }
  if (!isPlainObject(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) define(out, k, TOKEN_KEYS.has(k.toLowerCase()) ? REDACTED : value[k]);
  return out;
}

function contentTypeOf(headers: Record<string, unknown>): string {
  for (const k of Object.keys(headers)) if (k.toLowerCase() === 'content-type') return String(headers[k]);
  return '';
}

/**
 * The committed answer of a request whose delivered answer a fault replaced: bounded like a response body, and with
 * its tokens redacted when it is a token endpoint's.
 */
function committedEntry(committed: CommittedResponse, tokens: boolean): CommittedEntry {
  const redacted = tokens ? redactTokens(new JsonText(committed.body)) : committed.body;
  const { text, truncated } = truncateText(typeof redacted === 'string' ? redacted : redacted instanceof JsonText ? redacted.text : JSON.stringify(redacted));
  const json = !truncated && text !== '' && (contentTypeOf(committed.headers) === '' || /json/i.test(contentTypeOf(committed.headers)));
  const entry: CommittedEntry = {
    status: committed.status,
    responseHeaders: copyResponseHeaders(committed.headers),
    responseBody: text === '' ? null : text,
    responseBodyTruncated: truncated,
  };
  if (json) defineLazyJson(entry, 'responseBody', text);
  return entry;
}

/**
 * The entry as JSON text, the same as JSON.stringify(entry), without keeping a parsed copy of a response body
 * nobody read: the live stream serialises every entry, and parsed bodies held by the journal would multiply its
 * memory (and the garbage collector's work).
 */
export function journalEntryJson(entry: JournalEntry): string {
  const text = unparsedBodies.get(entry);
  if (text === undefined) return JSON.stringify(entry);
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(entry)) copy[key] = key === 'responseBody' ? parseOrText(text) : (entry as unknown as Record<string, unknown>)[key];
  return JSON.stringify(copy);
}

function boundResponseBody(body: unknown): { body: unknown; truncated: boolean } {
  if (body === undefined || body === null) return { body: null, truncated: false };
  if (body instanceof JsonText) {
    return body.text.length > JOURNAL_BODY_LIMIT ? { body: body.text.slice(0, JOURNAL_BODY_LIMIT), truncated: true } : { body, truncated: false };
  }
  if (typeof body === 'string') return (({ text, truncated }) => ({ body: text, truncated }))(truncateText(body));
  if (typeof body !== 'object') return { body, truncated: false };
  // Parsed JSON: measure once; keep it parsed when small enough.
  let text: string;
  try {
    text = JSON.stringify(body) ?? '';
  } catch {
    return { body: '[response body could not be serialised]', truncated: true };
  }
  if (text.length > JOURNAL_BODY_LIMIT) return { body: text.slice(0, JOURNAL_BODY_LIMIT), truncated: true };
  return { body: JSON.parse(text) as unknown, truncated: false };
}

// ---------------------------------------------------------------------------------------------------------
// Queries

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
  'since',
  'limit',
  'order',
]);

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

type Predicate = (e: JournalEntry) => boolean;

interface CompiledQuery {
  predicates: Predicate[];
  since: number;
  limit: number | undefined;
  order: 'asc' | 'desc';
}

type PathToken = { kind: 'key'; name: string } | { kind: 'index'; index: number } | { kind: 'any' };

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

/** Compiles a path glob: `*` matches within one segment, `**` matches anything; case-insensitive. */
export function compileGlob(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        re += '.*';
        i++;
      } else re += '[^/]*';
    } else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'i');
}

/** Parses "Operations[*].op", "emails[0].value", '["urn:...:2.0:User"].employeeNumber'. */
export function parseBodyPath(path: string, field = 'body.path'): PathToken[] {
  const tokens: PathToken[] = [];
  let i = 0;
  const src = path.trim();
  if (src === '$') return tokens;
  if (src.startsWith('$.')) i = 2;
  else if (src.startsWith('$[')) i = 1;
  const fail = (why: string): never => {
    throw new JournalQueryError(field, `${field} ${JSON.stringify(path)} is not a valid body path: ${why} (at character ${i + 1}); write e.g. "Operations[*].op" or "emails[0].value"`);
  };
  if (src === '') fail('it is empty');
  let expectKey = true;
  while (i < src.length) {
    const c = src[i];
    if (c === '[') {
      const close = src.indexOf(']', i);
      if (close < 0) fail('"[" without "]"');
      const inner = src.slice(i + 1, close).trim();
      if (inner === '*') tokens.push({ kind: 'any' });
      else if (/^\d+$/.test(inner)) tokens.push({ kind: 'index', index: Number(inner) });
      else if (/^(["']).*\1$/.test(inner) && inner.length >= 2) {
        const name = inner.slice(1, -1);
        if (name === '') fail('an empty quoted key');
        tokens.push({ kind: 'key', name });
      } else fail(`"[${inner}]" must be [*], [<index>] or ["<key>"]`);
      i = close + 1;
      expectKey = false;
    } else if (c === '.') {
      if (expectKey) fail('an empty key');
      i++;
      expectKey = true;
      if (i >= src.length) fail('a trailing "."');
    } else {
      if (!expectKey) fail('a key must follow "." after "]"');
      let j = i;
      while (j < src.length && src[j] !== '.' && src[j] !== '[') j++;
      const name = src.slice(i, j);
      if (name.trim() === '') fail('an empty key');
      tokens.push({ kind: 'key', name });
      i = j;
      expectKey = false;
    }
  }
  return tokens;
}

/** All values the path reaches in `value`; keys are case-insensitive and walk through arrays implicitly. */
export function resolveBodyPath(value: unknown, tokens: PathToken[]): unknown[] {
  const out: unknown[] = [];
  walk(value, tokens, 0, out, 0);
  return out;
}

function walk(value: unknown, tokens: PathToken[], i: number, out: unknown[], depth: number): void {
  if (depth > MAX_BODY_DEPTH * 2) return;
  if (i === tokens.length) {
    out.push(value);
    return;
  }
  if (value === null || value === undefined || typeof value !== 'object') return;
  const t = tokens[i]!;
  if (Array.isArray(value)) {
    if (t.kind === 'any') for (const v of value) walk(v, tokens, i + 1, out, depth + 1);
    else if (t.kind === 'index') {
      if (t.index < value.length) walk(value[t.index], tokens, i + 1, out, depth + 1);
    } else for (const v of value) walk(v, tokens, i, out, depth + 1); // implicit: a key applies to each element
    return;
  }
  const obj = value as Record<string, unknown>;
  if (t.kind === 'any') {
    for (const k of Object.keys(obj)) walk(obj[k], tokens, i + 1, out, depth + 1);
    return;
  }
  if (t.kind === 'index') return;
  // Keys may themselves contain dots (URNs such as "...:enterprise:2.0:User"): try joining following key tokens.
  const keys = Object.keys(obj);
  let joined = '';
  for (let j = i; j < tokens.length; j++) {
    const tj = tokens[j]!;
    if (tj.kind !== 'key') break;
    joined = j === i ? tj.name : `${joined}.${tj.name}`;
    const lower = joined.toLowerCase();
    for (const k of keys) if (k.toLowerCase() === lower) walk(obj[k], tokens, j + 1, out, depth + 1);
  }
}

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
    return (e) => resolveBodyPath(e.requestBody, tokens).some((v) => v !== null && v !== undefined) === want;
  }
  const needle = m[test];
  if (test === 'equals') return (e) => resolveBodyPath(e.requestBody, tokens).some((v) => deepEqual(v, needle));
  return (e) => resolveBodyPath(e.requestBody, tokens).some((v) => contains(v, needle));
}

function nonNegativeInt(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0)
    throw new JournalQueryError(field, `${field} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return v;
}

function timeBound(field: string, v: unknown): number {
  if (typeof v !== 'string' || !RFC3339.test(v) || Number.isNaN(Date.parse(v)))
    throw new JournalQueryError(field, `${field} must be an RFC 3339 date-time such as "2024-05-01T12:00:00Z", got ${JSON.stringify(v)}`);
  return Date.parse(v);
}

/** Validates a query (throwing JournalQueryError naming the field) and turns it into predicates. */
function compileQuery(input: unknown, defaultLimit: number | undefined): CompiledQuery {
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
    const re = compileGlob(q.path);
    predicates.push((e) => re.test(e.relativePath));
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
    predicates.push((e) => Date.parse(e.time) >= from);
  }
  if (has('to')) {
    const to = timeBound('to', q.to);
    predicates.push((e) => Date.parse(e.time) <= to);
  }
  // Conformance warnings and behaviour findings are queried alike: any at all, or one code.
  const codes = (hasKey: string, codeKey: string, listOf: (e: JournalEntry) => readonly ConformanceWarning[], example: string) => {
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

/** The query's conditions as one test of an entry (`since`, `limit` and `order` are not conditions); throws JournalQueryError. */
export function journalEntryMatcher(query: JournalQuery): (entry: JournalEntry) => boolean {
  const { predicates } = compileQuery(query, undefined);
  return (e) => predicates.every((p) => p(e));
}

// ---------------------------------------------------------------------------------------------------------
// The journal

interface Waiter {
  compiled: CompiledQuery;
  resolve: (e: JournalEntry) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
  cleanup: () => void;
}

export class Journal {
  readonly capacity: number;
  readonly clock: Clock;
  private readonly buffer: Array<JournalEntry | undefined>;
  /** Index of the oldest entry. */
  private head = 0;
  private held = 0;
  private seq = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly stream: WriteStream | undefined;
  private readonly creatorVersion: string;
  private closed: Promise<void> | undefined;
  /** The first error of the NDJSON file stream, if any (writing stops then). */
  fileError: Error | undefined;
  /** Lines not written to the file because the disk fell more than 16 MiB behind. */
  fileLinesDropped = 0;
  /** Entries dropped from the buffer to make room for newer ones (clear() does not count). */
  evicted = 0;
  private readonly listeners = new Set<JournalListener>();

  constructor(opts: JournalOptions) {
    const capacity = opts.capacity ?? DEFAULT_JOURNAL_CAPACITY;
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`journal capacity must be a positive integer, got ${String(capacity)}`);
    this.capacity = capacity;
    this.clock = opts.clock;
    this.creatorVersion = opts.creatorVersion ?? '0.0.0';
    this.buffer = new Array<JournalEntry | undefined>(capacity);
    if (opts.file !== undefined) {
      this.stream = createWriteStream(opts.file, { flags: 'a', encoding: 'utf8' });
      this.stream.on('error', (err) => {
        this.fileError ??= err;
      });
    }
  }

  /** Entries currently held. */
  get size(): number {
    return this.held;
  }

  /** The seq of the last recorded entry (0 before the first); tests wait for "the next request after lastSeq". */
  get lastSeq(): number {
    return this.seq;
  }

  /**
   * Records one request (redacting and bounding it) and returns the stored entry. `context` is handed to the
   * subscribers only (see JournalListener).
   */
  record(input: JournalRecordInput, context?: RequestScimContext): JournalEntry {
    const seq = ++this.seq;
    const req = redactBody(input.requestBody);
    const res = boundResponseBody(input.operation === 'token' ? redactTokens(input.responseBody) : input.responseBody);
    const entry: JournalEntry = {
      id: `req-${seq}`,
      seq,
      time: input.time ?? isoTime(this.clock),
      tenant: input.tenant,
      method: input.method,
      path: input.path,
      relativePath: input.relativePath,
      query: copyQuery(input.query),
      requestHeaders: redactHeaders(input.requestHeaders),
      requestBody: req.body,
      requestBodyTruncated: req.truncated || input.requestBodyTruncated === true,
      status: input.status,
      responseHeaders: copyResponseHeaders(input.responseHeaders),
      responseBody: res.body,
      responseBodyTruncated: res.truncated || input.responseBodyTruncated === true,
      durationMs: input.durationMs,
      operation: input.operation,
      resourceType: input.resourceType ?? null,
      fault: input.fault ? structuredClone(input.fault) : null,
      warnings: (input.warnings ?? []).map((w) => ({ code: w.code, rfc: w.rfc, detail: w.detail })),
      committed: input.committed ? committedEntry(input.committed, input.operation === 'token') : null,
      outcome: input.outcome,
      client: null,
      findings: [],
    };
    if (res.body instanceof JsonText) defineLazyJson(entry, 'responseBody', res.body.text);
    if (this.held < this.capacity) {
      this.buffer[(this.head + this.held) % this.capacity] = entry;
      this.held++;
    } else {
      this.buffer[this.head] = entry;
      this.head = (this.head + 1) % this.capacity;
      this.evicted++;
    }
    // Subscribers first: the behaviour analyser completes the entry (client, findings) before it goes to the file.
    this.notify(entry, context);
    this.writeLine(entry);
    for (const w of [...this.waiters]) {
      if (entry.seq > w.compiled.since && w.compiled.predicates.every((p) => p(entry))) {
        w.cleanup();
        w.resolve(entry);
      }
    }
    return entry;
  }

  /**
   * Calls `listener` with every entry recorded from now on, synchronously after it is stored and before it is
   * written to the NDJSON file; the response it describes has already been sent. Listeners run in the order they
   * subscribed. A listener may complete the entry's `client` and `findings` (the behaviour analyser, subscribed
   * when the tenant is made, does: later listeners see them); it must not change anything else. This is the
   * journal's one stream: the dashboard's live feed and the behaviour analyser read it (no second capture, no
   * second middleware).
   * A listener that throws is reported and kept. Returns the unsubscribe function.
   */
  subscribe(listener: JournalListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** How many listeners are subscribed (0 when nobody watches: streaming then costs nothing). */
  get subscribers(): number {
    return this.listeners.size;
  }

  /** Matching entries (default: the first 100 in ascending seq order). */
  list(query?: JournalQuery): JournalEntry[] {
    return this.select(compileQuery(query, DEFAULT_QUERY_LIMIT));
  }

  /** The same as list(), with a query. */
  find(query: JournalQuery): JournalEntry[] {
    return this.list(query);
  }

  /** How many held entries match (limit and order are ignored). */
  count(query?: JournalQuery): number {
    return this.countMatching(query);
  }

  /** An entry by id ("req-12"); undefined when unknown or already dropped from the buffer. */
  get(id: string): JournalEntry | undefined {
    const m = /^req-(\d+)$/.exec(id);
    if (!m) return undefined;
    const seq = Number(m[1]);
    const oldest = this.seq - this.held + 1;
    if (seq < oldest || seq > this.seq) return undefined;
    return this.at(seq - oldest);
  }

  /** Drops every entry; sequence numbers continue from where they were. */
  clear(): void {
    this.buffer.fill(undefined);
    this.head = 0;
    this.held = 0;
  }

  /**
   * Resolves with the first entry with seq > query.since (default: lastSeq now) that matches the query,
   * already recorded or yet to come; rejects with JournalTimeoutError after timeoutMs (default 5000).
   */
  waitFor(query: JournalQuery = {}, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<JournalEntry> {
    let compiled: CompiledQuery;
    try {
      compiled = compileQuery(query, 1);
      if (query.since === undefined) compiled.since = this.seq;
    } catch (e) {
      return Promise.reject(e as Error);
    }
    const timeoutMs = opts.timeoutMs ?? 5000;
    if (!Number.isFinite(timeoutMs) || timeoutMs < 0)
      return Promise.reject(new JournalQueryError('timeoutMs', `timeoutMs must be a non-negative number, got ${String(timeoutMs)}`));
    const existing = this.select({ ...compiled, limit: 1, order: 'asc' })[0];
    if (existing) return Promise.resolve(existing);
    if (this.closed) return Promise.reject(new Error('the journal is closed'));
    if (opts.signal?.aborted) return Promise.reject(abortError(opts.signal));
    return new Promise<JournalEntry>((resolve, reject) => {
      const onAbort = () => {
        waiter.cleanup();
        reject(abortError(opts.signal!));
      };
      const waiter: Waiter = {
        compiled,
        resolve,
        reject,
        timer: setTimeout(() => {
          waiter.cleanup();
          reject(new JournalTimeoutError(timeoutMs));
        }, timeoutMs),
        cleanup: () => {
          clearTimeout(waiter.timer);
          this.waiters.delete(waiter);
          opts.signal?.removeEventListener('abort', onAbort);
        },
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
  }

  /**
   * Warning codes and behaviour finding codes seen in the buffer, each in order of first appearance, with counts
   * and the first request.
   */
  conformanceSummary(): ConformanceSummary {
    const warnings = new CodeTally();
    const findings = new CodeTally();
    for (let i = 0; i < this.held; i++) {
      const e = this.at(i)!;
      warnings.add(e, e.warnings);
      findings.add(e, e.findings);
    }
    return {
      totalRequests: this.held,
      requestsWithWarnings: warnings.requests,
      warnings: warnings.items(),
      requestsWithFindings: findings.requests,
      behaviour: findings.items(),
    };
  }

  /** One JSON entry per line; without a limit, every matching entry. */
  toNdjson(query?: JournalQuery): string {
    return this.select(compileQuery(query, undefined))
      .map((e) => `${JSON.stringify(e)}\n`)
      .join('');
  }

  /** A HAR 1.2 document; without a limit, every matching entry. */
  toHar(query?: JournalQuery): HarLog {
    const entries = this.select(compileQuery(query, undefined)).map(toHarEntry);
    return { log: { version: '1.2', creator: { name: 'scimulator', version: this.creatorVersion }, entries } };
  }

  /** Flushes and closes the NDJSON file (if any) and rejects pending waitFor() calls. */
  close(): Promise<void> {
    if (this.closed) return this.closed;
    for (const w of [...this.waiters]) {
      w.cleanup();
      w.reject(new Error('the journal was closed'));
    }
    const stream = this.stream;
    this.closed = new Promise<void>((resolve) => {
      if (!stream || stream.destroyed || stream.closed) return resolve();
      stream.once('close', () => resolve());
      stream.end();
    });
    return this.closed;
  }

  // ---- internals

  private countMatching(query?: JournalQuery): number {
    const c = compileQuery(query, undefined);
    let n = 0;
    this.scan(c, () => {
      n++;
      return true;
    });
    return n;
  }

  /** The i-th held entry, 0 = oldest. */
  private at(i: number): JournalEntry | undefined {
    return this.buffer[(this.head + i) % this.capacity];
  }

  private select(c: CompiledQuery): JournalEntry[] {
    const out: JournalEntry[] = [];
    const limit = c.limit ?? Number.POSITIVE_INFINITY;
    if (limit <= 0) return out;
    this.scan(c, (e) => {
      out.push(e);
      return out.length < limit;
    });
    return out;
  }

  /** Visits matching entries with seq > since in the query's order until visit returns false. */
  private scan(c: CompiledQuery, visit: (e: JournalEntry) => boolean): void {
    const oldest = this.seq - this.held + 1;
    const first = Math.max(0, c.since + 1 - oldest);
    const matches = (e: JournalEntry) => c.predicates.every((p) => p(e));
    if (c.order === 'asc') {
      for (let i = first; i < this.held; i++) {
        const e = this.at(i)!;
        if (matches(e) && !visit(e)) return;
      }
    } else {
      for (let i = this.held - 1; i >= first; i--) {
        const e = this.at(i)!;
        if (matches(e) && !visit(e)) return;
      }
    }
  }

  private notify(entry: JournalEntry, context: RequestScimContext | undefined): void {
    if (this.listeners.size === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(entry, context);
      } catch (err) {
        process.emitWarning(`scimulator journal: a subscriber failed on ${entry.id}: ${(err as Error).message}`);
      }
    }
  }

  private writeLine(entry: JournalEntry): void {
    const s = this.stream;
    if (!s || this.closed || this.fileError || s.destroyed) return;
    if (s.writableLength > FILE_BACKLOG_LIMIT) {
      this.fileLinesDropped++;
      return;
    }
    s.write(`${JSON.stringify(entry)}\n`);
  }
}

/** Counts codes over entries for the conformance summary. */
class CodeTally {
  private readonly byCode = new Map<string, ConformanceSummaryItem>();
  /** Entries with at least one code. */
  requests = 0;

  add(e: JournalEntry, list: readonly ConformanceWarning[]): void {
    if (list.length === 0) return;
    this.requests++;
    const seen = new Set<string>();
    for (const w of list) {
      let item = this.byCode.get(w.code);
      if (!item) {
        item = { code: w.code, rfc: w.rfc, count: 0, requests: 0, firstRequestId: e.id, example: w.detail };
        this.byCode.set(w.code, item);
      }
      item.count++;
      if (!seen.has(w.code)) {
        seen.add(w.code);
        item.requests++;
      }
    }
  }

  items(): ConformanceSummaryItem[] {
    return [...this.byCode.values()];
  }
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('waiting for a request was aborted');
}

function copyQuery(query: Record<string, unknown> | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!query) return out;
  for (const k of Object.keys(query)) {
    const v = query[k];
    if (v === undefined) continue;
    define(out, k, typeof v === 'object' && v !== null ? JSON.parse(JSON.stringify(v)) : v);
  }
  return out;
}

function copyResponseHeaders(
  headers: Record<string, string | string[] | number | undefined> | undefined | null,
): Record<string, string | string[] | number> {
  const out: Record<string, string | string[] | number> = {};
  if (!headers) return out;
  for (const k of Object.keys(headers)) {
    const v = headers[k];
    if (v === undefined) continue;
    define(out, k, Array.isArray(v) ? v.map(String) : v);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// HAR 1.2 (http://www.softwareishard.com/blog/har-12-spec/)

export interface HarNameValue {
  name: string;
  value: string;
}

export interface HarEntry {
  startedDateTime: string;
  time: number;
  request: {
    method: string;
    url: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    queryString: HarNameValue[];
    postData?: { mimeType: string; text: string };
    headersSize: number;
    bodySize: number;
  };
  response: {
    status: number;
    statusText: string;
    httpVersion: string;
    cookies: HarNameValue[];
    headers: HarNameValue[];
    content: { size: number; mimeType: string; text?: string };
    redirectURL: string;
    headersSize: number;
    bodySize: number;
  };
  cache: Record<string, never>;
  timings: { send: number; wait: number; receive: number };
  _id: string;
  _seq: number;
  _tenant: string;
  _operation: string;
  _resourceType: string | null;
  _fault: FiredFaultInfo | null;
  _warnings: ConformanceWarning[];
  _committed: CommittedEntry | null;
  _outcome: JournalOutcome;
  _client: string | null;
  _findings: BehaviourFinding[];
}

export interface HarLog {
  log: { version: '1.2'; creator: { name: 'scimulator'; version: string }; entries: HarEntry[] };
}

function headerList(headers: Record<string, string | string[] | number>): HarNameValue[] {
  const out: HarNameValue[] = [];
  for (const name of Object.keys(headers)) {
    const v = headers[name]!;
    for (const value of Array.isArray(v) ? v : [v]) out.push({ name, value: String(value) });
  }
  return out;
}

function headerValue(headers: Record<string, string | string[] | number>, name: string): string | undefined {
  for (const k of Object.keys(headers)) {
    if (k.toLowerCase() === name) {
      const v = headers[k]!;
      return String(Array.isArray(v) ? v[0] : v);
    }
  }
  return undefined;
}

function bodyText(body: unknown): string | undefined {
  if (body === null || body === undefined) return undefined;
  return typeof body === 'string' ? body : JSON.stringify(body);
}

function toHarEntry(e: JournalEntry): HarEntry {
  const queryString: HarNameValue[] = [];
  for (const name of Object.keys(e.query)) {
    const v = e.query[name];
    for (const value of Array.isArray(v) ? v : [v]) queryString.push({ name, value: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  const qs = new URLSearchParams(queryString.map((p): [string, string] => [p.name, p.value])).toString();
  const host = headerValue(e.requestHeaders, 'host') ?? 'localhost';
  const reqText = bodyText(e.requestBody);
  const resText = bodyText(e.responseBody);
  const reqMime = headerValue(e.requestHeaders, 'content-type') ?? 'application/octet-stream';
  const resMime = headerValue(e.responseHeaders, 'content-type') ?? (resText === undefined ? '' : 'application/octet-stream');
  const duration = Math.max(0, e.durationMs);
  return {
    startedDateTime: e.time,
    time: duration,
    request: {
      method: e.method,
      url: `http://${host}${e.path}${qs ? `?${qs}` : ''}`,
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(e.requestHeaders),
      queryString,
      ...(reqText === undefined ? {} : { postData: { mimeType: reqMime, text: reqText } }),
      headersSize: -1,
      bodySize: reqText === undefined ? 0 : Buffer.byteLength(reqText),
    },
    response: {
      status: e.status,
      statusText: e.status === 0 ? '' : (STATUS_CODES[e.status] ?? ''),
      httpVersion: 'HTTP/1.1',
      cookies: [],
      headers: headerList(e.responseHeaders),
      content: {
        size: resText === undefined ? 0 : Buffer.byteLength(resText),
        mimeType: resMime,
        ...(resText === undefined ? {} : { text: resText }),
      },
      redirectURL: e.status >= 300 && e.status < 400 ? (headerValue(e.responseHeaders, 'location') ?? '') : '',
      headersSize: -1,
      bodySize: resText === undefined ? 0 : Buffer.byteLength(resText),
    },
    cache: {},
    timings: { send: 0, wait: duration, receive: 0 },
    _id: e.id,
    _seq: e.seq,
    _tenant: e.tenant,
    _operation: String(e.operation),
    _resourceType: e.resourceType,
    _fault: e.fault,
    _warnings: e.warnings,
    _committed: e.committed,
    _outcome: e.outcome,
    _client: e.client,
    _findings: e.findings,
  };
}
