/**
 * Redaction and bounding: what keeps secrets and unbounded bodies out of what the journal shows. Credential
 * headers keep their scheme ("Bearer [REDACTED]"); `password` values are redacted at any depth (and the value of
 * a PATCH operation whose path is the password); bodies are bounded at 64 KiB.
 */
import { isUtf8 } from 'node:buffer';

/** Bodies (request and response) are kept up to this many bytes (characters for text). */
export const JOURNAL_BODY_LIMIT = 64 * 1024;
export const REDACTED = '[REDACTED]';
export const MAX_BODY_DEPTH = 200;

const SECRET_HEADERS = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-api-key']);
const SCHEME_HEADERS = new Set(['authorization', 'proxy-authorization']);
/** A scheme, whitespace and credentials: the scheme is kept. */
const SCHEME_AND_CREDENTIALS = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*\s+\S/;
/** A scheme and whitespace alone: nothing to hide, kept as is. */
const SCHEME_ONLY = /^[A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*\s+$/;
/** "Bearer [REDACTED]" and the like, made once per scheme (every entry keeps one). */
const redactedByScheme = new Map<string, string>();

function redactHeaderValue(name: string, value: string): string {
  if (value === '') return value;
  if (SCHEME_HEADERS.has(name)) {
    if (SCHEME_AND_CREDENTIALS.test(value)) {
      // The scheme ends at the first whitespace (no scheme character is whitespace).
      const scheme = value.slice(0, value.search(/\s/));
      let redacted = redactedByScheme.get(scheme);
      if (redacted === undefined) {
        redacted = `${scheme} ${REDACTED}`;
        // Kept as copies of their own: a slice or concatenation of the header value would keep the credential alive.
        if (redactedByScheme.size < 64) redactedByScheme.set(ownCopy(scheme), (redacted = ownCopy(redacted)));
      }
      return redacted;
    }
    if (SCHEME_ONLY.test(value)) return value;
  }
  return REDACTED;
}

/** A header object as node and callers of record() give it (undefined values are left out). */
export type RawHeaders = Record<string, string | string[] | number | undefined>;

/** A copy of the headers with credential values replaced by "[REDACTED]" (the auth scheme is kept). */
export function redactHeaders(
  headers: RawHeaders | undefined | null,
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

/** Headers as a flat [name, value, name, value, ...] list. */
export type HeaderList = Array<string | string[] | number>;

/** Ends a header name and a value in encodeHeaders' text: no header name or value node accepts holds it. */
const END = '\u0000';
/** Starts encodeHeaders' text when some name or value held END after all (headers given to record()): JSON. */
const AS_JSON = '\u0001';

/**
 * Headers as the journal keeps them on its pages: `name END tag value END` per header, in order, with credential
 * values already "[REDACTED]" when `redact` is set (so no secret is kept). The tag keeps the value's type: `s` a
 * string, `n` a number, `a` a list (as JSON). A header object's undefined values are left out.
 */
export function encodeHeaders(headers: RawHeaders | HeaderList | undefined | null, redact: boolean): string {
  if (!headers) return '';
  let text = '';
  if (Array.isArray(headers)) {
    for (let i = 0; i < headers.length; i += 2) {
      const encoded = encodeHeader(headers[i] as string, headers[i + 1], redact);
      if (encoded === undefined) return encodeAsJson(headers, redact);
      text += encoded;
    }
  } else {
    for (const name of Object.keys(headers)) {
      const encoded = encodeHeader(name, headers[name], redact);
      if (encoded === undefined) return encodeAsJson(headers, redact);
      text += encoded;
    }
  }
  return text;
}

/** One header of encodeHeaders' text ('' for an undefined value); undefined when its name or value holds END. */
function encodeHeader(name: string, value: string | string[] | number | undefined, redact: boolean): string | undefined {
  if (value === undefined) return '';
  const kept = redact ? redactedValue(name, value) : value;
  if (name.includes(END)) return undefined;
  if (typeof kept === 'string') return kept.includes(END) ? undefined : `${name}${END}s${kept}${END}`;
  if (typeof kept === 'number') return `${name}${END}n${kept}${END}`;
  return `${name}${END}a${JSON.stringify(kept)}${END}`;
}

/** encodeHeaders' text as JSON, for headers whose names or values hold END. */
function encodeAsJson(headers: RawHeaders | HeaderList, redact: boolean): string {
  const pairs = Array.isArray(headers) ? headers : Object.entries(headers).flat();
  const list: HeaderList = [];
  for (let i = 0; i < pairs.length; i += 2) {
    const name = pairs[i] as string;
    const value = pairs[i + 1] as string | string[] | number | undefined;
    if (value !== undefined) list.push(name, redact ? redactedValue(name, value) : value);
  }
  return AS_JSON + JSON.stringify(list);
}

/** A header's value with credentials redacted. */
function redactedValue(name: string, value: string | string[] | number): string | string[] | number {
  const lower = name.toLowerCase();
  if (!SECRET_HEADERS.has(lower)) return value;
  return Array.isArray(value) ? value.map((v) => redactHeaderValue(lower, String(v))) : redactHeaderValue(lower, String(value));
}

/** The list encodeHeaders() encoded. */
export function decodeHeaders(text: string): HeaderList {
  if (text === '') return [];
  if (text.startsWith(AS_JSON)) return JSON.parse(text.slice(1)) as HeaderList;
  const parts = text.split(END);
  // The text ends with END: the last part is empty.
  const list: HeaderList = new Array<string | string[] | number>(parts.length - 1);
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const tagged = parts[i + 1]!;
    const value = tagged.slice(1);
    list[i] = parts[i]!;
    list[i + 1] = tagged[0] === 's' ? value : tagged[0] === 'n' ? Number(value) : (JSON.parse(value) as string[]);
  }
  return list;
}

/** The header object of a captured list (values as strings or lists of strings). */
export function headersFromCaptured(list: ReadonlyArray<string | string[] | number>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < list.length; i += 2) {
    const value = list[i + 1]!;
    define(out, list[i] as string, Array.isArray(value) ? value.map(String) : String(value));
  }
  return out;
}

/**
 * `text` as one flat string of its own, sharing nothing with the string it came from: V8 keeps a slice as a view of
 * its whole parent and a concatenation as a tree of its parts, so either would keep its source alive.
 */
function ownCopy(text: string): string {
  return Buffer.from(text, 'utf16le').toString('utf16le');
}

/**
 * The first `length` characters of `text` as a string of their own (see ownCopy): a journal keeping 64 KiB of a 1 MB
 * body must not hold the megabyte.
 */
export function prefixCopy(text: string, length: number): string {
  return ownCopy(text.slice(0, length));
}

/** Sets a property without ever touching a prototype (works for "__proto__" too). */
export function define(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * `password`, or an attribute path ending in it (`urn:...:User:password`, `x.password`); and the client secret of
 * an OAuth 2.0 token request (RFC 6749 section 2.3.1) or its assertion (RFC 7521).
 */
const PASSWORD_KEY = /(^|[:.])password$|^client_secret$|^client_assertion$/i;
/** Tokens in the answer of an OAuth 2.0 token endpoint (RFC 6749 section 5.1). */
const TOKEN_KEYS = new Set(['access_token', 'refresh_token', 'id_token']);
/**
 * A query parameter that carries a credential: a client secret or assertion sent in the URL against RFC 6749
 * section 2.3.1, a password, or an access token (RFC 6750 section 2.3). Its value is "[REDACTED]" in the journal.
 */
export function isSecretQueryKey(key: string): boolean {
  return PASSWORD_KEY.test(key) || TOKEN_KEYS.has(key.toLowerCase());
}
/**
 * A comparison of the password in a filter (RFC 7644 3.4.2.2), `password eq "..."` or `urn:...:User:password ne
 * "..."`, with the compared value: a client that looks a user up by its password (what RFC 7643 4.1.1 allows, by
 * equality) sends the password itself in the filter.
 */
const PASSWORD_COMPARISON =
  /((?:^|[\s(["])(?:[^\s()[\]"]*[:.])?password\s+(?:eq|ne|co|sw|ew|gt|ge|lt|le)\s+)(\\"(?:[^"\\]|\\[^"])*(?:\\")?|"(?:[^"\\]|\\.)*"?|[^\s()\]"\\]+)/gi;

/**
 * A filter's text with the values it compares the password with "[REDACTED]". Also in the text of a JSON body that
 * did not parse, where the filter is a JSON string and its quotes are escaped (\"...\"): they stay escaped.
 */
export function redactFilterText(filter: string): string {
  if (!/password/i.test(filter)) return filter;
  return filter.replace(PASSWORD_COMPARISON, (_all, head: string, value: string) => `${head}${value.startsWith('\\') ? `\\"${REDACTED}\\"` : `"${REDACTED}"`}`);
}

/** Whether a body's text may hold a secret redactBody removes (the journal then redacts it before keeping it). */
export const MAY_HOLD_SECRET = /password|client_secret|client_assertion/i;

/** Text with its %XX escapes decoded byte by byte (enough to read ASCII field names; never throws). */
function percentDecodedAscii(text: string): string {
  return text.replace(/%([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * MAY_HOLD_SECRET, also for a form whose field names are percent-encoded (client%5Fsecret=...): a form decoder reads
 * it as client_secret, so the journal must not keep its value.
 */
export function mayHoldSecret(text: string): boolean {
  return MAY_HOLD_SECRET.test(text) || (text.includes('%') && MAY_HOLD_SECRET.test(percentDecodedAscii(text)));
}
/** A PATCH operation path naming the password attribute, e.g. "password" or "urn:...:User:password". */
const PASSWORD_PATH = /^\s*(?:[^\s]*[:.])?password\s*$/i;

/** A JSON member whose name holds a secret's name, and its value (a string, even one the text never closes, or a bare word). */
const SECRET_MEMBER = /("[^"\\]*(?:password|client_secret|client_assertion)[^"\\]*"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^\s,}\]]*)/gi;
/** A form or query field whose name holds a secret's name. */
const SECRET_FIELD = /((?:^|[&?\s])[^=&\s]*(?:password|client_secret|client_assertion)[^=&\s]*=)[^&\s]*/gi;
/** A form or query field whose name holds a %XX escape (checked decoded). */
const ENCODED_FIELD = /((?:^|[&?\s])([^=&\s]*%[^=&\s]*)=)[^&\s]*/g;
/** A PATCH operation naming the password as its path: its `value` members are redacted too. */
const PASSWORD_PATH_MEMBER = /"path"\s*:\s*"(?:[^"\s]*[:.])?password\s*"/i;
const VALUE_MEMBER = /("value"\s*:\s*)("(?:[^"\\]|\\.)*"?|[^\s,}\]]*)/gi;

/**
 * A body that is not JSON (a client's syntax error) is kept as text so its sender can see what went wrong; what
 * looks like a secret in it is "[REDACTED]" as it would be in parsed JSON: the value of any member or form field
 * whose name holds password, client_secret or client_assertion, and every `value` when a PATCH path is password.
 */
function redactUnparsed(text: string): string {
  let out = redactFilterText(
    text
      .replace(SECRET_MEMBER, `$1"${REDACTED}"`)
      .replace(SECRET_FIELD, `$1${REDACTED}`)
      .replace(ENCODED_FIELD, (field: string, head: string, name: string) => (MAY_HOLD_SECRET.test(percentDecodedAscii(name)) ? `${head}${REDACTED}` : field)),
  );
  if (PASSWORD_PATH_MEMBER.test(out)) out = out.replace(VALUE_MEMBER, `$1"${REDACTED}"`);
  return out;
}

class TooDeep extends Error {}

interface CopyState {
  size: number;
}

export function lookupKey(obj: Record<string, unknown>, lower: string): string | undefined {
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
    } else if (typeof src[k] === 'string' && k.toLowerCase() === 'filter') {
      // A SearchRequest's filter (RFC 7644 3.4.3) may compare the password.
      define(out, k, redactCopy(redactFilterText(src[k] as string), state, depth + 1));
    } else {
      define(out, k, redactCopy(src[k], state, depth + 1));
    }
  }
  return out;
}

/**
 * Whether request bytes are not text, so the journal keeps them as bytes (base64) rather than as their UTF-8
 * decoding, which would turn every invalid sequence into U+FFFD and lose what was sent: not UTF-8, or a control
 * character that text does not hold (what file(1) calls data: below 0x20 other than BEL..CR and ESC, or DEL).
 */
export function isBinaryBody(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b < 0x07 || (b > 0x0d && b < 0x20 && b !== 0x1b) || b === 0x7f) return true;
  }
  return !isUtf8(bytes);
}

export function truncateText(text: string, limit = JOURNAL_BODY_LIMIT): { text: string; truncated: boolean } {
  return text.length > limit ? { text: prefixCopy(text, limit), truncated: true } : { text, truncated: false };
}

/**
 * A bounded, redacted copy of a request body: parsed JSON with every `password` value "[REDACTED]"
 * (any depth, case-insensitive, and the `value` of a PATCH operation whose path is password); a string that is
 * not JSON stays text; anything larger than 64 KiB becomes its first 64 KiB of (redacted) JSON text.
 */
export function redactBody(body: unknown): { body: unknown; truncated: boolean } {
  const { body: out, truncated } = redactBodySized(body);
  return { body: out, truncated };
}

/** redactBody, with the approximate size in characters of what it kept. */
export function redactBodySized(body: unknown): { body: unknown; truncated: boolean; size: number } {
  if (body === undefined || body === null) return { body: null, truncated: false, size: 0 };
  let value: unknown = body;
  if (Buffer.isBuffer(body) || body instanceof Uint8Array) value = Buffer.from(body).toString('utf8');
  if (typeof value === 'string') {
    const text = value;
    if (text === '') return { body: null, truncated: false, size: 0 };
    try {
      value = JSON.parse(text);
    } catch {
      const t = truncateText(mayHoldSecret(text) ? redactUnparsed(text) : text);
      return { body: t.text, truncated: t.truncated, size: t.text.length };
    }
  }
  const state: CopyState = { size: 0 };
  let copy: unknown;
  try {
    copy = redactCopy(value, state, 0);
  } catch (e) {
    if (e instanceof TooDeep) {
      const note = `[body nested deeper than ${MAX_BODY_DEPTH} levels, not recorded]`;
      return { body: note, truncated: true, size: note.length };
    }
    throw e;
  }
  if (state.size > JOURNAL_BODY_LIMIT) {
    const text = JSON.stringify(copy) ?? '';
    if (text.length > JOURNAL_BODY_LIMIT) return { body: prefixCopy(text, JOURNAL_BODY_LIMIT), truncated: true, size: JOURNAL_BODY_LIMIT };
  }
  return { body: copy, truncated: false, size: state.size };
}

/**
 * A response body captured as JSON text (already bounded by the capture). It is parsed only when the entry is
 * read: most entries are never read, and parsing every response on the hot path halved throughput.
 */
export class JsonText {
  constructor(readonly text: string) {}
}

/**
 * A response body captured as the UTF-8 bytes of JSON (a cached rendering sent as bytes), within the body limit:
 * the journal copies the bytes as they are, with nothing decoded or encoded on the way.
 */
export class JsonBytes {
  constructor(readonly bytes: Uint8Array) {}

  get text(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength).toString('utf8');
  }
}

/**
 * A response body as the journal keeps it: bounded text (or, for JsonBytes, the bytes as they are; `text` is then
 * ''), and whether it is JSON to parse when the entry is read (a value given as an object is serialised once;
 * bounded text that is cut is kept as text). `text` is null when there is no body.
 */
export function responseText(body: unknown): { text: string | null; bytes?: Uint8Array; json: boolean; truncated: boolean } {
  if (body === undefined || body === null) return { text: null, json: false, truncated: false };
  if (body instanceof JsonBytes) {
    if (body.bytes.length <= JOURNAL_BODY_LIMIT) return { text: '', bytes: body.bytes, json: true, truncated: false };
    return { text: prefixCopy(body.text, JOURNAL_BODY_LIMIT), json: false, truncated: true };
  }
  if (body instanceof JsonText) {
    return body.text.length > JOURNAL_BODY_LIMIT
      ? { text: prefixCopy(body.text, JOURNAL_BODY_LIMIT), json: false, truncated: true }
      : { text: body.text, json: true, truncated: false };
  }
  if (typeof body === 'string') {
    const t = truncateText(body);
    return { text: t.text, json: false, truncated: t.truncated };
  }
  let text: string;
  try {
    text = JSON.stringify(body) ?? 'null';
  } catch {
    return { text: '[response body could not be serialised]', json: false, truncated: true };
  }
  if (text.length > JOURNAL_BODY_LIMIT) return { text: prefixCopy(text, JOURNAL_BODY_LIMIT), json: false, truncated: true };
  return { text, json: true, truncated: false };
}

/** JSON text parsed, or the text itself when it is not JSON after all (a malformed-body fault). */
export function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A token endpoint's answer (JSON text) with its tokens "[REDACTED]": the journal never keeps a usable credential. */
export function redactTokens(text: string): string {
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch {
    return text;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return text;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value)) define(out, k, TOKEN_KEYS.has(k.toLowerCase()) ? REDACTED : (value as Record<string, unknown>)[k]);
  return JSON.stringify(out);
}
