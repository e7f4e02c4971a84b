/**
 * A load in steps (POST /_mock/tenants seeds a new tenant this way, giving the event loop back between slices of a
 * few milliseconds) gives way within a large group's members too, not only between resources: a directory of
 * 100,000 users whose groups hold hundreds of thousands of memberships held other tenants' requests for 200-250 ms
 * at a time while its groups were indexed (bench/seed-stall.mjs: W1 p99 162-203 ms during the creation, goal 100).
 */
import { describe, expect, it } from 'vitest';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { MemoryStore, type StoreSnapshot } from '../../src/store/memory.js';

const meta = (resourceType: string) => ({ resourceType, created: '2025-06-01T00:00:00.000Z', lastModified: '2025-06-01T00:00:00.000Z', version: 'W/"1"' });

describe('a load in steps', () => {
  it('yields within a group of 10,000 members, and indexes every membership', () => {
    const users = Array.from({ length: 10_000 }, (_, i) => ({ schemas: [USER_SCHEMA_ID], id: `u${i}`, userName: `user${i}`, meta: meta('User') }));
    const group = { schemas: [GROUP_SCHEMA_ID], id: 'g', displayName: 'Everyone', members: users.map((u) => ({ value: u.id, type: 'User' })), meta: meta('Group') };
    const store = new MemoryStore(SchemaRegistry.builtIn());
    // The users alone, then the group alone: the yields each part of the load gives.
    const yieldsOf = (snapshot: StoreSnapshot) => {
      let n = 0;
      for (const _ of store.loadSteps(snapshot)) n++;
      return n;
    };
    expect(yieldsOf({ sequence: 1, resources: { User: users, Group: [] } })).toBeGreaterThanOrEqual(4);
    // One resource, 10,000 memberships: at least one step per 2,048 of them.
    const groupOnly = yieldsOf({ sequence: 2, resources: { User: [], Group: [group] } });
    expect(groupOnly).toBeGreaterThanOrEqual(4);
    const both = { sequence: 3, resources: { User: users, Group: [group] } };
    expect(yieldsOf(both)).toBeGreaterThanOrEqual(8);
    expect([...store.groupsContaining('u0')]).toEqual(['g']);
    expect([...store.groupsContaining('u9999')]).toEqual(['g']);
  });
});
