/**
 * Query resources (RFC 7644 section 3.4.2, RFC 9865): filter, sort, and paginate by index or by cursor, over one
 * resource type (GET /Users) or several at once (GET / and POST /.search). Pure: the store, the clock and the limits
 * are passed in; HTTP parameters and /.search bodies are turned into a ListRequest by the two parsers at the bottom.
 *
 * - Filter: parsed once per request, compiled once per resource type. An equality on an indexed attribute (id,
 *   userName, externalId, Group displayName), alone or as one operand of a top-level "and", is answered by the
 *   store's index; the whole compiled filter is then applied to those candidates only. Everything else scans.
 * - Order: by sortBy (RFC 7644 3.4.2.3) when given, each key computed once per resource; ties, and every query
 *   without sortBy, in creation order, so the order is total and the same on every request over an unchanged set.
 * - Index pagination (RFC 7644 3.4.2.4): startIndex (1-based, below 1 means 1), count (negative means 0, above
 *   maxPageSize is capped, absent means defaultPageSize).
 * - Cursor pagination (RFC 9865): keyset cursors on (sort key, creation sequence), see cursor.ts.
 */
import { containerOf, findAttribute, isPlainObject, type ResolvedAttribute, type ResourceSchema } from './attributes.js';
import { checkFilter, checkMemberFilter, checkQuery, type TargetCapabilities } from './capabilities.js';
import type { Clock } from './clock.js';
import { isPresent, sortKeyOf } from './compare.js';
import { CursorCodec, checkCursor, queryHash, type CursorKeys, type CursorState, type SortKey } from './cursor.js';
import { ScimError, badRequest } from './errors.js';
import {
  compileFilter,
  formatFilter,
  keepBounded,
  parseFilterCached,
  planFilter,
  type AttributePath,
  type FilterNode,
  type FilterWarning,
  type IndexPlan,
  type ParseOptions,
  type ResourcePredicate,
} from './filter/index.js';
import { splitAttributeList, type ProjectionRequest } from './project.js';
import type { ResourceRepository } from './repository.js';
import { indexedAttributes } from './schemas/registry.js';
import type { AttributeDef } from './schemas/types.js';
import type { Resource } from './validate.js';

export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';

/** The query parameters of RFC 7644 section 3.4.2 and RFC 9865, already typed. */
export interface ListRequest {
  filter?: string;
  sortBy?: string;
  /** "ascending" (default) or "descending", case-insensitive. */
  sortOrder?: string;
  startIndex?: number;
  count?: number;
  /** Present (even empty: the first page) selects cursor pagination. */
  cursor?: string;
}

export interface ListLimits {
  /** Page size when the request has no count. */
  defaultPageSize: number;
  /** Largest page (index: count is capped; cursor: a larger count is 400 invalidCount, RFC 9865 2.1). */
  maxPageSize: number;
  /** Seconds a cursor stays valid between page requests (0: forever). */
  cursorTimeout: number;
}

export interface ListOptions {
  repo: ResourceRepository;
  clock: Clock;
  limits: ListLimits;
  /** Key of the cursor MACs: cursors from another secret (another tenant) are invalidCursor. */
  cursorSecret: string;
  /** Where long sort keys of cursors are kept (the tenant's); absent: every key travels in its cursor. */
  cursorKeys?: CursorKeys;
  /** Filter parser options (e.g. a lenient profile accepting unquoted strings). */
  parse?: ParseOptions;
  /** Conformance warnings of the filter (undefined attributes, lenient syntax). */
  onWarning?: (warning: FilterWarning) => void;
  /** What the target supports (filters, sortBy, startIndex); absent: everything RFC 7644 defines. */
  capabilities?: TargetCapabilities;
  /** Attributes responses carry that the store does not hold (User.groups); absent: none. */
  computed?: ComputedAttributes;
  /** Whether a member value names an existing resource (for the target's `unknownMemberFilter`); absent: not checked. */
  memberExists?: (id: string) => boolean;
  /** The filter came in the request URI (GET), not in a /.search body: sensitive comparisons are refused (7.5.2). */
  filterInUri?: boolean;
}

/**
 * Values a type's responses carry that its stored resources do not hold, or hold otherwise: User.groups, computed
 * from the groups' members (RFC 7643 section 4.1.2), a User's meta.version, which follows its groups and its manager
 * (see ScimService.versionOf), and the enterprise manager's $ref and displayName, which come from the User its value
 * names (RFC 7643 section 4.3). A filter or sortBy that names one is evaluated on the resource as a response carries
 * it: a scan that computes them per resource, asked for by the request (an index that answers the filter stays used).
 */
export interface ComputedAttributes {
  /**
   * Canonical paths of the type's computed values (empty: none), as ResourceSchema.resolve spells them: an attribute
   * ("groups") or one sub-attribute of an attribute ("meta.version",
   * "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.displayName").
   */
  names(type: ResourceSchema): readonly string[];
  /** The stored resource with the computed values of `names` (a subset of names(type)) as a response shows them. */
  view(type: ResourceSchema, resource: Resource, names: readonly string[]): Resource;
}

/** The computed paths of a type, resolved once (names are canonical paths of the type's schemas). */
const resolvedComputed = new WeakMap<ResourceSchema, Map<string, ResolvedAttribute | undefined>>();

function resolveComputed(type: ResourceSchema, name: string): ResolvedAttribute | undefined {
  let byName = resolvedComputed.get(type);
  if (byName === undefined) resolvedComputed.set(type, (byName = new Map()));
  if (!byName.has(name)) byName.set(name, type.resolve(name));
  return byName.get(name);
}

/** Whether a filter inside `attr[...]` (its paths are sub-attributes of attr) names the sub-attribute `sub`. */
function innerNames(node: FilterNode, attr: ResolvedAttribute['attribute'], sub: ResolvedAttribute['attribute']): boolean {
  switch (node.type) {
    case 'and':
    case 'or':
      return innerNames(node.left, attr, sub) || innerNames(node.right, attr, sub);
    case 'not':
      return innerNames(node.filter, attr, sub);
    default:
      return node.path.urn === undefined && findAttribute(attr.subAttributes, node.path.attribute) === sub;
  }
}

/**
 * Whether a top-level filter path (`inner`: the filter of a value path `attr[...]`) reaches the computed value
 * `computed`: the same attribute, and, when the computed value is a sub-attribute, that sub-attribute (after the
 * attribute, or inside its value filter). `manager pr` or `manager.value eq ...` do not: the stored value answers them.
 */
function pathReaches(resolved: ResolvedAttribute, path: AttributePath, inner: FilterNode | undefined, computed: ResolvedAttribute): boolean {
  if (resolved.attribute !== computed.attribute) return false;
  const sub = computed.subAttribute;
  if (sub === undefined) return true;
  if (path.subAttribute !== undefined) return findAttribute(computed.attribute.subAttributes, path.subAttribute) === sub;
  if (path.valueFilter !== undefined && innerNames(path.valueFilter, computed.attribute, sub)) return true;
  return inner !== undefined && innerNames(inner, computed.attribute, sub);
}

/**
 * The computed paths among `all` (see ComputedAttributes.names) that the filter names at its top level; undefined
 * when none (the usual case: the filter then costs what it would without computed values). Each path of the filter
 * is resolved once.
 */
function computedNamed(ast: FilterNode, type: ResourceSchema, all: readonly string[]): string[] | undefined {
  if (all.length === 0) return undefined;
  let named: string[] | undefined;
  const visit = (node: FilterNode): void => {
    switch (node.type) {
      case 'and':
      case 'or':
        visit(node.left);
        visit(node.right);
        return;
      case 'not':
        visit(node.filter);
        return;
      default: {
        const { urn, attribute } = node.path;
        const resolved = type.resolve(urn !== undefined ? `${urn}:${attribute}` : attribute);
        if (resolved === undefined) return;
        const inner = node.type === 'valuePath' ? node.filter : undefined;
        // An indexed loop: the names are a frozen array.
        for (let i = 0; i < all.length; i++) {
          const name = all[i]!;
          if (named?.includes(name)) continue;
          const computed = resolveComputed(type, name);
          if (computed !== undefined && pathReaches(resolved, node.path, inner, computed)) (named ??= []).push(name);
        }
      }
    }
  };
  visit(ast);
  return named;
}

export interface ListEntry {
  type: ResourceSchema;
  resource: Resource;
}

export interface ListResult {
  method: 'index' | 'cursor';
  /** Number of resources matching the query, over all pages. */
  totalResults: number;
  /** Index pagination only: the 1-based index of the first resource of the page. */
  startIndex?: number;
  /** Number of resources on this page. */
  itemsPerPage: number;
  entries: ListEntry[];
  nextCursor?: string;
  previousCursor?: string;
  /** Resources the filter was evaluated on: the index candidates when an index answered, else every resource. */
  scanned: number;
  /** The index lookup that answered the filter, per resource type name, when one did. */
  plans: Record<string, IndexPlan>;
}

/** One matching resource, decorated with what ordering needs (computed once). */
interface Row {
  key: SortKey;
  seq: number;
  type: ResourceSchema;
  resource: Resource;
}

/** Where a keyset position lies: a sort key and a creation sequence. */
interface Position {
  key: SortKey;
  seq: number;
}

// ---------------------------------------------------------------------------------------------------------------
// Sorting

/** How to read the sort key of one resource type; undefined when the type has no such attribute. */
type KeyReader = ((resource: Resource) => SortKey) | undefined;

interface SortSpec {
  /** Canonical sortBy of the first type that defines it (part of the cursor binding). */
  canonical: string;
  readers: Map<string, KeyReader>;
}

/** The element of a multi-valued attribute that sorts it: the primary one, else the first (RFC 7644 3.4.2.3). */
function primaryOrFirst(values: unknown[]): unknown {
  for (const v of values) if (isPlainObject(v) && v.primary === true) return v;
  return values[0];
}

function keyReader(resolved: ResolvedAttribute): (resource: Resource) => SortKey {
  const attribute = resolved.attribute;
  let sub = resolved.subAttribute;
  if (attribute.type === 'complex' && !sub) sub = attribute.subAttributes?.find((s) => s.name === 'value');
  const leaf: AttributeDef = sub ?? attribute;
  const name = attribute.name;
  const subName = sub?.name;
  const own = (o: Record<string, unknown>, k: string) => (Object.prototype.hasOwnProperty.call(o, k) ? o[k] : undefined);
  const keyOf = (value: unknown): SortKey => {
    if (Array.isArray(value)) value = value[0];
    return isPresent(value) ? sortKeyOf(value, leaf) : undefined;
  };
  return (resource) => {
    const container = containerOf(resource, resolved);
    if (!container) return undefined;
    let value = own(container, name);
    if (Array.isArray(value)) value = primaryOrFirst(value);
    if (subName !== undefined) value = isPlainObject(value) ? own(value, subName) : undefined;
    return keyOf(value);
  };
}

function sortSpec(types: readonly ResourceSchema[], sortBy: string, computed: ComputedAttributes | undefined): SortSpec {
  const readers = new Map<string, KeyReader>();
  let canonical: string | undefined;
  for (const type of types) {
    const resolved = type.resolve(sortBy.trim());
    if (!resolved) {
      readers.set(type.name, undefined);
      continue;
    }
    const { attribute, subAttribute } = resolved;
    const leaf = subAttribute ?? attribute;
    if (attribute.type === 'complex' && !subAttribute && !(attribute.multiValued && attribute.subAttributes?.some((s) => s.name === 'value'))) {
      const example = attribute.subAttributes?.[0]?.name ?? 'subAttribute';
      throw badRequest('invalidValue', `sortBy "${sortBy}" names the complex attribute "${attribute.name}"; RFC 7644 section 3.4.2.3 requires a path to one of its sub-attributes, e.g. sortBy=${attribute.name}.${example}.`);
    }
    if (leaf.returned === 'never' || attribute.returned === 'never') {
      throw badRequest('invalidValue', `sortBy "${sortBy}" names "${resolved.canonicalPath}", which is never returned (returned: never); it cannot be used to sort.`);
    }
    canonical ??= resolved.canonicalPath;
    const read = keyReader(resolved);
    // "groups" covers groups.display; "meta.version" and the manager's "$ref" / "displayName" only themselves.
    const name = computed?.names(type).find((n) => n === resolved.canonicalPath || (!resolved.inExtension && n === attribute.name));
    const names = name === undefined ? undefined : [name];
    readers.set(type.name, names ? (resource) => read(computed!.view(type, resource, names)) : read);
  }
  if (canonical === undefined) {
    const names = types.map((t) => t.name).join(', ');
    throw badRequest('invalidValue', `sortBy "${sortBy}" names no attribute of ${types.length > 1 ? 'any of the resource types ' : 'the resource type '}${names}. Use an attribute path such as "userName", "name.familyName" or "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber" (GET /Schemas lists them).`);
  }
  return { canonical, readers };
}

function sortDirection(sortOrder: string | undefined): 1 | -1 {
  if (sortOrder === undefined) return 1;
  const order = sortOrder.trim().toLowerCase();
  if (order === 'ascending') return 1;
  if (order === 'descending') return -1;
  throw badRequest('invalidValue', `sortOrder must be "ascending" or "descending" (RFC 7644 section 3.4.2.3), got "${sortOrder}".`);
}

/** Orders sort keys ascending: no value last; numbers before strings (only mixed when a root query mixes types). */
function compareKeys(a: SortKey, b: SortKey): number {
  if (a === undefined || b === undefined) return a === undefined ? (b === undefined ? 0 : 1) : -1;
  if (typeof a !== typeof b) return typeof a === 'number' ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The total order of a query: by key in the requested direction (so "no value" is last ascending and first
 * descending, as RFC 7644 3.4.2.3 says), then by creation sequence ascending (stable ties in both directions).
 */
function orderOf(sorted: boolean, direction: 1 | -1): (a: Position, b: Position) => number {
  if (!sorted) return (a, b) => a.seq - b.seq;
  return (a, b) => direction * compareKeys(a.key, b.key) || a.seq - b.seq;
}

// ---------------------------------------------------------------------------------------------------------------
// Filter and candidates

/** Indexed attributes, best first: id, then unique attributes (userName), then the rest (externalId, displayName). */
function indexOrder(type: ResourceSchema, repo: ResourceRepository): string[] {
  const rank = (name: string) => (name === 'id' ? 0 : (type.coreAttribute(name)?.uniqueness ?? 'none') !== 'none' ? 1 : 2);
  return indexedAttributes(type)
    .filter((name) => repo.isIndexed(type.name, name))
    .sort((a, b) => rank(a) - rank(b));
}

interface Matcher {
  type: ResourceSchema;
  predicate?: ResourcePredicate;
  plan?: IndexPlan;
}

/**
 * Compiled predicates per resource type (custom schemas are types of their own), by parsed filter (the parse cache
 * hands out one AST per filter text), with the warnings compiling gave, replayed per request as copies. Compiling is
 * pure, and a repeated filter costs more to compile than to answer through an index.
 */
interface CompiledFilter {
  predicate: ResourcePredicate;
  warnings: FilterWarning[];
  /** The first never-returned attribute (password) the filter compares with a value, if any. */
  sensitive: string | undefined;
}

const compiledFilters = new WeakMap<ResourceSchema, Map<FilterNode, CompiledFilter>>();

function compileFilterOnce(ast: FilterNode, type: ResourceSchema, onWarning: (w: FilterWarning) => void): CompiledFilter {
  let byFilter = compiledFilters.get(type);
  if (byFilter === undefined) compiledFilters.set(type, (byFilter = new Map()));
  let compiled = byFilter.get(ast);
  if (compiled === undefined) {
    const warnings: FilterWarning[] = [];
    let sensitive: string | undefined;
    const predicate = compileFilter(ast, type, { onWarning: (w) => warnings.push(w), onNeverReturned: (path) => (sensitive ??= path) });
    compiled = keepBounded(byFilter, ast, { predicate, warnings, sensitive });
  }
  for (const w of compiled.warnings) onWarning({ ...w });
  return compiled;
}

/**
 * RFC 7644 section 7.5.2: "Servers that receive HTTP GET requests using filters that contain sensitive or
 * confidential personal information SHOULD respond with HTTP status code 403 to indicate that the operation is
 * FORBIDDEN. A "scimType" error code of "sensitive" may be returned to indicate that the request must be submitted
 * using POST via "/.search"". A password (a never-returned attribute) compared with a value is such information.
 */
function sensitiveInUri(path: string, types: readonly ResourceSchema[]): ScimError {
  const search = types.length === 1 ? `POST ${types[0]!.resourceType.endpoint}/.search` : 'POST /.search';
  return new ScimError(403, 'sensitive', `The filter compares "${path}", which is never returned, with a value, and a GET carries it in the request URI, where proxies and logs keep it (RFC 7644 section 7.5.2). Send the filter in the body of ${search} (RFC 7644 section 3.4.3) instead.`);
}

function matchers(types: readonly ResourceSchema[], ast: FilterNode | undefined, options: ListOptions): Matcher[] {
  if (!ast) return types.map((type) => ({ type }));
  // On a root query, a filter attribute that only some types define is expected: warn only when no type defines it.
  const warnings = new Map<string, { warning: FilterWarning; types: number }>();
  let sensitive: string | undefined;
  const out = types.map((type) => {
    const compiled = compileFilterOnce(ast, type, (warning) => {
      const key = `${warning.code}\u0000${warning.detail.split(type.name).join('\u0001')}`;
      const seen = warnings.get(key);
      if (seen) seen.types++;
      else warnings.set(key, { warning, types: 1 });
    });
    const predicate = compiled.predicate;
    sensitive ??= compiled.sensitive;
    const plan = planFilter(ast, type, indexOrder(type, options.repo));
    const computed = options.computed;
    // The computed values the filter names, usually none.
    const names = computed === undefined ? undefined : computedNamed(ast, type, computed.names(type));
    if (computed && names !== undefined) {
      return { type, predicate: (resource: Resource) => predicate(computed.view(type, resource, names)), plan };
    }
    return { type, predicate, plan };
  });
  for (const { warning, types: n } of warnings.values()) if (n === types.length) options.onWarning?.(warning);
  if (sensitive !== undefined && options.filterInUri) throw sensitiveInUri(sensitive, types);
  return out;
}

/** The resources a matcher has to test: the index candidates (in creation order), or every resource. */
function candidates(m: Matcher, repo: ResourceRepository): Iterable<Resource> {
  if (!m.plan) return repo.all(m.type.name);
  const found: Resource[] = [];
  for (const id of repo.lookup(m.type.name, m.plan.attribute, m.plan.value)) {
    const resource = repo.get(m.type.name, id);
    if (resource) found.push(resource);
  }
  if (found.length > 1) found.sort((a, b) => repo.createdSeq(m.type.name, a.id as string) - repo.createdSeq(m.type.name, b.id as string));
  return found;
}

// ---------------------------------------------------------------------------------------------------------------
// Pagination parameters

/** Clamps to a safe integer (huge digit strings become MAX_SAFE_INTEGER, keeping the sign). */
const safe = (n: number) => Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, n));

function pageSize(request: ListRequest, limits: ListLimits, method: 'index' | 'cursor'): number {
  if (request.count === undefined) return Math.min(limits.defaultPageSize, limits.maxPageSize);
  const count = Math.max(0, request.count);
  if (count > limits.maxPageSize) {
    if (method === 'cursor') {
      throw new ScimError(400, 'invalidCount', `count ${request.count} is above maxPageSize ${limits.maxPageSize}; for cursor pagination RFC 9865 section 2.1 requires a count between 0 and maxPageSize (ServiceProviderConfig pagination.maxPageSize).`);
    }
    return limits.maxPageSize;
  }
  return count;
}

// ---------------------------------------------------------------------------------------------------------------
// The query

/**
 * Runs a query over `types` (one type for /Users, all of them for a root query). Throws ScimError 400 for a
 * malformed filter (invalidFilter), a bad sortBy or sortOrder (invalidValue), startIndex together with cursor
 * (invalidValue), and the cursor errors of RFC 9865 (invalidCursor, expiredCursor, invalidCount).
 */
export function listResources(types: readonly ResourceSchema[], request: ListRequest, options: ListOptions): ListResult {
  const { repo, limits } = options;
  const method = request.cursor !== undefined ? 'cursor' : 'index';
  if (method === 'cursor' && request.startIndex !== undefined) {
    throw badRequest('invalidValue', 'startIndex and cursor select different pagination methods (index, RFC 7644 3.4.2.4; cursor, RFC 9865); send one of them.');
  }
  if (options.capabilities) request = checkQuery(options.capabilities, request);
  const ast = request.filter !== undefined ? parseFilterCached(request.filter, { ...options.parse, onWarning: options.parse?.onWarning ?? options.onWarning }) : undefined;
  if (ast && options.capabilities) {
    checkFilter(options.capabilities, ast, types);
    if (options.memberExists) checkMemberFilter(options.capabilities, ast, types, options.memberExists);
  }
  const sort = request.sortBy !== undefined && request.sortBy.trim() !== '' ? sortSpec(types, request.sortBy, options.computed) : undefined;
  const direction = sortDirection(request.sortOrder);
  const count = pageSize(request, limits, method);

  // A cursor is checked before any work: its query binding, expiry and count.
  const codec = method === 'cursor' ? new CursorCodec(options.cursorSecret, options.cursorKeys, limits.cursorTimeout) : undefined;
  // What a cursor is bound to: computed for cursor pagination only (a hash of the formatted query per request).
  const query = codec ? queryHash([types.map((t) => t.name), ast ? formatFilter(ast) : null, sort?.canonical ?? null, sort ? direction : null]) : '';
  let cursor: CursorState | undefined;
  if (codec && request.cursor) {
    cursor = codec.decode(request.cursor);
    checkCursor(cursor, { query, now: options.clock.now(), timeoutSeconds: limits.cursorTimeout, count, keys: options.cursorKeys });
  }

  // Match.
  const found = matchers(types, ast, options);
  const plans: Record<string, IndexPlan> = {};
  for (const m of found) if (m.plan) plans[m.type.name] = m.plan;
  let scanned = 0;
  const order = orderOf(sort !== undefined, direction);

  // Fast path: index pagination in creation order over one type keeps only the page, not every match.
  if (method === 'index' && !sort && found.length === 1) {
    const m = found[0]!;
    const startIndex = Math.max(1, safe(request.startIndex ?? 1));
    const entries: ListEntry[] = [];
    const source = candidates(m, repo);
    const predicate = m.predicate;
    let total = 0;
    if (Array.isArray(source)) {
      // The store's array (or the index candidates): an index loop, the scan's hot path.
      const resources = source as readonly Resource[];
      const n = resources.length;
      scanned = n;
      // The resources before the page are only counted; from the page's first on they are kept too.
      let i = 0;
      for (; i < n && total < startIndex - 1; i++) if (predicate === undefined || predicate(resources[i]!)) total++;
      for (; i < n && entries.length < count; i++) {
        const resource = resources[i]!;
        if (predicate !== undefined && !predicate(resource)) continue;
        total++;
        entries.push({ type: m.type, resource });
      }
      if (predicate === undefined) total += n - i;
      else for (; i < n; i++) if (predicate(resources[i]!)) total++;
    } else {
      for (const resource of source) {
        scanned++;
        if (predicate && !predicate(resource)) continue;
        total++;
        if (total >= startIndex && entries.length < count) entries.push({ type: m.type, resource });
      }
    }
    return { method, totalResults: total, startIndex, itemsPerPage: entries.length, entries, scanned, plans };
  }

  const rows: Row[] = [];
  for (const m of found) {
    const read = sort?.readers.get(m.type.name);
    for (const resource of candidates(m, repo)) {
      scanned++;
      if (m.predicate && !m.predicate(resource)) continue;
      rows.push({ key: read ? read(resource) : undefined, seq: repo.createdSeq(m.type.name, resource.id as string), type: m.type, resource });
    }
  }
  if (sort || found.length > 1) rows.sort(order);
  const toEntries = (slice: Row[]) => slice.map((r) => ({ type: r.type, resource: r.resource }));

  if (method === 'index') {
    const startIndex = Math.max(1, safe(request.startIndex ?? 1));
    const entries = toEntries(rows.slice(startIndex - 1, Math.min(rows.length, startIndex - 1 + count)));
    return { method, totalResults: rows.length, startIndex, itemsPerPage: entries.length, entries, scanned, plans };
  }

  // Cursor pagination: the page is the `count` rows after (or before) the cursor's position.
  const result: ListResult = { method, totalResults: rows.length, itemsPerPage: 0, entries: [], scanned, plans };
  if (count === 0) return result;
  const now = options.clock.now();
  const issue = (side: 'after' | 'before', at: Position) => codec!.encode({ side, key: at.key, seq: at.seq, count, issuedAt: now, query });
  let start: number;
  let end: number;
  if (!cursor) {
    start = 0;
    end = Math.min(rows.length, count);
  } else if (cursor.side === 'after') {
    start = firstIndex(rows, (r) => order(r, cursor!) > 0);
    end = Math.min(rows.length, start + count);
  } else {
    end = firstIndex(rows, (r) => order(r, cursor!) >= 0);
    start = Math.max(0, end - count);
  }
  const page = rows.slice(start, end);
  result.entries = toEntries(page);
  result.itemsPerPage = page.length;
  if (page.length > 0) {
    if (end < rows.length) result.nextCursor = issue('after', page[page.length - 1]!);
    if (cursor && start > 0) result.previousCursor = issue('before', page[0]!);
  } else if (cursor) {
    // An empty page (the resources past the position were deleted): still offer the way back or forward,
    // with the position moved half a step so the resource at it is included.
    const bound = { key: cursor.key, seq: cursor.side === 'after' ? cursor.seq + 0.5 : cursor.seq - 0.5 };
    if (start > 0) result.previousCursor = issue('before', bound);
    if (end < rows.length) result.nextCursor = issue('after', bound);
  }
  return result;
}

/** The index of the first row satisfying a predicate that is false then true along the rows (binary search). */
function firstIndex(rows: readonly Row[], past: (row: Row) => boolean): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (past(rows[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

// ---------------------------------------------------------------------------------------------------------------
// Requests from HTTP

/**
 * The scimType of a malformed count: RFC 9865's invalidCount applies to cursor pagination (its section 1: its
 * changes "are invoked when using the cursor parameter"); without a cursor the request is RFC 7644 index paging,
 * whose count is a "Non-negative integer" (3.4.2.4), and a value of the wrong type is invalidValue (3.12, Table 9).
 */
const countError = (cursor: unknown): 'invalidValue' | 'invalidCount' => (cursor === undefined || cursor === null ? 'invalidValue' : 'invalidCount');

function integer(raw: string | number, name: string, scimType: 'invalidValue' | 'invalidCount'): number {
  if (typeof raw === 'number') {
    if (!Number.isInteger(raw)) throw badRequest(scimType, `${name} must be an integer, got ${raw}.`);
    return safe(raw);
  }
  if (!/^[+-]?\d+$/.test(raw.trim())) throw badRequest(scimType, `${name} must be an integer, got "${raw}".`);
  return safe(Number(raw.trim()));
}

/**
 * A ListRequest from URL query parameters (RFC 7644 3.4.2; RFC 9865 "cursor"). `get` returns a parameter's value
 * ("" when present without a value), undefined when absent. Empty startIndex / count mean "not given".
 */
export function listRequestFromParams(get: (name: string) => string | undefined): ListRequest {
  const request: ListRequest = {};
  const filter = get('filter');
  if (filter !== undefined) request.filter = filter;
  const sortBy = get('sortBy');
  if (sortBy !== undefined && sortBy !== '') request.sortBy = sortBy;
  const sortOrder = get('sortOrder');
  if (sortOrder !== undefined && sortOrder !== '') request.sortOrder = sortOrder;
  const startIndex = get('startIndex');
  if (startIndex !== undefined && startIndex !== '') request.startIndex = integer(startIndex, 'startIndex', 'invalidValue');
  const cursor = get('cursor');
  const count = get('count');
  if (count !== undefined && count !== '') request.count = integer(count, 'count', countError(cursor));
  if (cursor !== undefined) request.cursor = cursor;
  return request;
}

const SEARCH_FIELDS = ['attributes', 'excludedAttributes', 'filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'cursor'] as const;

/**
 * A ListRequest and projection from a /.search body (RFC 7644 section 3.4.3): a JSON object whose "schemas" holds
 * urn:ietf:params:scim:api:messages:2.0:SearchRequest. Field names are case-insensitive; unknown fields are
 * reported as warnings.
 */
export function listRequestFromSearchBody(body: unknown): { request: ListRequest; projection: ProjectionRequest; warnings: FilterWarning[] } {
  const example = `{"schemas": ["${SEARCH_REQUEST_SCHEMA}"], "filter": "userName eq \\"bjensen\\"", "startIndex": 1, "count": 10}`;
  if (!isPlainObject(body)) throw badRequest('invalidSyntax', `A /.search request needs a JSON object body (RFC 7644 section 3.4.3), e.g. ${example}.`);
  const fields = new Map<string, unknown>();
  const warnings: FilterWarning[] = [];
  let schemas: unknown;
  for (const key of Object.keys(body)) {
    const lower = key.toLowerCase();
    if (lower === 'schemas') {
      schemas = body[key];
      continue;
    }
    const field = SEARCH_FIELDS.find((f) => f.toLowerCase() === lower);
    if (field) fields.set(field, body[key]);
    else warnings.push({ code: 'search-unknown-field', rfc: 'RFC 7644 3.4.3', detail: `The SearchRequest field "${key}" is not defined by RFC 7644 section 3.4.3 or RFC 9865; it was ignored.` });
  }
  if (!Array.isArray(schemas) || !schemas.some((s) => typeof s === 'string' && s.toLowerCase() === SEARCH_REQUEST_SCHEMA.toLowerCase())) {
    throw badRequest('invalidSyntax', `A /.search body must have "schemas": ["${SEARCH_REQUEST_SCHEMA}"] (RFC 7644 section 3.4.3); got ${schemas === undefined ? 'no "schemas"' : JSON.stringify(schemas)}. Example: ${example}.`);
  }
  const text = (name: string): string | undefined => {
    const v = fields.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw badRequest('invalidSyntax', `The SearchRequest field "${name}" must be a string, got ${JSON.stringify(v)}.`);
    return v;
  };
  const list = (name: string): string[] | undefined => {
    const v = fields.get(name);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      throw badRequest('invalidSyntax', `The SearchRequest field "${name}" must be an array of attribute names, e.g. ["userName", "emails.value"]; got ${JSON.stringify(v)}.`);
    }
    const names = (v as string[]).flatMap((s) => splitAttributeList(s)).map((s) => s.trim()).filter(Boolean);
    return names.length ? names : undefined;
  };
  const number = (name: string, scimType: 'invalidValue' | 'invalidCount'): number | undefined => {
    const v = fields.get(name);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number') throw badRequest(scimType, `The SearchRequest field "${name}" must be a JSON integer, got ${JSON.stringify(v)}.`);
    return integer(v, name, scimType);
  };
  const request: ListRequest = {};
  const filter = text('filter');
  if (filter !== undefined) request.filter = filter;
  const sortBy = text('sortBy');
  if (sortBy !== undefined && sortBy !== '') request.sortBy = sortBy;
  const sortOrder = text('sortOrder');
  if (sortOrder !== undefined && sortOrder !== '') request.sortOrder = sortOrder;
  const startIndex = number('startIndex', 'invalidValue');
  if (startIndex !== undefined) request.startIndex = startIndex;
  const cursor = text('cursor');
  const count = number('count', countError(cursor));
  if (count !== undefined) request.count = count;
  if (cursor !== undefined) request.cursor = cursor;
  const projection: ProjectionRequest = {};
  const attributes = list('attributes');
  if (attributes) projection.attributes = attributes;
  const excludedAttributes = list('excludedAttributes');
  if (excludedAttributes) projection.excludedAttributes = excludedAttributes;
  return { request, projection, warnings };
}
