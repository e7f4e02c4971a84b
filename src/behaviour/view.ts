/**
 * What the behaviour analyser needs to know about stored resources, read from the tenant's schemas and store:
 * which attributes a resource has that a PUT could clear, and how a resource is looked up. Pure: no HTTP, no I/O.
 */
import { isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import type { ResourceRepository } from '../scim/repository.js';
import { indexedAttributes, type SchemaRegistry } from '../scim/schemas/registry.js';
import type { AttributeDef } from '../scim/schemas/types.js';
import { isLowerCaseOf } from '../scim/strings.js';

/** A stored resource as the analyser sees it. */
export interface ResourceFacts {
  /**
   * Canonical names of the attributes it holds that a client can read and a PUT would clear: readWrite and not
   * returned "never" ("emails", "urn:...:enterprise:2.0:User:manager").
   */
  names: ReadonlySet<string>;
  /** meta.version, the ETag. */
  version: string | undefined;
}

export interface ResourceView {
  /** The stored resource's facts, or undefined when it does not exist. */
  facts(type: string, id: string): ResourceFacts | undefined;
  /** The canonical names of the attributes a request body mentions (null values included: sent on purpose). */
  bodyNames(type: string, body: unknown): Set<string>;
  /**
   * The attribute a client should filter on to find one resource of the type (userName for User, displayName
   * for Group, externalId otherwise) and its value in `resource` (a body or a stored resource), case-folded where
   * the attribute is case-insensitive.
   */
  lookupKey(type: string, resource: unknown): { attribute: string; value: string | undefined };
  /** The resource's value of lookupKey's attribute, for messages. */
  lookupValue(type: string, id: string): string | undefined;
}

/** Distinct name sets are shared between resources and clients; past this many, new sets are not shared. */
const MAX_INTERNED_SETS = 4096;

function clearable(def: AttributeDef): boolean {
  return def.mutability === 'readWrite' && def.returned !== 'never';
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function findDef(list: readonly AttributeDef[], name: string): AttributeDef | undefined {
  const lower = name.toLowerCase();
  // Indexed: definitions are frozen arrays, which for-of iterates with an allocation per element.
  for (let i = 0; i < list.length; i++) if (isLowerCaseOf(list[i]!.name, lower)) return list[i];
  return undefined;
}

/** The view over a tenant's registry and store. Facts are cached per stored object (a write stores a new one). */
/**
 * `versionOf`: the version a client reads of a stored resource (the SCIM service's: a User's includes its groups);
 * absent, meta.version as stored.
 */
export function storeView(registry: SchemaRegistry, repo: Pick<ResourceRepository, 'get'>, versionOf?: (type: string, resource: Record<string, unknown>) => string): ResourceView {
  const cache = new WeakMap<object, ResourceFacts>();
  const interned = new Map<string, ReadonlySet<string>>();

  const intern = (names: string[]): ReadonlySet<string> => {
    const key = names.join('\n');
    const found = interned.get(key);
    if (found) return found;
    const set: ReadonlySet<string> = new Set(names);
    if (interned.size < MAX_INTERNED_SETS) interned.set(key, set);
    return set;
  };

  /** Canonical names in `resource` (stored or a body), with `keep` deciding which definitions count. */
  const namesIn = (type: ResourceSchema, resource: Record<string, unknown>, keep: (def: AttributeDef) => boolean, test: (v: unknown) => boolean): string[] => {
    const names: string[] = [];
    for (const key of Object.keys(resource)) {
      const value = resource[key];
      const ext = type.extension(key);
      if (ext) {
        if (!isPlainObject(value)) continue;
        for (const sub of Object.keys(value)) {
          const def = findDef(ext.attributes, sub);
          if (def && keep(def) && test(value[sub])) names.push(`${ext.id}:${def.name}`);
        }
        continue;
      }
      let def = type.coreAttribute(key);
      if (!def && key.toLowerCase().startsWith('urn:')) {
        // A URN-qualified core attribute ("urn:...:User:userName").
        const resolved = type.resolve(key);
        if (resolved && !resolved.subAttribute) {
          if (resolved.inExtension) {
            if (keep(resolved.attribute) && test(value)) names.push(`${resolved.schemaId}:${resolved.attribute.name}`);
            continue;
          }
          def = resolved.attribute;
        }
      }
      if (def && keep(def) && test(value)) names.push(def.name);
    }
    return names.sort();
  };

  const lookupAttributes = new WeakMap<ResourceSchema, AttributeDef | null>();
  const lookupAttribute = (type: ResourceSchema): AttributeDef | undefined => {
    let def = lookupAttributes.get(type);
    if (def === undefined) lookupAttributes.set(type, (def = type.coreAttribute(indexedAttributes(type)[2] ?? 'externalId') ?? null));
    return def ?? undefined;
  };

  return {
    facts(typeName, id) {
      const type = registry.resourceType(typeName);
      const resource = type && repo.get(type.name, id);
      if (!type || !resource) return undefined;
      let facts = cache.get(resource);
      if (!facts) {
        const meta = resource.meta as Record<string, unknown> | undefined;
        facts = {
          names: intern(namesIn(type, resource, clearable, present)),
          version: typeof meta?.version === 'string' ? meta.version : undefined,
        };
        cache.set(resource, facts);
      }
      // Not cached with the resource: a User's version changes with its groups, which are other resources.
      if (versionOf && facts.version !== undefined) {
        const version = versionOf(type.name, resource);
        if (version !== facts.version) return { names: facts.names, version };
      }
      return facts;
    },

    bodyNames(typeName, body) {
      const type = registry.resourceType(typeName);
      if (!type || !isPlainObject(body)) return new Set();
      return new Set(namesIn(type, body, () => true, () => true));
    },

    lookupKey(typeName, resource) {
      const type = registry.resourceType(typeName);
      const def = type && lookupAttribute(type);
      if (!def) return { attribute: 'externalId', value: undefined };
      let value: unknown;
      if (isPlainObject(resource)) {
        const name = def.name.toLowerCase();
        for (const key of Object.keys(resource)) if (isLowerCaseOf(key, name)) value = resource[key];
      }
      if (typeof value !== 'string') return { attribute: def.name, value: undefined };
      return { attribute: def.name, value: def.caseExact ? value : value.toLowerCase() };
    },

    lookupValue(typeName, id) {
      const type = registry.resourceType(typeName);
      const def = type && lookupAttribute(type);
      const resource = type && repo.get(type.name, id);
      const value = def && resource ? resource[def.name] : undefined;
      return typeof value === 'string' ? value : undefined;
    },
  };
}
