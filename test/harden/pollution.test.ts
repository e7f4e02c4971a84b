/**
 * The prototype-pollution table: `__proto__`, `constructor` and `prototype` as keys and as path segments through
 * every route that takes input. Each row asserts that no built-in prototype changed, that no fresh object shows
 * the injected property, that the request got the answer in the row (a clear 400 naming the offending name for
 * every key and path a client controls), and that a rejected request changed nothing.
 */
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { Scimulator } from '../../src/runtime.js';
import { polluted, prototypeFingerprint, scimErrorProblem } from './support.js';
import { loadGenerator } from '../../src/seed/generator.js';

// Directories are built here from scenarios parsed in the test: the generator (faker) is loaded lazily, so first.
await loadGenerator();

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';

/** What a payload injects, and what a polluted fresh object would then show. */
const P = '{"polluted":"yes","isAdmin":true}';
const patch = (ops: string) => `{"schemas":["${PATCH_OP}"],"Operations":[${ops}]}`;
const bulk = (ops: string, extra = '') => `{"schemas":["${BULK}"]${extra},"Operations":[${ops}]}`;
const search = (extra: string) => `{"schemas":["${SEARCH}"]${extra}}`;
const q = encodeURIComponent;

interface Row {
  route: string;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** {u} is a seeded User's id, {g} a seeded Group's. */
  path: string;
  body?: string;
  /** The expected status, and for SCIM errors the scimType; `detail` must match `names` (the offending name). */
  status: number;
  scimType?: string;
  names?: RegExp;
  /** For a 200 Bulk response: the status of its first operation. */
  bulkStatus?: string;
}

const SCIM: Row[] = [
  // Resource bodies: POST and PUT.
  { route: 'POST /Users', method: 'POST', path: '/Users', body: `{"schemas":["${USER}"],"userName":"p1","__proto__":${P}}`, status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'POST /Users', method: 'POST', path: '/Users', body: `{"schemas":["${USER}"],"userName":"p2","constructor":{"prototype":${P}}}`, status: 400, scimType: 'invalidSyntax', names: /constructor/ },
  { route: 'POST /Users', method: 'POST', path: '/Users', body: `{"schemas":["${USER}"],"userName":"p3","prototype":${P}}`, status: 400, scimType: 'invalidSyntax', names: /prototype/ },
  { route: 'POST /Users', method: 'POST', path: '/Users', body: `{"schemas":["${USER}"],"userName":"p4","name":{"givenName":"A","__proto__":${P}}}`, status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'POST /Users', method: 'POST', path: '/Users', body: `{"schemas":["${USER}","${ENTERPRISE}"],"userName":"p5","${ENTERPRISE}":{"__proto__":${P}}}`, status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'POST /Users', method: 'POST', path: '/Users', body: `{"schemas":["${USER}"],"userName":"p6","emails":[{"value":"a@b.c","constructor":{"prototype":${P}}}]}`, status: 400, scimType: 'invalidSyntax', names: /constructor/ },
  { route: 'POST /Groups', method: 'POST', path: '/Groups', body: `{"schemas":["${GROUP}"],"displayName":"g","members":[{"value":"{u}","__proto__":${P}}]}`, status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'PUT /Users/{id}', method: 'PUT', path: '/Users/{u}', body: `{"schemas":["${USER}"],"userName":"victim","__proto__":${P}}`, status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'PUT /Users/{id}', method: 'PUT', path: '/Users/{u}', body: `{"schemas":["${USER}"],"userName":"victim","addresses":[{"prototype":${P}}]}`, status: 400, scimType: 'invalidSyntax', names: /prototype/ },
  { route: 'PUT /Groups/{id}', method: 'PUT', path: '/Groups/{g}', body: `{"schemas":["${GROUP}"],"displayName":"team","constructor":{"prototype":${P}}}`, status: 400, scimType: 'invalidSyntax', names: /constructor/ },
  // PATCH: paths and value keys.
  { route: 'PATCH path', method: 'PATCH', path: '/Users/{u}', body: patch('{"op":"add","path":"__proto__.polluted","value":"yes"}'), status: 400, scimType: 'invalidPath', names: /__proto__/ },
  { route: 'PATCH path', method: 'PATCH', path: '/Users/{u}', body: patch('{"op":"replace","path":"constructor.prototype.polluted","value":"yes"}'), status: 400, scimType: 'invalidPath', names: /constructor/ },
  { route: 'PATCH path', method: 'PATCH', path: '/Users/{u}', body: patch('{"op":"add","path":"name.__proto__","value":{"polluted":"yes"}}'), status: 400, scimType: 'invalidPath', names: /__proto__/ },
  { route: 'PATCH path', method: 'PATCH', path: '/Users/{u}', body: patch(`{"op":"add","path":"${ENTERPRISE}:prototype","value":"yes"}`), status: 400, scimType: 'invalidPath', names: /prototype/ },
  { route: 'PATCH path', method: 'PATCH', path: '/Users/{u}', body: patch('{"op":"replace","path":"emails[type eq \\"work\\"].__proto__","value":"yes"}'), status: 400, scimType: 'invalidPath', names: /__proto__/ },
  { route: 'PATCH path', method: 'PATCH', path: '/Users/{u}', body: patch('{"op":"remove","path":"emails[__proto__ eq \\"x\\"]"}'), status: 400, scimType: 'invalidPath', names: /__proto__/ },
  { route: 'PATCH path', method: 'PATCH', path: '/Groups/{g}', body: patch('{"op":"remove","path":"members[value eq \\"x\\"].constructor"}'), status: 400, scimType: 'invalidPath', names: /constructor/ },
  { route: 'PATCH value', method: 'PATCH', path: '/Users/{u}', body: patch(`{"op":"add","value":{"__proto__":${P}}}`), status: 400, names: /__proto__/ },
  { route: 'PATCH value', method: 'PATCH', path: '/Users/{u}', body: patch(`{"op":"replace","value":{"name":{"constructor":{"prototype":${P}}}}}`), status: 400, names: /constructor/ },
  { route: 'PATCH value', method: 'PATCH', path: '/Users/{u}', body: patch(`{"op":"add","path":"emails","value":[{"value":"x@y.z","prototype":${P}}]}`), status: 400, names: /prototype/ },
  { route: 'PATCH value', method: 'PATCH', path: '/Users/{u}', body: patch(`{"op":"add","value":{"__proto__.polluted":"yes"}}`), status: 400, names: /__proto__/ },
  { route: 'PATCH operation', method: 'PATCH', path: '/Users/{u}', body: patch(`{"op":"add","path":"nickName","value":"x","__proto__":${P}}`), status: 400, names: /__proto__/ },
  { route: 'PATCH message', method: 'PATCH', path: '/Users/{u}', body: `{"schemas":["${PATCH_OP}"],"constructor":{"prototype":${P}},"Operations":[{"op":"add","path":"nickName","value":"x"}]}`, status: 400, names: /constructor/ },
  // Queries: filter, attributes, sortBy, and .search bodies.
  { route: 'GET ?filter', method: 'GET', path: `/Users?filter=${q('__proto__.polluted eq "yes"')}`, status: 400, scimType: 'invalidFilter', names: /__proto__/ },
  { route: 'GET ?filter', method: 'GET', path: `/Users?filter=${q('emails[constructor pr]')}`, status: 400, scimType: 'invalidFilter', names: /constructor/ },
  { route: 'GET ?filter', method: 'GET', path: `/Groups?filter=${q(`${USER}:prototype eq "x"`)}`, status: 400, scimType: 'invalidFilter', names: /prototype/ },
  { route: 'GET ?attributes', method: 'GET', path: '/Users?attributes=__proto__', status: 400, scimType: 'invalidPath', names: /__proto__/ },
  { route: 'GET ?attributes', method: 'GET', path: '/Users/{u}?attributes=name.constructor', status: 400, scimType: 'invalidPath', names: /constructor/ },
  { route: 'GET ?excludedAttributes', method: 'GET', path: `/Users?excludedAttributes=${q(`${ENTERPRISE}:prototype`)}`, status: 400, scimType: 'invalidPath', names: /prototype/ },
  { route: 'POST ?attributes', method: 'POST', path: '/Users?attributes=__proto__', body: `{"schemas":["${USER}"],"userName":"not-created"}`, status: 400, scimType: 'invalidPath', names: /__proto__/ },
  { route: 'GET ?sortBy', method: 'GET', path: '/Users?sortBy=__proto__', status: 400, names: /__proto__/ },
  { route: 'POST /.search', method: 'POST', path: '/.search', body: search(`,"__proto__":${P}`), status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'POST /Users/.search', method: 'POST', path: '/Users/.search', body: search(',"filter":"constructor.prototype pr"'), status: 400, scimType: 'invalidFilter', names: /constructor/ },
  { route: 'POST /Users/.search', method: 'POST', path: '/Users/.search', body: search(',"attributes":["userName","__proto__"]'), status: 400, scimType: 'invalidPath', names: /__proto__/ },
  { route: 'POST /Users/.search', method: 'POST', path: '/Users/.search', body: search(',"excludedAttributes":["name.prototype"]'), status: 400, scimType: 'invalidPath', names: /prototype/ },
  { route: 'POST /Groups/.search', method: 'POST', path: '/Groups/.search', body: search(',"sortBy":"constructor"'), status: 400, names: /constructor/ },
  // Bulk: the message, operation data, and PATCH operations inside it.
  { route: 'POST /Bulk', method: 'POST', path: '/Bulk', body: bulk('', `,"__proto__":${P}`), status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'POST /Bulk', method: 'POST', path: '/Bulk', body: bulk(`{"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["${USER}"],"userName":"b1","__proto__":${P}}}`), status: 400, scimType: 'invalidSyntax', names: /__proto__/ },
  { route: 'POST /Bulk', method: 'POST', path: '/Bulk', body: bulk(`{"method":"POST","path":"/Users","bulkId":"a","constructor":{"prototype":${P}},"data":{"schemas":["${USER}"],"userName":"b2"}}`), status: 400, scimType: 'invalidSyntax', names: /constructor/ },
  { route: 'POST /Bulk', method: 'POST', path: '/Bulk', body: bulk(`{"method":"PATCH","path":"/Users/{u}","data":${patch('{"op":"add","path":"constructor.prototype.polluted","value":"yes"}')}}`), status: 200, bulkStatus: '400' },
  { route: 'POST /Bulk', method: 'POST', path: '/Bulk', body: bulk(`{"method":"PUT","path":"/Users/__proto__","data":{"schemas":["${USER}"],"userName":"b3"}}`), status: 200, bulkStatus: '404' },
];

const CONTROL: Row[] = [
  { route: 'POST /_mock/faults', method: 'POST', path: '/faults', body: `{"__proto__":${P},"action":{"type":"error","status":503}}`, status: 400, names: /__proto__/ },
  { route: 'POST /_mock/faults', method: 'POST', path: '/faults', body: `{"action":{"type":"error","status":503},"match":{"constructor":{"prototype":${P}}}}`, status: 400, names: /constructor/ },
  { route: 'POST /_mock/faults', method: 'POST', path: '/faults', body: '{"action":{"type":"error","status":503},"match":{"body":{"path":"Operations.__proto__","exists":true}}}', status: 400, names: /__proto__/ },
  { route: 'POST /_mock/faults', method: 'POST', path: '/faults', body: '{"action":{"type":"error","status":503,"headers":{"prototype":"x"}}}', status: 400, names: /prototype/ },
  { route: 'POST /_mock/requests/find', method: 'POST', path: '/requests/find', body: `{"__proto__":${P}}`, status: 400, names: /__proto__/ },
  { route: 'POST /_mock/requests/count', method: 'POST', path: '/requests/count', body: `{"body":{"path":"userName","equals":{"constructor":{"prototype":${P}}}}}`, status: 400, names: /constructor/ },
  { route: 'GET /_mock/requests', method: 'GET', path: '/requests?__proto__=x', status: 400, names: /__proto__/ },
  { route: 'PATCH /_mock/config', method: 'PATCH', path: '/config', body: `{"__proto__":${P}}`, status: 400, names: /__proto__/ },
  { route: 'PATCH /_mock/config', method: 'PATCH', path: '/config', body: '{"patchStatus":{"__proto__":204}}', status: 400, names: /__proto__/ },
  { route: 'PATCH /_mock/config', method: 'PATCH', path: '/config', body: `{"auth":{"constructor":{"prototype":${P}}}}`, status: 400, names: /constructor/ },
  { route: 'PUT /_mock/snapshot', method: 'PUT', path: '/snapshot', body: '{"format":"scimulator-snapshot","version":1,"sequence":1,"resources":{"__proto__":[]}}', status: 400, names: /__proto__/ },
  { route: 'PUT /_mock/snapshot', method: 'PUT', path: '/snapshot', body: `{"format":"scimulator-snapshot","version":1,"sequence":1,"resources":{"User":[{"id":"x","meta":{"version":"W/\\"1\\""},"prototype":${P}}]}}`, status: 400, names: /prototype/ },
  { route: 'POST /_mock/tenants', method: 'POST', path: '/tenants', body: `{"__proto__":${P}}`, status: 400, names: /__proto__/ },
  { route: 'POST /_mock/tenants', method: 'POST', path: '/tenants', body: '{"id":"__proto__"}', status: 400, names: /id must/ },
  { route: 'POST /_mock/clock', method: 'POST', path: '/clock', body: `{"constructor":{"prototype":${P}}}`, status: 400, names: /constructor/ },
  { route: 'POST /_mock/reset', method: 'POST', path: '/reset?keep=__proto__', status: 400, names: /__proto__/ },
  { route: 'tenant-scoped control path', method: 'PATCH', path: '/tenants/__proto__/config', body: '{"maxPageSize":5}', status: 404, names: /__proto__/ },
];

let runtime: Scimulator;
let app: ReturnType<typeof createApp>;
let ids: { u: string; g: string };
beforeEach(() => {
  runtime = new Scimulator();
  app = createApp(runtime);
  const { service } = runtime.defaultTenant;
  const u = service.create('User', { schemas: [USER], userName: 'victim', name: { givenName: 'V' }, emails: [{ value: 'v@example.com', type: 'work' }] });
  const g = service.create('Group', { schemas: [GROUP], displayName: 'team', members: [{ value: u.id }] });
  ids = { u: u.id as string, g: g.id as string };
});

const fill = (text: string) => text.replace(/\{u\}/g, ids.u).replace(/\{g\}/g, ids.g);
const state = () => JSON.stringify(runtime.defaultTenant.store.snapshot().resources) + JSON.stringify(runtime.defaultTenant.config) + [...runtime.tenants.keys()].join();

async function send(row: Row, prefix: string, contentType: string) {
  let req = request(app)[row.method.toLowerCase() as 'get'](prefix + fill(row.path)).set('Authorization', 'Bearer scimulator-dev-token');
  if (row.body !== undefined) req = req.set('Content-Type', contentType).send(fill(row.body));
  return req;
}

function checkClean(fingerprint: string) {
  expect(prototypeFingerprint()).toBe(fingerprint);
  expect(polluted()).toBeUndefined();
  // The classic gadgets: a fresh object must not look like an admin, a template, or anything else injected.
  expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted')).toBe(false);
}

describe('prototype pollution: SCIM routes', () => {
  it.each(SCIM.map((row) => [`${row.method} ${row.path.slice(0, 60)}`, row] as const))('%s', async (_name, row) => {
    const fingerprint = prototypeFingerprint();
    const before = state();
    const res = await send(row, '/scim/v2', 'application/scim+json');
    checkClean(fingerprint);
    expect(res.status, res.text).toBe(row.status);
    if (row.status >= 400) {
      expect(scimErrorProblem(res.status, res.headers['content-type'], res.text)).toBeUndefined();
      const body = JSON.parse(res.text) as { scimType?: string; detail: string };
      if (row.scimType) expect(body.scimType, body.detail).toBe(row.scimType);
      expect(body.detail).toMatch(row.names!);
      expect(state(), 'a rejected request changed something').toBe(before);
    }
    if (row.bulkStatus) {
      const op = (JSON.parse(res.text) as { Operations: Array<{ status: string; response?: { detail?: string } }> }).Operations[0]!;
      expect(op.status, JSON.stringify(op)).toBe(row.bulkStatus);
    }
    // The seeded resources are untouched and still served.
    const user = await request(app).get(`/scim/v2/Users/${ids.u}`).set('Authorization', 'Bearer scimulator-dev-token');
    expect(user.status).toBe(200);
    expect(Object.keys(user.body)).not.toContain('polluted');
  });

  it('query parameter names are inert: ?__proto__=..&constructor=.. pollute nothing and are ignored', async () => {
    const fingerprint = prototypeFingerprint();
    const res = await request(app).get('/scim/v2/Users?__proto__[polluted]=yes&constructor[prototype][polluted]=yes&prototype=1').set('Authorization', 'Bearer scimulator-dev-token');
    checkClean(fingerprint);
    expect(res.status).toBe(200);
  });

  it('a bulkId named __proto__ is only a name: references to it resolve, nothing is polluted', async () => {
    const fingerprint = prototypeFingerprint();
    const res = await request(app)
      .post('/scim/v2/Bulk')
      .set('Authorization', 'Bearer scimulator-dev-token')
      .set('Content-Type', 'application/scim+json')
      .send(bulk(`{"method":"POST","path":"/Users","bulkId":"__proto__","data":{"schemas":["${USER}"],"userName":"bulk-proto"}},{"method":"POST","path":"/Groups","bulkId":"constructor","data":{"schemas":["${GROUP}"],"displayName":"bulk-group","members":[{"value":"bulkId:__proto__"}]}}`));
    checkClean(fingerprint);
    expect(res.status).toBe(200);
    const ops = (res.body as { Operations: Array<{ status: string; location: string }> }).Operations;
    expect(ops.map((o) => o.status)).toEqual(['201', '201']);
    const group = await request(app).get(new URL(ops[1]!.location).pathname).set('Authorization', 'Bearer scimulator-dev-token');
    expect(group.body.members[0].value).toBe(new URL(ops[0]!.location).pathname.split('/').pop());
  });
});

describe('prototype pollution: control API', () => {
  it.each(CONTROL.map((row) => [`${row.method} /_mock${row.path.slice(0, 60)}`, row] as const))('%s', async (_name, row) => {
    const fingerprint = prototypeFingerprint();
    const before = state();
    const res = await send(row, '/_mock', 'application/json');
    checkClean(fingerprint);
    expect(res.status, res.text).toBe(row.status);
    expect(typeof res.body.error).toBe('string');
    expect(res.body.error).toMatch(row.names!);
    expect(state(), 'a rejected request changed something').toBe(before);
  });

  it('tenant ids "constructor" and "prototype" are plain names in a Map: isolated, working, polluting nothing', async () => {
    const fingerprint = prototypeFingerprint();
    for (const id of ['constructor', 'prototype']) {
      const created = await request(app).post('/_mock/tenants').send({ id, token: `${id}-token` });
      expect(created.status).toBe(201);
      const list = await request(app).get(`/tenants/${id}/scim/v2/Users`).set('Authorization', `Bearer ${id}-token`);
      expect(list.status).toBe(200);
      expect(list.body.totalResults).toBe(0);
    }
    checkClean(fingerprint);
    expect(Object.keys(runtime.tenants)).toEqual([]);
  });

  it('journal body paths never reach inherited properties (constructor, toString)', async () => {
    await request(app).post('/scim/v2/Users').set('Authorization', 'Bearer scimulator-dev-token').set('Content-Type', 'application/scim+json').send({ schemas: [USER], userName: 'seen' });
    for (const path of ['constructor', 'constructor.name', 'toString', 'userName.constructor']) {
      const res = await request(app).post('/_mock/requests/count').send({ body: { path, exists: true } });
      expect(res.status === 400 || res.body.count === 0, `${path}: ${res.text}`).toBe(true);
    }
  });
});

describe('prototype pollution: seed files', () => {
  const SCENARIOS = [
    `{"__proto__":${P}}`,
    `{"generate":{"seed":1,"users":2,"groups":1,"constructor":{"prototype":${P}}}}`,
    `{"users":[{"schemas":["${USER}"],"userName":"s1","prototype":${P}}]}`,
    `{"users":[{"schemas":["${USER}"],"userName":"s2","name":{"__proto__":${P}}}]}`,
    `{"options":{"patchStatus":{"__proto__":204}}}`,
    `{"faults":[{"action":{"type":"error","status":503},"__proto__":${P}}]}`,
    `{"resources":{"__proto__":[]}}`,
  ];

  it.each(SCENARIOS)('parseScenario refuses %s', async (text) => {
    const { parseScenario, ScenarioError } = await import('../../src/seed/scenario.js');
    const fingerprint = prototypeFingerprint();
    expect(() => parseScenario(text, 'pollution.json')).toThrow(ScenarioError);
    expect(() => parseScenario(JSON.parse(text), 'pollution.json')).toThrow(/__proto__|constructor|prototype/);
    checkClean(fingerprint);
  });

  it('POST /_mock/tenants with a polluting seedFile is a 400 naming the file; no tenant is created', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'scimulator-pollution-'));
    const fingerprint = prototypeFingerprint();
    for (const [i, text] of SCENARIOS.entries()) {
      const file = join(dir, `s${i}.json`);
      writeFileSync(file, text);
      const res = await request(app).post('/_mock/tenants').send({ id: `seeded${i}`, seedFile: file });
      expect(res.status, text).toBe(400);
      expect(res.body.field).toBe('seedFile');
      expect(res.body.error).toMatch(/__proto__|constructor|prototype/);
      expect(runtime.tenant(`seeded${i}`)).toBeUndefined();
    }
    checkClean(fingerprint);
  });
});
