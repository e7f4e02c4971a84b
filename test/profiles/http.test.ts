/**
 * The profile layer inside the real pipeline (createApp): what the SCIM core gets, the 400 under rfc, the journal
 * entry's warnings, the conformance summary, Scimulator-Warning headers, and the config a profile sets.
 */
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { DEFAULT_TOKEN, type ScimulatorOptions } from '../../src/config.js';
import type { ProfileName } from '../../src/tenant.js';
import { ADSCIM_GROUP, ENTERPRISE, ERROR, GROUP, PATCH_OP, USER, warningHeaderLines } from './helpers.js';

const AUTH = { Authorization: `Bearer ${DEFAULT_TOKEN}` };
const BASE = '/scim/v2';

function server(options: Partial<ScimulatorOptions> = {}) {
  const app = createApp(options);
  const scim = (method: 'get' | 'post' | 'put' | 'patch', path: string, body?: unknown, contentType = 'application/scim+json') => {
    const r = request(app)[method](BASE + path).set(AUTH).set('Host', 'scim.test');
    return body === undefined ? r : r.set('Content-Type', contentType).send(JSON.stringify(body));
  };
  const control = {
    get: (path: string) => request(app).get(`/_mock${path}`),
    patch: (path: string, body: unknown) => request(app).patch(`/_mock${path}`).send(body as object),
    post: (path: string, body: unknown) => request(app).post(`/_mock${path}`).send(body as object),
  };
  return { app, scim, control };
}

async function lastEntry(s: ReturnType<typeof server>, filter = '') {
  const res = await s.control.get(`/requests?order=desc&limit=1${filter}`);
  expect(res.status).toBe(200);
  return res.body.requests[0] as { status: number; warnings: Array<{ code: string; rfc: string; detail: string }>; requestBody: unknown; query: Record<string, unknown>; responseHeaders: Record<string, unknown> };
}

/** An Entra ID group PATCH without the aadOptscim062020 flag: capitalised ops, remove with a value array, $ref null. */
const ENTRA_GROUP_PATCH = (memberToAdd: string, memberToRemove: string) => ({
  schemas: [PATCH_OP],
  Operations: [
    { op: 'Replace', path: 'displayName', value: 'Tour Guides' },
    { op: 'Add', path: 'members', value: [{ $ref: null, value: memberToAdd }] },
    { op: 'Remove', path: 'members', value: [{ value: memberToRemove }] },
  ],
});

/** Entra ID's user create (IDP-TRAFFIC.md), with a string boolean. */
const ENTRA_USER = {
  schemas: [USER, ENTERPRISE],
  externalId: '0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef',
  userName: 'Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1',
  active: 'True',
  emails: [{ primary: true, type: 'work', value: 'Test_User_fd0ea19b@testuser.com' }],
  meta: { resourceType: 'User' },
  name: { formatted: 'givenName familyName', familyName: 'familyName', givenName: 'givenName' },
  roles: [],
};

describe('the same Entra-style request under lenient, entra and rfc', () => {
  const codes = ['op-case', 'op-case', 'ref-null', 'op-case', 'remove-with-value'];

  const expected = { lenient: 200, entra: 204, rfc: 400 } as const;
  for (const profile of ['lenient', 'entra', 'rfc'] as const) {
    it(`${profile}: ${expected[profile]}${profile === 'rfc' ? ' naming RFC 7644 section 3.5.2' : ', applied in RFC shape'}; warnings ${codes.join(', ')}`, async () => {
      const s = server({ profile });
      const u1 = (await s.scim('post', '/Users', { schemas: [USER], userName: 'u1' })).body.id as string;
      const u2 = (await s.scim('post', '/Users', { schemas: [USER], userName: 'u2' })).body.id as string;
      const group = await s.scim('post', '/Groups', { schemas: [GROUP], displayName: 'Guides', members: [{ value: u1 }] });
      expect(group.status).toBe(201);
      const before = await s.scim('get', `/Groups/${group.body.id}`);
      const res = await s.scim('patch', `/Groups/${group.body.id}`, ENTRA_GROUP_PATCH(u2, u1));
      expect(res.status, res.text).toBe(expected[profile]);
      const after = await s.scim('get', `/Groups/${group.body.id}`);
      if (profile === 'rfc') {
        expect(res.body.schemas).toEqual([ERROR]);
        expect(res.body.scimType).toBe('invalidSyntax');
        expect(res.body.detail).toMatch(/^op "Replace" is not one of "add", "remove", "replace" \(RFC 7644 section 3\.5\.2\)/);
        expect(res.body.detail).toContain('remove-with-value (RFC 7644 section 3.5.2.2)');
        expect(after.text).toBe(before.text);
      } else {
        expect(after.body.displayName).toBe('Tour Guides');
        expect(after.body.members.map((m: { value: string }) => m.value)).toEqual([u2]);
        if (profile === 'lenient') expect(res.body.members.map((m: { value: string }) => m.value)).toEqual([u2]);
        else expect(res.text).toBe('');
      }
      const entry = await lastEntry(s, '&operation=patch');
      expect(entry.status).toBe(res.status);
      expect(entry.warnings.map((w) => w.code)).toEqual(codes);
      expect(entry.warnings[0]).toEqual({
        code: 'op-case',
        rfc: 'RFC 7644 3.5.2',
        detail: 'op "Replace" is not one of "add", "remove", "replace"; send "replace" (at Operations[0].op)',
      });
      // The journal keeps what the client sent, not the rewrite.
      expect(entry.requestBody).toEqual(ENTRA_GROUP_PATCH(u2, u1));
    });
  }
});

describe('add to a single-valued complex attribute (RFC 7644 3.5.2.1)', () => {
  it('merges the sub-attributes it carries and draws no add-single-valued note, under every profile', async () => {
    for (const profile of ['lenient', 'entra', 'okta', 'rfc'] as const) {
      const s = server({ profile });
      const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'bjensen', name: { familyName: 'Jensen' } })).body;
      const res = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'name', value: { givenName: 'Barbara' } }] });
      expect(res.status, res.text).toBe(200);
      expect(res.body.name).toEqual({ familyName: 'Jensen', givenName: 'Barbara' }); // a merge, not a replace
      expect((await lastEntry(s, '&operation=patch')).warnings.map((w) => w.code)).toEqual([]);
    }
  });
});

describe('the same Entra-style user PATCH: 200 under lenient and entra, 400 under rfc, same warnings', () => {
  const body = {
    schemas: [PATCH_OP],
    Operations: [
      { op: 'Replace', path: 'active', value: 'False' },
      { op: 'Add', path: 'emails[type eq "work"].value', value: 'babs@work.example' },
      { op: 'Replace', path: 'name.givenName', value: 'Barbara' },
    ],
  };
  const codes = ['op-case', 'boolean-string', 'op-case', 'add-single-valued', 'op-case'];
  for (const profile of ['lenient', 'entra', 'rfc'] as const) {
    it(profile, async () => {
      const s = server({ profile });
      const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'bjensen', active: true, emails: [{ type: 'work', value: 'old@work.example' }] })).body;
      const res = await s.scim('patch', `/Users/${user.id}`, body);
      if (profile === 'rfc') {
        expect(res.status).toBe(400);
        expect(res.body.detail).toMatch(/^op "Replace" is not one of "add", "remove", "replace" \(RFC 7644 section 3\.5\.2\)/);
        expect((await s.scim('get', `/Users/${user.id}`)).body.meta.version).toBe(user.meta.version);
      } else {
        expect(res.status, res.text).toBe(200);
        expect(res.body.active).toBe(false);
        expect(res.body.emails).toEqual([{ type: 'work', value: 'babs@work.example' }]);
        expect(res.body.name).toEqual({ givenName: 'Barbara' });
      }
      expect((await lastEntry(s, '&operation=patch')).warnings.map((w) => w.code)).toEqual(codes);
    });
  }
});

describe("Entra ID's manager removals (IDP-TRAFFIC): by the bare name, and with a value filter on the manager", () => {
  const withManager = async (s: ReturnType<typeof server>) =>
    (await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: 'bjensen', [ENTERPRISE]: { manager: { value: 'boss-1' }, employeeNumber: '7' } })).body;

  for (const profile of ['entra', 'lenient', 'rfc'] as const) {
    it(`${profile}: {"op":"Remove","path":"manager"} removes the enterprise manager (RFC 7644 3.10 lets clients leave the URN out); a warning says to qualify it`, async () => {
      const s = server({ profile });
      const user = await withManager(s);
      const res = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'manager' }] });
      expect(res.status, res.text).toBe(200);
      expect(res.body[ENTERPRISE]).toEqual({ employeeNumber: '7' });
      const warnings = (await lastEntry(s, '&operation=patch')).warnings;
      expect(warnings.map((w) => w.code)).toEqual(['extension-unqualified']);
      expect(warnings[0]!.detail).toContain(`send "${ENTERPRISE}:manager"`);
    });
  }

  it('a path-less value keeps the resource shape: a bare "manager" at its top is not the extension attribute', async () => {
    const s = server();
    const user = await withManager(s);
    const res = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { manager: { value: 'boss-2' } } }] });
    expect(res.status, res.text).toBe(200);
    expect(res.body[ENTERPRISE].manager).toEqual({ value: 'boss-1' });
    expect((await lastEntry(s, '&operation=patch')).warnings.map((w) => w.code)).toEqual(['patch-unknown-attribute']);
  });

  it('entra and lenient: Remove of manager[value eq "<id>"] removes the manager; rfc: 400 invalidPath naming RFC 7644 section 3.5.2, nothing changed', async () => {
    for (const profile of ['entra', 'lenient', 'rfc'] as const) {
      const s = server({ profile });
      const user = await withManager(s);
      const res = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Remove', path: `${ENTERPRISE}:manager[value eq "boss-1"]` }] });
      if (profile === 'rfc') {
        expect(res.status).toBe(400);
        expect(res.body.scimType).toBe('invalidSyntax'); // the capitalised op is the first deviation reported
        const strict = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${ENTERPRISE}:manager[value eq "boss-1"]` }] });
        expect(strict.status).toBe(400);
        expect(strict.body.scimType).toBe('invalidPath');
        expect(strict.body.detail).toContain('RFC 7644 section 3.5.2');
        expect((await s.scim('get', `/Users/${user.id}`)).body[ENTERPRISE].manager).toEqual({ value: 'boss-1' });
      } else {
        expect(res.status, `${profile}: ${res.text}`).toBe(200);
        expect(res.body[ENTERPRISE]).toEqual({ employeeNumber: '7' });
        expect((await lastEntry(s, '&operation=patch')).warnings.map((w) => w.code)).toEqual(['op-case', 'filter-on-single-valued']);
      }
    }
  });
});

describe('a request with a deviation some profile accepts and one no profile can rewrite', () => {
  it('rfc: the 400 names the one no profile can rewrite first (invalidPath), not the capitalised op a profile would accept', async () => {
    const s = server({ profile: 'rfc' });
    const user = (await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: 'bjensen', [ENTERPRISE]: { manager: { value: 'boss-1' } } })).body;
    const res = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: `${ENTERPRISE}:manager[value eq ""]`, value: '' }] });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidPath');
    expect(res.body.detail).toMatch(/^"[^"]*manager\[value eq \\?"\\?"\]" puts a value filter on "manager"/);
    expect(res.body.detail).toContain('cannot rewrite this into an RFC request under any profile [filter-on-single-valued]');
    expect(res.body.detail).toContain('1 more rejected deviation: op-case');
    expect(res.body.detail).not.toContain('would accept it');
  });
});

describe("Entra ID's replace of a filtered value the user does not have (replace-no-target)", () => {
  // Entra ID maps a work email with this exact operation (scim-for-keycloak#73, SCIM-SDK#673 record it).
  const replaceWorkEmail = (value: unknown) => ({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type eq "work"].value', value }] });

  it('entra and lenient: the value is added, built from the filter; a deviation warning says so; rfc and okta: 400 noTarget, nothing changed', async () => {
    for (const profile of ['entra', 'lenient', 'rfc', 'okta'] as const) {
      const s = server({ profile });
      const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'bjensen', emails: [{ type: 'home', value: 'b@home.example' }] })).body;
      const res = await s.scim('patch', `/Users/${user.id}`, replaceWorkEmail('b@work.example'));
      if (profile === 'rfc' || profile === 'okta') {
        expect(res.status, profile).toBe(400);
        expect(res.body.scimType).toBe('noTarget');
        expect(res.body.detail).toContain('--profile entra or lenient accepts it');
        expect((await s.scim('get', `/Users/${user.id}`)).body.emails).toEqual([{ type: 'home', value: 'b@home.example' }]);
        continue;
      }
      expect(res.status, `${profile}: ${res.text}`).toBe(200);
      expect(res.body.emails).toEqual([{ type: 'home', value: 'b@home.example' }, { type: 'work', value: 'b@work.example' }]);
      const warnings = (await lastEntry(s, '&operation=patch')).warnings;
      expect(warnings.map((w) => w.code)).toEqual(['replace-no-target']);
      expect(warnings[0]!.rfc).toBe('RFC 7644 3.5.2.3');
      // Sent again, the filter matches: an ordinary replace, no warning.
      const again = await s.scim('patch', `/Users/${user.id}`, replaceWorkEmail('new@work.example'));
      expect(again.body.emails).toEqual([{ type: 'home', value: 'b@home.example' }, { type: 'work', value: 'new@work.example' }]);
      expect((await lastEntry(s, '&operation=patch')).warnings).toEqual([]);
    }
  });

  it('entra: clearing a value the user does not have changes nothing; a filter that is not eq stays 400 noTarget', async () => {
    const s = server({ profile: 'entra' });
    const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'bjensen' })).body;
    const cleared = await s.scim('patch', `/Users/${user.id}`, replaceWorkEmail(null));
    expect(cleared.status, cleared.text).toBe(200);
    expect(cleared.body.emails).toBeUndefined();
    expect(cleared.body.meta.version).toBe(user.meta.version);
    const notEq = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'emails[type sw "wo"].value', value: 'x@work.example' }] });
    expect(notEq.status).toBe(400);
    expect(notEq.body.scimType).toBe('noTarget');
  });

  it('the profile is read per request: PATCH /_mock/config to rfc makes the same request 400', async () => {
    const s = server({ profile: 'entra' });
    const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'bjensen' })).body;
    await s.control.patch('/config', { profile: 'rfc' });
    expect((await s.scim('patch', `/Users/${user.id}`, replaceWorkEmail('b@work.example'))).status).toBe(400);
  });
});

describe('PATCH quirks applied by the engine (lenient)', () => {
  it("aadOptscim062020's path-less replace with dotted and URN keys, and a string boolean", async () => {
    const s = server();
    const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'bjensen', active: true })).body;
    const res = await s.scim('patch', `/Users/${user.id}`, {
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', value: { 'name.givenName': 'Barbara', 'name.familyName': 'Jensen', [`${ENTERPRISE}:employeeNumber`]: '701984', active: 'False' } },
        { op: 'Add', path: `${ENTERPRISE}:manager`, value: 'boss-1' },
      ],
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.name).toEqual({ givenName: 'Barbara', familyName: 'Jensen' });
    expect(res.body.active).toBe(false);
    expect(res.body[ENTERPRISE]).toEqual({ employeeNumber: '701984', manager: { value: 'boss-1' } });
    expect(res.body.schemas).toEqual([USER, ENTERPRISE]);
  });

  it("Okta's rename with the group's own id, and its deactivation", async () => {
    for (const profile of ['lenient', 'okta'] as const) {
      const s = server({ profile });
      const group = (await s.scim('post', '/Groups', { schemas: [GROUP], displayName: 'Old' })).body;
      const res = await s.scim('patch', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: group.id, displayName: 'New' } }] });
      expect(res.status, res.text).toBe(200);
      expect(res.body.displayName).toBe('New');
      expect(res.body.id).toBe(group.id);
      const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'okta-user' })).body;
      const off = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { active: false } }] });
      expect(off.status).toBe(200);
      expect(off.body.active).toBe(false);
      expect((await lastEntry(s)).warnings).toEqual([]);
    }
  });

  it('rfc: the Okta rename is 400 mutability; the group is unchanged', async () => {
    const s = server({ profile: 'rfc' });
    const group = (await s.scim('post', '/Groups', { schemas: [GROUP], displayName: 'Old' })).body;
    const res = await s.scim('patch', `/Groups/${group.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { id: group.id, displayName: 'New' } }] });
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('mutability');
    expect(res.body.detail).toContain('(RFC 7644 section 3.5.2)');
    expect((await s.scim('get', `/Groups/${group.id}`)).body.displayName).toBe('Old');
  });

  it('a PatchOp with zero operations returns the unchanged resource under lenient and entra, 400 under rfc', async () => {
    for (const [profile, status] of [['lenient', 200], ['entra', 200], ['rfc', 400]] as const) {
      const s = server({ profile });
      const user = (await s.scim('post', '/Users', { schemas: [USER], userName: 'z' })).body;
      const res = await s.scim('patch', `/Users/${user.id}`, { schemas: [PATCH_OP], Operations: [] });
      expect(res.status).toBe(status);
      if (status === 200) expect(res.body.meta.version).toBe(user.meta.version);
      expect((await lastEntry(s)).warnings.map((w) => w.code)).toEqual(['empty-operations']);
    }
  });
});

describe('POST and PUT through the core', () => {
  it("lenient: Entra's user create is 201 with a real boolean; warnings in the journal", async () => {
    const s = server();
    const res = await s.scim('post', '/Users', ENTRA_USER, 'application/json');
    expect(res.status, res.text).toBe(201);
    expect(res.body.active).toBe(true);
    const entry = await lastEntry(s);
    expect(entry.warnings.map((w) => w.code)).toEqual(['content-type', 'boolean-string', 'readonly-ignored']);
    expect((entry.requestBody as Record<string, unknown>).active).toBe('True');
  });

  it("rfc: the same create is 400 invalidValue naming RFC 7643 section 2.3.2; nothing is created", async () => {
    const s = server({ profile: 'rfc' });
    const res = await s.scim('post', '/Users', ENTRA_USER, 'application/json');
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidValue');
    expect(res.body.detail).toContain('"active" is a boolean, but the request has the string "True" (RFC 7643 section 2.3.2)');
    const entry = await lastEntry(s);
    expect(entry.status).toBe(400);
    expect(entry.warnings.map((w) => w.code)).toEqual(['content-type', 'boolean-string', 'readonly-ignored']);
    const list = await s.scim('get', '/Users');
    expect(list.body.totalResults).toBe(0);
  });

  for (const [profile, status] of [['lenient', 201], ['entra', 201], ['rfc', 400], ['okta', 400]] as Array<[ProfileName, number]>) {
    it(`${profile}: a group with Entra's ADSCIM schema URN is ${status}`, async () => {
      const s = server({ profile });
      const res = await s.scim('post', '/Groups', { schemas: [GROUP, ADSCIM_GROUP], displayName: 'Group1DisplayName', externalId: 'e1' });
      expect(res.status).toBe(status);
      if (status === 201) expect(res.body.schemas).toEqual([GROUP]);
      else expect(res.body.detail).toContain('(RFC 7643 section 3)');
      expect((await lastEntry(s)).warnings.map((w) => w.code)).toEqual(['extra-schema-urn']);
    });
  }

  it('lenient: a PUT with dotted keys and a string manager stores the RFC shape', async () => {
    const s = server();
    const created = await s.scim('post', '/Users', { schemas: [USER], userName: 'bjensen' });
    const res = await s.scim('put', `/Users/${created.body.id}`, {
      schemas: [USER, ENTERPRISE],
      userName: 'bjensen',
      'name.givenName': 'Barbara',
      [`${ENTERPRISE}:employeeNumber`]: '701984',
      [ENTERPRISE]: { manager: 'boss-1' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.name).toEqual({ givenName: 'Barbara' });
    expect(res.body[ENTERPRISE]).toEqual({ employeeNumber: '701984', manager: { value: 'boss-1' } });
    expect((await lastEntry(s)).warnings.map((w) => w.code)).toEqual(['complex-as-string', 'dotted-keys', 'dotted-keys']);
  });

  for (const [profile, status] of [['lenient', 200], ['entra', 200], ['rfc', 400], ['okta', 400]] as const) {
    it(`${profile}: Entra's manager removal, a replace with "" (or {"value": ""}), ${status === 200 ? 'removes the manager, with a warning' : 'is 400 invalidValue and stores nothing'}`, async () => {
      const s = server({ profile });
      const boss = await s.scim('post', '/Users', { schemas: [USER], userName: 'boss' });
      const created = await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager: { value: boss.body.id }, department: 'Sales' } });
      expect(created.status).toBe(201);
      for (const value of ['', { value: '' }]) {
        const res = await s.scim('patch', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:manager`, value }] });
        expect(res.status, res.text).toBe(status);
        const entry = await lastEntry(s);
        expect(entry.warnings.map((w) => w.code)).toEqual(['complex-empty']);
        expect(entry.warnings[0]!.rfc).toBe('RFC 7643 4.3');
        const stored = (await s.scim('get', `/Users/${created.body.id}`)).body[ENTERPRISE];
        if (status === 200) {
          // Removed, not stored as {"value": ""}; the rest of the extension kept.
          expect(res.body[ENTERPRISE]).toEqual({ department: 'Sales' });
          expect(stored).toEqual({ department: 'Sales' });
          // Back for the next shape.
          await s.scim('patch', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: { value: boss.body.id } }] });
        } else {
          expect(res.body.scimType).toBe('invalidValue');
          expect(res.body.detail).toContain('RFC 7643 section 4.3');
          expect(res.body.detail).toContain(`send {"op":"remove","path":"${ENTERPRISE}:manager"}`);
          expect(stored.manager.value).toBe(boss.body.id);
        }
      }
    });
  }

  /** The other shapes of "no manager": path-less PATCH values (Entra's aadOptscim062020 keys) and POST / PUT bodies. */
  const noManager: Array<{ name: string; send: (s: ReturnType<typeof server>, id: string) => Promise<request.Response>; fix: string }> = [
    {
      name: 'a path-less replace with the URN key "...:manager": ""',
      send: (s, id) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [`${ENTERPRISE}:manager`]: '', displayName: 'Emp' } }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"} as an operation of its own`,
    },
    {
      name: 'a path-less replace with {"<enterprise URN>": {"manager": ""}}',
      send: (s, id) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [ENTERPRISE]: { manager: '' } } }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"} as an operation of its own`,
    },
    {
      name: 'a path-less add with {"<enterprise URN>": {"manager": {"value": ""}}}',
      send: (s, id) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { [ENTERPRISE]: { manager: { value: '' } } } }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"} as an operation of its own`,
    },
    {
      name: 'a PUT with "manager": ""',
      send: (s, id) => s.scim('put', `/Users/${id}`, { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager: '', department: 'Sales' } }),
      fix: 'leave "manager" out of the body: a PUT without it removes it',
    },
    {
      name: 'a PUT with "manager": {"value": ""}',
      send: (s, id) => s.scim('put', `/Users/${id}`, { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager: { value: '' }, department: 'Sales' } }),
      fix: 'leave "manager" out of the body: a PUT without it removes it',
    },
  ];
  for (const [profile, status] of [['lenient', 200], ['entra', 200], ['rfc', 400], ['okta', 400]] as const) {
    for (const shape of noManager) {
      it(`${profile}: ${shape.name} ${status === 200 ? 'removes the manager, with a complex-empty warning' : 'is 400 invalidValue saying what to send, and stores nothing'}`, async () => {
        const s = server({ profile });
        const boss = await s.scim('post', '/Users', { schemas: [USER], userName: 'boss' });
        const created = await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager: { value: boss.body.id }, department: 'Sales' } });
        expect(created.status).toBe(201);
        const before = await s.scim('get', `/Users/${created.body.id}`);
        const res = await shape.send(s, created.body.id);
        expect(res.status, res.text).toBe(status);
        const entry = await lastEntry(s);
        expect(entry.warnings.map((w) => w.code)).toEqual(['complex-empty']);
        expect(entry.warnings[0]!.rfc).toBe('RFC 7643 4.3');
        const after = await s.scim('get', `/Users/${created.body.id}`);
        if (status === 200) {
          // No manager at all: not {"value": ""}, not a manager without $ref; the department kept.
          expect(res.body[ENTERPRISE]).toEqual({ department: 'Sales' });
          expect(after.body[ENTERPRISE]).toEqual({ department: 'Sales' });
          const filtered = await s.scim('get', `/Users?filter=${encodeURIComponent(`${ENTERPRISE}:manager pr`)}`);
          expect(filtered.body.totalResults).toBe(0);
        } else {
          expect(res.body.scimType).toBe('invalidValue');
          expect(res.body.detail).toContain('RFC 7643 section 4.3');
          expect(res.body.detail).toContain(shape.fix);
          expect(after.text).toBe(before.text);
        }
      });
    }
    it(`${profile}: a POST with "manager": "" ${status === 200 ? 'creates the user without a manager' : 'is 400 invalidValue and creates nothing'}`, async () => {
      const s = server({ profile });
      for (const manager of ['', { value: '' }]) {
        const res = await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: `new${JSON.stringify(manager).length}`, [ENTERPRISE]: { manager, department: 'Sales' } });
        expect(res.status, res.text).toBe(status === 200 ? 201 : 400);
        expect((await lastEntry(s)).warnings.map((w) => w.code)).toEqual(['complex-empty']);
        if (status === 200) {
          expect(res.body[ENTERPRISE]).toEqual({ department: 'Sales' });
          expect((await s.scim('get', `/Users/${res.body.id}`)).body[ENTERPRISE]).toEqual({ department: 'Sales' });
        } else {
          expect(res.body.scimType).toBe('invalidValue');
          expect(res.body.detail).toContain('leave "manager" out of the body');
        }
      }
      const list = await s.scim('get', '/Users');
      expect(list.body.totalResults).toBe(status === 200 ? 2 : 0);
    });
  }

  /**
   * The manager given as {"value": ""} with sub-attributes that add nothing: Entra ID's "$ref": null, or a readOnly
   * "displayName" the server ignores. The same complex-empty as {"value": ""} alone, in every place it is taken (one
   * warning: the "$ref": null is not noted apart); before, every profile stored a manager {"value": ""}.
   */
  const emptyManagers = [{ value: '', $ref: null }, { value: '', displayName: '' }, { Value: '', $ref: null, displayName: null }];
  const managerClears: Array<{ name: string; send: (s: ReturnType<typeof server>, id: string, manager: unknown) => Promise<request.Response>; fix: string }> = [
    {
      name: 'a replace of the manager path',
      send: (s, id, manager) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:manager`, value: manager }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"}`,
    },
    {
      name: 'an add of the manager path',
      send: (s, id, manager) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: manager }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"}`,
    },
    {
      name: 'a path-less replace with the URN key',
      send: (s, id, manager) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [`${ENTERPRISE}:manager`]: manager } }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"} as an operation of its own`,
    },
    {
      name: 'a path-less replace with the extension object',
      send: (s, id, manager) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { [ENTERPRISE]: { manager } } }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"} as an operation of its own`,
    },
    {
      name: 'a replace of the extension path',
      send: (s, id, manager) => s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: ENTERPRISE, value: { manager } }] }),
      fix: `send {"op":"remove","path":"${ENTERPRISE}:manager"} as an operation of its own`,
    },
    {
      name: 'a PUT',
      send: (s, id, manager) => s.scim('put', `/Users/${id}`, { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager, department: 'Sales' } }),
      fix: 'leave "manager" out of the body: a PUT without it removes it',
    },
  ];
  for (const [profile, status] of [['lenient', 200], ['entra', 200], ['rfc', 400], ['okta', 400]] as const) {
    it(`${profile}: the manager {"value": ""} with "$ref": null or an empty readOnly displayName, in PATCH (path and path-less), PUT and POST, ${status === 200 ? 'is no manager, with one complex-empty warning' : 'is 400 invalidValue saying what to send, and stores nothing'}`, async () => {
      const s = server({ profile });
      const boss = await s.scim('post', '/Users', { schemas: [USER], userName: 'boss' });
      const created = await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager: { value: boss.body.id }, department: 'Sales' } });
      const id = created.body.id as string;
      for (const manager of emptyManagers) {
        for (const shape of managerClears) {
          const label = `${shape.name} with ${JSON.stringify(manager)}`;
          const before = await s.scim('get', `/Users/${id}`);
          const res = await shape.send(s, id, manager);
          expect(res.status, `${label}: ${res.text}`).toBe(status);
          expect((await lastEntry(s)).warnings.map((w) => w.code), label).toEqual(['complex-empty']);
          const after = await s.scim('get', `/Users/${id}`);
          if (status === 200) {
            expect(after.body[ENTERPRISE]?.manager, label).toBeUndefined();
            expect((await s.scim('get', `/Users?filter=${encodeURIComponent(`${ENTERPRISE}:manager pr`)}`)).body.totalResults, label).toBe(0);
            await s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'add', path: `${ENTERPRISE}:manager`, value: { value: boss.body.id } }] });
          } else {
            expect(res.body.scimType, label).toBe('invalidValue');
            expect(res.body.detail, label).toContain('RFC 7643 section 4.3');
            expect(res.body.detail, label).toContain(shape.fix);
            expect(after.text, label).toBe(before.text);
          }
        }
        const posted = await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: `new-${emptyManagers.indexOf(manager)}`, [ENTERPRISE]: { manager, department: 'Sales' } });
        expect(posted.status, posted.text).toBe(status === 200 ? 201 : 400);
        expect((await lastEntry(s)).warnings.map((w) => w.code)).toEqual(['complex-empty']);
        if (status === 200) expect((await s.scim('get', `/Users/${posted.body.id}`)).body[ENTERPRISE]).toEqual({ department: 'Sales' });
        else expect(posted.body.detail).toContain('leave "manager" out of the body');
      }
    });

    it(`${profile}: an add or replace through a value filter on the manager (manager[value eq ""]) is 400 invalidPath saying what to send, under every profile; a remove ${status === 200 ? 'drops the filter' : 'is 400 invalidPath'}`, async () => {
      const s = server({ profile });
      const boss = await s.scim('post', '/Users', { schemas: [USER], userName: 'boss' });
      const created = await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager: { value: boss.body.id } } });
      const id = created.body.id as string;
      const before = await s.scim('get', `/Users/${id}`);
      const path = `${ENTERPRISE}:manager[value eq ""]`;
      const remove = `to remove "manager", send {"op":"remove","path":"${ENTERPRISE}:manager"}`;
      for (const [op, value, fix] of [
        ['replace', '', remove],
        ['add', '', remove],
        ['replace', { value: '', $ref: null }, remove],
        ['replace', null, remove],
        ['replace', { value: boss.body.id }, `send "path": "${ENTERPRISE}:manager" with "value": {"value": "<id of the manager>"}`],
        ['replace', 'x', `send "path": "${ENTERPRISE}:manager" with "value": {"value": "<id of the manager>"}`],
      ] as const) {
        const label = `${op} ${JSON.stringify(value)}`;
        const res = await s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op, path, value }] });
        expect(res.status, `${label}: ${res.text}`).toBe(400);
        expect(res.body.scimType, label).toBe('invalidPath');
        expect(res.body.detail, label).toContain('which has a single value');
        expect(res.body.detail, label).toContain(fix);
        // Only the path is reported: the value is not linted (no complex-as-string for a rewrite that cannot happen).
        expect((await lastEntry(s)).warnings.map((w) => w.code), label).toEqual(['filter-on-single-valued']);
        expect((await s.scim('get', `/Users/${id}`)).text, label).toBe(before.text);
      }
      const removed = await s.scim('patch', `/Users/${id}`, { schemas: [PATCH_OP], Operations: [{ op: 'remove', path }] });
      expect(removed.status, removed.text).toBe(status);
      expect(removed.body.scimType).toBe(status === 200 ? undefined : 'invalidPath');
    });
  }

  it('every profile: the manager {"value": null} is no manager, without a warning (RFC 7643 2.5: null is unassigned; not complex-empty)', async () => {
    for (const profile of ['lenient', 'entra', 'rfc', 'okta'] as const) {
      const s = server({ profile });
      const boss = await s.scim('post', '/Users', { schemas: [USER], userName: 'boss' });
      const created = await s.scim('post', '/Users', { schemas: [USER, ENTERPRISE], userName: 'emp', [ENTERPRISE]: { manager: { value: boss.body.id }, department: 'Sales' } });
      const res = await s.scim('patch', `/Users/${created.body.id}`, { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: null } }] });
      expect(res.status, `${profile}: ${res.text}`).toBe(200);
      expect(res.body[ENTERPRISE], profile).toEqual({ department: 'Sales' });
      expect((await lastEntry(s)).warnings, profile).toEqual([]);
    }
  });

  it('rfc: PascalCase names, readOnly attributes and application/json are informational only', async () => {
    const s = server({ profile: 'rfc' });
    const res = await s.scim('post', '/Users', { schemas: [USER], UserName: 'babs', Name: { FamilyName: 'Jensen' }, id: 'mine' }, 'application/json');
    expect(res.status, res.text).toBe(201);
    expect(res.body.userName).toBe('babs');
    expect(res.body.name).toEqual({ familyName: 'Jensen' });
    expect((await lastEntry(s)).warnings.map((w) => w.code)).toEqual(['content-type', 'attribute-case', 'attribute-case', 'attribute-case', 'readonly-ignored']);
  });
});

describe('filters', () => {
  it('rfc: an unquoted filter value is 400 invalidFilter naming RFC 7644 section 3.4.2.2', async () => {
    const s = server({ profile: 'rfc' });
    const res = await s.scim('get', '/Users?filter=userName%20eq%20bjensen');
    expect(res.status).toBe(400);
    expect(res.body.scimType).toBe('invalidFilter');
    expect(res.body.detail).toContain('(RFC 7644 section 3.4.2.2); send userName eq "bjensen" (at query parameter filter)');
    expect((await lastEntry(s)).warnings.map((w) => w.code)).toEqual(['filter-unquoted']);
  });

  it('lenient: the filter reaches the list route quoted; the warning is recorded', async () => {
    const s = server();
    const res = await s.scim('get', '/Users?filter=userName%20eq%20bjensen');
    expect(JSON.stringify(res.body)).not.toContain('rejects this deviation');
    const entry = await lastEntry(s);
    expect(entry.query).toEqual({ filter: 'userName eq bjensen' });
    expect(entry.warnings).toEqual([
      {
        code: 'filter-unquoted',
        rfc: 'RFC 7644 3.4.2.2',
        detail: 'the filter value bjensen at position 13 is not quoted; string values must be JSON strings in double quotes: "bjensen"; send userName eq "bjensen" (at query parameter filter)',
      },
    ]);
  });
});

describe('Scimulator-Warning headers', () => {
  it('one header line per warning, ASCII only, on success', async () => {
    const s = server({ warningsHeader: true });
    const res = await s.scim('post', '/Users', { ...ENTRA_USER, schemas: [USER, ENTERPRISE, 'urn:example:Ünïcode\u2028'] }, 'application/json');
    expect(res.status, res.text).toBe(201);
    const lines = warningHeaderLines(res);
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('content-type; rfc="RFC 7644 8.1"; "the request body is sent as Content-Type \\"application/json\\"; SCIM\'s media type is \\"application/scim+json\\"; send Content-Type: application/scim+json (at Content-Type header)"');
    expect(lines.map((l) => l.split(';')[0])).toEqual(['content-type', 'extra-schema-urn', 'boolean-string', 'readonly-ignored']);
    for (const line of lines) expect(line).toMatch(/^[a-z-]+; rfc="RFC \d+ [\d.]+"; "(?:[\x20-\x21\x23-\x5b\x5d-\x7e]|\\.)*"$/);
    expect(lines[1]).toContain('urn:example:\\u00dcn\\u00efcode\\u2028');
    // The journal records the header as sent.
    const entry = await lastEntry(s);
    expect(entry.responseHeaders['scimulator-warning']).toEqual(lines);
  });

  it('also on the 400 of a rejected request, and on an op-case PATCH the detail is the documented one', async () => {
    const s = server({ profile: 'rfc', warningsHeader: true });
    const res = await s.scim('patch', '/Users/abc', { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] });
    expect(res.status).toBe(400);
    expect(warningHeaderLines(res)).toEqual([
      'op-case; rfc="RFC 7644 3.5.2"; "op \\"Replace\\" is not one of \\"add\\", \\"remove\\", \\"replace\\"; send \\"replace\\" (at Operations[0].op)"',
      'boolean-string; rfc="RFC 7643 2.3.2"; "\\"active\\" is a boolean, but the request has the string \\"False\\"; send the JSON literal false (at Operations[0].value)"',
    ]);
  });

  it('none without warnings, none when the option is off, and switched on at runtime through /_mock/config', async () => {
    const s = server();
    const quirky = { schemas: [USER], userName: 'b', active: 'false' };
    expect(warningHeaderLines(await s.scim('post', '/Users', { schemas: [USER], userName: 'a' }))).toEqual([]);
    expect(warningHeaderLines(await s.scim('post', '/Users', quirky))).toEqual([]);
    expect((await s.control.patch('/config', { warningsHeader: true })).status).toBe(200);
    expect(warningHeaderLines(await s.scim('post', '/Users', { schemas: [USER], userName: 'c' }))).toEqual([]);
    expect(warningHeaderLines(await s.scim('post', '/Users', { ...quirky, userName: 'd' }))).toHaveLength(1);
  });

  it('bounded: a PATCH with hundreds of quirks gets at most 50 lines plus a "more" line', async () => {
    const s = server({ warningsHeader: true, profile: 'rfc' });
    const ops = Array.from({ length: 300 }, () => ({ op: 'Replace', path: 'emails[type eq work].primary', value: 'True' }));
    const res = await s.scim('patch', '/Users/u1', { schemas: [PATCH_OP], Operations: ops });
    expect(res.status).toBe(400);
    const lines = warningHeaderLines(res);
    expect(lines.length).toBeLessThanOrEqual(51);
    expect(lines.join('\r\n').length).toBeLessThan(9 * 1024);
    expect(lines.at(-1)).toMatch(/^more; count=\d+; "\d+ more warnings for this request are in the request journal"$/);
    const entry = await lastEntry(s);
    // 20 + one summary for each of op-case, filter-unquoted and boolean-string.
    expect(entry.warnings.length).toBe(63);
    const count = Number(/count=(\d+)/.exec(lines.at(-1)!)![1]);
    expect(count + lines.length - 1).toBe(63);
  });
});

describe('conformance summary', () => {
  it('GET /_mock/conformance counts the warnings of every request by code', async () => {
    const s = server();
    await s.scim('post', '/Users', ENTRA_USER, 'application/json');
    await s.scim('post', '/Users', { schemas: [USER], userName: 'x2', active: 'False', emails: [{ value: 'a@b.c', primary: 'true' }] });
    await s.scim('get', '/Users?filter=userName%20eq%20x2');
    await s.scim('get', '/Users');
    const res = await s.control.get('/conformance');
    expect(res.status).toBe(200);
    expect(res.body.totalRequests).toBe(4);
    expect(res.body.requestsWithWarnings).toBe(3);
    const byCode = Object.fromEntries((res.body.warnings as Array<{ code: string; count: number; requests: number; rfc: string }>).map((w) => [w.code, w]));
    expect(byCode['boolean-string']).toMatchObject({ count: 3, requests: 2, rfc: 'RFC 7643 2.3.2' });
    expect(byCode['content-type']).toMatchObject({ count: 1, requests: 1 });
    expect(byCode['filter-unquoted']).toMatchObject({ count: 1, requests: 1, rfc: 'RFC 7644 3.4.2.2' });
    expect(byCode['readonly-ignored']).toMatchObject({ count: 1, requests: 1 });
  });

  it('the journal finds requests by warning code', async () => {
    const s = server();
    await s.scim('post', '/Users', { schemas: [USER], userName: 'y', active: 'True' });
    await s.scim('post', '/Users', { schemas: [USER], userName: 'z' });
    const res = await s.control.get('/requests?warningCode=boolean-string');
    expect(res.body.count).toBe(1);
    expect(res.body.requests[0].requestBody.userName).toBe('y');
  });
});

describe('profile config defaults', () => {
  it('entra as the server profile: group PATCH answers 204 by default', async () => {
    const s = server({ profile: 'entra' });
    expect((await s.control.get('/config')).body.patchStatus).toEqual({ Group: 204 });
    expect((await server().control.get('/config')).body.patchStatus).toEqual({});
  });

  it('chosen through PATCH /_mock/config, undone when switching away, explicit settings win', async () => {
    const s = server();
    let res = await s.control.patch('/config', { profile: 'entra' });
    expect(res.body.patchStatus).toEqual({ Group: 204 });
    res = await s.control.patch('/config', { profile: 'lenient' });
    expect(res.body.patchStatus).toEqual({});
    res = await s.control.patch('/config', { profile: 'entra', patchStatus: { Group: 200, User: 204 } });
    expect(res.body.patchStatus).toEqual({ Group: 200, User: 204 });
    res = await s.control.patch('/config', { warningsHeader: true });
    expect(res.body.patchStatus).toEqual({ Group: 200, User: 204 });
    res = await s.control.patch('/config', { profile: 'okta' });
    expect(res.body.patchStatus).toEqual({ Group: 200, User: 204 });
  });

  it('a tenant created with profile entra', async () => {
    const s = server();
    const created = await s.control.post('/tenants', { id: 'ent', profile: 'entra' });
    expect(created.status).toBe(201);
    const res = await s.control.get('/tenants/ent/config');
    expect(res.body.profile).toBe('entra');
    expect(res.body.patchStatus).toEqual({ Group: 204 });
  });
});

describe('profile discovery: /Schemas under entra lists externalId (RFC 7643 section 3.1)', () => {
  const attributeNames = (doc: { attributes: Array<{ name: string }> }) => doc.attributes.map((a) => a.name);
  const schemaOf = (list: { body: { Resources: Array<{ id: string; attributes: Array<{ name: string }> }> } }, id: string) => list.body.Resources.find((r) => r.id === id)!;

  it('entra: the User and Group schemas list externalId with section 3.1\'s characteristics; the extension does not', async () => {
    const s = server({ profile: 'entra' });
    const list = await s.scim('get', '/Schemas');
    expect(list.status).toBe(200);
    for (const id of [USER, GROUP]) {
      const schema = schemaOf(list, id);
      expect(attributeNames(schema)[0]).toBe('externalId');
      expect(attributeNames(schema).filter((n) => n === 'externalId')).toHaveLength(1);
      expect(schema.attributes[0]).toMatchObject({ name: 'externalId', type: 'string', multiValued: false, required: false, caseExact: true, mutability: 'readWrite', returned: 'default', uniqueness: 'none' });
    }
    expect(attributeNames(schemaOf(list, ENTERPRISE))).not.toContain('externalId');
    const one = await s.scim('get', `/Schemas/${USER}`);
    expect(attributeNames(one.body)).toContain('externalId');
  });

  it('rfc, lenient and okta serve section 8.7.1\'s schemas; switching the profile switches the document', async () => {
    for (const profile of ['rfc', 'lenient', 'okta'] as const) {
      const list = await server({ profile }).scim('get', '/Schemas');
      expect(attributeNames(schemaOf(list, USER)), profile).not.toContain('externalId');
    }
    const s = server();
    await s.control.patch('/config', { profile: 'entra' });
    expect(attributeNames((await s.scim('get', `/Schemas/${GROUP}`)).body)).toContain('externalId');
    await s.control.patch('/config', { profile: 'rfc' });
    expect(attributeNames((await s.scim('get', `/Schemas/${GROUP}`)).body)).not.toContain('externalId');
  });
});
