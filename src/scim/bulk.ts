/**
 * Bulk operations (RFC 7644 section 3.7): POST, PUT, PATCH and DELETE operations in one request, each atomic
 * on its own (the bulk as a whole is not), with "bulkId:<id>" references to resources the same request creates.
 *
 * Processing and the choices made where the RFC leaves room:
 * - Operations run in request order, except that an operation referring to a bulkId whose POST has not run yet
 *   waits for it (forward references; section 3.7: "the client's intent is preserved and the same stateful result
 *   is achieved as for non-optimized processing"), and runs as soon as that POST has run, before the operations
 *   after it.
 * - Circular references (section 3.7.1): when every waiting operation waits for another, the first waiting POST
 *   in request order is created without the attribute values that refer to unresolved bulkIds; once those
 *   bulkIds resolve, the values are added with a PATCH of that resource, and the POST is reported with its final
 *   version. If a bulkId it needs fails, the created resource is deleted again and the POST fails with 409.
 *   Until then only the POSTs that close the circle may refer to it; any other operation that refers to it waits
 *   for the circle to close (and fails with 409 if it is undone), so no reported success is changed behind it.
 * - A reference to a bulkId that no POST of the request defines is 400 invalidValue; to one whose operation
 *   failed, 409 (the operation conflicts with the outcome of the other one).
 * - A bulkId used by two operations is 400 invalidValue for the whole request; a POST without bulkId is 400
 *   invalidValue for that operation (section 3.7: "REQUIRED when method is POST").
 * - "status" is the HTTP status as a string ("201"), as in the section 3.7.3 examples; errors carry "response"
 *   with the SCIM error. Successful operations carry no "response" (the RFC allows omitting it).
 * - A path with a query string is 400 invalidValue for that operation: section 3.7 asks for a resource type
 *   endpoint or "the path to a specific resource", and a Bulk response carries no resource for "attributes" to shape.
 * - Each operation answers what the same single request would (section 3.7.3): 404 for an unknown endpoint,
 *   405 for a method the path does not allow, 412 when "version" (used as If-Match) does not match.
 * - failOnErrors = n stops after the n-th error; the response holds the operations processed so far.
 * - Too many operations or too large a payload is 413 with the limit in the detail (section 3.7.4).
 */
import { isPlainObject } from './attributes.js';
import { ScimError, badRequest } from './errors.js';
import { PATCH_OP_SCHEMA, type PatchOperation, type PatchWarning } from './patch.js';
import type { Resource } from './validate.js';
import { resourceUrl, type ScimService } from './service.js';
import { describeValue, memberNames } from './json.js';
import { decodeSegment } from './strings.js';

export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
export const BULK_RESPONSE_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkResponse';

export type BulkMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly BulkMethod[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

export interface BulkOptions {
  /** Absolute base URL of the SCIM endpoint, for "location". */
  baseUrl: string;
  maxOperations: number;
  maxPayloadSize: number;
  /** Size in bytes of the request body as received. */
  payloadSize: number;
  /** Status of a successful PATCH for a resource type (the tenant's patchStatus); 200 by default. */
  patchStatus?: (typeName: string) => 200 | 204;
  onWarning?: (warning: PatchWarning) => void;
  /**
   * Called before each operation runs (after its shape is checked); an error returned fails that operation with
   * it instead of running it, as if the service had thrown it. Lets an outer layer (fault injection) fail one
   * operation of a request while the others run.
   */
  intercept?: (operation: { index: number; method: string; path: string }) => ScimError | undefined;
}

export interface BulkOperationResult {
  method: string;
  bulkId?: string;
  location?: string;
  version?: string;
  status: string;
  response?: unknown;
}

export interface BulkResponse {
  schemas: [typeof BULK_RESPONSE_SCHEMA];
  Operations: BulkOperationResult[];
}

const BULK_ID_VALUE = /^bulkId:(.+)$/;
const BULK_ID_QUOTED = /"bulkId:([^"]+)"/g;
const MAX_DEPTH = 64;

type Obj = Record<string, unknown>;

interface PlannedOperation {
  index: number;
  /** The method as the response names it. */
  method: string;
  valid?: BulkMethod;
  bulkId?: string;
  version?: string;
  path?: string;
  data?: unknown;
  /** bulkIds this operation refers to, in its path or data. */
  refs: Set<string>;
  /** An error found before running (shape of the operation). */
  error?: ScimError;
}

interface BulkIdState {
  /** Index of the POST that defines it. */
  index: number;
  status: 'pending' | 'done' | 'failed';
  id?: string;
  typeName?: string;
  failure?: string;
}

/** A POST created early to break a circle of references; its dropped values are added when they resolve. */
interface Deferred {
  op: PlannedOperation;
  typeName: string;
  id: string;
  fixes: PatchOperation[];
  refs: Set<string>;
}



/** Sets an own property even for names such as "__proto__", so a copy never reaches a prototype. */
function setOwn(target: Obj, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The bulkIds a JSON value refers to: whole "bulkId:x" strings, and "bulkId:x" quoted inside strings (PATCH path filters). */
function collectRefs(value: unknown, refs: Set<string>, depth = 0): void {
  if (depth > MAX_DEPTH) throw badRequest('invalidSyntax', `The operation's data is nested more than ${MAX_DEPTH} levels deep.`);
  if (typeof value === 'string') {
    const whole = BULK_ID_VALUE.exec(value);
    if (whole) refs.add(whole[1]!);
    for (const m of value.matchAll(BULK_ID_QUOTED)) refs.add(m[1]!);
  } else if (Array.isArray(value)) {
    for (const element of value) collectRefs(element, refs, depth + 1);
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) collectRefs(value[key], refs, depth + 1);
  }
}

/** A copy of a JSON value with every resolvable "bulkId:x" replaced by the id created for x. */
function resolveRefs(value: unknown, ids: (bulkId: string) => string | undefined): unknown {
  if (typeof value === 'string') {
    const whole = BULK_ID_VALUE.exec(value);
    if (whole) return ids(whole[1]!) ?? value;
    return value.includes('"bulkId:') ? value.replace(BULK_ID_QUOTED, (all, id: string) => {
      const resolved = ids(id);
      return resolved === undefined ? all : JSON.stringify(resolved);
    }) : value;
  }
  if (Array.isArray(value)) return value.map((element) => resolveRefs(element, ids));
  if (isPlainObject(value)) {
    const out: Obj = {};
    for (const key of Object.keys(value)) setOwn(out, key, resolveRefs(value[key], ids));
    return out;
  }
  return value;
}

/** The segments of an operation's path after its leading "/", one trailing slash ignored ("/Users/" is "/Users"). */
function pathSegments(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.split('/').slice(1);
}


function refersTo(value: unknown, pending: ReadonlySet<string>): boolean {
  const refs = new Set<string>();
  collectRefs(value, refs);
  for (const ref of refs) if (pending.has(ref)) return true;
  return false;
}

/**
 * POST data without the values that refer to `pending` bulkIds, and the PATCH operations that add them back:
 * elements of multi-valued attributes are dropped one by one, any other attribute whole.
 */
function splitPending(data: Obj, pending: ReadonlySet<string>): { data: Obj; fixes: PatchOperation[] } {
  const fixes: PatchOperation[] = [];
  const level = (input: Obj, prefix: string, topLevel: boolean): Obj => {
    const out: Obj = {};
    for (const key of Object.keys(input)) {
      const value = input[key];
      if (topLevel && key.toLowerCase().startsWith('urn:') && isPlainObject(value)) {
        setOwn(out, key, level(value, `${key}:`, false));
        continue;
      }
      if (!refersTo(value, pending)) {
        setOwn(out, key, value);
      } else if (Array.isArray(value)) {
        const keep = value.filter((element) => !refersTo(element, pending));
        fixes.push({ op: 'add', path: `${prefix}${key}`, value: value.filter((element) => refersTo(element, pending)) });
        if (keep.length) setOwn(out, key, keep);
      } else {
        fixes.push({ op: 'add', path: `${prefix}${key}`, value });
      }
    }
    return out;
  };
  return { data: level(data, '', true), fixes };
}

class BulkProcessor {
  private readonly ops: PlannedOperation[];
  private readonly bulkIds = new Map<string, BulkIdState>();
  private readonly results = new Map<number, BulkOperationResult>();
  private readonly deferred: Deferred[] = [];
  /** The bulkIds of `deferred`: resources created early whose circle is not closed yet. */
  private readonly provisional = new Set<string>();
  /**
   * The bulkIds whose POSTs a circle still needs (see requiredByCircles), computed at the start of each pass while
   * a POST created early waits for its references.
   */
  private required: ReadonlySet<string> = new Set();
  private errors = 0;
  private stopped = false;
  /** Counts changes that may let a waiting operation run (a bulkId resolved or failed, a circle settled). */
  private changes = 0;
  /** `changes` when the waiting operations were last tried. */
  private seen = 0;

  constructor(
    private readonly service: ScimService,
    private readonly options: BulkOptions,
    rawOperations: unknown[],
    private readonly failOnErrors: number | undefined,
  ) {
    this.ops = rawOperations.map((raw, index) => this.plan(raw, index));
    // Every operation's bulkId counts for uniqueness, whatever its method and wherever it stands in the request.
    const used = new Map<string, number>();
    for (const op of this.ops) {
      if (op.bulkId === undefined) continue;
      const other = used.get(op.bulkId);
      if (other !== undefined) {
        throw badRequest('invalidValue', `Operations[${other}] and Operations[${op.index}] both use bulkId "${op.bulkId}"; a bulkId must be unique within a bulk request (RFC 7644 3.7).`);
      }
      used.set(op.bulkId, op.index);
      // A POST with a shape error still defines its bulkId: references to it fail with 409 once it has failed.
      if (op.valid === 'POST') this.bulkIds.set(op.bulkId, { index: op.index, status: 'pending' });
    }
  }

  private plan(raw: unknown, index: number): PlannedOperation {
    const at = `Operations[${index}]`;
    const op: PlannedOperation = { index, method: '', refs: new Set() };
    if (!isPlainObject(raw)) {
      op.error = badRequest('invalidSyntax', `${at} must be an object with "method", "path" and, for POST, PUT and PATCH, "data"; it is ${describeValue(raw)}.`);
      return op;
    }
    let names: Map<string, string>;
    try {
      names = memberNames(raw, at);
    } catch (err) {
      op.error = err as ScimError;
      return op;
    }
    const get = (name: string) => {
      const key = names.get(name);
      return key === undefined ? undefined : raw[key];
    };
    const method = get('method');
    const bulkId = get('bulkid');
    const version = get('version');
    const path = get('path');
    op.data = get('data');
    if (typeof method === 'string') op.method = method.toUpperCase();
    if (typeof bulkId === 'string') op.bulkId = bulkId;
    if (typeof path === 'string') op.path = path;
    const fail = (scimType: 'invalidSyntax' | 'invalidValue', detail: string) => {
      op.error ??= badRequest(scimType, `${at}: ${detail}`);
    };
    if (typeof method !== 'string' || !METHODS.includes(method.toUpperCase() as BulkMethod)) {
      fail('invalidValue', `"method" must be "POST", "PUT", "PATCH" or "DELETE" (RFC 7644 3.7); it is ${method === undefined ? 'missing' : describeValue(method)}.`);
    } else {
      op.valid = method.toUpperCase() as BulkMethod;
    }
    if (bulkId !== undefined && (typeof bulkId !== 'string' || bulkId === '')) fail('invalidValue', `"bulkId" must be a non-empty string; it is ${describeValue(bulkId)}.`);
    if (op.valid === 'POST' && bulkId === undefined) {
      fail('invalidValue', '"bulkId" is required when "method" is "POST" (RFC 7644 3.7); it lets the response and other operations refer to the new resource.');
    }
    if (version !== undefined && typeof version !== 'string') fail('invalidValue', `"version" must be the resource's ETag as a string, e.g. "W/\\"3\\""; it is ${describeValue(version)}.`);
    else if (typeof version === 'string' && op.valid !== 'POST') op.version = version;
    if (typeof path !== 'string' || !path.startsWith('/')) {
      fail('invalidValue', `"path" must be the path relative to the SCIM base URL, e.g. "/Users" for POST or "/Users/{id}" otherwise (RFC 7644 3.7); it is ${path === undefined ? 'missing' : describeValue(path)}.`);
    } else if (path.includes('?')) {
      // RFC 7644 3.7: a resource type endpoint for POST, "the path to a specific resource" otherwise; a query string
      // would otherwise be read as part of the id (404 for a resource named "<id>?attributes=...").
      const bare = path.slice(0, path.indexOf('?'));
      fail('invalidValue', `"path" must be a resource path without a query string (RFC 7644 3.7: "/Users" for POST, "/Users/{id}" otherwise); it is ${describeValue(path)}. Send "${bare}": a Bulk operation takes no query parameters (its response carries no resource, so "attributes" has nothing to select).`);
    }
    if (op.valid && op.valid !== 'DELETE' && !isPlainObject(op.data)) {
      fail('invalidSyntax', `"data" must be the JSON object a single ${op.valid} request would send (RFC 7644 3.7); it is ${op.data === undefined ? 'missing' : describeValue(op.data)}.`);
    }
    if (!op.error) {
      try {
        if (op.path) for (const segment of pathSegments(op.path)) collectRefs(decodeSegment(segment) ?? segment, op.refs);
        if (op.data !== undefined) collectRefs(op.data, op.refs);
      } catch (err) {
        op.error = err as ScimError;
      }
    }
    return op;
  }

  run(): BulkResponse {
    // Operations run in request order; one that waits for a later POST runs as soon as that POST has run, before
    // the operations after it (RFC 7644 3.7: "the same stateful result is achieved as for non-optimized
    // processing"), so a PATCH of a new resource written before its POST still applies before one written after it,
    // and failOnErrors counts errors as they occur in request order.
    let waiting: number[] = [];
    let next = 0;
    while (!this.stopped) {
      if (waiting.length && this.changes !== this.seen) {
        this.runUnblocked(waiting);
        waiting = waiting.filter((index) => !this.results.has(index) && !this.isDeferred(index));
        continue;
      }
      if (next < this.ops.length) {
        const op = this.ops[next++]!;
        if (this.tryRun(op) !== 'done') waiting.push(op.index);
        continue;
      }
      if (!waiting.length) break;
      // Every waiting operation waits for another: break the circle at the first POST (RFC 7644 3.7.1), one that
      // the circles already broken need if there is one, and never at one that waits only for them to settle.
      this.required = this.deferred.length ? this.requiredByCircles() : new Set();
      const candidates = waiting.map((i) => this.ops[i]!).filter((op) => op.valid === 'POST' && this.pendingRefs(op).length > 0);
      const breaker = candidates.find((op) => this.required.has(op.bulkId!)) ?? candidates.find((op) => !this.refersToProvisional(op));
      if (breaker) {
        waiting = waiting.filter((i) => i !== breaker.index);
        this.runDeferred(breaker);
        this.changes++;
      } else if (this.deferred.length) {
        // (Not expected: a circle waits only for POSTs that have run.) Settle what was created early.
        for (const d of [...this.deferred]) this.settleDeferred(d, true);
        this.changes++;
      } else {
        for (const index of waiting) {
          if (this.stopped) break;
          const op = this.ops[index]!;
          this.fail(op, new ScimError(409, undefined, `Operations[${index}]: its bulkId references (${[...op.refs].join(', ')}) wait for each other and cannot be resolved (RFC 7644 3.7.1).`));
        }
        waiting = [];
      }
    }
    // Circles whose other operations were never run (failOnErrors) leave a resource without its references.
    for (const d of [...this.deferred]) this.settleDeferred(d, true);
    const Operations = this.ops.filter((op) => this.results.has(op.index)).map((op) => this.results.get(op.index)!);
    return { schemas: [BULK_RESPONSE_SCHEMA], Operations };
  }

  /**
   * Runs the waiting operations that the latest changes let run, earliest in request order first, until none can:
   * after each change the scan starts again from the earliest, which may be the one that change unblocked.
   */
  private runUnblocked(waiting: readonly number[]): void {
    while (this.changes !== this.seen && !this.stopped) {
      this.seen = this.changes;
      this.required = this.deferred.length ? this.requiredByCircles() : new Set();
      for (const index of waiting) {
        if (this.stopped || this.changes !== this.seen) break;
        if (this.results.has(index) || this.isDeferred(index)) continue;
        this.tryRun(this.ops[index]!);
      }
    }
  }

  /** Whether an operation is a POST created early for a circle, its result held back until the circle closes. */
  private isDeferred(index: number): boolean {
    return this.deferred.some((d) => d.op.index === index);
  }

  /** The bulkIds an operation refers to whose POSTs have not run yet. */
  private pendingRefs(op: PlannedOperation): string[] {
    return [...op.refs].filter((ref) => this.bulkIds.get(ref)?.status === 'pending');
  }

  /**
   * Whether an operation refers to a resource created early to break a circle whose references are not added yet:
   * it is deleted again if one of them fails, so only the POSTs that close the circle may use it meanwhile.
   */
  private refersToProvisional(op: PlannedOperation): boolean {
    if (!this.provisional.size) return false;
    for (const ref of op.refs) if (this.provisional.has(ref)) return true;
    return false;
  }

  /**
   * The bulkIds of the POSTs the early-created resources wait for, directly or through other POSTs that have not run:
   * the operations that close the circles. Within one pass this set only shrinks as POSTs run.
   */
  private requiredByCircles(): Set<string> {
    const required = new Set<string>();
    const stack: string[] = [];
    for (const d of this.deferred) for (const ref of d.refs) if (this.bulkIds.get(ref)?.status === 'pending') stack.push(ref);
    while (stack.length) {
      const ref = stack.pop()!;
      if (required.has(ref)) continue;
      required.add(ref);
      const state = this.bulkIds.get(ref);
      if (state) for (const next of this.pendingRefs(this.ops[state.index]!)) stack.push(next);
    }
    return required;
  }

  /**
   * Runs an operation whose references allow it; 'waiting' when a referenced POST has not run yet, 'held' when it
   * refers to a resource created early for a circle that is not closed yet (and it is not needed to close it): it
   * runs once that resource is complete, or fails with 409 if the resource is undone.
   */
  private tryRun(op: PlannedOperation): 'done' | 'waiting' | 'held' {
    if (op.error) {
      this.fail(op, op.error);
      return 'done';
    }
    for (const ref of op.refs) {
      const state = this.bulkIds.get(ref);
      if (!state) {
        this.fail(op, badRequest('invalidValue', `Operations[${op.index}]: "bulkId:${ref}" refers to no POST operation of this request; a bulkId reference names the "bulkId" of a POST in the same request (RFC 7644 3.7.2).`));
        return 'done';
      }
      if (state.status === 'failed') {
        this.fail(op, new ScimError(409, undefined, `Operations[${op.index}]: "bulkId:${ref}" cannot be resolved because Operations[${state.index}], which creates it, failed${state.failure ? ` (${state.failure})` : ''}.`));
        return 'done';
      }
    }
    if ([...op.refs].some((ref) => this.bulkIds.get(ref)!.status === 'pending')) return 'waiting';
    if (this.refersToProvisional(op) && !(op.bulkId !== undefined && this.required.has(op.bulkId))) return 'held';
    this.execute(op, op.data);
    return 'done';
  }

  private idOf = (bulkId: string): string | undefined => {
    const state = this.bulkIds.get(bulkId);
    return state?.status === 'done' ? state.id : undefined;
  };

  /** Runs one operation with its references resolved, and records its result. */
  private execute(op: PlannedOperation, data: unknown): Resource | undefined {
    const service = this.service;
    let location: string | undefined;
    try {
      // The path as a single request's is read: one trailing slash ignored, segments percent-decoded.
      const segments = pathSegments(op.path!).map((segment) => {
        const decoded = decodeSegment(segment);
        if (decoded === undefined) throw badRequest('invalidValue', `Operations[${op.index}]: the path segment "${segment}" has a malformed percent-encoding.`);
        return resolveRefs(decoded, this.idOf) as string;
      });
      const type = segments[0] ? service.registry.byEndpoint(`/${segments[0]}`) : undefined;
      if (!type || segments.length > 2 || segments.includes('')) throw new ScimError(404, undefined, `Operations[${op.index}]: no SCIM endpoint at ${op.valid} ${op.path}.`);
      const endpoint = type.resourceType.endpoint;
      const id = segments[1];
      const resolvedData = data === undefined ? undefined : resolveRefs(data, this.idOf);
      const preconditions = op.version === undefined ? {} : { ifMatch: op.version };
      const intercepted = this.options.intercept?.({ index: op.index, method: op.valid!, path: op.path! });
      if (intercepted) {
        if (id !== undefined) location = resourceUrl(this.options.baseUrl, endpoint, id);
        throw intercepted;
      }
      if (op.valid === 'POST') {
        if (id !== undefined) throw new ScimError(405, undefined, `Operations[${op.index}]: POST needs a resource type endpoint such as "${type.resourceType.endpoint}", not "${op.path}" (RFC 7644 3.7).`);
        const created = service.create(type.name, resolvedData, this.options.onWarning);
        location = resourceUrl(this.options.baseUrl, endpoint, created.id as string);
        this.succeed(op, 201, location, created);
        return created;
      }
      if (id === undefined) {
        throw new ScimError(405, undefined, `Operations[${op.index}]: ${op.valid} needs the path of one resource, e.g. "${type.resourceType.endpoint}/{id}", not "${op.path}" (RFC 7644 3.7).`);
      }
      location = resourceUrl(this.options.baseUrl, endpoint, id);
      if (op.valid === 'DELETE') {
        service.delete(type.name, id, preconditions);
        this.succeed(op, 204, location, undefined);
        return undefined;
      }
      const updated = op.valid === 'PUT'
        ? service.replace(type.name, id, resolvedData, preconditions, this.options.onWarning)
        : service.patch(type.name, id, resolvedData, preconditions, this.options.onWarning);
      const status = op.valid === 'PATCH' ? (this.options.patchStatus?.(type.name) ?? 200) : 200;
      this.succeed(op, status, location, updated);
      return updated;
    } catch (err) {
      this.fail(op, err, location);
      return undefined;
    }
  }

  private succeed(op: PlannedOperation, status: number, location: string, resource: Resource | undefined): void {
    const meta = resource?.meta as Record<string, string> | undefined;
    const version = resource && meta?.version !== undefined ? this.service.versionOf(meta.resourceType!, resource) : undefined;
    this.results.set(op.index, {
      method: op.method,
      ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}),
      location,
      ...(version !== undefined ? { version } : {}),
      status: String(status),
    });
    const state = op.bulkId === undefined ? undefined : this.bulkIds.get(op.bulkId);
    if (state && state.index === op.index && resource) {
      state.status = 'done';
      this.changes++;
      state.id = resource.id as string;
      state.typeName = (resource.meta as Record<string, string>).resourceType;
    }
    if (this.deferred.length) for (const d of [...this.deferred]) this.settleDeferred(d, false);
  }

  private fail(op: PlannedOperation, err: unknown, location?: string): void {
    const error = err instanceof ScimError
      ? err
      : new ScimError(500, undefined, `Operations[${op.index}]: internal error. This is a bug in Scimulator; please report it with the request that caused it.`);
    this.results.set(op.index, {
      method: op.method,
      ...(op.bulkId !== undefined ? { bulkId: op.bulkId } : {}),
      // RFC 7644 3.7.3: "location" for every operation except failed POSTs.
      ...(location !== undefined && op.valid !== 'POST' ? { location } : {}),
      status: String(error.status),
      response: error.toJSON(),
    });
    const state = op.bulkId === undefined ? undefined : this.bulkIds.get(op.bulkId);
    if (state && state.index === op.index) {
      state.status = 'failed';
      this.changes++;
      state.failure = `${error.status}${error.scimType ? ` ${error.scimType}` : ''}: ${error.detail}`;
    }
    this.errors++;
    if (this.failOnErrors !== undefined && this.errors >= this.failOnErrors) this.stopped = true;
    if (this.deferred.length && !this.stopped) for (const d of [...this.deferred]) this.settleDeferred(d, false);
  }

  /** Creates a POST of a circle without its unresolved references (RFC 7644 3.7.1). */
  private runDeferred(op: PlannedOperation): void {
    const pending = new Set([...op.refs].filter((ref) => this.bulkIds.get(ref)?.status === 'pending'));
    let split: { data: Obj; fixes: PatchOperation[] };
    try {
      split = splitPending(op.data as Obj, pending);
    } catch (err) {
      this.fail(op, err);
      return;
    }
    // Report only the final outcome: hold the result back until the references are added.
    const created = this.executeQuietly(op, split.data);
    if (!created) return;
    this.provisional.add(op.bulkId!);
    this.deferred.push({ op, typeName: (created.meta as Record<string, string>).resourceType!, id: created.id as string, fixes: split.fixes, refs: pending });
    for (const d of [...this.deferred]) this.settleDeferred(d, false);
  }

  /** execute() for the early POST of a circle: on success the bulkId resolves, the result waits for the fix-up. */
  private executeQuietly(op: PlannedOperation, data: Obj): Resource | undefined {
    const created = this.execute(op, data);
    if (created) this.results.delete(op.index);
    return created;
  }

  /** Adds the references of an early-created POST once they resolve; deletes it when one of them failed. */
  private settleDeferred(d: Deferred, final: boolean): void {
    if (!this.deferred.includes(d)) return; // settled meanwhile (a failure can settle others in turn)
    const states = [...d.refs].map((ref) => [ref, this.bulkIds.get(ref)!] as const);
    const failed = states.find(([, s]) => s.status === 'failed');
    const waiting = states.some(([, s]) => s.status === 'pending');
    if (!failed && waiting && !final) return;
    this.deferred.splice(this.deferred.indexOf(d), 1);
    this.provisional.delete(d.op.bulkId!);
    this.changes++;
    const op = d.op;
    const type = this.service.resourceType(d.typeName);
    const location = resourceUrl(this.options.baseUrl, type.resourceType.endpoint, d.id);
    const rollBack = (error: ScimError) => {
      try {
        this.service.delete(d.typeName, d.id);
      } catch {
        // Already gone (deleted by a later operation): nothing to undo.
      }
      const state = this.bulkIds.get(op.bulkId!)!;
      state.status = 'pending'; // fail() marks it failed
      this.fail(op, error);
    };
    if (failed || waiting) {
      const [ref, state] = failed ?? states.find(([, s]) => s.status === 'pending')!;
      rollBack(new ScimError(409, undefined, `Operations[${op.index}]: the circular reference "bulkId:${ref}" cannot be resolved because Operations[${state.index}], which creates it, ${state.status === 'failed' ? `failed${state.failure ? ` (${state.failure})` : ''}` : 'was not processed'} (RFC 7644 3.7.1).`));
      return;
    }
    try {
      const operations = d.fixes.map((fix) => ({ ...fix, value: resolveRefs(fix.value, this.idOf) }));
      const updated = this.service.patch(d.typeName, d.id, { schemas: [PATCH_OP_SCHEMA], Operations: operations }, {}, this.options.onWarning);
      const result: BulkOperationResult = { method: op.method, bulkId: op.bulkId, location, version: this.service.versionOf(d.typeName, updated), status: '201' };
      this.results.set(op.index, result);
    } catch (err) {
      rollBack(err instanceof ScimError ? err : new ScimError(500, undefined, `Operations[${op.index}]: internal error while resolving circular references.`));
    }
  }
}

/**
 * Processes a BulkRequest (RFC 7644 section 3.7). Throws ScimError for a request that cannot be processed at all
 * (400 for its shape, 413 for its size); each operation's own errors are in its result.
 */
export function processBulk(service: ScimService, body: unknown, options: BulkOptions): BulkResponse {
  if (options.payloadSize > options.maxPayloadSize) {
    throw new ScimError(413, undefined, `The size of the bulk operation (${options.payloadSize} bytes) exceeds the maxPayloadSize (${options.maxPayloadSize}) (RFC 7644 3.7.4; limit --bulk-max-payload); split it into several requests.`);
  }
  if (!isPlainObject(body)) {
    throw badRequest('invalidSyntax', `A bulk request body must be a JSON object {"schemas": ["${BULK_REQUEST_SCHEMA}"], "Operations": [...]} (RFC 7644 3.7), not ${describeValue(body)}.`);
  }
  const names = memberNames(body, 'The BulkRequest');
  const get = (name: string) => {
    const key = names.get(name);
    return key === undefined ? undefined : body[key];
  };
  const schemas = get('schemas');
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === BULK_REQUEST_SCHEMA.toLowerCase())) {
    throw badRequest('invalidSyntax', `The bulk request must have "schemas": ["${BULK_REQUEST_SCHEMA}"] (RFC 7644 3.7); it has ${schemas === undefined ? 'none' : JSON.stringify(schemas)}.`);
  }
  const operations = get('operations');
  if (!Array.isArray(operations)) {
    throw badRequest('invalidSyntax', `The bulk request must have an "Operations" array (RFC 7644 3.7); it has ${operations === undefined ? 'none' : describeValue(operations)}.`);
  }
  if (operations.length > options.maxOperations) {
    throw new ScimError(413, undefined, `The bulk request has ${operations.length} operations, which exceeds the maxOperations (${options.maxOperations}) (RFC 7644 3.7.4; limit --bulk-max-operations); split it into several requests.`);
  }
  const failOnErrors = get('failonerrors');
  if (failOnErrors !== undefined && (typeof failOnErrors !== 'number' || !Number.isInteger(failOnErrors) || failOnErrors < 1)) {
    throw badRequest('invalidValue', `"failOnErrors" must be a positive integer, the number of errors after which processing stops (RFC 7644 3.7); it is ${describeValue(failOnErrors)}.`);
  }
  return new BulkProcessor(service, options, operations, failOnErrors as number | undefined).run();
}
