/**
 * The SCIM operations (RFC 7644 section 3) over a repository: create, get, replace, delete, list, and the
 * rendering of a stored resource into its response shape. Pure: no HTTP, no I/O, time from the clock.
 */
import { isPlainObject, type ResolvedAttribute, type ResourceSchema } from './attributes.js';
import { checkAttributeValues, checkMembersOfWrite, checkMembershipPatch, checkPatchAttributes, checkPatchOperationCounts, checkPatchPaths, checkImmutableAttributes, checkPatchRemoves, checkRefusedAttributes, inactiveMemberError, type MemberAdditionBudget, type TargetCapabilities } from './capabilities.js';
import type { Clock } from './clock.js';
import { ScimError, badRequest, notFound } from './errors.js';
import { listResources, type ComputedAttributes, type ListOptions, type ListRequest, type ListResult } from './list.js';
import { applyListEdit, applyPatch, parsePatchRequest, sameResource, type PatchOutcome, type PatchWarning, type ValueListDelta } from './patch.js';
import { Projection, type ProjectionRequest } from './project.js';
import { RenderCache } from './render-cache.js';
import type { SeededRandom } from './random.js';
import type { MembershipDelta, ResourceRepository } from './repository.js';
import { ENTERPRISE_USER_SCHEMA_ID, GROUP_SCHEMA_ID, USER_SCHEMA_ID } from './schemas/core.js';
import type { SchemaRegistry } from './schemas/registry.js';
import type { AttributeDef } from './schemas/types.js';
import { decodeSegment } from './strings.js';
import { validateResource, type Resource } from './validate.js';

import type { MemberPolicy } from './member-policy.js';

export { MEMBER_POLICIES, type MemberPolicy } from './member-policy.js';

/** Conformance notes of an accepted request (the PATCH engine's, and the member policy's). */
export type ServiceWarning = PatchWarning;
export type WarningSink = (warning: ServiceWarning) => void;

/** Warnings of one code beyond this many per request are summed up in one more warning. */
const MAX_MEMBER_WARNINGS = 20;

export interface ServiceOptions {
  /** Reject a Group whose displayName another Group has (RFC 7643 leaves this to the service provider). */
  groupDisplayNameUnique: boolean;
  /** Most operations one PatchOp may carry (400 above). */
  maxPatchOperations?: number;
  /** Group members that name no resource (default `reject`; tenants default to `accept`). */
  memberPolicy?: MemberPolicy;
  /** What the target supports (src/scim/capabilities.ts); absent: everything RFC 7643/7644 defines. */
  capabilities?: TargetCapabilities;
  /** Does the tenant accept this client deviation (a code of src/profiles/quirks.ts)? Set by the tenant's profile. */
  tolerates?: (code: string) => boolean;
  /** Members each group has gained lately, when the target limits them (capabilities.memberAdditionRate). */
  memberBudget?: MemberAdditionBudget;
}

export interface Preconditions {
  /** The If-Match header value (RFC 7644 section 3.14). */
  ifMatch?: string;
  /** The If-None-Match header value: on a write, a match (or "*") is 412 (RFC 9110 section 13.1.2). */
  ifNoneMatch?: string;
}

export const DEFAULT_SERVICE_OPTIONS: ServiceOptions = { groupDisplayNameUnique: false };

/** Strips the weak prefix: SCIM versions are weak ETags, compared by their opaque tag. */
const opaqueTag = (etag: string) => etag.trim().replace(/^W\//i, '');

/**
 * The URI of a resource: meta.location, the Location header, member and group "$ref"s (RFC 7643 sections 3.1 and
 * 2.3.7: a URI, RFC 3986). The id is one path segment, so it is percent-encoded as one (RFC 3986 section 3.3): ids
 * from a data file or a snapshot, and Group members that name no resource, may hold spaces, "/" or non-ASCII
 * characters, which a URI cannot carry as they are (and a Location header cannot carry beyond Latin-1 at all).
 * Server-made ids (UUIDs) come out as they are.
 */
export function resourceUrl(baseUrl: string, endpoint: string, id: string): string {
  return `${baseUrl}${endpoint}/${uriSegment(id)}`;
}

/** An id as a URI path segment: unreserved characters as they are, every other one percent-encoded (as UTF-8). */
function uriSegment(id: string): string {
  for (let i = 0; i < id.length; i++) {
    const c = id.charCodeAt(i);
    const unreserved = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
    if (!unreserved) return encodeSegment(id);
  }
  return id;
}

function encodeSegment(id: string): string {
  try {
    return encodeURIComponent(id);
  } catch {
    // A lone surrogate (JSON allows "\ud800") has no UTF-8 form; it is sent as U+FFFD, as TextEncoder would.
    return encodeURIComponent(id.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'));
  }
}

/** The members of an If-Match / If-None-Match value: "*", entity tags as opaque tags (quotes kept), and the rest. */
interface EntityTagList {
  star: boolean;
  /** Opaque tags (`"3"` of `W/"3"`), compared weakly as SCIM versions are. */
  tags: string[];
  /** Members that are not entity tags (an unquoted 3, a tag without its closing quote). */
  malformed: string[];
}

/**
 * Splits a conditional header's value into its members (RFC 9110 section 13.1.1: `"*" / #entity-tag`). A comma
 * separates members only outside a tag: an opaque tag may hold commas (section 8.8.3, etagc = %x21 / %x23-7E /
 * obs-text), so `"a,*,b"` is one tag, not a `*` between two halves. Empty members (and an empty value) count for
 * nothing (section 5.6.1). W/ is taken in either letter case.
 */
function entityTags(header: string): EntityTagList {
  const list: EntityTagList = { star: false, tags: [], malformed: [] };
  const n = header.length;
  let i = 0;
  while (i < n) {
    const c = header.charCodeAt(i);
    if (c === 0x2c /* , */ || c === 0x20 || c === 0x09) {
      i++;
      continue;
    }
    const start = i;
    const weak = (c === 0x57 || c === 0x77) /* W w */ && header.charCodeAt(i + 1) === 0x2f; /* / */
    const open = weak ? i + 2 : i;
    if (header.charCodeAt(open) === 0x22 /* " */) {
      const close = header.indexOf('"', open + 1);
      if (close > 0) {
        // A tag is followed by the end, optional whitespace and a comma: anything else makes the member malformed.
        let after = close + 1;
        while (after < n && (header.charCodeAt(after) === 0x20 || header.charCodeAt(after) === 0x09)) after++;
        if (after === n || header.charCodeAt(after) === 0x2c) {
          list.tags.push(header.slice(open, close + 1));
          i = after;
          continue;
        }
      }
    }
    // Not an entity tag: the member runs to the next comma.
    let end = header.indexOf(',', start);
    if (end < 0) end = n;
    const member = header.slice(start, end).trim();
    if (member === '*') list.star = true;
    else list.malformed.push(member);
    i = end;
  }
  return list;
}

/** A hint for members of a conditional header that are not entity tags (RFC 9110 8.8.3: a quoted string, W/ for weak). */
function malformedTags(header: string): string {
  const bad = entityTags(header).malformed;
  return bad.length === 0 ? '' : ` ${bad.map((t) => `"${t}"`).join(', ')} ${bad.length === 1 ? 'is' : 'are'} not an entity tag: an ETag is sent as it was received, quotes included (e.g. W/"3"), RFC 9110 section 8.8.3.`;
}

/**
 * Does an If-Match / If-None-Match header value match a version? ("*" matches any existing version; an empty value
 * is an empty list, which matches none: RFC 9110 13.1.1, "the condition is true if any of the listed tags match".)
 */
export function etagMatches(header: string, version: string): boolean {
  const list = entityTags(header);
  if (list.star) return true;
  const wanted = opaqueTag(version);
  return list.tags.includes(wanted);
}

const MANAGER_REF = `${ENTERPRISE_USER_SCHEMA_ID}:manager.$ref`;
const MANAGER_DISPLAY_NAME = `${ENTERPRISE_USER_SCHEMA_ID}:manager.displayName`;
const USER_COMPUTED: readonly string[] = Object.freeze(['groups', 'meta.version', MANAGER_REF, MANAGER_DISPLAY_NAME]);
const NONE_COMPUTED: readonly string[] = Object.freeze([]);

export class ScimService {
  /**
   * Rendered JSON of resources (see render-cache.ts). Emptied by every write of this service and whenever the
   * capabilities it renders with change; the owner of the store also empties it when the store changes otherwise
   * (a snapshot loaded: the tenant does).
   */
  readonly renders = new RenderCache();
  private readonly plainProjections = new WeakMap<ResourceSchema, Projection>();

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

  create(typeName: string, body: unknown, onWarning?: WarningSink): Resource {
    const type = this.resourceType(typeName);
    if (this.options.capabilities?.refusedAttributes) checkRefusedAttributes(this.options.capabilities, type, body);
    const validated = validateResource(type, body);
    this.checkMemberCount(type, validated);
    this.checkAttributeValues(type, validated);
    this.checkReferences(type, validated, undefined, onWarning);
    this.checkManagerRef(type, validated, undefined, onWarning);
    this.checkUniqueness(type, validated, undefined);
    const clock = this.clock.now();
    // A group's members count against the target's hourly budget of additions (checked before an id is drawn).
    const budget = type.core.id === GROUP_SCHEMA_ID ? this.options.memberBudget : undefined;
    const added = budget && Array.isArray(validated.members) ? validated.members.length : 0;
    budget?.check(undefined, added, clock);
    const now = new Date(clock).toISOString();
    let id = this.random.uuid();
    while (this.repo.get(type.name, id)) id = this.random.uuid();
    const resource = this.stamp(type, id, validated, now, now);
    this.repo.put(type.name, resource);
    // Taken once the group is stored: a create that fails to store takes nothing.
    budget?.record(id, added, clock);
    this.renders.invalidate();
    return resource;
  }

  replace(typeName: string, id: string, body: unknown, preconditions: Preconditions = {}, onWarning?: WarningSink): Resource {
    const type = this.resourceType(typeName);
    const existing = this.get(type.name, id);
    this.checkPrecondition(existing, preconditions);
    if (this.options.capabilities?.refusedAttributes) checkRefusedAttributes(this.options.capabilities, type, body);
    const validated = validateResource(type, body, { existing });
    this.checkMemberCount(type, validated);
    this.checkAttributeValues(type, validated);
    if (this.options.capabilities?.immutableAttributes) checkImmutableAttributes(this.options.capabilities, type, validated, existing);
    return this.commit(type, existing, validated, undefined, onWarning);
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
    const caps = this.options.capabilities;
    // Constraints on what a client may write: not on operations the server wrote for it.
    if (caps) checkPatchPaths(caps, operations.filter((o) => !o.rewritten).map((o) => o.path));
    if (caps?.unremovableAttributes) checkPatchRemoves(caps, type, operations);
    if (caps?.singleOperationAttributes) checkPatchOperationCounts(caps, type, operations);
    if (caps?.patchableAttributes) checkPatchAttributes(caps, type, operations);
    const isGroup = type.core.id === GROUP_SCHEMA_ID;
    const isMembers = (attribute: ResolvedAttribute) => isGroup && !attribute.inExtension && attribute.attribute.name === 'members';
    const outcome = applyPatch(type, existing, operations, {
      onWarning,
      tolerates: this.options.tolerates,
      // Membership of a group is answered by the store's membership index, not by a scan of its members.
      storedContains: (attribute, value) => (isMembers(attribute) ? this.repo.groupsContaining(value).has(id) : undefined),
      // Members added to or removed from a group: the stored list is edited when the PATCH commits (no copy).
      editLater: isMembers,
    });
    const delta = isGroup ? outcome.deltas.get('members') : undefined;
    if (isGroup && caps?.members) {
      // No delta: the members were replaced or removed whole; count what that changes.
      const changes = delta ? delta.added.length + delta.removed.length : memberChanges(existing.members, outcome.next.members);
      checkMembershipPatch(caps, changes, !delta);
    }
    if (!outcome.changed) return existing;
    this.checkAttributeValues(type, outcome.next, existing);
    if (caps?.immutableAttributes) checkImmutableAttributes(caps, type, outcome.next, existing);
    return this.commit(type, existing, outcome.next, delta, onWarning, outcome.listEdits);
  }

  /**
   * Stores `next` (an already validated stored shape without id/meta) as the new state of `existing`, after
   * the reference and uniqueness checks. Used by PUT, PATCH and Bulk. With `members` (the members added and
   * removed by a PATCH), only the added members are checked and the store updates its index incrementally.
   */
  commit(type: ResourceSchema, existing: Resource, next: Resource, members?: ValueListDelta, onWarning?: WarningSink, listEdits?: PatchOutcome['listEdits']): Resource {
    const id = existing.id as string;
    if (members) {
      const dropped = this.checkAddedMembers(members.added, id, onWarning);
      if (dropped.size > 0) {
        // (Rare: the list edits a PATCH left are applied to a copy first, and the copy filtered.)
        for (const [path, edit] of listEdits ?? []) next[path] = applyListEdit(next[path] as unknown[], edit);
        listEdits = undefined;
        // The member policy "drop" discards unknown ids: the result may then equal the stored resource.
        members = { added: members.added.filter((m) => !dropped.has(m.value as string)), removed: members.removed };
        const kept = (next.members as Record<string, unknown>[]).filter((m) => !dropped.has(m.value as string));
        if (kept.length > 0) next.members = kept;
        else delete next.members;
        if (sameResource(existing, next)) return existing;
      }
    } else {
      this.checkReferences(type, next, id, onWarning);
    }
    this.checkManagerRef(type, next, existing, onWarning);
    this.checkUniqueness(type, next, id);
    const now = this.clock.now();
    // The target's budget of members a group may gain, checked last: a refused write stores nothing and takes nothing.
    const budget = type.core.id === GROUP_SCHEMA_ID ? this.options.memberBudget : undefined;
    // Members the group holds already (a PATCH that removes and adds one back) are not additions, as under PUT.
    const added = budget ? (members ? this.membersAdded(id, members.added) : this.membersAdded(id, next.members)) : 0;
    budget?.check(id, added, now);
    const created = (existing.meta as Record<string, unknown>).created as string;
    // A name the groups listing this resource show as its members' display. (Members that join or leave are not
    // written: their version follows their groups through versionOf().)
    const renamed = existing.displayName !== next.displayName || (type.core.id === USER_SCHEMA_ID && existing.userName !== next.userName);
    // Every check passed: the list edits a PATCH left are applied to the stored lists now (in place where the store
    // allows, which changes the stored version's own list). Should stamping or storing fail after that, they are
    // undone: the stored version, its membership index and the budget are then as before the request.
    const edits = listEdits ? this.applyListEdits(next, listEdits) : undefined;
    let resource: Resource;
    try {
      resource = this.stamp(type, id, next, created, this.modifiedAt(existing, now));
      // The groups' new versions are made before anything is stored, and stored with the resource as one write:
      // a rename that fails stores neither the resource nor any group's new version.
      const touched = renamed ? this.touchGroupsOf(id, now) : [];
      const delta = members && { added: members.added.map((m) => m.value as string), removed: members.removed };
      this.putAll(touched, () => this.repo.put(type.name, resource, delta));
    } catch (err) {
      edits?.undo();
      this.renders.invalidate();
      throw err;
    }
    // Stored: the members the group gained are taken from its budget.
    budget?.record(id, added, now);
    this.renders.invalidate();
    return resource;
  }

  /**
   * Stores several resources, then runs `last` (the write they go with), as one write: when a put or `last` throws,
   * `undoEdits` puts back the lists the write edited in place, the resources put before it are put back as they were
   * (`previous`: the stored versions, with `undo`, the delta that leads back to them) and the error is thrown. The
   * store is then as before, but for version numbers drawn and not used. (Each put and remove of the repository
   * applies whole or not at all.)
   */
  private putAll(writes: readonly GroupWrite[], last: () => void, undoEdits?: () => void): void {
    let done = 0;
    try {
      for (; done < writes.length; done++) {
        const write = writes[done]!;
        this.repo.put(write.type, write.resource, write.members);
      }
      last();
    } catch (err) {
      undoEdits?.();
      for (let i = done - 1; i >= 0; i--) {
        const write = writes[i]!;
        try {
          this.repo.put(write.type, write.previous, write.undo);
        } catch {
          // A store that refuses the version it held a moment ago: the next ones are put back all the same.
        }
      }
      throw err;
    }
  }

  /**
   * The list edits a PATCH left, applied through the store's editList (which edits a stored list in place when only
   * its current version holds it: W5's O(1) member add). Returns how to put back the lists edited in place, from
   * what the edit removed (kept here: O(removed)) and how many it appended.
   */
  private applyListEdits(next: Resource, listEdits: NonNullable<PatchOutcome['listEdits']>): { undo(): void } {
    const inPlace: Array<{ list: unknown[]; removed: readonly number[]; values: unknown[]; appended: number }> = [];
    for (const [path, edit] of listEdits) {
      const list = next[path] as unknown[];
      const values = edit.removed.map((i) => list[i]);
      const edited = this.repo.editList(list, edit.removed, edit.appended);
      next[path] = edited;
      if (edited === list) inPlace.push({ list, removed: edit.removed, values, appended: edit.appended.length });
    }
    return {
      undo: () => {
        for (const { list, removed, values, appended } of inPlace.reverse()) {
          list.length -= appended;
          // Ascending indexes: each value goes back where it was, the ones before it being back already.
          for (let i = 0; i < removed.length; i++) list.splice(removed[i]!, 0, values[i]);
        }
      },
    };
  }

  delete(typeName: string, id: string, preconditions: Preconditions = {}): void {
    const type = this.resourceType(typeName);
    const existing = this.get(type.name, id);
    this.checkPrecondition(existing, preconditions);
    // A target that keeps deleted accounts deactivated (Slack's Users): DELETE is "active": false.
    if (this.options.capabilities?.deactivateOnDelete?.includes(type.name) && type.coreAttribute('active')) {
      if (existing.active === false) return;
      const { id: _id, meta: _meta, ...rest } = existing;
      this.commit(type, existing, { ...rest, active: false });
      return;
    }
    // Remove the resource from every group that lists it, so no member ever points at nothing: each group's next
    // version is made first (nothing shared changes until all are), then the lists are edited and the groups stored
    // with the removal as one write.
    const groupType = this.groupType();
    const now = this.clock.now();
    const writes: GroupWrite[] = [];
    const removed: Array<readonly number[]> = [];
    if (groupType) {
      for (const groupId of [...this.repo.groupsContaining(id)]) {
        const group = this.repo.get(groupType.name, groupId);
        if (!group || groupId === id) continue;
        const list = group.members as Record<string, unknown>[];
        const at: number[] = [];
        for (let i = 0; i < list.length; i++) if ((list[i] as Record<string, unknown> | undefined)?.value === id) at.push(i);
        const { id: _id, meta, schemas: _schemas, ...rest } = group;
        const updated = this.stamp(groupType, groupId, { schemas: group.schemas, ...rest }, (meta as Record<string, string>).created!, this.modifiedAt(group, now));
        // The store updates its membership index from the one member that left (not from the whole list).
        writes.push({ type: groupType.name, resource: updated, members: { added: [], removed: [id] }, previous: group, undo: { added: [id], removed: [] } });
        removed.push(at);
      }
    }
    // The member leaves each list through the store's editList: in place where only the stored version holds the
    // list (no copy of a group of 100,000), undone should the write fail.
    const edits = writes.map((write, i) => {
      const edit = this.applyListEdits(write.resource, new Map([['members', { removed: removed[i]!, appended: [] }]]));
      if ((write.resource.members as unknown[]).length === 0) delete write.resource.members;
      return edit;
    });
    try {
      this.putAll(writes, () => this.repo.remove(type.name, id), () => {
        for (const edit of edits.reverse()) edit.undo();
      });
    } finally {
      this.renders.invalidate();
    }
  }

  /**
   * The next lastModified of a resource: now on the tenant clock, but never before the one it has (a clock set
   * back must not make a later change look older: RFC 7643 3.1, "the most recent DateTime" it was updated).
   */
  private modifiedAt(existing: Resource, now = this.clock.now()): string {
    const previous = Date.parse((existing.meta as Record<string, unknown> | undefined)?.lastModified as string);
    return new Date(previous > now ? previous : now).toISOString();
  }

  /**
   * A new version and lastModified for a Group whose own data did not change, but whose members' display did (a
   * member was renamed): what a client reads of it changed, so If-None-Match must no longer answer 304 and a stale
   * If-Match must be 412 (RFC 7644 3.14). (A User whose groups change is not written: see versionOf().) Returned,
   * not stored: the caller stores it with the write that renamed the member (putAll).
   */
  private touch(type: ResourceSchema, resource: Resource, now: number): GroupWrite {
    const meta = resource.meta as Record<string, unknown>;
    const touched: Resource = { ...resource, meta: { ...meta, lastModified: this.modifiedAt(resource, now), version: `W/"${this.repo.nextSequence()}"` } };
    // A group's members did not change: an empty delta keeps the store from indexing them again (either way).
    const members = Array.isArray(resource.members) ? NO_MEMBER_CHANGE : undefined;
    return { type: type.name, resource: touched, members, previous: resource, undo: members };
  }

  /** touch() for the groups that list a resource as a member (their members' display shows its name). */
  private touchGroupsOf(id: string, now: number): GroupWrite[] {
    const groupType = this.groupType();
    if (!groupType) return [];
    const writes: GroupWrite[] = [];
    for (const groupId of this.repo.groupsContaining(id)) {
      const group = this.repo.get(groupType.name, groupId);
      if (group && groupId !== id) writes.push(this.touch(groupType, group, now));
    }
    return writes;
  }

  /**
   * Filters, sorts and paginates the resources of one or more types (RFC 7644 3.4.2, RFC 9865); see list.ts.
   * Several types make a root query (GET / and POST /.search).
   */
  query(typeNames: readonly string[], request: ListRequest, options: Omit<ListOptions, 'repo' | 'clock' | 'computed' | 'memberExists'> & { baseUrl?: string }): ListResult {
    const types = typeNames.map((name) => this.resourceType(name));
    const { baseUrl = '', ...list } = options;
    const memberExists = list.capabilities?.unknownMemberFilter ? (id: string) => this.memberTypeOf(id, undefined) !== undefined : undefined;
    return listResources(types, request, { ...list, repo: this.repo, clock: this.clock, computed: this.computedAttributes(baseUrl), memberExists });
  }

  /**
   * User.groups, a User's meta.version and its enterprise manager's $ref and displayName as filters and sortBy see
   * them: what render() shows (`$ref` with `baseUrl`; the version with its groups' digest, versionOf(); the manager
   * as renderManager() serves it), each computed only when the filter or sortBy names it.
   */
  private computedAttributes(baseUrl: string): ComputedAttributes {
    const isUser = (type: ResourceSchema) => type.core.id === USER_SCHEMA_ID;
    return {
      names: (type) => (isUser(type) ? USER_COMPUTED : NONE_COMPUTED),
      view: (type, resource, names) => {
        if (!isUser(type)) return resource;
        let out = resource;
        if (names.includes('groups')) {
          const groups = this.groupsOf(resource.id as string, baseUrl);
          if (groups.length) out = { ...out, groups };
        }
        if (names.includes('meta.version')) {
          const meta = resource.meta as Record<string, unknown>;
          const version = this.versionOf(type.name, resource);
          if (version !== meta.version) out = { ...out, meta: { ...meta, version } };
        }
        if (names.includes(MANAGER_REF) || names.includes(MANAGER_DISPLAY_NAME)) {
          const enterprise = this.renderManager(type, resource, baseUrl);
          if (enterprise) out = { ...out, [ENTERPRISE_USER_SCHEMA_ID]: enterprise };
        }
        return out;
      },
    };
  }

  /**
   * Throws 412 when an If-Match header does not match the current version, or an If-None-Match header does
   * (RFC 9110 section 13.2.2 order: If-Match first). For GET, the caller answers a matching If-None-Match with 304
   * instead, and passes only If-Match here.
   */
  checkPrecondition(existing: Resource, preconditions: Preconditions): void {
    // A target without versions ignores If-Match and If-None-Match, as a server that knows no ETags does.
    if ((preconditions.ifMatch === undefined && preconditions.ifNoneMatch === undefined) || this.options.capabilities?.etag === false) return;
    const version = this.versionOf((existing.meta as Record<string, string>).resourceType!, existing);
    if (preconditions.ifMatch !== undefined && !etagMatches(preconditions.ifMatch, version)) {
      throw new ScimError(412, undefined, `Precondition failed: the resource is at version ${version}, but If-Match asked for ${preconditions.ifMatch.trim() === '' ? 'nothing (the header is empty: send the ETag you read, or no If-Match at all)' : preconditions.ifMatch}.${malformedTags(preconditions.ifMatch)} Read the resource again and retry with its current ETag.`);
    }
    if (preconditions.ifNoneMatch !== undefined && etagMatches(preconditions.ifNoneMatch, version)) {
      throw new ScimError(412, undefined, `Precondition failed: the resource exists at version ${version}, and If-None-Match: ${preconditions.ifNoneMatch} asked for the request to run only if it did not match (RFC 9110 section 13.1.2). To change it whatever its version, send no If-None-Match; to change only this version, send If-Match: ${version}.`);
    }
  }

  /** The resource as a response carries it: location, member $refs, User.groups, then projection. */
  render(typeName: string, resource: Resource, baseUrl: string, projection?: ProjectionRequest | Projection): Resource {
    const type = this.resourceType(typeName);
    const meta = resource.meta as Record<string, unknown>;
    const p = projection instanceof Projection ? projection : new Projection(type, projection);
    const out: Resource = { ...resource, meta: { ...meta, location: resourceUrl(baseUrl, type.resourceType.endpoint, resource.id as string) } };
    // Computed attributes are computed only when the projection keeps them.
    if (Array.isArray(resource.members) && p.mayInclude('members')) out.members = resource.members.map((m) => this.renderMember(m, baseUrl));
    if (type.core.id === USER_SCHEMA_ID && p.mayInclude('groups')) {
      const groups = this.groupsOf(resource.id as string, baseUrl);
      if (groups.length) out.groups = groups;
    }
    if (type.core.id === USER_SCHEMA_ID) {
      const enterprise = this.renderManager(type, resource, baseUrl);
      if (enterprise) out[ENTERPRISE_USER_SCHEMA_ID] = enterprise;
    }
    const caps = this.options.capabilities;
    if (caps?.etag === false) delete (out.meta as Record<string, unknown>).version;
    else (out.meta as Record<string, unknown>).version = this.versionOf(type.name, resource);
    const rendered = p.apply(out);
    // Attributes the target never returns: multi-valued ones read as an empty list (AWS's Group members).
    for (const name of caps?.hiddenAttributes?.[type.name] ?? []) {
      const def = type.coreAttribute(name);
      if (!def || !p.mayInclude(def.name)) continue;
      if (def.multiValued) rendered[def.name] = [];
      else delete rendered[def.name];
    }
    return rendered;
  }

  /**
   * render() serialised as JSON, from the render cache when the same resource version was rendered with the same
   * projection and base URL since the repository last changed.
   */
  renderText(typeName: string, resource: Resource, baseUrl: string, projection?: ProjectionRequest | Projection): string {
    return this.rendered(typeName, resource, baseUrl, projection).text;
  }

  /** renderText() as UTF-8, from the render cache as well (read-only: the cache keeps it). */
  renderBytes(typeName: string, resource: Resource, baseUrl: string, projection?: ProjectionRequest | Projection): Uint8Array {
    const { key, text } = this.rendered(typeName, resource, baseUrl, projection);
    return this.renders.bytes(key, text);
  }

  private rendered(typeName: string, resource: Resource, baseUrl: string, projection: ProjectionRequest | Projection | undefined): { key: string; text: string } {
    const type = this.resourceType(typeName);
    const p = projection instanceof Projection ? projection : this.projection(type, projection);
    this.renders.basedOn(this.options.capabilities);
    const meta = resource.meta as Record<string, unknown> | undefined;
    const key = `${type.name}\n${resource.id as string}\n${meta?.version as string}\n${p.key}\n${baseUrl}`;
    let text = this.renders.get(key);
    if (text === undefined) {
      text = JSON.stringify(this.render(type.name, resource, baseUrl, p));
      this.renders.set(key, text);
    }
    return { key, text };
  }

  /** The projection of a request; the one without attributes/excludedAttributes is made once per type. */
  projection(type: ResourceSchema, request: ProjectionRequest | undefined): Projection {
    if (request?.attributes?.length || request?.excludedAttributes?.length) return new Projection(type, request);
    let p = this.plainProjections.get(type);
    if (!p) this.plainProjections.set(type, (p = new Projection(type)));
    return p;
  }

  /** Direct and indirect group memberships of a resource, as the readOnly User.groups attribute. */
  groupsOf(id: string, baseUrl: string): Record<string, unknown>[] {
    const groupType = this.groupType();
    if (!groupType) return [];
    const result: Record<string, unknown>[] = [];
    this.eachGroupOf(groupType, id, (groupId, group, kind) => {
      result.push({ value: groupId, $ref: resourceUrl(baseUrl, groupType.resourceType.endpoint, groupId), display: group.displayName, type: kind });
    });
    return result;
  }

  /** The groups of a resource in User.groups order: direct ones, then indirect ones level by level. */
  private eachGroupOf(groupType: ResourceSchema, id: string, visit: (groupId: string, group: Resource, kind: 'direct' | 'indirect') => void): void {
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
        visit(groupId, group, kind);
        next.push(...this.repo.groupsContaining(groupId));
      }
      frontier = next;
      kind = 'indirect';
    }
  }

  /**
   * The version (ETag) of a resource as a client reads it. A User's computed `groups` (RFC 7643 4.1.2) changes
   * with writes to other resources: a user joins or leaves a group, or a group is renamed or nested in another one.
   * Those users are not written (that would cost a write per member of the group), so their version carries a
   * digest of what their `groups` shows (each group's id, display and direct or indirect): it changes exactly when
   * their rendering does, and costs what rendering `groups` costs. Without groups, the stored version as it is.
   */
  versionOf(typeName: string, resource: Resource): string {
    const version = (resource.meta as Record<string, string>).version!;
    // A read asks two or three times (preconditions, ETag, the behaviour analyser): kept per stored object, with the
    // stored version it extends, until the store changes.
    const known = this.renders.derivedOf(resource) as { of: string; tag: string } | undefined;
    if (known !== undefined && known.of === version) return known.tag;
    const tag = this.computeVersion(typeName, resource, version);
    this.renders.keepDerived(resource, { of: version, tag });
    return tag;
  }

  private computeVersion(typeName: string, resource: Resource, version: string): string {
    const type = this.registry.resourceType(typeName);
    if (type?.core.id !== USER_SCHEMA_ID) return version;
    const groupType = this.groupType();
    const id = resource.id as string;
    // The enterprise manager's $ref and displayName come from the User it names (see renderManager): they change
    // when that User is created, deleted or renamed.
    const manager = this.managerOf(type, resource);
    const inGroups = groupType !== undefined && this.repo.groupsContaining(id).size > 0;
    if (!inGroups && !manager?.exists) return version;
    let text = '';
    if (inGroups) {
      this.eachGroupOf(groupType, id, (groupId, group, kind) => {
        text += `${groupId}\u0000${typeof group.displayName === 'string' ? group.displayName : ''}\u0000${kind === 'direct' ? 'd' : 'i'}\u0001`;
      });
    }
    if (manager?.exists) text += `manager\u0000${manager.displayName ?? ''}\u0001`;
    const tag = `${version.endsWith('"') ? version.slice(0, -1) : version}.${digest(text)}`;
    return version.endsWith('"') ? `${tag}"` : tag;
  }

  /**
   * The stored enterprise manager of a User (RFC 7643 4.3), whether its value names an existing User and that
   * User's displayName (one lookup), when it has a manager with a value.
   */
  private managerOf(type: ResourceSchema, resource: Resource): { manager: Record<string, unknown>; value: string; exists: boolean; displayName: string | undefined } | undefined {
    const extension = resource[ENTERPRISE_USER_SCHEMA_ID];
    if (!isPlainObject(extension)) return undefined;
    const manager = extension.manager;
    if (!isPlainObject(manager) || typeof manager.value !== 'string' || manager.value === '') return undefined;
    const target = this.repo.get(type.name, manager.value);
    return { manager, value: manager.value, exists: target !== undefined, displayName: typeof target?.displayName === 'string' ? target.displayName : undefined };
  }

  /**
   * The enterprise manager as a response carries it (RFC 7643 4.3), when its value names an existing User: "$ref",
   * "The URI of the SCIM resource representing the User's manager", that User's URI (as Group members' $ref); and
   * "displayName", "The displayName of the User's manager. OPTIONAL and READ-ONLY": readOnly, so the service
   * provides it, from that User (absent when it has none). A value that names no User is served as stored: there
   * is no resource to give the URI of. O(1): one lookup.
   */
  private renderManager(type: ResourceSchema, resource: Resource, baseUrl: string): Record<string, unknown> | undefined {
    const found = this.managerOf(type, resource);
    if (!found?.exists) return undefined;
    const manager: Record<string, unknown> = { ...found.manager, $ref: resourceUrl(baseUrl, type.resourceType.endpoint, found.value) };
    delete manager.displayName;
    if (found.displayName !== undefined) manager.displayName = found.displayName;
    return { ...(resource[ENTERPRISE_USER_SCHEMA_ID] as Record<string, unknown>), manager };
  }

  private renderMember(member: unknown, baseUrl: string): unknown {
    if (!isPlainObject(member) || typeof member.value !== 'string') return member;
    const memberType = member.type === 'Group' ? this.groupType() : this.registry.resourceType(typeof member.type === 'string' ? member.type : 'User');
    if (!memberType) return member;
    const out: Record<string, unknown> = { ...member, $ref: resourceUrl(baseUrl, memberType.resourceType.endpoint, member.value) };
    if (out.display === undefined) {
      const target = this.repo.get(memberType.name, member.value);
      const display = target?.displayName ?? target?.userName;
      if (display !== undefined) out.display = display;
    }
    return out;
  }

  /** How many of `members` the group `id` does not hold yet (one membership index lookup per member). */
  private membersAdded(id: string, members: unknown): number {
    if (!Array.isArray(members)) return 0;
    const seen = new Set<string>();
    for (const member of members as Record<string, unknown>[]) {
      const value = member.value;
      if (typeof value === 'string' && !this.repo.groupsContaining(value).has(id)) seen.add(value);
    }
    return seen.size;
  }

  /** A Group POST or PUT against the target's limit on members per request. */
  private checkMemberCount(type: ResourceSchema, resource: Resource): void {
    const caps = this.options.capabilities;
    if (caps?.members?.maxPerWrite !== undefined && type.core.id === GROUP_SCHEMA_ID && Array.isArray(resource.members)) {
      checkMembersOfWrite(caps, resource.members.length);
    }
  }

  /** The target's required, single-valued, primary-marked and length-limited attributes (src/scim/capabilities.ts). */
  private checkAttributeValues(type: ResourceSchema, resource: Resource, before?: Resource): void {
    const caps = this.options.capabilities;
    if (caps?.requiredAttributes || caps?.singleValued || caps?.primaryRequired || caps?.lengthLimits) checkAttributeValues(caps, type, resource, before);
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
   * Group members name Users or Groups (RFC 7643 section 4.2): `type` is filled in or checked, a repeated member is
   * one member, and a value that names nothing is handled by the member policy.
   */
  private checkReferences(type: ResourceSchema, resource: Resource, selfId: string | undefined, onWarning?: WarningSink): void {
    if (type.core.id !== GROUP_SCHEMA_ID || !Array.isArray(resource.members)) return;
    const seen = new Set<string>();
    const members: Record<string, unknown>[] = [];
    const unknown = new UnknownMembers(this.options.memberPolicy ?? 'reject', onWarning);
    const refs = new IgnoredRefs('members', onWarning);
    for (const member of resource.members as Record<string, unknown>[]) {
      const value = member.value;
      if (typeof value !== 'string' || value === '') {
        throw badRequest('invalidValue', 'Each entry of "members" needs a "value" with the id of a User or Group.');
      }
      if (value === selfId) throw badRequest('invalidValue', `A group cannot be a member of itself (members value "${value}").`);
      if (seen.has(value)) continue; // a repeated member is one member
      seen.add(value);
      const actual = this.memberTypeOf(value, member.type);
      if (actual && (selfId === undefined || !this.repo.groupsContaining(value).has(selfId))) this.checkActiveMember(value, actual);
      if (typeof member.$ref === 'string') refs.check(member.$ref, value, actual && this.endpointOf(actual));
      if (actual) members.push(memberWithType(member, actual));
      else if (unknown.keep(value, member.type)) members.push({ ...member });
    }
    unknown.done();
    refs.done();
    if (members.length > 0) resource.members = members;
    else delete resource.members;
  }

  /**
   * checkReferences for the members a PATCH adds (fresh objects: their `type` is filled in place). Returns the
   * values the member policy "drop" discards.
   */
  private checkAddedMembers(added: readonly Record<string, unknown>[], selfId: string, onWarning?: WarningSink): Set<string> {
    const unknown = new UnknownMembers(this.options.memberPolicy ?? 'reject', onWarning);
    const refs = new IgnoredRefs('members', onWarning);
    const dropped = new Set<string>();
    for (const member of added) {
      const value = member.value as string;
      if (value === selfId) throw badRequest('invalidValue', `A group cannot be a member of itself (members value "${value}").`);
      const actual = this.memberTypeOf(value, member.type);
      if (actual) this.checkActiveMember(value, actual);
      if (typeof member.$ref === 'string') refs.check(member.$ref, value, actual && this.endpointOf(actual));
      if (actual) member.type = actual;
      else if (!unknown.keep(value, member.type)) dropped.add(value);
    }
    unknown.done();
    refs.done();
    return dropped;
  }

  /** The endpoint of a resource type ("/Users"), by name. */
  private endpointOf(typeName: string): string | undefined {
    return this.registry.resourceType(typeName)?.resourceType.endpoint;
  }

  /**
   * The enterprise manager (RFC 7643 4.3), when a write sets or changes it (`existing`: the stored resource, for PUT,
   * PATCH and Bulk; an unchanged manager is left as it is and not reported again). "value" and "$ref" are both
   * RECOMMENDED, so a manager may come with "$ref" alone: when it names a User of this service (a path ending in
   * "/Users/<id>", read as ref-ignored reads one, any host) its "value" is derived, that User's id, so that
   * "manager.value" reads and filters find it and the manager is served with the service's own "$ref" and
   * "displayName" (note manager-value-derived). One that names no User is stored as sent, as a "value" that names no
   * User is. A "$ref" beside a "value" that names another resource is ignored (note ref-ignored).
   */
  private checkManagerRef(type: ResourceSchema, next: Resource, existing: Resource | undefined, onWarning?: WarningSink): void {
    if (type.core.id !== USER_SCHEMA_ID) return;
    const extension = next[ENTERPRISE_USER_SCHEMA_ID] as Record<string, unknown> | undefined;
    const manager = extension?.manager;
    if (!isPlainObject(manager) || typeof manager.$ref !== 'string' || manager.$ref === '') return;
    const before = (existing?.[ENTERPRISE_USER_SCHEMA_ID] as Record<string, unknown> | undefined)?.manager;
    if (isPlainObject(before) && before.value === manager.value && before.$ref === manager.$ref) return;
    if (manager.value === undefined || manager.value === null) {
      const named = refTarget(manager.$ref);
      const user = named.endpoint.toLowerCase() === type.resourceType.endpoint.toLowerCase() ? this.repo.get(type.name, named.id) : undefined;
      if (!user) return;
      // A copy: `next` may share the extension object with the stored version.
      const value = user.id as string;
      next[ENTERPRISE_USER_SCHEMA_ID] = { ...extension, manager: { ...manager, value } };
      onWarning?.({
        code: 'manager-value-derived',
        rfc: 'RFC 7643 4.3',
        detail: `manager: "$ref" ${JSON.stringify(manager.$ref)} came without "value"; it names User "${value}", so "value" is stored as "${value}" (what "manager.value" reads and filters see) and "$ref" is served as the service's URI for that User. Send "value" with the manager's id as well (RFC 7643 4.3 recommends both).`,
      });
      return;
    }
    if (!onWarning || typeof manager.value !== 'string' || manager.value === '') return;
    const refs = new IgnoredRefs('manager', onWarning);
    refs.check(manager.$ref, manager.value, this.repo.get(type.name, manager.value) ? type.resourceType.endpoint : undefined);
    refs.done();
  }

  /** A member being added against the target's refusal of deactivated members (capabilities.inactiveMember). */
  private checkActiveMember(id: string, typeName: string): void {
    const answer = this.options.capabilities?.inactiveMember;
    if (answer && this.repo.get(typeName, id)?.active === false) throw inactiveMemberError(answer, id, typeName);
  }

  /**
   * The resource type a member value names (the declared `type` when given), or undefined when it names nothing. A
   * value naming a resource of another type than declared is a broken reference under every member policy: storing
   * it would make that resource a member under the wrong type.
   */
  private memberTypeOf(id: string, declared: unknown): string | undefined {
    const wanted = typeof declared === 'string' ? declared.toLowerCase() : undefined;
    const names = ['User', 'Group'];
    if (wanted !== undefined && wanted !== 'user' && wanted !== 'group') names.unshift(wanted); // a custom resource type
    for (const name of names) {
      const type = this.registry.resourceType(name);
      if (!type || !this.repo.get(type.name, id)) continue;
      if (wanted !== undefined && wanted !== type.name.toLowerCase()) {
        throw badRequest('invalidValue', `members value "${id}" is a ${type.name}, but its "type" says "${declared}"; send "type": "${type.name}" or leave "type" out.`);
      }
      return type.name;
    }
    return undefined;
  }

  private checkUniqueness(type: ResourceSchema, resource: Resource, selfId: string | undefined): void {
    // Indexed: the definitions are a frozen array, which for-of iterates with an allocation per element.
    const defs = type.core.attributes;
    for (let i = 0; i < defs.length; i++) {
      const def = defs[i]!;
      const unique = def.uniqueness !== 'none' || (this.options.groupDisplayNameUnique && type.core.id === GROUP_SCHEMA_ID && def.name === 'displayName');
      if (unique) this.checkUnique(type, def, resource, selfId);
    }
    // Attributes the target keeps unique besides (GitHub's externalId), through the same indexes.
    const extra = this.options.capabilities?.uniqueAttributes?.[type.name];
    if (extra) {
      for (const name of extra) {
        const def = type.coreAttribute(name);
        if (def && def.uniqueness === 'none') this.checkUnique(type, def, resource, selfId);
      }
    }
  }

  /** 409 uniqueness when another resource of the type holds the resource's value of an indexed attribute. */
  private checkUnique(type: ResourceSchema, def: AttributeDef, resource: Resource, selfId: string | undefined): void {
    const value = resource[def.name];
    if (typeof value !== 'string' || !this.repo.isIndexed(type.name, def.name)) return;
    const clash = this.repo.lookup(type.name, def.name, value).find((id) => id !== selfId);
    if (clash !== undefined) {
      throw new ScimError(409, 'uniqueness', `${def.name} "${value}" is already taken by ${type.name} "${clash}"${def.caseExact ? '' : ' (compared case-insensitively)'}.`);
    }
  }
}

/** A short, stable digest of a text (cyrb53: 53 bits, base 36): not a secret, a change detector. */
function digest(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}


/** One put of a write that stores several resources (ScimService.putAll), and how to put back what it replaces. */
interface GroupWrite {
  type: string;
  resource: Resource;
  members: MembershipDelta | undefined;
  /** The stored version the put replaces (a list of it the write edited in place is restored first: putAll). */
  previous: Resource;
  /** The membership delta from `resource` back to `previous`. */
  undo: MembershipDelta | undefined;
}

/** The membership delta of a write that leaves a group's members as they are. */
const NO_MEMBER_CHANGE: MembershipDelta = Object.freeze({ added: Object.freeze([]) as readonly string[], removed: Object.freeze([]) as readonly string[] });

/** How many member values differ between two member lists (added plus removed). */
function memberChanges(before: unknown, after: unknown): number {
  const values = (list: unknown) => new Set(Array.isArray(list) ? list.map((m) => (isPlainObject(m) ? m.value : undefined)).filter((v): v is string => typeof v === 'string') : []);
  const a = values(before);
  const b = values(after);
  let changes = 0;
  for (const v of a) if (!b.has(v)) changes++;
  for (const v of b) if (!a.has(v)) changes++;
  return changes;
}

/**
 * The member policy for the member values of one request that name no resource: throws (reject, notFound), or
 * records a warning per value (accept: member-unknown, drop: member-dropped), at most MAX_MEMBER_WARNINGS of them
 * and then one that counts the rest.
 */
class UnknownMembers {
  private count = 0;

  constructor(private readonly policy: MemberPolicy, private readonly onWarning: WarningSink | undefined) {}

  /** True when the member is kept (accept), false when it is discarded (drop); throws for reject and notFound. */
  keep(value: string, declared: unknown): boolean {
    const names = declared === 'User' || declared === 'Group' ? `an existing ${declared}` : 'an existing User or Group';
    const what = `members value "${value}" does not reference ${names}`;
    if (this.policy === 'reject') {
      throw badRequest('invalidValue', `${what}.`);
    }
    if (this.policy === 'notFound') throw notFound(`${what}. (The tenant's member policy "notFound" answers 404.)`);
    if (++this.count <= MAX_MEMBER_WARNINGS) {
      this.onWarning?.(this.policy === 'accept'
        ? { code: 'member-unknown', rfc: 'RFC 7643 4.2', detail: `${what}; it was stored as sent (member policy "accept"): no User lists it in "groups", and "members.value eq" filters find it.` }
        : { code: 'member-dropped', rfc: 'RFC 7643 4.2', detail: `${what}; it was discarded (member policy "drop") and the rest of the request applied.` });
    }
    return this.policy === 'accept';
  }

  /** One more warning for the values beyond the first MAX_MEMBER_WARNINGS. */
  done(): void {
    const rest = this.count - MAX_MEMBER_WARNINGS;
    const code = this.policy === 'accept' ? 'member-unknown' : 'member-dropped';
    if (rest > 0) this.onWarning?.({ code, rfc: 'RFC 7643 4.2', detail: `${rest} more member value${rest === 1 ? '' : 's'} of this request reference no existing resource (only the first ${MAX_MEMBER_WARNINGS} are listed).` });
  }
}

/**
 * Sent "$ref"s (of Group members, of the enterprise manager) that name another resource than their "value": the
 * service derives "$ref" from the value (RFC 7643 2.3.7: the URI of the resource the value names) and answers with
 * its own, so the sent one is ignored. Said once per request (a count and the first), because a connector that builds
 * its "$ref"s wrongly meets services that read them. A "$ref" is compared by its last two path segments (endpoint and
 * id): the service's base URL is not known here, and a connector may reach it under another host name.
 */
class IgnoredRefs {
  private count = 0;
  private first = '';

  constructor(
    private readonly attribute: 'members' | 'manager',
    private readonly onWarning: WarningSink | undefined,
  ) {}

  /** `endpoint`: that of the resource the value names ("/Users"), when it names one. */
  check(ref: unknown, value: string, endpoint: string | undefined): void {
    if (!this.onWarning || typeof ref !== 'string' || ref === '') return;
    const named = refTarget(ref);
    if (named.id === value && (endpoint === undefined || named.endpoint.toLowerCase() === endpoint.toLowerCase())) return;
    if (this.count++ === 0) this.first = `"$ref" ${JSON.stringify(ref)} beside "value" ${JSON.stringify(value)}`;
  }

  done(): void {
    if (this.count === 0) return;
    const more = this.count > 1 ? ` (and ${this.count - 1} more ${this.attribute} like it)` : '';
    this.onWarning?.({
      code: 'ref-ignored',
      rfc: 'RFC 7643 2.3.7',
      detail: `${this.attribute}: ${this.first}${more} names another resource than the value; the service answers with the URI of the resource "value" names and ignores the sent "$ref". Send the "$ref" the service returns for that resource, or none.`,
    });
  }
}

/**
 * What a "$ref" names, by its last two path segments (query and fragment, and trailing slashes, left out): the
 * endpoint ("/Users", "" when there is no segment before the id) and the id, percent-decoded. Any host: the
 * service's base URL is not known here, and a connector may reach it under another host name.
 */
function refTarget(ref: string): { endpoint: string; id: string } {
  const path = ref.replace(/[?#].*$/s, '').replace(/\/+$/, '');
  const segments = path.split('/');
  const last = segments[segments.length - 1] ?? '';
  const id = decodeSegment(last) ?? last;
  return { endpoint: segments.length >= 2 ? `/${segments[segments.length - 2]}` : '', id };
}

/**
 * A stored member: the member's attributes in their order, with `type`. Built by assignment, not as
 * `{ ...member, type }`: V8 gives a spread with an added key a large property store (about 220 bytes against 50
 * for this object), which a group of 100,000 members keeps for each one.
 */
function memberWithType(member: Record<string, unknown>, type: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(member)) out[key] = member[key];
  out.type = type;
  return out;
}
