/** The linter as a pure function: RFC-clean vectors, schema awareness, unfixable shapes, safety. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_FINDINGS_PER_CODE, normaliseRequest, type RequestShape } from '../../src/profiles/normalise.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import type { AttributeDef } from '../../src/scim/schemas/types.js';
import { ENTERPRISE, GROUP, PATCH_OP, USER, BULK } from './helpers.js';

const registry = SchemaRegistry.builtIn();
const user = registry.resourceType('User')!;
const group = registry.resourceType('Group')!;

const patchShape = (schema: typeof user, Operations: unknown[], resourceId = 'id1'): RequestShape => ({
  operation: 'patch',
  schema,
  resourceId,
  body: { schemas: [PATCH_OP], Operations },
  query: {},
});
const codes = (shape: RequestShape) => normaliseRequest(shape).findings.map((f) => f.code);

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

describe('RFC 7644 section 3.5.2 examples are clean (no findings, body untouched)', () => {
  const vectors: Array<[string, typeof user, unknown[]]> = [
    ['3.5.2.1 add a member', group, [{ op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223...413861904646', value: '2819c223-7f76-453a-919d-413861904646' }] }]],
    ['3.5.2.1 add without path', user, [{ op: 'add', value: { emails: [{ value: 'babs@jensen.org', type: 'home' }], nickName: 'Babs' } }]],
    ['3.5.2.2 remove one member', group, [{ op: 'remove', path: 'members[value eq "2819c223-7f76-...413861904646"]' }]],
    ['3.5.2.2 remove all members', group, [{ op: 'remove', path: 'members' }]],
    ['3.5.2.2 remove by a complex filter', user, [{ op: 'remove', path: 'emails[type eq "work" and value ew "example.com"]' }]],
    ['3.5.2.2 remove all, then add', group, [{ op: 'remove', path: 'members' }, { op: 'add', path: 'members', value: [{ display: 'Babs Jensen', $ref: 'https://example.com/v2/Users/2819c223', value: '2819c223' }, { display: 'James Smith', $ref: 'https://example.com/v2/Users/08e1d05d', value: '08e1d05d' }] }]],
    ['3.5.2.2 remove the manager', user, [{ op: 'remove', path: `${ENTERPRISE}:manager` }]],
    ['3.5.2.3 replace members', group, [{ op: 'replace', path: 'members', value: [{ display: 'Babs Jensen', value: '2819c223' }] }]],
    ['3.5.2.3 replace a work address', user, [{ op: 'replace', path: 'addresses[type eq "work"]', value: { type: 'work', streetAddress: '911 Universal City Plaza', locality: 'Hollywood', region: 'CA', postalCode: '91608', country: 'US', formatted: '911 Universal City Plaza\nHollywood, CA 91608 US', primary: true } }]],
    ['3.5.2.3 replace a sub-attribute through a filter', user, [{ op: 'replace', path: 'addresses[type eq "work"].streetAddress', value: '1010 Broadway Ave' }]],
    ['3.5.2.3 replace without path', user, [{ op: 'replace', value: { emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }], nickName: 'Babs' } }]],
    ['extension object as a value key', user, [{ op: 'replace', value: { [ENTERPRISE]: { employeeNumber: '701984', manager: { value: '26118915' } } } }]],
    ['extension object as the path', user, [{ op: 'add', path: ENTERPRISE, value: { department: 'Tour Operations' } }]],
    ["Okta's deactivation", user, [{ op: 'replace', value: { active: false } }]],
    ["Okta's membership change", group, [{ op: 'remove', path: 'members[value eq "u1"]' }, { op: 'add', path: 'members', value: [{ value: 'u2', display: 'u2@x.org' }] }]],
  ];
  for (const [name, schema, ops] of vectors) {
    it(name, () => {
      const shape = deepFreeze(patchShape(schema, ops));
      const result = normaliseRequest(shape);
      expect(result.findings).toEqual([]);
      expect(result.body).toEqual(shape.body);
    });
  }

  it('the RFC 7643 section 8.2 full user (PUT) is clean', () => {
    const body = {
      schemas: [USER, ENTERPRISE],
      externalId: '701984',
      userName: 'bjensen@example.com',
      name: { formatted: 'Ms. Barbara J Jensen, III', familyName: 'Jensen', givenName: 'Barbara', middleName: 'Jane', honorificPrefix: 'Ms.', honorificSuffix: 'III' },
      displayName: 'Babs Jensen',
      emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }],
      active: true,
      [ENTERPRISE]: { employeeNumber: '701984', costCenter: '4130', manager: { value: '26118915-6090-4610-87e4-49d8ca9f808d', $ref: '../Users/26118915-6090-4610-87e4-49d8ca9f808d', displayName: 'John Smith' } },
    };
    const result = normaliseRequest({ operation: 'replace', schema: user, resourceId: 'x', mediaType: 'application/scim+json', body, query: {} });
    expect(result.findings).toEqual([]);
    expect(result.bodyChanged).toBe(false);
  });

  it('a quoted filter is not rewritten', () => {
    const result = normaliseRequest({ operation: 'list', schema: user, body: undefined, query: { filter: 'userName eq "bjensen" and emails[type eq "work"]' } });
    expect(result.findings).toEqual([]);
    expect(result.query).toBeUndefined();
  });
});

describe('schema awareness', () => {
  it('"True" stays a string where the attribute is a string, and unknown attributes are left alone', () => {
    const result = normaliseRequest(patchShape(user, [{ op: 'replace', value: { displayName: 'True', nickName: 'false', unknownThing: 'true' } }]));
    expect(result.findings).toEqual([]);
    expect(result.body).toEqual({ schemas: [PATCH_OP], Operations: [{ op: 'replace', value: { displayName: 'True', nickName: 'false', unknownThing: 'true' } }] });
  });

  it('strings other than true/false in a boolean are left for the core to reject', () => {
    const result = normaliseRequest(patchShape(user, [{ op: 'replace', path: 'active', value: 'yes' }]));
    expect(result.findings).toEqual([]);
  });

  it('number-string: integer and decimal attributes of a custom schema', () => {
    const attr = (name: string, type: AttributeDef['type']): AttributeDef => ({
      name, type, multiValued: false, description: '', required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none',
    });
    const ext = { id: 'urn:example:params:scim:schemas:extension:Device:2.0:Badge', name: 'Badge', description: '', attributes: [attr('level', 'integer'), attr('score', 'decimal'), attr('code', 'string')] };
    const custom = new SchemaRegistry([...registry.schemas(), ext], [{ name: 'User', endpoint: '/Users', description: '', schema: USER, schemaExtensions: [{ schema: ext.id, required: false }] }]);
    const schema = custom.resourceType('User')!;
    const result = normaliseRequest({
      operation: 'create',
      schema,
      body: { schemas: [USER, ext.id], userName: 'b', [ext.id]: { level: '42', score: '-1.5e2', code: '7' } },
      query: {},
    });
    expect(result.findings.map((f) => [f.code, f.rfc])).toEqual([
      ['number-string', 'RFC 7643 2.3.4'],
      ['number-string', 'RFC 7643 2.3.3'],
    ]);
    expect(result.body).toEqual({ schemas: [USER, ext.id], userName: 'b', [ext.id]: { level: 42, score: -150, code: '7' } });
    const notANumber = normaliseRequest({ operation: 'create', schema, body: { schemas: [USER], userName: 'b', [ext.id]: { level: '4.2', score: 'NaN' } }, query: {} });
    expect(notANumber.findings).toEqual([]);
  });

  it('PascalCase in filters, PATCH paths and value filters', () => {
    expect(codes({ operation: 'list', schema: user, body: undefined, query: { FILTER: 'UserName eq "b" and Emails[Type eq "work"].Value pr' } })).toEqual([
      'attribute-case', 'attribute-case', 'attribute-case', 'attribute-case',
    ]);
    expect(codes(patchShape(user, [{ op: 'replace', path: 'name.FamilyName', value: 'J' }]))).toEqual(['attribute-case']);
    expect(codes(patchShape(user, [{ op: 'replace', path: `${ENTERPRISE}:Manager`, value: { value: 'm' } }]))).toEqual(['attribute-case']);
    expect(codes(patchShape(user, [{ op: 'replace', path: 'emails[Type eq "work"].Value', value: 'w@x.org' }]))).toEqual(['attribute-case', 'attribute-case']);
  });

  it('message keys in another case are renamed (Op, Path, Value)', () => {
    const result = normaliseRequest(patchShape(user, [{ OP: 'replace', Path: 'displayName', VALUE: 'x' }]));
    expect(result.findings.map((f) => f.code)).toEqual(['attribute-case', 'attribute-case', 'attribute-case']);
    expect(result.body).toEqual({ schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] });
  });

  it('a patch-readonly id that differs from the URL is left for the PATCH engine', () => {
    const result = normaliseRequest(patchShape(group, [{ op: 'replace', value: { id: 'other', displayName: 'x' } }], 'id1'));
    expect(result.findings).toEqual([]);
    expect(result.bodyChanged).toBe(false);
  });

  it('a remove of a single-valued attribute with a value drops the value', () => {
    const result = normaliseRequest(patchShape(user, [{ op: 'Remove', path: `${ENTERPRISE}:manager`, value: [{ value: 'm1' }] }]));
    expect(result.findings.map((f) => f.code)).toEqual(['op-case', 'remove-value-ignored']);
    expect(result.body).toEqual({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: `${ENTERPRISE}:manager` }] });
  });

  it('remove-with-value on emails filters on value; without value, on the other sub-attributes', () => {
    const result = normaliseRequest(patchShape(user, [{ op: 'remove', path: 'emails', value: [{ value: 'a@x.org', type: 'work' }, { type: 'home', primary: false }] }]));
    expect(result.body).toEqual({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'remove', path: 'emails[value eq "a@x.org"]' },
        { op: 'remove', path: 'emails[type eq "home" and primary eq false]' },
      ],
    });
  });

  it('a single element object (not an array) is accepted as the value of a remove', () => {
    const result = normaliseRequest(patchShape(group, [{ op: 'remove', path: 'members', value: { value: 'u1' } }]));
    expect(result.body).toEqual({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members[value eq "u1"]' }] });
  });

  it('extra URNs beside PatchOp are dropped', () => {
    const result = normaliseRequest({ operation: 'patch', schema: user, resourceId: 'x', body: { schemas: [PATCH_OP, USER], Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }, query: {} });
    expect(result.findings.map((f) => f.code)).toEqual(['extra-schema-urn']);
    expect((result.body as { schemas: unknown }).schemas).toEqual([PATCH_OP]);
  });

  it('a PatchOp whose schemas name another message is not rewritten (a client bug the engine reports)', () => {
    for (const schemas of [['urn:ietf:params:scim:api:messages:2.0:ListResponse'], [USER], 'urn:x', 42]) {
      const body = { schemas, Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] };
      const result = normaliseRequest({ operation: 'patch', schema: user, resourceId: 'x', body, query: {} });
      expect(result.findings).toEqual([]);
      expect(result.body).toBe(body);
    }
    for (const schemas of [null, []]) {
      const result = normaliseRequest({ operation: 'patch', schema: user, resourceId: 'x', body: { schemas, Operations: [{ op: 'replace', path: 'displayName', value: 'x' }] }, query: {} });
      expect(result.findings.map((f) => f.code)).toEqual(['missing-schemas']);
    }
  });

  it('a string "schemas" in a PatchOp is missing-schemas', () => {
    const result = normaliseRequest({ operation: 'patch', schema: user, resourceId: 'x', body: { schemas: PATCH_OP, Operations: [] }, query: {} });
    expect(result.findings.map((f) => f.code)).toEqual(['missing-schemas', 'empty-operations']);
    expect(result.findings[0]!.what).toContain('instead of an array');
  });
});

describe('unfixable shapes are marked (rejected under every profile)', () => {
  it('remove with value elements that name nothing to filter on', () => {
    for (const value of [[{ display: null }], [], [42], [{ $ref: 'x' }]]) {
      const result = normaliseRequest(patchShape(group, [{ op: 'remove', path: 'members', value }]));
      expect(result.findings).toHaveLength(1);
      expect(result.findings[0]).toMatchObject({ code: 'remove-with-value', unfixable: true });
      expect(result.body).toEqual({ schemas: [PATCH_OP], Operations: [{ op: 'remove', path: 'members', value }] });
    }
  });

  it('a dotted key under a multi-valued attribute, or clashing with a non-object', () => {
    let result = normaliseRequest(patchShape(user, [{ op: 'replace', value: { 'emails.value': 'a@x.org' } }]));
    expect(result.findings[0]).toMatchObject({ code: 'dotted-keys', unfixable: true });
    expect(result.findings[0]!.what).toContain('emails[type eq \\"work\\"].value');
    result = normaliseRequest(patchShape(user, [{ op: 'replace', value: { name: 'Babs', 'name.givenName': 'B' } }]));
    expect(result.findings[0]).toMatchObject({ code: 'dotted-keys', unfixable: true });
    result = normaliseRequest(patchShape(user, [{ op: 'replace', value: { [ENTERPRISE]: 'x', [`${ENTERPRISE}:department`]: 'd' } }]));
    expect(result.findings[0]).toMatchObject({ code: 'dotted-keys', unfixable: true });
  });
});

describe('bounded findings', () => {
  it(`more than ${MAX_FINDINGS_PER_CODE} findings of one code are summarised`, () => {
    const ops = Array.from({ length: 100 }, (_, i) => ({ op: 'Add', path: 'members', value: [{ value: `u${i}` }] }));
    const result = normaliseRequest(patchShape(group, ops));
    const opCase = result.findings.filter((f) => f.code === 'op-case');
    expect(opCase).toHaveLength(MAX_FINDINGS_PER_CODE + 1);
    expect(opCase.at(-1)!.what).toBe(`80 more occurrences of op-case in this request (only the first ${MAX_FINDINGS_PER_CODE} are listed)`);
    expect((result.body as { Operations: Array<{ op: string }> }).Operations.every((o) => o.op === 'add')).toBe(true);
  });

  it('an unfixable finding beyond the cap still marks the summary unfixable', () => {
    const ops = [
      ...Array.from({ length: MAX_FINDINGS_PER_CODE }, (_, i) => ({ op: 'remove', path: 'members', value: [{ value: `u${i}` }] })),
      { op: 'remove', path: 'members', value: [{ $ref: 'https://example.com/v2/Users/u1' }] },
    ];
    const result = normaliseRequest(patchShape(group, ops));
    expect(result.findings.at(-1)).toMatchObject({ code: 'remove-with-value', unfixable: true });
  });
});

describe('Bulk operations are linted with their resource type', () => {
  it('POST, PUT and PATCH data, with locations inside the BulkRequest', () => {
    const result = normaliseRequest({
      operation: 'bulk',
      registry,
      body: {
        Operations: [
          { method: 'POST', path: '/Users', bulkId: 'q1', data: { schemas: [USER], userName: 'b', active: 'True' } },
          { method: 'PATCH', path: '/Groups/g1', data: { Operations: [{ op: 'Add', path: 'members', value: [{ value: 'bulkId:q1', $ref: null }] }] } },
          { method: 'PUT', path: '/Groups/g2', data: { schemas: [GROUP, 'http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group'], displayName: 'G' } },
          { method: 'DELETE', path: '/Users/u9' },
        ],
      },
      query: {},
    });
    expect(result.findings.map((f) => [f.code, f.at])).toEqual([
      ['missing-schemas', 'schemas'],
      ['boolean-string', 'Operations[0].data.active'],
      ['missing-schemas', 'Operations[1].data.schemas'],
      ['op-case', 'Operations[1].data.Operations[0].op'],
      ['ref-null', 'Operations[1].data.Operations[0].value[0].$ref'],
      ['extra-schema-urn', 'Operations[2].data.schemas'],
    ]);
    expect(result.body).toEqual({
      schemas: [BULK],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'q1', data: { schemas: [USER], userName: 'b', active: true } },
        { method: 'PATCH', path: '/Groups/g1', data: { schemas: [PATCH_OP], Operations: [{ op: 'add', path: 'members', value: [{ value: 'bulkId:q1' }] }] } },
        { method: 'PUT', path: '/Groups/g2', data: { schemas: [GROUP], displayName: 'G' } },
        { method: 'DELETE', path: '/Users/u9' },
      ],
    });
  });
});

describe('safety', () => {
  it('__proto__, constructor and prototype keys stay plain own keys and pollute nothing', () => {
    const bodies = [
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"Replace","value":{"__proto__":{"polluted":"yes"},"name.__proto__":{"polluted":"yes"},"__proto__.polluted":"yes","name":{"__proto__":{"polluted":"yes"}}}}]}',
      '{"__proto__":{"polluted":"yes"},"Operations":[{"op":"add","path":"members","value":[{"__proto__":{"polluted":"yes"},"value":"x"}]}]}',
      '{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":[{"op":"add","value":{"constructor":{"prototype":{"polluted":"yes"}},"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User":{"__proto__":{"polluted":"yes"},"manager.__proto__":"x"}}}]}',
    ];
    for (const text of bodies) {
      for (const schema of [user, group]) {
        const result = normaliseRequest({ operation: 'patch', schema, resourceId: 'x', body: JSON.parse(text), query: {} });
        const out = JSON.stringify(result.body);
        expect(out).toContain('__proto__');
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty('polluted');
      }
    }
    const post = normaliseRequest({ operation: 'create', schema: user, body: JSON.parse('{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"p","__proto__":{"polluted":"yes"},"name":{"__proto__":{"polluted":"yes"}}}'), query: {} });
    const body = post.body as Record<string, unknown>;
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.keys(body)).toContain('__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  const json = fc.jsonValue({ maxDepth: 5 });
  const opArb = fc.record(
    {
      op: fc.oneof(fc.constantFrom('add', 'Add', 'REMOVE', 'replace', 'Replace', 'move'), json),
      path: fc.oneof(fc.constantFrom('members', 'emails[type eq work].value', 'name.givenName', `${ENTERPRISE}:manager`, 'active', 'members[value eq "x"]', '', 'bad[[', 'emails.value'), json),
      value: fc.oneof(json, fc.dictionary(fc.constantFrom('name.givenName', 'active', 'id', 'members', `${ENTERPRISE}:employeeNumber`, ENTERPRISE, '__proto__', 'Emails', 'x.y'), json)),
    },
    { requiredKeys: [] },
  );

  it('never throws and never mutates its input, whatever the JSON (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('patch', 'create', 'replace', 'search', 'bulk', 'list') as fc.Arbitrary<RequestShape['operation']>,
        fc.constantFrom(user, group),
        fc.oneof(json, fc.record({ schemas: json, Operations: fc.array(fc.oneof(opArb, json), { maxLength: 6 }) }, { requiredKeys: [] })),
        fc.oneof(fc.string(), fc.constantFrom('userName eq bjensen', 'emails[type eq work]', 'a eq', '(((')),
        (operation, schema, body, filter) => {
          const shape = deepFreeze({ operation, schema, registry, resourceId: 'id1', mediaType: 'application/json', body, query: { filter }, });
          const before = JSON.stringify(shape.body);
          const result = normaliseRequest(shape);
          expect(JSON.stringify(shape.body)).toBe(before);
          expect(Array.isArray(result.findings)).toBe(true);
          for (const f of result.findings) expect(typeof f.what).toBe('string');
          expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        },
      ),
      { numRuns: 500, seed: 4242 },
    );
  });
});
