import { describe, expect, it } from 'vitest';
import { ControllableClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';
import { GROUP_SCHEMA_ID, USER_SCHEMA_ID } from '../../src/scim/schemas/core.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { ScimService } from '../../src/scim/service.js';
import { compactResource, compactValue, sharedWithin } from '../../src/store/compact.js';
import { MemoryStore } from '../../src/store/memory.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('compacting a resource', () => {
  it('changes no value, also where parts are frozen and shared', () => {
    const address = Object.freeze({ type: 'work', locality: 'Paris', formatted: 'Rue de Rivoli 1\n75001 Paris\nFrance' });
    const resource = {
      schemas: [USER_SCHEMA_ID, ENTERPRISE],
      id: 'u1',
      userName: `${'bjensen'}@example.com`,
      addresses: Object.freeze([address]),
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      [ENTERPRISE]: { manager: { value: 'u2', displayName: 'Some Manager' } },
      meta: { resourceType: 'User', created: '2020-01-01T00:00:00.000Z', lastModified: '2020-01-01T00:00:00.000Z', version: 'W/"1"' },
    };
    const before = JSON.stringify(resource);
    compactResource(resource);
    expect(JSON.stringify(resource)).toBe(before);
    const loaded = JSON.parse(before);
    compactResource(loaded, { share: sharedWithin(new Map()) });
    expect(JSON.stringify(loaded)).toBe(before);
    expect(compactValue(null)).toBe(null);
    expect(compactValue([1, 'x', { a: ['b'] }])).toEqual([1, 'x', { a: ['b'] }]);
  });

  it('gives resources with the same schemas one frozen list', () => {
    const a: Record<string, unknown> = { schemas: [USER_SCHEMA_ID, ENTERPRISE], id: 'a' };
    const b: Record<string, unknown> = { schemas: [USER_SCHEMA_ID, ENTERPRISE], id: 'b' };
    const c: Record<string, unknown> = { schemas: [USER_SCHEMA_ID], id: 'c' };
    for (const r of [a, b, c]) compactResource(r);
    expect(a.schemas).toBe(b.schemas);
    expect(a.schemas).not.toBe(c.schemas);
    expect(Object.isFrozen(a.schemas)).toBe(true);
    expect(a.schemas).toEqual([USER_SCHEMA_ID, ENTERPRISE]);
  });

  it('the store compacts what it is given and every read, PATCH and PUT still sees the same values', () => {
    const registry = SchemaRegistry.builtIn();
    const store = new MemoryStore(registry);
    const clock = new ControllableClock();
    clock.freeze(Date.parse('2020-01-01T00:00:00Z'));
    const service = new ScimService(registry, store, clock, new SeededRandom(1));
    const body = { schemas: [USER_SCHEMA_ID, ENTERPRISE], userName: 'ada@example.com', title: 'Countess of Lovelace', [ENTERPRISE]: { department: 'Analytical Engines' } };
    const user = service.create('User', JSON.parse(JSON.stringify(body)));
    const group = service.create('Group', { schemas: [GROUP_SCHEMA_ID], displayName: 'Engines', members: [{ value: user.id, display: 'Ada' }] });
    expect(store.get('User', user.id as string)).toMatchObject(body);
    expect(store.get('Group', group.id as string)!.members).toEqual([{ value: user.id, display: 'Ada', type: 'User' }]);
    const replaced = service.replace('User', user.id as string, { ...body, title: 'Analyst' });
    expect(replaced.schemas).toBe(store.get('User', user.id as string)!.schemas);
    expect(store.get('User', user.id as string)).toMatchObject({ ...body, title: 'Analyst' });
  });
});
