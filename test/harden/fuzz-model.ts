/**
 * The request fuzzer shared by the quick property run in `npm test` and `npm run fuzz`: fast-check arbitraries
 * for SCIM requests (RFC example bodies mutated: wrong types, missing and extra keys, deep nesting, huge strings,
 * unicode, forbidden keys; random filters, PATCH operations, attribute lists, paths, methods and headers), and an
 * executor that sends them to a fresh Scimulator and checks the invariants after every response:
 *
 * - no 5xx (except 501 for what ServiceProviderConfig says is unsupported), the server never crashes;
 * - every error response is a valid SCIM Error document (schemas, status string = HTTP status, detail);
 * - no response carries a stack trace or an internal path;
 * - a failing request leaves the store exactly as it was (no half-applied write);
 * - every stored resource stays valid for its schema, and group members reference existing resources;
 * - Object.prototype and friends are never polluted.
 */
import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import request from 'supertest';
import type { Express } from 'express';
import { createApp } from '../../src/http/app.js';
import { DEFAULT_TENANT_ID, Scimulator } from '../../src/runtime.js';
import { validateResource } from '../../src/scim/validate.js';
import { FEATURES, leaksInternals, polluted, prototypeFingerprint, scimErrorProblem } from './support.js';

export const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const SEARCH = 'urn:ietf:params:scim:api:messages:2.0:SearchRequest';
const BULK = 'urn:ietf:params:scim:api:messages:2.0:BulkRequest';
const TOKEN = 'scimulator-dev-token';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// ---------------------------------------------------------------------------------------------------------------
// RFC example bodies (RFC 7643 section 8, RFC 7644 sections 3.3, 3.4.3, 3.5.2, 3.7). Ids are placeholders:
// {u0} {u1} {u2} are the seeded Users, {g0} {g1} the seeded Groups, {missing} an id that exists nowhere.

const FULL_USER: Json = {
  schemas: [USER, ENTERPRISE],
  externalId: '701984',
  userName: 'bjensen@example.com',
  name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III' },
  displayName: 'Babs Jensen',
  nickName: 'Babs',
  profileUrl: 'https://login.example.com/bjensen',
  emails: [
    { value: 'bjensen@example.com', type: 'work', primary: true },
    { value: 'babs@jensen.org', type: 'home' },
  ],
  addresses: [
    { type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'USA', formatted: '100 Universal City Plaza\nHollywood, CA 91608 USA', primary: true },
  ],
  phoneNumbers: [{ value: '555-555-5555', type: 'work' }, { value: '555-555-4444', type: 'mobile' }],
  ims: [{ value: 'someaimhandle', type: 'aim' }],
  photos: [{ value: 'https://photos.example.com/profilephoto/72930000000Ccne/F', type: 'photo' }],
  userType: 'Employee',
  title: 'Tour Guide',
  preferredLanguage: 'en-US',
  locale: 'en-US',
  timezone: 'America/Los_Angeles',
  active: true,
  password: 't1meMa$heen',
  x509Certificates: [{ value: 'MIIDQzCCAqygAwIBAgICEAAwDQYJKoZIhvcNAQEFBQAwTjELMAkGA1UEBhMCVVMx' }],
  [ENTERPRISE]: {
    employeeNumber: '701984',
    costCenter: '4130',
    organization: 'Universal Studios',
    division: 'Theme Park',
    department: 'Tour Operations',
    manager: { value: '{u1}', displayName: 'John Smith' },
  },
};

const MINIMAL_USER: Json = { schemas: [USER], userName: 'bjensen', externalId: 'bjensen', name: { formatted: 'Ms. Barbara J Jensen III', familyName: 'Jensen', givenName: 'Barbara' } };

const GROUP_BODY: Json = { schemas: [GROUP], displayName: 'Tour Guides', members: [{ value: '{u0}', display: 'Babs Jensen' }, { value: '{u1}', display: 'Mandy Pepperidge' }] };

const PATCHES: Json[] = [
  { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/{u2}', value: '{u2}' }] }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickName: 'Babs' } }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "{u0}"]' }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members' }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "{u0}"]' }, { op: 'add', path: 'members', value: [{ display: 'James Smith', value: '{u1}' }] }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'members', value: [{ display: 'Babs Jensen', value: '{u0}' }] }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'addresses[type eq "work"]', value: { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', primary: true } }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], nickName: 'Babs' } }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] },
  { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: `${ENTERPRISE}:manager`, value: { value: '{u2}' } }] },
];

const SEARCH_BODY: Json = { schemas: [SEARCH], attributes: ['displayName', 'userName'], excludedAttributes: [], filter: 'displayName sw "smith"', startIndex: 1, count: 10 };

const BULK_BODY: Json = {
  schemas: [BULK],
  failOnErrors: 1,
  Operations: [
    { method: 'POST', path: '/Users', bulkId: 'qwerty', data: { schemas: [USER], userName: 'Alice' } },
    { method: 'PUT', path: '/Users/{u0}', version: 'W/"3694e05e9dff591"', data: { schemas: [USER], id: '{u0}', userName: 'Bob' } },
    { method: 'PATCH', path: '/Users/{u1}', data: { schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'nickName' }, { op: 'replace', path: 'userName', value: 'Dave' }] } },
    { method: 'POST', path: '/Groups', bulkId: 'ytrewq', data: { schemas: [GROUP], displayName: 'Group A', members: [{ type: 'User', value: 'bulkId:qwerty' }] } },
    { method: 'DELETE', path: '/Users/{u2}' },
  ],
};

const BASES: Array<{ name: string; body: Json }> = [
  { name: 'full User', body: FULL_USER },
  { name: 'minimal User', body: MINIMAL_USER },
  { name: 'Group', body: GROUP_BODY },
  ...PATCHES.map((body, i) => ({ name: `PatchOp ${i}`, body })),
  { name: 'SearchRequest', body: SEARCH_BODY },
  { name: 'BulkRequest', body: BULK_BODY },
];

// ---------------------------------------------------------------------------------------------------------------
// Pieces of requests.

const FORBIDDEN = ['__proto__', 'constructor', 'prototype'] as const;

const ATTRIBUTE_PATHS = [
  'userName', 'USERNAME', 'name', 'name.familyName', 'name.givenName', 'emails', 'emails.value', 'emails.type', 'emails[type eq "work"]',
  'emails[type eq "work"].value', 'displayName', 'active', 'id', 'externalId', 'meta', 'meta.lastModified', 'meta.created', 'meta.version',
  'members', 'members.value', 'members[value eq "{u0}"]', 'members[value eq "{u0}"].display', 'groups', 'groups.value', 'password', 'addresses[type eq "work"].streetAddress',
  `${USER}:userName`, `${USER}:name.givenName`, `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, ENTERPRISE,
  'urn:unknown:schema:attr', 'nosuch', 'name.nosuch', 'emails[', 'emails]', 'x..y', '', ' ', '.', '__proto__', 'constructor', 'prototype',
  '__proto__.polluted', 'constructor.prototype.polluted', 'name.__proto__', 'emails[type eq "x"].__proto__', `${ENTERPRISE}:__proto__`,
];

const filterValue = fc.oneof(
  fc.constantFrom('"bjensen"', '"BJENSEN"', '"work"', '"{u0}"', '"2011-05-13T04:42:34Z"', 'true', 'false', 'null', '42', '-1.5e3', '""', '"a\\"b"', '"\\u00e9"'),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.string({ maxLength: 6 }),
);

const comparison = fc.tuple(
  fc.constantFrom(...ATTRIBUTE_PATHS),
  fc.constantFrom('eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le', 'EQ', 'Eq', '==', 'like', ''),
  filterValue,
).map(([a, op, v]) => `${a} ${op} ${v}`);

const filterArb: fc.Arbitrary<string> = fc.letrec<{ f: string }>((tie) => ({
  f: fc.oneof(
    { arbitrary: comparison, weight: 5 },
    { arbitrary: fc.constantFrom(...ATTRIBUTE_PATHS).map((a) => `${a} pr`), weight: 1 },
    { arbitrary: fc.tuple(tie('f'), fc.constantFrom('and', 'or', 'AND', 'Or', 'xor'), tie('f')).map(([a, op, b]) => `${a} ${op} ${b}`), weight: 2 },
    { arbitrary: tie('f').map((f) => `not (${f})`), weight: 1 },
    { arbitrary: tie('f').map((f) => `(${f})`), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom('emails', 'members', 'addresses', 'name', 'nosuch'), tie('f')).map(([a, f]) => `${a}[${f}]`), weight: 1 },
  ),
})).f;

/** A filter, sometimes broken: cut, with a character inserted, or nested past the parser's depth limit. */
const mutatedFilter = fc.oneof(
  { arbitrary: filterArb, weight: 6 },
  { arbitrary: fc.tuple(filterArb, fc.nat()).map(([f, n]) => f.slice(0, n % (f.length + 1))), weight: 1 },
  { arbitrary: fc.tuple(filterArb, fc.nat(), fc.constantFrom('(', ')', '[', ']', '"', '\\', ' ', '\u0000', '\u2028', '😀')).map(([f, n, c]) => { const i = n % (f.length + 1); return f.slice(0, i) + c + f.slice(i); }), weight: 2 },
  { arbitrary: fc.integer({ min: 45, max: 60 }).map((d) => `${'('.repeat(d)}userName eq "a"${')'.repeat(d)}`), weight: 1 },
  { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
);

const attributeList = fc.array(fc.constantFrom(...ATTRIBUTE_PATHS), { minLength: 1, maxLength: 4 }).map((a) => a.join(','));

const numberish = fc.oneof(fc.integer({ min: -5, max: 2000 }).map(String), fc.constantFrom('', 'abc', '1e3', '0x10', '99999999999999999999', ' 2', '-0', '1.5'));

const queryArb: fc.Arbitrary<Array<[string, string]>> = fc.array(
  fc.oneof(
    { arbitrary: mutatedFilter.map((f): [string, string] => ['filter', f]), weight: 3 },
    { arbitrary: attributeList.map((a): [string, string] => ['attributes', a]), weight: 2 },
    { arbitrary: attributeList.map((a): [string, string] => ['excludedAttributes', a]), weight: 2 },
    { arbitrary: fc.constantFrom(...ATTRIBUTE_PATHS).map((a): [string, string] => ['sortBy', a]), weight: 1 },
    { arbitrary: fc.constantFrom('ascending', 'descending', 'DESCENDING', 'up').map((a): [string, string] => ['sortOrder', a]), weight: 1 },
    { arbitrary: numberish.map((n): [string, string] => ['startIndex', n]), weight: 1 },
    { arbitrary: numberish.map((n): [string, string] => ['count', n]), weight: 1 },
    { arbitrary: fc.string({ maxLength: 20 }).map((c): [string, string] => ['cursor', c]), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom('FILTER', 'Attributes', '__proto__', 'constructor', 'x', 'filter[]', 'count'), fc.string({ maxLength: 10 })), weight: 1 },
  ),
  { maxLength: 3 },
);

const jsonLeaf: fc.Arbitrary<Json> = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
  fc.constantFrom('', 'True', 'false', '2011-05-13T04:42:34Z', 'not-a-date', '{u0}', '{missing}', 'work', '😀', '\u0000', 'W/"1"'),
);

const jsonArb: fc.Arbitrary<Json> = fc.oneof(
  { arbitrary: jsonLeaf, weight: 4 },
  { arbitrary: fc.array(jsonLeaf, { maxLength: 3 }), weight: 1 },
  { arbitrary: fc.dictionary(fc.constantFrom('value', 'type', 'primary', 'display', 'op', 'path', 'givenName', 'x', 'VALUE'), jsonLeaf, { maxKeys: 3 }), weight: 1 },
);

// ---------------------------------------------------------------------------------------------------------------
// Mutations of a JSON body. Each is data (so fast-check can shrink it) applied by `mutate`.

type Mutation =
  | { kind: 'replace'; at: number; value: Json }
  | { kind: 'delete'; at: number }
  | { kind: 'addKey'; at: number; key: string; value: Json }
  | { kind: 'forbidden'; at: number; key: (typeof FORBIDDEN)[number]; nested: boolean }
  | { kind: 'deepen'; at: number; depth: number; arrays: boolean }
  | { kind: 'huge'; at: number; length: number; char: string }
  | { kind: 'recase'; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: jsonArb }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('addKey' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom('userName', 'id', 'meta', 'schemas', 'members', 'Operations', 'op', 'path', 'value', ENTERPRISE, 'urn:x:y', 'emails', 'x'), fc.string({ maxLength: 8 })), value: jsonArb }),
  fc.record({ kind: fc.constant('forbidden' as const), at: fc.nat(), key: fc.constantFrom(...FORBIDDEN), nested: fc.boolean() }),
  fc.record({ kind: fc.constant('deepen' as const), at: fc.nat(), depth: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 60, max: 70 })), arrays: fc.boolean() }),
  fc.record({ kind: fc.constant('huge' as const), at: fc.nat(), length: fc.oneof({ arbitrary: fc.integer({ min: 1000, max: 5000 }), weight: 4 }, { arbitrary: fc.integer({ min: 100_000, max: 300_000 }), weight: 1 }), char: fc.constantFrom('x', 'é', '😀', '\u0000', '"', '\\') }),
  fc.record({ kind: fc.constant('recase' as const), at: fc.nat() }),
);

type Path = Array<string | number>;

/** Every node of a JSON value, as paths from the root (the root is []). */
function nodePaths(value: Json, path: Path = [], out: Path[] = []): Path[] {
  out.push(path);
  if (Array.isArray(value)) value.forEach((v, i) => nodePaths(v, [...path, i], out));
  else if (value !== null && typeof value === 'object') for (const k of Object.keys(value)) nodePaths(value[k]!, [...path, k], out);
  return out;
}

/** Sets an own enumerable property, even one named __proto__. */
function define(obj: Record<string, Json>, key: string, value: Json): void {
  Object.defineProperty(obj, key, { value, enumerable: true, configurable: true, writable: true });
}

function clone(value: Json): Json {
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(value)) define(out, k, clone(value[k]!));
    return out;
  }
  return value;
}

/** Replaces the node at `path` with what `f` returns for it (undefined deletes it). */
function update(root: Json, path: Path, f: (node: Json) => Json | undefined): Json {
  if (path.length === 0) return f(root) ?? null;
  const [head, ...rest] = path;
  if (Array.isArray(root)) {
    const out = root.slice();
    const next = rest.length ? update(out[head as number]!, rest, f) : f(out[head as number]!);
    if (next === undefined) out.splice(head as number, 1);
    else out[head as number] = next;
    return out;
  }
  if (root !== null && typeof root === 'object') {
    const out: Record<string, Json> = {};
    for (const k of Object.keys(root)) {
      if (k !== head) define(out, k, root[k]!);
      else {
        const next = rest.length ? update(root[k]!, rest, f) : f(root[k]!);
        if (next !== undefined) define(out, k, next);
      }
    }
    return out;
  }
  return root;
}

function mutate(body: Json, m: Mutation): Json {
  const paths = nodePaths(body);
  const path = paths[m.at % paths.length]!;
  switch (m.kind) {
    case 'replace':
      return update(body, path, () => clone(m.value));
    case 'delete':
      return path.length === 0 ? body : update(body, path, () => undefined);
    case 'addKey':
    case 'forbidden':
      return update(body, path, (node) => {
        const target: Record<string, Json> = node !== null && typeof node === 'object' && !Array.isArray(node) ? (clone(node) as Record<string, Json>) : {};
        if (m.kind === 'addKey') define(target, m.key, clone(m.value));
        else {
          const payload: Record<string, Json> = { polluted: 'yes', isAdmin: true };
          const value: Record<string, Json> = {};
          if (m.nested) define(value, 'prototype', payload);
          else Object.assign(value, payload);
          define(target, m.key, value);
        }
        return target;
      });
    case 'deepen':
      return update(body, path, (node) => {
        let v = node;
        for (let i = 0; i < m.depth; i++) v = m.arrays ? [v] : { value: v };
        return v;
      });
    case 'huge':
      return update(body, path, () => m.char.repeat(m.length));
    case 'recase':
      return update(body, path.slice(0, -1), (node) => {
        if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
        const key = path[path.length - 1] as string;
        const out: Record<string, Json> = {};
        for (const k of Object.keys(node)) define(out, k === key ? (k === k.toUpperCase() ? k.toLowerCase() : k.toUpperCase()) : k, node[k]!);
        return out;
      });
  }
}

const PATCH_OPS = ['add', 'remove', 'replace', 'Add', 'Replace', 'REMOVE', 'move', '', 'delete'] as const;

/** A generated PatchOp body: 1-3 operations with random op, path and value. */
const patchBody: fc.Arbitrary<Json> = fc.array(
  fc.record(
    {
      op: fc.oneof({ arbitrary: fc.constantFrom(...PATCH_OPS), weight: 9 }, { arbitrary: jsonLeaf, weight: 1 }),
      path: fc.oneof({ arbitrary: fc.constantFrom(...ATTRIBUTE_PATHS), weight: 4 }, { arbitrary: mutatedFilter.map((f) => `emails[${f}].value`), weight: 1 }, { arbitrary: jsonLeaf, weight: 1 }),
      value: fc.oneof(
        jsonArb,
        fc.constantFrom<Json>([{ value: '{u0}' }], [{ value: '{u2}', type: 'User' }], [{ value: '{g0}' }], [{ value: '{missing}' }], { displayName: 'X', nickName: 'Y' }, { emails: [{ value: 'a@b.c', type: 'work' }] }, 'True', { value: '{u1}' }, { [`${ENTERPRISE}:employeeNumber`]: '42' }),
      ),
    },
    { requiredKeys: ['op'] },
  ),
  { minLength: 1, maxLength: 3 },
).map((ops) => ({ schemas: [PATCH_OP], Operations: ops as Json[] }));

/** A body of one kind from its RFC examples, each mutated 0-2 times; names get a suffix so creations can succeed. */
function typedBody(bases: Json[], mutationWeight = 1): fc.Arbitrary<string> {
  return fc
    .tuple(fc.nat(bases.length - 1), fc.nat(1_000_000), fc.oneof({ arbitrary: fc.constant([] as Mutation[]), weight: 2 }, { arbitrary: fc.array(mutationArb, { minLength: 1, maxLength: 2 }), weight: mutationWeight }))
    .map(([i, suffix, ms]) => {
      const base = clone(bases[i]!) as Record<string, Json>;
      if (typeof base.userName === 'string') base.userName = `${base.userName}.${suffix}`;
      if (typeof base.displayName === 'string' && base.schemas && JSON.stringify(base.schemas).includes(GROUP)) base.displayName = `${base.displayName} ${suffix}`;
      return JSON.stringify(ms.reduce(mutate, base as Json));
    });
}

const userBody = typedBody([FULL_USER, MINIMAL_USER]);
const groupBody = typedBody([GROUP_BODY]);
const patchOpBody = fc.oneof(typedBody(PATCHES), patchBody.map((b) => JSON.stringify(b)));
const searchBody = typedBody([SEARCH_BODY], 2);
const bulkBody = typedBody([BULK_BODY], 2);

const bodyArb: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.tuple(fc.nat(BASES.length - 1), fc.array(mutationArb, { maxLength: 3 })).map(([i, ms]) => JSON.stringify(ms.reduce(mutate, clone(BASES[i]!.body)))), weight: 8 },
  { arbitrary: jsonArb.map((j) => JSON.stringify(j)), weight: 1 },
  {
    // Broken JSON: a valid body cut short or with a stray character.
    arbitrary: fc.tuple(fc.nat(BASES.length - 1), fc.nat(), fc.constantFrom('', '}', ',', '\u0000', '"', 'x')).map(([i, n, c]) => {
      const text = JSON.stringify(BASES[i]!.body);
      const at = n % text.length;
      return text.slice(0, at) + c;
    }),
    weight: 1,
  },
);

// ---------------------------------------------------------------------------------------------------------------
// Requests.

export interface FuzzRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';
  /** Relative to the SCIM base path; may contain the id placeholders. */
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: string;
}

const resourcePath = fc.constantFrom('/Users/{u0}', '/Users/{u1}', '/Users/{u2}', '/Groups/{g0}', '/Groups/{g1}', '/Users/{missing}', '/Groups/{u0}', '/users/{u0}', '/GROUPS/{g0}');
const collectionPath = fc.constantFrom('/Users', '/Groups', '/users', '/Users/', '/Groups/');
const otherPath = fc.oneof(
  fc.constantFrom('/Me', '/Bulk', '/.search', '/Users/.search', '/Groups/.search', '/ServiceProviderConfig', '/Schemas', `/Schemas/${USER}`, '/Schemas/nope', '/ResourceTypes', '/ResourceTypes/User', '/ResourceTypes/__proto__', '/Users/{u0}/extra', '/', '/%', '/Users/%E0%A4%A', '/Users/%00', '/__proto__', '/constructor/prototype', '/Users/__proto__', '/Users/constructor'),
  fc.array(fc.string({ minLength: 1, maxLength: 8 }).map((s) => encodeURIComponent(s)), { minLength: 1, maxLength: 3 }).map((segs) => `/${segs.join('/')}`),
);

const contentType = fc.oneof(
  { arbitrary: fc.constant('application/scim+json'), weight: 12 },
  { arbitrary: fc.constantFrom('application/json', 'application/scim+json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'application/scim+json; charset=latin1', 'application/vnd.custom+json', 'multipart/form-data; boundary=x'), weight: 1 },
);

const authHeader = fc.oneof(
  { arbitrary: fc.constant(`Bearer ${TOKEN}`), weight: 20 },
  { arbitrary: fc.constantFrom('', 'Bearer', 'Bearer wrong', `bearer ${TOKEN}`, `Basic ${Buffer.from('scim:scim').toString('base64')}`, 'Basic !!!', `Bearer ${TOKEN} extra`), weight: 1 },
);

const preconditionArb = fc.option(
  fc.record({
    name: fc.constantFrom('If-Match', 'If-None-Match'),
    value: fc.constantFrom('*', 'W/"1"', '"1"', '{etag:u0}', '{etag:g0}', 'W/"999999"', 'garbage', '', 'W/"1", {etag:u0}'),
  }),
  { nil: undefined },
);

function withBody(method: 'POST' | 'PUT' | 'PATCH', path: fc.Arbitrary<string>, body: fc.Arbitrary<string> = bodyArb): fc.Arbitrary<FuzzRequest> {
  return fc.record({ path, query: queryArb, auth: authHeader, ct: contentType, pre: preconditionArb, body }).map(({ path: p, query, auth, ct, pre, body }) => ({
    method,
    path: p,
    query,
    headers: { ...(auth ? { Authorization: auth } : {}), 'Content-Type': ct, ...(pre ? { [pre.name]: pre.value } : {}) },
    body,
  }));
}

function withoutBody(method: FuzzRequest['method'], path: fc.Arbitrary<string>): fc.Arbitrary<FuzzRequest> {
  return fc.record({ path, query: queryArb, auth: authHeader, pre: preconditionArb }).map(({ path: p, query, auth, pre }) => ({
    method,
    path: p,
    query,
    headers: { ...(auth ? { Authorization: auth } : {}), ...(pre ? { [pre.name]: pre.value } : {}) },
  }));
}

export const requestArb: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // Requests that are mostly well-formed, so successful writes are exercised too.
  { arbitrary: withBody('POST', fc.constantFrom('/Users'), userBody), weight: 4 },
  { arbitrary: withBody('POST', fc.constantFrom('/Groups'), groupBody), weight: 2 },
  { arbitrary: withBody('PUT', fc.constantFrom('/Users/{u0}', '/Users/{u1}', '/Users/{u2}'), userBody), weight: 3 },
  { arbitrary: withBody('PUT', fc.constantFrom('/Groups/{g0}', '/Groups/{g1}'), groupBody), weight: 2 },
  { arbitrary: withBody('PATCH', resourcePath, patchOpBody), weight: 5 },
  { arbitrary: withBody('POST', fc.constantFrom('/.search', '/Users/.search', '/Groups/.search'), searchBody), weight: 1 },
  { arbitrary: withBody('POST', fc.constantFrom('/Bulk'), bulkBody), weight: 1 },
  // Anything goes.
  { arbitrary: withBody('POST', fc.oneof({ arbitrary: collectionPath, weight: 4 }, { arbitrary: fc.constantFrom('/.search', '/Users/.search', '/Groups/.search', '/Bulk'), weight: 2 }, { arbitrary: resourcePath, weight: 1 }, { arbitrary: otherPath, weight: 1 })), weight: 6 },
  { arbitrary: withBody('PUT', fc.oneof({ arbitrary: resourcePath, weight: 5 }, { arbitrary: fc.constantFrom('/Me'), weight: 1 }, { arbitrary: otherPath, weight: 1 })), weight: 5 },
  { arbitrary: withBody('PATCH', fc.oneof({ arbitrary: resourcePath, weight: 5 }, { arbitrary: fc.constantFrom('/Me'), weight: 1 }, { arbitrary: otherPath, weight: 1 })), weight: 5 },
  { arbitrary: withoutBody('GET', fc.oneof(collectionPath, resourcePath, otherPath)), weight: 4 },
  { arbitrary: withoutBody('DELETE', fc.oneof({ arbitrary: resourcePath, weight: 4 }, { arbitrary: otherPath, weight: 1 })), weight: 2 },
  { arbitrary: withoutBody('HEAD', fc.oneof(collectionPath, resourcePath)), weight: 1 },
  { arbitrary: withoutBody('OPTIONS', fc.oneof(collectionPath, resourcePath, otherPath)), weight: 1 },
);

/** One property run: a short sequence of requests against a fresh server. */
export const sequenceArb = fc.array(requestArb, { minLength: 2, maxLength: 6 });

// ---------------------------------------------------------------------------------------------------------------
// Execution.

/** What a failed invariant reports. */
export class Violation extends Error {
  constructor(message: string, readonly request: string, readonly response: string) {
    super(`${message}\n--- request ---\n${request}\n--- response ---\n${response}`);
    this.name = 'Violation';
  }
}

/**
 * The world a sequence runs in: a fresh default tenant (store, ids, clock, journal) with seeded Users and Groups,
 * put into the harness's runtime, whose app looks tenants up per request.
 */
function seedWorld(runtime: Scimulator): Record<string, string> {
  runtime.tenants.set(DEFAULT_TENANT_ID, new Scimulator({ seed: 7, journalCapacity: 50 }).defaultTenant);
  const { service } = runtime.defaultTenant;
  const u0 = service.create('User', { schemas: [USER, ENTERPRISE], userName: 'babs', displayName: 'Babs Jensen', emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }], [ENTERPRISE]: { employeeNumber: '701984' } });
  const u1 = service.create('User', { schemas: [USER], userName: 'jsmith', displayName: 'John Smith', name: { givenName: 'John', familyName: 'Smith' }, addresses: [{ type: 'work', streetAddress: '1 Main St' }] });
  const u2 = service.create('User', { schemas: [USER], userName: 'mpepperidge', active: false });
  const g0 = service.create('Group', { schemas: [GROUP], displayName: 'Tour Guides', members: [{ value: u0.id }, { value: u1.id }] });
  const g1 = service.create('Group', { schemas: [GROUP], displayName: 'Everyone', members: [{ value: g0.id, type: 'Group' }, { value: u2.id }] });
  runtime.defaultTenant.seedState = runtime.defaultTenant.store.snapshot();
  return { u0: u0.id as string, u1: u1.id as string, u2: u2.id as string, g0: g0.id as string, g1: g1.id as string, missing: '00000000-0000-4000-8000-000000000000' };
}

function resolvePlaceholders(text: string, runtime: Scimulator, ids: Record<string, string>): string {
  return text
    .replace(/\{etag:(u\d|g\d)\}/g, (_m, k: string) => {
      const type = k.startsWith('u') ? 'User' : 'Group';
      const version = (runtime.defaultTenant.store.get(type, ids[k]!)?.meta as { version?: string } | undefined)?.version;
      return version ?? 'W/"gone"';
    })
    .replace(/\{(u\d|g\d|missing)\}/g, (_m, k: string) => ids[k]!);
}

export function formatRequest(r: FuzzRequest, limit = 2000): string {
  const query = r.query.length ? `?${r.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '';
  const lines = [`${r.method} /scim/v2${r.path}${query}`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`)];
  if (r.body !== undefined) lines.push('', r.body.length > limit ? `${r.body.slice(0, limit)}... (${r.body.length} characters)` : r.body);
  return lines.join('\n');
}

const stateOf = (runtime: Scimulator) => JSON.stringify(runtime.defaultTenant.store.snapshot().resources);

/** Checks what must hold of the stored resources after any request. */
function checkStore(runtime: Scimulator): string | undefined {
  const tenant = runtime.defaultTenant;
  const exists = (id: string) => tenant.store.get('User', id) !== undefined || tenant.store.get('Group', id) !== undefined;
  for (const type of tenant.registry.resourceTypes()) {
    for (const resource of tenant.store.all(type.name)) {
      try {
        validateResource(type, resource, {});
      } catch (err) {
        return `stored ${type.name} ${String(resource.id)} is no longer valid: ${(err as Error).message}`;
      }
      if (Array.isArray(resource.members)) {
        // Under the member policy "accept" (the default) a member may name nothing; under the others it may not.
        const unknownAllowed = tenant.config.memberPolicy === 'accept';
        for (const m of resource.members as Array<{ value?: unknown }>) {
          if (typeof m.value !== 'string' || (!unknownAllowed && !exists(m.value))) return `${type.name} ${String(resource.id)} has a member ${JSON.stringify(m.value)} that does not exist`;
          if (!tenant.store.groupsContaining(m.value).has(resource.id as string)) return `${type.name} ${String(resource.id)} has a member ${JSON.stringify(m.value)} that the membership index does not know`;
        }
      }
    }
  }
  return undefined;
}

/** Is a 501 allowed for this request (ServiceProviderConfig says the feature is unsupported, or /Me is unbound)? */
function notImplementedAllowed(r: FuzzRequest): boolean {
  const first = r.path.split(/[/?]/)[1]?.toLowerCase() ?? '';
  if (first === 'me') return true;
  if (first === 'bulk') return !FEATURES.bulk.supported;
  if (r.method === 'PATCH') return !FEATURES.patch;
  return false;
}

/**
 * Runs requests against one long-lived listening server whose handler is swapped to a fresh app per sequence.
 */
export class FuzzHarness {
  protected server: Server | undefined;
  protected readonly runtime = new Scimulator({ journalCapacity: 50 });
  private readonly app: Express = createApp(this.runtime);
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 1 });
  protected readonly fingerprint = prototypeFingerprint();
  private readonly objectKeys = Object.getOwnPropertyNames(Object.prototype).length;
  requests = 0;
  /** Responses by method and status, e.g. "POST 400" -> 812. */
  readonly statuses = new Map<string, number>();

  /** The status tally as one line per method. */
  summary(): string {
    const byMethod = new Map<string, string[]>();
    for (const [key, n] of [...this.statuses].sort()) {
      const [method, status] = key.split(' ') as [string, string];
      byMethod.set(method, [...(byMethod.get(method) ?? []), `${status}x${n}`]);
    }
    return [...byMethod].map(([m, list]) => `  ${m.padEnd(7)} ${list.join(' ')}`).join('\n');
  }

  async start(): Promise<void> {
    this.server = createServer(this.app);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  /** Does the server still answer (after a run)? */
  async alive(): Promise<boolean> {
    const res = await request(this.server!).get('/scim/v2/ServiceProviderConfig').agent(this.agent).set('Authorization', `Bearer ${TOKEN}`);
    return res.status === 200;
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  /** Runs one sequence on a fresh world; throws a Violation on the first broken invariant. */
  async run(sequence: FuzzRequest[]): Promise<void> {
    const runtime = this.runtime;
    const ids = seedWorld(runtime);
    for (const r of sequence) await this.one(r, runtime, ids);
    if (prototypeFingerprint() !== this.fingerprint) {
      throw new Violation('a built-in prototype (Object, Array, Function, String, Map) gained or lost properties', sequence.map((r) => formatRequest(r)).join('\n\n'), '');
    }
  }

  private async one(r: FuzzRequest, runtime: Scimulator, ids: Record<string, string>): Promise<void> {
    this.requests++;
    const query = r.query.map(([k, v]) => `${encodeURIComponent(resolvePlaceholders(k, runtime, ids))}=${encodeURIComponent(resolvePlaceholders(v, runtime, ids))}`).join('&');
    const url = `/scim/v2${resolvePlaceholders(r.path, runtime, ids)}${query ? `?${query}` : ''}`;
    const reads = r.method === 'GET' || r.method === 'HEAD';
    const before = reads ? undefined : stateOf(runtime);
    let req = request(this.server!)[r.method.toLowerCase() as 'get'](url).agent(this.agent);
    for (const [name, value] of Object.entries(r.headers)) req = req.set(name, resolvePlaceholders(value, runtime, ids));
    if (r.body !== undefined) req = req.send(resolvePlaceholders(r.body, runtime, ids));
    const res = await req.buffer(true).parse((response, callback) => {
      // Keep the raw text whatever the content type.
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => callback(null, text));
    });
    const text = typeof res.body === 'string' ? res.body : (res.text ?? '');
    const key = `${r.method} ${res.status}`;
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
    const shown = () => `${res.status} ${res.headers['content-type'] ?? ''}\n${text.length > 2000 ? `${text.slice(0, 2000)}...` : text}`;
    const fail = (message: string): never => {
      throw new Violation(message, formatRequest(r), shown());
    };

    if (res.status >= 500 && !(res.status === 501 && notImplementedAllowed(r))) fail(`a ${res.status} response`);
    if (res.status >= 400 && r.method !== 'HEAD') {
      const problem = scimErrorProblem(res.status, res.headers['content-type'], text);
      if (problem) fail(`an error response that is not a valid SCIM Error: ${problem}`);
    }
    if (res.status >= 200 && res.status < 300 && r.method !== 'HEAD' && text !== '' && r.method !== 'OPTIONS') {
      if (!/^application\/scim\+json/.test(res.headers['content-type'] ?? '')) fail(`a success with content-type ${res.headers['content-type']}`);
      try {
        JSON.parse(text);
      } catch {
        fail('a success whose body is not JSON');
      }
    }
    const leak = leaksInternals(text);
    if (leak) fail(`the response carries ${leak}`);
    if (res.status >= 400 && before !== undefined && stateOf(runtime) !== before) fail('a failed request changed the store (a half-applied write)');
    if (res.status < 400 && !reads) {
      const store = checkStore(runtime);
      if (store) fail(store);
    }
    if (Object.getOwnPropertyNames(Object.prototype).length !== this.objectKeys) fail('Object.prototype gained or lost properties (prototype pollution)');
    const p = polluted();
    if (p) fail(`prototype pollution: ${p}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The control API: its own error shape ({"error": "...", "field"?: "..."}), the same robustness.

const CONTROL_BODIES: Record<string, Json[]> = {
  faults: [
    { name: 'throttle creates', match: { operation: 'create', resourceType: 'User' }, action: { type: 'error', status: 429, headers: { 'Retry-After': '2' } }, times: 2 },
    { match: { method: 'PATCH', body: { path: 'Operations[*].path', contains: 'members', ignoreCase: true } }, action: { type: 'error', status: 409, scimType: 'uniqueness' }, probability: 0.5 },
    { match: { path: { matches: '^/Users/.*' } }, action: { type: 'latency', ms: 5 } },
    { action: { type: 'reset' }, after: 3 },
  ],
  find: [{ method: 'POST', status: 201 }, { findingCode: 'retry-storm', hasFindings: true }, { path: { contains: '/Users' }, operation: ['create', 'replace'], limit: 5 }, { fault: true, hasWarnings: false }, { body: { path: 'userName', equals: 'bjensen' } }],
  config: [
    { maxPageSize: 500, defaultPageSize: 50 },
    { auth: { mode: 'bearer', token: 'new-token' } },
    { patchStatus: { User: 204, Group: 200 }, warningsHeader: true },
    { profile: 'rfc', groupDisplayNameUnique: true, cursorTimeout: 30 },
    { behaviour: { disabled: ['retry-storm', 'lookup-by-listing'], retryStorm: { limit: 3, windowSeconds: 10 } } },
  ],
  snapshot: [{ format: 'scimulator-snapshot', version: 1, sequence: 3, resources: { User: [{ schemas: [USER], id: 'snap-1', userName: 'snap', meta: { resourceType: 'User', created: '2025-01-01T00:00:00Z', lastModified: '2025-01-01T00:00:00Z', version: 'W/"1"' } }], Group: [] } }],
  tenants: [{ id: 'acme', seed: 3, token: 'acme-token', profile: 'entra' }, { me: 'bjensen' }, {}],
  clock: [{ freeze: '2030-01-01T00:00:00Z' }, { advance: 60000 }, { real: true }],
};

const controlBody = (kind: keyof typeof CONTROL_BODIES) =>
  fc.oneof(
    { arbitrary: typedBody(CONTROL_BODIES[kind]!, 2), weight: 6 },
    { arbitrary: jsonArb.map((j) => JSON.stringify(j)), weight: 1 },
    { arbitrary: fc.constantFrom('', '{', 'null', '[]', '"text"'), weight: 1 },
  );

export interface ControlRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  body?: string;
  contentType?: string;
}

const tenantPrefix = fc.constantFrom('', '', '', '/tenants/default', '/tenants/acme', '/tenants/nope', '/tenants/__proto__', '/tenants/constructor');

const controlQuery = fc.oneof(
  fc.constant(''),
  fc.array(fc.tuple(fc.constantFrom('method', 'status', 'path', 'operation', 'limit', 'since', 'fault', 'hasWarnings', 'format', 'keep', '__proto__', 'x'), fc.oneof(fc.constantFrom('GET', '201', '4xx', 'create', '3', 'true', 'har', 'ndjson', 'faults,journal', 'bogus'), fc.string({ maxLength: 6 }))), { maxLength: 3 })
    .map((pairs) => (pairs.length ? `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` : '')),
);

export const controlRequestArb: fc.Arbitrary<ControlRequest> = fc.oneof<fc.Arbitrary<ControlRequest>[]>(
  fc.record({ method: fc.constant('POST' as const), prefix: tenantPrefix, body: controlBody('faults') }).map(({ prefix, body }) => ({ method: 'POST' as const, path: `${prefix}/faults`, body })),
  fc.record({ method: fc.constantFrom('POST' as const), prefix: tenantPrefix, ep: fc.constantFrom('/requests/find', '/requests/count'), body: controlBody('find') }).map(({ prefix, ep, body }) => ({ method: 'POST' as const, path: `${prefix}${ep}`, body })),
  fc.record({ prefix: tenantPrefix, body: controlBody('config') }).map(({ prefix, body }) => ({ method: 'PATCH' as const, path: `${prefix}/config`, body })),
  fc.record({ prefix: tenantPrefix, body: controlBody('snapshot') }).map(({ prefix, body }) => ({ method: 'PUT' as const, path: `${prefix}/snapshot`, body })),
  controlBody('tenants').map((body) => ({ method: 'POST' as const, path: '/tenants', body })),
  fc.record({ prefix: tenantPrefix, body: controlBody('clock') }).map(({ prefix, body }) => ({ method: 'POST' as const, path: `${prefix}/clock`, body })),
  fc.record({ prefix: tenantPrefix, q: controlQuery, ep: fc.constantFrom('/reset') }).map(({ prefix, q, ep }) => ({ method: 'POST' as const, path: `${prefix}${ep}${q}` })),
  fc.record({ prefix: tenantPrefix, q: controlQuery, ep: fc.constantFrom('/requests', '/requests/export', '/faults', '/faults/f1', '/faults/__proto__', '/config', '/snapshot', '/clock', '/conformance', '/behaviour', '/requests/req-1', '/nope', '/health', '/tenants', '/openapi.json') }).map(({ prefix, q, ep }) => ({ method: 'GET' as const, path: `${prefix}${ep}${q}` })),
  fc.record({ prefix: tenantPrefix, ep: fc.constantFrom('/faults', '/faults/f1', '/requests', '/tenants/acme', '/tenants/default', '/tenants/__proto__', '/tenants/nope') }).map(({ prefix, ep }) => ({ method: 'DELETE' as const, path: ep.startsWith('/tenants') ? ep : `${prefix}${ep}` })),
).chain((r) =>
  r.body === undefined
    ? fc.constant(r as ControlRequest)
    : fc.oneof({ arbitrary: fc.constant('application/json'), weight: 8 }, { arbitrary: fc.constantFrom('text/plain', 'application/scim+json', 'application/json; charset=utf-8'), weight: 1 }).map((contentType) => ({ ...r, contentType }) as ControlRequest),
);

export const controlSequenceArb = fc.array(controlRequestArb, { minLength: 2, maxLength: 6 });

export function formatControlRequest(r: ControlRequest, limit = 2000): string {
  const lines = [`${r.method} /_mock${r.path}`];
  if (r.contentType) lines.push(`Content-Type: ${r.contentType}`);
  if (r.body !== undefined) lines.push('', r.body.length > limit ? `${r.body.slice(0, limit)}... (${r.body.length} characters)` : r.body);
  return lines.join('\n');
}

/** Why a control API response is not what the control API promises, or undefined. */
function controlResponseProblem(status: number, contentType: string | undefined, text: string): string | undefined {
  if (status >= 500) return `a ${status} response`;
  if (status < 400) return undefined;
  if (!/^application\/json/.test(contentType ?? '')) return `an error with content-type ${contentType ?? '(none)'}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'an error whose body is not JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'an error body that is not an object';
  const { error, field, ...rest } = body as Record<string, unknown>;
  if (typeof error !== 'string' || error.length < 5) return `an error without a message: ${text}`;
  if (field !== undefined && typeof field !== 'string') return 'an error whose field is not a string';
  if (Object.keys(rest).length) return `an error with unexpected members ${Object.keys(rest).join(', ')}`;
  return undefined;
}

export class ControlFuzzHarness extends FuzzHarness {
  /** Runs one sequence of control requests on a fresh world; throws a Violation on the first broken invariant. */
  async runControl(sequence: ControlRequest[]): Promise<void> {
    const runtime = this.runtime;
    for (const id of [...runtime.tenants.keys()]) if (id !== DEFAULT_TENANT_ID) runtime.tenants.delete(id);
    const ids = seedWorld(runtime);
    let snapshotLoaded = false;
    for (const r of sequence) {
      this.requests++;
      const before = stateOf(runtime);
      const server = this.server!;
      let req = request(server)[r.method.toLowerCase() as 'get'](`/_mock${resolvePlaceholders(r.path, runtime, ids)}`);
      if (r.contentType) req = req.set('Content-Type', r.contentType);
      if (r.body !== undefined) req = req.send(resolvePlaceholders(r.body, runtime, ids));
      const res = await req.buffer(true).parse((response, callback) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => callback(null, text));
      });
      const text = typeof res.body === 'string' ? res.body : '';
      const key = `${r.method} ${res.status}`;
      this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
      const fail = (message: string): never => {
        throw new Violation(message, formatControlRequest(r), `${res.status} ${res.headers['content-type'] ?? ''}\n${text.slice(0, 2000)}`);
      };
      const problem = controlResponseProblem(res.status, res.headers['content-type'], text);
      if (problem) fail(problem);
      const leak = leaksInternals(text);
      if (leak) fail(`the response carries ${leak}`);
      if (res.status >= 400 && stateOf(runtime) !== before) fail('a failed control request changed the store');
      // PUT /snapshot loads resources as they are (the operator's data, by design), so schema validity of the store
      // is only an invariant until a snapshot has been loaded.
      if (r.method === 'PUT' && r.path.endsWith('/snapshot') && res.status < 400) snapshotLoaded = true;
      const store = snapshotLoaded ? undefined : checkStore(runtime);
      if (store) fail(store);
      const p = polluted();
      if (p) fail(`prototype pollution: ${p}`);
    }
    if (prototypeFingerprint() !== this.fingerprint) {
      throw new Violation('a built-in prototype gained or lost properties', sequence.map((r) => formatControlRequest(r)).join('\n\n'), '');
    }
  }
}
