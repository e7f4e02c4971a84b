import { describe, expect, it } from 'vitest';
import { formatFilter, parseFilter, parsePatchPath, nodePosition, type FilterNode, type FilterWarning, type LogicalNode } from '../../src/scim/filter/index.js';
import { RFC_EXAMPLES, and, cmp, not, or, pr, vp, vpCmp } from './filter-fixtures.js';

const CORE = 'urn:ietf:params:scim:schemas:core:2.0:User';
const ENT = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

describe('RFC 7644 Figure 2 examples parse to the expected AST', () => {
  it.each(RFC_EXAMPLES)('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });
});

const CASES: Array<[string, string, FilterNode]> = [
  ['and binds tighter than or', 'a pr or b pr and c pr', or(pr('a'), and(pr('b'), pr('c')))],
  ['and binds tighter than or (left)', 'a pr and b pr or c pr', or(and(pr('a'), pr('b')), pr('c'))],
  ['parentheses override precedence', '(a pr or b pr) and c pr', and(or(pr('a'), pr('b')), pr('c'))],
  ['and is left-associative', 'a pr and b pr and c pr', and(and(pr('a'), pr('b')), pr('c'))],
  ['or is left-associative', 'a pr or b pr or c pr', or(or(pr('a'), pr('b')), pr('c'))],
  ['nested parentheses', '((a pr))', pr('a')],
  ['not of a group', 'not (a pr)', not(pr('a'))],
  ['not without a space', 'not(a pr)', not(pr('a'))],
  ['not binds to its group only', 'not (a pr) and b pr', and(not(pr('a')), pr('b'))],
  ['double not', 'not (not (a pr))', not(not(pr('a')))],
  ['operators are case-insensitive', 'userName EQ "x" AnD title Pr', and(cmp('userName', 'eq', 'x'), pr('title'))],
  ['NOT and OR are case-insensitive', 'NOT (a pr) OR b pr', or(not(pr('a')), pr('b'))],
  ['attribute names are kept as written', 'UserName eq "x"', cmp('UserName', 'eq', 'x')],
  ['true literal', 'active eq true', cmp('active', 'eq', true)],
  ['TRUE literal is case-insensitive', 'active eq TRUE', cmp('active', 'eq', true)],
  ['False literal', 'active eq False', cmp('active', 'eq', false)],
  ['null literal', 'title eq null', cmp('title', 'eq', null)],
  ['integer', 'x eq 42', cmp('x', 'eq', 42)],
  ['negative number', 'x gt -12', cmp('x', 'gt', -12)],
  ['decimal', 'x lt 3.25', cmp('x', 'lt', 3.25)],
  ['negative decimal with exponent', 'x ge -1.5e3', cmp('x', 'ge', -1500)],
  ['exponent with sign', 'x le 2E-2', cmp('x', 'le', 0.02)],
  ['zero', 'x eq 0', cmp('x', 'eq', 0)],
  ['escaped quote and backslash', 'title eq "a\\"b\\\\c"', cmp('title', 'eq', 'a"b\\c')],
  ['escaped slash and controls', 'title eq "\\/\\b\\f\\n\\r\\t"', cmp('title', 'eq', '/\b\f\n\r\t')],
  ['\\u escape', 'name.givenName eq "Ren\\u00e9e"', cmp('name.givenName', 'eq', 'Renée')],
  ['\\u escape upper-case hex', 'title eq "\\u00C9"', cmp('title', 'eq', 'É')],
  ['raw non-ASCII characters', 'title eq "Renée 😀"', cmp('title', 'eq', 'Renée 😀')],
  ['empty string', 'title eq ""', cmp('title', 'eq', '')],
  ['keywords inside strings are data', 'title eq "a and b or not (c)"', cmp('title', 'eq', 'a and b or not (c)')],
  ['brackets inside strings are data', 'title eq "[x]"', cmp('title', 'eq', '[x]')],
  ['enterprise URN path', `${ENT}:employeeNumber eq "701984"`, cmp(`${ENT}:employeeNumber`, 'eq', '701984')],
  ['enterprise URN sub-attribute', `${ENT}:manager.value eq "x"`, cmp(`${ENT}:manager.value`, 'eq', 'x')],
  ['core URN with sub-attribute (the 2.0 dot)', `${CORE}:name.givenName eq "Barbara"`, cmp(`${CORE}:name.givenName`, 'eq', 'Barbara')],
  ['$ref sub-attribute', 'members.$ref pr', pr('members.$ref')],
  ['value path with nested logic', 'emails[type eq "work" and (value co "@a" or value co "@b")]',
    vp('emails', and(cmp('type', 'eq', 'work'), or(cmp('value', 'co', '@a'), cmp('value', 'co', '@b'))))],
  ['value path with not inside', 'emails[not (type eq "work")]', vp('emails', not(cmp('type', 'eq', 'work')))],
  ['value path then sub-attribute', 'emails[type eq "work"].value ew "@x.org"',
    vpCmp('emails', cmp('type', 'eq', 'work'), 'value', 'ew', '@x.org')],
  ['value path then sub-attribute pr', 'addresses[type eq "work"].locality pr',
    { type: 'present', path: { attribute: 'addresses', valueFilter: cmp('type', 'eq', 'work'), subAttribute: 'locality' } }],
  ['value path inside not', 'not (emails[type eq "work"])', not(vp('emails', cmp('type', 'eq', 'work')))],
  ['extra whitespace, tabs and line breaks', '  userName\teq  "x"\n and\r\ntitle pr  ', and(cmp('userName', 'eq', 'x'), pr('title'))],
  ['attribute called "not"', 'not pr', pr('not')],
];

describe('parser', () => {
  it.each(CASES)('%s: %s', (_name, text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it('keeps 1-based positions of nodes for error messages', () => {
    const node = parseFilter('title pr and  userName eq "x"') as LogicalNode;
    expect(nodePosition(node.left)).toBe(1);
    expect(nodePosition(node.right)).toBe(15);
  });

  it('formatFilter round-trips every RFC example', () => {
    for (const [text, expected] of RFC_EXAMPLES) {
      expect(parseFilter(formatFilter(parseFilter(text)))).toEqual(expected);
    }
    expect(formatFilter(parseFilter('a pr and (b pr or c pr)'))).toBe('a pr and (b pr or c pr)');
    expect(formatFilter(parseFilter('emails[type eq "w"].value ew "\\"x"'))).toBe('emails[type eq "w"].value ew "\\"x"');
  });

  it('accepts unquoted strings only when asked, with a warning', () => {
    const warnings: FilterWarning[] = [];
    const node = parseFilter('userName eq bjensen@example.com and active eq true', {
      allowUnquotedStrings: true,
      onWarning: (w) => warnings.push(w),
    });
    expect(node).toEqual(and(cmp('userName', 'eq', 'bjensen@example.com'), cmp('active', 'eq', true)));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'filter-unquoted-value', rfc: 'RFC 7644 3.4.2.2' });
    expect(warnings[0].detail).toContain('bjensen@example.com');
  });

  it('accepts a filter at the length and depth limits', () => {
    const deep = '('.repeat(50) + 'a pr' + ')'.repeat(50);
    expect(parseFilter(deep)).toEqual(pr('a'));
    const long = 'title eq "' + 'x'.repeat(8192 - 11) + '"';
    expect(long).toHaveLength(8192);
    expect(parseFilter(long)).toEqual(cmp('title', 'eq', 'x'.repeat(8181)));
    expect(parseFilter('a pr', { maxDepth: 0 })).toEqual(pr('a'));
  });

  it('parses long and/or chains without deep recursion', () => {
    const text = Array.from({ length: 800 }, () => 'a pr').join(' or ');
    let node = parseFilter(text);
    let count = 1;
    while (node.type === 'or') {
      node = node.left;
      count++;
    }
    expect(count).toBe(800);
  });
});

describe('parsePatchPath (RFC 7644 3.5.2)', () => {
  const PATHS: Array<[string, object]> = [
    ['members', { attributePath: 'members' }],
    ['name.familyName', { attributePath: 'name.familyName' }],
    [`${ENT}:manager`, { attributePath: `${ENT}:manager` }],
    [`${ENT}:manager.value`, { attributePath: `${ENT}:manager.value` }],
    [ENT, { attributePath: ENT }],
    ['members[value eq "2819c223-7f76-453a-919d-413861904646"]',
      { attributePath: 'members', filter: cmp('value', 'eq', '2819c223-7f76-453a-919d-413861904646') }],
    ['emails[type eq "work"].value', { attributePath: 'emails', filter: cmp('type', 'eq', 'work'), subAttribute: 'value' }],
    ['addresses[type eq "work"].locality', { attributePath: 'addresses', filter: cmp('type', 'eq', 'work'), subAttribute: 'locality' }],
    ['emails[type eq "work" and not (primary eq false)]',
      { attributePath: 'emails', filter: and(cmp('type', 'eq', 'work'), not(cmp('primary', 'eq', false))) }],
    ['Members[Value EQ "x"]', { attributePath: 'Members', filter: cmp('Value', 'eq', 'x') }],
  ];
  it.each(PATHS)('%s', (text, expected) => {
    expect(parsePatchPath(text)).toEqual(expected);
  });

  it('passes the lenient options to the filter part', () => {
    const warnings: FilterWarning[] = [];
    expect(parsePatchPath('members[value eq 2819c223]', { allowUnquotedStrings: true, onWarning: (w) => warnings.push(w) })).toEqual({
      attributePath: 'members',
      filter: cmp('value', 'eq', '2819c223'),
    });
    expect(warnings.map((w) => w.code)).toEqual(['filter-unquoted-value']);
  });
});
