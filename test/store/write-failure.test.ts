/**
 * Writes that store several resources fail whole: a DELETE (the groups that listed the resource, then its removal;
 * also a nested group's, the deactivating DELETE of a Slack-like target, and a Bulk DELETE) and a rename (the
 * resource, and the new versions of the groups whose members' display shows its name). Whichever of their puts,
 * removal or version draws fails, every resource, member list, membership (User.groups, `members.value` and
 * `groups.value` filters) and version is as before, and the next write works. The seam: a repository around the
 * memory store that fails its n-th put, removal or version draw (a store limit, a full disk, a bug).
 */
import { describe, expect, it } from 'vitest';
import { processBulk } from '../../src/scim/bulk.js';
import type { TargetCapabilities } from '../../src/scim/capabilities.js';
import { ControllableClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { ScimService } from '../../src/scim/service.js';
import type { Resource } from '../../src/scim/validate.js';
import { MemoryStore } from '../../src/store/memory.js';
import { FAILURE, FailingRepository, filteredIds, type Step } from './failing-repository.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK_REQUEST = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/**
 * Users u0-u5 and groups: C = {u0, u4}, A = {u1, u0, u2, C}, B = {u0, u3}, P = {C}. So u0 is in three groups (in the
 * middle of A's list) and, through C, indirectly in A and P; C is nested in two groups.
 */
function world(capabilities?: TargetCapabilities) {
  const registry = SchemaRegistry.builtIn();
  const store = new MemoryStore(registry);
  const repo = new FailingRepository(store);
  const clock = new ControllableClock();
  clock.freeze(Date.parse('2025-06-01T00:00:00Z'));
  const service = new ScimService(registry, repo, clock, new SeededRandom(11), { groupDisplayNameUnique: false, capabilities });
  const u = Array.from({ length: 6 }, (_, i) => service.create('User', { schemas: [USER_SCHEMA_ID], userName: `u${i}`, active: true }).id as string);
  const group = (displayName: string, ...members: string[]) =>
    service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName, members: members.map((value) => ({ value })) }).id as string;
  const C = group('C', u[0]!, u[4]!);
  const A = group('A', u[1]!, u[0]!, u[2]!, C);
  const B = group('B', u[0]!, u[3]!);
  const P = group('P', C);
  // A PATCH that adds a member and takes it out again: C's stored list is then the store's own (edited in place).
  const patchC = (...Operations: unknown[]) => service.patch('Group', C, { schemas: [PATCH_OP], Operations });
  patchC({ op: 'add', path: 'members', value: [{ value: u[5]! }] });
  patchC({ op: 'remove', path: `members[value eq "${u[5]!}"]` });
  const groups = { A, B, C, P };
  const ids = [...u, A, B, C, P];
  const query = (type: string, filter: string) => filteredIds(service, type, filter);
  /** Everything a client can read of the directory: resources, versions (a User's with its groups), memberships. */
  const view = () => ({
    users: JSON.stringify([...store.all('User')]),
    groups: JSON.stringify([...store.all('Group')]),
    order: ids.map((id) => [store.createdSeq('User', id), store.createdSeq('Group', id)]),
    versions: [...store.all('User')].map((r) => service.versionOf('User', r)),
    memberOf: ids.map((id) => [...store.groupsContaining(id)]),
    groupsOf: u.map((id) => service.groupsOf(id, '')),
    byMember: ids.map((id) => query('Group', `members.value eq "${id}"`)),
    byGroup: Object.values(groups).map((id) => query('User', `groups.value eq "${id}"`)),
  });
  return { store, repo, service, clock, u, groups, view };
}

/** Every way a write of `steps` (its puts, removals and version draws) can fail: at each of them. */
function failures(steps: Step[]): Array<[Step, number]> {
  const counts = new Map<Step, number>();
  const out: Array<[Step, number]> = [];
  for (const step of steps) {
    const n = counts.get(step) ?? 0;
    out.push([step, n]);
    counts.set(step, n + 1);
  }
  return out;
}

/** The steps `write` takes when nothing fails (on a world of its own). */
function stepsOf(write: (w: ReturnType<typeof world>) => void, capabilities?: TargetCapabilities): Step[] {
  const w = world(capabilities);
  w.repo.failAt('put', Number.MAX_SAFE_INTEGER);
  write(w);
  return [...w.repo.done];
}

/** Fails `write` at each of its steps in turn, on the same world: each time, nothing it can read has changed. */
function failEverywhere(write: (w: ReturnType<typeof world>) => void, capabilities?: TargetCapabilities) {
  const steps = stepsOf(write, capabilities);
  const w = world(capabilities);
  const before = w.view();
  for (const [step, after] of failures(steps)) {
    w.repo.failAt(step, after);
    expect(() => write(w), `failing at ${step} #${after + 1}`).toThrow(FAILURE[step]);
    expect(w.repo.fired).toBe(true);
    expect(w.view(), `after failing at ${step} #${after + 1} of ${steps.join(', ')}`).toEqual(before);
  }
  w.repo.failAt('put', Number.MAX_SAFE_INTEGER); // fails nothing from here on
  return { ...w, before, steps };
}

describe('a DELETE that fails part-way', () => {
  it('of a user in three groups: the groups still list it, it is still there, and the next DELETE works', () => {
    const { repo, service, store, u, groups, view, before, steps } = failEverywhere(({ service, u }) => service.delete('User', u[0]!));
    // Three groups written, the user removed: every one of them, and every version drawn, was a place to fail.
    expect(steps.filter((s) => s === 'put')).toHaveLength(3);
    expect(steps).toContain('remove');
    // C's list is the store's own (world() patched it): u0 left it in place, and went back into it on each failure.
    expect(repo.inPlace).toContain(true);
    service.delete('User', u[0]!);
    expect(store.get('User', u[0]!)).toBeUndefined();
    const members = (id: string) => ((store.get('Group', id)!.members ?? []) as Array<{ value: string }>).map((m) => m.value);
    expect(members(groups.A)).toEqual([u[1], u[2], groups.C]);
    expect(members(groups.B)).toEqual([u[3]]);
    expect(members(groups.C)).toEqual([u[4]]);
    const after = view();
    expect(after.memberOf[0]).toEqual([]);
    expect(after.byMember[0]).toEqual([]);
    expect(after.groupsOf[4]!.map((g) => g.value)).toEqual([groups.C, groups.A, groups.P]);
    expect(after.groups).not.toEqual(before.groups); // A, B and C have new versions
  });

  it('of a group nested in two groups: both still list it, its members keep it and the groups above it', () => {
    const { service, store, u, groups, view } = failEverywhere(({ service, groups }) => service.delete('Group', groups.C));
    service.delete('Group', groups.C);
    expect(store.get('Group', groups.C)).toBeUndefined();
    expect(store.get('Group', groups.P)!.members).toBeUndefined();
    const after = view();
    expect(after.groupsOf[4]).toEqual([]);
    expect(after.groupsOf[0]!.map((g) => g.value)).toEqual([groups.A, groups.B]);
    expect(after.byMember[u.length + 2]).toEqual([]); // no group lists C
  });

  it('of a user a Slack-like target deactivates: it stays active, at its version', () => {
    const caps: TargetCapabilities = { deactivateOnDelete: ['User'] };
    const { service, store, u } = failEverywhere(({ service, u }) => service.delete('User', u[0]!), caps);
    service.delete('User', u[0]!);
    expect(store.get('User', u[0]!)!.active).toBe(false);
  });

  it('inside a Bulk request: that operation fails alone, and the next one runs', () => {
    const { repo, service, store, u, view } = world();
    const before = view();
    repo.failAt('put', 1); // the second group of u0's three
    const response = processBulk(
      service,
      {
        schemas: [BULK_REQUEST],
        Operations: [
          { method: 'DELETE', path: `/Users/${u[0]!}` },
          { method: 'DELETE', path: `/Users/${u[5]!}` },
        ],
      },
      { baseUrl: 'http://x/scim/v2', maxOperations: 10, maxPayloadSize: 1_000_000, payloadSize: 100 },
    );
    expect(response.Operations.map((o) => o.status)).toEqual(['500', '204']);
    expect(repo.fired).toBe(true);
    // u5 (in no group) is gone; everything else is as it was.
    expect(store.get('User', u[5]!)).toBeUndefined();
    const after = view();
    const notU5 = (_: unknown, i: number) => i !== 5;
    const withoutU5 = (v: typeof before) => ({
      ...v,
      users: JSON.stringify((JSON.parse(v.users) as Resource[]).filter((r) => r.id !== u[5])),
      order: v.order.filter(notU5),
      versions: v.versions.filter(notU5),
      memberOf: v.memberOf.filter(notU5),
      byMember: v.byMember.filter(notU5),
    });
    expect(withoutU5(after)).toEqual(withoutU5(before));
  });
});

describe('a rename that fails part-way', () => {
  it('of a user (PATCH and PUT): neither the user nor any of its groups has a new version', () => {
    const rename = ({ service, u }: ReturnType<typeof world>) => service.patch('User', u[0]!, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'zero' }] });
    const { service, store, u, groups, before } = failEverywhere(rename);
    const replace = ({ service, u }: ReturnType<typeof world>) => service.replace('User', u[0]!, { schemas: [USER_SCHEMA_ID], userName: 'zero', active: true });
    failEverywhere(replace);
    // The user's new version and those of the three groups that show its name: each a place to fail.
    expect(stepsOf(rename).filter((s) => s === 'put')).toHaveLength(4);
    const version = (type: string, id: string) => (store.get(type, id)!.meta as Record<string, string>).version;
    const old = JSON.parse(before.groups) as Resource[];
    service.patch('User', u[0]!, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'userName', value: 'zero' }] });
    expect(store.get('User', u[0]!)!.userName).toBe('zero');
    for (const id of [groups.A, groups.B, groups.C]) expect(version('Group', id)).not.toBe((old.find((g) => g.id === id)!.meta as Record<string, string>).version);
    expect(version('Group', groups.P)).toBe((old.find((g) => g.id === groups.P)!.meta as Record<string, string>).version);
  });

  it('of a group whose PATCH also edits its members in place: its list, its members and the groups above it are as before', () => {
    const rename = (service: ScimService, u: string[], C: string) =>
      service.patch('Group', C, {
        schemas: [PATCH_OP],
        Operations: [
          { op: 'replace', path: 'displayName', value: 'C2' },
          { op: 'add', path: 'members', value: [{ value: u[5]! }] },
        ],
      });
    const { service, store, u, groups, view } = failEverywhere((w) => rename(w.service, w.u, w.groups.C));
    rename(service, u, groups.C);
    expect(store.get('Group', groups.C)!.displayName).toBe('C2');
    expect(view().groupsOf[5]!.map((g) => [g.value, g.display])).toEqual([[groups.C, 'C2'], [groups.A, 'A'], [groups.P, 'P']]);
  });
});
