/**
 * Pagination drift (the `drift` action): before a list or search page of one resource type is answered, resources of
 * that type are really deleted and created, as other clients of a busy target would do while a connector walks it.
 *
 * - Deleted first: the first `delete` resources of the listing (the request's filter and sort, first page), i.e.
 *   resources an index walk has already seen: every later page shifts back, and the walk skips that many.
 * - Then created: `insert` resources from the tenant's seeded generator (Users and Groups from the faker
 *   directory generator, other types from their schema's required attributes), placed first in creation order:
 *   every later page of an index walk shifts forward, and the walk sees that many resources again.
 * A cursor walk (RFC 9865) is keyed on positions, not offsets, so it neither repeats nor skips.
 *
 * Everything is drawn from the tenant's seeded generator: the same seed and the same requests drift the same way.
 */
import type { ResourceSchema } from '../scim/attributes.js';
import { ScimError } from '../scim/errors.js';
import type { ListRequest } from '../scim/list.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID } from '../scim/schemas/core.js';
import type { AttributeDef } from '../scim/schemas/types.js';
import type { ScimService } from '../scim/service.js';
import type { Resource } from '../scim/validate.js';
import type { FaultView } from './view.js';

export interface DriftOutcome {
  inserted: string[];
  deleted: string[];
}

/** Attempts to create one drift resource whose unique values clash with existing ones. */
const MAX_ATTEMPTS = 5;

type Generator = typeof import('../seed/generate.js');
let generator: Generator | undefined;

/** The faker generator is loaded on first use only (a server that never drifts never pays for it). */
async function loadGenerator(): Promise<Generator> {
  generator ??= await import('../seed/generate.js');
  return generator;
}

/**
 * Deletes, then creates, resources of `typeName` (see the module comment). `request` is the list request being
 * answered (its filter and sort choose what is deleted); a request that does not parse deletes nothing.
 */
export async function applyDrift(
  service: ScimService,
  view: FaultView,
  typeName: string,
  request: ListRequest | undefined,
  counts: { insert: number; delete: number },
): Promise<DriftOutcome> {
  const type = service.resourceType(typeName);
  const deleted = counts.delete > 0 && request ? deleteFirst(service, type, request, counts.delete) : [];
  const inserted: string[] = [];
  if (counts.insert > 0) {
    const bodies = await driftBodies(service, type, counts.insert);
    for (const body of bodies) {
      const id = createUnique(service, type, body);
      if (id !== undefined) inserted.push(id);
    }
    view.placeFirst(type.name, inserted);
  }
  return { inserted, deleted };
}

function deleteFirst(service: ScimService, type: ResourceSchema, request: ListRequest, n: number): string[] {
  let ids: string[];
  try {
    const { filter, sortBy, sortOrder } = request;
    const first = service.query([type.name], { filter, sortBy, sortOrder, startIndex: 1, count: n }, {
      limits: { defaultPageSize: n, maxPageSize: n, cursorTimeout: 0 },
      cursorSecret: 'drift',
    });
    ids = first.entries.map((e) => e.resource.id as string);
  } catch (err) {
    if (err instanceof ScimError) return []; // the real handler answers the request's error
    throw err;
  }
  const deleted: string[] = [];
  for (const id of ids) {
    try {
      service.delete(type.name, id);
      deleted.push(id);
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
    }
  }
  return deleted;
}

/** Creates a resource, changing its unique values on a uniqueness clash; undefined when it cannot be created. */
function createUnique(service: ScimService, type: ResourceSchema, body: Resource): string | undefined {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    try {
      return service.create(type.name, attempt === 0 ? body : distinct(body, service.random.nextUint32().toString(36)))
        .id as string;
    } catch (err) {
      if (!(err instanceof ScimError)) throw err;
      if (err.status !== 409) return undefined;
    }
  }
  return undefined;
}

/** The body with its usual unique values (userName, displayName, externalId) made distinct by a suffix. */
function distinct(body: Resource, suffix: string): Resource {
  const out: Resource = { ...body };
  if (typeof out.userName === 'string') {
    const at = out.userName.lastIndexOf('@');
    out.userName = at > 0 ? `${out.userName.slice(0, at)}.${suffix}${out.userName.slice(at)}` : `${out.userName}.${suffix}`;
  }
  if (typeof out.displayName === 'string' && out.userName === undefined) out.displayName = `${out.displayName} ${suffix}`;
  if (typeof out.externalId === 'string') out.externalId = `${out.externalId}-${suffix}`;
  return out;
}

async function driftBodies(service: ScimService, type: ResourceSchema, n: number): Promise<Resource[]> {
  const seed = service.random.nextUint32();
  if (type.core.id === USER_SCHEMA_ID || type.core.id === GROUP_SCHEMA_ID) {
    const { generateDirectory } = await loadGenerator();
    const isUser = type.core.id === USER_SCHEMA_ID;
    const directory = generateDirectory({ seed, users: isUser ? n : 0, groups: isUser ? 0 : n, nestedGroups: false });
    return (isUser ? directory.users : directory.groups).map(withoutServerFields);
  }
  return Array.from({ length: n }, () => schemaBody(service, type));
}

/** A generated resource as a POST body: no id, meta or references to resources of the generated directory. */
function withoutServerFields(resource: Resource): Resource {
  const { id: _id, meta: _meta, members: _members, ...body } = resource;
  const enterprise = body[ENTERPRISE_USER_SCHEMA_ID];
  if (enterprise && typeof enterprise === 'object') {
    const { manager: _manager, ...rest } = enterprise as Record<string, unknown>;
    body[ENTERPRISE_USER_SCHEMA_ID] = rest;
  }
  return body;
}

/** A body for another resource type: its required (writable) core attributes, filled from the seeded generator. */
function schemaBody(service: ScimService, type: ResourceSchema): Resource {
  const body: Resource = { schemas: [type.core.id] };
  for (const def of type.core.attributes) {
    if (def.required && def.mutability !== 'readOnly') body[def.name] = fill(def, service);
  }
  return body;
}

function fill(def: AttributeDef, service: ScimService, depth = 0): unknown {
  let value: unknown;
  if (def.canonicalValues?.length) value = def.canonicalValues[0];
  else {
    switch (def.type) {
      case 'boolean':
        value = false;
        break;
      case 'integer':
      case 'decimal':
        value = service.random.int(1, 1_000_000);
        break;
      case 'dateTime':
        value = new Date(service.clock.now()).toISOString();
        break;
      case 'complex': {
        const out: Record<string, unknown> = {};
        const subs = def.subAttributes ?? [];
        const wanted = subs.filter((s) => s.required);
        for (const sub of wanted.length ? wanted : subs.filter((s) => s.name === 'value')) {
          if (depth < 4) out[sub.name] = fill(sub, service, depth + 1);
        }
        value = out;
        break;
      }
      default:
        value = `drift-${service.random.nextUint32().toString(16).padStart(8, '0')}`;
    }
  }
  return def.multiValued ? [value] : value;
}
