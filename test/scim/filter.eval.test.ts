import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResourceSchema } from '../../src/scim/attributes.js';
import {
  attributeValuesEqual,
  compareAttributeValues,
  compareSortKeys,
  sortKeyOf,
  isPresent,
  parseDateTime,
  stringTest,
  textValueTest,
  type StringOperator,
} from '../../src/scim/compare.js';
import { compileFilter, parseFilter, planFilter, type FilterWarning } from '../../src/scim/filter/index.js';
import type { AttributeDef, SchemaDef } from '../../src/scim/schemas/types.js';
import { COMMON_ATTRIBUTES } from '../../src/scim/schemas/core.js';
import { ENTERPRISE, RFC_EXAMPLES, bjensen, groupSchema, minimalUser, tourGuides, userSchema } from './filter-fixtures.js';

const matches = (filter: string, resource: Record<string, unknown>, schema = userSchema) =>
  compileFilter(parseFilter(filter), schema)(resource);

describe('RFC 7644 Figure 2 examples against the RFC 7643 section 8 resources', () => {
  // [bjensen (8.2 + 8.3), minimal user (8.1)]
  const EXPECTED: boolean[][] = [
    [false, true], // userName eq "bjensen": the minimal user's "Bjensen" matches (userName is not caseExact)
    [false, false], // name.familyName co "O'Malley"
    [false, false], // userName sw "J"
    [false, false], // urn:...:User:userName sw "J"
    [true, false], // title pr
    [false, false], // meta.lastModified gt (equal instants)
    [true, true], // ge
    [false, false], // lt
    [true, true], // le
    [true, false], // title pr and userType eq "Employee"
    [true, false], // title pr or userType eq "Intern"
    [true, false], // schemas eq enterprise URN
    [true, false], // userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")
    [false, true], // userType ne "Employee" and not (...): the minimal user has no userType (ne is true) and no emails
    [true, false], // userType eq "Employee" and (emails.type eq "work")
    [true, false], // userType eq "Employee" and emails[type eq "work" and value co "@example.com"]
    [true, false], // emails[type eq "work" and value co "@example.com"] or ims[...]
  ];
  it('has an expectation for every example', () => expect(EXPECTED).toHaveLength(RFC_EXAMPLES.length));
  it.each(RFC_EXAMPLES.map(([text], i) => [text, ...EXPECTED[i]] as const))('%s', (text, full, minimal) => {
    const predicate = compileFilter(parseFilter(text), userSchema);
    expect(predicate(bjensen())).toBe(full);
    expect(predicate(minimalUser())).toBe(minimal);
  });
});

/** A user whose work email is elsewhere and whose home email is @example.com. */
const crossed = () => ({
  ...minimalUser(),
  emails: [
    { type: 'work', value: 'barbara@elsewhere.org' },
    { type: 'home', value: 'babs@example.com' },
  ],
});

const B = bjensen;
const VECTORS: Array<[string, () => Record<string, unknown>, boolean]> = [
  // Case rules come from caseExact in the schema.
  ['userName eq "BJENSEN@EXAMPLE.COM"', B, true],
  ['userName eq "BJensen@Example.com"', B, true],
  ['id eq "2819C223-7F76-453A-919D-413861904646"', B, false],
  ['id eq "2819c223-7f76-453a-919d-413861904646"', B, true],
  ['externalId eq "701984"', B, true],
  ['meta.resourceType eq "user"', B, false],
  ['meta.resourceType eq "User"', B, true],
  ['emails.value eq "BJENSEN@example.COM"', B, true],
  ['emails[type eq "WORK"]', B, true],
  ['photos.value eq "https://photos.example.com/profilephoto/72930000000ccne/F"', B, false],
  ['name.familyName sw "jen"', B, true],
  ['name.familyName ew "SEN"', B, true],
  ['displayName co "S J"', B, true],
  ['userName gt "BJENSEN"', B, true],
  ['userName lt "c"', B, true],
  // dateTime compares instants.
  ['meta.lastModified eq "2011-05-13T04:42:34.000Z"', B, true],
  ['meta.lastModified eq "2011-05-13T06:42:34+02:00"', B, true],
  ['meta.lastModified gt "2011-05-13T04:42:34+02:00"', B, true],
  ['meta.lastModified lt "2011-05-13T04:42:34-01:00"', B, true],
  ['meta.lastModified gt "2011-05-13T04:42:33.999Z"', B, true],
  ['meta.lastModified eq "2011-05-13T04:42:34.001Z"', B, false],
  ['meta.lastModified ne "2011-05-13T04:42:34.001Z"', B, true],
  ['meta.created lt "2011-05-13T04:42:34Z" and meta.created ge "2010-01-23T04:56:22Z"', B, true],
  ['meta.lastModified le "2011-05-13T04:42:34"', B, true],
  // URN-qualified paths: core and enterprise, any case.
  [`${ENTERPRISE}:employeeNumber eq "701984"`, B, true],
  [`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"`, B, true],
  [`${ENTERPRISE}:manager.value eq "26118915-6090-4610-87E4-49D8CA9F808D"`, B, false],
  [`${ENTERPRISE}:manager.displayName co "smith"`, B, true],
  [`${ENTERPRISE}:manager eq "26118915-6090-4610-87e4-49d8ca9f808d"`, B, true],
  [`${ENTERPRISE.toUpperCase()}:DEPARTMENT eq "tour operations"`, B, true],
  [`${ENTERPRISE}:department pr`, minimalUser, false],
  [`${ENTERPRISE}:department ne "x"`, minimalUser, true],
  ['urn:ietf:params:scim:schemas:core:2.0:User:name.givenName eq "barbara"', B, true],
  ['urn:ietf:params:scim:schemas:core:2.0:User:id pr', B, true],
  // An extension attribute without its URN, while no core attribute has its name (RFC 7644 3.10: clients SHOULD,
  // not MUST, qualify extension attributes).
  ['employeeNumber eq "701984"', B, true],
  ['manager.value eq "26118915-6090-4610-87e4-49d8ca9f808d"', B, true],
  ['employeeNumber eq "1"', B, false],
  // Multi-valued: any value.
  ['emails.type eq "home"', B, true],
  ['phoneNumbers.value sw "555-555-4"', B, true],
  ['groups.display eq "employees"', B, true],
  ['addresses.locality eq "Hollywood" and addresses.postalCode eq "91608"', B, true],
  ['emails co "@jensen.org"', B, true],
  ['emails eq "babs@jensen.org"', B, true],
  ['schemas eq "URN:IETF:PARAMS:SCIM:SCHEMAS:CORE:2.0:USER"', B, true],
  // Same element inside brackets.
  ['emails[type eq "work" and value co "@example.com"]', crossed, false],
  ['emails.type eq "work" and emails.value co "@example.com"', crossed, true],
  ['emails[type eq "home" and value co "@example.com"]', crossed, true],
  ['emails[type eq "work"].value ew "@elsewhere.org"', crossed, true],
  ['emails[type eq "work"].value ew "@example.com"', crossed, false],
  ['emails[type eq "home"].value ew "@EXAMPLE.com"', crossed, true],
  ['emails[type eq "work" and (value ew ".org" or value ew ".net")]', crossed, true],
  ['emails[not (type eq "work")]', crossed, true],
  ['emails[not (type eq "work") and value co "elsewhere"]', crossed, false],
  ['emails[primary eq true].value eq "bjensen@example.com"', B, true],
  ['emails[type eq "home" and primary eq true]', B, false],
  ['emails[type eq "home"].primary ne true', B, true],
  ['addresses[type eq "work"].locality pr', B, true],
  ['addresses[type eq "home"].primary pr', B, false],
  ['emails[type eq "other"].value ne "x"', B, false],
  ['name[givenName eq "Barbara" and familyName eq "Jensen"]', B, true],
  [`${ENTERPRISE}:manager[displayName sw "John"]`, B, true],
  // pr: null, missing, "", [], {} and complex values without a present sub-attribute are absent.
  ['title pr', () => ({ ...B(), title: '' }), false],
  ['title pr', () => ({ ...B(), title: null }), false],
  ['emails pr', () => ({ ...B(), emails: [] }), false],
  ['emails pr', () => ({ ...B(), emails: [{}] }), false],
  ['emails pr', B, true],
  ['name pr', () => ({ ...B(), name: {} }), false],
  ['name pr', () => ({ ...B(), name: { givenName: '' } }), false],
  ['name pr', B, true],
  ['emails.value pr', () => ({ ...B(), emails: [{ type: 'work' }] }), false],
  ['emails.type pr', () => ({ ...B(), emails: [{ type: 'work' }] }), true],
  ['meta pr', B, true],
  // ne and null: missing attributes have no value.
  ['title ne "Tour Guide"', minimalUser, true],
  ['title ne "Tour Guide"', B, false],
  ['userType ne "Intern"', B, true],
  ['emails.type ne "work"', B, true],
  ['emails.type ne "work"', () => ({ ...B(), emails: [{ type: 'work', value: 'a@b.c' }] }), false],
  ['title eq null', minimalUser, true],
  ['title eq null', B, false],
  ['title ne null', B, true],
  ['emails eq null', () => ({ ...B(), emails: [] }), true],
  ['name.middleName eq null', B, false],
  // Booleans.
  ['active eq true', B, true],
  ['active ne false', B, true],
  ['active eq false', minimalUser, false],
  ['active ne true', minimalUser, true],
  // Logic.
  ['not (userName eq "nobody")', B, true],
  ['title pr or userName eq "x" and active eq false', B, true],
  ['(title pr or userName eq "x") and active eq false', B, false],
  ['not (title pr) or not (active eq true)', B, false],
  ['userName eq "a" or userName eq "b" or userName sw "bjen" or userName eq "c"', B, true],
  // Non-ASCII and escapes.
  ['name.givenName eq "Ren\\u00e9e"', () => ({ ...B(), name: { givenName: 'Renée' } }), true],
  ['name.givenName eq "RENÉE"', () => ({ ...B(), name: { givenName: 'Renée' } }), true],
  ['name.givenName co "\\u00c9E"', () => ({ ...B(), name: { givenName: 'Renée' } }), true],
  ['name.givenName ew "ÉE"', () => ({ ...B(), name: { givenName: 'RenÉe' } }), true],
  ['name.formatted co "Plaza\\nHollywood"', () => ({ ...B(), name: { formatted: '100 Plaza\nHollywood' } }), true],
  ['title eq "say \\"hi\\""', () => ({ ...B(), title: 'say "hi"' }), true],
  // Malformed data never throws and never matches a typed comparison.
  ['emails.value co "x"', () => ({ ...B(), emails: 'x' }), false],
  ['emails[type eq "work"]', () => ({ ...B(), emails: [null, 5, 'work', { type: 'work' }] }), true],
  ['active eq true', () => ({ ...B(), active: 'true' }), false],
  ['meta.lastModified gt "2000-01-01T00:00:00Z"', () => ({ ...B(), meta: { lastModified: 'not a date' } }), false],
  [`${ENTERPRISE}:employeeNumber pr`, () => ({ ...B(), [ENTERPRISE]: 'x' }), false],
  ['emails[type eq "work"]', () => ({ ...B(), emails: { type: 'work', value: 'single@x.org' } }), true],
];

describe('evaluation by the schema', () => {
  it.each(VECTORS)('%s -> %s', (text, resource, expected) => {
    expect(matches(text, resource())).toBe(expected);
  });

  it('works on Groups (RFC 7643 section 8.4)', () => {
    const g = tourGuides();
    expect(matches('displayName eq "tour guides"', g, groupSchema)).toBe(true);
    expect(matches('members[value eq "2819c223-7f76-453a-919d-413861904646"]', g, groupSchema)).toBe(true);
    expect(matches('members eq "902c246b-6245-4190-8e05-00816be7344a"', g, groupSchema)).toBe(true);
    expect(matches('members.display co "babs"', g, groupSchema)).toBe(true);
    expect(matches('members[value eq "nobody"]', g, groupSchema)).toBe(false);
    expect(matches('members pr', { ...g, members: [] }, groupSchema)).toBe(false);
  });
});

describe('attributes the resource type does not define (RFC 7644 3.4.2.1)', () => {
  // "the service provider SHALL treat the attribute as if there is no attribute value. For example, a presence
  // or equality filter for an undefined attribute evaluates to false."
  const UNDEFINED: Array<[string, boolean]> = [
    ['nonsense eq "x"', false],
    ['nonsense pr', false],
    ['nonsense gt 5', false],
    ['nonsense ne "x"', true],
    ['nonsense eq null', true],
    ['name.nonsense eq "x"', false],
    ['name.nonsense ne "x"', true],
    ['userName.nonsense pr', false],
    ['emails[nonsense eq "x"]', false],
    ['emails[type eq "work"].nonsense pr', false],
    ['urn:example:params:scim:schemas:extension:Custom:2.0:User:badge eq "x"', false],
    ['nonsense[value eq "x"]', false],
    ['toString pr', false],
  ];
  it.each(UNDEFINED)('%s -> %s on the RFC user, with a warning', (text, expected) => {
    const warnings: FilterWarning[] = [];
    const predicate = compileFilter(parseFilter(text), userSchema, { onWarning: (w) => warnings.push(w) });
    expect(predicate(bjensen())).toBe(expected);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'filter-undefined-attribute', rfc: 'RFC 7644 3.4.2.1' });
  });

  it('a Group filter on a User attribute is false, not an error', () => {
    expect(matches('userName eq "Tour Guides"', tourGuides(), groupSchema)).toBe(false);
    expect(matches('userName pr or displayName pr', tourGuides(), groupSchema)).toBe(true);
  });

  it('defined attributes produce no warning', () => {
    const warnings: FilterWarning[] = [];
    compileFilter(parseFilter(`userName pr and emails[type eq "work"].value pr and ${ENTERPRISE}:manager.value pr and schemas pr`), userSchema, {
      onWarning: (w) => warnings.push(w),
    });
    expect(warnings).toEqual([]);
  });
});

// A custom resource type for the types the RFC User lacks: integer, decimal, binary, multi-valued strings.
const attr = (name: string, type: AttributeDef['type'], extra: Partial<AttributeDef> = {}): AttributeDef => ({
  name, type, multiValued: false, description: name, required: false, caseExact: false,
  mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...extra,
});
const DEVICE_SCHEMA: SchemaDef = {
  id: 'urn:example:scim:schemas:Device',
  name: 'Device',
  description: 'test resource',
  attributes: [
    attr('level', 'integer'),
    attr('score', 'decimal'),
    attr('readings', 'decimal', { multiValued: true }),
    attr('tags', 'string', { multiValued: true }),
    attr('serial', 'string', { caseExact: true }),
    attr('blob', 'binary'),
    attr('toString', 'string'),
  ],
};
const deviceSchema = new ResourceSchema(
  { name: 'Device', endpoint: '/Devices', description: '', schema: DEVICE_SCHEMA.id, schemaExtensions: [] },
  DEVICE_SCHEMA,
  [],
  COMMON_ATTRIBUTES,
);
const device = { id: 'd1', level: 7, score: 1.5, readings: [-3, 2e3, 0.25], tags: ['Red', 'blue'], serial: 'AbC', blob: 'AAEC' };

describe('numbers, binary and simple multi-valued attributes', () => {
  const NUMBERS: Array<[string, boolean]> = [
    ['level eq 7', true],
    ['level eq 7.0', true],
    ['level eq 7e0', true],
    ['level gt -1', true],
    ['level lt 7', false],
    ['level le 7', true],
    ['level ge 7.5', false],
    ['level ne 8', true],
    ['score eq 1.50', true],
    ['score gt 15e-1', false],
    ['score ge 15e-1', true],
    ['score lt 0.15E1', false],
    ['readings lt -2.5', true],
    ['readings eq 2000', true],
    ['readings gt 2E3', false],
    ['readings eq 0.25', true],
    ['tags eq "red"', true],
    ['tags co "LU"', true],
    ['tags eq "green"', false],
    ['tags ne "red"', true],
    ['serial eq "abc"', false],
    ['serial eq "AbC"', true],
    ['serial sw "Ab"', true],
    ['serial gt "ABC"', true],
    ['blob eq "aaec"', true],
    ['blob pr', true],
    ['toString pr', false],
    ['toString ne "x"', true],
  ];
  it.each(NUMBERS)('%s -> %s', (text, expected) => {
    expect(compileFilter(parseFilter(text), deviceSchema)(device)).toBe(expected);
  });

  it('reads a name that exists on Object.prototype only as an own property', () => {
    expect(compileFilter(parseFilter('toString eq "x"'), deviceSchema)({ toString: 'x' })).toBe(true);
  });
});

describe('planFilter', () => {
  const USERS = ['id', 'userName', 'externalId'] as const;
  const GROUPS = ['id', 'displayName', 'externalId'] as const;
  const PLANS: Array<[string, ResourceSchema, readonly string[], object | undefined]> = [
    ['userName eq "bjensen"', userSchema, USERS, { attribute: 'userName', value: 'bjensen' }],
    ['USERNAME eq "BJensen"', userSchema, USERS, { attribute: 'userName', value: 'BJensen' }],
    ['urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"', userSchema, USERS, { attribute: 'userName', value: 'x' }],
    ['externalId eq "701984"', userSchema, USERS, { attribute: 'externalId', value: '701984' }],
    ['userName eq "a" and title pr', userSchema, USERS, { attribute: 'userName', value: 'a' }],
    ['title pr and (externalId eq "e" and active eq true)', userSchema, USERS, { attribute: 'externalId', value: 'e' }],
    ['userName eq "a" and id eq "b"', userSchema, USERS, { attribute: 'id', value: 'b' }],
    ['active eq true and (userName eq "a" or userName eq "b")', userSchema, USERS, undefined],
    ['userName eq "a" or title pr', userSchema, USERS, undefined],
    ['not (userName eq "a")', userSchema, USERS, undefined],
    ['userName ne "a"', userSchema, USERS, undefined],
    ['userName co "a"', userSchema, USERS, undefined],
    ['userName eq null', userSchema, USERS, undefined],
    ['displayName eq "Babs"', userSchema, USERS, undefined],
    ['emails[value eq "x"]', userSchema, USERS, undefined],
    ['nonsense eq "x"', userSchema, USERS, undefined],
    ['displayName eq "Tour Guides"', groupSchema, GROUPS, { attribute: 'displayName', value: 'Tour Guides' }],
    ['externalId eq "g1" and displayName eq "x"', groupSchema, GROUPS, { attribute: 'displayName', value: 'x' }],
    ['members.value eq "x"', groupSchema, GROUPS, undefined],
  ];
  it.each(PLANS)('%s', (text, schema, indexed, expected) => {
    expect(planFilter(parseFilter(text), schema, indexed)).toEqual(expected);
  });
});

describe('compare.ts', () => {
  const def = (type: AttributeDef['type'], caseExact = false) => attr('x', type, { caseExact });

  it('parses xsd:dateTime instants', () => {
    expect(parseDateTime('2011-05-13T04:42:34Z')).toBe(Date.UTC(2011, 4, 13, 4, 42, 34));
    expect(parseDateTime('2011-05-13T04:42:34.000Z')).toBe(parseDateTime('2011-05-13T04:42:34Z'));
    expect(parseDateTime('2011-05-13T06:42:34+02:00')).toBe(parseDateTime('2011-05-13T04:42:34Z'));
    expect(parseDateTime('2011-05-13T04:42:34.5Z')! - parseDateTime('2011-05-13T04:42:34Z')!).toBe(500);
    expect(parseDateTime('2024-02-29T00:00:00Z')).toBeDefined();
    expect(parseDateTime('2011-05-13T04:42:34.0001Z')).not.toBe(parseDateTime('2011-05-13T04:42:34Z'));
    expect(parseDateTime('2011-05-13T04:42:34.1234Z')! - parseDateTime('2011-05-13T04:42:34Z')!).toBeCloseTo(123.4, 3);
    expect(parseDateTime('2011-05-13T24:00:00Z')).toBe(parseDateTime('2011-05-14T00:00:00Z'));
    expect(parseDateTime('2011-05-13t04:42:34z')).toBe(parseDateTime('2011-05-13T04:42:34Z'));
    expect(parseDateTime('-0001-01-01T00:00:00Z')).toBeLessThan(parseDateTime('0000-01-01T00:00:00Z')!);
    const year99 = new Date(0);
    year99.setUTCFullYear(99, 0, 1);
    expect(parseDateTime('0099-01-01T00:00:00Z')).toBe(year99.getTime());
    fc.assert(
      fc.property(fc.date({ min: new Date('0100-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }), (d) => {
        expect(parseDateTime(d.toISOString())).toBe(d.getTime());
      }),
      { numRuns: 2000, seed: 2011 },
    );
    for (const bad of ['2023-02-29T00:00:00Z', '2011-13-01T00:00:00Z', '2011-05-13', '2011-05-13T25:00:00Z', '2011-05-13T04:42:34+2:00', '2011-05-13T04:42:34.Z', 'x', '']) {
      expect(parseDateTime(bad), bad).toBeUndefined();
    }
  });

  it('orders values by type and caseExact', () => {
    expect(compareAttributeValues('apple', 'Banana', def('string'))).toBeLessThan(0);
    expect(compareAttributeValues('apple', 'Banana', def('string', true))).toBeGreaterThan(0);
    expect(compareAttributeValues('ABC', 'abc', def('string'))).toBe(0);
    expect(compareAttributeValues(10, 9, def('integer'))).toBeGreaterThan(0);
    expect(compareAttributeValues(-1.5, 2, def('decimal'))).toBeLessThan(0);
    expect(compareAttributeValues(false, true, def('boolean'))).toBeLessThan(0);
    expect(compareAttributeValues('2011-05-13T06:42:34+02:00', '2011-05-13T04:42:35Z', def('dateTime'))).toBeLessThan(0);
    expect(compareAttributeValues('2011-05-13T06:42:34+02:00', '2011-05-13T04:42:34Z', def('dateTime'))).toBe(0);
    const names = ['bob', 'Alice', 'alice', 'Émile', 'carol'];
    const keyed = names.map((n) => ({ n, k: sortKeyOf(n, def('string')) })).sort((x, y) => compareSortKeys(x.k, y.k));
    expect(keyed.map((x) => x.n)).toEqual(['Alice', 'alice', 'bob', 'carol', 'Émile']);
    expect([...names].sort((x, y) => compareAttributeValues(x, y, def('string', true)))).toEqual(['Alice', 'alice', 'bob', 'carol', 'Émile'].sort());
    expect(['b', 'A', 'a', 'B'].sort((x, y) => compareAttributeValues(x, y, def('string', true)))).toEqual(['A', 'B', 'a', 'b']);
    expect(['b', 'A', 'a', 'B'].sort((x, y) => compareAttributeValues(x, y, def('string')))).toEqual(['A', 'a', 'b', 'B']);
    // Ill-typed values sort after well-typed ones.
    expect(compareAttributeValues('x', 5, def('integer'))).toBeGreaterThan(0);
    expect(compareAttributeValues(5, 'x', def('integer'))).toBeLessThan(0);
  });

  it('tests equality and presence', () => {
    expect(attributeValuesEqual('A', 'a', def('string'))).toBe(true);
    expect(attributeValuesEqual('A', 'a', def('string', true))).toBe(false);
    expect(attributeValuesEqual('2011-05-13T04:42:34Z', '2011-05-13T04:42:34.000Z', def('dateTime'))).toBe(true);
    expect(attributeValuesEqual(1, 1.0, def('integer'))).toBe(true);
    for (const absent of [undefined, null, '', [], {}, [null, ''], { a: '' }]) expect(isPresent(absent)).toBe(false);
    for (const present of [0, false, 'x', [0], { a: false }]) expect(isPresent(present)).toBe(true);
  });

  it('case-insensitive string tests agree with toLowerCase on any text (fast ASCII path included)', () => {
    const ops: StringOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
    const reference = (op: StringOperator, v: string, lit: string): boolean => {
      const a = v.toLowerCase();
      const b = lit.toLowerCase();
      switch (op) {
        case 'eq': return a === b;
        case 'ne': return a !== b;
        case 'co': return a.includes(b);
        case 'sw': return a.startsWith(b);
        case 'ew': return a.endsWith(b);
        case 'gt': return a > b;
        case 'ge': return a >= b;
        case 'lt': return a < b;
        case 'le': return a <= b;
      }
    };
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'B', 'c', '@', 'K', '\u212A', '\u0130', 'i', '\u0307', 'é', 'É', 'ß', 'Σ', 'σ', 'ς'), maxLength: 8 }),
      fc.string({ maxLength: 8 }),
      fc.string({ unit: 'grapheme', maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...ops), text, text, (op, value, literal) => {
        expect(stringTest(op, literal, false)(value)).toBe(reference(op, value, literal));
        expect(stringTest(op, literal, false)(literal + value)).toBe(reference(op, literal + value, literal));
        expect(stringTest(op, literal, false)(value + literal.toUpperCase())).toBe(reference(op, value + literal.toUpperCase(), literal));
      }),
      { numRuns: 5000, seed: 7643 },
    );
  });

  it('a text attribute value (string, array or other) is tested as the string test and the multi-value rules say', () => {
    const ops: StringOperator[] = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'];
    // One string by the string test; an array: some string passes, or (ne) some element is not a string; an
    // array of nothing but nulls, and anything else that is not a string: true for ne only.
    const reference = (op: StringOperator, v: unknown, lit: string, caseExact: boolean): boolean => {
      const test = stringTest(op, lit, caseExact);
      if (typeof v === 'string') return test(v);
      if (!Array.isArray(v)) return op === 'ne';
      const assigned = v.filter((x) => x !== null && x !== undefined);
      if (assigned.length === 0) return op === 'ne';
      return assigned.some((x) => (typeof x === 'string' ? test(x) : op === 'ne'));
    };
    const text = fc.string({ unit: fc.constantFrom('a', 'B', 'c', '@', '.', 'K', '\u212A', '\u0130', 'é', 'ß'), maxLength: 6 });
    const value = fc.oneof(text, fc.array(fc.oneof(text, fc.constant(null), fc.integer()), { maxLength: 3 }), fc.constant(undefined), fc.constant(null), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(fc.constantFrom(...ops), fc.boolean(), value, text, (op, caseExact, v, lit) => {
        expect(textValueTest(op, lit, caseExact)(v)).toBe(reference(op, v, lit, caseExact));
        if (typeof v === 'string') expect(textValueTest(op, lit, caseExact)(v + lit.toUpperCase())).toBe(reference(op, v + lit.toUpperCase(), lit, caseExact));
      }),
      { numRuns: 5000, seed: 7644 },
    );
    // A few by hand: the case-insensitive fast path, arrays, and what is not a string.
    expect(textValueTest('ew', '@Example.COM', false)('bjensen@EXAMPLE.com')).toBe(true);
    expect(textValueTest('ew', '@Example.COM', true)('bjensen@EXAMPLE.com')).toBe(false);
    expect(textValueTest('eq', 'work', false)([null, 'home', 'WORK'])).toBe(true);
    expect(textValueTest('co', 'x', false)([null, null])).toBe(false);
    expect(textValueTest('ne', 'x', false)([null])).toBe(true);
    expect(textValueTest('ne', 'x', false)(['x', 'X'])).toBe(false);
    expect(textValueTest('sw', 'K', false)('\u212Aelvin')).toBe(true);
  });
});
