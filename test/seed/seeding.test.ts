import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scimulator } from '../../src/runtime.js';
import { isPlainObject } from '../../src/scim/attributes.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { validateResource, type Resource } from '../../src/scim/validate.js';
import { loadScenarioFile, parseScenario, ScenarioError, withGenerateOverrides } from '../../src/seed/scenario.js';
import { buildDirectory, seedTenant, snapshotDocumentChunks } from '../../src/seed/seed.js';
import { toDocument } from '../../src/store/snapshot.js';
import { ENTERPRISE, GROUP, ROOT, seededServer, USER } from './helpers.js';

const scenario = (doc: unknown) => parseScenario(doc, 'test.json');
const registry = SchemaRegistry.builtIn();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
type Member = { value: string; type?: string; display?: string };

/** The validated (stored) shape must keep everything the generator wrote, except readOnly values. */
function expectValidates(typeName: 'User' | 'Group', resource: Resource): void {
  const type = registry.resourceType(typeName)!;
  const validated = validateResource(type, resource);
  const { id: _id, meta: _meta, ...expected } = structuredClone(resource);
  const ent = expected[ENTERPRISE] as Record<string, unknown> | undefined;
  if (ent && isPlainObject(ent.manager)) delete (ent.manager as Record<string, unknown>).displayName; // readOnly
  expect(validated).toEqual(expected);
}

describe('generated directories', { timeout: 60_000 }, () => {
  const directory = buildDirectory(scenario({ generate: { seed: 42, users: 2000, groups: 50 } }));
  const users = directory.resources.User!;
  const groups = directory.resources.Group!;
  const byId = new Map(users.map((u) => [u.id as string, u]));
  const groupIds = new Set(groups.map((g) => g.id as string));

  it('every generated user and group validates against the schema (nothing is dropped)', () => {
    expect(users).toHaveLength(2000);
    expect(groups).toHaveLength(50);
    for (const user of users) expectValidates('User', user);
    for (const group of groups) expectValidates('Group', group);
  });

  it('versions come from the store sequence, in creation order', () => {
    const versions = [...users, ...groups].map((r) => (r.meta as Record<string, string>).version);
    expect(versions).toEqual(versions.map((_, i) => `W/"${i + 1}"`));
    expect(directory.sequence).toBe(2050);
  });

  it('every manager exists and the hierarchy has no cycle', () => {
    let roots = 0;
    for (const user of users) {
      const seen = new Set<string>();
      let current: Resource | undefined = user;
      while (current) {
        const id = current.id as string;
        expect(seen.has(id), `cycle through ${id}`).toBe(false);
        seen.add(id);
        const manager = (current[ENTERPRISE] as { manager?: { value: string } }).manager;
        if (!manager) break;
        expect(byId.has(manager.value), `manager ${manager.value} of ${id}`).toBe(true);
        current = byId.get(manager.value);
      }
      if (!(user[ENTERPRISE] as { manager?: unknown }).manager) roots++;
    }
    expect(roots).toBeGreaterThanOrEqual(1);
    expect(roots).toBeLessThanOrEqual(5);
  });

  it('every member exists', () => {
    for (const group of groups) {
      for (const m of (group.members as Member[] | undefined) ?? []) {
        expect(m.type === 'Group' ? groupIds.has(m.value) : byId.has(m.value), `${group.displayName} -> ${m.value}`).toBe(true);
      }
    }
  });

  it('the same scenario gives byte-identical snapshots; another seed differs', () => {
    const again = buildDirectory(scenario({ generate: { seed: 42, users: 2000, groups: 50 } }));
    expect(JSON.stringify(again)).toBe(JSON.stringify(directory));
    const other = buildDirectory(scenario({ generate: { seed: 43, users: 2000, groups: 50 } }));
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(directory));
  });
});

describe('User.groups over HTTP agrees with group membership', { timeout: 60_000 }, () => {
  const server = seededServer({ generate: { seed: 9, users: 400, groups: 40 } });
  const groups = server.tenant.store.snapshot().resources.Group!;

  it('direct and indirect memberships, for every user', async () => {
    const direct = new Map<string, Set<string>>();
    const parents = new Map<string, Set<string>>(); // group -> groups containing it
    for (const g of groups) {
      for (const m of (g.members as Member[] | undefined) ?? []) {
        const target = m.type === 'Group' ? parents : direct;
        if (!target.has(m.value)) target.set(m.value, new Set());
        target.get(m.value)!.add(g.id as string);
      }
    }
    expect(groups.some((g) => ((g.members as Member[] | undefined) ?? []).some((m) => m.type === 'Group')), 'some nested groups').toBe(true);
    const res = await server.get('/Users?count=1000');
    expect(res.status).toBe(200);
    expect(res.body.totalResults).toBe(400);
    let indirectSeen = 0;
    for (const user of res.body.Resources as Resource[]) {
      const want = direct.get(user.id as string) ?? new Set<string>();
      const indirect = new Set<string>();
      const frontier = [...want];
      while (frontier.length) {
        for (const p of parents.get(frontier.pop()!) ?? []) {
          if (!want.has(p) && !indirect.has(p)) {
            indirect.add(p);
            frontier.push(p);
          }
        }
      }
      const got = (user.groups as Array<{ value: string; type: string; $ref: string; display: string }> | undefined) ?? [];
      expect(new Set(got.filter((g) => g.type === 'direct').map((g) => g.value))).toEqual(want);
      expect(new Set(got.filter((g) => g.type === 'indirect').map((g) => g.value))).toEqual(indirect);
      for (const g of got) expect(g.$ref).toBe(`http://scim.test:8080/scim/v2/Groups/${g.value}`);
      indirectSeen += indirect.size;
    }
    expect(indirectSeen).toBeGreaterThan(0);
  });

  it('every member of every group answers GET with 200', async () => {
    const members = new Set<string>();
    for (const g of groups) for (const m of (g.members as Member[] | undefined) ?? []) members.add(`${m.type === 'Group' ? 'Groups' : 'Users'}/${m.value}`);
    for (const path of [...members].slice(0, 150)) expect((await server.get(`/${path}`)).status, path).toBe(200);
  });
});

describe('literal resources', () => {
  const doc = {
    generate: { seed: 5, users: 10, groups: 2, referenceDate: '2030-06-15T08:00:00.000Z' },
    users: [
      { id: 'u-fixed', schemas: [USER], userName: 'fixed@corp.example', name: { givenName: 'Fix', familyName: 'Ed' } },
      { schemas: [USER, ENTERPRISE], userName: 'drawn@corp.example', [ENTERPRISE]: { employeeNumber: '7', manager: { value: 'u-fixed' } } },
    ],
    groups: [
      { schemas: [GROUP], displayName: 'Inner', members: [{ userName: 'FIXED@corp.example' }] },
      { schemas: [GROUP], displayName: 'Outer', externalId: 'ext-outer', members: [{ displayName: 'inner' }, { userName: 'drawn@corp.example' }, { value: 'u-fixed' }] },
    ],
  };

  it('are stamped at the reference date with versions after the generated ones, ids fixed or drawn from the seed', () => {
    const { resources, sequence } = buildDirectory(scenario(doc));
    const users = resources.User!;
    const groups = resources.Group!;
    expect(users).toHaveLength(12);
    expect(groups).toHaveLength(4);
    expect(sequence).toBe(16);
    const fixed = users[10]!;
    expect(fixed.id).toBe('u-fixed');
    expect(fixed.meta).toEqual({ resourceType: 'User', created: '2030-06-15T08:00:00.000Z', lastModified: '2030-06-15T08:00:00.000Z', version: 'W/"13"' });
    expect(users[11]!.id).toMatch(UUID);
    expect(buildDirectory(scenario(doc)).resources.User![11]!.id).toBe(users[11]!.id);
    expect(users[11]![ENTERPRISE]).toEqual({ employeeNumber: '7', manager: { value: 'u-fixed' } });
    const [inner, outer] = groups.slice(2);
    expect(inner!.members).toEqual([{ value: 'u-fixed', type: 'User' }]);
    expect(outer!.members).toEqual([
      { value: inner!.id, type: 'Group' },
      { value: users[11]!.id, type: 'User' },
      { value: 'u-fixed', type: 'User' },
    ]);
    expect(outer!.externalId).toBe('ext-outer');
    expect((outer!.meta as Record<string, string>).version).toBe('W/"16"');
  });

  it('render direct and indirect User.groups', async () => {
    const server = seededServer(doc);
    const res = await server.get('/Users/u-fixed');
    expect(res.status).toBe(200);
    expect((res.body.groups as Array<{ display: string; type: string }>).map((g) => [g.display, g.type])).toEqual([['Inner', 'direct'], ['Outer', 'direct']]);
    const drawn = server.tenant.store.snapshot().resources.User![11]!;
    const res2 = await server.get(`/Users/${drawn.id}`);
    expect((res2.body.groups as Array<{ display: string; type: string }>).map((g) => [g.display, g.type])).toEqual([['Outer', 'direct']]);
  });

  it('without a generate block start at the default reference date and version 1', () => {
    const { resources } = buildDirectory(scenario({ users: [doc.users[0]] }));
    expect(resources.User![0]!.meta).toMatchObject({ created: '2025-01-01T00:00:00.000Z', version: 'W/"1"' });
  });
});

describe('seedTenant', { timeout: 60_000 }, () => {
  it('applies options and faults, and replaces what was there', async () => {
    const server = seededServer({
      generate: { users: 3, groups: 1 },
      options: { profile: 'okta', defaultPageSize: 5, maxPageSize: 10, patchStatus: { Group: 204 }, auth: { token: 'seeded-token' } },
      faults: [{ id: 'slow-users', match: { method: 'GET', path: '/Users' }, action: { type: 'latency', ms: 1 } }],
    });
    const { tenant } = server;
    expect(tenant.config).toMatchObject({ profile: 'okta', defaultPageSize: 5, maxPageSize: 10, patchStatus: { Group: 204 }, auth: { mode: 'bearer', token: 'seeded-token' } });
    expect(tenant.faults.list().map((f) => f.id)).toEqual(['slow-users']);
    seedTenant(tenant, scenario({ generate: { users: 1, groups: 0 } }));
    expect(tenant.store.count('User')).toBe(1);
    expect(tenant.store.count('Group')).toBe(0);
    expect(tenant.faults.size).toBe(0);
  });

  it('seeded fault rules get ids, follow the tenant\'s own rules and are the only ones a new seed replaces', () => {
    const runtime = new Scimulator({ latency: '5' });
    const tenant = runtime.defaultTenant;
    const [shorthand] = tenant.faults.list();
    expect(shorthand).toBeDefined();
    const rules = [{ action: { type: 'reset' }, match: { path: '/A' } }, { id: 'named', action: { type: 'reset' }, match: { path: '/B' } }, { action: { type: 'reset' }, match: { path: '/C' } }];
    seedTenant(tenant, scenario({ faults: rules }));
    expect(tenant.faults.list().map((f) => f.id)).toEqual([shorthand!.id, 'seed-1', 'named', 'seed-2']);
    seedTenant(tenant, scenario({ faults: [rules[2]] }));
    expect(tenant.faults.list().map((f) => f.id)).toEqual([shorthand!.id, 'seed-1']);
    expect(tenant.faults.get('seed-1')!.match).toEqual({ path: '/C' });
    tenant.faults.add({ id: 'mine', action: { type: 'reset' } });
    expect(() => seedTenant(tenant, scenario({ faults: [{ id: 'mine', action: { type: 'reset' } }] }))).toThrow('test.json: /faults/0/id: the fault rule id "mine" is already used by a rule of the tenant');
    expect(tenant.faults.list().map((f) => f.id)).toEqual([shorthand!.id, 'seed-1', 'mine']);
  });

  it('a scenario that fails while seeding leaves the tenant as it was', () => {
    const runtime = new Scimulator();
    const tenant = runtime.defaultTenant;
    seedTenant(tenant, scenario({ generate: { users: 4, groups: 1 }, options: { profile: 'rfc' } }));
    const before = JSON.stringify(tenant.store.snapshot());
    const bad = scenario({ options: { profile: 'entra' }, faults: [{ action: { type: 'reset' } }], groups: [{ schemas: [GROUP], displayName: 'G', members: [{ userName: 'nobody' }] }] });
    expect(() => seedTenant(tenant, bad)).toThrow(ScenarioError);
    expect(JSON.stringify(tenant.store.snapshot())).toBe(before);
    expect(tenant.config.profile).toBe('rfc');
    expect(tenant.faults.size).toBe(0);
  });

  it('POST /_mock/reset returns to the seed state, with the seeded faults, for 10,000 users', async () => {
    const server = seededServer({ generate: { seed: 11, users: 10_000, groups: 200 }, faults: [{ id: 'kept', match: { path: '/Nothing' }, action: { type: 'reset' } }] });
    const { tenant } = server;
    const seedDoc = JSON.stringify(toDocument(tenant.store.snapshot()));
    const users = tenant.store.snapshot().resources.User!;
    expect((await server.delete(`/Users/${users[0]!.id}`)).status).toBe(204);
    expect((await server.post('/Users', { schemas: [USER], userName: 'new@corp.example' })).status).toBe(201);
    const group = tenant.store.snapshot().resources.Group![0]!;
    expect((await server.put(`/Groups/${group.id}`, { schemas: [GROUP], displayName: 'Renamed' })).status).toBe(200);
    tenant.faults.remove('kept');
    expect(JSON.stringify(toDocument(tenant.store.snapshot()))).not.toBe(seedDoc);

    const started = performance.now();
    const res = await server.control().post('/_mock/reset');
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    console.log(`reset of 10,000 users and 200 groups: ${res.body.ms} ms in the tenant, ${elapsed.toFixed(1)} ms over HTTP`);
    expect(JSON.stringify(toDocument(tenant.store.snapshot()))).toBe(seedDoc);
    expect(tenant.faults.list().map((f) => f.id)).toEqual(['kept']);
    expect((await server.get(`/Users/${users[0]!.id}`)).status).toBe(200);
    expect((await server.get(`/Groups/${group.id}`)).body.displayName).toBe(group.displayName);
  });
});

describe('directory shapes', () => {
  const entra = buildDirectory(scenario({ generate: { seed: 2, users: 300, groups: 12, nestedGroups: false, shape: 'entra' } }));
  const okta = buildDirectory(scenario({ generate: { seed: 3, users: 300, groups: 12, nestedGroups: false, shape: 'okta' } }));

  it('entra: what the default attribute mappings send', () => {
    for (const user of entra.resources.User!) {
      expectValidates('User', user);
      expect(Object.keys(user).filter((k) => !['schemas', 'id', 'externalId', 'meta', 'userName', 'name', 'displayName', 'title', 'active', 'emails', 'phoneNumbers', 'addresses', ENTERPRISE].includes(k))).toEqual([]);
      expect(user.externalId).toMatch(UUID);
      expect(Object.keys(user.name as object).sort()).toEqual(['familyName', 'formatted', 'givenName']);
      expect(user.emails).toEqual([{ primary: true, type: 'work', value: user.userName }]);
      const ent = user[ENTERPRISE] as Record<string, unknown>;
      expect(Object.keys(ent).every((k) => ['employeeNumber', 'department', 'manager'].includes(k))).toBe(true);
      if (ent.manager) expect(Object.keys(ent.manager as object)).toEqual(['value']);
    }
    for (const group of entra.resources.Group!) {
      expectValidates('Group', group);
      expect(group.schemas).toEqual([GROUP]);
      expect(group.externalId).toMatch(UUID);
      for (const m of (group.members as Member[] | undefined) ?? []) expect(m).toEqual({ value: m.value, type: 'User' });
    }
  });

  it('okta: Okta user ids as externalId, groups without externalId, member display = userName', () => {
    const userNames = new Map(okta.resources.User!.map((u) => [u.id as string, u.userName as string]));
    const externalIds = new Set<string>();
    for (const user of okta.resources.User!) {
      expectValidates('User', user);
      expect(user.externalId).toMatch(/^00u[0-9A-Za-z]{17}$/);
      externalIds.add(user.externalId as string);
      expect((user.name as Record<string, unknown>).formatted).toBeUndefined();
      expect(user.emails).toEqual([{ primary: true, value: user.userName, type: 'work' }]);
    }
    expect(externalIds.size).toBe(300);
    for (const group of okta.resources.Group!) {
      expectValidates('Group', group);
      expect(group.externalId).toBeUndefined();
      for (const m of (group.members as Member[] | undefined) ?? []) expect(m).toEqual({ value: m.value, display: userNames.get(m.value), type: 'User' });
    }
  });

  it('the shipped entra-like and okta-like seeds use these shapes and profiles', async () => {
    for (const [file, profile] of [['entra-like.json', 'entra'], ['okta-like.json', 'okta']] as const) {
      const s = await loadScenarioFile(join(ROOT, 'seeds', file));
      expect(s.generate?.shape).toBe(profile);
      expect(s.generate?.nestedGroups).toBe(false);
      expect(s.options).toEqual({ profile });
    }
    expect(readFileSync(join(ROOT, 'seeds/entra-like.json'), 'utf8')).not.toContain('ADSCIM/2.0/Group"');
  });
});

describe('shipped seeds load into a tenant', () => {
  it.each(['default.json', 'empty.json', 'entra-like.json', 'okta-like.json', 'custom-device.json'])('%s', async (file) => {
    const runtime = new Scimulator();
    const summary = seedTenant(runtime.defaultTenant, await loadScenarioFile(join(ROOT, 'seeds', file)));
    const expected: Record<string, Record<string, number>> = {
      'default.json': { User: 50, Group: 8 },
      'empty.json': { User: 0, Group: 0 },
      'entra-like.json': { User: 200, Group: 16 },
      'okta-like.json': { User: 200, Group: 16 },
      'custom-device.json': { User: 22, Group: 5, Device: 3 },
    };
    expect(summary.counts).toEqual(expected[file]);
  });

  it('large.json, with smaller counts through the overrides', async () => {
    const large = await loadScenarioFile(join(ROOT, 'seeds/large.json'));
    const runtime = new Scimulator();
    const summary = seedTenant(runtime.defaultTenant, withGenerateOverrides(large, { users: 3000, groups: 60 }));
    expect(summary.counts).toEqual({ User: 3000, Group: 60 });
  });
});

describe('snapshot document text', () => {
  it('is JSON.stringify(document, null, 2) plus a newline, in pieces', async () => {
    for (const file of ['default.json', 'empty.json', 'custom-device.json']) {
      const snapshot = buildDirectory(await loadScenarioFile(join(ROOT, 'seeds', file)));
      const text = [...snapshotDocumentChunks(snapshot)].join('');
      expect(text).toBe(JSON.stringify(toDocument(snapshot), null, 2) + '\n');
    }
    const batches = buildDirectory(scenario({ generate: { users: 2500, groups: 3 } })); // more than one piece of 1,000
    expect([...snapshotDocumentChunks(batches)].join('')).toBe(JSON.stringify(toDocument(batches), null, 2) + '\n');
    const none = { sequence: 0, resources: {} };
    expect([...snapshotDocumentChunks(none)].join('')).toBe(JSON.stringify(toDocument(none), null, 2) + '\n');
  });

  it('carries custom schemas and resource types only when there are some, before the resources', async () => {
    const custom = toDocument(buildDirectory(await loadScenarioFile(join(ROOT, 'seeds/custom-device.json'))));
    expect(Object.keys(custom)).toEqual(['format', 'version', 'sequence', 'schemas', 'resourceTypes', 'resources']);
    expect(custom.resourceTypes!.map((t) => t.name)).toEqual(['User', 'Device']);
    expect(custom.resourceTypes![0]!.schemaExtensions.map((e) => e.schema)).toEqual([ENTERPRISE, 'urn:example:params:scim:schemas:extension:acme:2.0:User']);
    const plain = toDocument(buildDirectory(scenario({ generate: { users: 1, groups: 1 } })));
    expect(Object.keys(plain)).toEqual(['format', 'version', 'sequence', 'resources']);
  });
});
