/**
 * The PATCH engine and ScimService.patch without HTTP: all or nothing, versions, warnings, the membership
 * delta that keeps large groups fast, and properties checked with fast-check.
 */
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import { ControllableClock } from '../../src/scim/clock.js';
import { applyPatch, parsePatchRequest, type PatchWarning } from '../../src/scim/patch.js';
import { SeededRandom } from '../../src/scim/random.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID, ENTERPRISE_USER_SCHEMA_ID as ENTERPRISE } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { ScimService } from '../../src/scim/service.js';
import { validateResource, type Resource } from '../../src/scim/validate.js';
import { MemoryStore } from '../../src/store/memory.js';
import { ScimError } from '../../src/scim/errors.js';
import { PATCH_OP, patchOp } from './helpers.js';

function world() {
  const registry = SchemaRegistry.builtIn();
  const store = new MemoryStore(registry);
  const clock = new ControllableClock();
  clock.freeze(Date.parse('2020-01-01T00:00:00Z'));
  const service = new ScimService(registry, store, clock, new SeededRandom(42));
  const user = (userName: string, extra: Record<string, unknown> = {}) => service.create('User', { schemas: [USER_SCHEMA_ID], userName, ...extra });
  const group = (displayName: string, members: string[] = []) =>
    service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName, ...(members.length ? { members: members.map((value) => ({ value })) } : {}) });
  return { registry, store, clock, service, user, group };
}

const errorOf = (fn: () => unknown): ScimError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ScimError) return err;
    throw err;
  }
  throw new Error('expected a ScimError');
};

describe('all or nothing', () => {
  it('a failing third operation leaves the resource byte-identical, with the same ETag and memberships', () => {
    const { service, store, user, group } = world();
    const a = user('a');
    const b = user('b');
    const g = group('G', [a.id as string]);
    const before = JSON.stringify(store.get('Group', g.id as string));
    const stored = store.get('Group', g.id as string);
    const err = errorOf(() => service.patch('Group', g.id as string, patchOp(
      { op: 'add', path: 'members', value: [{ value: b.id }] },
      { op: 'replace', path: 'displayName', value: 'Renamed' },
      { op: 'remove', path: 'displayName' },
    )));
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('mutability');
    expect(err.detail).toMatch(/^Operations\[2\]/);
    expect(store.get('Group', g.id as string)).toBe(stored);
    expect(JSON.stringify(store.get('Group', g.id as string))).toBe(before);
    expect([...store.groupsContaining(b.id as string)]).toEqual([]);
    expect([...store.groupsContaining(a.id as string)]).toEqual([g.id]);
  });

  it('a failure in the final checks (uniqueness) also leaves everything as it was', () => {
    const { service, store, user } = world();
    user('taken');
    const u = user('bjensen', { emails: [{ value: 'a@example.com' }] });
    const stored = store.get('User', u.id as string);
    const err = errorOf(() => service.patch('User', u.id as string, patchOp(
      { op: 'add', path: 'emails', value: [{ value: 'b@example.com' }] },
      { op: 'replace', path: 'userName', value: 'TAKEN' },
    )));
    expect(err.status).toBe(409);
    expect(store.get('User', u.id as string)).toBe(stored);
    expect(stored!.emails).toEqual([{ value: 'a@example.com' }]);
  });

  it('never changes the stored objects, even for operations that succeed', () => {
    const { service, store, user, group } = world();
    const a = user('a', { emails: [{ value: 'a@example.com', type: 'work', primary: true }], name: { givenName: 'A' } });
    const b = user('b');
    const g = group('G', [a.id as string]);
    const snapshot = structuredClone(store.snapshot());
    service.patch('User', a.id as string, patchOp(
      { op: 'add', path: 'emails', value: [{ value: 'h@example.com', type: 'home', primary: true }] },
      { op: 'replace', path: 'name.givenName', value: 'Alice' },
      { op: 'replace', path: 'emails[type eq "work"].value', value: 'w@example.com' },
    ));
    service.patch('Group', g.id as string, patchOp({ op: 'add', path: 'members', value: [{ value: b.id }] }, { op: 'remove', path: `members[value eq "${a.id}"]` }));
    const oldUser = snapshot.resources.User!.find((r) => r.id === a.id)!;
    const oldGroup = snapshot.resources.Group!.find((r) => r.id === g.id)!;
    expect(oldUser.emails).toEqual([{ value: 'a@example.com', type: 'work', primary: true }]);
    expect(oldGroup.members).toEqual([{ value: a.id, type: 'User' }]);
  });
});

describe('versions', () => {
  it('zero operations return the unchanged resource (same object, same version)', () => {
    const { service, user } = world();
    const u = user('bjensen');
    expect(service.patch('User', u.id as string, patchOp())).toBe(u);
  });

  it('a PATCH whose result equals the stored resource keeps version and lastModified; a real change bumps both', () => {
    const { service, clock, user } = world();
    const u = user('bjensen', { nickName: 'Babs', emails: [{ value: 'a@example.com', type: 'work' }] });
    clock.advance(5000);
    const same = service.patch('User', u.id as string, patchOp(
      { op: 'replace', path: 'nickName', value: 'Babs' },
      { op: 'add', path: 'emails', value: [{ value: 'a@example.com', type: 'work' }] },
      { op: 'remove', path: 'title' },
      { op: 'replace', path: 'nickName', value: 'X' },
      { op: 'replace', path: 'nickName', value: 'Babs' },
    ));
    expect(same).toBe(u);
    const changed = service.patch('User', u.id as string, patchOp({ op: 'replace', path: 'nickName', value: 'Barb' }));
    expect((changed.meta as Record<string, string>).version).not.toBe((u.meta as Record<string, string>).version);
    expect((changed.meta as Record<string, string>).lastModified).toBe('2020-01-01T00:00:05.000Z');
    expect((changed.meta as Record<string, string>).created).toBe('2020-01-01T00:00:00.000Z');
  });
});

describe('semantics', () => {
  it('add to a multi-valued attribute does not duplicate: equal values, values contained in existing ones, repeats in one op', () => {
    const { service, user } = world();
    const u = user('bjensen', { emails: [{ value: 'a@example.com', type: 'work', primary: true }] });
    const r = service.patch('User', u.id as string, patchOp({
      op: 'add',
      path: 'emails',
      value: [{ value: 'a@example.com', type: 'work' }, { value: 'b@example.com' }, { value: 'b@example.com' }],
    }));
    expect(r.emails).toEqual([{ value: 'a@example.com', type: 'work', primary: true }, { value: 'b@example.com' }]);
  });

  it('a new primary value clears primary on the others', () => {
    const { service, user } = world();
    const u = user('bjensen', { emails: [{ value: 'a@example.com', primary: true }] });
    const r = service.patch('User', u.id as string, patchOp({ op: 'add', path: 'emails', value: [{ value: 'b@example.com', primary: true }] }));
    expect(r.emails).toEqual([{ value: 'a@example.com', primary: false }, { value: 'b@example.com', primary: true }]);
    const again = service.patch('User', u.id as string, patchOp({ op: 'replace', path: 'emails[value eq "a@example.com"].primary', value: true }));
    expect(again.emails).toEqual([{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: false }]);
  });

  it('add with a filter merges into the values it matches', () => {
    const { service, user } = world();
    const u = user('bjensen', { addresses: [{ type: 'work', locality: 'Hollywood' }, { type: 'home', locality: 'Burbank' }] });
    const r = service.patch('User', u.id as string, patchOp({ op: 'add', path: 'addresses[type eq "work"]', value: { postalCode: '91608' } }));
    expect(r.addresses).toEqual([{ type: 'work', locality: 'Hollywood', postalCode: '91608' }, { type: 'home', locality: 'Burbank' }]);
  });

  it('add with a filter that matches nothing creates a value from the filter, and says so in a warning', () => {
    const { service, user } = world();
    const u = user('bjensen');
    const warnings: PatchWarning[] = [];
    const r = service.patch('User', u.id as string, patchOp({ op: 'add', path: 'emails[type eq "work" and primary eq true]', value: { value: 'w@example.com' } }), {}, (w) => warnings.push(w));
    expect(r.emails).toEqual([{ value: 'w@example.com', type: 'work', primary: true }]);
    expect(warnings.map((w) => [w.code, w.rfc])).toEqual([['patch-add-created-value', 'RFC 7644 3.5.2.1']]);
  });

  it('a value that contradicts the filter it is added under is 400 invalidValue', () => {
    const { service, user } = world();
    const u = user('bjensen');
    const err = errorOf(() => service.patch('User', u.id as string, patchOp({ op: 'add', path: 'emails[type eq "work"]', value: { value: 'x@example.com', type: 'home' } })));
    expect([err.status, err.scimType]).toEqual([400, 'invalidValue']);
  });

  it('remove of a sub-attribute of the values a filter selects', () => {
    const { service, user } = world();
    const u = user('bjensen', { emails: [{ value: 'a@example.com', type: 'work', display: 'A' }, { value: 'b@example.com', type: 'home', display: 'B' }] });
    const r = service.patch('User', u.id as string, patchOp({ op: 'remove', path: 'emails[type eq "work"].display' }));
    expect(r.emails).toEqual([{ value: 'a@example.com', type: 'work' }, { value: 'b@example.com', type: 'home', display: 'B' }]);
  });

  it('removing the last sub-attribute removes the complex attribute; the last extension attribute removes the extension', () => {
    const { service, user } = world();
    const u = user('bjensen', { schemas: [USER_SCHEMA_ID, ENTERPRISE], name: { givenName: 'B' }, [ENTERPRISE]: { department: 'Tours' } });
    const r = service.patch('User', u.id as string, patchOp({ op: 'remove', path: 'name.givenName' }, { op: 'remove', path: `${ENTERPRISE}:department` }));
    expect(r.name).toBeUndefined();
    expect(r[ENTERPRISE]).toBeUndefined();
    expect(r.schemas).toEqual([USER_SCHEMA_ID]);
  });

  it('an extension URN as path: add merges its attributes, replace with null and remove drop it', () => {
    const { service, user } = world();
    const u = user('bjensen');
    let r = service.patch('User', u.id as string, patchOp({ op: 'add', path: ENTERPRISE, value: { employeeNumber: '1', costCenter: 'X' } }));
    expect(r[ENTERPRISE]).toEqual({ employeeNumber: '1', costCenter: 'X' });
    r = service.patch('User', u.id as string, patchOp({ op: 'replace', path: ENTERPRISE, value: { costCenter: 'Y' } }));
    expect(r[ENTERPRISE]).toEqual({ employeeNumber: '1', costCenter: 'Y' });
    r = service.patch('User', u.id as string, patchOp({ op: 'remove', path: ENTERPRISE }));
    expect(r[ENTERPRISE]).toBeUndefined();
    expect(r.schemas).toEqual([USER_SCHEMA_ID]);
  });

  it('replace with null or [] unassigns; add of [] changes nothing', () => {
    const { service, user } = world();
    const u = user('bjensen', { nickName: 'B', emails: [{ value: 'a@example.com' }] });
    expect(service.patch('User', u.id as string, patchOp({ op: 'add', path: 'emails', value: [] }))).toBe(u);
    const r = service.patch('User', u.id as string, patchOp({ op: 'replace', path: 'nickName', value: null }, { op: 'replace', path: 'emails', value: [] }));
    expect(r.nickName).toBeUndefined();
    expect(r.emails).toBeUndefined();
  });

  it('unknown attributes inside a value are ignored (as in POST and PUT) with a warning; readOnly sub-attributes are dropped', () => {
    const { service, user } = world();
    const boss = user('boss');
    const u = user('bjensen');
    const warnings: PatchWarning[] = [];
    const r = service.patch('User', u.id as string, patchOp({
      op: 'add',
      value: { nickName: 'B', favouriteColour: 'blue', [`${ENTERPRISE}:manager`]: { value: boss.id, displayName: 'Boss' } },
    }), {}, (w) => warnings.push(w));
    expect(r.nickName).toBe('B');
    expect(r.favouriteColour).toBeUndefined();
    expect(r[ENTERPRISE]).toEqual({ manager: { value: boss.id } });
    expect(warnings.map((w) => w.code)).toEqual(['patch-unknown-attribute']);
  });

  it('immutable values may be set once: a member without display gets one, then it cannot change', () => {
    const { service, user, group } = world();
    const a = user('a');
    const g = group('G', [a.id as string]);
    const r = service.patch('Group', g.id as string, patchOp({ op: 'add', path: `members[value eq "${a.id}"].display`, value: 'Alice' }));
    expect(r.members).toEqual([{ value: a.id, type: 'User', display: 'Alice' }]);
    const err = errorOf(() => service.patch('Group', g.id as string, patchOp({ op: 'replace', path: `members[value eq "${a.id}"].display`, value: 'Al' })));
    expect([err.status, err.scimType]).toEqual([400, 'mutability']);
  });

  it('parsePatchRequest keeps "value" only where it belongs and lower-cases op', () => {
    expect(parsePatchRequest({ schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'a', value: 1 }, { op: 'REMOVE', path: 'b', value: null }] })).toEqual([
      { op: 'replace', path: 'a', value: 1 },
      { op: 'remove', path: 'b' },
    ]);
  });
});

describe('the engine below the profile layer: strict about every quirk', () => {
  // Over HTTP the profile layer rewrites these first (lenient, entra) or rejects them (rfc); the engine itself
  // accepts only the RFC shape, so that a request that reaches it unrewritten is never half understood.
  const cases: Array<[string, (ids: { user: string; boss: string }) => unknown, string, RegExp]> = [
    ['a PatchOp without schemas', () => ({ Operations: [{ op: 'add', path: 'nickName', value: 'x' }] }), 'invalidSyntax', /PatchOp/],
    ['"False" for a boolean', () => patchOp({ op: 'replace', path: 'active', value: 'False' }), 'invalidValue', /JSON boolean/],
    ['a manager as a bare id string', (ids) => patchOp({ op: 'add', path: `${ENTERPRISE}:manager`, value: ids.boss }), 'invalidValue', /is complex/],
    ['remove with a value array', (ids) => patchOp({ op: 'remove', path: 'emails', value: [{ value: ids.user }] }), 'invalidValue', /takes no "value"/],
    ['a number for a string sub-attribute', () => patchOp({ op: 'add', path: 'emails', value: [{ value: 'a@example.com', type: 7 }] }), 'invalidValue', /must be a string/],
  ];
  it.each(cases)('%s', (_name, body, scimType, detail) => {
    const { service, user } = world();
    const boss = user('boss');
    const u = user('bjensen', { emails: [{ value: 'b@example.com' }] });
    const err = errorOf(() => service.patch('User', u.id as string, body({ user: u.id as string, boss: boss.id as string })));
    expect([err.status, err.scimType]).toEqual([400, scimType]);
    expect(err.detail).toMatch(detail);
  });

  it('"$ref": null in a member is an unassigned value (RFC 7643 2.5), accepted as in POST', () => {
    const { service, user, group } = world();
    const a = user('a');
    const g = group('G');
    expect(service.patch('Group', g.id as string, patchOp({ op: 'add', path: 'members', value: [{ value: a.id, $ref: null }] })).members).toEqual([{ value: a.id, type: 'User' }]);
  });

  it('"op" in any letter case is accepted by the engine itself (RFC 7644 3.5.2 names the ops; SCIM names are case-insensitive)', () => {
    const { service, user } = world();
    const u = user('bjensen');
    expect(service.patch('User', u.id as string, patchOp({ op: 'ADD', path: 'nickName', value: 'B' })).nickName).toBe('B');
  });
});

describe('large groups: only the changed members are touched', () => {
  it('adds and removes through a membership delta, never re-checking or re-indexing the other members', () => {
    const { service, store, user, group } = world();
    const ids = Array.from({ length: 200 }, (_, i) => user(`u${i}`).id as string);
    const extra = user('extra').id as string;
    const g = group('Big', ids);
    const put = vi.spyOn(store, 'put');
    const lookups = vi.spyOn(store, 'get');
    service.patch('Group', g.id as string, patchOp({ op: 'add', path: 'members', value: [{ value: extra }] }));
    expect(put).toHaveBeenCalledTimes(1);
    expect(put.mock.calls[0]![2]).toEqual({ added: [extra], removed: [] });
    // One lookup for the group, and one per new member (its type): not one per member.
    expect(lookups.mock.calls.length).toBeLessThanOrEqual(3);
    service.patch('Group', g.id as string, patchOp({ op: 'remove', path: `members[value eq "${ids[7]}"]` }, { op: 'remove', path: `members[value eq "${extra}"]` }));
    expect(put.mock.calls[1]![2]).toEqual({ added: [], removed: [ids[7], extra] });
    expect(store.groupsContaining(ids[7]!).has(g.id as string)).toBe(false);
    expect(store.groupsContaining(extra).has(g.id as string)).toBe(false);
    expect(store.groupsContaining(ids[8]!).has(g.id as string)).toBe(true);
    // Renaming a large group checks no member at all.
    lookups.mockClear();
    service.patch('Group', g.id as string, patchOp({ op: 'replace', path: 'displayName', value: 'Bigger' }));
    expect(put.mock.calls[2]![2]).toEqual({ added: [], removed: [] });
    expect(lookups.mock.calls.length).toBe(1);
  });

  it('the membership index always equals what the stored members say (fast-check, random add/remove/replace sequences)', () => {
    const { service, store, user, group } = world();
    const ids = Array.from({ length: 8 }, (_, i) => user(`p${i}`).id as string);
    const g = group('P', ids.slice(0, 3));
    const gid = g.id as string;
    const memberOp = fc.oneof(
      fc.record({ op: fc.constantFrom('add', 'Add'), path: fc.constant('members'), value: fc.array(fc.constantFrom(...ids).map((value) => ({ value })), { maxLength: 3 }) }),
      fc.constantFrom(...ids).map((id) => ({ op: 'remove', path: `members[value eq "${id}"]` })),
      fc.constantFrom(...ids).map((id) => ({ op: 'remove', path: `members[value eq "${id.toUpperCase()}"]` })),
      fc.constant({ op: 'remove', path: 'members' }),
      fc.array(fc.constantFrom(...ids).map((value) => ({ value })), { maxLength: 4 }).map((value) => ({ op: 'replace', path: 'members', value })),
      fc.constant({ op: 'replace', path: 'displayName', value: 'P2' }),
      fc.constant({ op: 'remove', path: 'displayName' }), // fails: the whole PATCH is undone
    );
    fc.assert(
      fc.property(fc.array(memberOp, { minLength: 1, maxLength: 5 }), (operations) => {
        try {
          service.patch('Group', gid, patchOp(...operations));
        } catch (err) {
          if (!(err instanceof ScimError) || err.status >= 500) throw err;
        }
        const stored = store.get('Group', gid)!;
        const members = ((stored.members as Array<{ value: string }> | undefined) ?? []).map((m) => m.value);
        expect(new Set(members).size).toBe(members.length);
        for (const id of ids) expect(store.groupsContaining(id).has(gid)).toBe(members.includes(id));
      }),
      { numRuns: 300, seed: 4 },
    );
  });
});

describe('robustness (fast-check)', () => {
  const pathArb = fc.constantFrom(
    'nickName', 'userName', 'name', 'name.givenName', 'emails', 'emails[type eq "work"]', 'emails[type eq "work"].value',
    'emails[value ew "example.com"].primary', 'addresses[type eq "home"].locality', 'active', 'id', 'meta', 'groups',
    `${ENTERPRISE}:manager`, `${ENTERPRISE}:employeeNumber`, ENTERPRISE, 'x509Certificates', 'title', 'nosuch', 'emails.value', '',
  );
  const valueArb = fc.oneof(
    fc.constant(undefined),
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom('x', 'work@example.com', true, false, null, [], {}, { value: 'a@example.com', type: 'work', primary: true }, [{ value: 'b@example.com' }], { givenName: 'B' }),
  );
  const opArb = fc.record({ op: fc.constantFrom('add', 'remove', 'replace', 'Replace', 'copy'), path: fc.option(pathArb, { nil: undefined }), value: valueArb }, { requiredKeys: ['op'] });

  it('any sequence of operations either yields a resource that validates as a PUT body, or a 4xx that leaves the stored resource as it was', () => {
    const { registry, service, store, user } = world();
    const u = user('bjensen', { emails: [{ value: 'a@example.com', type: 'work' }], addresses: [{ type: 'home', locality: 'X' }] });
    const id = u.id as string;
    const type = registry.resourceType('User')!;
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 4 }), (operations) => {
        const before = store.get('User', id)!;
        const json = JSON.stringify(before);
        let result: Resource;
        try {
          result = service.patch('User', id, patchOp(...operations));
        } catch (err) {
          if (!(err instanceof ScimError)) throw err;
          expect(err.status).toBeGreaterThanOrEqual(400);
          expect(err.status).toBeLessThan(500);
          expect(store.get('User', id)).toBe(before);
          expect(JSON.stringify(before)).toBe(json);
          return;
        }
        const { id: _id, meta: _meta, ...body } = result;
        const revalidated = validateResource(type, body, { existing: before });
        expect(revalidated).toEqual(body);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 400, seed: 11 },
    );
  });

  it('applyPatch never mutates its input resource', () => {
    const { registry, user } = world();
    const u = user('bjensen', { emails: [{ value: 'a@example.com', type: 'work' }], name: { givenName: 'B' } });
    const frozen = structuredClone(u);
    const type = registry.resourceType('User')!;
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 4 }), (operations) => {
        try {
          applyPatch(type, u, parsePatchRequest(patchOp(...operations)));
        } catch (err) {
          if (!(err instanceof ScimError)) throw err;
        }
        expect(u).toEqual(frozen);
      }),
      { numRuns: 300, seed: 12 },
    );
  });
});
