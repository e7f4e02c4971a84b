/**
 * Attribute projection (RFC 7644 section 3.9 and RFC 7643 section 7 "returned"): which attributes a response
 * carries, given `attributes` / `excludedAttributes` and each attribute's `returned` characteristic.
 *
 * RFC 7644 section 3.4.2.5 allows attribute names only, but clients (Microsoft's test collection) also send a value
 * filter: `attributes=emails[type eq "work"]` keeps only the matching values, `excludedAttributes=emails[type eq
 * "work"]` drops them, and `emails[type eq "work"].value` narrows that to one sub-attribute. Whether a request may
 * use them is the profile layer's decision (attribute-value-filter); the projection applies them.
 */
import { isPlainObject, type ResourceSchema } from './attributes.js';
import { badRequest } from './errors.js';
import { compileFilter, parsePatchPath, type FilterNode } from './filter/index.js';
import type { AttributeDef, SchemaDef } from './schemas/types.js';
import type { Resource } from './validate.js';

export interface ProjectionRequest {
  attributes?: readonly string[];
  excludedAttributes?: readonly string[];
}

/** Per container ("" = core and common attributes, else an extension URN): attribute -> whole, or some sub-attributes. */
type Selection = Map<string, Map<string, 'all' | Set<string>>>;

/** A test on one value of a multi-valued attribute, from a value filter in the list. */
type ElementTest = (element: Record<string, unknown>) => boolean;

/** The value filters of one attribute: which values they select, and the sub-attribute (if any) they name. */
interface ElementRule {
  test: ElementTest;
  sub?: string;
}

/** Per container and attribute, the value filters of the list; `unfiltered` when the attribute is also named plainly. */
type ElementRules = Map<string, Map<string, { rules: ElementRule[]; unfiltered: boolean }>>;

/**
 * Splits a comma-separated `attributes` / `excludedAttributes` parameter. Commas inside a value filter
 * (`emails[value ew ",x"]`) do not split.
 */
export function parseAttributeList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = splitAttributeList(value).map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

/** The items of a comma-separated attribute list, with brackets and quoted strings kept whole. */
export function splitAttributeList(text: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      items.push(text.slice(start, i));
      start = i + 1;
    }
  }
  items.push(text.slice(start));
  return items;
}

/** True when an attribute list item carries a value filter (RFC 7644 3.4.2.5 allows attribute names only). */
export const hasValueFilter = (item: string): boolean => item.includes('[');

/** A precomputed projection for one resource type and one request; apply it to each resource. */
export class Projection {
  private readonly included?: Selection;
  private readonly excluded?: Selection;
  private readonly rules: ElementRules = new Map();
  /** Equal for projections built from equal requests (a cache key). */
  readonly key: string;

  constructor(private readonly schema: ResourceSchema, request: ProjectionRequest = {}) {
    // When both are given, `attributes` wins: RFC 7644 says they are not to be used together.
    if (request.attributes?.length) {
      this.included = select(schema, request.attributes, this.rules, true);
      this.key = `a${JSON.stringify(request.attributes)}`;
    } else if (request.excludedAttributes?.length) {
      this.excluded = select(schema, request.excludedAttributes, this.rules, false);
      this.key = `x${JSON.stringify(request.excludedAttributes)}`;
    } else this.key = '';
  }

  /**
   * Whether any part of a top-level core attribute can appear in the output: lets callers skip computing
   * attributes that would be dropped (the members of a large group under excludedAttributes=members).
   */
  mayInclude(attributeName: string): boolean {
    const def = this.schema.coreAttribute(attributeName);
    if (!def || def.returned === 'never') return false;
    if (def.returned === 'always') return true;
    const name = def.name.toLowerCase();
    if (this.included) return this.included.get('')?.has(name) ?? false;
    if (def.returned === 'request') return false;
    return this.excluded?.get('')?.get(name) !== 'all';
  }

  apply(resource: Resource): Resource {
    const out: Resource = {};
    let droppedExtension = false;
    for (const [key, value] of Object.entries(resource)) {
      if (key === 'schemas') {
        out.schemas = value;
        continue;
      }
      const ext = key.startsWith('urn:') ? this.schema.extension(key) : undefined;
      if (ext) {
        if (!isPlainObject(value)) continue;
        const projected = this.level(ext.attributes, value, key);
        if (Object.keys(projected).length) out[key] = projected;
        else droppedExtension = true;
        continue;
      }
      const def = this.schema.coreAttribute(key);
      if (!def) continue;
      const projected = this.attribute(def, value, '');
      if (projected !== undefined) out[key] = projected;
    }
    // RFC 7643 section 3: `schemas` names the extensions the representation holds. An extension whose attributes
    // the projection removed (asked away, or all "returned" never or request) leaves the list, as it does from a
    // resource stored without them.
    if (droppedExtension && Array.isArray(out.schemas)) {
      const listed = out.schemas as unknown[];
      const held = new Set<SchemaDef | undefined>(Object.keys(out).map((key) => (key.startsWith('urn:') ? this.schema.extension(key) : undefined)));
      const kept = listed.filter((urn) => typeof urn !== 'string' || !this.schema.extension(urn) || held.has(this.schema.extension(urn)));
      if (kept.length !== listed.length) out.schemas = kept;
    }
    return out;
  }

  private level(defs: readonly AttributeDef[], container: Record<string, unknown>, containerKey: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // Indexed loops over schema definitions: they are frozen arrays, and for-of over a frozen array makes an
    // iterator result per element even in optimised code.
    for (let i = 0; i < defs.length; i++) {
      const def = defs[i]!;
      if (container[def.name] === undefined) continue;
      const projected = this.attribute(def, container[def.name], containerKey);
      if (projected !== undefined) out[def.name] = projected;
    }
    return out;
  }

  private attribute(def: AttributeDef, value: unknown, containerKey: string): unknown {
    if (def.returned === 'never') return undefined;
    const name = def.name.toLowerCase();
    const inc = this.included?.get(containerKey)?.get(name);
    const exc = this.excluded?.get(containerKey)?.get(name);
    if (def.returned === 'always') return this.subAttributes(def, value, undefined, undefined);
    const filtered = this.rules.get(containerKey)?.get(name);
    if (filtered && Array.isArray(value)) value = this.filterValues(value, filtered, this.included !== undefined);
    if (this.included) {
      if (!inc) return undefined;
      return this.subAttributes(def, value, inc === 'all' ? undefined : inc, undefined);
    }
    if (def.returned === 'request') return undefined;
    if (exc === 'all') return undefined;
    return this.subAttributes(def, value, undefined, exc);
  }

  /**
   * The values of a multi-valued attribute after its value filters: with `attributes`, those that some filter
   * selects (all of them when the attribute is also named plainly); with `excludedAttributes`, without those a
   * filter selects whole, and without the named sub-attribute in those a `filter].sub` selects.
   */
  private filterValues(values: unknown[], filtered: { rules: ElementRule[]; unfiltered: boolean }, including: boolean): unknown[] {
    const isElement = (v: unknown): v is Record<string, unknown> => isPlainObject(v);
    if (including) return filtered.unfiltered ? values : values.filter((v) => isElement(v) && filtered.rules.some((r) => r.test(v)));
    const out: unknown[] = [];
    for (const v of values) {
      if (!isElement(v)) {
        out.push(v);
        continue;
      }
      const hits = filtered.rules.filter((r) => r.test(v));
      if (hits.some((r) => r.sub === undefined)) continue;
      if (hits.length === 0) {
        out.push(v);
        continue;
      }
      const copy = { ...v };
      for (const r of hits) delete copy[r.sub!];
      out.push(copy);
    }
    return out;
  }

  /** Applies the sub-attribute rules of a complex attribute (single- or multi-valued). */
  private subAttributes(def: AttributeDef, value: unknown, only: Set<string> | undefined, except: Set<string> | undefined): unknown {
    if (def.type !== 'complex' || !def.subAttributes) return value;
    const subs = def.subAttributes;
    const one = (element: unknown) => {
      if (!isPlainObject(element)) return element;
      const out: Record<string, unknown> = {};
      for (let i = 0; i < subs.length; i++) {
        const sub = subs[i]!;
        if (element[sub.name] === undefined || sub.returned === 'never') continue;
        const key = sub.name.toLowerCase();
        const keep =
          sub.returned === 'always' ||
          (only ? only.has(key) : sub.returned !== 'request' && !except?.has(key));
        if (keep) out[sub.name] = element[sub.name];
      }
      return out;
    };
    if (Array.isArray(value)) {
      const elements = value.map(one).filter((e) => !isPlainObject(e) || Object.keys(e).length > 0);
      return elements.length ? elements : undefined;
    }
    const projected = one(value);
    return isPlainObject(projected) && Object.keys(projected).length === 0 ? undefined : projected;
  }
}

/**
 * The attributes a list names. Value-filtered items go to `rules`; with `attributes` they also select their attribute
 * (or sub-attribute), with `excludedAttributes` they exclude only the values they match.
 */
function select(schema: ResourceSchema, paths: readonly string[], rules: ElementRules, including: boolean): Selection {
  const selection: Selection = new Map();
  const rule = (container: string, attribute: string, entry: ElementRule) => {
    let attrs = rules.get(container);
    if (!attrs) rules.set(container, (attrs = new Map()));
    let current = attrs.get(attribute);
    if (!current) attrs.set(attribute, (current = { rules: [], unfiltered: false }));
    current.rules.push(entry);
  };
  const add = (container: string, attribute: string, sub: string | undefined) => {
    let attrs = selection.get(container);
    if (!attrs) selection.set(container, (attrs = new Map()));
    const current = attrs.get(attribute);
    if (sub === undefined || current === 'all') {
      attrs.set(attribute, 'all');
    } else {
      const subs = current ?? new Set<string>();
      subs.add(sub);
      attrs.set(attribute, subs);
    }
  };
  for (const path of paths) {
    if (hasValueFilter(path)) {
      const filtered = valueFilterItem(schema, path);
      if (!filtered) continue;
      const container = filtered.inExtension ? filtered.schemaId : '';
      if (including) add(container, filtered.attribute, filtered.sub?.toLowerCase());
      rule(container, filtered.attribute, { test: filtered.test, ...(filtered.sub !== undefined ? { sub: filtered.sub } : {}) });
      continue;
    }
    const whole = path.toLowerCase().startsWith('urn:') ? schema.splitUrn(path) : undefined;
    if (whole && whole.rest === '' && whole.schema.id !== schema.core.id) {
      // The extension URN names the extension as a whole, as a complex attribute's name names it: its returned
      // "request" attributes stay out unless named themselves (RFC 7643 section 2.4: "returned in a SCIM query
      // operation only if specified in the attributes parameter"), as a complex attribute's request sub-attributes do.
      // Excluding the URN drops every attribute of it.
      for (const def of whole.schema.attributes) if (!including || def.returned !== 'request') add(whole.schema.id, def.name.toLowerCase(), undefined);
      continue;
    }
    const resolved = schema.resolve(path);
    if (!resolved) continue; // RFC 7644 does not make unknown names an error; they select nothing.
    add(resolved.inExtension ? resolved.schemaId : '', resolved.attribute.name.toLowerCase(), resolved.subAttribute?.name.toLowerCase());
  }
  // A plain name of an attribute that also has value filters selects every value of it.
  for (const path of rules.size > 0 ? paths : []) {
    if (hasValueFilter(path)) continue;
    const resolved = schema.resolve(path);
    if (!resolved) continue;
    const container = resolved.inExtension ? resolved.schemaId : '';
    const entry = rules.get(container)?.get(resolved.attribute.name.toLowerCase());
    if (entry) entry.unfiltered = true;
  }
  return selection;
}

/**
 * One `attr[filter]` or `attr[filter].sub` item: the attribute it names (lower case, as the selection keys it), the
 * sub-attribute, and a test on one value. Undefined when the attribute is not one of this resource type (it selects
 * nothing, like an unknown name). A malformed filter is 400 invalidFilter; a filter on an attribute that is not
 * multi-valued and complex is 400 invalidValue.
 */
function valueFilterItem(schema: ResourceSchema, item: string): { inExtension: boolean; schemaId: string; attribute: string; sub?: string; test: ElementTest } | undefined {
  const parsed = parsePatchPath(item);
  const resolved = schema.resolve(parsed.attributePath);
  if (!resolved) return undefined;
  const def = resolved.attribute;
  if (resolved.subAttribute || !parsed.filter || !def.multiValued || def.type !== 'complex') {
    throw badRequest('invalidValue', `"${item}": a value filter "[...]" selects values of a multi-valued complex attribute such as emails; RFC 7644 section 3.4.2.5 allows attribute names only in "attributes" and "excludedAttributes".`);
  }
  let sub: string | undefined;
  if (parsed.subAttribute !== undefined) {
    const subDef = def.subAttributes?.find((s) => s.name.toLowerCase() === parsed.subAttribute!.toLowerCase());
    if (!subDef) throw badRequest('invalidValue', `"${item}": "${parsed.subAttribute}" is not a sub-attribute of "${def.name}".`);
    sub = subDef.name;
  }
  return { inExtension: resolved.inExtension, schemaId: resolved.schemaId, attribute: def.name.toLowerCase(), ...(sub !== undefined ? { sub } : {}), test: elementTest(schema, resolved.inExtension ? resolved.schemaId : undefined, def, parsed.filter) };
}

/** A predicate on one value of `def`, from the schema-aware filter compiler (one holder object reused per value). */
function elementTest(schema: ResourceSchema, urn: string | undefined, def: AttributeDef, filter: FilterNode): ElementTest {
  const predicate = compileFilter({ type: 'valuePath', path: { attribute: def.name, ...(urn ? { urn } : {}) }, filter }, schema);
  const holder: Record<string, unknown> = {};
  const root: Record<string, unknown> = urn ? { [urn]: holder } : holder;
  return (element) => {
    holder[def.name] = element;
    return predicate(root);
  };
}
