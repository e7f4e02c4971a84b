/**
 * What the SCIM service needs from a store. The store (src/store) implements it; the SCIM core never knows
 * how resources are kept or persisted. All methods are synchronous, so a write the service commits is applied
 * whole before any other request runs: no reader ever sees half of it.
 */
import type { Resource } from './validate.js';

/** The member values one change of a resource added and removed. */
export interface MembershipDelta {
  added: readonly string[];
  removed: readonly string[];
}

export interface ResourceRepository {
  get(type: string, id: string): Resource | undefined;
  /** Ids of resources whose indexed attribute equals `value` (normalised by the attribute's caseExact). */
  lookup(type: string, attribute: string, value: string): readonly string[];
  /** True when `attribute` of `type` has an index. */
  isIndexed(type: string, attribute: string): boolean;
  /**
   * All resources of a type, in creation order. The memory store hands out its own array (the filter scan reads
   * an array by index): iterate it at once, and write nothing to the repository while doing so.
   */
  all(type: string): Iterable<Resource>;
  count(type: string): number;
  /** Creation sequence of a resource: a total, stable tiebreak for sorting and cursors. */
  createdSeq(type: string, id: string): number;
  /**
   * Inserts or replaces a resource, updating every index and the membership index. With `members` (the member
   * values a change added and removed), the membership index is updated from that delta alone. A put (and a
   * remove) applies whole or throws having changed nothing: a write of several resources puts back the ones it
   * stored before the one that failed (ScimService.putAll).
   */
  put(type: string, resource: Resource, members?: MembershipDelta): void;
  remove(type: string, id: string): boolean;
  /** Ids of the groups whose members list names `memberId` directly. */
  groupsContaining(memberId: string): ReadonlySet<string>;
  /** A fresh, monotonically increasing number for versions (ETags). */
  nextSequence(): number;
  /**
   * `list`, a list of the stored version of a resource, without the elements at `removed` (indexes, ascending) and
   * followed by `appended`, for the next version of that resource (which the caller puts right after): the store
   * may edit the list in place when nothing but its current version holds it (no snapshot, no seed state), and
   * edits a copy otherwise. So a PATCH adding or removing one member of a group of 100,000 copies no list.
   */
  editList<T>(list: readonly T[], removed: readonly number[], appended: readonly T[]): T[];
}
