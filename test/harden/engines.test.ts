/**
 * Property-based robustness of the pure engines the HTTP fuzzer reaches only through a narrow door: the PATCH
 * engine and projection. Whatever the input, they throw nothing but ScimError 4xx, never modify the stored
 * resource they are given, and their results keep the schema's promises.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ResourceSchema } from '../../src/scim/attributes.js';
import { ScimError } from '../../src/scim/errors.js';
import { applyPatch, parsePatchRequest } from '../../src/scim/patch.js';
import { Projection, parseAttributeList } from '../../src/scim/project.js';
import { SchemaRegistry } from '../../src/scim/schemas/registry.js';
import { validateResource, type Resource } from '../../src/scim/validate.js';
import { polluted, prototypeFingerprint } from './support.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const registry = SchemaRegistry.builtIn();
const userType = registry.resourceType('User') as ResourceSchema;

/** A stored User as the service keeps it (validated, with id and meta). */
const STORED: Resource = {
  ...validateResource(userType, {
    schemas: [USER, ENTERPRISE],
    userName: 'bjensen',
    name: { givenName: 'Barbara', familyName: 'Jensen', formatted: 'Ms. Barbara J Jensen III' },
    displayName: 'Babs',
    emails: [{ value: 'bjensen@example.com', type: 'work', primary: true }, { value: 'babs@jensen.org', type: 'home' }],
    addresses: [{ type: 'work', streetAddress: '100 Universal City Plaza', locality: 'Hollywood' }],
    phoneNumbers: [{ value: '555-555-5555', type: 'work' }],
    active: true,
    password: 'secret',
    [ENTERPRISE]: { employeeNumber: '701984', manager: { value: 'm-1' } },
  }),
  id: 'u-1',
  meta: { resourceType: 'User', created: '2025-01-01T00:00:00Z', lastModified: '2025-01-01T00:00:00Z', version: 'W/"1"' },
};

const PATHS = [
  'userName', 'displayName', 'nickName', 'active', 'title', 'name', 'name.givenName', 'name.familyName', 'emails', 'emails.value', 'emails.type',
  'emails[type eq "work"]', 'emails[type eq "work"].value', 'emails[value co "@"].primary', 'emails[type eq "nope"].value', 'addresses[type eq "work"].locality',
  'phoneNumbers', 'phoneNumbers[type eq "work" and value pr].value', 'id', 'meta', 'meta.created', 'groups', 'password', 'x509Certificates',
  `${ENTERPRISE}:employeeNumber`, `${ENTERPRISE}:manager`, `${ENTERPRISE}:manager.value`, ENTERPRISE, `${USER}:name.givenName`, 'urn:x:y:z',
  'emails[', 'emails[type eq]', 'name..givenName', '', '__proto__', 'name.constructor', 'emails[prototype pr]', 'nosuch', 'emails[type eq "work"].nosuch',
];

const leaf = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double({ noNaN: true }), fc.string({ maxLength: 10 }),
  fc.constantFrom('True', 'False', 'work', 'x@y.z', '2011-05-13T04:42:34Z', '', 'W/"1"'),
);
const value = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { arbitrary: leaf, weight: 4 },
    { arbitrary: fc.array(tie('v'), { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.dictionary(fc.constantFrom('value', 'type', 'primary', 'display', 'givenName', 'familyName', 'displayName', 'emails', 'name', 'active', ENTERPRISE, 'employeeNumber', 'x', '__proto__', 'Value'), tie('v'), { maxKeys: 3 }), weight: 1 },
  ),
})).v;

const operation = fc.record(
  {
    op: fc.oneof({ arbitrary: fc.constantFrom('add', 'remove', 'replace', 'Add', 'REPLACE', 'Remove'), weight: 8 }, { arbitrary: fc.constantFrom('move', 'copy', 'test', '', 'delete'), weight: 1 }, { arbitrary: leaf, weight: 1 }),
    path: fc.oneof({ arbitrary: fc.constantFrom(...PATHS), weight: 5 }, { arbitrary: leaf, weight: 1 }),
    value,
  },
  { requiredKeys: ['op'] },
);
/** Operations whose value fits their path, so that many patches succeed and their results get checked. */
const typedOperation = fc.oneof(
  fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constantFrom('displayName', 'nickName', 'title', 'name.givenName', 'emails[type eq "work"].value', `${ENTERPRISE}:employeeNumber`, 'userName'), value: fc.string({ minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constant('active'), value: fc.boolean() }),
  fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constant('emails'), value: fc.array(fc.record({ value: fc.string({ minLength: 1, maxLength: 8 }), type: fc.constantFrom('work', 'home', 'other'), primary: fc.boolean() }, { requiredKeys: ['value'] }), { maxLength: 3 }) }),
  fc.record({ op: fc.constantFrom('add', 'replace'), value: fc.record({ displayName: fc.string({ maxLength: 6 }), nickName: fc.string({ maxLength: 6 }), active: fc.boolean() }, { requiredKeys: [] }) }),
  fc.record({ op: fc.constant('remove'), path: fc.constantFrom('nickName', 'title', 'emails', 'emails[type eq "home"]', 'name.formatted', `${ENTERPRISE}:manager`, 'addresses[type eq "work"].locality', 'phoneNumbers') }),
);

const patchBody = fc.oneof(
  { arbitrary: fc.array(fc.oneof({ arbitrary: typedOperation, weight: 3 }, { arbitrary: operation, weight: 1 }), { minLength: 1, maxLength: 4 }).map((ops) => ({ schemas: [PATCH_OP], Operations: ops })), weight: 9 },
  { arbitrary: value, weight: 1 },
);

/** Runs `f`; anything thrown must be a 4xx ScimError. */
function onlyScimErrors<T>(f: () => T): T | ScimError {
  try {
    return f();
  } catch (err) {
    if (!(err instanceof ScimError)) throw new Error(`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    if (err.status < 400 || err.status >= 500) throw new Error(`threw a ScimError ${err.status}: ${err.detail}`);
    if (err.detail.length < 10) throw new Error(`a ScimError without a useful detail: ${err.detail}`);
    return err;
  }
}

describe('PATCH engine (fast-check)', () => {
  it('throws only 4xx ScimErrors, never modifies the stored resource, and every result is a valid User', () => {
    const fingerprint = prototypeFingerprint();
    const frozen = JSON.stringify(STORED);
    let applied = 0;
    fc.assert(
      fc.property(patchBody, (body) => {
        const result = onlyScimErrors(() => applyPatch(userType, STORED, parsePatchRequest(JSON.parse(JSON.stringify(body)))));
        expect(JSON.stringify(STORED)).toBe(frozen);
        if (!(result instanceof ScimError)) {
          applied++;
          // The new stored shape must pass the same validation a PUT of it would.
          const valid = onlyScimErrors(() => validateResource(userType, result.next, { existing: STORED }));
          if (valid instanceof ScimError) throw new Error(`PATCH produced an invalid User: ${valid.detail}\n${JSON.stringify(result.next)}`);
          expect(result.next.id).toBeUndefined();
        }
        expect(polluted()).toBeUndefined();
      }),
      { seed: 4242, numRuns: 3000 },
    );
    expect(prototypeFingerprint()).toBe(fingerprint);
    expect(applied).toBeGreaterThan(600); // the generator reaches successful patches, not only errors
  });

  it('all or nothing: when a later operation fails, the earlier ones leave no trace', () => {
    const frozen = JSON.stringify(STORED);
    fc.assert(
      fc.property(fc.array(operation, { minLength: 1, maxLength: 3 }), (ops) => {
        const failing = { op: 'replace', path: 'emails[type eq "work"].nosuch', value: 'x' };
        const result = onlyScimErrors(() => applyPatch(userType, STORED, parsePatchRequest({ schemas: [PATCH_OP], Operations: [...ops, failing] })));
        expect(result).toBeInstanceOf(ScimError);
        expect(JSON.stringify(STORED)).toBe(frozen);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});

const STORED_STRINGS = new Set(Object.values(STORED).filter((v): v is string => typeof v === 'string'));

describe('projection (fast-check)', () => {
  const attributeList = fc.array(fc.oneof(fc.constantFrom(...PATHS), fc.string({ maxLength: 12 })), { maxLength: 5 }).map((a) => a.join(','));

  it('throws nothing, keeps always-returned attributes, never returns the password, invents nothing', () => {
    fc.assert(
      fc.property(attributeList, attributeList, fc.boolean(), (attributes, excluded, both) => {
        const request = { attributes: both || attributes ? parseAttributeList(attributes) : undefined, excludedAttributes: parseAttributeList(excluded) };
        const out = onlyScimErrors(() => new Projection(userType, request).apply(STORED));
        if (out instanceof ScimError) return;
        if (out.id !== STORED.id) throw new Error('id (returned: always) was dropped');
        // schemas is always returned: the stored list, less the extensions whose object the projection removed
        // (RFC 7643 section 3: it names the extensions the representation holds)
        const stored = STORED.schemas as string[];
        if (JSON.stringify(out.schemas) !== JSON.stringify(stored.filter((urn) => urn === stored[0] || urn in out))) throw new Error(`schemas ${JSON.stringify(out.schemas)} does not name exactly what is returned`);
        if ('password' in out) throw new Error('the password (returned: never) was returned');
        for (const key of Object.keys(out)) if (!(key in STORED)) throw new Error(`projection invented "${key}"`);
        // Projection only removes: every string it returns is one that is stored.
        for (const v of Object.values(out)) if (typeof v === 'string' && !STORED_STRINGS.has(v)) throw new Error(`projection invented the value ${v}`);
      }),
      { seed: 99, numRuns: 1500 },
    );
  });
});
