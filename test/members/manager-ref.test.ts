/**
 * The enterprise manager sent with "$ref" alone (RFC 7643 4.3: "value" and "$ref" are both RECOMMENDED). When the
 * "$ref" names a User of this service, its "value" is derived (that User's id): a client that reads "manager.value"
 * or filters on it finds the manager, and the manager is served with the service's "$ref" and "displayName", as one
 * sent with "value". The derivation is the informational note manager-value-derived, under every profile. A "$ref"
 * that names no User of this service is stored as sent, as a "value" that names no User is (201, no note).
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { client, createUser, ENTERPRISE, USER_SCHEMA, type Client } from '../http/helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const BASE = 'http://scim.test:8080/scim/v2';
const q = (value: string) => encodeURIComponent(value);

async function lastWarnings(c: Client): Promise<Array<{ code: string; rfc: string; detail: string }>> {
  const entry = (await request(c.app).get('/_mock/requests?limit=1&order=desc')).body.requests[0];
  return entry.warnings ?? [];
}

/** Two users, one of them the manager, with a displayName to serve. */
async function world(profile = 'lenient') {
  const c = client({ profile } as never);
  const boss = await createUser(c, 'boss', { displayName: 'The Boss' });
  const worker = await createUser(c, 'worker');
  const ref = `https://idp-facing-proxy.example/scim/v2/Users/${boss.id as string}`;
  /** Users whose manager.value is the boss, by a filter. */
  const managed = async () => (await c.get(`/Users?filter=${q(`${ENTERPRISE}:manager.value eq "${boss.id as string}"`)}`)).body.Resources.map((r: { userName: string }) => r.userName).sort();
  const served = (body: Record<string, any>) => body[ENTERPRISE]?.manager;
  const expected = { value: boss.id, $ref: `${BASE}/Users/${boss.id as string}`, displayName: 'The Boss' };
  return { c, boss, worker, ref, managed, served, expected };
}

const derivedNote = (bossId: string) => ({ code: 'manager-value-derived', rfc: 'RFC 7643 4.3', detail: expect.stringContaining(`it names User "${bossId}", so "value" is stored as "${bossId}"`) });

describe('the enterprise manager sent with "$ref" alone', () => {
  for (const profile of ['lenient', 'rfc']) {
    it(`POST and PUT store the value of the User the $ref names (profile ${profile})`, async () => {
      const { c, boss, worker, ref, managed, served, expected } = await world(profile);
      const post = await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'newcomer', [ENTERPRISE]: { manager: { $ref: ref } } });
      expect(post.status).toBe(201);
      expect(served(post.body)).toEqual(expected);
      expect(await lastWarnings(c)).toEqual([derivedNote(boss.id as string)]);
      expect(served((await c.get(`/Users/${post.body.id as string}`)).body)).toEqual(expected);

      const put = await c.put(`/Users/${worker.id as string}`, { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'worker', [ENTERPRISE]: { manager: { $ref: ref } } });
      expect(put.status).toBe(200);
      expect(served(put.body)).toEqual(expected);
      expect(await lastWarnings(c)).toEqual([derivedNote(boss.id as string)]);
      expect(await managed()).toEqual(['newcomer', 'worker']);
    });
  }

  it('PATCH replace of "manager" (either spelling of the path) or of "manager.$ref" alone', async () => {
    const { c, boss, worker, ref, managed, served, expected } = await world();
    const path = `/Users/${worker.id as string}`;
    for (const attribute of [`${ENTERPRISE}:manager`, 'manager']) {
      // Start from no manager each time.
      expect((await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${ENTERPRISE}:manager` }] })).status).toBe(200);
      expect(await managed()).toEqual([]);
      const res = await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: attribute, value: { $ref: ref } }] });
      expect(res.status, attribute).toBe(200);
      expect(served(res.body)).toEqual(expected);
      expect((await lastWarnings(c)).filter((w) => w.code === 'manager-value-derived')).toEqual([derivedNote(boss.id as string)]);
      expect(await managed()).toEqual(['worker']);
    }
    // A path-less replace of the extension, and a replace of manager.$ref on a user without a manager.
    await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${ENTERPRISE}:manager` }] });
    const pathless = await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [ENTERPRISE]: { manager: { $ref: ref } } } }] });
    expect(served(pathless.body)).toEqual(expected);
    await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${ENTERPRISE}:manager` }] });
    const sub = await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:manager.$ref`, value: ref }] });
    expect(served(sub.body)).toEqual(expected);
    expect(await managed()).toEqual(['worker']);
    // Another attribute changes: the manager is not derived nor reported again.
    const nick = await c.patch(path, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'W' }] });
    expect(served(nick.body)).toEqual(expected);
    expect((await lastWarnings(c)).filter((w) => w.code === 'manager-value-derived')).toEqual([]);
  });

  it('Bulk POST, PUT and PATCH', async () => {
    const { c, boss, worker, ref, managed, expected } = await world();
    const other = await createUser(c, 'other');
    const res = await c.post('/Bulk', {
      schemas: [BULK],
      Operations: [
        { method: 'POST', bulkId: 'n', path: '/Users', data: { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'newcomer', [ENTERPRISE]: { manager: { $ref: ref } } } },
        { method: 'PUT', path: `/Users/${worker.id as string}`, data: { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'worker', [ENTERPRISE]: { manager: { $ref: ref } } } },
        { method: 'PATCH', path: `/Users/${other.id as string}`, data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: { $ref: ref } }] } },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.Operations.map((o: { status: string }) => o.status)).toEqual(['201', '200', '200']);
    expect((await lastWarnings(c)).filter((w) => w.code === 'manager-value-derived')).toContainEqual(derivedNote(boss.id as string));
    expect(await managed()).toEqual(['newcomer', 'other', 'worker']);
    expect((await c.get(`/Users/${other.id as string}`)).body[ENTERPRISE].manager).toEqual(expected);
  });

  it('a $ref that names no User of this service is stored as sent, as a value that names no User is', async () => {
    const { c, boss, managed } = await world('rfc');
    for (const $ref of [`${BASE}/Users/no-such-user`, `${BASE}/Groups/${boss.id as string}`, 'not a uri']) {
      const res = await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: `w-${$ref.length}`, [ENTERPRISE]: { manager: { $ref } } });
      expect(res.status, $ref).toBe(201);
      expect(res.body[ENTERPRISE].manager).toEqual({ $ref });
      expect(await lastWarnings(c)).toEqual([]);
    }
    const byValue = await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'by-value', [ENTERPRISE]: { manager: { value: 'no-such-user' } } });
    expect(byValue.status).toBe(201);
    expect(byValue.body[ENTERPRISE].manager).toEqual({ value: 'no-such-user' });
    expect(await lastWarnings(c)).toEqual([]);
    expect(await managed()).toEqual([]);
  });

  it('the conformance report shows the note as informational (not a deviation), with its request', async () => {
    const { c, ref } = await world('rfc');
    await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'newcomer', [ENTERPRISE]: { manager: { $ref: ref } } });
    const report = (await request(c.app).get('/_mock/conformance?format=json')).body;
    const check = report.tenants[0].checks.find((k: { code: string }) => k.code === 'manager-value-derived');
    expect(check).toMatchObject({ kind: 'informational', rfc: 'RFC 7643 4.3', count: 1, requests: 1 });
  });
});
