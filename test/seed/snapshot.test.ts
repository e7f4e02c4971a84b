import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scimulator } from '../../src/runtime.js';
import { loadScenarioFile, parseScenario } from '../../src/seed/scenario.js';
import { seedTenant } from '../../src/seed/seed.js';
import { DataFile } from '../../src/store/persist.js';
import { fromDocument, toDocument } from '../../src/store/snapshot.js';
import { ACME, DEVICE, GROUP, ROOT, serverFor, USER, type Server } from './helpers.js';

/** GET of every resource of every type, as the exact response text and ETag. */
async function everyResource(server: Server): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const type of server.tenant.registry.resourceTypes()) {
    for (const resource of server.tenant.store.all(type.name)) {
      const path = `${type.resourceType.endpoint}/${resource.id}`;
      const res = await server.get(path);
      expect(res.status, path).toBe(200);
      out.set(path, `${res.headers.etag}\n${res.text}`);
    }
  }
  return out;
}

async function seededCustomServer(): Promise<Server> {
  const runtime = new Scimulator();
  seedTenant(runtime.defaultTenant, await loadScenarioFile(join(ROOT, 'seeds/custom-device.json')));
  return serverFor(runtime);
}

/** Changes that move memberships out of creation order and bump versions. */
async function mutate(server: Server): Promise<void> {
  const groups = [...server.tenant.store.all('Group')];
  const users = [...server.tenant.store.all('User')];
  const newest = users[users.length - 1]!;
  // Add the newest user to the oldest group: its User.groups must still list groups in creation order.
  const oldest = groups[0]!;
  const members = [...((oldest.members as Array<{ value: string }>) ?? []).map((m) => ({ value: m.value })), { value: newest.id }];
  expect((await server.put(`/Groups/${oldest.id}`, { schemas: [GROUP], displayName: oldest.displayName, members })).status).toBe(200);
  expect((await server.post('/Devices', { schemas: [DEVICE], serialNumber: 'SN-MUT', owner: { value: newest.id } })).status).toBe(201);
  expect((await server.put('/Users/u-grace', { schemas: [USER, ACME], userName: 'grace.hopper@acme.example', [ACME]: { badgeNumber: 'B-0002b' } })).status).toBe(200);
  expect((await server.delete(`/Users/${users[3]!.id}`)).status).toBe(204);
  expect((await server.post('/Groups', { schemas: [GROUP], displayName: 'Late', members: [{ value: 'u-ada' }, { value: oldest.id as string }] })).status).toBe(201);
}

describe('export, wipe, import', () => {
  it('gives byte-identical GETs of every resource (custom types included) and an identical export', async () => {
    const server = await seededCustomServer();
    await mutate(server);
    const before = await everyResource(server);
    expect(before.size).toBeGreaterThan(30);
    const exported = await server.control().get('/_mock/snapshot');
    expect(exported.status).toBe(200);
    expect(exported.body.schemas.map((s: { id: string }) => s.id)).toEqual([DEVICE, ACME]);

    // wipe: an empty snapshot removes the resources and the custom types
    const empty = { format: 'scimulator-snapshot', version: 1, sequence: 0, resources: {} };
    expect((await server.control().put('/_mock/snapshot').send(empty)).status).toBe(204);
    expect((await server.get('/Devices')).status).toBe(404);
    expect((await server.get('/Users')).body.totalResults).toBe(0);
    expect(((await server.get('/ResourceTypes')).body.Resources as unknown[])).toHaveLength(2);

    // import
    expect((await server.control().put('/_mock/snapshot').send(exported.body)).status).toBe(204);
    const after = await everyResource(server);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [path, text] of before) expect(after.get(path), path).toBe(text);
    expect((await server.control().get('/_mock/snapshot')).text).toBe(exported.text);

    // versions keep increasing after the import
    const created = await server.post('/Users', { schemas: [USER], userName: 'after@acme.example' });
    expect(Number(/\d+/.exec(created.body.meta.version)![0])).toBe(exported.body.sequence + 1);
  });

  it('into another tenant, and through a data file', async () => {
    const server = await seededCustomServer();
    await mutate(server);
    const before = await everyResource(server);
    const doc = toDocument(server.tenant.store.snapshot());

    const other = serverFor(new Scimulator());
    expect((await other.control().put('/_mock/snapshot').send(doc)).status).toBe(204);
    const inOther = await everyResource(other);
    for (const [path, text] of before) expect(inOther.get(path), path).toBe(text);

    const file = join(mkdtempSync(join(tmpdir(), 'scimulator-snap-')), 'data.json');
    const saver = new DataFile(file, server.tenant.store, 1);
    saver.watch();
    server.tenant.store.load(server.tenant.store.snapshot()); // a change, so the file is written
    await saver.flush();
    expect(JSON.parse(readFileSync(file, 'utf8')).resourceTypes.map((t: { name: string }) => t.name)).toEqual(['User', 'Device']);
    const reader = new Scimulator();
    expect(await new DataFile(file, reader.defaultTenant.store, 1).load()).toBe(true);
    const fromFile = await everyResource(serverFor(reader));
    for (const [path, text] of before) expect(fromFile.get(path), path).toBe(text);
  });

  it('User.groups lists groups in creation order, however memberships were added', async () => {
    const server = serverFor(new Scimulator());
    const user = (await server.post('/Users', { schemas: [USER], userName: 'u' })).body;
    const a = (await server.post('/Groups', { schemas: [GROUP], displayName: 'A' })).body;
    const b = (await server.post('/Groups', { schemas: [GROUP], displayName: 'B', members: [{ value: user.id }] })).body;
    expect((await server.put(`/Groups/${a.id}`, { schemas: [GROUP], displayName: 'A', members: [{ value: user.id }] })).status).toBe(200);
    const groups = (await server.get(`/Users/${user.id}`)).body.groups.map((g: { display: string }) => g.display);
    expect(groups).toEqual(['A', 'B']);
    expect((await server.put(`/Groups/${b.id}`, { schemas: [GROUP], displayName: 'B2', members: [{ value: user.id }] })).status).toBe(200);
    expect((await server.get(`/Users/${user.id}`)).body.groups.map((g: { display: string }) => g.display)).toEqual(['A', 'B2']);
  });
});

describe('snapshot documents with custom schemas', () => {
  it('PUT /_mock/snapshot registers them; invalid ones are 400 with the pointer', async () => {
    const source = await seededCustomServer();
    const doc = toDocument(source.tenant.store.snapshot());
    const target = serverFor(new Scimulator());
    const bad = structuredClone(doc) as unknown as { schemas: Array<{ attributes: Array<{ type: string }> }> };
    bad.schemas[0]!.attributes[0]!.type = 'text';
    const res = await target.control().put('/_mock/snapshot').send(bad);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Not a Scimulator snapshot: /schemas/0/attributes/0/type: must be one of string, boolean, decimal, integer, dateTime, binary, reference, complex');
    expect((await target.get('/Devices')).status).toBe(404);

    const unknownType = { format: 'scimulator-snapshot', version: 1, sequence: 1, resources: { Device: [] } };
    const res2 = await target.control().put('/_mock/snapshot').send(unknownType);
    expect(res2.status).toBe(400);
    expect(res2.body.error).toBe('Not a Scimulator snapshot: /resources/Device: there is no resource type "Device" (known: User, Group)');

    expect((await target.control().put('/_mock/snapshot').send(doc)).status).toBe(204);
    expect((await target.get('/Devices/d-001')).body.serialNumber).toBe('C02XK1ZZJGH5');
  });

  it('a data file with custom schemas loads them at start-up; a broken one names the pointer', async () => {
    const source = await seededCustomServer();
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-data-'));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(toDocument(source.tenant.store.snapshot())));
    const runtime = new Scimulator();
    await new DataFile(good, runtime.defaultTenant.store, 1).load();
    expect(runtime.defaultTenant.registry.resourceType('Device')).toBeDefined();

    const broken = join(dir, 'broken.json');
    const doc = structuredClone(toDocument(source.tenant.store.snapshot())) as unknown as Record<string, unknown>;
    (doc.resourceTypes as Array<Record<string, unknown>>)[1]!.endpoint = '/Users';
    writeFileSync(broken, JSON.stringify(doc));
    await expect(new DataFile(broken, new Scimulator().defaultTenant.store, 1).load()).rejects.toThrow(
      `data file ${broken} is not a Scimulator snapshot: /resourceTypes/1/endpoint: "/Users" is already the endpoint of the built-in User type (endpoints are case-insensitive)`,
    );
  });

  it('fromDocument keeps documents without custom schemas as they were', () => {
    const plain = { format: 'scimulator-snapshot', version: 1, sequence: 0, resources: { User: [] } };
    expect(fromDocument(plain)).toEqual({ sequence: 0, resources: { User: [] } });
  });
});

describe('loading the same snapshot again (a reset) restores every index', () => {
  it('lookups and memberships equal those of a fresh load, whatever changed in between', async () => {
    const server = await seededCustomServer();
    const { tenant } = server;
    await mutate(server);
    const user = [...tenant.store.all('User')][5]!;
    expect((await server.put(`/Users/${user.id}`, { schemas: [USER], userName: 'renamed@acme.example' })).status).toBe(200);
    tenant.reset();
    const fresh = new Scimulator().defaultTenant.store;
    fresh.load(fromDocument(JSON.parse(JSON.stringify(toDocument(tenant.seedState)))));
    for (const type of ['User', 'Group', 'Device']) {
      expect([...tenant.store.all(type)]).toEqual([...fresh.all(type)]);
      for (const r of fresh.all(type)) {
        expect(tenant.store.lookup(type, 'id', r.id as string)).toEqual([r.id]);
        expect(tenant.store.createdSeq(type, r.id as string)).toBe(fresh.createdSeq(type, r.id as string));
        if (typeof r.externalId === 'string') expect(tenant.store.lookup(type, 'externalId', r.externalId)).toEqual(fresh.lookup(type, 'externalId', r.externalId));
        expect([...tenant.store.groupsContaining(r.id as string)]).toEqual([...fresh.groupsContaining(r.id as string)]);
      }
    }
    expect(tenant.store.lookup('User', 'userName', 'renamed@acme.example')).toEqual([]);
    expect(tenant.store.lookup('User', 'userName', user.userName as string)).toEqual([user.id]);
    expect(tenant.store.lookup('Device', 'serialNumber', 'SN-MUT')).toEqual([]);
    // and the restored state is a copy: changing it does not change the next reset
    expect((await server.delete('/Users/u-ada')).status).toBe(204);
    tenant.reset();
    expect(tenant.store.get('User', 'u-ada')).toBeDefined();
    expect([...tenant.store.groupsContaining('u-ada')]).toEqual([...fresh.groupsContaining('u-ada')]);
  });
});

describe('copy-on-write of the remembered seed state', () => {
  it('changes to shared index and membership sets never reach the seed state', async () => {
    const runtime = new Scimulator();
    seedTenant(runtime.defaultTenant, parseScenario({
      users: ['a', 'b', 'c'].map((n) => ({ id: n, schemas: [USER], userName: `${n}@corp.example`, externalId: 'dup' })),
      groups: [
        { id: 'g1', schemas: [GROUP], displayName: 'G1', members: [{ value: 'a' }, { value: 'b' }] },
        { id: 'g2', schemas: [GROUP], displayName: 'G2', members: [{ value: 'a' }] },
      ],
    }, 'cow.json'));
    const server = serverFor(runtime);
    const { store } = runtime.defaultTenant;
    const state = () => JSON.stringify({ dup: store.lookup('User', 'externalId', 'dup'), a: [...store.groupsContaining('a')], b: [...store.groupsContaining('b')], c: [...store.groupsContaining('c')] });
    const seeded = state();
    expect(seeded).toBe(JSON.stringify({ dup: ['a', 'b', 'c'], a: ['g1', 'g2'], b: ['g1'], c: [] }));
    for (let round = 0; round < 2; round++) {
      expect((await server.put('/Users/a', { schemas: [USER], userName: 'a@corp.example', externalId: 'other' })).status).toBe(200);
      expect((await server.put('/Groups/g1', { schemas: [GROUP], displayName: 'G1', members: [{ value: 'c' }] })).status).toBe(200);
      expect((await server.delete('/Groups/g2')).status).toBe(204);
      expect((await server.post('/Users', { schemas: [USER], userName: 'd@corp.example', externalId: 'dup' })).status).toBe(201);
      expect(state()).not.toBe(seeded);
      runtime.defaultTenant.reset();
      expect(state()).toBe(seeded);
    }
  });
});
