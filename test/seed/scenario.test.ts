import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonSchemaValidator } from '../../src/seed/json-schema.js';
import { findJsonSyntaxError } from '../../src/seed/json-syntax.js';
import {
  DEFAULT_GENERATE,
  emptyScenario,
  loadScenarioFile,
  parseScenario,
  scenarioFor,
  ScenarioError,
  withGenerateOverrides,
} from '../../src/seed/scenario.js';
import { buildDirectory } from '../../src/seed/seed.js';
import { loadGenerator } from '../../src/seed/generator.js';

// Directories are built here from scenarios parsed in the test: the generator (faker) is loaded lazily, so first.
await loadGenerator();

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const DEVICE = 'urn:example:params:scim:schemas:core:2.0:Device';
const ROOT = new URL('../..', import.meta.url).pathname;
const SEEDS = join(ROOT, 'seeds');

/** The message parseScenario throws for a document (or undefined when it loads). */
function errorOf(doc: unknown, source = 'seeds/bad.json'): string | undefined {
  try {
    parseScenario(typeof doc === 'string' ? doc : JSON.stringify(doc), source);
    return undefined;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    return err.message;
  }
}

const gen = (extra: Record<string, unknown>) => ({ generate: { users: 5, groups: 1, ...extra } });
const user = (extra: Record<string, unknown> = {}) => ({ schemas: [USER], userName: 'a@example.com', ...extra });
const device = {
  schemas: [{ id: DEVICE, name: 'Device', attributes: [{ name: 'serialNumber', type: 'string', required: true }] }],
  resourceTypes: [{ name: 'Device', endpoint: '/Devices', schema: DEVICE }],
};
const withAttribute = (attribute: Record<string, unknown>) => ({
  schemas: [{ id: DEVICE, name: 'Device', attributes: [attribute] }],
  resourceTypes: [{ name: 'Device', endpoint: '/Devices', schema: DEVICE }],
});

describe('scenario validation: file, JSON pointer and reason on one line', () => {
  const table: Array<[string, unknown, string]> = [
    ['not JSON', '{\n  "generate": ,\n}', '/: is not valid JSON at line 2, column 15: expected a value (a string, number, object, array, true, false or null)'],
    ['not an object', [], '/: must be a JSON object'],
    ['negative user count', gen({ users: -1 }), '/generate/users: must be a non-negative integer'],
    ['user count as a string', gen({ users: 'ten' }), '/generate/users: must be a non-negative integer'],
    ['fractional user count', gen({ users: 2.5 }), '/generate/users: must be a non-negative integer'],
    ['too many users', gen({ users: 2_000_000 }), '/generate/users: must be at most 1000000'],
    ['missing group count', { generate: { users: 5 } }, '/generate/groups: is required'],
    ['unknown generate key', gen({ usres: 5 }), '/generate/usres: is not a known property; allowed: seed, users, groups, departments, inactiveRatio, nestedGroups, referenceDate, shape'],
    ['fractional seed', gen({ seed: 1.5 }), '/generate/seed: must be an integer'],
    ['inactive ratio above 1', gen({ inactiveRatio: 2 }), '/generate/inactiveRatio: must be at most 1'],
    ['negative inactive ratio', gen({ inactiveRatio: -0.1 }), '/generate/inactiveRatio: must be a number from 0 to 1'],
    ['reference date not RFC 3339', gen({ referenceDate: 'yesterday' }), '/generate/referenceDate: must be an RFC 3339 date-time such as "2025-01-01T00:00:00.000Z"'],
    ['reference date before 1980', gen({ referenceDate: '1970-01-01T00:00:00Z' }), '/generate/referenceDate: must be a real date-time from 1980 on'],
    ['impossible reference date', gen({ referenceDate: '2025-13-45T00:00:00Z' }), '/generate/referenceDate: must be a real date-time from 1980 on'],
    ['unknown shape', gen({ shape: 'ping' }), '/generate/shape: must be one of "generic", "entra", "okta"'],
    ['repeated department', gen({ departments: ['Sales', 'Legal', 'Sales'] }), '/generate/departments/2: repeats item 0; items must be unique'],
    ['empty department list', gen({ departments: [] }), '/generate/departments: must be an array of at least 1 item'],
    ['empty department name', gen({ departments: [''] }), '/generate/departments/0: must be a non-empty string'],
    ['unknown top-level key', { bogus: 1 }, '/bogus: is not a known property; allowed: $schema, description, generate, users, groups, options, faults, schemas, resourceTypes, resources'],
    ['description not a string', { description: 5 }, '/description: must be a string'],
    ['forbidden key', '{"users": [{"__proto__": {"admin": true}}]}', '/users/0/__proto__: the key "__proto__" is not allowed'],
    ['forbidden key deep', { generate: { users: 1, groups: 1 }, options: { constructor: 1 } }, '/options/constructor: the key "constructor" is not allowed'],
    ['user not an object', { users: ['bjensen'] }, '/users/0: must be a SCIM User representation (a JSON object)'],
    ['user without userName', { users: [{ schemas: [USER] }] }, '/users/0: Attribute "userName" is required for a User.'],
    ['user with a wrong type', { users: [user({ active: 'yes' })] }, '/users/0: Attribute "active" must be a JSON boolean (true or false), but the request has string "yes".'],
    ['user without schemas', { users: [{ userName: 'a' }] }, '/users/0: The "schemas" attribute must be an array of schema URIs that includes "urn:ietf:params:scim:schemas:core:2.0:User".'],
    ['bad fixed id', { users: [user({ id: 'a b' })] }, '/users/0/id: must be an id of 1 to 128 letters, digits, ".", "_", "~" or "-"'],
    ['repeated fixed id', { users: [user({ id: 'x' }), user({ id: 'x', userName: 'b' })] }, '/users/1/id: "x" is already the id of /users/0; ids are unique across all resources'],
    ['member reference with two keys', { groups: [{ schemas: [GROUP], displayName: 'G', members: [{ userName: 'a', value: 'b' }] }] }, '/groups/0/members/0: must be an object with exactly one of "userName", "displayName" (a group) or "value" (an id)'],
    ['member reference with an unknown key', { groups: [{ schemas: [GROUP], displayName: 'G', members: [{ id: 'b' }] }] }, '/groups/0/members/0/id: is not a known property; allowed: userName, displayName, value'],
    ['member reference in other letter case', { groups: [{ schemas: [GROUP], displayName: 'G', Members: [{ id: 'b' }] }] }, '/groups/0/Members/0: must be an object with exactly one of "userName", "displayName" (a group) or "value" (an id)'],
    ['group without displayName', { groups: [{ schemas: [GROUP], members: [] }] }, '/groups/0: Attribute "displayName" is required for a Group.'],
    ['unknown profile', { options: { profile: 'azure' } }, '/options/profile: must be one of "lenient", "rfc", "entra", "okta"'],
    ['page sizes out of order', { options: { defaultPageSize: 500, maxPageSize: 100 } }, '/options/defaultPageSize: must not exceed maxPageSize'],
    ['unknown auth mode', { options: { auth: { mode: 'digest' } } }, '/options/auth/mode: must be one of "bearer", "basic", "none"'],
    ['empty token', { options: { auth: { token: '' } } }, '/options/auth/token: must be a non-empty string'],
    ['bad PATCH status', { options: { patchStatus: { Group: 201 } } }, '/options/patchStatus/Group: must be one of 200, 204'],
    ['unknown option', { options: { pageSize: 5 } }, '/options/pageSize: is not a known property; allowed: profile, auth, defaultPageSize, maxPageSize, patchStatus, groupDisplayNameUnique, warningsHeader, cursorTimeout, advertisePagination'],
    ['fault without action', { faults: [{ probability: 1 }] }, '/faults/0/action: is required, e.g. { "type": "error", "status": 503 }'],
    ['fault with a bad status', { faults: [{ action: { type: 'error', status: 99 } }] }, '/faults/0/action/status: must be an integer from 400 to 599'],
    ['repeated fault id', { faults: [{ id: 'a', action: { type: 'reset' } }, { id: 'a', action: { type: 'reset' } }] }, '/faults/1/id: "a" is already used by another fault rule'],
    ['fault not an object', { faults: ['slow'] }, '/faults/0: must be a fault rule (a JSON object with at least an "action")'],
    ['schema id not a URN', { ...device, schemas: [{ ...device.schemas[0], id: 'Device' }] }, '/schemas/0/id: must be a schema URN such as "urn:example:params:scim:schemas:extension:acme:2.0:User"'],
    ['redefined built-in schema', { schemas: [{ id: USER, name: 'User', attributes: [{ name: 'x', type: 'string' }] }] }, `/schemas/0/id: "${USER}" is a built-in schema; give the custom schema its own URN`],
    ['schema without attributes', { ...device, schemas: [{ id: DEVICE, name: 'Device', attributes: [] }] }, '/schemas/0/attributes: must be an array of at least 1 item'],
    ['unused schema', { schemas: device.schemas }, `/schemas/0: schema "${DEVICE}" is used by no resource type; name it as the "schema" or in the "schemaExtensions" of a resourceTypes entry`],
    ['unknown attribute type', withAttribute({ name: 'x', type: 'text' }), '/schemas/0/attributes/0/type: must be one of "string", "boolean", "decimal", "integer", "dateTime", "binary", "reference", "complex"'],
    ['attribute name starting with a digit', withAttribute({ name: '1x', type: 'string' }), '/schemas/0/attributes/0/name: must be an attribute name: a letter, then letters, digits, "-" or "_" (RFC 7643 section 2.1)'],
    ['attribute name with a dot', withAttribute({ name: 'a.b', type: 'string' }), '/schemas/0/attributes/0/name: must be an attribute name: a letter, then letters, digits, "-" or "_" (RFC 7643 section 2.1)'],
    ['unknown mutability', withAttribute({ name: 'x', type: 'string', mutability: 'sometimes' }), '/schemas/0/attributes/0/mutability: must be one of "readOnly", "readWrite", "immutable", "writeOnly"'],
    ['unknown returned', withAttribute({ name: 'x', type: 'string', returned: 'maybe' }), '/schemas/0/attributes/0/returned: must be one of "always", "never", "default", "request"'],
    ['unknown uniqueness', withAttribute({ name: 'x', type: 'string', uniqueness: 'tenant' }), '/schemas/0/attributes/0/uniqueness: must be one of "none", "server", "global"'],
    ['multiValued not a boolean', withAttribute({ name: 'x', type: 'string', multiValued: 'yes' }), '/schemas/0/attributes/0/multiValued: must be true or false'],
    ['unknown characteristic', withAttribute({ name: 'x', type: 'string', indexed: true }), '/schemas/0/attributes/0/indexed: is not a known property; allowed: name, type, multiValued, description, required, caseExact, mutability, returned, uniqueness, canonicalValues, referenceTypes, subAttributes'],
    ['complex without sub-attributes', withAttribute({ name: 'x', type: 'complex' }), '/schemas/0/attributes/0/subAttributes: must be a non-empty array of attribute definitions for a complex attribute'],
    ['sub-attributes on a string', withAttribute({ name: 'x', type: 'string', subAttributes: [{ name: 'y', type: 'string' }] }), '/schemas/0/attributes/0/subAttributes: applies only to attributes of type "complex"'],
    ['complex inside complex', withAttribute({ name: 'x', type: 'complex', subAttributes: [{ name: 'y', type: 'complex', subAttributes: [{ name: 'z', type: 'string' }] }] }), '/schemas/0/attributes/0/subAttributes/0/type: cannot be "complex" in a sub-attribute: a complex attribute has no complex sub-attributes (RFC 7643 section 2.3.8)'],
    ['unique complex attribute', withAttribute({ name: 'x', type: 'complex', uniqueness: 'server', subAttributes: [{ name: 'y', type: 'string' }] }), '/schemas/0/attributes/0/uniqueness: must be "none" for a complex attribute (RFC 7643 section 2.3.8, erratum 6004)'],
    ['reference without referenceTypes', withAttribute({ name: 'x', type: 'reference' }), '/schemas/0/attributes/0/referenceTypes: is required for a reference attribute: list the resource types it may name, "external" or "uri"'],
    ['referenceTypes naming nothing', withAttribute({ name: 'x', type: 'reference', referenceTypes: ['Printer'] }), '/schemas/0/attributes/0/referenceTypes/0: must be "external", "uri" or the name of a resource type (User, Group, Device)'],
    ['referenceTypes on a string', withAttribute({ name: 'x', type: 'string', referenceTypes: ['User'] }), '/schemas/0/attributes/0/referenceTypes: applies only to attributes of type "reference"'],
    ['$ref at the top level', withAttribute({ name: '$ref', type: 'reference', referenceTypes: ['User'] }), '/schemas/0/attributes/0/name: must be an attribute name: a letter, then letters, digits, "-" or "_" (RFC 7643 section 2.1)'],
    ['uniqueness on an extension attribute', { schemas: [{ id: 'urn:example:ext', name: 'Ext', attributes: [{ name: 'badge', type: 'string', uniqueness: 'server' }] }], resourceTypes: [{ name: 'User', schemaExtensions: [{ schema: 'urn:example:ext' }] }] }, '/schemas/0/attributes/0/uniqueness: must be "none": uniqueness is enforced only on single-valued string attributes of a resource type\'s core schema'],
    ['uniqueness on an integer', withAttribute({ name: 'n', type: 'integer', uniqueness: 'server' }), '/schemas/0/attributes/0/uniqueness: must be "none": uniqueness is enforced only on single-valued string attributes of a resource type\'s core schema'],
    ['uniqueness on a multi-valued string', withAttribute({ name: 'n', type: 'string', multiValued: true, uniqueness: 'global' }), '/schemas/0/attributes/0/uniqueness: must be "none": uniqueness is enforced only on single-valued string attributes of a resource type\'s core schema'],
    // The core schema of Device listed as a User extension too: /Schemas would say serialNumber is unique on Users,
    // where no index looks (two Users with the same value were both created).
    ['unique attribute of a core schema that is also an extension', { ...withAttribute({ name: 'serialNumber', type: 'string', uniqueness: 'server' }), resourceTypes: [{ name: 'User', schemaExtensions: [{ schema: DEVICE }] }, { name: 'Device', endpoint: '/Devices', schema: DEVICE }] }, `/schemas/0/attributes/0/uniqueness: must be "none": "${DEVICE}" is also an extension of User, where uniqueness is not enforced; give the extension its own schema`],
    ['uniqueness on a sub-attribute', withAttribute({ name: 'x', type: 'complex', subAttributes: [{ name: 'y', type: 'string', uniqueness: 'server' }] }), '/schemas/0/attributes/0/subAttributes/0/uniqueness: must be "none": uniqueness is not enforced on sub-attributes'],
    ['writeOnly but returned', withAttribute({ name: 'secret', type: 'string', mutability: 'writeOnly', returned: 'default' }), '/schemas/0/attributes/0/returned: must be "never" for a writeOnly attribute: its values are never returned (RFC 7643 section 7)'],
    ['attribute defined twice', { ...device, schemas: [{ id: DEVICE, name: 'Device', attributes: [{ name: 'tag', type: 'string' }, { name: 'Tag', type: 'string' }] }] }, '/schemas/0/attributes/1/name: "Tag" is defined twice (attribute names are case-insensitive)'],
    ['core schema redefining id', { ...device, schemas: [{ id: DEVICE, name: 'Device', attributes: [{ name: 'id', type: 'string' }] }] }, '/schemas/0/attributes/0/name: "id" is a common attribute of every resource (RFC 7643 section 3.1); a core schema must not define it'],
    ['endpoint taken by Users', { ...device, resourceTypes: [{ name: 'Device', endpoint: '/users', schema: DEVICE }] }, '/resourceTypes/0/endpoint: "/users" is already the endpoint of the built-in User type (endpoints are case-insensitive)'],
    ['endpoint reserved by the protocol', { ...device, resourceTypes: [{ name: 'Device', endpoint: '/Schemas', schema: DEVICE }] }, '/resourceTypes/0/endpoint: "/Schemas" is served by the SCIM protocol itself; pick another path'],
    ['endpoint with two segments', { ...device, resourceTypes: [{ name: 'Device', endpoint: '/a/b', schema: DEVICE }] }, '/resourceTypes/0/endpoint: must be an endpoint path such as "/Devices": "/", a letter, then letters, digits, "-" or "_"'],
    ['resource type schema not declared', { ...device, resourceTypes: [{ name: 'Device', endpoint: '/Devices', schema: 'urn:example:nothing' }] }, '/resourceTypes/0/schema: "urn:example:nothing" is not a declared schema; add it to "schemas"'],
    ['resource type on a built-in schema', { resourceTypes: [{ name: 'Person', endpoint: '/People', schema: USER }] }, `/resourceTypes/0/schema: "${USER}" is a built-in schema; a new resource type needs its own core schema`],
    // Its resources would carry meta.resourceType "Schema", as the documents of /Schemas do.
    ['resource type named like a discovery document', { ...device, resourceTypes: [{ name: 'Schema', endpoint: '/Devices', schema: DEVICE }] }, '/resourceTypes/0/name: "Schema" is the meta.resourceType of a discovery document (RFC 7643 sections 5-7); pick another name'],
    ['resource type named ResourceType in another case', { ...device, resourceTypes: [{ name: 'resourceType', endpoint: '/Devices', schema: DEVICE }] }, '/resourceTypes/0/name: "resourceType" is the meta.resourceType of a discovery document (RFC 7643 sections 5-7); pick another name'],
    ['resource type declared twice', { ...device, resourceTypes: [device.resourceTypes[0], { name: 'device', endpoint: '/Devices2', schema: DEVICE }] }, '/resourceTypes/1/name: "device" is declared twice (also at /resourceTypes/0)'],
    ['built-in type with another endpoint', { resourceTypes: [{ name: 'User', endpoint: '/People', schemaExtensions: [] }] }, '/resourceTypes/0/endpoint: must be "/Users": a built-in resource type keeps its endpoint'],
    ['built-in type without a new extension', { resourceTypes: [{ name: 'User', schemaExtensions: [] }] }, '/resourceTypes/0/schemaExtensions: must add at least one custom extension schema to the built-in User type'],
    ['extension that is not declared', { resourceTypes: [{ name: 'Group', schemaExtensions: [{ schema: 'urn:example:ext' }] }] }, '/resourceTypes/0/schemaExtensions/0/schema: "urn:example:ext" is not a declared schema; add it to "schemas"'],
    ['resources of an unknown type', { resources: { Printer: [] } }, '/resources/Printer: there is no resource type "Printer"; declare it in "resourceTypes"'],
    ['users under resources', { resources: { User: [] } }, '/resources/User: put literal Users in "users"'],
    ['literal device missing a required attribute', { ...device, resources: { Device: [{ schemas: [DEVICE] }] } }, '/resources/Device/0: Attribute "serialNumber" is required for a Device.'],
    ['literal device with a wrong core schema', { ...device, resources: { Device: [{ schemas: [USER], serialNumber: 'x' }] } }, `/resources/Device/0: The "schemas" attribute must include the core schema "${DEVICE}" for a Device.`],
  ];

  it.each(table)('%s', (_name, doc, expected) => {
    const message = errorOf(doc);
    expect(message, 'the scenario should have been rejected').toBeDefined();
    expect(message!.split('\n')).toHaveLength(1);
    expect(message!.startsWith(`seeds/bad.json: ${expected}`), message).toBe(true);
  });

  it.each([
    ['{"a": [1, 2, }', 'line 1, column 14: expected a value'],
    ['{"a" 1}', 'line 1, column 6: expected ":" after the property name'],
    ['{\n  "a": 1\n  "b": 2\n}', 'line 3, column 3: expected "," or "}"'],
    ['[1,2', 'line 1, column 5: unexpected end of input: expected "," or "]"'],
    ['{"a": "x\ny"}', 'line 1, column 9: control character in a string'],
    ['{"a": "\\q"}', 'line 1, column 8: invalid escape "\\q" in a string'],
    ['{"a": tru}', 'line 1, column 7: expected a value'],
    ['{a: 1}', 'line 1, column 2: expected a property name in double quotes'],
    ['{} {}', 'line 1, column 4: unexpected text after the JSON value'],
    ['{"a": "open', 'line 1, column 7: unterminated string'],
    ['', 'line 1, column 1: unexpected end of input: expected a value'],
  ])('names the line and column of a JSON syntax error: %j', (text, expected) => {
    expect(errorOf(text)).toContain(`seeds/bad.json: /: is not valid JSON at ${expected}`);
  });

  it('rejects nesting deeper than 64 levels without overflowing the stack', () => {
    const deep = '['.repeat(10_000) + ']'.repeat(10_000);
    expect(errorOf(`{"users": [{"schemas": ["${USER}"], "userName": "a", "x": ${deep}}]}`)).toMatch(/^seeds\/bad\.json: \/users\/0\/x(\/0)+: is nested more than 64 levels deep$/);
  });

  it('patchStatus names resource types in any case, its own custom ones included, and no other', () => {
    expect(errorOf({ options: { patchStatus: { user: 204 } } })).toBeUndefined();
    expect(errorOf({ ...device, options: { patchStatus: { device: 204 } } })).toBeUndefined();
    expect(parseScenario(JSON.stringify({ ...device, options: { patchStatus: { device: 204 } } }), 'x.json').options).toEqual({ patchStatus: { device: 204 } });
    expect(errorOf({ options: { patchStatus: { Device: 204 } } })).toBe('seeds/bad.json: /options/patchStatus/Device: there is no resource type "Device"; the resource types are User, Group');
  });

  it('escapes "/" and "~" in pointer tokens (RFC 6901)', () => {
    expect(errorOf({ resources: { 'a/b~c': [] } })).toBe('seeds/bad.json: /resources/a~1b~0c: there is no resource type "a/b~c"; declare it in "resourceTypes"');
  });

  it('accepts a minimal, an empty and a full scenario', () => {
    expect(errorOf({})).toBeUndefined();
    expect(errorOf(gen({}))).toBeUndefined();
    expect(errorOf({ $schema: './scenario.schema.json', description: 'x', ...gen({ seed: -3, departments: ['A'], inactiveRatio: 0, nestedGroups: false, referenceDate: '2030-06-01T12:00:00+02:00', shape: 'okta' }) })).toBeUndefined();
  });

  it('fills the generate defaults and keeps what the file says', () => {
    const s = parseScenario(JSON.stringify({ generate: { users: 3, groups: 2, shape: 'entra' } }), 'x.json');
    expect(s.generate).toEqual({ seed: 1, users: 3, groups: 2, shape: 'entra' });
    expect(s.source).toBe('x.json');
    expect(parseScenario({ generate: { users: 3, groups: 2 } }, 'parsed')).toMatchObject({ generate: { seed: 1 } });
  });
});

describe('seed-time checks (they need the seeded store) name the pointer too', () => {
  const seedError = (doc: unknown): string => {
    try {
      buildDirectory(parseScenario(JSON.stringify(doc), 'seeds/bad.json'));
    } catch (err) {
      if (err instanceof ScenarioError) return err.message;
      throw err;
    }
    throw new Error('expected the scenario to fail when seeding');
  };
  const group = (members: unknown[], displayName = 'G') => ({ schemas: [GROUP], displayName, members });

  it('a member userName that nobody has', () => {
    expect(seedError({ groups: [group([{ userName: 'nobody@example.com' }])] })).toBe(
      'seeds/bad.json: /groups/0/members/0: there is no user with userName "nobody@example.com" (literal users and generated ones are searched)',
    );
  });

  it('a nested group declared after the group that contains it', () => {
    expect(seedError({ groups: [group([{ displayName: 'Inner' }], 'Outer'), group([], 'Inner')] })).toBe(
      'seeds/bad.json: /groups/0/members/0: the group "Inner" is declared later (/groups/1); declare a nested group before the groups that contain it',
    );
  });

  it('a member id that does not exist', () => {
    expect(seedError({ groups: [group([{ value: 'missing' }])] })).toBe('seeds/bad.json: /groups/0: members value "missing" does not reference an existing User or Group.');
  });

  it('two literal users with the same userName (case-insensitively)', () => {
    expect(seedError({ users: [user({ id: 'one' }), user({ userName: 'A@EXAMPLE.COM' })] })).toBe(
      'seeds/bad.json: /users/1: userName "A@EXAMPLE.COM" is already taken by User "one" (compared case-insensitively).',
    );
  });

  it('a clash with a resource whose id the file does not hold names its entry, or says it was generated', () => {
    expect(seedError({ users: [user(), user({ userName: 'A@EXAMPLE.COM' })] })).toBe(
      'seeds/bad.json: /users/1: userName "A@EXAMPLE.COM" is already taken by the User at /users/0 (compared case-insensitively).',
    );
    const scenario = parseScenario(JSON.stringify(gen({})), 'x.json');
    const generated = buildDirectory(scenario).resources.User![0]!;
    expect(seedError({ ...gen({}), users: [user({ userName: generated.userName })] })).toBe(
      `seeds/bad.json: /users/0: userName "${generated.userName as string}" is already taken by a generated User (id "${generated.id as string}") (compared case-insensitively).`,
    );
  });

  it('a fixed id that a generated resource already has', () => {
    const scenario = parseScenario(JSON.stringify(gen({})), 'x.json');
    const generatedId = buildDirectory(scenario).resources.User![0]!.id as string;
    expect(seedError({ ...gen({}), users: [user({ id: generatedId })] })).toBe(
      `seeds/bad.json: /users/0/id: "${generatedId}" is already the id of a User; ids are unique across all resources`,
    );
  });

  it('two groups with one displayName make a displayName reference ambiguous', () => {
    expect(seedError({ groups: [group([], 'Twin'), group([], 'twin'), group([{ displayName: 'TWIN' }], 'Outer')] })).toBe(
      'seeds/bad.json: /groups/2/members/0: 2 groups are named "TWIN"; name the member by "value" (its id) instead',
    );
  });
});

describe('loadScenarioFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'scimulator-scenario-'));

  it('names the file in errors, including a missing file', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify(gen({ users: -5 })));
    await expect(loadScenarioFile(bad)).rejects.toThrow(`${bad}: /generate/users: must be a non-negative integer`);
    await expect(loadScenarioFile(join(dir, 'nope.json'))).rejects.toThrow(`${join(dir, 'nope.json')}: /: no such file`);
    await expect(loadScenarioFile(dir)).rejects.toThrow(`${dir}: /: is a directory, not a scenario file`);
  });

  it('accepts a UTF-8 byte order mark', async () => {
    const bom = join(dir, 'bom.json');
    writeFileSync(bom, '\ufeff' + JSON.stringify(gen({})));
    expect((await loadScenarioFile(bom)).generate?.users).toBe(5);
  });

  it('loads every shipped seed file', async () => {
    const files = readdirSync(SEEDS).filter((f) => f.endsWith('.json') && f !== 'scenario.schema.json');
    expect(files.sort()).toEqual(['custom-device.json', 'default.json', 'empty.json', 'entra-like.json', 'large.json', 'okta-like.json', 'outage.json']);
    for (const file of files) {
      const scenario = await loadScenarioFile(join(SEEDS, file));
      expect(scenario.source).toBe(join(SEEDS, file));
      expect(scenario.description, file).toMatch(/\w/);
    }
    const large = await loadScenarioFile(join(SEEDS, 'large.json'));
    expect(large.generate).toMatchObject({ users: 100_000, groups: 2_000 });
    const dflt = await loadScenarioFile(join(SEEDS, 'default.json'));
    expect(dflt.generate).toEqual({ seed: 1, users: 50, groups: 8 });
  });
});

describe('generate overrides (--seed, --users, --groups; the control API fields)', () => {
  it('override the file, keep the rest', () => {
    const file = parseScenario({ generate: { seed: 4, users: 10, groups: 2, shape: 'okta' } }, 'f.json');
    expect(withGenerateOverrides(file, { users: 3 }).generate).toEqual({ seed: 4, users: 3, groups: 2, shape: 'okta' });
    expect(withGenerateOverrides(file, { seed: 9, groups: 0 }).generate).toEqual({ seed: 9, users: 10, groups: 0, shape: 'okta' });
    expect(withGenerateOverrides(file, {})).toBe(file);
  });

  it('without a generate block: counts create one (50 users, 8 groups by default); a seed alone only seeds literal ids', () => {
    const empty = emptyScenario('e');
    expect(withGenerateOverrides(empty, { users: 7 }).generate).toEqual({ seed: 1, users: 7, groups: 8 });
    expect(withGenerateOverrides(empty, { seed: 3 }).generate).toEqual({ seed: 3, users: 0, groups: 0 });
  });

  it('flags alone generate the default directory; --users without --seed uses seed 1', async () => {
    expect((await scenarioFor({})).generate).toEqual({ ...DEFAULT_GENERATE });
    expect((await scenarioFor({ users: 20 })).generate).toEqual({ seed: 1, users: 20, groups: 8 });
    expect((await scenarioFor({ seed: 6 })).generate).toEqual({ seed: 6, users: 50, groups: 8 });
    expect((await scenarioFor({ file: join(SEEDS, 'large.json'), users: 100, groups: 5 })).generate).toEqual({ seed: 1, users: 100, groups: 5 });
  });

  it('rejects bad numbers', () => {
    const empty = emptyScenario('e');
    expect(() => withGenerateOverrides(empty, { users: -1 })).toThrow('users must be an integer from 0 to 1000000, got -1');
    expect(() => withGenerateOverrides(empty, { groups: 1.5 })).toThrow('groups must be an integer from 0 to 100000, got 1.5');
    expect(() => withGenerateOverrides(empty, { seed: Number.NaN })).toThrow('seed must be an integer, got NaN');
  });
});

describe('the small JSON Schema validator', () => {
  it('compiles seeds/scenario.schema.json, a draft 2020-12 schema', () => {
    const schema = JSON.parse(readFileSync(join(SEEDS, 'scenario.schema.json'), 'utf8'));
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(() => new JsonSchemaValidator(schema)).not.toThrow();
  });

  it('refuses keywords it does not apply, and unresolvable references', () => {
    expect(() => new JsonSchemaValidator({ type: 'object', oneOf: [] })).toThrow('unsupported keyword "oneOf"');
    expect(() => new JsonSchemaValidator({ properties: { a: { anyOf: [] } } })).toThrow('#/properties/a: unsupported keyword "anyOf"');
    expect(() => new JsonSchemaValidator({ $ref: '#/$defs/missing' })).toThrow('cannot resolve $ref "#/$defs/missing"');
    expect(() => new JsonSchemaValidator({ $ref: 'http://example.com/x.json' })).toThrow('cannot resolve');
  });

  it('reports the first problem with its pointer', () => {
    const v = new JsonSchemaValidator({
      type: 'object',
      required: ['a'],
      properties: { a: { type: 'array', items: { $ref: '#/$defs/n' }, maxItems: 3 }, b: { const: 'x' } },
      additionalProperties: false,
      $defs: { n: { type: 'integer', minimum: 1, maximum: 9 } },
    });
    expect(v.validate({ a: [1, 2] })).toBeUndefined();
    expect(v.validate({})).toEqual({ pointer: '/a', reason: 'is required' });
    expect(v.validate({ a: [1, 0] })).toEqual({ pointer: '/a/1', reason: 'must be a positive integer' });
    expect(v.validate({ a: [1, 10] })).toEqual({ pointer: '/a/1', reason: 'must be at most 9' });
    expect(v.validate({ a: [1, 2, 3, 4] })).toEqual({ pointer: '/a', reason: 'must have at most 3 items' });
    expect(v.validate({ a: [], b: 'y' })).toEqual({ pointer: '/b', reason: 'must be "x"' });
    expect(v.validate({ a: [], c: 1 })).toEqual({ pointer: '/c', reason: 'is not a known property; allowed: a, b' });
    expect(v.validate('x')).toEqual({ pointer: '', reason: 'must be a JSON object' });
  });
});

describe('findJsonSyntaxError agrees with JSON.parse', () => {
  const parses = (text: string) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };

  it('finds nothing in any JSON.stringify output', () => {
    fc.assert(fc.property(fc.jsonValue(), fc.constantFrom(undefined, 2), (value, space) => {
      expect(findJsonSyntaxError(JSON.stringify(value, null, space))).toBeUndefined();
    }), { numRuns: 300 });
  });

  it('finds an error exactly when JSON.parse fails, on mangled JSON', () => {
    const mangled = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', '\n', 'x', '{', '[', ' ', '0', '-', 'tru')).map(([json, at, insert]) => {
      const i = at % (json.length + 1);
      return json.slice(0, i) + insert + json.slice(i + (insert === '' ? 1 : 0));
    });
    fc.assert(fc.property(mangled, (text) => {
      expect(findJsonSyntaxError(text) === undefined, JSON.stringify(text)).toBe(parses(text));
    }), { numRuns: 2000 });
  });
});
