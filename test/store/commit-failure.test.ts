/**
 * A write that fails after every check passed (the store refuses the put, or a version cannot be drawn) leaves
 * nothing changed: the stored group and its member list (which a PATCH edits in place once the store holds it
 * alone), the membership index (User.groups, `members.value` and `groups.value` filters) and the target's budget of
 * members added to each group. The seam: a repository around the memory store that fails on request.
 */
import { describe, expect, it } from 'vitest';
import { MemberAdditionBudget } from '../../src/scim/capabilities.js';
import { ControllableClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { ScimService } from '../../src/scim/service.js';
import { MemoryStore } from '../../src/store/memory.js';
import { FAILURE, FailingRepository, filteredIds } from './failing-repository.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A group of five users under a budget of eight members per hour, then two PATCH adds: the list is the store's own. */
function world() {
  const registry = SchemaRegistry.builtIn();
  const store = new MemoryStore(registry);
  const repo = new FailingRepository(store);
  const clock = new ControllableClock();
  clock.freeze(Date.parse('2025-06-01T00:00:00Z'));
  const budget = new MemberAdditionBudget({ limit: 8, windowMs: 3_600_000 });
  const service = new ScimService(registry, repo, clock, new SeededRandom(7), { groupDisplayNameUnique: false, memberBudget: budget });
  const users = Array.from({ length: 10 }, (_, i) => service.create('User', { schemas: [USER_SCHEMA_ID], userName: `u${i}` }).id as string);
  const gid = service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName: 'G', members: users.slice(0, 5).map((value) => ({ value })) }).id as string;
  const patch = (...Operations: unknown[]) => service.patch('Group', gid, { schemas: [PATCH_OP], Operations });
  const add = (id: string) => patch({ op: 'add', path: 'members', value: [{ value: id }] });
  add(users[5]!); // copies the list the group was created with
  add(users[6]!); // edits that copy in place from here on: 7 of the 8 members of the hour are spent
  const query = (type: string, filter: string) => filteredIds(service, type, filter);
  /** Everything a client can read of the group's membership. */
  const view = () => ({
    group: JSON.stringify(store.get('Group', gid)),
    members: (store.get('Group', gid)!.members as Array<{ value: string }>).map((m) => m.value),
    memberOf: users.map((u) => [...store.groupsContaining(u)]),
    groupsOf: users.map((u) => service.groupsOf(u, '').map((g) => g.value)),
    byMember: users.map((u) => query('Group', `members.value eq "${u}"`)),
    byGroup: query('User', `groups.value eq "${gid}"`),
  });
  return { repo, service, budget, users, gid, patch, add, view };
}

describe('a write that fails after its checks passed', () => {
  for (const failing of ['put', 'sequence'] as const) {
    it(`${failing === 'put' ? 'a put the store refuses' : 'a version that cannot be drawn'}: the group, its members index and the budget are untouched`, () => {
      const { repo, users, patch, add, view } = world();
      const before = view();
      expect(before.members).toEqual(users.slice(0, 7));
      repo.failing = failing;
      // Adding one member (in place: O(1), no copy), removing one from the middle, and both in one PATCH.
      expect(() => add(users[7]!)).toThrow(FAILURE[failing]);
      expect(view()).toEqual(before);
      expect(() => patch({ op: 'remove', path: `members[value eq "${users[2]!}"]` })).toThrow(FAILURE[failing]);
      expect(view()).toEqual(before);
      expect(() => patch({ op: 'remove', path: `members[value eq "${users[0]!}"]` }, { op: 'remove', path: `members[value eq "${users[4]!}"]` }, { op: 'add', path: 'members', value: [{ value: users[8]! }] })).toThrow(FAILURE[failing]);
      expect(view()).toEqual(before);
      // The first two failed PATCHes had edited the stored version's own list in place (the first add of world()
      // copied it); the third, with several operations on the list, had the PATCH engine edit a copy.
      expect(repo.inPlace).toEqual([false, true, true, true]);

      // The store works again: the budget still has the hour's eighth member, and the list and index agree.
      repo.failing = undefined;
      const after = add(users[7]!);
      expect((after.members as Array<{ value: string }>).map((m) => m.value)).toEqual(users.slice(0, 8));
      expect(view().byGroup).toEqual([...users.slice(0, 8)].sort());
      // ... and it is spent now: the ninth is refused.
      expect(() => add(users[8]!)).toThrow(/429|at most 8 members/);
    });
  }

  it('a create that fails to store takes nothing from the budget', () => {
    const { repo, service, users, budget } = world();
    repo.failing = 'put';
    expect(() => service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName: 'H', members: users.slice(0, 8).map((value) => ({ value })) })).toThrow('the store is full');
    repo.failing = undefined;
    expect(budget.size).toBe(1); // only G's bucket
    expect(service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName: 'H', members: users.slice(0, 8).map((value) => ({ value })) }).id).toBeTypeOf('string');
  });
});
