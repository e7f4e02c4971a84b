/**
 * Members a PATCH adds to or removes from a group change the stored list when the PATCH commits, in place once the
 * store holds the list alone: nothing else that shares a list (an older snapshot, the seed state, a failed PATCH)
 * may ever see it change.
 */
import { describe, expect, it, vi } from 'vitest';
import { ControllableClock } from '../../src/scim/clock.js';
import { ScimError } from '../../src/scim/errors.js';
import { SeededRandom } from '../../src/scim/random.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { ScimService } from '../../src/scim/service.js';
import { MemoryStore } from '../../src/store/memory.js';
import { patchOp } from './helpers.js';

function world(size = 50) {
  const registry = SchemaRegistry.builtIn();
  const store = new MemoryStore(registry);
  const clock = new ControllableClock();
  clock.freeze(Date.parse('2020-01-01T00:00:00Z'));
  const service = new ScimService(registry, store, clock, new SeededRandom(42));
  const ids = Array.from({ length: size + 10 }, (_, i) => service.create('User', { schemas: [USER_SCHEMA_ID], userName: `u${i}` }).id as string);
  const group = service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName: 'G', members: ids.slice(0, size).map((value) => ({ value })) });
  const gid = group.id as string;
  const add = (...values: string[]) => service.patch('Group', gid, patchOp({ op: 'add', path: 'members', value: values.map((value) => ({ value })) }));
  const remove = (value: string) => service.patch('Group', gid, patchOp({ op: 'remove', path: `members[value eq "${value}"]` }));
  const members = (resource = store.get('Group', gid)!) => (resource.members as Array<{ value: string }>).map((m) => m.value);
  return { store, service, ids, gid, add, remove, members, extra: ids.slice(size) };
}

describe('adding and removing members of a group', () => {
  it('copies the stored list once, then edits it in place; every version reads right', () => {
    const { store, ids, add, remove, members, extra } = world();
    const edit = vi.spyOn(store, 'editList');
    const v1 = add(extra[0]!);
    const v2 = add(extra[1]!);
    const v3 = remove(ids[3]!);
    const v4 = add(extra[2]!);
    const v5 = remove(extra[0]!.toUpperCase()); // members.value is not caseExact (RFC 7643 section 8.7.1)
    expect(edit).toHaveBeenCalledTimes(5);
    // The first edit copies the list the group was created with; the next ones change that copy.
    expect(edit.mock.results[0]!.value).not.toBe(edit.mock.calls[0]![0]);
    for (const i of [1, 2, 3, 4]) expect(edit.mock.results[i]!.value).toBe(edit.mock.calls[i]![0]);
    expect(members(v5)).toEqual([...ids.slice(0, 3), ...ids.slice(4, 50), extra[1], extra[2]]);
    expect(members()).toEqual(members(v5));
    expect(new Set([v1, v2, v3, v4, v5].map((v) => (v.meta as { version: string }).version)).size).toBe(5);
    expect((v4.members as Array<{ type: string }>).at(-1)!.type).toBe('User');
    expect(store.groupsContaining(ids[3]!).size + store.groupsContaining(extra[0]!).size).toBe(0);
    expect([...store.groupsContaining(extra[2]!)]).toEqual([v5.id]);
  });

  it('never changes a list a snapshot holds, nor the seed state a reset returns to', () => {
    const { store, add, remove, members, gid, ids, extra } = world();
    add(extra[0]!);
    add(extra[1]!); // in place from here on
    const snapshot = store.snapshot();
    const seen = JSON.stringify(snapshot);
    add(extra[2]!);
    remove(ids[0]!);
    expect(JSON.stringify(snapshot)).toBe(seen);
    store.load(snapshot);
    remove(ids[1]!);
    add(extra[5]!);
    store.load(snapshot); // a reset to it
    expect(JSON.stringify(store.snapshot())).toBe(seen);
    expect(members()).toEqual((snapshot.resources.Group!.find((g) => g.id === gid)!.members as Array<{ value: string }>).map((m) => m.value));
  });

  it('a PATCH that fails after its add or remove leaves the list as it was', () => {
    const { service, store, add, members, gid, extra } = world();
    add(extra[0]!);
    add(extra[1]!);
    const before = JSON.stringify(store.get('Group', gid));
    const list = store.get('Group', gid)!.members;
    const failures = [
      patchOp({ op: 'add', path: 'members', value: [{ value: extra[2] }, { value: 'no-such-user' }] }),
      patchOp({ op: 'add', path: 'members', value: [{ value: extra[2] }] }, { op: 'remove', path: 'displayName' }),
      patchOp({ op: 'add', path: 'members', value: [{ value: extra[2] }] }, { op: 'replace', path: 'id', value: 'x' }),
      patchOp({ op: 'remove', path: `members[value eq "${extra[0]}"]` }, { op: 'remove', path: 'displayName' }),
    ];
    for (const body of failures) {
      expect(() => service.patch('Group', gid, body)).toThrow(ScimError);
      expect(JSON.stringify(store.get('Group', gid))).toBe(before);
      expect(store.get('Group', gid)!.members).toBe(list);
      expect(store.groupsContaining(extra[2]!).has(gid)).toBe(false);
      expect(store.groupsContaining(extra[0]!).has(gid)).toBe(true);
    }
    expect(members()).toHaveLength(52);
  });

  it('later operations of the same PATCH see the added members', () => {
    const { service, add, members, gid, ids, extra } = world();
    add(extra[0]!);
    const result = service.patch('Group', gid, patchOp(
      { op: 'add', path: 'members', value: [{ value: extra[1] }, { value: extra[2] }] },
      { op: 'remove', path: `members[value eq "${extra[1]}"]` },
      { op: 'add', path: 'members', value: [{ value: extra[1] }, { value: extra[3] }] },
      { op: 'remove', path: `members[value eq "${ids[0]}"]` },
    ));
    expect(members(result)).toEqual([...ids.slice(1, 50), extra[0], extra[2], extra[1], extra[3]]);
    expect(members()).toEqual(members(result));
  });
});
