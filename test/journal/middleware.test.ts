import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Journal, JOURNAL_BODY_LIMIT, type JournalEntry } from '../../src/journal/journal.js';
import { hanging, makeApp } from './app.js';
import { frozenClock } from './helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const SCIM_JSON = 'application/scim+json';

let journal: Journal;
let server: Server;
let base: string;

beforeAll(async () => {
  journal = new Journal({ clock: frozenClock() });
  server = makeApp(journal).listen(0);
  await new Promise<void>((r) => server.once('listening', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await journal.close();
});

beforeEach(() => journal.clear());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The scripted sequence: 10 requests a connector might send. */
async function script(): Promise<void> {
  const auth = { Authorization: 'Bearer s3cr3t-token' };
  const send = (req: request.Test, body?: object) =>
    (body ? req.set('Content-Type', SCIM_JSON).send(JSON.stringify(body)) : req).set(auth);
  const api = request(base);
  await send(api.get('/scim/v2/Users').query({ filter: 'userName eq "bjensen"' })).expect(200); // 1 list
  await send(api.post('/scim/v2/Users'), { schemas: [USER], userName: 'bjensen', password: 't1meMa$heen' }).expect(201); // 2 create
  await send(api.get('/scim/v2/Users/u1')).expect(200); // 3 get
  await send(api.patch('/scim/v2/Users/u1'), {
    schemas: [PATCH_OP],
    Operations: [{ op: 'Replace', path: 'active', value: 'False' }],
  }).expect(200); // 4 patch (Entra style)
  await send(api.patch('/scim/v2/Groups/g1'), {
    schemas: [PATCH_OP],
    Operations: [{ op: 'add', path: 'members', value: [{ value: 'u1' }] }],
  }).expect(204); // 5 patch members add
  await send(api.put('/scim/v2/Users/u1'), { schemas: [USER], userName: 'bjensen', active: false }).expect(200); // 6 replace
  await send(api.patch('/scim/v2/Groups/g1'), {
    schemas: [PATCH_OP],
    Operations: [{ op: 'remove', path: 'members[value eq "u1"]' }],
  }).expect(204); // 7 patch members remove
  await send(api.get('/scim/v2/Users/missing')).expect(404); // 8 get 404
  await send(api.delete('/scim/v2/Users/u1')).expect(204); // 9 delete
  await send(api.get('/scim/v2/ServiceProviderConfig')).expect(200); // 10 discovery
}

describe('journal middleware', () => {
  it('records a scripted sequence of 10 requests; find by operation and by body match returns exactly the expected entries', async () => {
    const before = journal.lastSeq;
    await script();
    expect(journal.size).toBe(10);
    const rel = (e: JournalEntry) => e.seq - before;
    const all = journal.list();
    expect(all.map((e) => `${e.method} ${e.relativePath} ${e.operation} ${e.status}`)).toEqual([
      'GET /Users list 200',
      'POST /Users create 201',
      'GET /Users/u1 get 200',
      'PATCH /Users/u1 patch 200',
      'PATCH /Groups/g1 patch 204',
      'PUT /Users/u1 replace 200',
      'PATCH /Groups/g1 patch 204',
      'GET /Users/missing get 404',
      'DELETE /Users/u1 delete 204',
      'GET /ServiceProviderConfig discovery 200',
    ]);

    expect(journal.find({ operation: 'patch' }).map(rel)).toEqual([4, 5, 7]);
    expect(journal.find({ operation: 'patch', resourceType: 'Group' }).map(rel)).toEqual([5, 7]);
    expect(journal.find({ operation: ['create', 'delete'] }).map(rel)).toEqual([2, 9]);
    expect(journal.find({ body: { path: 'Operations[*].path', contains: 'members' } }).map(rel)).toEqual([5, 7]);
    expect(journal.find({ body: { path: 'Operations[*].op', equals: 'add' } }).map(rel)).toEqual([5]);
    // What the client sent, not what a later layer normalised it to.
    expect(journal.find({ body: { path: 'Operations[*].op', equals: 'Replace' } }).map(rel)).toEqual([4]);
    expect(journal.find({ body: { path: 'Operations[0].value', equals: 'False' } }).map(rel)).toEqual([4]);
    expect(journal.find({ body: { path: 'userName', equals: 'bjensen' } }).map(rel)).toEqual([2, 6]);
    expect(journal.find({ status: '4xx' }).map(rel)).toEqual([8]);
    expect(journal.find({ hasWarnings: true }).map(rel)).toEqual([4]);
    expect(journal.find({ path: '/Users/*', method: 'GET' }).map(rel)).toEqual([3, 8]);
    expect(journal.count({ operation: 'patch' })).toBe(3);

    // The same through the control API.
    const found = await request(base)
      .post('/_mock/requests/find')
      .send({ operation: 'patch', body: { path: 'Operations[*].path', contains: 'members' } })
      .expect(200);
    expect((found.body as { requests: JournalEntry[] }).requests.map(rel)).toEqual([5, 7]);
    expect((found.body as { count: number }).count).toBe(2);
    // Control requests themselves are not journalled.
    expect(journal.size).toBe(10);
  });

  it('records what was sent and answered, with Authorization and password redacted', async () => {
    await script();
    const [list, create, , patch] = journal.list();
    expect(list!.method).toBe('GET');
    expect(list!.path).toBe('/scim/v2/Users');
    expect(list!.query).toEqual({ filter: 'userName eq "bjensen"' });
    expect(list!.requestBody).toBeNull();
    expect(list!.responseBody).toEqual({ totalResults: 0, Resources: [] });
    expect(list!.tenant).toBe('default');
    expect(list!.time).toBe('2024-05-01T12:00:00.000Z');
    expect(list!.outcome).toBe('completed');
    expect(list!.durationMs).toBeGreaterThanOrEqual(0);

    expect(create!.requestHeaders.authorization).toBe('Bearer [REDACTED]');
    expect(create!.requestHeaders['content-type']).toBe(SCIM_JSON);
    expect(create!.requestBody).toEqual({ schemas: [USER], userName: 'bjensen', password: '[REDACTED]' });
    expect(create!.status).toBe(201);
    expect(create!.responseHeaders.location).toBe('http://localhost/scim/v2/Users/new');
    expect(String(create!.responseHeaders['content-type'])).toContain(SCIM_JSON);
    expect(create!.responseBody).toEqual({ id: 'new', schemas: [USER], userName: 'bjensen' });
    expect(create!.resourceType).toBe('User');

    expect(patch!.warnings).toEqual([{ code: 'op-case', rfc: 'RFC 7644 3.5.2', detail: 'op "Replace" should be "replace"' }]);
    expect(patch!.fault).toBeNull();
    const everything = journal.toNdjson();
    expect(everything).not.toContain('s3cr3t-token');
    expect(everything).not.toContain('t1meMa$heen');
  });

  it('redacts Basic credentials', async () => {
    await request(base).get('/scim/v2/Users').auth('admin', 'hunter2').expect(200);
    const [e] = journal.list();
    expect(e!.requestHeaders.authorization).toBe('Basic [REDACTED]');
  });

  it('captures a large response up to 64 KiB and passes all of it through unchanged', async () => {
    const res = await request(base).get('/scim/v2/big').buffer(true).parse((r, cb) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => cb(null, text));
    });
    const text = res.body as string;
    expect(text.length).toBe(100 * 1024 + 3);
    expect(text.endsWith('END')).toBe(true);
    const [e] = journal.list();
    expect(e!.responseBodyTruncated).toBe(true);
    expect(e!.responseBody).toBe(text.slice(0, JOURNAL_BODY_LIMIT));
  });

  it('records an aborted request exactly once, with status 0', async () => {
    const since = journal.lastSeq;
    // The client gives up once the server holds the request (a fixed client timeout could end, on a loaded machine,
    // before the request reached the handler, and then there is nothing to record).
    const received = hanging.received;
    const req = request(base).get('/scim/v2/hang');
    const failed = req.then(() => undefined, (err: Error) => err);
    await expect.poll(() => hanging.received, { timeout: 10_000 }).toBe(received + 1);
    req.abort();
    await failed;
    const e = await journal.waitFor({ since, path: '/hang' }, { timeoutMs: 10_000 });
    expect(e.outcome).toBe('aborted');
    expect(e.status).toBe(0);
    expect(e.responseBody).toBeNull();
    await sleep(50);
    expect(journal.count({ since })).toBe(1);
  });

  it('records a socket reset by a fault as "reset" with the fault', async () => {
    const since = journal.lastSeq;
    await expect(request(base).get('/scim/v2/reset')).rejects.toThrow();
    const e = await journal.waitFor({ since }, { timeoutMs: 10_000 });
    expect(e.outcome).toBe('reset');
    expect(e.status).toBe(0);
    expect(e.fault).toEqual({ id: 'fault-1', name: 'drop', action: 'reset' });
    await sleep(50);
    expect(journal.count({ since })).toBe(1);
    expect(journal.find({ fault: 'fault-1' })).toHaveLength(1);
  });

  it('records a body the parser rejected as null', async () => {
    await request(base).post('/scim/v2/Users').set('Content-Type', SCIM_JSON).send('{"userName": ').expect(400);
    const [e] = journal.list();
    expect(e!.status).toBe(400);
    expect(e!.requestBody).toBeNull();
  });
});
