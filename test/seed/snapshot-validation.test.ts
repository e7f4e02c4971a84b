import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Scimulator } from '../../src/runtime.js';
import { loadScenarioFile, withGenerateOverrides } from '../../src/seed/scenario.js';
import { buildDirectory, seedTenant } from '../../src/seed/seed.js';
import { DataFile } from '../../src/store/persist.js';
import { fromDocument, toDocument } from '../../src/store/snapshot.js';
import { ACME, ENTERPRISE, ROOT, serverFor, USER } from './helpers.js';

/** A small valid document: two users (one with the enterprise extension), a group, custom types (Device, ACME). */
async function validDocument(): Promise<Record<string, any>> {
  const runtime = new Scimulator();
  seedTenant(runtime.defaultTenant, await loadScenarioFile(join(ROOT, 'seeds/custom-device.json')));
  return JSON.parse(JSON.stringify(toDocument(runtime.defaultTenant.store.snapshot())));
}

describe('snapshot documents are checked resource by resource', () => {
  it('every shipped scenario, in every shape, exports a document that loads again', async () => {
    for (const file of ['default', 'empty', 'entra-like', 'okta-like', 'large', 'custom-device']) {
      const scenario = withGenerateOverrides(await loadScenarioFile(join(ROOT, `seeds/${file}.json`)), file === 'large' ? { users: 3000, groups: 60 } : {});
      const doc = JSON.parse(JSON.stringify(toDocument(buildDirectory(scenario))));
      expect(() => fromDocument(doc), file).not.toThrow();
    }
    for (const shape of ['generic', 'entra', 'okta'] as const) {
      const snapshot = buildDirectory({ ...withGenerateOverrides(await loadScenarioFile(join(ROOT, 'seeds/empty.json')), { users: 500, groups: 20 }), generate: { seed: 4, users: 500, groups: 20, shape } });
      expect(() => fromDocument(JSON.parse(JSON.stringify(toDocument(snapshot)))), shape).not.toThrow();
    }
  });

  it('a resource that breaks its schemas is refused with its pointer and the reason; nothing is loaded', async () => {
    const good = await validDocument();
    const users = good.resources.User as Record<string, any>[];
    const ada = users.findIndex((u) => u.id === 'u-ada');
    const grace = users.findIndex((u) => u.id === 'u-grace');
    const group = (good.resources.Group as Record<string, any>[]).findIndex((g) => Array.isArray(g.members) && g.members.length > 1);
    expect(ada).toBeGreaterThanOrEqual(0);
    expect(grace).toBeGreaterThanOrEqual(0);
    expect(group).toBeGreaterThanOrEqual(0);
    const U = `/resources/User/${ada}`;
    const G = `/resources/Group/${group}`;
    const cases: Array<[string, (doc: Record<string, any>) => void, string]> = [
      ['not an object', (d) => (d.resources.User[ada] = 'ada'), `${U}: must be a User resource (a JSON object)`],
      ['no id', (d) => delete d.resources.User[ada].id, `${U}/id: must be a non-empty string`],
      ['an id twice', (d) => (d.resources.Group[group].id = 'u-ada'), `${G}/id: "u-ada" is already the id of ${U}; ids are unique across all resources`],
      ['no meta', (d) => delete d.resources.User[ada].meta, `${U}/meta: must be an object with resourceType, created, lastModified and version`],
      ['meta of another type', (d) => (d.resources.User[ada].meta.resourceType = 'Group'), `${U}/meta/resourceType: must be "User"`],
      ['meta.created not a date', (d) => (d.resources.User[ada].meta.created = 'yesterday'), `${U}/meta/created: must be an RFC 3339 date-time such as "2011-05-13T04:42:34Z"`],
      ['meta.version not an ETag', (d) => (d.resources.User[ada].meta.version = '3'), `${U}/meta/version: must be a weak ETag such as W/"1"`],
      ['meta.location', (d) => (d.resources.User[ada].meta.location = 'https://x/Users/u-ada'), `${U}/meta/location: is not kept: meta holds resourceType, created, lastModified, version (the server adds location)`],
      ['schemas without the core schema', (d) => (d.resources.User[ada].schemas = [ACME]), `${U}/schemas: must be an array of schema URNs that includes "${USER}"`],
      ['an unknown schema', (d) => (d.resources.User[ada].schemas = [USER, 'urn:example:nope']), `${U}/schemas/1: must be "${USER}" or one of the extensions of the User resource type ("${ENTERPRISE}", "${ACME}")`],
      ['an unknown attribute', (d) => (d.resources.User[ada].shoeSize = 42), `${U}/shoeSize: is not an attribute of the User resource type`],
      ['an attribute in another letter case', (d) => { const u = d.resources.User[ada]; u.username = u.userName; delete u.userName; }, `${U}/username: must be spelled "userName"`],
      ['a computed attribute', (d) => (d.resources.User[ada].groups = [{ value: 'g' }]), `${U}/groups: is computed by the server (readOnly), so a snapshot does not hold it`],
      ['a number for a string', (d) => (d.resources.User[ada].userName = 5), `${U}/userName: must be a string`],
      ['a string for a boolean', (d) => (d.resources.User[ada].active = 'yes'), `${U}/active: must be a JSON boolean (true or false)`],
      ['a single value for a multi-valued attribute', (d) => (d.resources.User[ada].emails = { value: 'a@b.c' }), `${U}/emails: must be an array: "emails" is multi-valued`],
      ['a wrong sub-attribute type', (d) => (d.resources.User[ada].emails = [{ value: 7 }]), `${U}/emails/0/value: must be a string`],
      ['an unknown sub-attribute', (d) => (d.resources.User[ada].name = { givenName: 'Ada', nick: 'A' }), `${U}/name/nick: is not an attribute of "name"`],
      ['null', (d) => (d.resources.User[ada].nickName = null), `${U}/nickName: must have a value: leave out an attribute that has none`],
      ['two primary values', (d) => (d.resources.User[ada].emails = [{ value: 'a@x.example', primary: true }, { value: 'b@x.example', primary: true }]), `${U}/emails: has more than one value with "primary": true (RFC 7643 section 2.4 allows one)`],
      ['no userName', (d) => delete d.resources.User[ada].userName, `${U}/userName: is required for a User`],
      ['a userName twice', (d) => (d.resources.User[grace].userName = d.resources.User[ada].userName.toUpperCase()), `/resources/User/${grace}/userName: "${good.resources.User[ada].userName.toUpperCase()}" is also the userName of ${U} (userName is unique, compared case-insensitively)`],
      ['an extension attribute of the wrong type', (d) => (d.resources.User[grace][ACME] = { badgeNumber: 12 }), `/resources/User/${grace}/${ACME.replace(/~/g, '~0').replace(/\//g, '~1')}/badgeNumber: must be a string`],
      ['an extension not listed in schemas', (d) => { const u = d.resources.User[ada]; u.schemas = [USER]; u[ENTERPRISE] = { employeeNumber: '1' }; }, `${U}/${ENTERPRISE}: the resource has attributes of "${ENTERPRISE}", so its "schemas" must list it`],
      ['a member that does not exist', (d) => (d.resources.Group[group].members[0].value = 'ghost'), `${G}/members/0/value: "ghost" is the id of no User or Group in the snapshot, and the member policy "reject" keeps no such member (under "accept" it loads as stored)`],
      ['a member of the wrong type', (d) => { d.resources.Group[group].members[0].value = 'u-ada'; d.resources.Group[group].members[0].type = 'Group'; }, `${G}/members/0/type: must be "User": "u-ada" is the id of ${U}`],
      ['a member twice', (d) => (d.resources.Group[group].members[1] = d.resources.Group[group].members[0]), `${G}/members/1/value: "${good.resources.Group[group].members[0].value}" is a member already (each member is listed once)`],
      ['the group itself', (d) => (d.resources.Group[group].members[0] = { value: d.resources.Group[group].id }), `${G}/members/0/value: is the group itself; a group cannot be a member of itself`],
      ['a device of another resource type', (d) => (d.resources.Device[0].meta.resourceType = 'User'), '/resources/Device/0/meta/resourceType: must be "Device"'],
    ];
    // Under "reject" (the default of fromDocument): "accept" loads an unknown member as the service stored it
    // (test/members/member-policy.test.ts).
    const server = serverFor(new Scimulator({ memberPolicy: 'reject' }));
    expect((await server.control().put('/_mock/snapshot').send(good)).status).toBe(204);
    const before = (await server.control().get('/_mock/snapshot')).text;
    for (const [what, mutate, error] of cases) {
      const doc = structuredClone(good);
      mutate(doc);
      expect(() => fromDocument(doc), what).toThrow(error);
      const res = await server.control().put('/_mock/snapshot').send(doc);
      expect(res.status, what).toBe(400);
      expect(res.body.error, what).toBe(`Not a Scimulator snapshot: ${error}`);
      expect((await server.control().get('/_mock/snapshot')).text, what).toBe(before);
    }
  });

  it('a data file with a bad resource stops the load with the file, the pointer and the reason', async () => {
    const doc = await validDocument();
    doc.resources.Device[1].serialNumber = ['C02', 'C03'];
    const file = join(mkdtempSync(join(tmpdir(), 'scimulator-data-')), 'data.json');
    writeFileSync(file, JSON.stringify(doc));
    const runtime = new Scimulator();
    await expect(new DataFile(file, runtime.defaultTenant.store, 1).load()).rejects.toThrow(
      `data file ${file} is not a Scimulator snapshot: /resources/Device/1/serialNumber: must not be an array: "serialNumber" is single-valued`,
    );
    expect(runtime.defaultTenant.registry.resourceType('Device')).toBeUndefined();
    expect([...runtime.defaultTenant.store.all('User')]).toEqual([]);
  });

  it('loads what it checked: the same GETs as the tenant it came from', async () => {
    const doc = await validDocument();
    const source = serverFor(new Scimulator());
    expect((await source.control().put('/_mock/snapshot').send(doc)).status).toBe(204);
    const target = serverFor(new Scimulator());
    expect((await target.control().put('/_mock/snapshot').send(JSON.parse(JSON.stringify(doc)))).status).toBe(204);
    for (const path of ['/Users', '/Groups', '/Devices', '/Users/u-ada', `/Groups/${doc.resources.Group[0].id}`]) {
      expect((await target.get(path)).text, path).toBe((await source.get(path)).text);
    }
    expect((await target.get('/Devices')).body.totalResults).toBe(doc.resources.Device.length);
  });
});
