/**
 * The client conformance linter: finds the known quirks in a SCIM request and computes its RFC-shaped
 * equivalent. Pure (no express, no I/O); the middleware decides from the tenant's profile whether the rewrite is
 * applied or the request rejected.
 *
 * The input is never mutated: every level that is walked is copied, and keys are always set as own properties
 * (so a "__proto__" key stays a plain key for the SCIM core to reject, and never reaches a prototype).
 */
import { FORBIDDEN_KEYS, findAttribute, isPlainObject, type ResolvedAttribute, type ResourceSchema } from '../scim/attributes.js';
import { formatFilter, parseFilterCached, parsePatchPath, type AttributePath, type FilterNode, type FilterWarning, type PatchPath } from '../scim/filter/index.js';
import { markRewritten } from '../scim/patch.js';
import { hasValueFilter, splitAttributeList } from '../scim/project.js';
import type { SchemaRegistry } from '../scim/schemas/registry.js';
import type { AttributeDef, SchemaDef } from '../scim/schemas/types.js';
import { isLowerCaseOf } from '../scim/strings.js';
import type { ScimOperation } from '../request-context.js';
import { QUIRK_BY_CODE, type QuirkCode } from './quirks.js';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const SEARCH_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
export const BULK_REQUEST_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** One quirk found in a request. */
export interface Finding {
  code: QuirkCode;
  /** The RFC section, when it differs from the quirk table's (e.g. add vs replace). */
  rfc?: string;
  /** What the client sent and what the RFC wants. */
  what: string;
  /** What to send instead. */
  fix?: string;
  /** Where in the request: "Operations[0].op", "query parameter filter". */
  at?: string;
  /** No rewrite can turn this into an RFC request: rejected under every profile. */
  unfixable?: boolean;
}

/** Findings of one code beyond this many are summarised in one more finding (bounded memory and headers). */
export const MAX_FINDINGS_PER_CODE = 20;

type Bag = Record<string, unknown>;
type PatchOpName = 'add' | 'remove' | 'replace';
const PATCH_OPS: readonly string[] = ['add', 'remove', 'replace'];

const lower = (s: string) => s.toLowerCase();

/** Sets an own enumerable property, even for "__proto__". */
function setOwn(obj: Bag, key: string, value: unknown): void {
  // Only "__proto__" is special for assignment on a plain object; constructor and prototype become own keys.
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

function copy(obj: Bag): Bag {
  const out: Bag = {};
  for (const key of Object.keys(obj)) setOwn(out, key, obj[key]);
  return out;
}

function without(obj: Bag, drop: string): Bag {
  const out: Bag = {};
  for (const key of Object.keys(obj)) if (key !== drop) setOwn(out, key, obj[key]);
  return out;
}

/** The own key of `obj` that equals `name` case-insensitively. */
function findKey(obj: Bag, name: string): string | undefined {
  if (Object.hasOwn(obj, name)) return name;
  const l = lower(name);
  return Object.keys(obj).find((k) => isLowerCaseOf(k, l));
}

/** "Operations" + "[0]" / ".op" / `["name.givenName"]`. */
function keyAt(at: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return at ? `${at}.${key}` : key;
  return `${at}[${JSON.stringify(key)}]`;
}

function show(value: unknown, max = 80): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > max ? `${text.slice(0, max - 3)}...` : text;
}

/** Collects findings, summarising repeats of one code beyond MAX_FINDINGS_PER_CODE. */
export class Findings {
  readonly list: Finding[] = [];
  /** Made with the first finding (most requests have none). */
  private counts: Map<string, number> | undefined = undefined;
  private overflow: Map<string, { count: number; unfixable: boolean }> | undefined = undefined;
  /** Set by every rewrite; a request without rewrites keeps its body object. */
  changed = false;

  /** Records a finding whose rewrite changes the request. */
  rewrite(finding: Finding): void {
    this.changed = true;
    this.add(finding);
  }

  add(finding: Finding): void {
    const counts = (this.counts ??= new Map());
    const n = (counts.get(finding.code) ?? 0) + 1;
    counts.set(finding.code, n);
    if (n <= MAX_FINDINGS_PER_CODE) {
      this.list.push(finding);
      return;
    }
    const overflow = (this.overflow ??= new Map());
    const o = overflow.get(finding.code) ?? { count: 0, unfixable: false };
    o.count++;
    o.unfixable ||= finding.unfixable === true;
    overflow.set(finding.code, o);
  }

  /** The findings, with one summary per code that overflowed. */
  done(): Finding[] {
    if (this.overflow === undefined) return this.list;
    for (const [code, o] of this.overflow) {
      const summary: Finding = {
        code: code as QuirkCode,
        what: `${o.count} more occurrence${o.count === 1 ? '' : 's'} of ${code} in this request (only the first ${MAX_FINDINGS_PER_CODE} are listed)`,
      };
      if (o.unfixable) summary.unfixable = true;
      this.list.push(summary);
    }
    this.overflow.clear();
    return this.list;
  }
}

/** What the linter needs to know about one request. */
export interface RequestShape {
  operation: ScimOperation;
  /** The resource type of the endpoint (undefined for /.search at the root, /Bulk, discovery). */
  schema?: ResourceSchema;
  /** For /Bulk: resolves the endpoint of each operation. */
  registry?: SchemaRegistry;
  /** The resource id from the URL (PUT, PATCH). */
  resourceId?: string;
  /** The media type of a parsed request body, e.g. "application/json"; undefined when there was no body. */
  mediaType?: string;
  /** The parsed request body; undefined when there was none. */
  body: unknown;
  query: Record<string, unknown>;
}

export interface Normalised {
  findings: Finding[];
  /** True when `body` differs from the request's. */
  bodyChanged: boolean;
  body: unknown;
  /** A replacement for the query object, when a parameter was rewritten. */
  query?: Record<string, unknown>;
}

/** Finds the quirks of a request and computes its RFC-shaped form. Never throws on any JSON input. */
export function normaliseRequest(shape: RequestShape): Normalised {
  const w = new Findings();
  let body = shape.body;
  let query: Record<string, unknown> | undefined;

  if (body !== undefined && shape.mediaType !== undefined && lower(shape.mediaType) !== 'application/scim+json') {
    w.add({
      code: 'content-type',
      what: `the request body is sent as Content-Type "${shape.mediaType}"; SCIM's media type is "application/scim+json"`,
      fix: 'send Content-Type: application/scim+json',
      at: 'Content-Type header',
    });
  }

  switch (shape.operation) {
    case 'create':
    case 'replace':
      if (shape.schema && isPlainObject(body)) body = normaliseResource(w, shape.schema, body, shape.operation === 'create' ? 'POST' : 'PUT', '');
      break;
    case 'patch':
      body = normalisePatchOp(w, shape.schema, body, shape.resourceId, '');
      break;
    case 'search':
      body = normaliseSearchRequest(w, shape.schema, body, '');
      break;
    case 'bulk':
      body = normaliseBulkRequest(w, shape.registry, body);
      break;
    case 'list': {
      const key = Object.keys(shape.query).find((k) => lower(k) === 'filter');
      const text = key === undefined ? undefined : shape.query[key];
      if (key !== undefined && typeof text === 'string') {
        const rewritten = normaliseFilterText(w, shape.schema, text, 'query parameter filter');
        if (rewritten !== undefined) {
          query = copy(shape.query);
          setOwn(query, key, rewritten);
        }
      }
      break;
    }
    default:
      break;
  }
  checkAttributeLists(w, shape.query, body, shape.operation === 'search');
  if (!w.changed) body = shape.body;
  const result: Normalised = { findings: w.done(), bodyChanged: body !== shape.body, body };
  if (query) result.query = query;
  return result;
}

/**
 * `attributes` / `excludedAttributes` (query parameters, and SearchRequest fields) hold attribute names only (RFC 7644
 * 3.4.2.5); a value filter in them (`emails[type eq "work"]`, from Microsoft's test collection) is a deviation that
 * the projection can apply, so it is reported and not rewritten.
 */
function checkAttributeLists(w: Findings, query: Record<string, unknown>, body: unknown, search: boolean): void {
  const check = (name: string, items: unknown, at: string) => {
    const list = typeof items === 'string' ? splitAttributeList(items) : Array.isArray(items) ? items.filter((x): x is string => typeof x === 'string').flatMap(splitAttributeList) : [];
    for (const item of list.map((x) => x.trim()).filter(hasValueFilter)) {
      w.add({
        code: 'attribute-value-filter',
        what: `"${name}" holds ${show(item)}, an attribute with a value filter; "${name}" lists attribute names only`,
        fix: `send the attribute name (${show(item.slice(0, item.indexOf('[')))}) and select the values on the client side`,
        at,
      });
    }
  };
  for (const key of Object.keys(query)) {
    const l = lower(key);
    if (l === 'attributes' || l === 'excludedattributes') check(key, query[key], `query parameter ${key}`);
  }
  if (search && isPlainObject(body)) {
    for (const key of Object.keys(body)) {
      const l = lower(key);
      if (l === 'attributes' || l === 'excludedattributes') check(key, body[key], key);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Messages: PatchOp, SearchRequest, BulkRequest

/** Renames message attributes written in another case ("operations" -> "Operations"). Returns a copy. */
function canonicalKeys(w: Findings, obj: Bag, names: readonly string[], at: string): Bag {
  const out: Bag = {};
  for (const key of Object.keys(obj)) {
    const canonical = names.find((n) => lower(n) === lower(key));
    if (canonical !== undefined && canonical !== key && !Object.hasOwn(obj, canonical)) {
      w.rewrite({
        code: 'attribute-case',
        what: `"${key}" is spelled "${canonical}" in RFC 7644; attribute names are case-insensitive, so it was accepted`,
        fix: `send "${canonical}"`,
        at: keyAt(at, key),
      });
      setOwn(out, canonical, obj[key]);
    } else {
      setOwn(out, key, obj[key]);
    }
  }
  return out;
}

/**
 * The message's "schemas" must be [its URN]. Absent, null, empty, or the URN as a bare string: missing-schemas
 * (rewritten). Extra URNs beside it: extra-schema-urn (dropped). Other URNs without it are a client bug, not a
 * known quirk: left for the SCIM routes to reject. Rewrites `out.schemas` in place.
 */
function checkMessageSchemas(w: Findings, out: Bag, urn: string, message: string, rfc: string, at: string): void {
  const value = out.schemas;
  const where = keyAt(at, 'schemas');
  const isUrn = (s: unknown) => typeof s === 'string' && lower(s) === lower(urn);
  const has = Array.isArray(value) && value.some(isUrn);
  if (!has) {
    let sent: string;
    if (value === undefined) sent = `the ${message} has no "schemas"`;
    else if (value === null || (Array.isArray(value) && value.length === 0)) sent = `"schemas" is ${show(value)}`;
    else if (isUrn(value)) sent = `"schemas" is the string ${show(value)} instead of an array`;
    else return;
    w.rewrite({ code: 'missing-schemas', rfc, what: `${sent}; a ${message} MUST carry "schemas": ["${urn}"]`, fix: `send "schemas": ["${urn}"]`, at: where });
    setOwn(out, 'schemas', [urn]);
    return;
  }
  const extras = (value as unknown[]).filter((s) => !(typeof s === 'string' && lower(s) === lower(urn)));
  for (const extra of extras) {
    w.rewrite({
      code: 'extra-schema-urn',
      rfc,
      what: `"schemas" lists ${show(extra)} beside "${urn}"; a ${message} carries only its own URN`,
      fix: `send "schemas": ["${urn}"]`,
      at: where,
    });
  }
  if (extras.length > 0) setOwn(out, 'schemas', [urn]);
}

export function normalisePatchOp(w: Findings, schema: ResourceSchema | undefined, body: unknown, resourceId: string | undefined, at: string): unknown {
  if (!isPlainObject(body)) return body;
  const out = canonicalKeys(w, body, ['schemas', 'Operations'], at);
  checkMessageSchemas(w, out, PATCH_OP_SCHEMA, 'PatchOp', 'RFC 7644 3.5.2', at);
  const ops = out.Operations;
  if (!Array.isArray(ops)) return out;
  const opsAt = keyAt(at, 'Operations');
  if (ops.length === 0) {
    w.add({
      code: 'empty-operations',
      what: '"Operations" is an empty array; a PatchOp MUST carry an array of one or more operations',
      fix: 'send at least one operation, or no PATCH at all',
      at: opsAt,
    });
  }
  setOwn(out, 'Operations', ops.flatMap((op, i) => normaliseOperation(w, schema, op, resourceId, `${opsAt}[${i}]`)));
  return out;
}

function normaliseSearchRequest(w: Findings, schema: ResourceSchema | undefined, body: unknown, at: string): unknown {
  if (!isPlainObject(body)) return body;
  const out = canonicalKeys(w, body, ['schemas', 'attributes', 'excludedAttributes', 'filter', 'sortBy', 'sortOrder', 'startIndex', 'count', 'cursor'], at);
  checkMessageSchemas(w, out, SEARCH_REQUEST_SCHEMA, 'SearchRequest', 'RFC 7644 3.4.3', at);
  if (typeof out.filter === 'string') {
    const rewritten = normaliseFilterText(w, schema, out.filter, keyAt(at, 'filter'));
    if (rewritten !== undefined) setOwn(out, 'filter', rewritten);
  }
  return out;
}

function normaliseBulkRequest(w: Findings, registry: SchemaRegistry | undefined, body: unknown): unknown {
  if (!isPlainObject(body)) return body;
  const out = canonicalKeys(w, body, ['schemas', 'Operations', 'failOnErrors'], '');
  checkMessageSchemas(w, out, BULK_REQUEST_SCHEMA, 'BulkRequest', 'RFC 7644 3.7', '');
  const ops = out.Operations;
  if (!Array.isArray(ops)) return out;
  setOwn(
    out,
    'Operations',
    ops.map((op, i) => {
      if (!isPlainObject(op)) return op;
      const at = `Operations[${i}]`;
      const o = canonicalKeys(w, op, ['method', 'bulkId', 'version', 'path', 'data'], at);
      if (typeof o.method !== 'string' || typeof o.path !== 'string' || !registry) return o;
      const segments = o.path.split(/[?#]/)[0]!.split('/').filter(Boolean);
      const schema = segments[0] === undefined ? undefined : registry.byEndpoint(`/${segments[0]}`);
      if (!schema) return o;
      const method = o.method.toUpperCase();
      const dataAt = keyAt(at, 'data');
      if ((method === 'POST' && segments.length === 1) || (method === 'PUT' && segments.length === 2)) {
        if (isPlainObject(o.data)) setOwn(o, 'data', normaliseResource(w, schema, o.data, method, dataAt));
      } else if (method === 'PATCH' && segments.length === 2) {
        setOwn(o, 'data', normalisePatchOp(w, schema, o.data, segments[1], dataAt));
      }
      return o;
    }),
  );
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// PATCH operations

type Target =
  | { kind: 'extension'; extension: SchemaDef }
  /** The value replaces / is added to / is removed from this attribute (or sub-attribute). */
  | { kind: 'value'; def: AttributeDef; name: string; isSub: boolean }
  /** `attr[filter]`: the value is an element of the multi-valued attribute. */
  | { kind: 'element'; def: AttributeDef; name: string };

function resolveTarget(schema: ResourceSchema, path: PatchPath): Target | undefined {
  if (!path.filter && !path.subAttribute) {
    const extension = schema.extension(path.attributePath);
    if (extension) return { kind: 'extension', extension };
  }
  const resolved = schema.resolve(path.attributePath);
  if (!resolved) return undefined;
  if (path.filter) {
    if (resolved.subAttribute) return undefined;
    const attr = resolved.attribute;
    if (path.subAttribute !== undefined) {
      const sub = findAttribute(attr.subAttributes, path.subAttribute);
      return sub && { kind: 'value', def: sub, name: `${attr.name}.${sub.name}`, isSub: true };
    }
    return { kind: 'element', def: attr, name: attr.name };
  }
  const leaf = resolved.subAttribute ?? resolved.attribute;
  const name = resolved.subAttribute ? `${resolved.attribute.name}.${resolved.subAttribute.name}` : resolved.attribute.name;
  return { kind: 'value', def: leaf, name, isSub: resolved.subAttribute !== undefined };
}

/**
 * Entra ID's remove of `manager[value eq "<id>"]`: a value filter on a single-valued complex attribute, dropped.
 * Removes only: in an add or replace the filter would be a condition the rewrite cannot check.
 */
function unfilterSingleValued(w: Findings, schema: ResourceSchema, o: Bag, path: PatchPath, at: string): PatchPath {
  if (!path.filter || path.subAttribute !== undefined) return path;
  const resolved = schema.resolve(path.attributePath);
  if (!resolved || resolved.subAttribute || resolved.attribute.multiValued || resolved.attribute.type !== 'complex') return path;
  const rewritten = path.attributePath;
  w.rewrite({
    code: 'filter-on-single-valued',
    what: `"${String(o.path)}" puts a value filter on "${resolved.attribute.name}", which has a single value; value filters select values of multi-valued attributes`,
    fix: `send "path": ${JSON.stringify(rewritten)}`,
    at,
  });
  setOwn(o, 'path', rewritten);
  return parsePatchPath(rewritten);
}

function formatPatchPath(path: PatchPath): string {
  return `${path.attributePath}${path.filter ? `[${formatFilter(path.filter)}]` : ''}${path.subAttribute !== undefined ? `.${path.subAttribute}` : ''}`;
}

function normaliseOperation(w: Findings, schema: ResourceSchema | undefined, op: unknown, resourceId: string | undefined, at: string): unknown[] {
  if (!isPlainObject(op)) return [op];
  let o = canonicalKeys(w, op, ['op', 'path', 'value'], at);
  if (typeof o.op === 'string') {
    const l = lower(o.op);
    if (PATCH_OPS.includes(l) && o.op !== l) {
      w.rewrite({
        code: 'op-case',
        what: `op "${o.op}" is not one of "add", "remove", "replace"`,
        fix: `send "${l}"`,
        at: keyAt(at, 'op'),
      });
      setOwn(o, 'op', l);
    }
  }
  const name = typeof o.op === 'string' && PATCH_OPS.includes(o.op) ? (o.op as PatchOpName) : undefined;
  if (!name) return [o];

  let path: PatchPath | undefined;
  let target: Target | undefined;
  if (typeof o.path === 'string' && o.path.trim() !== '') {
    const warnings: FilterWarning[] = [];
    try {
      path = parsePatchPath(o.path, { allowUnquotedStrings: true, onWarning: (x) => warnings.push(x) });
    } catch {
      return [o]; // a malformed path is the PATCH engine's to report
    }
    if (warnings.length > 0) {
      const rewritten = formatPatchPath(path);
      for (const x of warnings) {
        w.rewrite({ code: 'filter-unquoted', what: lintText(x.detail), fix: `send "path": ${JSON.stringify(rewritten)}`, at: keyAt(at, 'path') });
      }
      setOwn(o, 'path', rewritten);
    }
    if (schema) {
      checkPatchPathCase(w, schema, path, keyAt(at, 'path'));
      if (name === 'remove') path = unfilterSingleValued(w, schema, o, path, keyAt(at, 'path'));
      else if (filteredSingleValued(w, schema, o, path, name, keyAt(at, 'path'))) return [o];
      target = resolveTarget(schema, path);
    }
  }
  const hasValue = Object.hasOwn(o, 'value');

  if (name === 'remove') {
    if (!hasValue || !path) return [o];
    if (target?.kind === 'value' && target.def.multiValued && !path.filter) return removeWithValue(w, o, path, target, at);
    if (target && (path.filter || target.kind === 'value')) {
      w.rewrite({
        code: 'remove-value-ignored',
        what: `remove of "${o.path}" carries "value": ${show(o.value)}; the path alone selects what is removed, so the value is ignored`,
        fix: 'leave "value" out of remove operations',
        at: keyAt(at, 'value'),
      });
      o = without(o, 'value');
    }
    return [o];
  }

  if (!hasValue || !schema) return [o];
  if (path) {
    if (!target) return [o];
    const parent = target.kind === 'value' && target.isSub && !path.filter ? emptyValueOf(schema, path, o.value) : undefined;
    if (parent !== undefined) {
      // {"op":"replace","path":"urn:...:manager.value","value":""}: the manager's id set to one that names nobody.
      w.rewrite({
        code: 'complex-empty',
        what: `"${name}" of "${String(o.path)}" has "" as its value; "${parent.name}.value" is the id of the resource that "${parent.name}" refers to, and "" names none: the request means to remove "${parent.name}"`,
        fix: `send {"op":"remove","path":${JSON.stringify(parent.path)}} (RFC 7644 section 3.5.2.2)`,
        at: keyAt(at, 'value'),
      });
      return [{ op: 'remove', path: parent.path }];
    }
    if (target.kind === 'value' && emptyComplex(target.def, o.value)) {
      // Entra ID removes the manager with {"op":"Replace","path":"urn:...:manager","value":""}.
      w.rewrite({
        code: 'complex-empty',
        what: `"${name}" of "${String(o.path)}" has ${show(o.value)} as its value; "${target.name}" is complex and its "value" names a resource, which "" does not: the request means to remove it`,
        fix: `send {"op":"remove","path":${JSON.stringify(o.path)}} (RFC 7644 section 3.5.2.2)`,
        at: keyAt(at, 'value'),
      });
      return [{ op: 'remove', path: o.path }];
    }
    if (name === 'add' && target.kind === 'value' && typeof o.value === 'string' && isMemberList(target.def)) {
      // Conformance tools send {"op":"add","path":"members","value":"<id>"}: one member, named by its id.
      w.rewrite({
        code: 'member-bare-string',
        what: `"add" of "${target.name}" has the string ${show(o.value)} as its value; members are added as an array of objects`,
        fix: `send "value": [{"value": ${show(o.value)}}]`,
        at: keyAt(at, 'value'),
      });
      setOwn(o, 'value', [{ value: o.value }]);
      return [o];
    }
    // An add to a single-valued complex attribute ("name") merges the sub-attributes it carries (RFC 7644 3.5.2.1):
    // the RFC's own shape, not a replace in disguise.
    if (name === 'add' && target.kind === 'value' && !target.def.multiValued && target.def.type !== 'complex') {
      w.add({
        code: 'add-single-valued',
        what: `"add" targets the single-valued attribute "${target.name}"; the RFC treats it as a replace`,
        fix: 'send "replace" to make the intent explicit',
        at: keyAt(at, 'op'),
      });
    }
    const valueAt = keyAt(at, 'value');
    if (target.kind === 'extension') {
      if (isPlainObject(o.value)) {
        // {"op":"replace","path":"urn:...:enterprise:2.0:User","value":{"manager":""}}
        const mode: PatchMode = { kind: 'patch', op: name, cleared: [] };
        let value: Bag = o.value;
        for (const key of Object.keys(o.value)) {
          const def = FORBIDDEN_KEYS.has(key) ? undefined : findAttribute(target.extension.attributes, key);
          if (def && clearedInBody(w, mode, def, `${target.extension.id}:${def.name}`, o.value[key], keyAt(valueAt, key))) value = without(value, key);
        }
        setOwn(o, 'value', normaliseComplex(w, target.extension.attributes, value, valueAt, target.extension.id));
        if (mode.cleared.length > 0) return withRemoves(o, value, mode.cleared);
      }
    } else if (target.kind === 'element') {
      const def = target.def;
      setOwn(o, 'value', Array.isArray(o.value) ? o.value.map((v, i) => normaliseElement(w, def, v, `${valueAt}[${i}]`, target.name)) : normaliseElement(w, def, o.value, valueAt, target.name));
    } else {
      setOwn(o, 'value', normaliseValue(w, target.def, o.value, valueAt, target.name));
    }
  } else if (isPlainObject(o.value)) {
    const mode: PatchMode = { kind: 'patch', op: name, cleared: [] };
    if (resourceId !== undefined) mode.resourceId = resourceId;
    const value = normaliseAttributes(w, schema, o.value, keyAt(at, 'value'), mode);
    setOwn(o, 'value', value);
    if (mode.cleared.length > 0) return withRemoves(o, value, mode.cleared);
  }
  return [o];
}

/**
 * An add or replace whose value cleared attributes (complex-empty): the operation without them (dropped when nothing
 * is left to set), followed by one remove per cleared attribute.
 */
function withRemoves(o: Bag, value: Bag, cleared: readonly string[]): unknown[] {
  const removes = cleared.map((path) => ({ op: 'remove', path }));
  return Object.keys(value).length === 0 ? removes : [o, ...removes];
}

/**
 * A path to the "value" sub-attribute of a single-valued complex attribute that has one (manager.value), given "":
 * the complex attribute's path and name. Undefined for anything else.
 */
function emptyValueOf(schema: ResourceSchema, path: PatchPath, value: unknown): { path: string; name: string } | undefined {
  if (value !== '' || path.subAttribute !== undefined) return undefined;
  const resolved = schema.resolve(path.attributePath);
  if (!resolved?.subAttribute || lower(resolved.subAttribute.name) !== 'value' || !emptyComplex(resolved.attribute, '')) return undefined;
  const dot = path.attributePath.lastIndexOf('.');
  if (dot < 0) return undefined;
  return { path: path.attributePath.slice(0, dot), name: resolved.attribute.name };
}

/** Entra ID's `{"op":"Remove","path":"members","value":[{"value":"<id>"}]}` -> one filtered remove per value. */
function removeWithValue(w: Findings, o: Bag, path: PatchPath, target: Extract<Target, { kind: 'value' }>, at: string): unknown[] {
  const elements = Array.isArray(o.value) ? o.value : [o.value];
  const filters = elements.map((el) => elementFilter(target.def, el));
  const fixable = filters.length > 0 && filters.every((f): f is string => f !== undefined);
  const example = fixable ? `{"op":"remove","path":${JSON.stringify(`${path.attributePath}[${filters[0]}]`)}}` : `{"op":"remove","path":"${path.attributePath}[value eq \\"<value>\\"]"}`;
  const finding: Finding = {
    code: 'remove-with-value',
    what: `remove of the whole multi-valued attribute "${o.path}" carries "value": ${show(o.value)}; a remove has no value, so an RFC server removes every value of "${target.name}"`,
    fix: `select the values with a filter, one remove per value: ${example}`,
    at: keyAt(at, 'value'),
  };
  if (!fixable) {
    finding.unfixable = true;
    finding.what += elements.length === 0 ? ' (the value array is empty)' : ' (and not every element names a value to filter on)';
  }
  if (!fixable) {
    w.add(finding);
    return [o];
  }
  w.rewrite(finding);
  // Marked: the client sent no filter, so a target that refuses filtered paths (GitHub) still takes it.
  return (filters as string[]).map((f) => markRewritten({ op: 'remove', path: `${path.attributePath}[${f}]` }));
}

/**
 * "" (or {"value": ""} alone) given to a single-valued complex attribute that has a "value" sub-attribute (the
 * enterprise manager): a value that names nothing, sent to clear the attribute.
 */
function emptyComplex(def: AttributeDef, value: unknown): boolean {
  if (def.type !== 'complex' || def.multiValued || !findAttribute(def.subAttributes, 'value')) return false;
  if (value === '') return true;
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  const valueKey = keys.find((k) => lower(k) === 'value');
  if (valueKey === undefined || value[valueKey] !== '') return false;
  // Beside {"value": ""}, only sub-attributes that add nothing: Entra ID's "$ref": null (null is unassigned, RFC 7643
  // 2.5), another "", or a readOnly one the server ignores in a request ("displayName"). Anything else is a value the
  // client sets, left to the core.
  return keys.every((k) => {
    if (k === valueKey) return true;
    const sub = FORBIDDEN_KEYS.has(k) ? undefined : findAttribute(def.subAttributes, k);
    return sub !== undefined && (value[k] === null || value[k] === '' || sub.mutability === 'readOnly');
  });
}

/**
 * An add or replace whose path puts a value filter on a single-valued complex attribute
 * (`urn:...:manager[value eq ""]`): refused under every profile (RFC 7644 3.5.2: value filters select values of
 * multi-valued attributes). A remove drops the filter (unfilterSingleValued); in an add or replace the filter is a
 * condition on the stored value that the rewrite cannot check, so it is not dropped. The value is not linted: the
 * path is what is wrong. Returns true when it recorded the finding.
 */
function filteredSingleValued(w: Findings, schema: ResourceSchema, o: Bag, path: PatchPath, op: 'add' | 'replace', at: string): boolean {
  if (!path.filter) return false;
  const resolved = schema.resolve(path.attributePath);
  if (!resolved || resolved.subAttribute || resolved.attribute.multiValued || resolved.attribute.type !== 'complex') return false;
  const name = resolved.attribute.name;
  const clears = Object.hasOwn(o, 'value') && (o.value === null || (path.subAttribute === undefined ? emptyComplex(resolved.attribute, o.value) : o.value === ''));
  const unfiltered = `${path.attributePath}${path.subAttribute !== undefined ? `.${path.subAttribute}` : ''}`;
  w.add({
    code: 'filter-on-single-valued',
    what: `"${String(o.path)}" puts a value filter on "${name}", which has a single value; value filters select values of a multi-valued complex attribute such as emails or members, and in ${op === 'add' ? 'an add' : 'a replace'} the filter is a condition on the stored value that cannot be dropped`,
    fix: clears
      ? `to remove "${name}", send {"op":"remove","path":${JSON.stringify(path.attributePath)}} (RFC 7644 section 3.5.2.2)`
      : `send "path": ${JSON.stringify(unfiltered)}${name === 'manager' && path.subAttribute === undefined ? ' with "value": {"value": "<id of the manager>"}' : ''}`,
    at,
    unfixable: true,
  });
  return true;
}

/** A list of members: multi-valued, complex, its elements identified by an immutable "value" (Group.members). */
function isMemberList(def: AttributeDef): boolean {
  return def.type === 'complex' && def.multiValued && findAttribute(def.subAttributes, 'value')?.mutability === 'immutable';
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/** `value eq "<id>"` for an element object (or `a eq .. and b eq ..` when it has no value). */
function elementFilter(def: AttributeDef, element: unknown): string | undefined {
  if (def.type !== 'complex') return undefined;
  const subs = def.subAttributes ?? [];
  if (typeof element === 'string' && findAttribute(subs, 'value')) return `value eq ${JSON.stringify(element)}`;
  if (!isPlainObject(element)) return undefined;
  const valueKey = Object.keys(element).find((k) => lower(k) === 'value');
  if (valueKey !== undefined && isScalar(element[valueKey])) return `value eq ${JSON.stringify(element[valueKey])}`;
  const parts: string[] = [];
  for (const [key, v] of Object.entries(element)) {
    const sub = findAttribute(subs, key);
    if (!sub || sub.name === '$ref' || !isScalar(v)) continue;
    parts.push(`${sub.name} eq ${JSON.stringify(v)}`);
  }
  return parts.length > 0 ? parts.join(' and ') : undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Resources and values

/** A path-less add or replace value; `cleared` collects the paths of the attributes its complex-empty values clear. */
type PatchMode = { kind: 'patch'; op: 'add' | 'replace'; resourceId?: string; cleared: string[] };
type Mode = { kind: 'resource'; method: 'POST' | 'PUT' } | PatchMode;

/**
 * complex-empty inside a resource-level object (a POST / PUT body, a path-less PATCH value, or the value of a PATCH
 * whose path is an extension): "" or {"value": ""} for a single-valued complex attribute with a "value" sub-attribute
 * (the enterprise manager) means "none". Records the finding and returns true when the caller is to leave the key
 * out: absent in a POST, removed by a PUT, and in a PATCH removed by a remove operation that the caller appends.
 * `path` is the attribute's full path ("urn:...:enterprise:2.0:User:manager").
 */
function clearedInBody(w: Findings, mode: Mode, def: AttributeDef, path: string, value: unknown, at: string): boolean {
  if (!emptyComplex(def, value)) return false;
  const names = `"${def.name}" is complex and its "value" names a resource, which "" does not`;
  if (mode.kind === 'patch') {
    w.rewrite({
      code: 'complex-empty',
      what: `the ${mode.op} value sets "${path}" to ${show(value)}; ${names}: the request means to remove it`,
      fix: `leave "${def.name}" out of the ${mode.op} value and send {"op":"remove","path":${JSON.stringify(path)}} as an operation of its own (RFC 7644 section 3.5.2.2)`,
      at,
    });
    mode.cleared.push(path);
  } else {
    w.rewrite({
      code: 'complex-empty',
      what: `the ${mode.method} body sets "${path}" to ${show(value)}; ${names}: the request means the resource to have no "${def.name}"`,
      fix: mode.method === 'PUT' ? `leave "${def.name}" out of the body: a PUT without it removes it (RFC 7644 section 3.5.1)` : `leave "${def.name}" out of the body (RFC 7643 section 2.5: an unassigned attribute is omitted)`,
      at,
    });
  }
  return true;
}

function normaliseResource(w: Findings, schema: ResourceSchema, body: Bag, method: 'POST' | 'PUT', at: string): Bag {
  return normaliseAttributes(w, schema, body, at, { kind: 'resource', method });
}

interface Expansion {
  key: string;
  resolved: ResolvedAttribute;
  value: unknown;
  at: string;
}

/**
 * One resource-level object: a POST/PUT body or a path-less PATCH value. Core attributes at the top level,
 * extension attributes under their URN key; dotted and URN-qualified keys are expanded into that shape.
 */
function normaliseAttributes(w: Findings, schema: ResourceSchema, input: Bag, at: string, mode: Mode): Bag {
  const out: Bag = {};
  const expansions: Expansion[] = [];
  for (const key of Object.keys(input)) {
    const v = input[key];
    if (FORBIDDEN_KEYS.has(key)) {
      setOwn(out, key, v);
      continue;
    }
    const lk = lower(key);
    const where = keyAt(at, key);
    if (lk === 'schemas' && mode.kind === 'resource') {
      if (key !== 'schemas') caseFinding(w, key, 'schemas', where);
      setOwn(out, key, normaliseResourceSchemas(w, schema, v, where));
      continue;
    }
    if (lk.startsWith('urn:')) {
      const extension = schema.extension(key);
      if (extension) {
        if (!isPlainObject(v)) {
          setOwn(out, key, v);
          continue;
        }
        const ext = normaliseExtension(w, schema, extension, v, where, expansions, mode);
        // An extension object whose only attributes were cleared is left out with them.
        if (Object.keys(ext).length > 0 || Object.keys(v).length === 0) setOwn(out, key, ext);
        continue;
      }
      const resolved = schema.resolve(key);
      if (resolved) expansions.push({ key, resolved, value: v, at: where });
      else setOwn(out, key, v);
      continue;
    }
    if (key.includes('.')) {
      const resolved = schema.resolve(key);
      if (resolved?.subAttribute) expansions.push({ key, resolved, value: v, at: where });
      else setOwn(out, key, v);
      continue;
    }
    const def = findAttribute(schema.coreAttributes, key);
    if (!def) {
      setOwn(out, key, v);
      continue;
    }
    if (def.name !== key) caseFinding(w, key, def.name, where);
    if (mode.kind === 'resource' && mode.method === 'POST' && def.mutability === 'readOnly') {
      w.add({
        code: 'readonly-ignored',
        what: `"${def.name}" is readOnly; the server ignores it in a POST body`,
        fix: `leave "${def.name}" out when creating a resource`,
        at: where,
      });
    }
    if (mode.kind === 'patch' && def.name === 'id' && mode.resourceId !== undefined && v === mode.resourceId) {
      w.rewrite({
        code: 'patch-readonly',
        what: `the path-less ${mode.op} value repeats "id": ${show(v)}; "id" is readOnly and a PATCH MUST NOT set it`,
        fix: 'leave "id" out of the value',
        at: where,
      });
      continue;
    }
    if (clearedInBody(w, mode, def, def.name, v, where)) continue;
    setOwn(out, key, normaliseValue(w, def, v, where, def.name));
  }
  for (const e of expansions) expand(w, out, e, mode);
  return out;
}

/** An extension object: its attributes, and dotted keys inside it ("manager.value"). */
function normaliseExtension(w: Findings, schema: ResourceSchema, extension: SchemaDef, input: Bag, at: string, expansions: Expansion[], mode: Mode): Bag {
  const out: Bag = {};
  for (const key of Object.keys(input)) {
    const v = input[key];
    const where = keyAt(at, key);
    if (!FORBIDDEN_KEYS.has(key) && key.includes('.')) {
      const resolved = schema.resolve(`${extension.id}:${key}`);
      if (resolved?.subAttribute) {
        expansions.push({ key, resolved, value: v, at: where });
        continue;
      }
    }
    const def = FORBIDDEN_KEYS.has(key) ? undefined : findAttribute(extension.attributes, key);
    if (!def) {
      setOwn(out, key, v);
      continue;
    }
    if (def.name !== key) caseFinding(w, key, def.name, where);
    if (clearedInBody(w, mode, def, `${extension.id}:${def.name}`, v, where)) continue;
    setOwn(out, key, normaliseValue(w, def, v, where, `${extension.id}:${def.name}`));
  }
  return out;
}

function dottedRfc(mode: Mode, urnKey: boolean): string {
  if (mode.kind === 'patch') return mode.op === 'add' ? 'RFC 7644 3.5.2.1' : 'RFC 7644 3.5.2.3';
  return urnKey ? 'RFC 7643 3.3' : 'RFC 7643 2.1';
}

/** Moves a dotted / URN-qualified key's value to where the RFC puts it. */
function expand(w: Findings, out: Bag, e: Expansion, mode: Mode): void {
  const { resolved } = e;
  const attr = resolved.attribute;
  const sub = resolved.subAttribute;
  const leafName = sub ? `${attr.name}.${sub.name}` : attr.name;
  const inner = sub ? `{"${attr.name}":{"${sub.name}":...}}` : `{"${attr.name}":...}`;
  const nested = resolved.inExtension ? `{"${resolved.schemaId}":${inner}}` : inner;
  // "urn:...:User:manager": "" (or "...:manager.value": ""): complex-empty, the key's whole meaning; no dotted-keys.
  const fullPath = resolved.inExtension ? `${resolved.schemaId}:${attr.name}` : attr.name;
  if (!sub && clearedInBody(w, mode, attr, fullPath, e.value, e.at)) return;
  if (sub && lower(sub.name) === 'value' && e.value === '' && clearedInBody(w, mode, attr, fullPath, { value: '' }, e.at)) return;
  const urnKey = lower(e.key).startsWith('urn:');
  const finding: Finding = {
    code: 'dotted-keys',
    rfc: dottedRfc(mode, urnKey),
    what: `${mode.kind === 'patch' ? `the path-less ${mode.op} value` : 'the resource'} has the key "${e.key}", an attribute path; keys must be attribute names, with sub-attributes nested in their complex attribute and extension attributes inside the extension's URN object`,
    fix: `send ${nested}`,
    at: e.at,
  };
  const fail = (why: string) => {
    finding.unfixable = true;
    finding.what += ` (${why})`;
    w.add(finding);
    setOwn(out, e.key, e.value);
  };

  let container = out;
  if (resolved.inExtension) {
    const extKey = findKey(out, resolved.schemaId) ?? resolved.schemaId;
    const existing = out[extKey];
    if (existing === undefined || existing === null) {
      container = {};
      setOwn(out, extKey, container);
    } else if (isPlainObject(existing)) {
      container = copy(existing);
      setOwn(out, extKey, container);
    } else {
      return fail(`"${extKey}" is also given, and is not an object`);
    }
  }
  const attrKey = findKey(container, attr.name) ?? attr.name;
  if (!sub) {
    w.rewrite(finding);
    setOwn(container, attrKey, normaliseValue(w, attr, e.value, e.at, leafName));
    return;
  }
  if (attr.multiValued) {
    return fail(`"${attr.name}" is multi-valued, so "${e.key}" does not say which value to change; use a PATCH path with a value filter, e.g. "${attr.name}[type eq \\"work\\"].${sub.name}"`);
  }
  const existing = container[attrKey];
  let target: Bag;
  if (existing === undefined || existing === null) {
    target = {};
    setOwn(container, attrKey, target);
  } else if (isPlainObject(existing)) {
    target = copy(existing);
    setOwn(container, attrKey, target);
  } else {
    return fail(`"${attrKey}" is also given, and is not an object`);
  }
  w.rewrite(finding);
  setOwn(target, findKey(target, sub.name) ?? sub.name, normaliseValue(w, sub, e.value, e.at, leafName));
}

function normaliseResourceSchemas(w: Findings, schema: ResourceSchema, value: unknown, at: string): unknown {
  if (!Array.isArray(value)) return value;
  const known = [schema.core.id, ...schema.extensions.map((x) => x.id)];
  const kept = value.filter((s) => {
    if (typeof s !== 'string' || schema.knowsSchema(s)) return true;
    w.rewrite({
      code: 'extra-schema-urn',
      what: `"schemas" lists ${show(s, 120)}, which is not a schema of the ${schema.name} resource type; "schemas" names only the schemas of the attributes present (${known.join(', ')})`,
      fix: `remove ${show(s, 120)} from "schemas"`,
      at,
    });
    return false;
  });
  return kept.length === value.length ? value : kept;
}

function caseFinding(w: Findings, written: string, canonical: string, at: string): void {
  w.add({
    code: 'attribute-case',
    what: `attribute "${written}" is spelled "${canonical}" in the schema; names are case-insensitive, so it was accepted`,
    fix: `send "${canonical}"`,
    at,
  });
}

function unqualifiedFinding(w: Findings, written: string, schemaId: string, at: string): void {
  w.add({
    code: 'extension-unqualified',
    what: `"${written}" names an attribute of the extension ${schemaId} without its URN; it was resolved because no other schema of the resource type has an attribute of that name`,
    fix: `send "${schemaId}:${written}"`,
    at,
  });
}

/** Types whose values the linter never rewrites (no string form of them is a known quirk). */
const PLAIN_TYPES: ReadonlySet<string> = new Set(['string', 'reference', 'binary', 'dateTime']);

/**
 * A value of an attribute: an array for multi-valued attributes, else one value. Copy-on-write: returns the
 * value itself when nothing in it changes (a 100,000-member group costs no copies).
 */
function normaliseValue(w: Findings, def: AttributeDef, value: unknown, at: string, name: string): unknown {
  if (PLAIN_TYPES.has(def.type)) return value;
  if (def.multiValued && Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v = value[i];
      const next = normaliseElement(w, def, v, `${at}[${i}]`, name);
      if (next !== v && !out) out = value.slice(0, i);
      if (out) out.push(next);
    }
    return out ?? value;
  }
  if (Array.isArray(value)) return value; // an array for a single-valued attribute: the core rejects it
  return normaliseElement(w, def, value, at, name);
}

const INTEGER = /^[+-]?\d{1,15}$/;
const DECIMAL = /^[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** One value of the attribute's type (an element, for a multi-valued attribute). */
function normaliseElement(w: Findings, def: AttributeDef, value: unknown, at: string, name: string): unknown {
  switch (def.type) {
    case 'complex':
      if (typeof value === 'string' && findAttribute(def.subAttributes, 'value')) {
        w.rewrite({
          code: 'complex-as-string',
          what: `"${name}" is complex, but the request has the string ${show(value)}`,
          fix: `send {"value": ${show(value)}}`,
          at,
        });
        return { value };
      }
      return isPlainObject(value) ? normaliseComplex(w, def.subAttributes ?? [], value, at, name) : value;
    case 'boolean':
      if (typeof value === 'string' && /^(true|false)$/i.test(value)) {
        const b = lower(value) === 'true';
        w.rewrite({
          code: 'boolean-string',
          what: `"${name}" is a boolean, but the request has the string ${show(value)}`,
          fix: `send the JSON literal ${b}`,
          at,
        });
        return b;
      }
      return value;
    case 'integer':
    case 'decimal':
      if (typeof value === 'string' && (def.type === 'integer' ? INTEGER : DECIMAL).test(value.trim())) {
        const n = Number(value.trim());
        if (!Number.isFinite(n)) return value;
        w.rewrite({
          code: 'number-string',
          rfc: def.type === 'integer' ? 'RFC 7643 2.3.4' : 'RFC 7643 2.3.3',
          what: `"${name}" is ${def.type === 'integer' ? 'an integer' : 'a decimal'}, but the request has the string ${show(value)}`,
          fix: `send the JSON number ${n}`,
          at,
        });
        return n;
      }
      return value;
    default:
      return value;
  }
}

/** The sub-attributes of a complex value (or the attributes of an extension object). */
function normaliseComplex(w: Findings, defs: readonly AttributeDef[], input: Bag, at: string, name: string): Bag {
  let out: Bag | undefined;
  const keys = Object.keys(input);
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k]!;
    const v = input[key];
    const def = FORBIDDEN_KEYS.has(key) ? undefined : attributeNamed(defs, key);
    let next = v;
    let drop = false;
    if (def) {
      if (def.name !== key) caseFinding(w, key, def.name, keyAt(at, key));
      if (def.name === '$ref' && v === null) {
        w.rewrite({
          code: 'ref-null',
          what: `"${name}.$ref" is null; null means unassigned (legal), and the server computes "$ref" itself`,
          fix: 'leave "$ref" out',
          at: keyAt(at, key),
        });
        drop = true;
      } else if (!PLAIN_TYPES.has(def.type)) {
        next = normaliseValue(w, def, v, keyAt(at, key), `${name}.${def.name}`);
      }
    }
    if (!out && (drop || next !== v)) {
      out = {};
      for (let j = 0; j < k; j++) setOwn(out, keys[j]!, input[keys[j]!]);
    }
    if (out && !drop) setOwn(out, key, next);
  }
  return out ?? input;
}

/** findAttribute with an exact-name fast path. */
function attributeNamed(defs: readonly AttributeDef[], key: string): AttributeDef | undefined {
  for (let i = 0; i < defs.length; i++) if (defs[i]!.name === key) return defs[i];
  return findAttribute(defs, key);
}

// ---------------------------------------------------------------------------------------------------------
// Filters and paths

/** The parser's warning text as a clause: no leading capital, no final period. */
function lintText(s: string): string {
  const t = s.endsWith('.') ? s.slice(0, -1) : s;
  return t.replace(/^The /, 'the ');
}

/**
 * Parses a filter leniently. Returns the re-serialised filter when it had unquoted string values (else undefined);
 * records filter-unquoted and attribute-case findings. An invalid filter is left for the SCIM routes to reject.
 */
function normaliseFilterText(w: Findings, schema: ResourceSchema | undefined, text: string, at: string): string | undefined {
  const warnings: FilterWarning[] = [];
  let ast: FilterNode;
  try {
    ast = parseFilterCached(text, { allowUnquotedStrings: true, onWarning: (x) => warnings.push(x) });
  } catch {
    return undefined;
  }
  if (schema) checkFilterCase(w, schema, ast, undefined, at);
  if (warnings.length === 0) return undefined;
  const rewritten = formatFilter(ast);
  for (const x of warnings) w.rewrite({ code: 'filter-unquoted', what: lintText(x.detail), fix: `send ${rewritten}`, at });
  return rewritten;
}

/** attribute-case findings for every attribute path of a filter; `parent` is the attribute of an enclosing [..]. */
function checkFilterCase(w: Findings, schema: ResourceSchema, node: FilterNode, parent: AttributeDef | undefined, at: string): void {
  switch (node.type) {
    case 'comparison':
    case 'present':
      checkAttributePathCase(w, schema, node.path, parent, at);
      return;
    case 'valuePath': {
      const def = checkAttributePathCase(w, schema, node.path, parent, at);
      if (def) checkFilterCase(w, schema, node.filter, def, at);
      return;
    }
    case 'not':
      checkFilterCase(w, schema, node.filter, parent, at);
      return;
    case 'and':
    case 'or':
      checkFilterCase(w, schema, node.left, parent, at);
      checkFilterCase(w, schema, node.right, parent, at);
  }
}

function checkAttributePathCase(w: Findings, schema: ResourceSchema, path: AttributePath, parent: AttributeDef | undefined, at: string): AttributeDef | undefined {
  let def: AttributeDef | undefined;
  if (parent) {
    def = findAttribute(parent.subAttributes, path.attribute);
  } else {
    const resolved = schema.resolve(path.urn ? `${path.urn}:${path.attribute}` : path.attribute);
    def = resolved?.attribute;
    if (resolved?.inExtension && !path.urn) unqualifiedFinding(w, path.attribute, resolved.schemaId, at);
  }
  if (!def) return undefined;
  if (def.name !== path.attribute) caseFinding(w, path.attribute, def.name, at);
  if (path.valueFilter) checkFilterCase(w, schema, path.valueFilter, def, at);
  if (path.subAttribute !== undefined) {
    const sub = findAttribute(def.subAttributes, path.subAttribute);
    if (sub && sub.name !== path.subAttribute) caseFinding(w, path.subAttribute, sub.name, at);
  }
  return def;
}

function checkPatchPathCase(w: Findings, schema: ResourceSchema, path: PatchPath, at: string): void {
  const resolved = schema.resolve(path.attributePath);
  if (!resolved) return;
  const split = lower(path.attributePath).startsWith('urn:') ? schema.splitUrn(path.attributePath) : undefined;
  const written = split ? split.rest : path.attributePath;
  const dot = written.indexOf('.');
  const writtenAttr = dot < 0 ? written : written.slice(0, dot);
  if (writtenAttr !== resolved.attribute.name) caseFinding(w, writtenAttr, resolved.attribute.name, at);
  if (resolved.inExtension && !split) unqualifiedFinding(w, writtenAttr, resolved.schemaId, at);
  if (resolved.subAttribute && dot >= 0 && written.slice(dot + 1) !== resolved.subAttribute.name) {
    caseFinding(w, written.slice(dot + 1), resolved.subAttribute.name, at);
  }
  if (path.filter) checkFilterCase(w, schema, path.filter, resolved.attribute, at);
  if (path.subAttribute !== undefined) {
    const sub = findAttribute(resolved.attribute.subAttributes, path.subAttribute);
    if (sub && sub.name !== path.subAttribute) caseFinding(w, path.subAttribute, sub.name, at);
  }
}

/** The rfc of a finding: its own, or the quirk table's. */
export function findingRfc(finding: Finding): string {
  return finding.rfc ?? QUIRK_BY_CODE.get(finding.code)?.rfc ?? 'RFC 7644';
}
