/**
 * Attribute projection (RFC 7644 section 3.9 and RFC 7643 section 7 "returned"): which attributes a response
 * carries, given `attributes` / `excludedAttributes` and each attribute's `returned` characteristic.
 */
import { isPlainObject, type ResourceSchema } from './attributes.js';
import type { AttributeDef } from './schemas/types.js';
import type { Resource } from './validate.js';

export interface ProjectionRequest {
  attributes?: readonly string[];
  excludedAttributes?: readonly string[];
}

/** Per container ("" = core and common attributes, else an extension URN): attribute -> whole, or some sub-attributes. */
type Selection = Map<string, Map<string, 'all' | Set<string>>>;

/** Splits a comma-separated `attributes` / `excludedAttributes` parameter. */
export function parseAttributeList(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  return items.length ? items : undefined;
}

/** A precomputed projection for one resource type and one request; apply it to each resource. */
export class Projection {
  private readonly included?: Selection;
  private readonly excluded?: Selection;
  /** Equal for projections built from equal requests (a cache key). */
  readonly key: string;

  constructor(private readonly schema: ResourceSchema, request: ProjectionRequest = {}) {
    // When both are given, `attributes` wins: RFC 7644 says they are not to be used together.
    if (request.attributes?.length) {
      this.included = select(schema, request.attributes);
      this.key = `a${JSON.stringify(request.attributes)}`;
    } else if (request.excludedAttributes?.length) {
      this.excluded = select(schema, request.excludedAttributes);
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
        continue;
      }
      const def = this.schema.coreAttribute(key);
      if (!def) continue;
      const projected = this.attribute(def, value, '');
      if (projected !== undefined) out[key] = projected;
    }
    return out;
  }

  private level(defs: readonly AttributeDef[], container: Record<string, unknown>, containerKey: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const def of defs) {
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
    if (this.included) {
      if (!inc) return undefined;
      return this.subAttributes(def, value, inc === 'all' ? undefined : inc, undefined);
    }
    if (def.returned === 'request') return undefined;
    if (exc === 'all') return undefined;
    return this.subAttributes(def, value, undefined, exc);
  }

  /** Applies the sub-attribute rules of a complex attribute (single- or multi-valued). */
  private subAttributes(def: AttributeDef, value: unknown, only: Set<string> | undefined, except: Set<string> | undefined): unknown {
    if (def.type !== 'complex' || !def.subAttributes) return value;
    const subs = def.subAttributes;
    const one = (element: unknown) => {
      if (!isPlainObject(element)) return element;
      const out: Record<string, unknown> = {};
      for (const sub of subs) {
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

function select(schema: ResourceSchema, paths: readonly string[]): Selection {
  const selection: Selection = new Map();
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
    const whole = path.toLowerCase().startsWith('urn:') ? schema.splitUrn(path) : undefined;
    if (whole && whole.rest === '' && whole.schema.id !== schema.core.id) {
      for (const def of whole.schema.attributes) add(whole.schema.id, def.name.toLowerCase(), undefined);
      continue;
    }
    const resolved = schema.resolve(path);
    if (!resolved) continue; // RFC 7644 does not make unknown names an error; they select nothing.
    add(resolved.inExtension ? resolved.schemaId : '', resolved.attribute.name.toLowerCase(), resolved.subAttribute?.name.toLowerCase());
  }
  return selection;
}
