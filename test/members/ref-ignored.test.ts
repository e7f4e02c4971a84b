/**
 * A "$ref" sent beside "value" (Group members, the enterprise manager) that names another resource than the value:
 * the service answers with the URI of the resource the value names (RFC 7643 2.3.7) and says, with the informational
 * note "ref-ignored", that the sent one was ignored. A "$ref" that agrees (under any host name), null, or none, is
 * not reported; nor is an unchanged manager written again.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { client, createUser, ENTERPRISE, GROUP_SCHEMA, type Client } from '../http/helpers.js';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';
const BASE = 'http://scim.test:8080/scim/v2';

async function lastWarnings(c: Client): Promise<Array<{ code: string; detail: string }>> {
  const entry = (await request(c.app).get('/_mock/requests?limit=1&order=desc')).body.requests[0];
  return entry.warnings;
}

describe('ref-ignored: a sent $ref that names another resource than its value', () => {
  it('Group members (POST, PATCH add): the served $ref follows the value, one note per request with a count', async () => {
    const c = client();
    const alice = await createUser(c, 'alice');
    const bob = await createUser(c, 'bob');
    const carol = await createUser(c, 'carol');
    const res = await c.post('/Groups', {
      schemas: [GROUP_SCHEMA],
      displayName: 'Team',
      members: [
        { value: alice.id, $ref: `${BASE}/Users/${bob.id}` },
        { value: bob.id, $ref: `https://elsewhere.example/scim/v2/Groups/${bob.id}` },
        { value: carol.id, $ref: `https://other-host.example/scim/v2/Users/${carol.id}` },
      ],
    });
    expect(res.status).toBe(201);
    const served = Object.fromEntries(res.body.members.map((m: any) => [m.value, m.$ref]));
    expect(served[alice.id]).toBe(`${BASE}/Users/${alice.id}`);
    expect(served[bob.id]).toBe(`${BASE}/Users/${bob.id}`);
    const warnings = await lastWarnings(c);
    expect(warnings).toEqual([
      {
        code: 'ref-ignored',
        rfc: 'RFC 7643 2.3.7',
        detail: expect.stringMatching(new RegExp(`^members: "\\$ref" "${BASE}/Users/${bob.id}" beside "value" "${alice.id}" \\(and 1 more members like it\\) names another resource`)),
      },
    ]);

    const patched = await c.patch(`/Groups/${res.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: (await createUser(c, 'dave')).id, $ref: 'not-a-uri' }] }] });
    expect(patched.status).toBe(200);
    expect((await lastWarnings(c)).map((w) => w.code)).toEqual(['ref-ignored']);
  });

  it('an agreeing $ref, a null one or none is not reported', async () => {
    const c = client();
    const alice = await createUser(c, 'alice');
    const bob = await createUser(c, 'bob');
    const res = await c.post('/Groups', { schemas: [GROUP_SCHEMA], displayName: 'Team', members: [{ value: alice.id, $ref: `https://proxy.example/scim/v2/Users/${alice.id}/` }, { value: bob.id, $ref: null }] });
    expect(res.status).toBe(201);
    expect((await lastWarnings(c)).filter((w) => w.code === 'ref-ignored')).toEqual([]);
  });

  it('the enterprise manager: POST and PATCH of a mismatched $ref are noted; a PATCH of something else is not', async () => {
    const c = client();
    const boss = await createUser(c, 'boss');
    const other = await createUser(c, 'other');
    const res = await c.post('/Users', { schemas: [USER_SCHEMA, ENTERPRISE], userName: 'worker', [ENTERPRISE]: { manager: { value: boss.id, $ref: `${BASE}/Users/${other.id}` } } });
    expect(res.status).toBe(201);
    expect(res.body[ENTERPRISE].manager.$ref).toBe(`${BASE}/Users/${boss.id}`);
    expect(await lastWarnings(c)).toEqual([{ code: 'ref-ignored', rfc: 'RFC 7643 2.3.7', detail: expect.stringContaining(`manager: "$ref" "${BASE}/Users/${other.id}" beside "value" "${boss.id}"`) }]);

    // Another attribute changes: the stored manager is not reported again.
    const nick = await c.patch(`/Users/${res.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'nickName', value: 'W' }] });
    expect(nick.status).toBe(200);
    expect((await lastWarnings(c)).filter((w) => w.code === 'ref-ignored')).toEqual([]);

    // A replace of manager.$ref alone changes nothing the client can see: said.
    const ref = await c.patch(`/Users/${res.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:manager.$ref`, value: `${BASE}/Users/${boss.id}x` }] });
    expect(ref.status).toBe(200);
    expect(ref.body[ENTERPRISE].manager.$ref).toBe(`${BASE}/Users/${boss.id}`);
    expect((await lastWarnings(c)).map((w) => w.code)).toEqual(['ref-ignored']);

    // The conformance report lists the code as informational.
    const report = (await request(c.app).get('/_mock/conformance?format=json')).body;
    expect(JSON.stringify(report)).toContain('ref-ignored');
  });
});
