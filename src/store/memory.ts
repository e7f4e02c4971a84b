/**
 * The in-memory store of one tenant: per resource type the resources as an array in creation order (what a
 * filter scans: an array is read faster than a Map's iterator) and a Map from id to the position in that array,
 * unique and non-unique indexes on the indexed attributes, and a reverse membership index (member id -> group
 * ids). Lookups by id, userName, externalId and displayName are O(1).
 *
 * Memory: resources are kept compact (src/store/compact.ts; every write compacts what it adds). An index key held
 * by one resource maps to its id, a member of one group to that group's id: no Set or array per resource for the
 * common case.
 *
 * Reset: the indexed state of a loaded snapshot is remembered, and the live state shares its maps until it
 * writes to them (copy-on-write per table, and for the membership index): loading the same snapshot again (a
 * reset) takes no copy at all, and the first write to a table afterwards copies that table's maps.
 */
import { isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import type { MembershipDelta, ResourceRepository } from '../scim/repository.js';
import { indexedAttributes, type SchemaRegistry } from '../scim/schemas/registry.js';
import type { ResourceTypeDef, SchemaDef } from '../scim/schemas/types.js';
import type { Resource } from '../scim/validate.js';
import { compactResource } from './compact.js';

interface Index {
  caseExact: boolean;
  /** Key -> the id holding it, or a Set when several do (most keys are unique: no Set per resource). */
  values: Map<string, string | Set<string>>;
}

/** Ids in a membership list: one id as itself, several as an array (replaced, never changed in place). */
type Ids = string | readonly string[];

class Table {
  /** The table's maps are shared with a remembered state: copy them before changing anything. */
  shared = false;

  constructor(
    readonly type: ResourceSchema,
    /**
     * Where each stored resource is in `order`, by id. One Map for both lookups by id and creation sequences (a
     * Map entry per resource is ~30-60 bytes: a second Map by id cost 6-12 MB of a 200,000-user directory).
     */
    private readonly positions: Map<string, number>,
    /** Indexed attributes except `id` (answered by `positions`). */
    readonly indexes: Map<string, Index>,
    /**
     * The resources in creation order, undefined where one was removed (until the next compaction): a replaced
     * resource keeps its predecessor's place.
     */
    private order: Array<Resource | undefined> = [],
    /** The creation sequence of each element of `order`. */
    private seqs: number[] = [],
    /** Removed elements still in `order`, and where the first of them is. */
    private holes = 0,
    private firstHole = Number.POSITIVE_INFINITY,
  ) {}

  static empty(type: ResourceSchema): Table {
    const indexes = new Map<string, Index>();
    for (const name of indexedAttributes(type)) {
      if (name === 'id') continue;
      const def = type.coreAttribute(name);
      indexes.set(name, { caseExact: def?.caseExact ?? true, values: new Map() });
    }
    return new Table(type, new Map(), indexes);
  }

  /** A table with copies of this one's maps (index Sets stay shared: `writable` copies them before a change). */
  copy(): Table {
    const indexes = new Map<string, Index>();
    for (const [name, index] of this.indexes) indexes.set(name, { caseExact: index.caseExact, values: new Map(index.values) });
    return new Table(this.type, new Map(this.positions), indexes, this.order.slice(), this.seqs.slice(), this.holes, this.firstHole);
  }

  get size(): number {
    return this.positions.size;
  }

  has(id: string): boolean {
    return this.positions.has(id);
  }

  get(id: string): Resource | undefined {
    const at = this.positions.get(id);
    return at === undefined ? undefined : this.order[at];
  }

  /** The creation sequence of a stored resource; undefined when there is none with this id. */
  seqOf(id: string): number | undefined {
    const at = this.positions.get(id);
    return at === undefined ? undefined : this.seqs[at];
  }

  /** Adds a resource that is not in the table, as its newest. */
  add(resource: Resource, seq: number): void {
    this.positions.set(resource.id as string, this.order.length);
    this.order.push(resource);
    this.seqs.push(seq);
  }

  /** Replaces a resource of the table by its next version, in its place (with `seq`, under a new creation sequence). */
  replace(resource: Resource, seq?: number): void {
    const at = this.positions.get(resource.id as string)!;
    this.order[at] = resource;
    if (seq !== undefined) this.seqs[at] = seq;
  }

  delete(id: string): void {
    const at = this.positions.get(id)!;
    this.order[at] = undefined;
    this.positions.delete(id);
    this.holes++;
    if (at < this.firstHole) this.firstHole = at;
    // Compacted when read (`inOrder`), or here once most of the array is holes.
    if (this.holes > 1024 && this.holes * 2 > this.order.length) this.compact();
  }

  /** Every resource in creation order. The array is the table's own: read it at once, before the next write. */
  inOrder(): readonly Resource[] {
    if (this.holes > 0) this.compact();
    return this.order as Resource[];
  }

  /** Closes the holes: the resources after the first one move down, and their positions with them. */
  private compact(): void {
    const { order, seqs, positions } = this;
    let kept = this.firstHole;
    for (let i = kept; i < order.length; i++) {
      const resource = order[i];
      if (resource === undefined) continue;
      order[kept] = resource;
      seqs[kept] = seqs[i]!;
      positions.set(resource.id as string, kept++);
    }
    order.length = kept;
    seqs.length = kept;
    this.holes = 0;
    this.firstHole = Number.POSITIVE_INFINITY;
  }

  key(index: Index, value: string): string {
    return index.caseExact ? value : value.toLowerCase();
  }

  addToIndexes(resource: Resource): void {
    const id = resource.id as string;
    for (const [name, index] of this.indexes) {
      const value = resource[name];
      if (typeof value !== 'string') continue;
      const key = this.key(index, value);
      const ids = index.values.get(key);
      if (ids === undefined) index.values.set(key, id);
      else if (typeof ids === 'string') {
        if (ids !== id) index.values.set(key, new Set([ids, id]));
      } else index.values.set(key, writable(ids).add(id));
    }
  }

  removeFromIndexes(resource: Resource): void {
    const id = resource.id as string;
    for (const [name, index] of this.indexes) {
      const value = resource[name];
      if (typeof value !== 'string') continue;
      const key = this.key(index, value);
      const ids = index.values.get(key);
      if (ids === id) index.values.delete(key);
      else if (typeof ids === 'object') {
        const rest = writable(ids);
        rest.delete(id);
        index.values.set(key, rest.size === 1 ? (rest.values().next().value as string) : rest);
      }
    }
  }
}

export interface StoreSnapshot {
  sequence: number;
  /** Custom schemas and resource types (absent: the built-in ones only); loading registers them. */
  schemas?: SchemaDef[];
  resourceTypes?: ResourceTypeDef[];
  resources: Record<string, Resource[]>;
}

/** The indexed state of a loaded snapshot, shared with the live state until the live state writes. */
interface BuiltState {
  tables: Map<string, Table>;
  memberOf: Map<string, Ids>;
  containerSeq: Map<string, number>;
  createdCounter: number;
}

export class MemoryStore implements ResourceRepository {
  private tables = new Map<string, Table>();
  private memberOf = new Map<string, Ids>();
  /** Creation sequence of each resource with members, so membership lists stay in creation order of the groups. */
  private containerSeq = new Map<string, number>();
  /** memberOf and containerSeq are shared with a remembered state: copy them before changing them. */
  private membershipShared = false;
  /** The indexed state of snapshots loaded before, so loading one again (a reset) shares maps instead of re-indexing. */
  private readonly built = new WeakMap<StoreSnapshot, BuiltState>();
  private sequence = 0;
  private createdCounter = 0;
  /**
   * Lists this store copied for editList and that only the current version of their resource holds: they may be
   * edited in place. Forgotten (a new WeakSet) whenever resources are handed out whole (snapshot) or replaced (load).
   */
  private ownLists = new WeakSet<readonly unknown[]>();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly registry: SchemaRegistry) {
    for (const type of registry.resourceTypes()) this.tables.set(type.name, Table.empty(type));
  }

  /** Called after every change (the persistence layer coalesces these into saves). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private table(type: string): Table {
    let table = this.tables.get(type);
    if (!table) {
      const schema = this.registry.resourceType(type);
      if (!schema) throw new Error(`Unknown resource type ${type}`);
      this.tables.set(schema.name, (table = Table.empty(schema)));
    }
    return table;
  }

  /** The table of a type, ready to be changed (its own maps, not those of a remembered state). */
  private writableTable(type: string): Table {
    let table = this.table(type);
    if (table.shared) this.tables.set(table.type.name, (table = table.copy()));
    return table;
  }

  /** The membership maps, ready to be changed. */
  private ownMembership(): void {
    if (!this.membershipShared) return;
    this.memberOf = new Map(this.memberOf);
    this.containerSeq = new Map(this.containerSeq);
    this.membershipShared = false;
  }

  get(type: string, id: string): Resource | undefined {
    return this.table(type).get(id);
  }

  lookup(type: string, attribute: string, value: string): readonly string[] {
    const table = this.table(type);
    if (attribute === 'id') return table.has(value) ? [value] : [];
    const index = table.indexes.get(attribute);
    if (!index) throw new Error(`${type}.${attribute} is not indexed`);
    const ids = index.values.get(table.key(index, value));
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids];
  }

  isIndexed(type: string, attribute: string): boolean {
    return attribute === 'id' || this.table(type).indexes.has(attribute);
  }

  /** An array (the store's own, in creation order): read it at once, before the next write. */
  all(type: string): readonly Resource[] {
    return this.table(type).inOrder();
  }

  count(type: string): number {
    return this.table(type).size;
  }

  createdSeq(type: string, id: string): number {
    return this.table(type).seqOf(id) ?? Number.MAX_SAFE_INTEGER;
  }

  put(type: string, resource: Resource, members?: MembershipDelta): void {
    const table = this.writableTable(type);
    const id = resource.id as string;
    const previous = table.get(id);
    const incremental = previous !== undefined && members !== undefined;
    // A PATCH appends the members it adds: the new elements of the list are its last ones.
    compactResource(resource, { previous, appendedTo: incremental ? 'members' : undefined, appended: members?.added.length });
    if (Array.isArray(resource.members) || Array.isArray(previous?.members)) this.ownMembership();
    if (previous) {
      table.removeFromIndexes(previous);
      if (!incremental) this.unindexMembers(previous);
      table.replace(resource);
    } else {
      table.add(resource, ++this.createdCounter);
    }
    table.addToIndexes(resource);
    if (incremental) {
      this.applyMembership(id, members, table.seqOf(id)!);
      this.shareAppendedMemberIds(resource, members.added.length);
    } else this.indexMembers(resource, table.seqOf(id)!);
    this.changed();
  }

  /** The membership index after a change that added and removed these members (O(changed members)). */
  private applyMembership(groupId: string, members: MembershipDelta, seq: number): void {
    this.containerSeq.set(groupId, seq);
    for (const value of members.removed) this.leaveGroup(value, groupId);
    for (const value of members.added) this.addMembership(value, groupId, seq);
  }

  remove(type: string, id: string): boolean {
    const table = this.writableTable(type);
    const previous = table.get(id);
    if (!previous) return false;
    this.ownMembership();
    table.removeFromIndexes(previous);
    this.unindexMembers(previous);
    table.delete(id);
    this.memberOf.delete(id);
    this.containerSeq.delete(id);
    this.changed();
    return true;
  }

  groupsContaining(memberId: string): ReadonlySet<string> {
    const ids = this.memberOf.get(memberId);
    if (ids === undefined) return EMPTY;
    return new Set(typeof ids === 'string' ? [ids] : ids);
  }

  nextSequence(): number {
    return ++this.sequence;
  }

  editList<T>(list: readonly T[], removed: readonly number[], appended: readonly T[]): T[] {
    let own = list as T[];
    if (!this.ownLists.has(list)) {
      own = list.slice();
      this.ownLists.add(own);
    }
    if (removed.length === 1) own.splice(removed[0]!, 1);
    else if (removed.length > 1) {
      let kept = 0;
      for (let i = 0, next = 0; i < own.length; i++) {
        if (next < removed.length && removed[next] === i) next++;
        else own[kept++] = own[i]!;
      }
      own.length = kept;
    }
    for (const value of appended) own.push(value);
    return own;
  }

  /**
   * Adds the memberships of a resource with members. Each member's list of groups is kept in creation order of
   * the groups (not in the order memberships were added), so User.groups renders the same after a reload.
   */
  private indexMembers(resource: Resource, seq: number): void {
    for (const _ of this.indexMembersSteps(resource, seq));
  }

  /**
   * indexMembers in steps (a yield every 2,048 members: a load gives the event loop back within a group of 100,000);
   * returns how many members it went through.
   */
  private *indexMembersSteps(resource: Resource, seq: number): Generator<void, number, void> {
    const members = resource.members;
    if (!Array.isArray(members)) return 0;
    const groupId = resource.id as string;
    this.containerSeq.set(groupId, seq);
    for (let i = 0; i < members.length; i++) {
      const member: unknown = members[i];
      if (isPlainObject(member) && typeof member.value === 'string') this.addMembership(this.shareMemberId(member), groupId, seq);
      if ((i & 2047) === 2047) yield;
    }
    return members.length;
  }

  /**
   * A member's value is the id of a stored resource: it becomes that resource's own id string (an equal string, so
   * no value changes), and a group of 100,000 members holds no second copy of 100,000 ids. Returns the value.
   */
  private shareMemberId(member: Record<string, unknown>): string {
    const value = member.value as string;
    const target = typeof member.type === 'string'
      ? this.tables.get(member.type)?.get(value)
      : (this.tables.get('User')?.get(value) ?? this.tables.get('Group')?.get(value));
    if (typeof target?.id !== 'string') return value;
    member.value = target.id;
    return target.id;
  }

  /** shareMemberId for the members a PATCH appended: the last `count` elements of the list (see compactResource). */
  private shareAppendedMemberIds(resource: Resource, count: number): void {
    const list = resource.members;
    if (!Array.isArray(list)) return;
    for (let i = Math.max(0, list.length - count); i < list.length; i++) {
      const member: unknown = list[i];
      if (isPlainObject(member) && typeof member.value === 'string') this.shareMemberId(member);
    }
  }

  private leaveGroup(memberId: string, groupId: string): void {
    const current = this.memberOf.get(memberId);
    if (current === undefined) return;
    if (typeof current === 'string') {
      if (current === groupId) this.memberOf.delete(memberId);
      return;
    }
    const i = current.indexOf(groupId);
    if (i < 0) return;
    this.memberOf.set(memberId, current.length === 2 ? current[1 - i]! : current.slice(0, i).concat(current.slice(i + 1)));
  }

  /** Adds a group to a member's list, keeping the list in creation order of the groups. */
  private addMembership(memberId: string, groupId: string, seq: number): void {
    const current = this.memberOf.get(memberId);
    if (current === undefined) {
      this.memberOf.set(memberId, groupId);
      return;
    }
    const list = typeof current === 'string' ? [current] : current;
    if (list.includes(groupId)) return;
    // Usually the newest group: appended. Otherwise inserted before the first group created after it.
    let at = list.length;
    while (at > 0 && (this.containerSeq.get(list[at - 1]!) ?? 0) > seq) at--;
    // concat: a new array of exactly the needed length (the old one may be shared with a remembered state).
    this.memberOf.set(memberId, at === list.length ? list.concat(groupId) : list.slice(0, at).concat(groupId, list.slice(at)));
  }

  private unindexMembers(resource: Resource): void {
    const members = resource.members;
    if (!Array.isArray(members)) return;
    const groupId = resource.id as string;
    for (const member of members) {
      if (!isPlainObject(member) || typeof member.value !== 'string') continue;
      this.leaveGroup(member.value, groupId);
    }
  }

  /** The whole state as plain data, in creation order (the snapshot and data-file format). */
  snapshot(): StoreSnapshot {
    // The snapshot shares the resources: none of their lists may change in place from now on.
    this.ownLists = new WeakSet();
    const resources: Record<string, Resource[]> = {};
    for (const type of this.registry.resourceTypes()) resources[type.name] = [...(this.tables.get(type.name)?.inOrder() ?? [])];
    const custom = this.registry.custom();
    if (custom.schemas.length === 0 && custom.resourceTypes.length === 0) return { sequence: this.sequence, resources };
    return { sequence: this.sequence, schemas: custom.schemas, resourceTypes: custom.resourceTypes, resources };
  }

  /**
   * Replaces the whole state with a snapshot. Resources are taken as they are (ids, versions, timestamps) and
   * must already be valid and compact: the generator's output, a checked document (src/store/snapshot.ts), or
   * a snapshot this store made.
   */
  load(snapshot: StoreSnapshot): void {
    const steps = this.loadSteps(snapshot);
    while (!steps.next().done);
  }

  /**
   * load in steps: yields every few thousand resources indexed (see src/seed/steps.ts). Until the last step the
   * store is half built: only for a store nobody reads yet (a tenant that is still being seeded).
   */
  *loadSteps(snapshot: StoreSnapshot): Generator<void, void, void> {
    // A load that fails part-way (a snapshot that is not what load expects, a bug) leaves the state it replaced: the
    // build fills new maps, so the live ones are only set aside, and put back on failure (no copy).
    const before = { tables: this.tables, memberOf: this.memberOf, containerSeq: this.containerSeq, membershipShared: this.membershipShared, createdCounter: this.createdCounter, ownLists: this.ownLists, custom: this.registry.custom() };
    try {
      this.ownLists = new WeakSet();
      // The snapshot's custom schemas replace the registry's; the tables follow the registry's resource types.
      this.registry.replaceCustom(snapshot.schemas ?? [], snapshot.resourceTypes ?? []);
      const built = this.built.get(snapshot) ?? (yield* this.build(snapshot));
      this.share(built);
    } catch (err) {
      this.registry.replaceCustom(before.custom.schemas, before.custom.resourceTypes);
      ({ tables: this.tables, memberOf: this.memberOf, containerSeq: this.containerSeq, membershipShared: this.membershipShared, createdCounter: this.createdCounter, ownLists: this.ownLists } = before);
      throw err;
    }
    this.sequence = snapshot.sequence;
    this.changed();
  }

  /** Indexes a snapshot and remembers the result for the next load of the same snapshot. */
  private *build(snapshot: StoreSnapshot): Generator<void, BuiltState, void> {
    this.tables = new Map();
    for (const type of this.registry.resourceTypes()) this.tables.set(type.name, Table.empty(type));
    this.memberOf = new Map();
    this.containerSeq = new Map();
    this.membershipShared = false;
    this.createdCounter = 0;
    let work = 0;
    for (const [type, resources] of Object.entries(snapshot.resources)) {
      const table = this.table(type);
      for (const resource of resources) {
        // A valid snapshot has each id once (src/store/snapshot.ts checks documents); a repeated one takes the
        // first one's place, and the later creation sequence, as a Map would.
        if (table.has(resource.id as string)) table.replace(resource, ++this.createdCounter);
        else table.add(resource, ++this.createdCounter);
        table.addToIndexes(resource);
        // A step is about 2,048 resources or memberships: groups of a large directory hold hundreds of thousands.
        work += 1 + (yield* this.indexMembersSteps(resource, this.createdCounter));
        if (work >= 2048) {
          work = 0;
          yield;
        }
      }
    }
    // From now on the index Sets are shared with the remembered state: both copy one before changing it.
    for (const table of this.tables.values()) {
      for (const index of table.indexes.values()) for (const ids of index.values.values()) if (typeof ids !== 'string') SHARED.add(ids);
    }
    const built: BuiltState = { tables: new Map(this.tables), memberOf: this.memberOf, containerSeq: this.containerSeq, createdCounter: this.createdCounter };
    this.built.set(snapshot, built);
    return built;
  }

  /** Makes a remembered state the live one, sharing its maps until the first write. */
  private share(built: BuiltState): void {
    this.tables = new Map();
    for (const [name, table] of built.tables) {
      table.shared = true;
      this.tables.set(name, table);
    }
    this.memberOf = built.memberOf;
    this.containerSeq = built.containerSeq;
    this.membershipShared = true;
    this.createdCounter = built.createdCounter;
  }
}

/** Index Sets shared by a remembered state and the live state: copied before their first change (copy-on-write). */
const SHARED = new WeakSet<Set<string>>();

function writable(set: Set<string>): Set<string> {
  return SHARED.has(set) ? new Set(set) : set;
}

const EMPTY: ReadonlySet<string> = new Set();
