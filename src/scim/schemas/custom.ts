/**
 * Custom schemas and resource types in the RFC 7643 schema representation (section 7), as a scenario file or a
 * snapshot declares them: checked attribute by attribute and completed with the section 2.2 defaults, so the
 * engines (validation, projection, discovery, store indexes) can read them like the built-in RFC schemas.
 *
 * - `schemas`: whole schemas (the core schema of a new resource type) and extension schemas.
 * - `resourceTypes`: new resource types (e.g. a `Device` type at `/Devices`), or an entry named like a built-in
 *   type (`User`, `Group`) that adds `schemaExtensions` to it (the type is re-registered with the extension).
 *
 * Pure: no I/O. Errors name the JSON pointer of the offending value.
 */
import { FORBIDDEN_KEYS, isPlainObject } from '../attributes.js';
import { deepFreeze } from './core.js';
import { SchemaRegistry } from './registry.js';
import type { AttributeDef, AttributeType, ResourceTypeDef, SchemaDef, SchemaExtensionRef } from './types.js';

/** A definition that breaks RFC 7643 section 7 (or this service's limits), at a JSON pointer. */
export class SchemaDefinitionError extends Error {
  constructor(readonly pointer: string, readonly reason: string) {
    super(`${pointer}: ${reason}`);
    this.name = 'SchemaDefinitionError';
  }
}

export interface CustomSchemas {
  schemas: SchemaDef[];
  /** Full definitions: a built-in type with added extensions appears with all its extensions. */
  resourceTypes: ResourceTypeDef[];
}

const ATTRIBUTE_TYPES: readonly AttributeType[] = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'];
const MUTABILITY = ['readOnly', 'readWrite', 'immutable', 'writeOnly'] as const;
const RETURNED = ['always', 'never', 'default', 'request'] as const;
const UNIQUENESS = ['none', 'server', 'global'] as const;
const ATTRIBUTE_KEYS = ['name', 'type', 'multiValued', 'description', 'required', 'caseExact', 'mutability', 'returned', 'uniqueness', 'canonicalValues', 'referenceTypes', 'subAttributes'];
/** `schemas` and `meta` are accepted (and ignored) so a document copied from GET /Schemas can be pasted. */
const SCHEMA_KEYS = ['schemas', 'id', 'name', 'description', 'attributes', 'meta'];
const RESOURCE_TYPE_KEYS = ['schemas', 'id', 'name', 'endpoint', 'description', 'schema', 'schemaExtensions', 'meta'];

/** RFC 7643 section 2.1: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA. */
export const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
/** A URN (RFC 8141 shape, loosely): urn:<NID>:<NSS>, no white space. */
export const SCHEMA_URN = /^urn:[A-Za-z0-9][A-Za-z0-9-]{0,31}:[\x21-\x7e]+$/i;
const RESOURCE_TYPE_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const ENDPOINT = /^\/[A-Za-z][A-Za-z0-9_-]{0,63}$/;
/** Paths the SCIM router serves itself (RFC 7644 sections 3.11, 3.7, 3.4.3 and 4). */
const RESERVED_ENDPOINTS = ['/schemas', '/resourcetypes', '/serviceproviderconfig', '/me', '/bulk', '/.search'];
/** The meta.resourceType of the discovery documents (RFC 7643 sections 5-7): a resource's must not read as one. */
const DISCOVERY_TYPE_NAMES = ['serviceproviderconfig', 'resourcetype', 'schema'];
/** Common attributes (RFC 7643 section 3.1) and `schemas`: a core schema must not redefine them. */
const COMMON_NAMES = ['id', 'externalid', 'meta', 'schemas'];
const MAX_ATTRIBUTES = 500;

const fail = (pointer: string, reason: string): never => {
  throw new SchemaDefinitionError(pointer, reason);
};

const token = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');
const at = (pointer: string, key: string | number) => `${pointer}/${token(key)}`;

function object(value: unknown, pointer: string, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (!isPlainObject(value)) fail(pointer, `must be ${what} (a JSON object)`);
  const obj = value as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (FORBIDDEN_KEYS.has(key)) fail(at(pointer, key), `the key "${key}" is not allowed`);
    if (!allowed.includes(key)) fail(at(pointer, key), `is not a property of ${what}; allowed: ${allowed.join(', ')}`);
  }
  return obj;
}

function text(value: unknown, pointer: string, options: { optional?: boolean; pattern?: RegExp; mustBe?: string } = {}): string | undefined {
  if (value === undefined && options.optional) return undefined;
  if (typeof value !== 'string' || (options.pattern ? !options.pattern.test(value) : false)) fail(pointer, `must be ${options.mustBe ?? 'a string'}`);
  return value as string;
}

function bool(value: unknown, pointer: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(pointer, 'must be true or false');
  return value as boolean;
}

function oneOf<T extends string>(value: unknown, pointer: string, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(pointer, `must be one of ${allowed.join(', ')}`);
  return value as T;
}

function stringList(value: unknown, pointer: string): string[] {
  if (!Array.isArray(value) || value.length === 0) fail(pointer, 'must be a non-empty array of strings');
  const list = value as unknown[];
  list.forEach((v, i) => {
    if (typeof v !== 'string' || v === '') fail(at(pointer, i), 'must be a non-empty string');
  });
  return [...(list as string[])];
}

/**
 * Checks one attribute definition and fills the section 2.2 defaults. `referenceable` is the set of names a
 * reference attribute may name in referenceTypes (resource type names, "external", "uri"), lower case.
 */
function attribute(raw: unknown, pointer: string, sub: boolean, referenceable: Map<string, string>): AttributeDef {
  const o = object(raw, pointer, 'an attribute definition', ATTRIBUTE_KEYS);
  const name = text(o.name, at(pointer, 'name'), {
    pattern: sub ? /^(\$ref|[A-Za-z][A-Za-z0-9_-]*)$/ : ATTRIBUTE_NAME,
    mustBe: 'an attribute name: a letter, then letters, digits, "-" or "_" (RFC 7643 section 2.1)' + (sub ? ', or "$ref"' : ''),
  })!;
  if (name.length > 128) fail(at(pointer, 'name'), 'must be at most 128 characters long');
  if (o.type === undefined) fail(at(pointer, 'type'), 'is required');
  const type = oneOf(o.type, at(pointer, 'type'), ATTRIBUTE_TYPES, 'string');
  if (name === '$ref' && type !== 'reference') fail(at(pointer, 'type'), 'must be "reference" for a "$ref" sub-attribute');
  const def: AttributeDef = {
    name,
    type,
    multiValued: bool(o.multiValued, at(pointer, 'multiValued'), false),
    description: text(o.description, at(pointer, 'description'), { optional: true }) ?? '',
    required: bool(o.required, at(pointer, 'required'), false),
    // Section 2.3.6 and 2.3.7: binary and reference values are case exact.
    caseExact: bool(o.caseExact, at(pointer, 'caseExact'), type === 'binary' || type === 'reference'),
    mutability: oneOf(o.mutability, at(pointer, 'mutability'), MUTABILITY, 'readWrite'),
    returned: 'default',
    uniqueness: oneOf(o.uniqueness, at(pointer, 'uniqueness'), UNIQUENESS, 'none'),
  };
  // A writeOnly value "SHALL NOT be returned" (RFC 7643 section 7): its returned characteristic is "never".
  def.returned = oneOf(o.returned, at(pointer, 'returned'), RETURNED, def.mutability === 'writeOnly' ? 'never' : 'default');
  if (type === 'complex' && def.uniqueness !== 'none') {
    fail(at(pointer, 'uniqueness'), 'must be "none" for a complex attribute (RFC 7643 section 2.3.8, erratum 6004)');
  }
  if (type === 'boolean' && def.uniqueness !== 'none') fail(at(pointer, 'uniqueness'), 'must be "none" for a boolean attribute');
  if (def.mutability === 'writeOnly' && def.returned !== 'never') {
    fail(at(pointer, 'returned'), 'must be "never" for a writeOnly attribute: its values are never returned (RFC 7643 section 7)');
  }
  if (o.canonicalValues !== undefined) def.canonicalValues = stringList(o.canonicalValues, at(pointer, 'canonicalValues'));
  if (o.referenceTypes !== undefined) {
    if (type !== 'reference') fail(at(pointer, 'referenceTypes'), 'applies only to attributes of type "reference"');
    def.referenceTypes = stringList(o.referenceTypes, at(pointer, 'referenceTypes')).map((r, i) => {
      const known = referenceable.get(r.toLowerCase());
      if (!known) fail(at(at(pointer, 'referenceTypes'), i), `must be "external", "uri" or the name of a resource type (${[...referenceable.values()].filter((n) => n !== 'external' && n !== 'uri').join(', ')})`);
      return known!;
    });
  } else if (type === 'reference') {
    fail(at(pointer, 'referenceTypes'), 'is required for a reference attribute: list the resource types it may name, "external" or "uri"');
  }
  if (type === 'complex') {
    if (sub) fail(at(pointer, 'type'), 'cannot be "complex" in a sub-attribute: a complex attribute has no complex sub-attributes (RFC 7643 section 2.3.8)');
    if (!Array.isArray(o.subAttributes) || o.subAttributes.length === 0) {
      fail(at(pointer, 'subAttributes'), 'must be a non-empty array of attribute definitions for a complex attribute');
    }
    def.subAttributes = attributeList(o.subAttributes as unknown[], at(pointer, 'subAttributes'), true, referenceable);
  } else if (o.subAttributes !== undefined) {
    fail(at(pointer, 'subAttributes'), 'applies only to attributes of type "complex"');
  }
  return def;
}

function attributeList(raw: unknown[], pointer: string, sub: boolean, referenceable: Map<string, string>): AttributeDef[] {
  if (raw.length > MAX_ATTRIBUTES) fail(pointer, `must list at most ${MAX_ATTRIBUTES} attributes`);
  const seen = new Set<string>();
  return raw.map((entry, i) => {
    const def = attribute(entry, at(pointer, i), sub, referenceable);
    const key = def.name.toLowerCase();
    if (seen.has(key)) fail(at(at(pointer, i), 'name'), `"${def.name}" is defined twice (attribute names are case-insensitive)`);
    seen.add(key);
    return def;
  });
}


/**
 * Checks custom `schemas` and `resourceTypes` (either may be undefined) against the built-in registry and each
 * other, and returns them completed and frozen. Throws SchemaDefinitionError naming the JSON pointer
 * (`${base}/schemas/0/attributes/2/type`).
 */
export function checkCustomSchemas(input: { schemas?: unknown; resourceTypes?: unknown }, base = ''): CustomSchemas {
  const builtIn = SchemaRegistry.builtIn();
  const rawSchemas = input.schemas ?? [];
  const rawTypes = input.resourceTypes ?? [];
  if (!Array.isArray(rawSchemas)) fail(`${base}/schemas`, 'must be an array of schema definitions');
  if (!Array.isArray(rawTypes)) fail(`${base}/resourceTypes`, 'must be an array of resource type definitions');
  const schemaList = rawSchemas as unknown[];
  const typeList = rawTypes as unknown[];

  // Names a reference attribute may point at: the built-in types and the declared ones.
  const referenceable = new Map<string, string>([['external', 'external'], ['uri', 'uri']]);
  for (const t of builtIn.resourceTypes()) referenceable.set(t.name.toLowerCase(), t.name);
  typeList.forEach((t) => {
    if (isPlainObject(t) && typeof t.name === 'string' && RESOURCE_TYPE_NAME.test(t.name) && !referenceable.has(t.name.toLowerCase())) {
      referenceable.set(t.name.toLowerCase(), t.name);
    }
  });

  const schemas: SchemaDef[] = [];
  const declared = new Map<string, { def: SchemaDef; pointer: string }>();
  schemaList.forEach((raw, i) => {
    const pointer = `${base}/schemas/${i}`;
    const o = object(raw, pointer, 'a schema definition', SCHEMA_KEYS);
    const id = text(o.id, `${pointer}/id`, { pattern: SCHEMA_URN, mustBe: 'a schema URN such as "urn:example:params:scim:schemas:extension:acme:2.0:User"' })!;
    if (builtIn.schema(id)) fail(`${pointer}/id`, `"${id}" is a built-in schema; give the custom schema its own URN`);
    if (declared.has(id.toLowerCase())) fail(`${pointer}/id`, `"${id}" is declared twice (also at ${declared.get(id.toLowerCase())!.pointer})`);
    if (o.schemas !== undefined && (!Array.isArray(o.schemas) || o.schemas.some((s) => typeof s !== 'string'))) {
      fail(`${pointer}/schemas`, 'must be an array of schema URNs');
    }
    const name = text(o.name, `${pointer}/name`, { pattern: /\S/, mustBe: 'a non-empty string' })!;
    const description = text(o.description, `${pointer}/description`, { optional: true }) ?? '';
    if (!Array.isArray(o.attributes) || o.attributes.length === 0) fail(`${pointer}/attributes`, 'must be a non-empty array of attribute definitions');
    const attributes = attributeList(o.attributes as unknown[], `${pointer}/attributes`, false, referenceable);
    const def: SchemaDef = { id, name, description, attributes };
    schemas.push(def);
    declared.set(id.toLowerCase(), { def, pointer });
  });

  const used = new Set<string>();
  /** Extension schema (lower case) -> the first resource type that lists it. */
  const extendsType = new Map<string, string>();
  const resourceTypes: ResourceTypeDef[] = [];
  const names = new Map<string, string>();
  const endpoints = new Map<string, string>();
  for (const t of builtIn.resourceTypes()) endpoints.set(t.resourceType.endpoint.toLowerCase(), `the built-in ${t.name} type`);

  const extensionsOf = (raw: unknown, pointer: string, core: string, typeName: string): SchemaExtensionRef[] => {
    if (raw === undefined) return [];
    if (!Array.isArray(raw)) fail(pointer, 'must be an array of { "schema": "<URN>", "required": true | false }');
    const seen = new Set<string>();
    return (raw as unknown[]).map((entry, i) => {
      const p = at(pointer, i);
      const e = object(entry, p, 'a schema extension reference', ['schema', 'required']);
      const urn = text(e.schema, `${p}/schema`, { pattern: SCHEMA_URN, mustBe: 'a schema URN' })!;
      const schema = declared.get(urn.toLowerCase())?.def ?? builtIn.schema(urn);
      if (!schema) fail(`${p}/schema`, `"${urn}" is not a declared schema; add it to "schemas"`);
      if (schema!.id.toLowerCase() === core.toLowerCase()) fail(`${p}/schema`, 'is the core schema of this resource type; an extension must be another schema');
      if (seen.has(schema!.id.toLowerCase())) fail(`${p}/schema`, `"${schema!.id}" is listed twice`);
      seen.add(schema!.id.toLowerCase());
      used.add(schema!.id.toLowerCase());
      if (!extendsType.has(schema!.id.toLowerCase())) extendsType.set(schema!.id.toLowerCase(), typeName);
      return { schema: schema!.id, required: bool(e.required, `${p}/required`, false) };
    });
  };

  typeList.forEach((raw, i) => {
    const pointer = `${base}/resourceTypes/${i}`;
    const o = object(raw, pointer, 'a resource type definition', RESOURCE_TYPE_KEYS);
    const name = text(o.name, `${pointer}/name`, { pattern: RESOURCE_TYPE_NAME, mustBe: 'a resource type name: a letter, then up to 63 letters, digits, "-" or "_"' })!;
    if (names.has(name.toLowerCase())) fail(`${pointer}/name`, `"${name}" is declared twice (also at ${names.get(name.toLowerCase())})`);
    names.set(name.toLowerCase(), pointer);
    if (o.id !== undefined && o.id !== name) fail(`${pointer}/id`, `must equal the name "${name}" when given`);
    const existing = builtIn.resourceType(name);
    if (existing) {
      // A built-in type gains extensions; everything else must stay as it is.
      const def = existing.resourceType;
      if (o.name !== def.name) fail(`${pointer}/name`, `must be spelled "${def.name}" like the built-in resource type`);
      if (o.endpoint !== undefined && o.endpoint !== def.endpoint) fail(`${pointer}/endpoint`, `must be "${def.endpoint}": a built-in resource type keeps its endpoint`);
      if (o.schema !== undefined && o.schema !== def.schema) fail(`${pointer}/schema`, `must be "${def.schema}": a built-in resource type keeps its core schema`);
      if (o.description !== undefined && typeof o.description !== 'string') fail(`${pointer}/description`, 'must be a string');
      const listed = extensionsOf(o.schemaExtensions, `${pointer}/schemaExtensions`, def.schema, def.name);
      const added: SchemaExtensionRef[] = [];
      listed.forEach((ext, j) => {
        const builtInExt = def.schemaExtensions.find((e) => e.schema === ext.schema);
        if (builtInExt) {
          if (builtInExt.required !== ext.required) fail(`${pointer}/schemaExtensions/${j}/required`, `must be ${builtInExt.required}: "${ext.schema}" is a built-in extension of ${def.name}`);
        } else {
          added.push(ext);
        }
      });
      if (added.length === 0) fail(`${pointer}/schemaExtensions`, `must add at least one custom extension schema to the built-in ${def.name} type`);
      resourceTypes.push({
        name: def.name,
        endpoint: def.endpoint,
        description: (o.description as string | undefined) ?? def.description,
        schema: def.schema,
        schemaExtensions: [...def.schemaExtensions.map((e) => ({ ...e })), ...added],
      });
      return;
    }
    if (DISCOVERY_TYPE_NAMES.includes(name.toLowerCase())) {
      fail(`${pointer}/name`, `"${name}" is the meta.resourceType of a discovery document (RFC 7643 sections 5-7); pick another name`);
    }
    const endpoint = text(o.endpoint, `${pointer}/endpoint`, { pattern: ENDPOINT, mustBe: 'an endpoint path such as "/Devices": "/", a letter, then letters, digits, "-" or "_"' })!;
    if (RESERVED_ENDPOINTS.includes(endpoint.toLowerCase())) fail(`${pointer}/endpoint`, `"${endpoint}" is served by the SCIM protocol itself; pick another path`);
    if (endpoints.has(endpoint.toLowerCase())) fail(`${pointer}/endpoint`, `"${endpoint}" is already the endpoint of ${endpoints.get(endpoint.toLowerCase())} (endpoints are case-insensitive)`);
    endpoints.set(endpoint.toLowerCase(), `the resource type at ${pointer}`);
    const schemaUrn = text(o.schema, `${pointer}/schema`, { pattern: SCHEMA_URN, mustBe: 'the URN of the core schema, declared in "schemas"' })!;
    const core = declared.get(schemaUrn.toLowerCase());
    if (!core) {
      fail(`${pointer}/schema`, builtIn.schema(schemaUrn) ? `"${schemaUrn}" is a built-in schema; a new resource type needs its own core schema` : `"${schemaUrn}" is not a declared schema; add it to "schemas"`);
    }
    core!.def.attributes.forEach((a, j) => {
      if (COMMON_NAMES.includes(a.name.toLowerCase())) {
        fail(`${core!.pointer}/attributes/${j}/name`, `"${a.name}" is a common attribute of every resource (RFC 7643 section 3.1); a core schema must not define it`);
      }
    });
    used.add(core!.def.id.toLowerCase());
    const description = text(o.description, `${pointer}/description`, { optional: true }) ?? name;
    resourceTypes.push({ name, endpoint, description, schema: core!.def.id, schemaExtensions: extensionsOf(o.schemaExtensions, `${pointer}/schemaExtensions`, core!.def.id, name) });
  });

  // Uniqueness is enforced (and indexed) on single-valued top-level string attributes of a core schema; anywhere
  // else /Schemas would promise what no engine checks.
  const cores = new Set(resourceTypes.map((t) => t.schema.toLowerCase()));
  for (const [urn, { def, pointer }] of declared) {
    def.attributes.forEach((a, j) => {
      const enforced = cores.has(urn) && a.type === 'string' && !a.multiValued;
      if (a.uniqueness !== 'none' && enforced && extendsType.has(urn)) {
        // The same schema as an extension: its values sit under the URN there, where no index looks.
        fail(`${pointer}/attributes/${j}/uniqueness`, `must be "none": "${def.id}" is also an extension of ${extendsType.get(urn)}, where uniqueness is not enforced; give the extension its own schema`);
      }
      if (a.uniqueness !== 'none' && !enforced) {
        fail(`${pointer}/attributes/${j}/uniqueness`, `must be "none": uniqueness is enforced only on single-valued string attributes of a resource type's core schema`);
      }
      (a.subAttributes ?? []).forEach((sub, k) => {
        if (sub.uniqueness !== 'none') fail(`${pointer}/attributes/${j}/subAttributes/${k}/uniqueness`, 'must be "none": uniqueness is not enforced on sub-attributes');
      });
    });
  }

  for (const [urn, { def, pointer }] of declared) {
    if (!used.has(urn)) fail(pointer, `schema "${def.id}" is used by no resource type; name it as the "schema" or in the "schemaExtensions" of a resourceTypes entry`);
  }
  return deepFreeze({ schemas, resourceTypes });
}

/** Every resource type name the registry would have with these custom definitions (lower case -> name). */
export function resourceTypeNames(custom: CustomSchemas): Map<string, string> {
  const names = new Map<string, string>();
  for (const t of SchemaRegistry.builtIn().resourceTypes()) names.set(t.name.toLowerCase(), t.name);
  for (const t of custom.resourceTypes) names.set(t.name.toLowerCase(), t.name);
  return names;
}

/** A registry with the built-in and these custom definitions (for checking resources before seeding). */
export function registryWith(custom: CustomSchemas): SchemaRegistry {
  const registry = SchemaRegistry.builtIn();
  registry.replaceCustom(custom.schemas, custom.resourceTypes);
  return registry;
}
