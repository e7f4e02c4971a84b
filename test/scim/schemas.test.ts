import { describe, expect, it } from 'vitest';
import {
  COMMON_ATTRIBUTES,
  ENTERPRISE_USER_SCHEMA,
  ENTERPRISE_USER_SCHEMA_ID,
  GROUP_RESOURCE_TYPE,
  GROUP_SCHEMA,
  GROUP_SCHEMA_ID,
  RESOURCE_TYPE_SCHEMA,
  RESOURCE_TYPE_SCHEMA_ID,
  SCHEMA_SCHEMA,
  SCHEMA_SCHEMA_ID,
  SERVICE_PROVIDER_CONFIG_SCHEMA,
  SERVICE_PROVIDER_CONFIG_SCHEMA_ID,
  USER_RESOURCE_TYPE,
  USER_SCHEMA,
  USER_SCHEMA_ID,
} from '../../src/scim/schemas/core.js';
import type { AttributeDef, SchemaDef } from '../../src/scim/schemas/types.js';

const RESOURCE_SCHEMAS: SchemaDef[] = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER_SCHEMA];
const PROVIDER_SCHEMAS: SchemaDef[] = [SERVICE_PROVIDER_CONFIG_SCHEMA, RESOURCE_TYPE_SCHEMA, SCHEMA_SCHEMA];
const ALL_SCHEMAS: SchemaDef[] = [...RESOURCE_SCHEMAS, ...PROVIDER_SCHEMAS];

/** Looks up an attribute by a dotted path, exact canonical names ("emails.type"). */
function find(attrs: AttributeDef[], path: string): AttributeDef {
  const [head, ...rest] = path.split('.');
  const found = attrs.find((a) => a.name === head);
  if (!found) throw new Error(`no attribute ${head} in [${attrs.map((a) => a.name).join(', ')}]`);
  if (rest.length === 0) return found;
  return find(found.subAttributes ?? [], rest.join('.'));
}

const user = (path: string): AttributeDef => find(USER_SCHEMA.attributes, path);
const group = (path: string): AttributeDef => find(GROUP_SCHEMA.attributes, path);
const enterprise = (path: string): AttributeDef => find(ENTERPRISE_USER_SCHEMA.attributes, path);
const common = (path: string): AttributeDef => find(COMMON_ATTRIBUTES, path);

/** Every attribute with its dotted path, depth-first. */
function walk(attrs: AttributeDef[], prefix = '', depth = 0): Array<[string, AttributeDef, number]> {
  const out: Array<[string, AttributeDef, number]> = [];
  for (const a of attrs) {
    const path = prefix ? `${prefix}:${a.name}` : a.name;
    out.push([path, a, depth]);
    if (a.subAttributes) out.push(...walk(a.subAttributes, path, depth + 1));
  }
  return out;
}

const subNames = (a: AttributeDef): string[] => (a.subAttributes ?? []).map((s) => s.name);

describe('schema ids (RFC 7643 sections 8.7.1 and 8.7.2)', () => {
  it('uses the URNs of the RFC', () => {
    expect(USER_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:core:2.0:User');
    expect(GROUP_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:core:2.0:Group');
    expect(ENTERPRISE_USER_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User');
    expect(SERVICE_PROVIDER_CONFIG_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig');
    expect(RESOURCE_TYPE_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:core:2.0:ResourceType');
    expect(SCHEMA_SCHEMA_ID).toBe('urn:ietf:params:scim:schemas:core:2.0:Schema');
    expect(ALL_SCHEMAS.map((s) => s.id)).toEqual([
      USER_SCHEMA_ID,
      GROUP_SCHEMA_ID,
      ENTERPRISE_USER_SCHEMA_ID,
      SERVICE_PROVIDER_CONFIG_SCHEMA_ID,
      RESOURCE_TYPE_SCHEMA_ID,
      SCHEMA_SCHEMA_ID,
    ]);
  });

  it('names and describes the schemas as section 8.7 does', () => {
    expect([USER_SCHEMA.name, USER_SCHEMA.description]).toEqual(['User', 'User Account']);
    expect([GROUP_SCHEMA.name, GROUP_SCHEMA.description]).toEqual(['Group', 'Group']);
    expect([ENTERPRISE_USER_SCHEMA.name, ENTERPRISE_USER_SCHEMA.description]).toEqual([
      'EnterpriseUser',
      'Enterprise User',
    ]);
  });
});

describe('User schema (RFC 7643 section 4.1 / 8.7.1)', () => {
  it('lists the core attributes in RFC order', () => {
    expect(USER_SCHEMA.attributes.map((a) => a.name)).toEqual([
      'userName',
      'name',
      'displayName',
      'nickName',
      'profileUrl',
      'title',
      'userType',
      'preferredLanguage',
      'locale',
      'timezone',
      'active',
      'password',
      'emails',
      'phoneNumbers',
      'ims',
      'photos',
      'addresses',
      'groups',
      'entitlements',
      'roles',
      'x509Certificates',
    ]);
    expect(subNames(user('name'))).toEqual([
      'formatted',
      'familyName',
      'givenName',
      'middleName',
      'honorificPrefix',
      'honorificSuffix',
    ]);
  });

  it('userName is required, unique per server and not case exact', () => {
    expect(user('userName')).toMatchObject({
      type: 'string',
      multiValued: false,
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'server',
    });
  });

  it('password is writeOnly and never returned', () => {
    expect(user('password')).toMatchObject({
      type: 'string',
      required: false,
      mutability: 'writeOnly',
      returned: 'never',
      uniqueness: 'none',
    });
  });

  it('active is a boolean with default characteristics', () => {
    expect(user('active')).toMatchObject({
      type: 'boolean',
      multiValued: false,
      required: false,
      caseExact: false,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
    });
  });

  it('emails has value, display, type (work/home/other) and primary', () => {
    const emails = user('emails');
    expect(emails).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readWrite' });
    expect(subNames(emails)).toEqual(['value', 'display', 'type', 'primary']);
    expect(user('emails.type').canonicalValues).toEqual(['work', 'home', 'other']);
    expect(user('emails.value')).toMatchObject({ type: 'string', caseExact: false, uniqueness: 'none' });
    expect(user('emails.primary').type).toBe('boolean');
  });

  it('the other multi-valued attributes carry the canonical type values of the RFC', () => {
    expect(user('phoneNumbers.type').canonicalValues).toEqual(['work', 'home', 'mobile', 'fax', 'pager', 'other']);
    expect(user('ims.type').canonicalValues).toEqual(['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo']);
    expect(user('photos.type').canonicalValues).toEqual(['photo', 'thumbnail']);
    expect(user('addresses.type').canonicalValues).toEqual(['work', 'home', 'other']);
    // canonicalValues [] in the RFC means none assigned (section 2.2): not published.
    expect(user('roles.type').canonicalValues).toBeUndefined();
    expect(user('x509Certificates.type').canonicalValues).toBeUndefined();
    expect(user('entitlements.type').canonicalValues).toBeUndefined();
  });

  it('addresses has the components of section 4.1.2 plus type and primary', () => {
    expect(subNames(user('addresses'))).toEqual([
      'formatted',
      'streetAddress',
      'locality',
      'region',
      'postalCode',
      'country',
      'type',
      'primary',
    ]);
  });

  it('groups and all its sub-attributes are readOnly, with direct/indirect types', () => {
    const groups = user('groups');
    expect(groups).toMatchObject({ type: 'complex', multiValued: true, mutability: 'readOnly' });
    expect(subNames(groups)).toEqual(['value', '$ref', 'display', 'type']);
    for (const sub of groups.subAttributes ?? []) expect(sub.mutability, sub.name).toBe('readOnly');
    expect(user('groups.type').canonicalValues).toEqual(['direct', 'indirect']);
    // Verified erratum 8471: a user's groups reference Groups only.
    expect(user('groups.$ref')).toMatchObject({ type: 'reference', referenceTypes: ['Group'] });
  });

  it('references and binary values are case exact (sections 2.3.6 and 2.3.7)', () => {
    expect(user('profileUrl')).toMatchObject({ type: 'reference', referenceTypes: ['external'], caseExact: true });
    expect(user('photos.value')).toMatchObject({ type: 'reference', referenceTypes: ['external'], caseExact: true });
    expect(user('x509Certificates.value')).toMatchObject({ type: 'binary', caseExact: true });
  });
});

describe('Group schema (RFC 7643 section 4.2 / 8.7.1)', () => {
  it('displayName is required (section 4.2, erratum 5368) and not unique by default', () => {
    expect(group('displayName')).toMatchObject({
      type: 'string',
      required: true,
      caseExact: false,
      mutability: 'readWrite',
      uniqueness: 'none',
    });
  });

  it('members has value, $ref, display and type, all immutable', () => {
    const members = group('members');
    expect(members).toMatchObject({ type: 'complex', multiValued: true, required: false, mutability: 'readWrite' });
    expect(subNames(members)).toEqual(['value', '$ref', 'display', 'type']);
    for (const sub of members.subAttributes ?? []) expect(sub.mutability, sub.name).toBe('immutable');
    expect(group('members.$ref')).toMatchObject({ type: 'reference', referenceTypes: ['User', 'Group'] });
    expect(group('members.type').canonicalValues).toEqual(['User', 'Group']);
    expect(group('members.value').type).toBe('string');
  });
});

describe('EnterpriseUser schema (RFC 7643 section 4.3 / 8.7.1)', () => {
  it('has the six enterprise attributes', () => {
    expect(ENTERPRISE_USER_SCHEMA.attributes.map((a) => a.name)).toEqual([
      'employeeNumber',
      'costCenter',
      'organization',
      'division',
      'department',
      'manager',
    ]);
  });

  it('manager has value (case exact, erratum 8472), $ref to a User and a readOnly displayName', () => {
    const manager = enterprise('manager');
    expect(manager).toMatchObject({ type: 'complex', multiValued: false, required: false, mutability: 'readWrite' });
    expect(subNames(manager)).toEqual(['value', '$ref', 'displayName']);
    expect(enterprise('manager.value')).toMatchObject({ type: 'string', caseExact: true, mutability: 'readWrite' });
    expect(enterprise('manager.$ref')).toMatchObject({ type: 'reference', referenceTypes: ['User'] });
    expect(enterprise('manager.displayName')).toMatchObject({ type: 'string', mutability: 'readOnly' });
  });
});

describe('common attributes (RFC 7643 section 3.1)', () => {
  it('are id, externalId and meta', () => {
    expect(COMMON_ATTRIBUTES.map((a) => a.name)).toEqual(['id', 'externalId', 'meta']);
  });

  it('id is case exact, readOnly, always returned and unique per server', () => {
    expect(common('id')).toMatchObject({
      type: 'string',
      multiValued: false,
      caseExact: true,
      mutability: 'readOnly',
      returned: 'always',
      uniqueness: 'server',
    });
  });

  it('externalId is case exact and readWrite', () => {
    expect(common('externalId')).toMatchObject({
      type: 'string',
      caseExact: true,
      mutability: 'readWrite',
      returned: 'default',
      uniqueness: 'none',
      required: false,
    });
  });

  it('meta is readOnly with resourceType, created, lastModified, location and version', () => {
    const meta = common('meta');
    expect(meta).toMatchObject({ type: 'complex', multiValued: false, mutability: 'readOnly' });
    expect(subNames(meta)).toEqual(['resourceType', 'created', 'lastModified', 'location', 'version']);
    for (const sub of meta.subAttributes ?? []) {
      expect(sub.mutability, sub.name).toBe('readOnly');
      expect(sub.returned, sub.name).toBe('default');
    }
    expect(common('meta.created').type).toBe('dateTime');
    expect(common('meta.lastModified').type).toBe('dateTime');
    expect(common('meta.location').type).toBe('reference');
    expect(common('meta.resourceType').caseExact).toBe(true);
    expect(common('meta.version').caseExact).toBe(true);
  });
});

describe('service provider schemas (RFC 7643 section 8.7.2)', () => {
  it('ServiceProviderConfig has the capability attributes of section 5, all readOnly', () => {
    expect(SERVICE_PROVIDER_CONFIG_SCHEMA.attributes.map((a) => a.name)).toEqual([
      'documentationUri',
      'patch',
      'bulk',
      'filter',
      'changePassword',
      'sort',
      'etag',
      'authenticationSchemes',
    ]);
    for (const [path, a] of walk(SERVICE_PROVIDER_CONFIG_SCHEMA.attributes)) {
      expect(a.mutability, path).toBe('readOnly');
    }
    const spc = (p: string): AttributeDef => find(SERVICE_PROVIDER_CONFIG_SCHEMA.attributes, p);
    expect(subNames(spc('bulk'))).toEqual(['supported', 'maxOperations', 'maxPayloadSize']);
    expect(spc('bulk.maxPayloadSize')).toMatchObject({ type: 'integer', required: true });
    expect(subNames(spc('filter'))).toEqual(['supported', 'maxResults']);
    expect(spc('etag.supported')).toMatchObject({ type: 'boolean', required: true });
    expect(spc('authenticationSchemes')).toMatchObject({ multiValued: true, required: true });
    expect(spc('authenticationSchemes.type').canonicalValues).toEqual([
      'oauth',
      'oauth2',
      'oauthbearertoken',
      'httpbasic',
      'httpdigest',
    ]);
  });

  it('ResourceType has multi-valued schemaExtensions (erratum 7522)', () => {
    expect(RESOURCE_TYPE_SCHEMA.attributes.map((a) => a.name)).toEqual([
      'id',
      'name',
      'description',
      'endpoint',
      'schema',
      'schemaExtensions',
    ]);
    const ext = find(RESOURCE_TYPE_SCHEMA.attributes, 'schemaExtensions');
    expect(ext).toMatchObject({ type: 'complex', multiValued: true });
    expect(subNames(ext)).toEqual(['schema', 'required']);
    expect(find(RESOURCE_TYPE_SCHEMA.attributes, 'schema')).toMatchObject({ referenceTypes: ['uri'], caseExact: true });
  });

  it('Schema describes every characteristic of an attribute definition (section 7)', () => {
    const attrs = find(SCHEMA_SCHEMA.attributes, 'attributes');
    const characteristics = [
      'name',
      'type',
      'multiValued',
      'description',
      'required',
      'canonicalValues',
      'caseExact',
      'mutability',
      'returned',
      'uniqueness',
      'referenceTypes',
    ];
    expect(subNames(attrs)).toEqual([...characteristics, 'subAttributes']);
    const nested = find(SCHEMA_SCHEMA.attributes, 'attributes.subAttributes');
    expect(subNames(nested)).toEqual(characteristics);
    expect(find(SCHEMA_SCHEMA.attributes, 'attributes.type').canonicalValues).toContain('complex');
    expect(find(SCHEMA_SCHEMA.attributes, 'attributes.type').canonicalValues).toContain('binary');
    // Erratum 8415: a sub-attribute can never be complex.
    expect(nested.subAttributes?.find((s) => s.name === 'type')?.canonicalValues).not.toContain('complex');
    expect(find(SCHEMA_SCHEMA.attributes, 'attributes.referenceTypes').multiValued).toBe(true);
    expect(find(SCHEMA_SCHEMA.attributes, 'attributes.mutability').canonicalValues).toEqual([
      'readOnly',
      'readWrite',
      'immutable',
      'writeOnly',
    ]);
  });
});

describe('resource types (RFC 7643 section 8.6)', () => {
  it('User at /Users with the optional enterprise extension', () => {
    expect(USER_RESOURCE_TYPE).toEqual({
      name: 'User',
      endpoint: '/Users',
      description: 'User Account',
      schema: USER_SCHEMA_ID,
      schemaExtensions: [{ schema: ENTERPRISE_USER_SCHEMA_ID, required: false }],
    });
  });

  it('Group at /Groups without extensions', () => {
    expect(GROUP_RESOURCE_TYPE).toEqual({
      name: 'Group',
      endpoint: '/Groups',
      description: 'Group',
      schema: GROUP_SCHEMA_ID,
      schemaExtensions: [],
    });
  });
});

describe('structural rules for every schema', () => {
  const KEYS = [
    'name',
    'type',
    'multiValued',
    'description',
    'required',
    'caseExact',
    'mutability',
    'returned',
    'uniqueness',
  ] as const;
  const TYPES = ['string', 'boolean', 'decimal', 'integer', 'dateTime', 'binary', 'reference', 'complex'];
  const everyAttribute = (): Array<[string, AttributeDef, number]> => [
    ...ALL_SCHEMAS.flatMap((s) => walk(s.attributes, s.id)),
    ...walk(COMMON_ATTRIBUTES, 'common'),
  ];

  it('every attribute carries every characteristic with a legal value', () => {
    const all = everyAttribute();
    expect(all.length).toBeGreaterThan(140);
    for (const [path, a] of all) {
      for (const key of KEYS) expect(a[key], `${path}.${key}`).toBeDefined();
      expect(TYPES, path).toContain(a.type);
      expect(['readOnly', 'readWrite', 'immutable', 'writeOnly'], path).toContain(a.mutability);
      expect(['always', 'never', 'default', 'request'], path).toContain(a.returned);
      expect(['none', 'server', 'global'], path).toContain(a.uniqueness);
      expect(typeof a.multiValued, path).toBe('boolean');
      expect(typeof a.required, path).toBe('boolean');
      expect(typeof a.caseExact, path).toBe('boolean');
      expect(a.description.trim().length, path).toBeGreaterThan(0);
    }
  });

  it('names are unique within each level, case-insensitively', () => {
    const check = (attrs: AttributeDef[], where: string): void => {
      const lower = attrs.map((a) => a.name.toLowerCase());
      expect(new Set(lower).size, where).toBe(lower.length);
      for (const a of attrs) if (a.subAttributes) check(a.subAttributes, `${where}.${a.name}`);
    };
    for (const s of ALL_SCHEMAS) check(s.attributes, s.id);
    check(COMMON_ATTRIBUTES, 'common');
    // The common attributes share the top level of every resource with the core attributes.
    for (const s of RESOURCE_SCHEMAS) check([...COMMON_ATTRIBUTES, ...s.attributes], `${s.id}+common`);
  });

  it('names follow the ATTRNAME grammar of section 2.1 ($ref excepted)', () => {
    for (const [path, a] of everyAttribute()) {
      if (a.name === '$ref') continue;
      expect(a.name, path).toMatch(/^[A-Za-z][A-Za-z0-9_-]*$/);
    }
  });

  it('every complex attribute has sub-attributes and only complex attributes have them', () => {
    for (const [path, a] of everyAttribute()) {
      if (a.type === 'complex') expect(a.subAttributes?.length, path).toBeGreaterThan(0);
      else expect(a.subAttributes, path).toBeUndefined();
    }
  });

  it('no sub-attribute is complex (section 2.4), except in the schema of schemas', () => {
    const schemas = [...RESOURCE_SCHEMAS, SERVICE_PROVIDER_CONFIG_SCHEMA, RESOURCE_TYPE_SCHEMA];
    for (const [path, a, depth] of [
      ...schemas.flatMap((s) => walk(s.attributes, s.id)),
      ...walk(COMMON_ATTRIBUTES, 'common'),
    ]) {
      if (depth > 0) expect(a.type, path).not.toBe('complex');
    }
    // The one place the RFC nests a complex attribute: Schema's attributes.subAttributes, one level only.
    const nestedComplex = walk(SCHEMA_SCHEMA.attributes)
      .filter(([, a, depth]) => depth > 0 && a.type === 'complex')
      .map(([path]) => path);
    expect(nestedComplex).toEqual(['attributes:subAttributes']);
  });

  it('referenceTypes only on references, and every reference has them', () => {
    for (const [path, a] of everyAttribute()) {
      if (a.type === 'reference') expect(a.referenceTypes?.length, path).toBeGreaterThan(0);
      else expect(a.referenceTypes, path).toBeUndefined();
    }
  });

  it('references and binaries are case exact; booleans and complex attributes are not, and are not unique', () => {
    for (const [path, a] of everyAttribute()) {
      if (a.type === 'reference' || a.type === 'binary') expect(a.caseExact, path).toBe(true);
      if (a.type === 'boolean' || a.type === 'complex') {
        expect(a.caseExact, path).toBe(false);
        expect(a.uniqueness, path).toBe('none');
      }
    }
  });

  it('canonicalValues are non-empty lists of distinct strings on string attributes only', () => {
    for (const [path, a] of everyAttribute()) {
      if (a.canonicalValues === undefined) continue;
      expect(a.type, path).toBe('string');
      expect(a.canonicalValues.length, path).toBeGreaterThan(0);
      expect(new Set(a.canonicalValues).size, path).toBe(a.canonicalValues.length);
    }
  });

  it('is plain JSON data that survives a round trip unchanged', () => {
    for (const value of [...ALL_SCHEMAS, COMMON_ATTRIBUTES, USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE]) {
      expect(JSON.parse(JSON.stringify(value))).toStrictEqual(structuredClone(value));
    }
    for (const [path, a] of everyAttribute()) {
      expect(Object.getPrototypeOf(a), path).toBe(Object.prototype);
    }
  });

  it('is frozen, so engines cannot corrupt the shared definitions', () => {
    expect(Object.isFrozen(USER_SCHEMA)).toBe(true);
    expect(Object.isFrozen(USER_SCHEMA.attributes)).toBe(true);
    expect(Object.isFrozen(user('emails.type').canonicalValues)).toBe(true);
    expect(Object.isFrozen(COMMON_ATTRIBUTES)).toBe(true);
    expect(Object.isFrozen(USER_RESOURCE_TYPE.schemaExtensions[0])).toBe(true);
    expect(() => {
      (user('userName') as { required: boolean }).required = false;
    }).toThrow(TypeError);
    expect(user('userName').required).toBe(true);
  });

  it('no two attributes share an object (each definition is its own value)', () => {
    const seen = new Set<object>();
    for (const [path, a] of everyAttribute()) {
      expect(seen.has(a), path).toBe(false);
      seen.add(a);
    }
  });
});
