/**
 * The memory store behind the ResourceRepository interface, with puts, removals and version draws that fail on
 * request (a store limit, a full disk, a bug): the seam the all-or-nothing write tests use.
 */
import type { MembershipDelta, ResourceRepository } from '../../src/scim/repository.js';
import type { ScimService } from '../../src/scim/service.js';
import type { Resource } from '../../src/scim/validate.js';
import type { MemoryStore } from '../../src/store/memory.js';

export type Step = 'put' | 'remove' | 'sequence';

/** What a failing step throws. */
export const FAILURE: Readonly<Record<Step, string>> = { put: 'the store is full', remove: 'the store cannot remove', sequence: 'no version to draw' };

export class FailingRepository implements ResourceRepository {
  /** Every call of this step fails while it is set. */
  failing: Step | undefined;
  private armed: { step: Step; left: number } | undefined;
  /** Per editList call: whether the store edited the list it was given in place (no copy). */
  readonly inPlace: boolean[] = [];
  /** Steps that succeeded since the last failAt (what a write did before it failed). */
  readonly done: Step[] = [];
  constructor(readonly store: MemoryStore) {}
  /** The next `after` calls of `step` succeed, the one after them throws (once). */
  failAt(step: Step, after: number): void {
    this.armed = { step, left: after };
    this.done.length = 0;
  }
  /** Whether the failure failAt armed has happened. */
  get fired(): boolean {
    return this.armed === undefined;
  }
  private step(step: Step): void {
    if (this.failing === step || (this.armed?.step === step && this.armed.left-- === 0)) {
      if (this.failing !== step) this.armed = undefined;
      throw new Error(FAILURE[step]);
    }
    this.done.push(step);
  }
  get(type: string, id: string) {
    return this.store.get(type, id);
  }
  lookup(type: string, attribute: string, value: string) {
    return this.store.lookup(type, attribute, value);
  }
  isIndexed(type: string, attribute: string) {
    return this.store.isIndexed(type, attribute);
  }
  all(type: string) {
    return this.store.all(type);
  }
  count(type: string) {
    return this.store.count(type);
  }
  createdSeq(type: string, id: string) {
    return this.store.createdSeq(type, id);
  }
  put(type: string, resource: Resource, members?: MembershipDelta) {
    this.step('put');
    this.store.put(type, resource, members);
  }
  remove(type: string, id: string) {
    this.step('remove');
    return this.store.remove(type, id);
  }
  groupsContaining(memberId: string) {
    return this.store.groupsContaining(memberId);
  }
  nextSequence() {
    this.step('sequence');
    return this.store.nextSequence();
  }
  editList<T>(list: readonly T[], removed: readonly number[], appended: readonly T[]) {
    const edited = this.store.editList(list, removed, appended);
    this.inPlace.push(edited === list);
    return edited;
  }
}

/** The ids a filter finds (one page of up to 100, sorted): what a client reads of a membership through filters. */
export function filteredIds(service: ScimService, type: string, filter: string): string[] {
  return service
    .query([type], { filter }, { limits: { defaultPageSize: 100, maxPageSize: 100, cursorTimeout: 0 }, cursorSecret: 's' })
    .entries.map((e) => e.resource.id as string)
    .sort();
}
