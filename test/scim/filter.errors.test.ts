import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import { compileFilter, parseFilter, parsePatchPath } from '../../src/scim/filter/index.js';
import { bjensen, groupSchema, tourGuides, userSchema } from './filter-fixtures.js';

function errorOf(fn: () => unknown): ScimError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScimError) return e;
    throw new Error(`expected a ScimError, got ${String(e)}`);
  }
  throw new Error('expected a ScimError, but nothing was thrown');
}

/** [filter, fragments the detail must contain] */
const MALFORMED: Array<[string, string[]]> = [
  ['userName eq', ['Invalid filter at position 12: expected a comparison value after "eq", found end of filter']],
  ['userName eq "a" and', ['position 20', 'expected an attribute path, "(" or "not (" after "and", found end of filter']],
  ['userName eq "a" or', ['position 19', 'after "or"', 'found end of filter']],
  ['userName pr "x"', ['position 13', 'expected "and", "or" or end of filter, found string "x"']],
  ['(userName eq "a"', ['position 17', '")" to close the "(" at position 1', 'found end of filter']],
  ['userName eq "a")', ['position 16', '")" without a matching "("']],
  ['userName eq "a" and (title pr', ['position 30', 'to close the "(" at position 21']],
  ['((title pr)', ['position 12', 'close the "(" at position 1']],
  ['emails[type eq "work"', ['position 22', '"]" to close the "[" at position 7', 'found end of filter']],
  ['emails[type eq "work"]]', ['position 23', '"]" without a matching "["']],
  ['emails[type eq "work")', ['position 22', 'to close the "[" at position 7', 'found ")"']],
  ['userName regex "x"', ['position 10', 'the operator "regex" is not supported']],
  ['userName === "x"', ['position 10', 'expected an operator (eq, ne, co, sw, ew, gt, ge, lt, le or pr) after "userName", found "==="']],
  ['userName eq a', ['position 13', 'found unquoted text "a"', 'double quotes']],
  ['userName eq bjensen@example.com', ['found unquoted text "bjensen@example.com"']],
  ['userName eq "a" garbage', ['position 17', 'expected "and", "or" or end of filter, found "garbage"']],
  ['userName eq "a" title pr', ['found "title"']],
  ['', ['position 1', 'the filter is empty']],
  ['   ', ['the filter is empty']],
  ['not', ['position 4', 'expected "(" after "not"', 'found end of filter']],
  ['not userName eq "x"', ['position 5', 'expected "(" after "not"', 'found "userName"']],
  ['emails[]', ['position 8', 'expected an attribute path', 'found "]"']],
  ['()', ['position 2', 'expected an attribute path', 'found ")"']],
  ['userName eq "abc', ['unterminated string starting at position 13']],
  ['userName eq "a\\qb"', ['position 15', 'invalid escape "\\q"']],
  ['userName eq "\\u12G4"', ['invalid escape "\\u12G4"', 'four hexadecimal digits']],
  ['userName eq "\\u00e"', ['four hexadecimal digits']],
  ['userName eq "a\tb"', ['position 15', 'control character U+0009']],
  ['userName eq "a" and or title pr', ['position 21', 'after "and", found "or"']],
  ['userName eq ()', ['position 13', 'expected a comparison value after "eq", found "("']],
  ['userName eq "a" "b"', ['found string "b"']],
  ['userName eq true false', ['found "false"']],
  ['1userName eq "x"', ['"1userName" is not a valid attribute name']],
  ['user$name eq "x"', ['is not a valid attribute name']],
  ['name.givenName.x eq "x"', ['at most one sub-attribute']],
  ['foo:userName eq "x"', ['the part before the last ":" must be a schema URI']],
  ['urn:ietf:params:scim:schemas:core:2.0:User: eq "x"', ['an attribute name is missing']],
  ['name. pr', ['an attribute name is missing']],
  ['userName eq 01', ['found unquoted text "01"']],
  ['userName eq 1.', ['found unquoted text "1."']],
  ['userName eq .5', ['found unquoted text ".5"']],
  ['userName eq 1e999', ['the number "1e999" is out of range']],
  ['emails[type eq "work"] pr', ['expected "and", "or" or end of filter, found "pr"']],
  ['emails[value[type eq "x"] pr]', ['value filters cannot be nested']],
  ['emails[type eq "work"] .value eq "x"', ['found ".value"']],
  ['emails[type eq "work"].value', ['expected an operator', 'after ".value", found end of filter']],
  ['emails[type eq "work"].', ['an attribute name is missing']],
  ['emails.value[type eq "work"].value eq "x"', ['already names a sub-attribute']],
  ['__proto__ eq "x"', ['"__proto__" is not allowed in an attribute path']],
  ['constructor pr', ['"constructor" is not allowed']],
  ['name.prototype pr', ['"prototype" is not allowed']],
  ['emails[__proto__ eq "x"]', ['"__proto__" is not allowed']],
  ['emails[type eq "w"].constructor pr', ['"constructor" is not allowed']],
  ['userName eq "x" AND', ['found end of filter']],
  ['not (userName eq "x"', ['close the "(" at position 5']],
  ['title pr and', ['after "and", found end of filter']],
  ['and title pr', ['position 1', 'found "and"']],
  ['"userName" eq "x"', ['expected an attribute path', 'found string "userName"']],
];

describe('malformed filters are 400 invalidFilter with position, found and expected', () => {
  it.each(MALFORMED)('%j', (text, fragments) => {
    const e = errorOf(() => parseFilter(text));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    for (const f of fragments) expect(e.detail).toContain(f);
    expect(e.toJSON()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
  });

  it('rejects filters longer than maxLength, naming the limit', () => {
    const text = 'title eq "' + 'x'.repeat(8200) + '"';
    const e = errorOf(() => parseFilter(text));
    expect(e.scimType).toBe('invalidFilter');
    expect(e.detail).toContain('the limit is 8192 characters');
    expect(errorOf(() => parseFilter('title pr', { maxLength: 5 })).detail).toContain('the limit is 5 characters');
  });

  it('rejects nesting deeper than maxDepth, naming the limit', () => {
    const deep = '('.repeat(51) + 'a pr' + ')'.repeat(51);
    const e = errorOf(() => parseFilter(deep));
    expect(e.scimType).toBe('invalidFilter');
    expect(e.detail).toContain('position 51');
    expect(e.detail).toContain('limit of 50 levels');
    const nots = 'not ('.repeat(4) + 'a pr' + ')'.repeat(4);
    expect(errorOf(() => parseFilter(nots, { maxDepth: 3 })).detail).toContain('limit of 3 levels');
    expect(errorOf(() => parseFilter('(emails[type eq "w"])', { maxDepth: 1 })).detail).toContain('limit of 1 levels');
    // 100,000 open parentheses: rejected without a stack overflow.
    expect(errorOf(() => parseFilter('('.repeat(100_000), { maxLength: 200_000 })).detail).toContain('limit of 50');
  });

  it('rejects what is not a string', () => {
    expect(errorOf(() => parseFilter(null as unknown as string)).scimType).toBe('invalidFilter');
    expect(errorOf(() => parseFilter(42 as unknown as string)).detail).toContain('expected a string');
  });
});

/** Well-formed filters whose attribute/operator/value combination the schema does not allow. */
const UNSUPPORTED: Array<[string, string[]]> = [
  ['active gt true', ['position 1', '"gt" is not defined for the boolean attribute "active"']],
  ['active le false', ['"le" is not defined for the boolean attribute']],
  ['x509Certificates.value gt "MIID"', ['"gt" is not defined for the binary attribute "x509Certificates.value"']],
  ['emails[type eq "work"].primary ge true', ['"ge" is not defined for the boolean attribute']],
  ['active co "t"', ['"co" needs a string attribute', 'of type boolean']],
  ['meta.lastModified sw "2011"', ['"sw" needs a string attribute', 'of type dateTime']],
  ['x509Certificates.value ew "=="', ['"ew" needs a string attribute', 'of type binary']],
  ['name eq "Barbara"', ['"name" is a complex attribute without a "value" sub-attribute', 'name.givenName']],
  ['meta gt "x"', ['"meta" is a complex attribute without a "value" sub-attribute']],
  ['meta.lastModified gt "yesterday"', ['"meta.lastModified" is a dateTime', '"2011-05-13T04:42:34Z"']],
  ['meta.created eq "2011-02-30T00:00:00Z"', ['is a dateTime']],
  ['meta.created eq "2011-05-13 04:42:34Z"', ['is a dateTime']],
  ['meta.created eq 1305261754', ['is a dateTime']],
  ['userName eq 42', ['"userName" is of type string; compare it with a quoted string such as "42"']],
  ['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq 701984', ['quoted string such as "701984"']],
  ['title gt true', ['"title" is of type string']],
  ['active eq "true"', ['"active" is of type boolean; compare it with true or false']],
  ['userName gt null', ['null can only be compared with eq or ne']],
  ['userName co null', ['null can only be compared with eq or ne']],
  ['userName[value eq "x"]', ['"userName" is not a complex attribute']],
  ['emails.value[type eq "x"]', ['"emails.value" is not a complex attribute']],
  ['active eq true and (meta.created lt "2011-05-13T04:42:34Z" or active lt false)', ['position 63', '"lt" is not defined']],
];

describe('unsupported combinations are 400 invalidFilter at compile time', () => {
  it.each(UNSUPPORTED)('%s', (text, fragments) => {
    const node = parseFilter(text);
    const e = errorOf(() => compileFilter(node, userSchema));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe('invalidFilter');
    for (const f of fragments) expect(e.detail).toContain(f);
  });

  it('checks Group attributes by the Group schema', () => {
    expect(errorOf(() => compileFilter(parseFilter('members eq 42'), groupSchema)).detail).toContain('quoted string');
    expect(() => compileFilter(parseFilter('members eq "2819c223-7f76-453a-919d-413861904646"'), groupSchema)).not.toThrow();
  });
});

describe('malformed PATCH paths', () => {
  const BAD_PATHS: Array<[string, 'invalidPath' | 'invalidFilter', string]> = [
    ['', 'invalidPath', 'the path is empty'],
    ['members]', 'invalidPath', 'expected end of path or "[" followed by a value filter, found "]"'],
    ['members x', 'invalidPath', 'found "x"'],
    ['"members"', 'invalidPath', 'expected an attribute path, found string "members"'],
    ['1members', 'invalidPath', 'is not a valid attribute name'],
    ['name.givenName.x', 'invalidPath', 'at most one sub-attribute'],
    ['name.givenName[value eq "x"]', 'invalidPath', 'already names a sub-attribute'],
    ['emails[type eq "work"]value', 'invalidPath', 'found "value"'],
    ['emails[type eq "work"].value.display', 'invalidPath', 'is not a valid attribute name'],
    ['emails[type eq "work"] .value', 'invalidPath', 'found ".value"'],
    ['__proto__', 'invalidPath', '"__proto__" is not allowed'],
    ['name.constructor', 'invalidPath', '"constructor" is not allowed'],
    ['urn:ietf:params:scim:schemas:core:2.0:User:prototype', 'invalidPath', '"prototype" is not allowed'],
    ['members[__proto__ eq "x"]', 'invalidPath', '"__proto__" is not allowed'],
    ['emails[type eq "w"].__proto__', 'invalidPath', '"__proto__" is not allowed'],
    // RFC 7644 Table 9: the filter of a PATCH path is reported as invalidFilter.
    ['members[value eq]', 'invalidFilter', 'Invalid filter at position 17: expected a comparison value after "eq", found "]"'],
    ['members[value eq "x"', 'invalidFilter', 'to close the "[" at position 8'],
    ['members[]', 'invalidFilter', 'expected an attribute path'],
    ['members[value eq x]', 'invalidFilter', 'found unquoted text "x"'],
    ['members[value eq "x]', 'invalidFilter', 'unterminated string'],
    ['members[value[x eq 1]]', 'invalidFilter', 'cannot be nested'],
  ];
  it.each(BAD_PATHS)('%j is %s', (text, scimType, fragment) => {
    const e = errorOf(() => parsePatchPath(text));
    expect(e.status).toBe(400);
    expect(e.scimType).toBe(scimType);
    expect(e.detail).toContain(fragment);
  });
});

describe('robustness (fast-check)', () => {
  const TOKENS = [
    'userName', 'emails', 'value', 'type', 'name', 'givenName', 'meta', 'lastModified', 'active', 'members', 'x509Certificates',
    'urn:ietf:params:scim:schemas:core:2.0:User:', 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:', 'manager',
    '.', ':', ' ', ' ', ' ', '(', ')', '[', ']', '"', '\\', '"x"', '"2011-05-13T04:42:34Z"', '"\\u00e9"', '1', '-1.5e3', '0',
    'eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le', 'pr', 'and', 'or', 'not', 'true', 'false', 'null', '__proto__', 'é', '\t',
  ];
  const tokenSoup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 30 }).map((parts) => parts.join(''));
  const spaced = fc.array(fc.constantFrom(...TOKENS), { maxLength: 20 }).map((parts) => parts.join(' '));
  const anyText = fc.oneof(fc.string({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 60 }), tokenSoup, spaced);

  const onlyScimErrors = (fn: () => void) => {
    try {
      fn();
    } catch (e) {
      if (!(e instanceof ScimError) || e.status !== 400) throw e;
    }
  };

  it('parseFilter and compileFilter throw nothing but ScimError 400, and predicates never throw', () => {
    const resources = [bjensen(), {}, { emails: 'nonsense', name: [1, null], meta: 5 }, { emails: [null, 'x', { value: 3 }] }];
    fc.assert(
      fc.property(anyText, fc.boolean(), (text, lenient) => {
        onlyScimErrors(() => {
          const node = parseFilter(text, { allowUnquotedStrings: lenient });
          const user = compileFilter(node, userSchema);
          for (const r of resources) expect(typeof user(r)).toBe('boolean');
          const group = compileFilter(node, groupSchema);
          expect(typeof group(tourGuides())).toBe('boolean');
        });
      }),
      { numRuns: 3000, seed: 7644 },
    );
  });

  it('parsePatchPath throws nothing but ScimError 400 (invalidPath or invalidFilter)', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        try {
          parsePatchPath(text);
        } catch (e) {
          expect(e).toBeInstanceOf(ScimError);
          expect(['invalidPath', 'invalidFilter']).toContain((e as ScimError).scimType);
        }
      }),
      { numRuns: 3000, seed: 3552 },
    );
  });
});
