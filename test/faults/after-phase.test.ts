/**
 * phase "after": the real handler runs and commits, then the client gets the fault instead of the answer
 * (the write happened, the answer was lost). Through the real app on a real socket, so a reset is a reset.
 */
import { afterEach, describe, expect, it } from 'vitest';
import request from 'supertest';
import { createApp, runtimeOf } from '../../src/http/app.js';
import { AUTH, BJENSEN, USER_SCHEMA } from '../http/helpers.js';
import { listen, rawRequest } from './helpers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (closers.length) await closers.pop()!();
});

async function server() {
  const app = createApp();
  const srv = await listen(app);
  closers.push(srv.close);
  const tenant = runtimeOf(app).defaultTenant;
  const scim = (path: string, opts: Parameters<typeof rawRequest>[2] = {}) =>
    rawRequest(srv.port, `/scim/v2${path}`, { ...opts, headers: { ...AUTH, ...opts.headers } });
  return { app, tenant, scim, control: () => request(app) };
}

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('phase "after"', () => {
  it('POST + reset after: the client sees ECONNRESET, the user exists, the retry is 409; the journal shows 201 committed and reset delivered', async () => {
    const { tenant, scim, control } = await server();
    await control().post('/_mock/faults').send({ match: { operation: 'create' }, action: { type: 'reset', phase: 'after' }, times: 1 });

    const lost = await scim('/Users', { method: 'POST', body: BJENSEN });
    expect(lost.status).toBeUndefined();
    expect(lost.error?.code).toBe('ECONNRESET');

    // The write happened: the user is there.
    const found = await scim(`/Users?filter=${encodeURIComponent('userName eq "bjensen"')}`);
    expect(found.status).toBe(200);
    const list = JSON.parse(found.body!);
    expect(list.totalResults).toBe(1);
    const id = list.Resources[0].id as string;

    // A connector retrying blindly meets its own user.
    const retry = await scim('/Users', { method: 'POST', body: BJENSEN });
    expect(retry.status).toBe(409);
    expect(JSON.parse(retry.body!).scimType).toBe('uniqueness');

    const entry = await tenant.journal.waitFor({ operation: 'create', since: 0 }, { timeoutMs: 5000 });
    expect(entry!.outcome).toBe('reset');
    expect(entry!.status).toBe(0);
    expect(entry!.fault).toEqual({ id: 'fault-1', action: 'reset', phase: 'after' });
    expect(entry!.committed!.status).toBe(201);
    expect(entry!.committed!.responseHeaders.location).toMatch(new RegExp(`/Users/${id}$`));
    expect((entry!.committed!.responseBody as Record<string, unknown>).id).toBe(id);
    expect(entry!.responseBody).toBeNull();
    // Nothing was sent: no headers either (the committed 201's location and etag never reached the client).
    expect(entry!.responseHeaders).toEqual({});
    // The second create was not faulted: nothing was replaced.
    const second = tenant.journal.find({ operation: 'create' })[1]!;
    expect(second.committed).toBeNull();
    expect(second.status).toBe(409);
  });

  it('PATCH + 504 after: the client gets the gateway timeout, the change is applied; the journal shows 200 committed and 504 delivered', async () => {
    const { tenant, scim, control } = await server();
    const created = JSON.parse((await scim('/Users', { method: 'POST', body: BJENSEN })).body!);
    await control()
      .post('/_mock/faults')
      .send({ match: { operation: 'patch', resourceType: 'User' }, action: { type: 'error', status: 504, phase: 'after' } });

    const res = await scim(`/Users/${created.id}`, {
      method: 'PATCH',
      body: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
    });
    expect(res.status).toBe(504);
    expect(res.headers!['content-type']).toBe('application/scim+json; charset=utf-8');
    // The error alone: none of the handler's headers (ETag, Location) leak into the gateway's answer.
    expect(res.headers!.etag).toBeUndefined();
    expect(JSON.parse(res.body!)).toMatchObject({ status: '504', detail: expect.stringMatching(/Gateway timeout/) });

    const now = JSON.parse((await scim(`/Users/${created.id}`)).body!);
    expect(now.active).toBe(false);
    expect(now.meta.version).not.toBe(created.meta.version);

    const [entry] = tenant.journal.find({ operation: 'patch' });
    expect(entry!.status).toBe(504);
    expect(entry!.outcome).toBe('completed');
    expect(entry!.fault).toMatchObject({ action: 'error', phase: 'after' });
    expect(entry!.committed!.status).toBe(200);
    expect(entry!.committed!.responseHeaders.etag).toBe(now.meta.version);
    expect(entry!.committed!.responseBody).toMatchObject({ id: created.id, active: false });
    expect((entry!.responseBody as Record<string, unknown>).status).toBe('504');

    // The exports carry both.
    const har = tenant.journal.toHar({ operation: 'patch' });
    expect(har.log.entries[0]!.response.status).toBe(504);
    expect(har.log.entries[0]!._committed!.status).toBe(200);
    const line = JSON.parse(tenant.journal.toNdjson({ operation: 'patch' }).trim());
    expect(line.committed.status).toBe(200);
    expect(line.committed.responseBody.active).toBe(false);
  });

  it('an error handler answer is committed too: a failing write with an after-phase 502 records the 409 it really was', async () => {
    const { tenant, scim, control } = await server();
    await scim('/Users', { method: 'POST', body: BJENSEN });
    await control().post('/_mock/faults').send({ match: { operation: 'create' }, action: { type: 'error', status: 502, phase: 'after' } });
    const res = await scim('/Users', { method: 'POST', body: { schemas: [USER_SCHEMA], userName: 'BJENSEN' } });
    expect(res.status).toBe(502);
    const entry = tenant.journal.find({ operation: 'create', status: 502 })[0]!;
    expect(entry.committed!.status).toBe(409);
    expect(entry.committed!.responseBody).toMatchObject({ scimType: 'uniqueness' });
  });

  it('hang after: the change is committed, the client never gets an answer until maxMs drops it', async () => {
    const { tenant, scim, control } = await server();
    await control().post('/_mock/faults').send({ match: { operation: 'create' }, action: { type: 'hang', maxMs: 300, phase: 'after' } });
    const started = performance.now();
    const res = await scim('/Users', { method: 'POST', body: BJENSEN, timeoutMs: 10_000 });
    expect(res.status).toBeUndefined();
    expect(res.timedOut).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(250);
    expect(tenant.store.lookup('User', 'userName', 'bjensen')).toHaveLength(1);
    // The server records the entry when it sees the socket close, which may be just after the client does.
    const entry = await tenant.journal.waitFor({ operation: 'create', since: 0 }, { timeoutMs: 5000 });
    expect(entry.committed!.status).toBe(201);
    expect(entry.status).toBe(0);
  });

  it('phase is validated: only before or after, only on reset, hang and error', async () => {
    const { control } = await server();
    const bad = await control().post('/_mock/faults').send({ action: { type: 'reset', phase: 'later' } });
    expect(bad.status).toBe(400);
    expect(bad.body.field).toBe('action.phase');
    const latency = await control().post('/_mock/faults').send({ action: { type: 'latency', ms: 1, phase: 'after' } });
    expect(latency.status).toBe(400);
    expect(latency.body.field).toBe('action.phase');
    expect(latency.body.error).toMatch(/not a known field of a latency action/);
    const ok = await control().post('/_mock/faults').send({ action: { type: 'error', status: 503, phase: 'before' } });
    expect(ok.status).toBe(201);
    expect(ok.body.action).toEqual({ type: 'error', status: 503, phase: 'before' });
  });
});
