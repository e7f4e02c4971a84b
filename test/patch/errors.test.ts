/**
 * PATCH errors: status and scimType of RFC 7644 Table 9, a detail that names what to fix, and the stored
 * resource untouched afterwards. They run under the default "lenient" profile: none of these is a quirk the
 * profile layer rewrites. The engine's own answer to the quirks (missing schemas, "False", remove with a value,
 * a complex value as a string) is asserted in engine.test.ts, below the profile layer.
 */
import { describe, expect, it } from 'vitest';
import type { ScimulatorOptions } from '../../src/config.js';
import { ENTERPRISE, expectScimError, createUser } from '../http/helpers.js';
import { createBjensen, createGroup, PATCH_OP, patchOp, setup } from './helpers.js';

type Case = [name: string, target: 'user' | 'group', body: (ids: Ids) => unknown, status: number, scimType: string | undefined, detail?: RegExp, options?: Partial<ScimulatorOptions>];
interface Ids {
  user: string;
  other: string;
  group: string;
}

const op = (o: Record<string, unknown>) => patchOp(o);

const CASES: Case[] = [
  ['body is an array', 'user', () => [{ op: 'add', path: 'nickName', value: 'x' }], 400, 'invalidSyntax', /must be a JSON object/],

  ['schemas of a User instead of PatchOp', 'user', () => ({ schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], Operations: [] }), 400, 'invalidSyntax', /PatchOp/],
  ['a number for a boolean', 'user', () => op({ op: 'replace', path: 'active', value: 0 }), 400, 'invalidValue', /JSON boolean/],
  ['no Operations', 'user', () => ({ schemas: [PATCH_OP] }), 400, 'invalidSyntax', /"Operations" array/],
  ['Operations is an object', 'user', () => ({ schemas: [PATCH_OP], Operations: { op: 'add' } }), 400, 'invalidSyntax', /"Operations" array/],
  ['op "move" (JSON Patch, not SCIM)', 'user', () => op({ op: 'move', path: 'nickName', value: 'x' }), 400, 'invalidSyntax', /"add", "remove" or "replace"/],
  ['op missing', 'user', () => op({ path: 'nickName', value: 'x' }), 400, 'invalidSyntax', /no "op"/],
  ['"op" and "OP" both present', 'user', () => op({ op: 'add', OP: 'remove', path: 'nickName', value: 'x' }), 400, 'invalidSyntax', /send each member once/],
  ['an operation that is not an object', 'user', () => patchOp('add nickName'), 400, 'invalidSyntax', /Operations\[0\] must be an object/],
  ['remove without path', 'user', () => op({ op: 'remove' }), 400, 'noTarget', /needs a "path"/],
  ['path names no attribute', 'user', () => op({ op: 'replace', path: 'nickNam', value: 'x' }), 400, 'invalidPath', /names no attribute of the User resource type/],
  ['path names an unknown sub-attribute', 'user', () => op({ op: 'replace', path: 'name.nickName', value: 'x' }), 400, 'invalidPath', /names no attribute/],
  ['path of an extension attribute the extension lacks', 'user', () => op({ op: 'add', path: `${ENTERPRISE}:salary`, value: 'x' }), 400, 'invalidPath', /names no attribute/],
  ['path "schemas"', 'user', () => op({ op: 'add', path: 'schemas', value: [ENTERPRISE] }), 400, 'invalidPath', /sets it from the extension attributes present/],
  ['path is a number', 'user', () => op({ op: 'replace', path: 7, value: 'x' }), 400, 'invalidPath', /must be a string/],
  ['malformed path', 'user', () => op({ op: 'replace', path: 'name..givenName', value: 'x' }), 400, 'invalidPath'],
  ['malformed filter in a path', 'user', () => op({ op: 'replace', path: 'emails[type eq]', value: 'x' }), 400, 'invalidFilter'],
  ['sub-attribute of a multi-valued attribute without filter', 'user', () => op({ op: 'replace', path: 'emails.value', value: 'x' }), 400, 'invalidPath', /select the values with a filter/],
  ['value filter on a single-valued attribute', 'user', () => op({ op: 'replace', path: 'name[givenName eq "Barbara"].familyName', value: 'x' }), 400, 'invalidPath', /multi-valued complex attribute/],
  ['replace with a filter that matches nothing', 'user', () => op({ op: 'replace', path: 'emails[type eq "other"]', value: { value: 'x@example.com' } }), 400, 'noTarget', /nothing to replace/],
  ['add with a filter that matches nothing and cannot build a value', 'user', () => op({ op: 'add', path: 'emails[type ne "work" and type ne "home"].value', value: 'x@example.com' }), 400, 'noTarget', /"eq" comparisons joined by "and"/],
  ['remove the required userName', 'user', () => op({ op: 'remove', path: 'userName' }), 400, 'mutability', /required/],
  ['replace userName with null (unassigned)', 'user', () => op({ op: 'replace', path: 'userName', value: null }), 400, 'mutability', /required/],
  ['remove the required displayName of a group', 'group', () => op({ op: 'remove', path: 'displayName' }), 400, 'mutability', /required/],
  ['replace id with another id', 'group', () => op({ op: 'replace', value: { id: 'another-id', displayName: 'x' } }), 400, 'mutability', /"id" is readOnly/],
  ['replace meta', 'user', () => op({ op: 'replace', path: 'meta.resourceType', value: 'Group' }), 400, 'mutability', /readOnly/],
  ['remove the readOnly, computed User.groups', 'user', (ids) => op({ op: 'remove', path: `groups[value eq "${ids.group}"]` }), 400, 'mutability', /readOnly/],
  ['remove the readOnly id', 'user', () => op({ op: 'remove', path: 'id' }), 400, 'mutability', /readOnly/],
  ['add to the readOnly User.groups', 'user', (ids) => op({ op: 'add', path: 'groups', value: [{ value: ids.group }] }), 400, 'mutability', /readOnly/],
  ['readOnly manager.displayName by path', 'user', () => op({ op: 'replace', path: `${ENTERPRISE}:manager.displayName`, value: 'Boss' }), 400, 'mutability', /readOnly.*fills it from "urn:[^"]*:manager\.value".*"op":"replace","path":"urn:[^"]*:manager\.value"/],
  ['remove of the readOnly manager.displayName', 'user', () => op({ op: 'remove', path: `${ENTERPRISE}:manager.displayName` }), 400, 'mutability', /readOnly.*to clear "urn:[^"]*:manager", send \{"op":"remove","path":"urn:[^"]*:manager"\}/],
  ['change the immutable value of a member', 'group', (ids) => op({ op: 'replace', path: `members[value eq "${ids.user}"].value`, value: ids.other }), 400, 'mutability', /immutable/],
  ['change the immutable display of a member that has one', 'group', (ids) => op({ op: 'replace', path: `members[value eq "${ids.user}"]`, value: { value: ids.user, display: 'New' } }), 400, 'mutability', /immutable/],

  ['a number for a string', 'user', () => op({ op: 'replace', value: { nickName: 42 } }), 400, 'invalidValue', /must be a string/],
  ['an object for a multi-valued attribute', 'user', () => op({ op: 'add', path: 'emails', value: { value: 'x@example.com' } }), 400, 'invalidValue', /multi-valued and must be a JSON array/],

  ['a value that is not base64 for a binary attribute', 'user', () => op({ op: 'replace', path: 'x509Certificates', value: [{ value: 'not base64!' }] }), 400, 'invalidValue', /base64/],
  ['add without value', 'user', () => op({ op: 'add', path: 'nickName' }), 400, 'invalidValue', /needs a "value"/],
  ['add null', 'user', () => op({ op: 'add', path: 'nickName', value: null }), 400, 'invalidValue', /use "remove"/],
  ['add without path and a non-object value', 'user', () => op({ op: 'add', value: 'Babs' }), 400, 'invalidValue', /"value" object of attributes/],
  ['replace without path and an empty object', 'user', () => op({ op: 'replace', value: {} }), 400, 'invalidValue', /one or more attributes/],

  ['two primary emails in one add', 'user', () => op({ op: 'add', path: 'emails', value: [{ value: 'a@example.com', primary: true }, { value: 'b@example.com', primary: true }] }), 400, 'invalidValue', /primary/],
  ['primary set on two values by one filter', 'user', () => op({ op: 'replace', path: 'emails[value ew "example.com" or value ew "jensen.org"].primary', value: true }), 400, 'invalidValue', /primary/],
  ['a member that does not exist, under the member policy "reject"', 'group', () => op({ op: 'add', path: 'members', value: [{ value: 'no-such-id' }] }), 400, 'invalidValue', /does not reference an existing User or Group/, { memberPolicy: 'reject' }],
  ['a member that does not exist, under the member policy "notFound"', 'group', () => op({ op: 'add', path: 'members', value: [{ value: 'no-such-id' }] }), 404, undefined, /does not reference an existing User or Group/, { memberPolicy: 'notFound' }],
  ['a group as its own member', 'group', (ids) => op({ op: 'add', path: 'members', value: [{ value: ids.group }] }), 400, 'invalidValue', /member of itself/],
  ['a member without value', 'group', () => op({ op: 'add', path: 'members', value: [{ display: 'Babs' }] }), 400, 'invalidValue', /needs a "value"/],
  ['userName taken by another user', 'user', () => op({ op: 'replace', path: 'userName', value: 'other' }), 409, 'uniqueness', /already taken/],
  ['extension value that is not an object', 'user', () => op({ op: 'add', path: ENTERPRISE, value: 'x' }), 400, 'invalidValue', /must be an object of its attributes/],
];

describe('PATCH errors', () => {
  it.each(CASES)('%s', async (_name, target, body, status, scimType, detail, options) => {
    const { c } = setup(options);
    const user = await createBjensen(c);
    const other = await createUser(c, 'other');
    const group = await createGroup(c, 'Tour Guides', [{ value: user.id, display: 'Babs' }]);
    const ids = { user: user.id, other: other.id, group: group.id };
    const path = target === 'user' ? `/Users/${user.id}` : `/Groups/${group.id}`;
    const before = await c.get(path);
    const res = await c.patch(path, body(ids));
    const error = expectScimError(res, status, scimType);
    if (detail) expect(error.detail).toMatch(detail);
    const after = await c.get(path);
    expect(after.text).toBe(before.text);
    expect(after.headers.etag).toBe(before.headers.etag);
  });

  it('If-Match with an old version is 412, and the resource is unchanged', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'nickName', value: 'x' })).set('If-Match', 'W/"999"');
    expect(expectScimError(res, 412).detail).toContain('If-Match');
    const ok = await c.patch(`/Users/${user.id}`, patchOp({ op: 'replace', path: 'nickName', value: 'x' })).set('If-Match', user.meta.version);
    expect(ok.status).toBe(200);
  });

  it('PATCH of a resource that does not exist is 404', async () => {
    const { c } = setup();
    expectScimError(await c.patch('/Users/nope', patchOp({ op: 'replace', path: 'nickName', value: 'x' })), 404);
  });

  it('a PATCH body that is not JSON is 400 invalidSyntax', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await c.raw().patch(`/scim/v2/Users/${user.id}`).set('Authorization', 'Bearer scimulator-dev-token').set('Content-Type', 'application/scim+json').send('{"schemas": [');
    expectScimError(res, 400, 'invalidSyntax');
  });
});
