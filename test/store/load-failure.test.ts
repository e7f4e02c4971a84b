/**
 * Loading a snapshot (a reset, PUT /_mock/snapshot, a data file) replaces the store's whole state. One that fails
 * part-way (a snapshot that is not what load expects: checked documents never are, so a bug) leaves the state it
 * was to replace, with its indexes, memberships and custom resource types, and the store keeps working.
 */
import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';
import { checkCustomSchemas } from '../../src/scim/schemas/custom.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { ScimService } from '../../src/scim/service.js';
import type { Resource } from '../../src/scim/validate.js';
import { MemoryStore, type StoreSnapshot } from '../../src/store/memory.js';

const DEVICE = 'urn:example:params:scim:schemas:core:2.0:Device';

function world() {
  const registry = SchemaRegistry.builtIn();
  const store = new MemoryStore(registry);
  const clock = new ControllableClock();
  clock.freeze(Date.parse('2025-06-01T00:00:00Z'));
  const service = new ScimService(registry, store, clock, new SeededRandom(3), { groupDisplayNameUnique: false });
  const users = ['ann', 'bob', 'cy'].map((userName) => service.create('User', { schemas: [USER_SCHEMA_ID], userName }).id as string);
  const gid = service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName: 'G', members: users.slice(0, 2).map((value) => ({ value })) }).id as string;
  // The seed state (remembered by the store: a reset shares its maps), then a write on top of it.
  const seed = store.snapshot();
  store.load(seed);
  service.patch('Group', gid, { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'add', path: 'members', value: [{ value: users[2]! }] }] });
  const view = () => ({
    types: registry.resourceTypes().map((t) => t.name),
    users: JSON.stringify([...store.all('User')]),
    groups: JSON.stringify([...store.all('Group')]),
    counts: [store.count('User'), store.count('Group')],
    byName: ['ann', 'bob', 'cy', 'dee'].map((name) => store.lookup('User', 'userName', name)),
    memberOf: users.map((id) => [...store.groupsContaining(id)]),
    order: users.map((id) => store.createdSeq('User', id)),
    snapshot: JSON.stringify(store.snapshot()),
  });
  return { registry, store, service, users, gid, seed, view };
}

/** A snapshot whose users load, then a resource type no registry knows: the build fails after indexing them. */
function broken(custom = false): StoreSnapshot {
  const user: Resource = { schemas: [USER_SCHEMA_ID], id: 'd1', userName: 'dee', meta: { resourceType: 'User', created: '2025-01-01T00:00:00Z', lastModified: '2025-01-01T00:00:00Z', version: 'W/"1"' } };
  const types = custom
    ? checkCustomSchemas({
        schemas: [{ id: DEVICE, name: 'Device', attributes: [{ name: 'serialNumber', type: 'string' }] }],
        resourceTypes: [{ name: 'Device', endpoint: '/Devices', schema: DEVICE }],
      })
    : undefined;
  return { sequence: 9, ...(types ? { schemas: types.schemas, resourceTypes: types.resourceTypes } : {}), resources: { User: [user], Gadget: [{ id: 'x' }] } };
}

describe('a snapshot load that fails part-way', () => {
  for (const custom of [false, true]) {
    it(`leaves the state it was to replace${custom ? ' (and the resource types, when it brings its own)' : ''}, and the store keeps working`, () => {
      const { store, service, users, gid, seed, view } = world();
      const before = view();
      expect(() => store.load(broken(custom))).toThrow(/Gadget/);
      expect(view()).toEqual(before);
      // Writes work, and so does a reset to the seed state.
      service.delete('User', users[0]!);
      expect(store.groupsContaining(users[1]!)).toEqual(new Set([gid]));
      expect((store.get('Group', gid)!.members as Array<{ value: string }>).map((m) => m.value)).toEqual(users.slice(1));
      store.load(seed);
      expect(store.count('User')).toBe(3);
      expect((store.get('Group', gid)!.members as Array<{ value: string }>).map((m) => m.value)).toEqual(users.slice(0, 2));
    });
  }
});
