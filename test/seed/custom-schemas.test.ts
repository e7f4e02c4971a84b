import { join } from 'node:path';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_TOKEN } from '../../src/config.js';
import { Scimulator } from '../../src/runtime.js';
import { checkCustomSchemas, SchemaDefinitionError } from '../../src/scim/schemas/custom.js';
import { loadScenarioFile } from '../../src/seed/scenario.js';
import { seedTenant } from '../../src/seed/seed.js';
import { ACME, DEVICE, ENTERPRISE, GROUP, ROOT, serverFor, USER, type Server } from './helpers.js';

const SCHEMA_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Schema';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

async function customDeviceServer(): Promise<Server> {
  const runtime = new Scimulator();
  seedTenant(runtime.defaultTenant, await loadScenarioFile(join(ROOT, 'seeds/custom-device.json')));
  return serverFor(runtime);
}

function expectError(res: { status: number; body: Record<string, unknown>; headers: Record<string, string> }, status: number, scimType?: string): string {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/scim\+json/);
  expect(res.body.schemas).toEqual([ERROR]);
  if (scimType) expect(res.body.scimType).toBe(scimType);
  return res.body.detail as string;
}

/** POST /Devices with the body as written (numbers JavaScript cannot hold exactly). */
const postText = (server: Server, body: string) =>
  request(server.app).post('/scim/v2/Devices').set('Authorization', `Bearer ${DEFAULT_TOKEN}`).set('Host', 'scim.test:8080').set('Content-Type', 'application/scim+json').send(body);

const newDevice = (extra: Record<string, unknown> = {}) => ({ schemas: [DEVICE], serialNumber: 'SN-NEW-1', displayName: 'New', platform: 'Linux', ...extra });

describe('a custom Device resource type and a custom User extension (seeds/custom-device.json)', () => {
  let server: Server;
  beforeEach(async () => {
    server = await customDeviceServer();
  });

  it('are served at /ResourceTypes', async () => {
    const list = await server.get('/ResourceTypes');
    expect(list.status).toBe(200);
    const byName = Object.fromEntries((list.body.Resources as Array<Record<string, unknown>>).map((t) => [t.name, t]));
    expect(Object.keys(byName)).toEqual(['User', 'Group', 'Device']);
    expect(byName.Device).toMatchObject({ id: 'Device', endpoint: '/Devices', schema: DEVICE, schemaExtensions: [], description: 'Managed devices' });
    expect(byName.User!.schemaExtensions).toEqual([{ schema: ENTERPRISE, required: false }, { schema: ACME, required: false }]);
    const one = await server.get('/ResourceTypes/Device');
    expect(one.body.meta).toEqual({ resourceType: 'ResourceType', location: 'http://scim.test:8080/scim/v2/ResourceTypes/Device' });
  });

  it('are served at /Schemas with every characteristic filled in (RFC 7643 section 2.2 defaults)', async () => {
    const list = await server.get('/Schemas');
    const ids = (list.body.Resources as Array<{ id: string }>).map((s) => s.id);
    expect(ids).toEqual([USER, GROUP, ENTERPRISE, DEVICE, ACME]);
    const device = await server.get(`/Schemas/${DEVICE}`);
    expect(device.status).toBe(200);
    expect(device.body.schemas).toEqual([SCHEMA_SCHEMA]);
    const attrs = device.body.attributes as Array<Record<string, unknown>>;
    expect(attrs.find((a) => a.name === 'model')).toEqual({
      name: 'model', type: 'string', multiValued: false, description: '', required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none',
    });
    expect(attrs.find((a) => a.name === 'enrollmentSecret')).toMatchObject({ mutability: 'writeOnly', returned: 'never' });
    const owner = attrs.find((a) => a.name === 'owner')!;
    expect((owner.subAttributes as Array<Record<string, unknown>>)[1]).toMatchObject({ name: '$ref', type: 'reference', referenceTypes: ['User'], caseExact: true });
    expect((await server.get(`/Schemas/${ACME}`)).body.name).toBe('AcmeUser');
  });

  it('POST, GET, PUT and DELETE /Devices work, with validation from the custom schema', async () => {
    const created = await server.post('/Devices', newDevice({ storageGb: 256, tags: ['a', 'b'], enrollmentSecret: 's3cret', owner: { value: 'u-ada' }, bogus: 1 }));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.location).toBe(`http://scim.test:8080/scim/v2/Devices/${id}`);
    expect(created.body).toMatchObject({ schemas: [DEVICE], serialNumber: 'SN-NEW-1', storageGb: 256, tags: ['a', 'b'], owner: { value: 'u-ada' }, meta: { resourceType: 'Device', location: `http://scim.test:8080/scim/v2/Devices/${id}` } });
    expect(created.body.enrollmentSecret).toBeUndefined(); // writeOnly, returned never
    expect(created.body.bogus).toBeUndefined(); // unknown attributes are ignored

    const read = await server.get(`/Devices/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers.etag).toBe(created.body.meta.version);
    expect(read.body).toEqual(created.body);

    const replaced = await server.put(`/Devices/${id}`, newDevice({ displayName: 'Renamed', compliant: false }));
    expect(replaced.status).toBe(200);
    expect(replaced.body.displayName).toBe('Renamed');
    expect(replaced.body.storageGb).toBeUndefined();
    expect(replaced.body.meta.version).not.toBe(created.body.meta.version);

    expect(expectError(await server.put(`/Devices/${id}`, newDevice({ serialNumber: 'OTHER' })), 400, 'mutability')).toContain('"serialNumber" is immutable');
    expect(expectError(await server.post('/Devices', { schemas: [DEVICE], displayName: 'No serial' }), 400, 'invalidValue')).toBe('Attribute "serialNumber" is required for a Device.');
    expect(expectError(await server.post('/Devices', newDevice({ serialNumber: 'X', storageGb: 'big' })), 400, 'invalidValue')).toContain('"storageGb" must be an integer');
    // integers JSON cannot carry exactly are refused, not stored and returned altered
    for (const big of ['9007199254740993', '1e21', '-9007199254740992']) {
      const res = await postText(server, `{"schemas":["${DEVICE}"],"serialNumber":"BIG${big}","storageGb":${big}}`);
      expect(expectError(res, 400, 'invalidValue'), big).toContain('"storageGb" must be an integer from -9007199254740991 to 9007199254740991');
    }
    const largest = await postText(server, `{"schemas":["${DEVICE}"],"serialNumber":"MAX","storageGb":9007199254740991}`);
    expect(largest.status).toBe(201);
    expect(largest.text).toContain('"storageGb":9007199254740991');
    expect((await server.delete(`/Devices/${largest.body.id as string}`)).status).toBe(204);
    expect(expectError(await server.post('/Devices', newDevice({ serialNumber: 'Y', tags: 'one' })), 400, 'invalidValue')).toContain('"tags" is multi-valued');
    expect(expectError(await server.post('/Devices', newDevice({ serialNumber: 'Z', enrolledAt: 'monday' })), 400, 'invalidValue')).toContain('RFC 3339 date-time');
    // dates that do not exist are refused, not rolled over or stored for a strict client's parser to choke on
    for (const [enrolledAt, reason] of [
      ['2021-02-29T00:00:00Z', 'day 29 does not exist: February 2021 has 28 days'],
      ['2020-04-31T10:00:00+02:00', 'day 31 does not exist: April 2020 has 30 days'],
      ['2020-01-01T24:00:00Z', 'hour 24 does not exist'],
    ]) {
      expect(expectError(await server.post('/Devices', newDevice({ serialNumber: `D-${enrolledAt}`, enrolledAt })), 400, 'invalidValue'), enrolledAt).toContain(reason);
    }
    const leapDay = await server.post('/Devices', newDevice({ serialNumber: 'LEAP', enrolledAt: '2024-02-29T23:59:59.5-05:00' }));
    expect(leapDay.status).toBe(201);
    expect(leapDay.body.enrolledAt).toBe('2024-02-29T23:59:59.5-05:00');
    expect((await server.delete(`/Devices/${leapDay.body.id as string}`)).status).toBe(204);
    expect(expectError(await server.post('/Devices', newDevice()), 409, 'uniqueness')).toContain('serialNumber "SN-NEW-1" is already taken by Device');
    // caseExact serial numbers: another case is another serial number
    expect((await server.post('/Devices', newDevice({ serialNumber: 'sn-new-1' }))).status).toBe(201);
    expect(expectError(await server.post('/Devices', { schemas: [USER], serialNumber: 'Q' }), 400, 'invalidValue')).toContain(`must include the core schema "${DEVICE}"`);

    expect((await server.delete(`/Devices/${id}`)).status).toBe(204);
    expect((await server.get(`/Devices/${id}`)).status).toBe(404);
    expect((await server.get('/devices')).body.totalResults).toBe(4); // 3 seeded + the lower-case serial
  });

  it('projects custom attributes like built-in ones', async () => {
    const only = await server.get('/Devices/d-001?attributes=serialNumber,owner.value');
    expect(only.body).toEqual({ schemas: [DEVICE], id: 'd-001', serialNumber: 'C02XK1ZZJGH5', owner: { value: 'u-ada' } });
    const without = await server.get('/Devices/d-001?excludedAttributes=tags,model');
    expect(without.body.tags).toBeUndefined();
    expect(without.body.model).toBeUndefined();
    expect(without.body.platform).toBe('macOS');
  });

  it('filters, sorts and patches custom resources like built-in ones', async () => {
    const macs = await server.get('/Devices?filter=' + encodeURIComponent('platform eq "macOS" or tags eq "kiosk"'));
    expect(macs.status, JSON.stringify(macs.body)).toBe(200);
    expect(macs.body.Resources.map((d: { id: string }) => d.id).sort()).toEqual(['d-001', macs.body.Resources.find((d: { serialNumber: string }) => d.serialNumber === '5CD1234XYZ').id].sort());
    const bySerial = await server.get('/Devices?filter=' + encodeURIComponent('serialNumber eq "R58N123ABCD"'));
    expect(bySerial.body.Resources.map((d: { id: string }) => d.id)).toEqual(['d-002']);
    // serialNumber is caseExact: another case matches nothing
    expect((await server.get('/Devices?filter=' + encodeURIComponent('serialNumber eq "r58n123abcd"'))).body.totalResults).toBe(0);
    const sorted = await server.get('/Devices?sortBy=serialNumber&sortOrder=descending');
    expect(sorted.body.Resources.map((d: { serialNumber: string }) => d.serialNumber)).toEqual(['R58N123ABCD', 'C02XK1ZZJGH5', '5CD1234XYZ']);
    const acme = await server.get('/Users?filter=' + encodeURIComponent(`${ACME}:clearance gt 2`));
    expect(acme.body.Resources.map((u: { id: string }) => u.id)).toEqual(['u-ada']);

    const patchOp = (operations: unknown[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: operations });
    const patched = await server.patch('/Devices/d-002', patchOp([{ op: 'replace', path: 'compliant', value: true }, { op: 'add', path: 'tags', value: ['managed'] }]));
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    expect(patched.body).toMatchObject({ compliant: true, tags: ['phone', 'managed'] });
    expect(expectError(await server.patch('/Devices/d-002', patchOp([{ op: 'replace', path: 'serialNumber', value: 'NEW' }])), 400, 'mutability')).toContain('serialNumber');
    expect(expectError(await server.patch('/Devices/d-002', patchOp([{ op: 'replace', path: 'storageGb', value: 'lots' }])), 400, 'invalidValue')).toContain('storageGb');
    const user = await server.patch('/Users/u-grace', patchOp([{ op: 'replace', path: `${ACME}:clearance`, value: 4 }]));
    expect(user.status).toBe(200);
    expect(user.body[ACME]).toEqual({ badgeNumber: 'B-0002', clearance: 4, remote: true });
  });

  it('validates, stores and projects the User extension (returned "request" only on request)', async () => {
    const ada = await server.get('/Users/u-ada');
    expect(ada.body.schemas).toEqual([USER, ENTERPRISE, ACME]);
    expect(ada.body[ACME]).toEqual({ badgeNumber: 'B-0001', clearance: 3, remote: false });
    const asked = await server.get(`/Users/u-ada?attributes=${ACME}:parkingSpot`);
    expect(asked.body[ACME]).toEqual({ parkingSpot: 'P1-07' });
    // Naming the extension selects its attributes as naming a complex attribute selects its sub-attributes: the
    // returned "request" one only when named itself (RFC 7643 section 2.4).
    const whole = await server.get(`/Users/u-ada?attributes=${ACME}`);
    expect(whole.body[ACME]).toEqual({ badgeNumber: 'B-0001', clearance: 3, remote: false });
    const listed = await server.get(`/Users?filter=${encodeURIComponent('userName eq "ada.lovelace@acme.example"')}&attributes=${ACME}`);
    expect(listed.body.Resources[0][ACME]).toEqual({ badgeNumber: 'B-0001', clearance: 3, remote: false });
    const both = await server.get(`/Users/u-ada?attributes=${ACME},${ACME}:parkingSpot`);
    expect(both.body[ACME]).toEqual({ badgeNumber: 'B-0001', clearance: 3, remote: false, parkingSpot: 'P1-07' });
    const excluded = await server.get(`/Users/u-ada?excludedAttributes=${ACME}`);
    expect(excluded.body[ACME]).toBeUndefined();
    const created = await server.post('/Users', { schemas: [USER, ACME], userName: 'new@acme.example', [ACME]: { badgeNumber: 'B-9', remote: true, unknown: 1 } });
    expect(created.status).toBe(201);
    expect(created.body[ACME]).toEqual({ badgeNumber: 'B-9', remote: true });
    expect(expectError(await server.post('/Users', { schemas: [USER, ACME], userName: 'x@acme.example', [ACME]: { clearance: 'high' } }), 400, 'invalidValue')).toContain(`"${ACME}:clearance" must be an integer`);
    expect(expectError(await server.post('/Users', { schemas: [USER], userName: 'y@acme.example', [ACME]: { remote: true } }), 400, 'invalidValue')).toContain('does not list it in "schemas"');
    // an extension holding only a "request" attribute is not in the default representation, nor in its schemas
    // (RFC 7643 section 3): a strict client would look for the extension object it names
    const parked = await server.post('/Users', { schemas: [USER, ACME], userName: 'parked@acme.example', [ACME]: { parkingSpot: 'P2-01' } });
    expect(parked.status).toBe(201);
    for (const res of [parked, await server.get(`/Users/${parked.body.id as string}`), await server.get(`/Users?filter=${encodeURIComponent('userName eq "parked@acme.example"')}`)]) {
      const body = res.body.Resources?.[0] ?? res.body;
      expect(body.schemas).toEqual([USER]);
      expect(body).not.toHaveProperty([ACME]);
    }
    const onRequest = await server.get(`/Users/${parked.body.id as string}?attributes=${ACME}:parkingSpot`);
    expect(onRequest.body.schemas).toEqual([USER, ACME]);
    expect(onRequest.body[ACME]).toEqual({ parkingSpot: 'P2-01' });
  });

  it('a tenant without the scenario has none of it', async () => {
    const plain = serverFor(new Scimulator());
    expect((await plain.get('/Devices')).status).toBe(404);
    expect((await plain.get(`/Schemas/${DEVICE}`)).status).toBe(404);
    expect(((await plain.get('/ResourceTypes/User')).body.schemaExtensions as unknown[])).toHaveLength(1);
  });

  it('re-seeding without custom schemas removes them', async () => {
    seedTenant(server.tenant, await loadScenarioFile(join(ROOT, 'seeds/default.json')));
    expect((await server.get('/Devices')).status).toBe(404);
    expect(((await server.get('/Schemas')).body.Resources as unknown[])).toHaveLength(3);
    expect(((await server.get('/ResourceTypes/User')).body.schemaExtensions as unknown[])).toEqual([{ schema: ENTERPRISE, required: false }]);
    expect(server.tenant.store.snapshot().schemas).toBeUndefined();
  });
});

describe('checkCustomSchemas', () => {
  it('completes attribute definitions with the defaults and freezes them', () => {
    const custom = checkCustomSchemas({
      schemas: [{ id: 'urn:example:ext:Group', name: 'GroupExtra', attributes: [{ name: 'cost', type: 'decimal' }, { name: 'photo', type: 'binary' }, { name: 'site', type: 'reference', referenceTypes: ['external', 'uri', 'user'] }] }],
      resourceTypes: [{ name: 'Group', schemaExtensions: [{ schema: 'urn:example:ext:Group', required: true }] }],
    });
    const [cost, photo, site] = custom.schemas[0]!.attributes;
    expect(cost).toEqual({ name: 'cost', type: 'decimal', multiValued: false, description: '', required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none' });
    expect(photo!.caseExact).toBe(true);
    expect(site!.referenceTypes).toEqual(['external', 'uri', 'User']);
    expect(custom.resourceTypes).toEqual([{ name: 'Group', endpoint: '/Groups', description: 'Group', schema: GROUP, schemaExtensions: [{ schema: 'urn:example:ext:Group', required: true }] }]);
    expect(Object.isFrozen(custom.schemas[0]!.attributes[0])).toBe(true);
  });

  it('accepts a document pasted from GET /Schemas and GET /ResourceTypes', async () => {
    const server = await customDeviceServer();
    const schema = (await server.get(`/Schemas/${DEVICE}`)).body;
    const type = (await server.get('/ResourceTypes/Device')).body;
    const again = checkCustomSchemas({ schemas: [schema], resourceTypes: [type] });
    expect(again.schemas[0]).toEqual(server.tenant.registry.schema(DEVICE));
    expect(again.resourceTypes[0]).toEqual(server.tenant.registry.resourceType('Device')!.resourceType);
  });

  it('throws SchemaDefinitionError with a pointer under the given base', () => {
    try {
      checkCustomSchemas({ schemas: 'nope' }, '/x');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(SchemaDefinitionError);
      expect((err as SchemaDefinitionError).pointer).toBe('/x/schemas');
      expect((err as Error).message).toBe('/x/schemas: must be an array of schema definitions');
    }
  });

  it('a required custom extension is enforced on create', async () => {
    const runtime = new Scimulator();
    seedTenant(runtime.defaultTenant, {
      source: 't', users: [], groups: [], resources: {}, faults: [],
      ...checkCustomSchemas({
        schemas: [{ id: 'urn:example:ext:Group', name: 'GroupExtra', attributes: [{ name: 'cost', type: 'decimal', required: true }] }],
        resourceTypes: [{ name: 'Group', schemaExtensions: [{ schema: 'urn:example:ext:Group', required: true }] }],
      }),
    });
    const server = serverFor(runtime);
    expect(expectError(await server.post('/Groups', { schemas: [GROUP], displayName: 'G' }), 400)).toBe('The extension "urn:example:ext:Group" is required for a Group.');
    const ok = await server.post('/Groups', { schemas: [GROUP, 'urn:example:ext:Group'], displayName: 'G', 'urn:example:ext:Group': { cost: 1.5 } });
    expect(ok.status).toBe(201);
    expect(ok.body['urn:example:ext:Group']).toEqual({ cost: 1.5 });
  });
});
