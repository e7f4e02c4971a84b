/**
 * Prototype pollution: "__proto__", "constructor" and "prototype" sent through PATCH (paths, value keys, dotted
 * and URN keys), PUT, POST and Bulk never reach Object.prototype, and PATCH answers 400 invalidPath.
 * Bodies are sent as raw JSON text: a JavaScript object literal would turn "__proto__" into a prototype.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUTH, TEST_HOST, createUser, expectScimError } from '../http/helpers.js';
import { createGroup, setup } from './helpers.js';

const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

function assertClean() {
  const probe = {} as Record<string, unknown>;
  expect(probe.polluted).toBeUndefined();
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect((Object.prototype as Record<string, unknown>).value).toBeUndefined();
  expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain('polluted');
  expect(typeof ({} as { constructor: unknown }).constructor).toBe('function');
}

afterEach(assertClean);

const ops = (...operations: string[]) => `{"schemas":["${PATCH}"],"Operations":[${operations.join(',')}]}`;

const PATCH_BODIES: Array<[string, string]> = [
  ['path __proto__', ops('{"op":"add","path":"__proto__","value":{"polluted":1}}')],
  ['path __proto__.polluted', ops('{"op":"add","path":"__proto__.polluted","value":1}')],
  ['path constructor.prototype', ops('{"op":"add","path":"constructor.prototype","value":{"polluted":1}}')],
  ['path name.__proto__', ops('{"op":"replace","path":"name.__proto__","value":{"polluted":1}}')],
  ['path with URN and __proto__', ops(`{"op":"add","path":"${USER}:__proto__","value":{"polluted":1}}`)],
  ['path of an extension __proto__', ops(`{"op":"add","path":"${ENTERPRISE}:__proto__","value":{"polluted":1}}`)],
  ['filter naming __proto__', ops('{"op":"replace","path":"emails[__proto__ eq \\"x\\"].value","value":"x"}')],
  ['sub-attribute after a filter named prototype', ops('{"op":"replace","path":"emails[type eq \\"work\\"].prototype","value":"x"}')],
  ['path-less value with __proto__', ops('{"op":"add","value":{"__proto__":{"polluted":1}}}')],
  ['path-less value with constructor.prototype', ops('{"op":"replace","value":{"constructor":{"prototype":{"polluted":1}}}}')],
  ['path-less dotted key __proto__.polluted', ops('{"op":"replace","value":{"__proto__.polluted":1}}')],
  ['path-less dotted key name.__proto__', ops('{"op":"replace","value":{"name.__proto__":{"polluted":1}}}')],
  ['path-less URN key ending in __proto__', ops(`{"op":"replace","value":{"${USER}:__proto__":{"polluted":1}}}`)],
  ['__proto__ inside a complex value', ops('{"op":"replace","path":"name","value":{"givenName":"B","__proto__":{"polluted":1}}}')],
  ['__proto__ inside an element of a multi-valued value', ops('{"op":"add","path":"emails","value":[{"value":"a@example.com","__proto__":{"polluted":1}}]}')],
  ['Constructor with capitals', ops('{"op":"add","value":{"Constructor":{"Prototype":{"polluted":1}}}}')],
  ['a value-filter key naming __proto__', ops('{"op":"replace","value":{"emails[__proto__ eq \\"x\\"].value":"y"}}')],
  ['a value-filter key with a __proto__ sub-attribute', ops('{"op":"replace","value":{"emails[type eq \\"work\\"].__proto__":{"polluted":1}}}')],
  ['__proto__ in an extension object', ops(`{"op":"add","value":{"${ENTERPRISE}":{"__proto__":{"polluted":1}}}}`)],
];

function raw(c: ReturnType<typeof setup>['c'], method: 'post' | 'put' | 'patch', path: string, body: string) {
  return c.raw()[method](`/scim/v2${path}`).set(AUTH).set('Host', TEST_HOST).set('Content-Type', 'application/scim+json').send(body);
}

describe('prototype pollution through PATCH', () => {
  it.each(PATCH_BODIES)('%s: 400 invalidPath, resource unchanged', async (_name, body) => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen', { emails: [{ value: 'b@example.com', type: 'work' }] });
    const before = await c.get(`/Users/${user.id}`);
    const res = await raw(c, 'patch', `/Users/${user.id}`, body);
    expectScimError(res, 400, 'invalidPath');
    expect((await c.get(`/Users/${user.id}`)).text).toBe(before.text);
  });

  it('a PatchOp whose envelope has __proto__ keys is rejected without pollution', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const res = await raw(c, 'patch', `/Users/${user.id}`, `{"__proto__":{"polluted":1},"schemas":["${PATCH}"],"Operations":[{"op":"add","path":"nickName","value":"x","__proto__":{"polluted":1}}]}`);
    // The input guard refuses forbidden keys in the PatchOp envelope before the engine runs (issue [harden]).
    expectScimError(res, 400, 'invalidSyntax');
    const after = await c.get(`/Users/${user.id}`);
    expect(after.body.nickName).toBeUndefined();
    expect(after.headers.etag).toBe(user.meta.version);
  });
});

describe('prototype pollution through POST, PUT and Bulk', () => {
  it('POST and PUT bodies with __proto__ keys are 400 invalidSyntax', async () => {
    const { c } = setup();
    expectScimError(await raw(c, 'post', '/Users', `{"schemas":["${USER}"],"userName":"x","__proto__":{"polluted":1}}`), 400, 'invalidSyntax');
    expectScimError(await raw(c, 'post', '/Users', `{"schemas":["${USER}"],"userName":"x","name":{"constructor":{"prototype":{"polluted":1}}}}`), 400, 'invalidSyntax');
    const user = await createUser(c, 'bjensen');
    expectScimError(await raw(c, 'put', `/Users/${user.id}`, `{"schemas":["${USER}"],"userName":"x","emails":[{"value":"a@b","__proto__":{"polluted":1}}]}`), 400, 'invalidSyntax');
  });

  it('a Bulk request carrying __proto__ anywhere is refused whole and pollutes nothing', async () => {
    const { c } = setup();
    const user = await createUser(c, 'bjensen');
    const group = await createGroup(c, 'G');
    const body = `{"schemas":["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],"__proto__":{"polluted":1},"Operations":[
      {"method":"POST","path":"/Users","bulkId":"a","data":{"schemas":["${USER}"],"userName":"a","__proto__":{"polluted":1}}},
      {"method":"PUT","path":"/Users/${user.id}","data":{"schemas":["${USER}"],"userName":"bjensen","constructor":{"prototype":{"polluted":1}}}},
      {"method":"PATCH","path":"/Groups/${group.id}","data":${ops('{"op":"add","path":"__proto__.polluted","value":1}')}},
      {"method":"PATCH","path":"/Groups/${group.id}","data":${ops('{"op":"add","value":{"__proto__":{"polluted":1}}}')}},
      {"method":"POST","path":"/Groups","bulkId":"b","__proto__":{"polluted":1},"data":{"schemas":["urn:ietf:params:scim:schemas:core:2.0:Group"],"displayName":"b","members":[{"value":"bulkId:a","__proto__":{"polluted":1}}]}}
    ]}`;
    const res = await c.raw().post('/scim/v2/Bulk').set(AUTH).set('Host', TEST_HOST).set('Content-Type', 'application/scim+json').send(body);
    // A forbidden key anywhere in a BulkRequest refuses the whole request before any operation runs.
    expectScimError(res, 400, 'invalidSyntax');
    expect((await c.get('/Users')).body.totalResults).toBe(1);
    expect((await c.get('/Groups')).body.totalResults).toBe(1);
    expect((await c.get(`/Groups/${group.id}`)).headers.etag).toBe(group.meta.version);
  });
});
