/**
 * The tenant's store as the SCIM service sees it, with what fault rules change about it. A decorator over the
 * repository seam (src/scim/repository.ts): it depends on nothing of the store's internal layout, and without
 * fault state every call goes straight through.
 *
 * Drift: resources a `drift` rule created are placed first in creation order (their creation sequence is below
 * every other one), so they sort before the page an index walk is on and every later page shifts.
 */
import type { MembershipDelta, ResourceRepository } from '../scim/repository.js';
import type { Resource } from '../scim/validate.js';

export class FaultView implements ResourceRepository {
  /** Per resource type: ids placed first by drift -> their creation sequence (negative, lowest first). */
  private first = new Map<string, Map<string, number>>();
  private frontSeq = 0;

  constructor(readonly store: ResourceRepository) {}

  /** Places resources (in this order) before every resource of their type, including those placed before. */
  placeFirst(type: string, ids: readonly string[]): void {
    if (ids.length === 0) return;
    let placed = this.first.get(type);
    if (!placed) this.first.set(type, (placed = new Map()));
    const base = this.frontSeq - ids.length;
    ids.forEach((id, i) => placed.set(id, base + i));
    this.frontSeq = base;
  }

  /** Forgets all fault state (the store was reset or loaded from a snapshot). */
  clear(): void {
    this.first.clear();
    this.frontSeq = 0;
  }

  get(type: string, id: string): Resource | undefined {
    return this.store.get(type, id);
  }

  lookup(type: string, attribute: string, value: string): readonly string[] {
    return this.store.lookup(type, attribute, value);
  }

  isIndexed(type: string, attribute: string): boolean {
    return this.store.isIndexed(type, attribute);
  }

  all(type: string): Iterable<Resource> {
    const placed = this.first.get(type);
    if (!placed || placed.size === 0) return this.store.all(type);
    return this.placedFirst(type, placed);
  }

  private *placedFirst(type: string, placed: Map<string, number>): Iterable<Resource> {
    const ordered = [...placed].sort((a, b) => a[1] - b[1]);
    for (const [id] of ordered) {
      const resource = this.store.get(type, id);
      if (resource) yield resource;
    }
    for (const resource of this.store.all(type)) if (!placed.has(resource.id as string)) yield resource;
  }

  count(type: string): number {
    return this.store.count(type);
  }

  createdSeq(type: string, id: string): number {
    return this.first.get(type)?.get(id) ?? this.store.createdSeq(type, id);
  }

  put(type: string, resource: Resource, members?: MembershipDelta): void {
    this.store.put(type, resource, members);
  }

  remove(type: string, id: string): boolean {
    this.first.get(type)?.delete(id);
    return this.store.remove(type, id);
  }

  groupsContaining(memberId: string): ReadonlySet<string> {
    return this.store.groupsContaining(memberId);
  }

  nextSequence(): number {
    return this.store.nextSequence();
  }
}
