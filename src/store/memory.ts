/**
 * The in-memory store of one tenant: per resource type a Map by id (insertion order = creation order), unique
 * and non-unique indexes on the indexed attributes, and a reverse membership index (member id -> group ids).
 * Lookups by id, userName, externalId and displayName are O(1).
 */
import { isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import type { MembershipDelta, ResourceRepository } from '../scim/repository.js';
import { indexedAttributes, type SchemaRegistry } from '../scim/schemas/registry.js';
import type { ResourceTypeDef, SchemaDef } from '../scim/schemas/types.js';
import type { Resource } from '../scim/validate.js';

interface Index {
  caseExact: boolean;
  /** Key -> the id holding it, or a Set when several do (most keys are unique: no Set per resource). */
  values: Map<string, string | Set<string>>;
}

class Table {
  resources = new Map<string, Resource>();
  created = new Map<string, number>();
  readonly indexes = new Map<string, Index>();

  constructor(readonly type: ResourceSchema, withIndexes = true) {
    if (!withIndexes) return;
    for (const name of indexedAttributes(type)) {
      const def = type.coreAttribute(name);
      this.indexes.set(name, { caseExact: def?.caseExact ?? true, values: new Map() });
    }
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

export class MemoryStore implements ResourceRepository {
  private readonly tables = new Map<string, Table>();
  private memberOf = new Map<string, Set<string>>();
  /** Creation sequence of each resource with members, so memberOf sets stay in creation order of the groups. */
  private containerSeq = new Map<string, number>();
  /** The indexed state of snapshots loaded before, so loading one again (a reset) copies maps instead of re-indexing. */
  private readonly built = new WeakMap<StoreSnapshot, BuiltState>();
  private sequence = 0;
  private createdCounter = 0;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly registry: SchemaRegistry) {
    for (const type of registry.resourceTypes()) this.tables.set(type.name, new Table(type));
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
      this.tables.set(schema.name, (table = new Table(schema)));
    }
    return table;
  }

  get(type: string, id: string): Resource | undefined {
    return this.table(type).resources.get(id);
  }

  lookup(type: string, attribute: string, value: string): readonly string[] {
    const table = this.table(type);
    const index = table.indexes.get(attribute);
    if (!index) throw new Error(`${type}.${attribute} is not indexed`);
    const ids = index.values.get(table.key(index, value));
    return ids === undefined ? [] : typeof ids === 'string' ? [ids] : [...ids];
  }

  isIndexed(type: string, attribute: string): boolean {
    return this.table(type).indexes.has(attribute);
  }

  all(type: string): Iterable<Resource> {
    return this.table(type).resources.values();
  }

  count(type: string): number {
    return this.table(type).resources.size;
  }

  createdSeq(type: string, id: string): number {
    return this.table(type).created.get(id) ?? Number.MAX_SAFE_INTEGER;
  }

  put(type: string, resource: Resource, members?: MembershipDelta): void {
    const table = this.table(type);
    const id = resource.id as string;
    const previous = table.resources.get(id);
    const incremental = previous !== undefined && members !== undefined;
    if (previous) {
      table.removeFromIndexes(previous);
      if (!incremental) this.unindexMembers(previous);
    } else {
      table.created.set(id, ++this.createdCounter);
    }
    table.resources.set(id, resource);
    table.addToIndexes(resource);
    if (incremental) this.applyMembership(id, members, table.created.get(id)!);
    else this.indexMembers(resource, table.created.get(id)!);
    this.changed();
  }

  /** The membership index after a change that added and removed these member values (O(changed members)). */
  private applyMembership(groupId: string, members: MembershipDelta, seq: number): void {
    this.containerSeq.set(groupId, seq);
    for (const value of members.removed) {
      this.leaveGroup(value, groupId);
    }
    for (const value of members.added) this.addMembership(value, groupId, seq);
  }

  remove(type: string, id: string): boolean {
    const table = this.table(type);
    const previous = table.resources.get(id);
    if (!previous) return false;
    table.removeFromIndexes(previous);
    this.unindexMembers(previous);
    table.resources.delete(id);
    table.created.delete(id);
    this.memberOf.delete(id);
    this.containerSeq.delete(id);
    this.changed();
    return true;
  }

  groupsContaining(memberId: string): ReadonlySet<string> {
    return this.memberOf.get(memberId) ?? EMPTY;
  }

  nextSequence(): number {
    return ++this.sequence;
  }

  /**
   * Adds the memberships of a resource with members. Each member's set of groups is kept in creation order of
   * the groups (not in the order memberships were added), so User.groups renders the same after a reload.
   */
  private indexMembers(resource: Resource, seq: number): void {
    const members = resource.members;
    if (!Array.isArray(members)) return;
    const groupId = resource.id as string;
    this.containerSeq.set(groupId, seq);
    for (const member of members) {
      if (isPlainObject(member) && typeof member.value === 'string') this.addMembership(member.value, groupId, seq);
    }
  }

  private leaveGroup(memberId: string, groupId: string): void {
    const current = this.memberOf.get(memberId);
    if (!current?.has(groupId)) return;
    if (current.size === 1) {
      this.memberOf.delete(memberId);
      return;
    }
    const groups = writable(current);
    groups.delete(groupId);
    this.memberOf.set(memberId, groups);
  }

  /** Adds a group to a member's set, keeping the set in creation order of the groups. */
  private addMembership(memberId: string, groupId: string, seq: number): void {
    const current = this.memberOf.get(memberId);
    if (current?.has(groupId)) return;
    const groups = current ? writable(current) : new Set<string>();
    this.memberOf.set(memberId, groups);
    let inOrder = true;
    for (const other of groups) if ((this.containerSeq.get(other) ?? 0) > seq) inOrder = false;
    groups.add(groupId);
    if (!inOrder) {
      const sorted = [...groups].sort((a, b) => (this.containerSeq.get(a) ?? 0) - (this.containerSeq.get(b) ?? 0));
      groups.clear();
      for (const id of sorted) groups.add(id);
    }
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
    const resources: Record<string, Resource[]> = {};
    for (const type of this.registry.resourceTypes()) resources[type.name] = [...(this.tables.get(type.name)?.resources.values() ?? [])];
    const custom = this.registry.custom();
    if (custom.schemas.length === 0 && custom.resourceTypes.length === 0) return { sequence: this.sequence, resources };
    return { sequence: this.sequence, schemas: custom.schemas, resourceTypes: custom.resourceTypes, resources };
  }

  /** Replaces the whole state with a snapshot (resources are taken as they are: ids, versions, timestamps). */
  load(snapshot: StoreSnapshot): void {
    // The snapshot's custom schemas replace the registry's; the tables follow the registry's resource types.
    this.registry.replaceCustom(snapshot.schemas ?? [], snapshot.resourceTypes ?? []);
    const built = this.built.get(snapshot);
    if (built) {
      this.restore(built);
      this.sequence = snapshot.sequence;
      this.changed();
      return;
    }
    this.tables.clear();
    for (const type of this.registry.resourceTypes()) this.tables.set(type.name, new Table(type));
    this.memberOf.clear();
    this.containerSeq.clear();
    this.createdCounter = 0;
    for (const [type, resources] of Object.entries(snapshot.resources)) {
      const table = this.table(type);
      for (const resource of resources) {
        table.created.set(resource.id as string, ++this.createdCounter);
        table.resources.set(resource.id as string, resource);
        table.addToIndexes(resource);
        this.indexMembers(resource, this.createdCounter);
      }
    }
    this.sequence = snapshot.sequence;
    this.built.set(snapshot, this.copyState(this.tables, this.memberOf, this.containerSeq, this.createdCounter, true));
    this.changed();
  }

  /** A copy of the maps of a state; `share` marks its Sets as shared (done once, when the state is remembered). */
  private copyState(tables: Map<string, Table>, memberOf: Map<string, Set<string>>, containerSeq: Map<string, number>, createdCounter: number, share = false): BuiltState {
    const copies = new Map<string, Table>();
    for (const [name, table] of tables) {
      const copy = new Table(table.type, false);
      copy.resources = new Map(table.resources);
      copy.created = new Map(table.created);
      for (const [attr, index] of table.indexes) {
        const values = new Map(index.values);
        if (share) for (const ids of values.values()) if (typeof ids !== 'string') SHARED.add(ids);
        copy.indexes.set(attr, { caseExact: index.caseExact, values });
      }
      copies.set(name, copy);
    }
    // The Sets are shared, not copied: both sides copy a shared Set before changing it (see `writable`).
    if (share) for (const groups of memberOf.values()) SHARED.add(groups);
    return { tables: copies, memberOf: new Map(memberOf), containerSeq: new Map(containerSeq), createdCounter };
  }

  private restore(built: BuiltState): void {
    const state = this.copyState(built.tables, built.memberOf, built.containerSeq, built.createdCounter);
    this.tables.clear();
    for (const [name, table] of state.tables) this.tables.set(name, table);
    this.memberOf = state.memberOf;
    this.containerSeq = state.containerSeq;
    this.createdCounter = state.createdCounter;
  }
}

/** Sets shared by a remembered state and the live state: copied before their first change (copy-on-write). */
const SHARED = new WeakSet<Set<string>>();

function writable(set: Set<string>): Set<string> {
  return SHARED.has(set) ? new Set(set) : set;
}

interface BuiltState {
  tables: Map<string, Table>;
  memberOf: Map<string, Set<string>>;
  containerSeq: Map<string, number>;
  createdCounter: number;
}

const EMPTY: ReadonlySet<string> = new Set();
