/**
 * The SCIM operations (RFC 7644 section 3) over a repository: create, get, replace, delete, list, and the
 * rendering of a stored resource into its response shape. Pure: no HTTP, no I/O, time from the clock.
 */
import { isPlainObject, type ResolvedAttribute, type ResourceSchema } from './attributes.js';
import type { Clock } from './clock.js';
import { ScimError, badRequest, notFound } from './errors.js';
import { listResources, type ListOptions, type ListRequest, type ListResult } from './list.js';
import { applyPatch, parsePatchRequest, type PatchOutcome, type PatchWarning, type ValueListDelta } from './patch.js';
import { Projection, type ProjectionRequest } from './project.js';
import type { SeededRandom } from './random.js';
import type { ResourceRepository } from './repository.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID } from './schemas/core.js';
import type { SchemaRegistry } from './schemas/registry.js';
import { validateResource, type Resource } from './validate.js';

export interface ServiceOptions {
  /** Reject a Group whose displayName another Group has (RFC 7643 leaves this to the service provider). */
  groupDisplayNameUnique: boolean;
  /** Most operations one PatchOp may carry (400 above). */
  maxPatchOperations?: number;
}

export interface Preconditions {
  /** The If-Match header value (RFC 7644 section 3.14). */
  ifMatch?: string;
}

export const DEFAULT_SERVICE_OPTIONS: ServiceOptions = { groupDisplayNameUnique: false };

/** Strips the weak prefix: SCIM versions are weak ETags, compared by their opaque tag. */
const opaqueTag = (etag: string) => etag.trim().replace(/^W\//i, '');

/** Does an If-Match / If-None-Match header value match a version? ("*" matches any existing version.) */
export function etagMatches(header: string, version: string): boolean {
  const wanted = opaqueTag(version);
  return header.split(',').some((tag) => tag.trim() === '*' || opaqueTag(tag) === wanted);
}

export class ScimService {
  constructor(
    readonly registry: SchemaRegistry,
    readonly repo: ResourceRepository,
    readonly clock: Clock,
    readonly random: SeededRandom,
    public options: ServiceOptions = { ...DEFAULT_SERVICE_OPTIONS },
  ) {}

  resourceType(name: string): ResourceSchema {
    const type = this.registry.resourceType(name);
    if (!type) throw notFound(`There is no resource type "${name}".`);
    return type;
  }

  get(typeName: string, id: string): Resource {
    const type = this.resourceType(typeName);
    const resource = this.repo.get(type.name, id);
    if (!resource) throw notFound(`${type.name} "${id}" not found.`);
    return resource;
  }

  create(typeName: string, body: unknown): Resource {
    const type = this.resourceType(typeName);
    const validated = validateResource(type, body);
    this.checkReferences(type, validated, undefined);
    this.checkUniqueness(type, validated, undefined);
    const now = new Date(this.clock.now()).toISOString();
    let id = this.random.uuid();
    while (this.repo.get(type.name, id)) id = this.random.uuid();
    const resource = this.stamp(type, id, validated, now, now);
    this.repo.put(type.name, resource);
    return resource;
  }

  replace(typeName: string, id: string, body: unknown, preconditions: Preconditions = {}): Resource {
    const type = this.resourceType(typeName);
    const existing = this.get(type.name, id);
    this.checkPrecondition(existing, preconditions);
    const validated = validateResource(type, body, { existing });
    return this.commit(type, existing, validated);
  }

  /**
   * PATCH (RFC 7644 section 3.5.2): the operations of a PatchOp body applied all or nothing (src/scim/patch.ts).
   * A result equal to the stored resource is not committed: same version, same lastModified.
   */
  patch(typeName: string, id: string, body: unknown, preconditions: Preconditions = {}, onWarning?: (warning: PatchWarning) => void): Resource {
    const type = this.resourceType(typeName);
    const existing = this.get(type.name, id);
    this.checkPrecondition(existing, preconditions);
    const operations = parsePatchRequest(body, this.options.maxPatchOperations);
    const isGroup = type.core.id === GROUP_SCHEMA_ID;
    const isMembers = (attribute: ResolvedAttribute) => isGroup && !attribute.inExtension && attribute.attribute.name === 'members';
    const outcome = applyPatch(type, existing, operations, {
      onWarning,
      // Membership of a group is answered by the store's membership index, not by a scan of its members.
      storedContains: (attribute, value) => (isMembers(attribute) ? this.repo.groupsContaining(value).has(id) : undefined),
      // Members added to a group are appended to the stored list when the PATCH commits (no copy of the list).
      appendLater: isMembers,
    });
    if (!outcome.changed) return existing;
    return this.commit(type, existing, outcome.next, isGroup ? outcome.deltas.get('members') : undefined, outcome.appended);
  }

  /**
   * Stores `next` (an already validated stored shape without id/meta) as the new state of `existing`, after
   * the reference and uniqueness checks. Used by PUT, PATCH and Bulk. With `members` (the members added and
   * removed by a PATCH), only the added members are checked and the store updates its index incrementally.
   */
  commit(type: ResourceSchema, existing: Resource, next: Resource, members?: ValueListDelta, appended?: PatchOutcome['appended']): Resource {
    const id = existing.id as string;
    if (members) this.checkAddedMembers(members.added, id);
    else this.checkReferences(type, next, id);
    this.checkUniqueness(type, next, id);
    // Every check passed: the values a PATCH left to append join their (stored) list now.
    for (const [path, values] of appended ?? []) next[path] = this.repo.appendToList(next[path] as unknown[], values);
    const created = (existing.meta as Record<string, unknown>).created as string;
    const resource = this.stamp(type, id, next, created, new Date(this.clock.now()).toISOString());
    this.repo.put(type.name, resource, members && { added: members.added.map((m) => m.value as string), removed: members.removed });
    return resource;
  }

  delete(typeName: string, id: string, preconditions: Preconditions = {}): void {
    const type = this.resourceType(typeName);
    const existing = this.get(type.name, id);
    this.checkPrecondition(existing, preconditions);
    // Remove the resource from every group that lists it, so no member ever points at nothing.
    const groupType = this.groupType();
    if (groupType) {
      const now = new Date(this.clock.now()).toISOString();
      for (const groupId of [...this.repo.groupsContaining(id)]) {
        const group = this.repo.get(groupType.name, groupId);
        if (!group || groupId === id) continue;
        const members = (group.members as Record<string, unknown>[]).filter((m) => m.value !== id);
        const { id: _id, meta, schemas: _schemas, ...rest } = group;
        const updated = this.stamp(groupType, groupId, { schemas: group.schemas, ...rest, members }, (meta as Record<string, string>).created!, now);
        if (members.length === 0) delete updated.members;
        this.repo.put(groupType.name, updated);
      }
    }
    this.repo.remove(type.name, id);
  }

  /**
   * Filters, sorts and paginates the resources of one or more types (RFC 7644 3.4.2, RFC 9865); see list.ts.
   * Several types make a root query (GET / and POST /.search).
   */
  query(typeNames: readonly string[], request: ListRequest, options: Omit<ListOptions, 'repo' | 'clock'>): ListResult {
    const types = typeNames.map((name) => this.resourceType(name));
    return listResources(types, request, { ...options, repo: this.repo, clock: this.clock });
  }

  /** Throws 412 when an If-Match header does not match the current version. */
  checkPrecondition(existing: Resource, preconditions: Preconditions): void {
    if (preconditions.ifMatch === undefined) return;
    const version = (existing.meta as Record<string, string>).version!;
    if (!etagMatches(preconditions.ifMatch, version)) {
      throw new ScimError(412, undefined, `Precondition failed: the resource is at version ${version}, but If-Match asked for ${preconditions.ifMatch}. Read the resource again and retry with its current ETag.`);
    }
  }

  /** The resource as a response carries it: location, member $refs, User.groups, then projection. */
  render(typeName: string, resource: Resource, baseUrl: string, projection?: ProjectionRequest | Projection): Resource {
    const type = this.resourceType(typeName);
    const meta = resource.meta as Record<string, unknown>;
    const p = projection instanceof Projection ? projection : new Projection(type, projection);
    const out: Resource = { ...resource, meta: { ...meta, location: `${baseUrl}${type.resourceType.endpoint}/${resource.id}` } };
    // Computed attributes are computed only when the projection keeps them.
    if (Array.isArray(resource.members) && p.mayInclude('members')) out.members = resource.members.map((m) => this.renderMember(m, baseUrl));
    if (type.core.id === USER_SCHEMA_ID && p.mayInclude('groups')) {
      const groups = this.groupsOf(resource.id as string, baseUrl);
      if (groups.length) out.groups = groups;
    }
    return p.apply(out);
  }

  /** Direct and indirect group memberships of a resource, as the readOnly User.groups attribute. */
  groupsOf(id: string, baseUrl: string): Record<string, unknown>[] {
    const groupType = this.groupType();
    if (!groupType) return [];
    const result: Record<string, unknown>[] = [];
    const seen = new Set<string>([id]);
    let frontier = [...this.repo.groupsContaining(id)];
    let kind: 'direct' | 'indirect' = 'direct';
    while (frontier.length) {
      const next: string[] = [];
      for (const groupId of frontier) {
        if (seen.has(groupId)) continue;
        seen.add(groupId);
        const group = this.repo.get(groupType.name, groupId);
        if (!group) continue;
        result.push({ value: groupId, $ref: `${baseUrl}${groupType.resourceType.endpoint}/${groupId}`, display: group.displayName, type: kind });
        next.push(...this.repo.groupsContaining(groupId));
      }
      frontier = next;
      kind = 'indirect';
    }
    return result;
  }

  private renderMember(member: unknown, baseUrl: string): unknown {
    if (!isPlainObject(member) || typeof member.value !== 'string') return member;
    const memberType = member.type === 'Group' ? this.groupType() : this.registry.resourceType(typeof member.type === 'string' ? member.type : 'User');
    if (!memberType) return member;
    const out: Record<string, unknown> = { ...member, $ref: `${baseUrl}${memberType.resourceType.endpoint}/${member.value}` };
    if (out.display === undefined) {
      const target = this.repo.get(memberType.name, member.value);
      const display = target?.displayName ?? target?.userName;
      if (display !== undefined) out.display = display;
    }
    return out;
  }

  private groupType(): ResourceSchema | undefined {
    return this.registry.resourceTypes().find((t) => t.core.id === GROUP_SCHEMA_ID);
  }

  private stamp(type: ResourceSchema, id: string, body: Resource, created: string, lastModified: string): Resource {
    const { schemas, ...attributes } = body;
    return {
      schemas,
      id,
      ...attributes,
      meta: {
        resourceType: type.name,
        created,
        lastModified,
        version: `W/"${this.repo.nextSequence()}"`,
      },
    };
  }

  /**
   * Group members must name existing Users or Groups (RFC 7643 section 4.2); `type` is filled in or checked.
   */
  private checkReferences(type: ResourceSchema, resource: Resource, selfId: string | undefined): void {
    if (type.core.id !== GROUP_SCHEMA_ID || !Array.isArray(resource.members)) return;
    const seen = new Set<string>();
    const members: Record<string, unknown>[] = [];
    for (const member of resource.members as Record<string, unknown>[]) {
      const value = member.value;
      if (typeof value !== 'string' || value === '') {
        throw badRequest('invalidValue', 'Each entry of "members" needs a "value" with the id of a User or Group.');
      }
      if (value === selfId) throw badRequest('invalidValue', `A group cannot be a member of itself (members value "${value}").`);
      if (seen.has(value)) continue; // a repeated member is one member
      seen.add(value);
      const actual = this.memberTypeOf(value, member.type);
      if (!actual) {
        throw badRequest('invalidValue', `members value "${value}" does not reference an existing User or Group.`);
      }
      members.push({ ...member, type: actual });
    }
    resource.members = members;
  }

  /** checkReferences for the members a PATCH adds (fresh objects: their `type` is filled in place). */
  private checkAddedMembers(added: readonly Record<string, unknown>[], selfId: string): void {
    for (const member of added) {
      const value = member.value as string;
      if (value === selfId) throw badRequest('invalidValue', `A group cannot be a member of itself (members value "${value}").`);
      const actual = this.memberTypeOf(value, member.type);
      if (!actual) throw badRequest('invalidValue', `members value "${value}" does not reference an existing User or Group.`);
      member.type = actual;
    }
  }

  private memberTypeOf(id: string, declared: unknown): string | undefined {
    const candidates = typeof declared === 'string' ? [declared] : ['User', 'Group'];
    for (const name of candidates) {
      const type = this.registry.resourceType(name);
      if (type && this.repo.get(type.name, id)) return type.name;
    }
    return undefined;
  }

  private checkUniqueness(type: ResourceSchema, resource: Resource, selfId: string | undefined): void {
    for (const def of type.core.attributes) {
      const unique = def.uniqueness !== 'none' || (this.options.groupDisplayNameUnique && type.core.id === GROUP_SCHEMA_ID && def.name === 'displayName');
      const value = resource[def.name];
      if (!unique || typeof value !== 'string' || !this.repo.isIndexed(type.name, def.name)) continue;
      const clash = this.repo.lookup(type.name, def.name, value).find((id) => id !== selfId);
      if (clash !== undefined) {
        throw new ScimError(409, 'uniqueness', `${def.name} "${value}" is already taken by ${type.name} "${clash}"${def.caseExact ? '' : ' (compared case-insensitively)'}.`);
      }
    }
  }
}
