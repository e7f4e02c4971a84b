/**
 * The snapshot document: the whole state of one tenant as JSON. It is the format of `--data` files, of
 * `scimulator seed --out`, and of the control API's snapshot endpoints.
 *
 * Loading one (PUT /_mock/snapshot, a `--data` file) checks the whole document before anything is loaded: its
 * custom schemas, then every resource against the schemas of its resource type (the built-in ones and the
 * document's custom ones), as the store keeps them: canonical attribute names, JSON types, required attributes,
 * no attributes the schemas do not define and none the server computes, `meta` complete, ids and unique
 * attributes unique, and every group member an existing resource. The first problem is reported with its JSON
 * pointer ("/resources/User/3/emails/0/value: must be a string"); a document with a problem loads nothing.
 */
import { findAttribute, isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import { checkCustomSchemas, registryWith, resourceTypeNames, SchemaDefinitionError } from '../scim/schemas/custom.js';
import { GROUP_SCHEMA_ID } from '../scim/schemas/core.js';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from '../scim/schemas/types.js';
import { expectedType, isDateTime, type Resource } from '../scim/validate.js';
import { compactResource } from './compact.js';
import type { StoreSnapshot } from './memory.js';

export const SNAPSHOT_FORMAT = 'scimulator-snapshot';

export interface SnapshotDocument {
  format: typeof SNAPSHOT_FORMAT;
  version: 1;
  /** The version counter, so ETags keep increasing after a load. */
  sequence: number;
  /** Custom schemas (RFC 7643 section 7 representation) and resource types, present when the tenant has any. */
  schemas?: SchemaDef[];
  resourceTypes?: ResourceTypeDef[];
  resources: Record<string, Resource[]>;
}

export function toDocument(snapshot: StoreSnapshot): SnapshotDocument {
  const custom = snapshot.schemas?.length || snapshot.resourceTypes?.length ? { schemas: snapshot.schemas ?? [], resourceTypes: snapshot.resourceTypes ?? [] } : {};
  return { format: SNAPSHOT_FORMAT, version: 1, sequence: snapshot.sequence, ...custom, resources: snapshot.resources };
}

/** A problem in a snapshot document, at a JSON pointer. */
class SnapshotError extends Error {}

const fail = (pointer: string, reason: string): never => {
  throw new SnapshotError(`${pointer}: ${reason}`);
};

/** A JSON pointer reference token (RFC 6901). */
const token = (key: string | number) => String(key).replace(/~/g, '~0').replace(/\//g, '~1');

const META_KEYS = ['resourceType', 'created', 'lastModified', 'version'];
const WEAK_ETAG = /^W\/".*"$/;

/**
 * Checks a parsed snapshot document, its custom schemas and every resource in it; throws an Error naming the JSON
 * pointer that is wrong. The snapshot returned holds the document's resources in the store's compact form.
 */
export function fromDocument(value: unknown): StoreSnapshot {
  if (!isPlainObject(value)) throw new Error('/: a snapshot must be a JSON object');
  if (value.format !== SNAPSHOT_FORMAT) throw new Error(`/format: must be "${SNAPSHOT_FORMAT}"`);
  if (value.version !== 1) throw new Error('/version: must be 1');
  if (!Number.isInteger(value.sequence) || (value.sequence as number) < 0) throw new Error('/sequence: must be a non-negative integer');
  if (!isPlainObject(value.resources)) throw new Error('/resources: must be an object of resource type name -> array of resources');
  let custom;
  try {
    custom = checkCustomSchemas({ schemas: value.schemas, resourceTypes: value.resourceTypes });
  } catch (err) {
    if (err instanceof SchemaDefinitionError) throw new Error(err.message);
    throw err;
  }
  const typeNames = resourceTypeNames(custom);
  const registry = registryWith(custom);
  const resources: Record<string, Resource[]> = {};
  for (const [type, list] of Object.entries(value.resources)) {
    if (typeNames.get(type.toLowerCase()) !== type) throw new Error(`/resources/${token(type)}: there is no resource type "${type}" (known: ${[...typeNames.values()].join(', ')})`);
    if (!Array.isArray(list)) throw new Error(`/resources/${token(type)}: must be an array`);
    resources[type] = list as Resource[];
  }
  checkResources(resources, (name) => registry.resourceType(name)!);
  for (const list of Object.values(resources)) for (const resource of list) compactResource(resource);
  if (custom.schemas.length || custom.resourceTypes.length) {
    return { sequence: value.sequence as number, schemas: custom.schemas, resourceTypes: custom.resourceTypes, resources };
  }
  return { sequence: value.sequence as number, resources };
}

/** Every resource of the document: each on its own, then what they must agree on (unique values, members). */
function checkResources(resources: Record<string, Resource[]>, schemaOf: (type: string) => ResourceSchema): void {
  /** id -> [resource type, pointer] of the resource that has it. */
  const owners = new Map<string, [string, string]>();
  for (const [type, list] of Object.entries(resources)) {
    const schema = schemaOf(type);
    const unique = schema.coreAttributes.filter((def) => def.uniqueness !== 'none' && def.type === 'string' && !def.multiValued && def.name !== 'id');
    const seen = new Map<string, string>();
    list.forEach((resource, i) => {
      const at = `/resources/${token(type)}/${i}`;
      checkResource(schema, resource, at);
      const id = resource.id as string;
      const owner = owners.get(id);
      if (owner) fail(`${at}/id`, `"${id}" is already the id of ${owner[1]}; ids are unique across all resources`);
      owners.set(id, [type, at]);
      for (const def of unique) {
        const v = resource[def.name];
        if (typeof v !== 'string') continue;
        const key = `${def.name}\u0000${def.caseExact ? v : v.toLowerCase()}`;
        const other = seen.get(key);
        if (other !== undefined) fail(`${at}/${token(def.name)}`, `"${v}" is also the ${def.name} of ${other} (${def.name} is unique${def.caseExact ? '' : ', compared case-insensitively'})`);
        seen.set(key, at);
      }
    });
  }
  // Group members name existing resources, each once, never the group itself (as the service keeps them).
  for (const [type, list] of Object.entries(resources)) {
    if (schemaOf(type).core.id !== GROUP_SCHEMA_ID) continue;
    list.forEach((group, i) => {
      if (!Array.isArray(group.members)) return;
      const at = `/resources/${token(type)}/${i}/members`;
      const values = new Set<string>();
      (group.members as Record<string, unknown>[]).forEach((member, j) => {
        const value = member.value;
        if (typeof value !== 'string') fail(`${at}/${j}`, 'needs a "value": the id of the member');
        if (value === group.id) fail(`${at}/${j}/value`, 'is the group itself; a group cannot be a member of itself');
        if (values.has(value as string)) fail(`${at}/${j}/value`, `"${value}" is a member already (each member is listed once)`);
        values.add(value as string);
        const owner = owners.get(value as string);
        const declared = member.type;
        if (!owner || (declared === undefined && owner[0] !== 'User' && owner[0] !== 'Group')) fail(`${at}/${j}/value`, `"${value}" is the id of no User or Group in the snapshot`);
        if (declared !== undefined && declared !== owner![0]) fail(`${at}/${j}/type`, `must be "${owner![0]}": "${value}" is the id of ${owner![1]}`);
      });
    });
  }
}

/** One resource as the store keeps it (see the module comment). */
function checkResource(schema: ResourceSchema, resource: unknown, at: string): asserts resource is Resource {
  if (!isPlainObject(resource)) fail(at, `must be a ${schema.name} resource (a JSON object)`);
  const r = resource as Resource;
  if (typeof r.id !== 'string' || r.id === '') fail(`${at}/id`, 'must be a non-empty string');
  checkMeta(schema, r.meta, `${at}/meta`);

  const schemas = r.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(schema.core.id)) fail(`${at}/schemas`, `must be an array of schema URNs that includes "${schema.core.id}"`);
  (schemas as unknown[]).forEach((urn, i) => {
    if (urn !== schema.core.id && (typeof urn !== 'string' || schema.extension(urn)?.id !== urn)) {
      fail(`${at}/schemas/${i}`, `must be "${schema.core.id}" or one of the extensions of the ${schema.name} resource type (${schema.extensions.map((e) => `"${e.id}"`).join(', ') || 'it has none'})`);
    }
    if ((schemas as unknown[]).indexOf(urn) !== i) fail(`${at}/schemas/${i}`, `repeats "${urn}"`);
  });

  for (const key of Object.keys(r)) {
    if (key === 'schemas' || key === 'id' || key === 'meta') continue;
    const pointer = `${at}/${token(key)}`;
    const ext = schema.extension(key);
    if (ext) {
      if (key !== ext.id) fail(pointer, `must be spelled "${ext.id}"`);
      if (!(schemas as string[]).includes(ext.id)) fail(pointer, `the resource has attributes of "${ext.id}", so its "schemas" must list it`);
      checkAttributes(ext.attributes, r[key], pointer, `the extension "${ext.id}"`, true);
      continue;
    }
    const def = schema.coreAttribute(key);
    if (!def) fail(pointer, `is not an attribute of the ${schema.name} resource type`);
    checkAttribute(def!, key, r[key], pointer, true);
  }
  checkRequired(schema.core.attributes, r, at, `a ${schema.name}`);
  for (const ref of schema.resourceType.schemaExtensions) {
    if (ref.required && r[ref.schema] === undefined) fail(at, `has no "${ref.schema}", which the ${schema.name} resource type requires`);
  }
}

function checkMeta(schema: ResourceSchema, meta: unknown, at: string): void {
  if (!isPlainObject(meta)) fail(at, 'must be an object with resourceType, created, lastModified and version');
  const m = meta as Record<string, unknown>;
  for (const key of Object.keys(m)) if (!META_KEYS.includes(key)) fail(`${at}/${token(key)}`, `is not kept: meta holds ${META_KEYS.join(', ')} (the server adds location)`);
  if (m.resourceType !== schema.name) fail(`${at}/resourceType`, `must be "${schema.name}"`);
  for (const key of ['created', 'lastModified']) {
    if (typeof m[key] !== 'string' || !isDateTime(m[key] as string)) fail(`${at}/${key}`, 'must be an RFC 3339 date-time such as "2011-05-13T04:42:34Z"');
  }
  if (typeof m.version !== 'string' || !WEAK_ETAG.test(m.version)) fail(`${at}/version`, 'must be a weak ETag such as W/"1"');
}

/** The attributes of an extension object (`topLevel`) or of a complex value. */
function checkAttributes(defs: readonly AttributeDef[], value: unknown, at: string, owner: string, topLevel = false): void {
  if (!isPlainObject(value)) fail(at, 'must be an object');
  const obj = value as Record<string, unknown>;
  if (Object.keys(obj).length === 0) fail(at, 'must not be empty: leave out what has no value');
  for (const key of Object.keys(obj)) {
    const def = findAttribute(defs, key);
    if (!def) fail(`${at}/${token(key)}`, `is not an attribute of ${owner}`);
    checkAttribute(def!, key, obj[key], `${at}/${token(key)}`, topLevel);
  }
  checkRequired(defs, obj, at, owner);
}

/**
 * One attribute's value. A stored resource holds no readOnly attribute but id and meta (`topLevel`): the others
 * (User.groups) are computed when it is read. Sub-attributes may be readOnly (a manager's displayName).
 */
function checkAttribute(def: AttributeDef, key: string, value: unknown, at: string, topLevel = false): void {
  if (key !== def.name) fail(at, `must be spelled "${def.name}"`);
  if (topLevel && def.mutability === 'readOnly') fail(at, 'is computed by the server (readOnly), so a snapshot does not hold it');
  if (value === null || (Array.isArray(value) && value.length === 0)) fail(at, 'must have a value: leave out an attribute that has none');
  if (!def.multiValued) {
    if (Array.isArray(value)) fail(at, `must not be an array: "${def.name}" is single-valued`);
    checkSingle(def, value, at);
    return;
  }
  if (!Array.isArray(value)) fail(at, `must be an array: "${def.name}" is multi-valued`);
  const values = value as unknown[];
  values.forEach((element, i) => checkSingle(def, element, `${at}/${i}`));
  if (def.type === 'complex' && values.filter((v) => isPlainObject(v) && v.primary === true).length > 1) {
    fail(at, 'has more than one value with "primary": true (RFC 7643 section 2.4 allows one)');
  }
}

function checkSingle(def: AttributeDef, value: unknown, at: string): void {
  if (def.type === 'complex') {
    checkAttributes(def.subAttributes ?? [], value, at, `"${def.name}"`);
    return;
  }
  const expected = expectedType(def, value);
  if (expected !== undefined) fail(at, `must be ${expected}`);
}

/** Required attributes (but the readOnly ones, which are the server's) are present. */
function checkRequired(defs: readonly AttributeDef[], obj: Record<string, unknown>, at: string, owner: string): void {
  for (const def of defs) {
    if (def.required && def.mutability !== 'readOnly' && obj[def.name] === undefined) fail(`${at}/${token(def.name)}`, `is required for ${owner}`);
  }
}
