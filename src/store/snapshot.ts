/**
 * The snapshot document: the whole state of one tenant as JSON. It is the format of `--data` files, of
 * `scimulator seed --out`, and of the control API's snapshot endpoints.
 *
 * Loading one (PUT /_mock/snapshot, a `--data` file) checks the whole document before anything is loaded: its
 * custom schemas, then every resource against the schemas of its resource type (the built-in ones and the
 * document's custom ones), as the store keeps them: canonical attribute names, JSON types, required attributes,
 * no attributes the schemas do not define and none the server computes, `meta` complete, ids and unique
 * attributes unique, and group members as the service keeps them (each once, never the group itself, a `type` that
 * agrees with the resource named). A member that names no resource is what the member policy decides: the service
 * stores one under "accept", so under "accept" it loads as stored (whatever the service can store loads back);
 * "reject", "notFound" and "drop" never store one, so a document holding one is refused under them, naming the
 * policy. The first problem is reported with its JSON pointer ("/resources/User/3/emails/0/value: must be a
 * string"); a document with a problem loads nothing.
 */
import { findAttribute, isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import { checkCustomSchemas, registryWith, resourceTypeNames, SchemaDefinitionError } from '../scim/schemas/custom.js';
import type { MemberPolicy } from '../scim/member-policy.js';
import { GROUP_SCHEMA_ID } from '../scim/schemas/core.js';
import type { AttributeDef, ResourceTypeDef, SchemaDef } from '../scim/schemas/types.js';
import { expectedType, isDateTime, type Resource } from '../scim/validate.js';
import { compactResource, sharedWithin } from './compact.js';
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

/**
 * Where a value is in the document: a chain of keys, turned into a JSON pointer only for an error (a document of
 * 100,000 users has millions of values, and almost never a problem).
 */
interface Where {
  up?: Where;
  key: string | number;
}

const at = (up: Where, key: string | number): Where => ({ up, key });

/** The JSON pointer (RFC 6901) of a place in the document. */
function pointer(where: Where | undefined): string {
  const keys: string[] = [];
  for (let w = where; w; w = w.up) {
    const key = String(w.key);
    keys.push(key.includes('~') || key.includes('/') ? key.replace(/~/g, '~0').replace(/\//g, '~1') : key);
  }
  return `/${keys.reverse().join('/')}`;
}

const fail = (where: Where, reason: string): never => {
  throw new SnapshotError(`${pointer(where)}: ${reason}`);
};


export interface LoadOptions {
  /**
   * The member policy of the tenant the document is loaded into (its `memberPolicy`): members that name no
   * resource load as stored under "accept" and are refused under the others. Default "reject": a caller that does
   * not say refuses them.
   */
  memberPolicy?: MemberPolicy;
}

/**
 * Checks a parsed snapshot document, its custom schemas and every resource in it; throws an Error naming the JSON
 * pointer that is wrong. The snapshot returned holds the document's resources in the store's compact form.
 */
export function fromDocument(value: unknown, load: LoadOptions = {}): StoreSnapshot {
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
  const root: Where = { key: 'resources' };
  for (const [type, list] of Object.entries(value.resources)) {
    if (typeNames.get(type.toLowerCase()) !== type) throw new Error(`${pointer(at(root, type))}: there is no resource type "${type}" (known: ${[...typeNames.values()].join(', ')})`);
    if (!Array.isArray(list)) throw new Error(`${pointer(at(root, type))}: must be an array`);
    resources[type] = list as Resource[];
  }
  checkResources(resources, root, (name) => registry.resourceType(name)!, load.memberPolicy ?? 'reject');
  // Strings that repeat across the document (member ids and names, addresses, schema URNs) become one string.
  const share = sharedWithin(new Map());
  for (const list of Object.values(resources)) for (const resource of list) compactResource(resource, { share });
  if (custom.schemas.length || custom.resourceTypes.length) {
    return { sequence: value.sequence as number, schemas: custom.schemas, resourceTypes: custom.resourceTypes, resources };
  }
  return { sequence: value.sequence as number, resources };
}

/** Where a resource is: its type and its index. */
interface Place {
  type: string;
  index: number;
}

/** Every resource of the document: each on its own, then what they must agree on (unique values, members). */
function checkResources(resources: Record<string, Resource[]>, root: Where, schemaOf: (type: string) => ResourceSchema, memberPolicy: MemberPolicy): void {
  const where = (place: Place) => at(at(root, place.type), place.index);
  const owners = new Map<string, Place>();
  for (const [type, list] of Object.entries(resources)) {
    const schema = schemaOf(type);
    const unique = schema.coreAttributes
      .filter((def) => def.uniqueness !== 'none' && def.type === 'string' && !def.multiValued && def.name !== 'id')
      .map((def) => ({ def, seen: new Map<string, number>() }));
    for (let index = 0; index < list.length; index++) {
      const resource = list[index];
      const place = { type, index };
      checkResource(schema, resource, where(place));
      const id = resource.id as string;
      const owner = owners.get(id);
      if (owner) fail(at(where(place), 'id'), `"${id}" is already the id of ${pointer(where(owner))}; ids are unique across all resources`);
      owners.set(id, place);
      for (const { def, seen } of unique) {
        const v = resource[def.name];
        if (typeof v !== 'string') continue;
        const key = def.caseExact ? v : v.toLowerCase();
        const other = seen.get(key);
        if (other !== undefined) fail(at(where(place), def.name), `"${v}" is also the ${def.name} of ${pointer(where({ type, index: other }))} (${def.name} is unique${def.caseExact ? '' : ', compared case-insensitively'})`);
        seen.set(key, index);
      }
    }
  }
  // Group members as the service keeps them: each once, never the group itself, and a value that names a resource
  // of the declared type (or a User or Group when none is declared; src/scim/service.ts memberTypeOf). A value that
  // names nothing is an unknown member: the member policy decides (see the module comment).
  for (const [type, list] of Object.entries(resources)) {
    if (schemaOf(type).core.id !== GROUP_SCHEMA_ID) continue;
    list.forEach((group, index) => {
      if (!Array.isArray(group.members)) return;
      const values = new Set<string>();
      (group.members as Record<string, unknown>[]).forEach((member, j) => {
        const here = () => at(at(where({ type, index }), 'members'), j);
        const value = member.value;
        if (typeof value !== 'string' || value === '') fail(here(), 'needs a "value": the id of the member');
        if (value === group.id) fail(at(here(), 'value'), 'is the group itself; a group cannot be a member of itself');
        if (values.has(value as string)) fail(at(here(), 'value'), `"${value}" is a member already (each member is listed once)`);
        values.add(value as string);
        const owner = owners.get(value as string);
        const declared = member.type;
        const wanted = typeof declared === 'string' ? declared.toLowerCase() : undefined;
        const named = owner && (owner.type === 'User' || owner.type === 'Group' || owner.type.toLowerCase() === wanted) ? owner : undefined;
        if (named && wanted !== undefined && wanted !== named.type.toLowerCase()) {
          fail(at(here(), 'type'), `must be "${named.type}": "${value}" is the id of ${pointer(where(named))}`);
        }
        if (named || memberPolicy === 'accept') return;
        const names = wanted === undefined || wanted === 'user' || wanted === 'group' ? 'no User or Group' : `no ${String(declared)}`;
        fail(at(here(), 'value'), `"${value}" is the id of ${names} in the snapshot, and the member policy "${memberPolicy}" keeps no such member (under "accept" it loads as stored)`);
      });
    });
  }
}

const META_KEYS = ['resourceType', 'created', 'lastModified', 'version'];
const WEAK_ETAG = /^W\/".*"$/;

/** One resource as the store keeps it (see the module comment). */
function checkResource(schema: ResourceSchema, resource: unknown, where: Where): asserts resource is Resource {
  if (!isPlainObject(resource)) fail(where, `must be a ${schema.name} resource (a JSON object)`);
  const r = resource as Resource;
  if (typeof r.id !== 'string' || r.id === '') fail(at(where, 'id'), 'must be a non-empty string');
  checkMeta(schema, r.meta, at(where, 'meta'));

  const schemas = r.schemas;
  if (!Array.isArray(schemas) || !schemas.includes(schema.core.id)) fail(at(where, 'schemas'), `must be an array of schema URNs that includes "${schema.core.id}"`);
  (schemas as unknown[]).forEach((urn, i) => {
    if (urn !== schema.core.id && (typeof urn !== 'string' || schema.extension(urn)?.id !== urn)) {
      fail(at(at(where, 'schemas'), i), `must be "${schema.core.id}" or one of the extensions of the ${schema.name} resource type (${schema.extensions.map((e) => `"${e.id}"`).join(', ') || 'it has none'})`);
    }
    if ((schemas as unknown[]).indexOf(urn) !== i) fail(at(at(where, 'schemas'), i), `repeats "${urn}"`);
  });

  for (const key of Object.keys(r)) {
    if (key === 'schemas' || key === 'id' || key === 'meta') continue;
    const value = r[key];
    const def = exactly(schema.coreAttributes, key);
    if (def) {
      checkAttribute(def, value, at(where, key), true);
      continue;
    }
    const ext = schema.extension(key);
    if (ext) {
      if (key !== ext.id) fail(at(where, key), `must be spelled "${ext.id}"`);
      if (!(schemas as string[]).includes(ext.id)) fail(at(where, key), `the resource has attributes of "${ext.id}", so its "schemas" must list it`);
      checkAttributes(ext.attributes, value, at(where, key), `the extension "${ext.id}"`, true);
      continue;
    }
    const spelled = schema.coreAttribute(key);
    fail(at(where, key), spelled ? `must be spelled "${spelled.name}"` : `is not an attribute of the ${schema.name} resource type`);
  }
  checkRequired(schema.core.attributes, r, where, `a ${schema.name}`);
  for (const ref of schema.resourceType.schemaExtensions) {
    if (ref.required && r[ref.schema] === undefined) fail(where, `has no "${ref.schema}", which the ${schema.name} resource type requires`);
  }
}

/** The definition named exactly `name` (stored resources use canonical names). */
function exactly(defs: readonly AttributeDef[] | undefined, name: string): AttributeDef | undefined {
  if (defs) for (const def of defs) if (def.name === name) return def;
  return undefined;
}

function checkMeta(schema: ResourceSchema, meta: unknown, where: Where): void {
  if (!isPlainObject(meta)) fail(where, 'must be an object with resourceType, created, lastModified and version');
  const m = meta as Record<string, unknown>;
  for (const key of Object.keys(m)) if (!META_KEYS.includes(key)) fail(at(where, key), `is not kept: meta holds ${META_KEYS.join(', ')} (the server adds location)`);
  if (m.resourceType !== schema.name) fail(at(where, 'resourceType'), `must be "${schema.name}"`);
  for (const key of ['created', 'lastModified']) {
    if (typeof m[key] !== 'string' || !isDateTime(m[key] as string)) fail(at(where, key), 'must be an RFC 3339 date-time such as "2011-05-13T04:42:34Z"');
  }
  if (typeof m.version !== 'string' || !WEAK_ETAG.test(m.version)) fail(at(where, 'version'), 'must be a weak ETag such as W/"1"');
}

/** The attributes of an extension object (`topLevel`) or of a complex value. */
function checkAttributes(defs: readonly AttributeDef[], value: unknown, where: Where, owner: string, topLevel = false): void {
  if (!isPlainObject(value)) fail(where, 'must be an object');
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 0) fail(where, 'must not be empty: leave out what has no value');
  for (const key of keys) {
    const def = exactly(defs, key);
    if (def) checkAttribute(def, obj[key], at(where, key), topLevel);
    else {
      const spelled = findAttribute(defs, key);
      fail(at(where, key), spelled ? `must be spelled "${spelled.name}"` : `is not an attribute of ${owner}`);
    }
  }
  checkRequired(defs, obj, where, owner);
}

/**
 * One attribute's value. A stored resource holds no readOnly attribute but id and meta (`topLevel`): the others
 * (User.groups) are computed when it is read. Sub-attributes may be readOnly (a manager's displayName).
 */
function checkAttribute(def: AttributeDef, value: unknown, where: Where, topLevel = false): void {
  if (topLevel && def.mutability === 'readOnly') fail(where, 'is computed by the server (readOnly), so a snapshot does not hold it');
  if (value === null || (Array.isArray(value) && value.length === 0)) fail(where, 'must have a value: leave out an attribute that has none');
  if (!def.multiValued) {
    if (Array.isArray(value)) fail(where, `must not be an array: "${def.name}" is single-valued`);
    checkSingle(def, value, where);
    return;
  }
  if (!Array.isArray(value)) fail(where, `must be an array: "${def.name}" is multi-valued`);
  const values = value as unknown[];
  let primaries = 0;
  for (let i = 0; i < values.length; i++) {
    const element = values[i];
    checkSingle(def, element, at(where, i));
    if (isPlainObject(element) && element.primary === true) primaries++;
  }
  if (primaries > 1) fail(where, 'has more than one value with "primary": true (RFC 7643 section 2.4 allows one)');
}

function checkSingle(def: AttributeDef, value: unknown, where: Where): void {
  if (def.type === 'complex') {
    checkAttributes(def.subAttributes ?? [], value, where, `"${def.name}"`);
    return;
  }
  // Binary values as the service stored them before their base64 was checked strictly still load.
  const expected = expectedType(def, value, true);
  if (expected !== undefined) fail(where, `must be ${expected}`);
}

/** Required attributes (but the readOnly ones, which are the server's) are present. */
function checkRequired(defs: readonly AttributeDef[], obj: Record<string, unknown>, where: Where, owner: string): void {
  for (const def of defs) {
    if (def.required && def.mutability !== 'readOnly' && obj[def.name] === undefined) fail(at(where, def.name), `is required for ${owner}`);
  }
}
