/**
 * Attribute paths (RFC 7644 section 3.10): case-insensitive names, optional URN prefix, optional sub-attribute.
 * Every engine resolves names here, so "USERNAME", "Name.GivenName" and
 * "urn:ietf:params:scim:schemas:core:2.0:User:userName" all land on the same definition.
 */
import type { AttributeDef, ResourceTypeDef, SchemaDef } from './schemas/types.js';
import { isLowerCaseOf } from './strings.js';

export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export interface ResolvedAttribute {
  /** URN of the schema that defines the attribute ("" for the common attributes id, externalId, meta). */
  schemaId: string;
  /** True when the attribute lives under its extension URN key in a resource. */
  inExtension: boolean;
  attribute: AttributeDef;
  subAttribute?: AttributeDef;
  /** Canonical spelling: "name.givenName", "urn:...:enterprise:2.0:User:manager.value". */
  canonicalPath: string;
}

interface TopLevelEntry {
  schemaId: string;
  inExtension: boolean;
  attribute: AttributeDef;
}

const lower = (s: string) => s.toLowerCase();

/** Finds a (sub-)attribute definition by case-insensitive name. */
export function findAttribute(list: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (!list) return undefined;
  const wanted = lower(name);
  // An indexed loop: for-of made an iterator result per element here (the sampling heap profiler saw them).
  for (let i = 0; i < list.length; i++) if (isLowerCaseOf(list[i]!.name, wanted)) return list[i];
  return undefined;
}

/**
 * The schemas of one resource type, indexed for case-insensitive resolution.
 * Built once per resource type; resolution is O(1) in the number of attributes.
 */
export class ResourceSchema {
  readonly coreAttributes: readonly AttributeDef[];
  private readonly topLevel = new Map<string, TopLevelEntry>();
  /**
   * Extension attributes by their name alone (lower case), where no core or common attribute has that name; null
   * where two extensions share it. RFC 7644 3.10: clients MAY omit the core schema's URN and SHOULD (not MUST)
   * qualify extension attributes, so "manager" names the enterprise manager while nothing else is called so.
   */
  private readonly unqualifiedExtension = new Map<string, TopLevelEntry | null>();
  private readonly extensionByUrn = new Map<string, SchemaDef>();
  /** Schema URNs, longest first, so a URN prefix never shadows a longer one. */
  private readonly urnsLongestFirst: string[];

  constructor(
    readonly resourceType: ResourceTypeDef,
    readonly core: SchemaDef,
    readonly extensions: readonly SchemaDef[],
    readonly common: readonly AttributeDef[],
  ) {
    for (const attribute of common) this.topLevel.set(lower(attribute.name), { schemaId: '', inExtension: false, attribute });
    for (const attribute of core.attributes) this.topLevel.set(lower(attribute.name), { schemaId: core.id, inExtension: false, attribute });
    this.coreAttributes = [...common, ...core.attributes];
    for (const ext of extensions) {
      this.extensionByUrn.set(lower(ext.id), ext);
      for (const attribute of ext.attributes) {
        const key = lower(attribute.name);
        if (this.topLevel.has(key)) continue;
        this.unqualifiedExtension.set(key, this.unqualifiedExtension.has(key) ? null : { schemaId: ext.id, inExtension: true, attribute });
      }
    }
    this.urnsLongestFirst = [core.id, ...extensions.map((e) => e.id)].sort((a, b) => b.length - a.length);
  }

  get name(): string {
    return this.resourceType.name;
  }

  /** The extension schema with this URN (case-insensitive), if the resource type has it. */
  extension(urn: string): SchemaDef | undefined {
    return this.extensionByUrn.get(lower(urn));
  }

  /** True if `urn` is the core schema or one of this type's extensions. */
  knowsSchema(urn: string): boolean {
    return lower(urn) === lower(this.core.id) || this.extensionByUrn.has(lower(urn));
  }

  /** A top-level core or common attribute by case-insensitive name. */
  coreAttribute(name: string): AttributeDef | undefined {
    const entry = this.topLevel.get(lower(name));
    return entry && !entry.inExtension ? entry.attribute : undefined;
  }

  /**
   * Splits a URN-qualified path into its schema and the attribute path after it.
   * "urn:...:User:name.givenName" -> { schema: core, rest: "name.givenName" };
   * "urn:...:enterprise:2.0:User" -> { schema: enterprise, rest: "" }.
   */
  splitUrn(path: string): { schema: SchemaDef; rest: string } | undefined {
    const lowered = lower(path);
    for (const urn of this.urnsLongestFirst) {
      const u = lower(urn);
      if (lowered === u) return { schema: this.schemaById(urn)!, rest: '' };
      if (lowered.startsWith(u + ':')) return { schema: this.schemaById(urn)!, rest: path.slice(urn.length + 1) };
    }
    return undefined;
  }

  /**
   * Resolves "attr", "attr.sub" or "urn:...:attr[.sub]"; "attr" may name an extension attribute that no core
   * attribute and no other extension shares the name of (see unqualifiedExtension; canonicalPath is then
   * URN-qualified). Returns undefined when the path names no attribute of this resource type.
   */
  resolve(path: string): ResolvedAttribute | undefined {
    if (!path) return undefined;
    let schema: SchemaDef | undefined;
    let rest = path;
    if (lower(path).startsWith('urn:')) {
      const split = this.splitUrn(path);
      if (!split || !split.rest) return undefined;
      schema = split.schema;
      rest = split.rest;
    }
    const dot = rest.indexOf('.');
    const attrName = dot < 0 ? rest : rest.slice(0, dot);
    const subName = dot < 0 ? undefined : rest.slice(dot + 1);
    if (subName !== undefined && (subName === '' || subName.includes('.'))) return undefined;

    let entry: TopLevelEntry | undefined;
    if (schema && schema.id !== this.core.id) {
      const attribute = findAttribute(schema.attributes, attrName);
      entry = attribute && { schemaId: schema.id, inExtension: true, attribute };
    } else {
      const found = this.topLevel.get(lower(attrName));
      // A core-URN-qualified path may name core and common attributes only.
      entry = found && !found.inExtension ? found : undefined;
      if (!entry && !schema) entry = this.unqualifiedExtension.get(lower(attrName)) ?? undefined;
    }
    if (!entry) return undefined;

    let subAttribute: AttributeDef | undefined;
    if (subName !== undefined) {
      subAttribute = findAttribute(entry.attribute.subAttributes, subName);
      if (!subAttribute) return undefined;
    }
    const base = entry.inExtension ? `${entry.schemaId}:${entry.attribute.name}` : entry.attribute.name;
    return {
      schemaId: entry.schemaId,
      inExtension: entry.inExtension,
      attribute: entry.attribute,
      subAttribute,
      canonicalPath: subAttribute ? `${base}.${subAttribute.name}` : base,
    };
  }

  /** The definition that governs the value at a resolved path (the sub-attribute when there is one). */
  static leaf(resolved: ResolvedAttribute): AttributeDef {
    return resolved.subAttribute ?? resolved.attribute;
  }

  private schemaById(urn: string): SchemaDef | undefined {
    if (urn === this.core.id) return this.core;
    return this.extensionByUrn.get(lower(urn));
  }
}

/** The object that holds a resolved attribute inside a resource: the resource itself or its extension object. */
export function containerOf(resource: Record<string, unknown>, resolved: ResolvedAttribute): Record<string, unknown> | undefined {
  if (!resolved.inExtension) return resource;
  const ext = resource[resolved.schemaId];
  return isPlainObject(ext) ? ext : undefined;
}

/**
 * The value at a resolved path. For a sub-attribute of a multi-valued complex attribute the result is the
 * array of that sub-attribute's values across elements (undefined ones dropped).
 */
export function valueAt(resource: Record<string, unknown>, resolved: ResolvedAttribute): unknown {
  const container = containerOf(resource, resolved);
  if (!container) return undefined;
  const value = container[resolved.attribute.name];
  if (!resolved.subAttribute) return value;
  const sub = resolved.subAttribute.name;
  if (Array.isArray(value)) {
    return value.flatMap((element) => (isPlainObject(element) && element[sub] !== undefined ? [element[sub]] : []));
  }
  return isPlainObject(value) ? value[sub] : undefined;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
