/**
 * The tenant's store as the SCIM service sees it, with what fault rules change about it. A decorator over the
 * repository seam (src/scim/repository.ts): it depends on nothing of the store's internal layout, and without
 * fault state every call goes straight through.
 *
 * Drift: resources a `drift` rule created are placed first in creation order (their creation sequence is below
 * every other one), so they sort before the page an index walk is on and every later page shifts.
 *
 * Lag (replication lag of an eventually consistent target): the writes of a request a `lag` rule matched go to the
 * store at once (later writes, uniqueness checks and the write's own answer see them), but each resource they
 * change gets a shadow: the state it had before, visible to list and search requests (and, with `reads`, to GET by
 * id) until `visibleAt` on the tenant clock. A created resource is absent, a replaced one old, a deleted one still
 * there (with its group memberships). Nothing is lost: the store holds every acknowledged write, snapshots show it,
 * and once the clock passes `visibleAt` every read agrees. A shadow ends early when the store's resource changes
 * without lag (that change is visible at once); reset and snapshot loads drop every shadow.
 */
import type { MembershipDelta, ResourceRepository } from '../scim/repository.js';
import type { Clock } from '../scim/clock.js';
import { applyListEdit } from '../scim/patch.js';
import type { Resource } from '../scim/validate.js';

/** A resource whose latest lagged write is not yet visible. */
interface Shadow {
  /** What lagging reads see: the resource before the lagged writes, or undefined when they created it. */
  before: Resource | undefined;
  /** Its creation sequence, for a resource the store no longer has (deleted) but reads still see. */
  seq: number;
  /** The version the store held after the last lagged write (undefined: deleted); anything else ends the shadow. */
  after: string | undefined;
  /** Tenant-clock time from which the latest state is visible. */
  visibleAt: number;
  /** GET by id sees the shadow too. */
  reads: boolean;
}

/** Which reads a view serves: list and search requests, or GET by id. */
export type ReadKind = 'list' | 'get';

const versionOf = (resource: Resource | undefined): string | undefined =>
  (resource?.meta as Record<string, unknown> | undefined)?.version as string | undefined;

export class FaultView implements ResourceRepository {
  /** Per resource type: ids placed first by drift -> their creation sequence (negative, lowest first). */
  private first = new Map<string, Map<string, number>>();
  private frontSeq = 0;
  /** Per resource type: id -> its shadow (lag). */
  private shadows = new Map<string, Map<string, Shadow>>();

  constructor(
    readonly store: ResourceRepository,
    private readonly clock: Clock,
  ) {}

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
    this.shadows.clear();
  }

  /** A repository whose writes become visible to lagging reads only `ms` after they are made. */
  lagging(ms: number, reads: boolean): ResourceRepository {
    return new LaggingWrites(this, () => this.clock.now() + ms, reads);
  }

  /**
   * The repository a read request sees: this one, or, while lagged writes are pending, a view that shows the
   * state before them (to every list and search; to a GET by id only for writes lagged with `reads`).
   */
  readView(kind: ReadKind): ResourceRepository {
    if (this.shadows.size === 0) return this;
    const now = this.clock.now();
    const visible = new Map<string, Map<string, Shadow>>();
    for (const [type, byId] of this.shadows) {
      for (const [id, shadow] of byId) {
        if (now >= shadow.visibleAt || versionOf(this.get(type, id)) !== shadow.after) {
          byId.delete(id); // visible now, or overtaken by a write without lag
          continue;
        }
        if (kind === 'get' && !shadow.reads) continue;
        let kept = visible.get(type);
        if (!kept) visible.set(type, (kept = new Map()));
        kept.set(id, shadow);
      }
      if (byId.size === 0) this.shadows.delete(type);
    }
    return visible.size === 0 ? this : new LaggingReads(this, visible);
  }

  /** Records that a lagged write is about to change a resource (called before the store changes). */
  shadow(type: string, id: string, visibleAt: number, reads: boolean): Shadow {
    let byId = this.shadows.get(type);
    if (!byId) this.shadows.set(type, (byId = new Map()));
    const current = this.get(type, id);
    let shadow = byId.get(id);
    if (shadow && (versionOf(current) !== shadow.after || this.clock.now() >= shadow.visibleAt)) shadow = undefined;
    if (!shadow) {
      shadow = { before: current, seq: current ? this.createdSeq(type, id) : 0, after: undefined, visibleAt, reads };
      byId.set(id, shadow);
    } else {
      shadow.visibleAt = Math.max(shadow.visibleAt, visibleAt);
      shadow.reads ||= reads;
    }
    return shadow;
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

  editList<T>(list: readonly T[], removed: readonly number[], appended: readonly T[]): T[] {
    return this.store.editList(list, removed, appended);
  }
}

/** Reads and writes like the view, except that every change it makes is shadowed for `ms` (see FaultView). */
class LaggingWrites implements ResourceRepository {
  constructor(
    private readonly view: FaultView,
    private readonly visibleAt: () => number,
    private readonly reads: boolean,
  ) {}

  get = (type: string, id: string) => this.view.get(type, id);
  lookup = (type: string, attribute: string, value: string) => this.view.lookup(type, attribute, value);
  isIndexed = (type: string, attribute: string) => this.view.isIndexed(type, attribute);
  all = (type: string) => this.view.all(type);
  count = (type: string) => this.view.count(type);
  createdSeq = (type: string, id: string) => this.view.createdSeq(type, id);
  groupsContaining = (memberId: string) => this.view.groupsContaining(memberId);
  nextSequence = () => this.view.nextSequence();

  /** Always on a copy: the shadow keeps the version before this write, and with it the list as it was. */
  editList<T>(list: readonly T[], removed: readonly number[], appended: readonly T[]): T[] {
    return applyListEdit(list, { removed, appended });
  }

  put(type: string, resource: Resource, members?: MembershipDelta): void {
    const shadow = this.view.shadow(type, resource.id as string, this.visibleAt(), this.reads);
    this.view.put(type, resource, members);
    shadow.after = versionOf(resource);
  }

  remove(type: string, id: string): boolean {
    const shadow = this.view.shadow(type, id, this.visibleAt(), this.reads);
    shadow.after = undefined;
    return this.view.remove(type, id);
  }
}

/** The view as lagging reads see it: shadowed resources in their state before the lagged writes. Read-only. */
class LaggingReads implements ResourceRepository {
  constructor(
    private readonly view: FaultView,
    private readonly shadows: Map<string, Map<string, Shadow>>,
  ) {}

  get(type: string, id: string): Resource | undefined {
    const shadow = this.shadows.get(type)?.get(id);
    return shadow ? shadow.before : this.view.get(type, id);
  }

  /** The store's matches plus every shadowed resource of the type: a superset, which callers filter by get(). */
  lookup(type: string, attribute: string, value: string): readonly string[] {
    const found = this.view.lookup(type, attribute, value);
    const shadowed = this.shadows.get(type);
    if (!shadowed) return found;
    const ids = new Set(found);
    for (const id of shadowed.keys()) ids.add(id);
    return [...ids].filter((id) => this.get(type, id) !== undefined);
  }

  isIndexed(type: string, attribute: string): boolean {
    return this.view.isIndexed(type, attribute);
  }

  all(type: string): Iterable<Resource> {
    const shadowed = this.shadows.get(type);
    if (!shadowed) return this.view.all(type);
    return this.merged(type, shadowed);
  }

  /** The view's resources in creation order, shadowed ones as they were, deleted ones back in their place. */
  private *merged(type: string, shadowed: Map<string, Shadow>): Iterable<Resource> {
    const deleted = [...shadowed.values()].filter((s) => s.after === undefined && s.before !== undefined).sort((a, b) => a.seq - b.seq);
    let next = 0;
    for (const resource of this.view.all(type)) {
      const seq = this.view.createdSeq(type, resource.id as string);
      while (next < deleted.length && deleted[next]!.seq < seq) yield deleted[next++]!.before!;
      const shadow = shadowed.get(resource.id as string);
      if (!shadow) yield resource;
      else if (shadow.before) yield shadow.before;
    }
    while (next < deleted.length) yield deleted[next++]!.before!;
  }

  count(type: string): number {
    let n = this.view.count(type);
    for (const shadow of this.shadows.get(type)?.values() ?? []) {
      if (shadow.before === undefined && shadow.after !== undefined) n--;
      else if (shadow.before !== undefined && shadow.after === undefined) n++;
    }
    return n;
  }

  createdSeq(type: string, id: string): number {
    const shadow = this.shadows.get(type)?.get(id);
    return shadow && shadow.after === undefined && shadow.before ? shadow.seq : this.view.createdSeq(type, id);
  }

  /** Group memberships as the shadowed groups had them. */
  groupsContaining(memberId: string): ReadonlySet<string> {
    const current = this.view.groupsContaining(memberId);
    let out: Set<string> | undefined;
    for (const byId of this.shadows.values()) {
      for (const [groupId, shadow] of byId) {
        const had = Array.isArray(shadow.before?.members) && (shadow.before!.members as Array<{ value?: unknown }>).some((m) => m?.value === memberId);
        if (had === current.has(groupId)) continue;
        out ??= new Set(current);
        if (had) out.add(groupId);
        else out.delete(groupId);
      }
    }
    return out ?? current;
  }

  // Reads only: a read request never writes, but if one did, it would write the real state.
  put(type: string, resource: Resource, members?: MembershipDelta): void {
    this.view.put(type, resource, members);
  }

  remove(type: string, id: string): boolean {
    return this.view.remove(type, id);
  }

  nextSequence(): number {
    return this.view.nextSequence();
  }

  editList<T>(list: readonly T[], removed: readonly number[], appended: readonly T[]): T[] {
    return this.view.editList(list, removed, appended);
  }
}
