/**
 * The snapshot document: the whole state of one tenant as JSON. It is the format of `--data` files, of
 * `scimulator seed --out`, and of the control API's snapshot endpoints.
 */
import { isPlainObject } from '../scim/attributes.js';
import type { ResourceTypeDef, SchemaDef } from '../scim/schemas/types.js';
import type { Resource } from '../scim/validate.js';
import { checkCustomSchemas, resourceTypeNames, SchemaDefinitionError } from '../scim/schemas/custom.js';
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

/** Checks the shape of a parsed snapshot document; throws an Error naming the JSON pointer that is wrong. */
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
  const resources: Record<string, Resource[]> = {};
  for (const [type, list] of Object.entries(value.resources)) {
    if (typeNames.get(type.toLowerCase()) !== type) throw new Error(`/resources/${type}: there is no resource type "${type}" (known: ${[...typeNames.values()].join(', ')})`);
    if (!Array.isArray(list)) throw new Error(`/resources/${type}: must be an array`);
    list.forEach((resource, i) => {
      if (!isPlainObject(resource) || typeof resource.id !== 'string' || !resource.id) {
        throw new Error(`/resources/${type}/${i}: must be a resource object with a string "id"`);
      }
      if (!isPlainObject(resource.meta) || typeof resource.meta.version !== 'string') {
        throw new Error(`/resources/${type}/${i}/meta: must carry resourceType, created, lastModified and version`);
      }
    });
    resources[type] = list as Resource[];
  }
  if (custom.schemas.length || custom.resourceTypes.length) {
    return { sequence: value.sequence as number, schemas: custom.schemas, resourceTypes: custom.resourceTypes, resources };
  }
  return { sequence: value.sequence as number, resources };
}
