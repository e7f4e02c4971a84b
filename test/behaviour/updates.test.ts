/**
 * Updates, judged across requests: a PUT that clears attributes the client was never sent, and updates without
 * If-Match although the client read the resource with an ETag. An administrator (another client) creates the
 * users; the client under test reads (or does not read) and replaces them.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { expectNoFindings, findingsOf, harness, PATCH_OP, USER, type Harness } from './helpers.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

let h: Harness;
let carol: { id: string; version: string };
beforeEach(async () => {
  h = harness();
  await h.freeze();
  const admin = h.client('admin-setup/1.0');
  const res = await admin.post('/Users', {
    schemas: [USER, ENTERPRISE],
    userName: 'carol',
    externalId: 'ext-carol',
    name: { givenName: 'Carol', familyName: 'Danvers' },
    title: 'Pilot',
    emails: [{ value: 'carol@example.com', type: 'work', primary: true }],
    phoneNumbers: [{ value: '+1 555 0100', type: 'work' }],
    [ENTERPRISE]: { employeeNumber: '701', department: 'Air Force' },
  });
  expect(res.status).toBe(201);
  carol = { id: res.body.id, version: res.body.meta.version };
});

const profileUpdate = { schemas: [USER], userName: 'carol', name: { givenName: 'Carol', familyName: 'Danvers-Rambeau' }, active: true };

describe('put-drops-attributes', () => {
  it('a PUT of a partial user the client never read clears what it never saw', async () => {
    const c = h.client('blind-put/1.0');
    const put = await c.put(`/Users/${carol.id}`, profileUpdate, { 'If-Match': carol.version });
    expect(put.status).toBe(200);
    expect(put.body.emails).toBeUndefined(); // the loss is real
    expect(await findingsOf(h)).toEqual([['put-drops-attributes', [put.id]]]);
    const f = (await h.entry(put.id)).findings[0]!;
    expect(f.rfc).toBe('RFC 7644 3.5.1');
    expect(f.detail).toContain(
      `PUT /Users/${carol.id} omits emails, externalId, phoneNumbers, title, ${ENTERPRISE}:department, ${ENTERPRISE}:employeeNumber, which the stored resource has`,
    );
    expect(f.detail).toContain('this client was never sent this resource');
  });

  it('a client that read only some attributes (attributes=userName,name) and PUTs them drops the rest', async () => {
    const c = h.client('narrow-reader/1.0');
    const read = await c.get(`/Users/${carol.id}?attributes=userName,name`);
    expect(Object.keys(read.body).sort()).toEqual(['id', 'name', 'schemas', 'userName']);
    const put = await c.put(`/Users/${carol.id}`, profileUpdate, { 'If-Match': read.headers.etag as string });
    expect(await findingsOf(h)).toEqual([['put-drops-attributes', [read.id, put.id]]]);
    expect((await h.entry(put.id)).findings[0]!.detail).toContain(`of this resource it was sent only name, userName, last by ${read.id}`);
  });

  it('a PUT of a stale copy drops what another client added since the read', async () => {
    const c = h.client('stale-copy/1.0');
    const read = await c.get(`/Users/${carol.id}`);
    const admin = h.client('admin-setup/1.0');
    await admin.patch(`/Users/${carol.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'Captain' }] }, { 'If-Match': carol.version });
    const { id: _id, meta: _meta, ...copy } = read.body;
    const put = await c.put(`/Users/${carol.id}`, { ...copy, title: 'Colonel' });
    expect(put.status).toBe(200);
    expect(put.body.nickName).toBeUndefined(); // the loss is real
    expect(await findingsOf(h)).toEqual([
      ['if-match-unused', [read.id, put.id]],
      ['put-drops-attributes', [read.id, put.id]],
    ]);
    expect((await h.entry(put.id)).findings.find((f) => f.code === 'put-drops-attributes')!.detail).toContain(`omits nickName, which the stored resource has`);
  });

  it('a user in a group: a narrow read and a PUT with the If-Match of that read (which succeeds) still drop the rest', async () => {
    const admin = h.client('admin-setup/1.0');
    expect((await admin.post('/Groups', { schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'], displayName: 'Pilots', members: [{ value: carol.id }] })).status).toBe(201);
    const c = h.client('narrow-reader-in-group/1.0');
    const read = await c.get(`/Users/${carol.id}?attributes=userName,name`);
    const put = await c.put(`/Users/${carol.id}`, profileUpdate, { 'If-Match': read.headers.etag as string });
    expect(put.status).toBe(200);
    expect(await findingsOf(h)).toEqual([['put-drops-attributes', [read.id, put.id]]]);
  });

  it('a stale copy PUT with the If-Match of its read is refused with 412 and clears nothing: no finding', async () => {
    const c = h.client('stale-copy-etag/1.0');
    const read = await c.get(`/Users/${carol.id}`);
    const admin = h.client('admin-setup/1.0');
    await admin.patch(`/Users/${carol.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'nickName', value: 'Captain' }] }, { 'If-Match': carol.version });
    const { id: _id, meta, ...copy } = read.body;
    const put = await c.put(`/Users/${carol.id}`, { ...copy, title: 'Colonel' }, { 'If-Match': meta.version });
    expect(put.status).toBe(412);
    expect((await h.entry(put.id)).findings ?? []).toEqual([]);
    // The client does what 412 asks: reads again and replaces the current version.
    const again = await c.get(`/Users/${carol.id}`);
    const { id: _id2, meta: meta2, ...fresh } = again.body;
    expect((await c.put(`/Users/${carol.id}`, { ...fresh, title: 'Colonel' }, { 'If-Match': meta2.version })).status).toBe(200);
    await expectNoFindings(h);
  });

  it('an empty If-Match is an If-Match (RFC 9110 13.1.1: an empty list, which matches no version): the PUT is 412 and draws no finding', async () => {
    const c = h.client('empty-if-match/1.0');
    const read = await c.get(`/Users/${carol.id}?attributes=userName,name`);
    expect(read.status).toBe(200);
    const put = await c.put(`/Users/${carol.id}`, profileUpdate, { 'If-Match': '' });
    expect(put.status).toBe(412);
    expect(put.body.detail).toContain('the header is empty');
    // Neither "has no If-Match" nor "the PUT clears ...": the service refused it and cleared nothing.
    expect((await h.entry(put.id)).findings ?? []).toEqual([]);
    const patch = await c.patch(`/Users/${carol.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'title', value: 'x' }] }, { 'If-Match': '' });
    expect(patch.status).toBe(412);
    await expectNoFindings(h);
  });

  it('GET then PUT of the whole resource draws nothing, even when it removes an attribute it read on purpose', async () => {
    const c = h.client('okta-profile-update/1.0');
    const read = await c.get(`/Users/${carol.id}`);
    const { id: _id, meta, title: _title, ...rest } = read.body;
    const put = await c.put(`/Users/${carol.id}`, { ...rest, name: { givenName: 'Carol', familyName: 'Danvers-Rambeau' } }, { 'If-Match': meta.version });
    expect(put.status).toBe(200);
    expect(put.body.title).toBeUndefined();
    // A user the client created itself: it was sent everything in the 201.
    const created = await c.post('/Users', { schemas: [USER], userName: 'maria', title: 'Engineer', emails: [{ value: 'maria@example.com' }] });
    await c.put(`/Users/${created.body.id}`, { schemas: [USER], userName: 'maria', title: 'Engineer', emails: [{ value: 'maria@example.com' }], active: false }, { 'If-Match': created.body.meta.version });
    await expectNoFindings(h);
  });
});

describe('if-match-unused (informational)', () => {
  const deactivate = { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] };

  it('an update without If-Match of a resource read with an ETag is flagged once per client', async () => {
    const c = h.client('no-if-match/1.0');
    const read = await c.get('/Users?filter=userName%20eq%20%22carol%22');
    expect(read.body.Resources[0].meta.version).toBe(carol.version);
    const patch = await c.patch(`/Users/${carol.id}`, deactivate);
    expect(patch.status).toBe(200);
    const again = await c.patch(`/Users/${carol.id}`, { ...deactivate, Operations: [{ op: 'replace', path: 'active', value: true }] });
    expect(again.status).toBe(200);
    expect(await findingsOf(h)).toEqual([['if-match-unused', [read.id, patch.id]]]);
    const f = (await h.entry(patch.id)).findings[0]!;
    expect(f.rfc).toBe('RFC 7644 3.14; RFC 9110 13.1.1');
    expect(f.detail).toContain(`${read.id} gave this client the resource with ETag ${carol.version}`);
    const report = await h.report();
    expect(report.summary).toEqual([expect.objectContaining({ code: 'if-match-unused', informational: true, count: 1, clients: 1 })]);
  });

  it('the answer to a write is no read: create then PATCH without If-Match is not told', async () => {
    const c = h.client('entra-like/1.0');
    const created = await c.post('/Users', { schemas: [USER], userName: 'jdoe' });
    await c.patch(`/Users/${created.body.id}`, deactivate);
    await expectNoFindings(h);
    // Once it reads the user, the next update without If-Match is.
    const read = await c.get(`/Users/${created.body.id}`);
    const patch = await c.patch(`/Users/${created.body.id}`, deactivate);
    expect(await findingsOf(h)).toEqual([['if-match-unused', [read.id, patch.id]]]);
  });

  it('is not raised where the tenant does not advertise ETags (the AWS IAM Identity Center persona)', async () => {
    await h.config({ persona: 'aws' });
    const c = h.client('aws-connector/1.0');
    const spc = await c.get('/ServiceProviderConfig');
    expect(spc.body.etag.supported).toBe(false);
    await c.get(`/Users/${carol.id}`);
    expect((await c.patch(`/Users/${carol.id}`, deactivate)).status).toBe(200);
    await expectNoFindings(h);
  });

  it('a client that sends If-Match with the ETag it read draws nothing', async () => {
    const c = h.client('etag-aware/1.0');
    const read = await c.get(`/Users/${carol.id}`);
    const patch = await c.patch(`/Users/${carol.id}`, deactivate, { 'If-Match': read.headers.etag as string });
    expect(patch.status).toBe(200);
    await c.send('DELETE', `/Users/${carol.id}`, undefined, { 'If-Match': patch.headers.etag as string });
    await expectNoFindings(h);
  });
});
