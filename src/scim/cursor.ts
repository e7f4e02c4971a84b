/**
 * Stateless keyset cursors for RFC 9865 cursor pagination.
 *
 * A cursor names a position in the total order of a query's results (sort key, then creation sequence) and which
 * side of it the requested page lies on. It is not an offset: resources created or deleted between two page requests
 * move no other resource across the position, so a walk neither repeats nor skips a resource that existed throughout.
 *
 * The server keeps no state per cursor (nothing to exhaust, nothing to clean up). Everything the next request needs
 * travels in the cursor itself, authenticated with an HMAC so a tampered, truncated or foreign cursor is detected:
 *   - the position (sort key and creation sequence) and its side ("after" for nextCursor, "before" for
 *     previousCursor),
 *   - the page size of the walk (RFC 9865 wants the same count on every page of a walk),
 *   - a hash of the query it belongs to (resource types, filter, sortBy, sortOrder),
 *   - the time it was issued on the tenant clock, for cursorTimeout.
 * Encoded as base64url (RFC 4648 section 5, no padding) plus "." and the MAC: only RFC 3986 unreserved characters.
 *
 * A long sort key (a sortBy on an attribute holding thousands of characters) would make a cursor longer than a
 * URL may be (414) or than a cursor this server accepts. Such a key stays on the server, in the tenant's
 * CursorKeys, for as long as a cursor naming it is valid (cursorTimeout since it was last issued), and the cursor
 * carries its keyed digest: every cursor stays short whatever the data, and the same walk still gives the same
 * cursors. A cursor whose key the server no longer holds (expired, evicted beyond the table's bounds, or issued
 * before a restart) is expiredCursor: the walk starts again.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ScimError } from './errors.js';

/** A sort key as list.ts computes it: undefined is "no value". */
export type SortKey = string | number | undefined;

export interface CursorPosition {
  /** "after": the page starts after the position (nextCursor); "before": the page ends before it (previousCursor). */
  side: 'after' | 'before';
  key: SortKey;
  /** Creation sequence of the boundary resource (a fraction places the position between two resources). */
  seq: number;
}

export interface CursorState extends CursorPosition {
  /** The digest of a key kept in CursorKeys (`key` is then undefined until the caller looks it up). */
  keyRef?: string;
  /** Page size of the walk. */
  count: number;
  /** Tenant-clock milliseconds when the cursor was issued. */
  issuedAt: number;
  /** queryHash() of the query the cursor belongs to. */
  query: string;
}

const VERSION = 1;
const MAC_CHARS = 22;
/** RFC 3986 section 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~" */
const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;
/** Longest cursor accepted (a cursor this server issues is a few hundred characters at most). */
export const MAX_CURSOR_LENGTH = 16_384;
/** Sort keys longer than this (in UTF-8 bytes of their JSON) are kept in CursorKeys, not in the cursor. */
export const MAX_INLINE_KEY_BYTES = 256;

/**
 * The long sort keys of issued cursors, by digest, for one tenant (see above). Bounded in entries and in
 * characters: the oldest go first, and an entry idle longer than the cursor timeout goes at the next change.
 */
export class CursorKeys {
  private readonly keys = new Map<string, { key: string; issuedAt: number }>();
  private chars = 0;

  constructor(
    readonly maxEntries = 10_000,
    readonly maxChars = 16 * 1024 * 1024,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  /** Keeps `key` under `ref`, issued at `now`; forgets what is older than `timeoutSeconds` (0: never) or beyond the bounds. */
  put(ref: string, key: string, now: number, timeoutSeconds: number): void {
    const previous = this.keys.get(ref);
    if (previous) {
      this.keys.delete(ref);
      this.chars -= previous.key.length;
    }
    this.keys.set(ref, { key, issuedAt: now });
    this.chars += key.length;
    for (const [oldest, entry] of this.keys) {
      const expired = timeoutSeconds > 0 && now - entry.issuedAt > timeoutSeconds * 1000;
      if (!expired && this.keys.size <= this.maxEntries && this.chars <= this.maxChars) break;
      if (oldest === ref) break; // the key just issued stays, whatever its size
      this.keys.delete(oldest);
      this.chars -= entry.key.length;
    }
  }

  get(ref: string): string | undefined {
    return this.keys.get(ref)?.key;
  }
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

/** A short, stable hash of the parts of a query a cursor is bound to. */
export function queryHash(parts: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

const invalid = (detail: string) =>
  new ScimError(400, 'invalidCursor', `Invalid cursor: ${detail} Send an empty cursor ("cursor=") to start a new walk, and then pass the nextCursor or previousCursor of the last response unchanged.`);

export class CursorCodec {
  /** With `keys` (and the cursor timeout), long sort keys are kept there; without, every key is in the cursor. */
  constructor(
    private readonly secret: string,
    private readonly keys?: CursorKeys,
    private readonly timeoutSeconds = 0,
  ) {}

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url').slice(0, MAC_CHARS);
  }

  encode(state: CursorState): string {
    let key: SortKey | null | [string] = state.key === undefined ? null : state.key;
    if (this.keys && typeof key === 'string' && key.length * 3 > MAX_INLINE_KEY_BYTES && Buffer.byteLength(JSON.stringify(key)) > MAX_INLINE_KEY_BYTES) {
      const ref = createHmac('sha256', this.secret).update(`sort key\n${key}`).digest('base64url').slice(0, MAC_CHARS);
      this.keys.put(ref, key, state.issuedAt, this.timeoutSeconds);
      key = [ref];
    }
    const payload = b64url(JSON.stringify([VERSION, state.side === 'after' ? 'a' : 'b', key, state.seq, state.count, state.issuedAt, state.query]));
    return `${payload}.${this.mac(payload)}`;
  }

  /**
   * Decodes and authenticates a cursor. Throws 400 invalidCursor when it is not one this codec issued (malformed,
   * altered, truncated, from another tenant). Query binding and expiry are the caller's checks (see checkCursor).
   */
  decode(cursor: string): CursorState {
    if (cursor.length > MAX_CURSOR_LENGTH) throw invalid(`it is ${cursor.length} characters long, longer than any cursor this server issues.`);
    if (!UNRESERVED.test(cursor)) {
      throw invalid('it contains characters outside the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~); cursors this server issues never do, so it was altered or double-encoded.');
    }
    const dot = cursor.lastIndexOf('.');
    const payload = dot < 0 ? '' : cursor.slice(0, dot);
    const mac = dot < 0 ? '' : cursor.slice(dot + 1);
    const expected = this.mac(payload);
    if (!payload || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) {
      throw invalid(`"${cursor.length > 40 ? cursor.slice(0, 40) + '...' : cursor}" is not a cursor this server issued to this tenant (it is altered, truncated, or from another server or tenant).`);
    }
    let data: unknown;
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      throw invalid('its content cannot be read.');
    }
    if (!Array.isArray(data) || data.length !== 7 || data[0] !== VERSION) throw invalid('it was issued by an incompatible version of this server.');
    const [, side, key, seq, count, issuedAt, query] = data as unknown[];
    const keyRef = Array.isArray(key) && key.length === 1 && typeof key[0] === 'string' ? key[0] : undefined;
    const keyOk = key === null || keyRef !== undefined || typeof key === 'string' || (typeof key === 'number' && Number.isFinite(key));
    if ((side !== 'a' && side !== 'b') || !keyOk || typeof seq !== 'number' || !Number.isFinite(seq) || !Number.isInteger(count) || typeof issuedAt !== 'number' || typeof query !== 'string') {
      throw invalid('its content is malformed.');
    }
    return {
      side: side === 'a' ? 'after' : 'before',
      key: key === null || keyRef !== undefined ? undefined : (key as string | number),
      ...(keyRef !== undefined ? { keyRef } : {}),
      seq,
      count: count as number,
      issuedAt,
      query,
    };
  }
}

/**
 * The checks RFC 9865 section 2.1 names, in order: the cursor belongs to this query (else invalidCursor), has not
 * been idle longer than cursorTimeout seconds (expiredCursor), its long sort key is still held (expiredCursor; then
 * `state.key` is set), and the count is the walk's count (invalidCount).
 */
export function checkCursor(state: CursorState, expect: { query: string; now: number; timeoutSeconds: number; count: number; keys?: CursorKeys }): void {
  if (state.query !== expect.query) {
    throw invalid('it belongs to a different query. RFC 9865 section 2 requires every parameter of a cursor walk (endpoint, filter, sortBy, sortOrder, count) to be identical to the first request; only the cursor changes.');
  }
  const idle = expect.now - state.issuedAt;
  if (expect.timeoutSeconds > 0 && idle > expect.timeoutSeconds * 1000) {
    throw new ScimError(
      400,
      'expiredCursor',
      `The cursor has expired: it was issued ${Math.floor(idle / 1000)} seconds ago, and this server keeps cursors valid for cursorTimeout = ${expect.timeoutSeconds} seconds between page requests (ServiceProviderConfig pagination.cursorTimeout). Start the walk again with an empty cursor.`,
    );
  }
  if (state.keyRef !== undefined) {
    const key = expect.keys?.get(state.keyRef);
    if (key === undefined) {
      throw new ScimError(
        400,
        'expiredCursor',
        `The cursor has expired: its position is a long sort key that this server kept for cursorTimeout = ${expect.timeoutSeconds} seconds since the cursor was issued, and no longer holds (it expired, was evicted by newer ones, or the server restarted). Start the walk again with an empty cursor.`,
      );
    }
    state.key = key;
  }
  if (state.count !== expect.count) {
    throw new ScimError(
      400,
      'invalidCount',
      `The count of this page (${expect.count}) differs from the count of the cursor walk (${state.count}). RFC 9865 section 2.1 requires the same count on every page of a walk; send count=${state.count} or start a new walk with an empty cursor.`,
    );
  }
}
