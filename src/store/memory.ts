/**
 * The in-memory store of one tenant: per resource type a Map by id (insertion order = creation order), unique
 * and non-unique indexes on the indexed attributes, and a reverse membership index (member id -> group ids).
 * Lookups by id, userName, externalId and displayName are O(1).
 */
import { isPlainObject, type ResourceSchema } from '../scim/attributes.js';
import type { MembershipDelta, ResourceRepository } from '../scim/repository.js';
import { indexedAttributes, type SchemaRegistry } from '../scim/schemas/registry.js';
import type { Resource } from '../scim/validate.js';

interface Index {
  caseExact: boolean;
  values: Map<string, Set<string>>;
}

class Table {
  readonly resources = new Map<string, Resource>();
  readonly created = new Map<string, number>();
  readonly indexes = new Map<string, Index>();

  constructor(readonly type: ResourceSchema) {
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
      let ids = index.values.get(key);
      if (!ids) index.values.set(key, (ids = new Set()));
      ids.add(id);
    }
  }

  removeFromIndexes(resource: Resource): void {
    const id = resource.id as string;
    for (const [name, index] of this.indexes) {
      const value = resource[name];
      if (typeof value !== 'string') continue;
      const key = this.key(index, value);
      const ids = index.values.get(key);
      ids?.delete(id);
      if (ids && ids.size === 0) index.values.delete(key);
    }
  }
}

export interface StoreSnapshot {
  sequence: number;
  resources: Record<string, Resource[]>;
}

export class MemoryStore implements ResourceRepository {
  private readonly tables = new Map<string, Table>();
  private readonly memberOf = new Map<string, Set<string>>();
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
    return ids ? [...ids] : [];
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
    if (incremental) this.applyMembership(id, members);
    else this.indexMembers(resource);
    this.changed();
  }

  /** The membership index after a change that added and removed these member values (O(changed members)). */
  private applyMembership(groupId: string, members: MembershipDelta): void {
    for (const value of members.removed) {
      const groups = this.memberOf.get(value);
      groups?.delete(groupId);
      if (groups && groups.size === 0) this.memberOf.delete(value);
    }
    for (const value of members.added) {
      let groups = this.memberOf.get(value);
      if (!groups) this.memberOf.set(value, (groups = new Set()));
      groups.add(groupId);
    }
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
    this.changed();
    return true;
  }

  groupsContaining(memberId: string): ReadonlySet<string> {
    return this.memberOf.get(memberId) ?? EMPTY;
  }

  nextSequence(): number {
    return ++this.sequence;
  }

  private indexMembers(resource: Resource): void {
    const members = resource.members;
    if (!Array.isArray(members)) return;
    const groupId = resource.id as string;
    for (const member of members) {
      if (!isPlainObject(member) || typeof member.value !== 'string') continue;
      let groups = this.memberOf.get(member.value);
      if (!groups) this.memberOf.set(member.value, (groups = new Set()));
      groups.add(groupId);
    }
  }

  private unindexMembers(resource: Resource): void {
    const members = resource.members;
    if (!Array.isArray(members)) return;
    const groupId = resource.id as string;
    for (const member of members) {
      if (!isPlainObject(member) || typeof member.value !== 'string') continue;
      const groups = this.memberOf.get(member.value);
      groups?.delete(groupId);
      if (groups && groups.size === 0) this.memberOf.delete(member.value);
    }
  }

  /** The whole state as plain data, in creation order (the snapshot and data-file format). */
  snapshot(): StoreSnapshot {
    const resources: Record<string, Resource[]> = {};
    for (const [name, table] of this.tables) resources[name] = [...table.resources.values()];
    return { sequence: this.sequence, resources };
  }

  /** Replaces the whole state with a snapshot (resources are taken as they are: ids, versions, timestamps). */
  load(snapshot: StoreSnapshot): void {
    for (const table of this.tables.values()) {
      table.resources.clear();
      table.created.clear();
      for (const index of table.indexes.values()) index.values.clear();
    }
    this.memberOf.clear();
    this.createdCounter = 0;
    for (const [type, resources] of Object.entries(snapshot.resources)) {
      const table = this.table(type);
      for (const resource of resources) {
        table.created.set(resource.id as string, ++this.createdCounter);
        table.resources.set(resource.id as string, resource);
        table.addToIndexes(resource);
        this.indexMembers(resource);
      }
    }
    this.sequence = snapshot.sequence;
    this.changed();
  }
}

const EMPTY: ReadonlySet<string> = new Set();
