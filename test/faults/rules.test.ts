import { describe, expect, it } from 'vitest';
import { ScimError } from '../../src/scim/errors.js';
import {
  FaultRuleError,
  globToRegExp,
  parseBodyPath,
  pathMatchesGlob,
  selectBodyValues,
  validateFaultRule,
} from '../../src/faults/rules.js';
import type { FaultRequestInfo } from '../../src/faults/types.js';
import { parseBodyPath as parseJournalBodyPath, resolveBodyPath as resolveJournalBodyPath } from '../../src/journal/query.js';

const req = (over: Partial<FaultRequestInfo> = {}): FaultRequestInfo => ({
  method: 'GET',
  relativePath: '/Users',
  operation: 'list',
  resourceType: 'User',
  headers: {},
  query: {},
  body: undefined,
  ...over,
});

function rejects(input: unknown): FaultRuleError {
  try {
    validateFaultRule(input);
  } catch (e) {
    expect(e).toBeInstanceOf(FaultRuleError);
    expect(e).toBeInstanceOf(ScimError);
    const err = e as FaultRuleError;
    expect(err.status).toBe(400);
    expect(err.scimType).toBe('invalidValue');
    return err;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe('rule validation', () => {
  const err503 = { type: 'error', status: 503 };
  const table: Array<[string, unknown, string, RegExp]> = [
    ['not an object', 'x', '', /JSON object/],
    ['array', [], '', /JSON object/],
    ['no action', { match: {} }, 'action', /action is required/],
    ['unknown action type', { action: { type: 'explode' } }, 'action.type', /action\.type must be one of: latency, error/],
    ['action not an object', { action: 'error' }, 'action', /action must be an object/],
    ['status too low', { action: { type: 'error', status: 302 } }, 'action.status', /^action\.status must be an integer from 400 to 599$/],
    ['status too high', { action: { type: 'error', status: 600 } }, 'action.status', /from 400 to 599/],
    ['status not integer', { action: { type: 'error', status: 500.5 } }, 'action.status', /from 400 to 599/],
    ['status as string', { action: { type: 'error', status: '503' } }, 'action.status', /from 400 to 599/],
    ['status missing', { action: { type: 'error' } }, 'action.status', /required/],
    ['unknown scimType', { action: { ...err503, scimType: 'oops' } }, 'action.scimType', /invalidFilter/],
    ['bad retryAfter', { action: { ...err503, retryAfter: 'soon' } }, 'action.retryAfter', /HTTP date/],
    ['negative retryAfter', { action: { ...err503, retryAfter: -1 } }, 'action.retryAfter', /integer/],
    ['unknown action key', { action: { ...err503, foo: 1 } }, 'action.foo', /not a known field of a error action; use one of: type, status/],
    ['probability > 1', { action: err503, probability: 1.5 }, 'probability', /from 0 to 1/],
    ['probability < 0', { action: err503, probability: -0.1 }, 'probability', /from 0 to 1/],
    ['probability NaN-ish', { action: err503, probability: 'half' }, 'probability', /from 0 to 1/],
    ['negative times', { action: err503, times: -1 }, 'times', /^times must be an integer from 1/],
    ['zero times', { action: err503, times: 0 }, 'times', /from 1/],
    ['fractional times', { action: err503, times: 1.5 }, 'times', /integer/],
    ['negative after', { action: err503, after: -3 }, 'after', /^after must be an integer from 0/],
    ['unknown top-level key', { action: err503, probabilty: 0.5 }, 'probabilty', /not a fault rule field/],
    ['unknown match key', { action: err503, match: { verb: 'GET' } }, 'match.verb', /not a known match key; use one of: method, path/],
    ['match not object', { action: err503, match: 'GET' }, 'match', /match must be an object/],
    ['bad method', { action: err503, match: { method: 'GE T' } }, 'match.method', /HTTP method/],
    ['bad method in list', { action: err503, match: { method: ['GET', 5] } }, 'match.method[1]', /string/],
    ['empty method list', { action: err503, match: { method: [] } }, 'match.method', /non-empty array/],
    ['path without slash', { action: err503, match: { path: 'Users/*' } }, 'match.path', /starting with "\/"/],
    ['path with query', { action: err503, match: { path: '/Users?filter=x' } }, 'match.path', /match\.query/],
    ['unknown operation', { action: err503, match: { operation: 'update' } }, 'match.operation', /create, get, list/],
    ['bad header regex', { action: err503, match: { headers: { 'user-agent': { matches: '(' } } } }, 'match.headers.user-agent.matches', /not a valid regular expression/],
    ['header condition both', { action: err503, match: { headers: { a: { contains: 'x', matches: 'y' } } } }, 'match.headers.a', /exactly one/],
    ['header condition number', { action: err503, match: { headers: { a: 5 } } }, 'match.headers.a', /must be a string/],
    ['empty query', { action: err503, match: { query: {} } }, 'match.query', /non-empty object/],
    ['bad body regex', { action: err503, match: { body: { path: 'userName', matches: '[' } } }, 'match.body.matches', /regular expression/],
    ['body without path', { action: err503, match: { body: { equals: 1 } } }, 'match.body.path', /required/],
    ['body two tests', { action: err503, match: { body: { path: 'a', equals: 1, exists: true } } }, 'match.body', /exactly one/],
    ['body bad path', { action: err503, match: { body: { path: 'a..b', exists: true } } }, 'match.body.path', /not a valid body path/],
    ['body bad bracket', { action: err503, match: { body: { path: 'a[x]', exists: true } } }, 'match.body.path', /not a valid body path/],
    ['body unknown key', { action: err503, match: { body: { path: 'a', exist: true } } }, 'match.body.exist', /body condition key/],
    ['body empty anyOf', { action: err503, match: { body: { anyOf: [] } } }, 'match.body.anyOf', /non-empty/],
    ['body path __proto__', { action: err503, match: { body: { path: 'a.__proto__', exists: true } } }, 'match.body.path', /not allowed/],
    ['latency without ms', { action: { type: 'latency' } }, 'action.ms', /action\.ms, or action\.minMs and action\.maxMs/],
    ['latency negative', { action: { type: 'latency', ms: -5 } }, 'action.ms', /integer from 0/],
    ['latency ms and range', { action: { type: 'latency', ms: 5, minMs: 1, maxMs: 9 } }, 'action.ms', /cannot be combined/],
    ['latency min only', { action: { type: 'latency', minMs: 5 } }, 'action.maxMs', /required/],
    ['latency max < min', { action: { type: 'latency', minMs: 500, maxMs: 100 } }, 'action.maxMs', /must not be less/],
    ['conflict kind', { action: { type: 'conflict', kind: 'dup' } }, 'action.kind', /uniqueness.*precondition/],
    ['hang maxMs 0', { action: { type: 'hang', maxMs: 0 } }, 'action.maxMs', /integer from 1/],
    ['malformed variant', { action: { type: 'malformed', variant: 'xml' } }, 'action.variant', /truncated, html, empty/],
    ['rateLimit no limit', { action: { type: 'rateLimit', windowMs: 1000 } }, 'action.limit', /required/],
    ['rateLimit zero', { action: { type: 'rateLimit', limit: 0, windowMs: 1000 } }, 'action.limit', /from 1/],
    ['rateLimit no window', { action: { type: 'rateLimit', limit: 5 } }, 'action.windowMs', /required/],
    ['reset with params', { action: { type: 'reset', ms: 5 } }, 'action.ms', /not a known field of a reset action/],
    ['bad id', { id: 'a/b', action: err503 }, 'id', /letters, digits/],
    ['empty name', { name: '', action: err503 }, 'name', /non-empty string/],
  ];
  it.each(table)('rejects %s', (_label, input, field, message) => {
    const err = rejects(input);
    expect(err.field).toBe(field);
    expect(err.detail).toMatch(message);
  });

  it('rejects __proto__, constructor and prototype keys anywhere, without polluting anything', () => {
    const inputs = [
      '{"__proto__":{"polluted":true},"action":{"type":"reset"}}',
      '{"action":{"type":"reset","constructor":{"prototype":{"polluted":true}}}}',
      '{"action":{"type":"reset"},"match":{"headers":{"__proto__":"x"}}}',
      '{"action":{"type":"reset"},"match":{"query":{"prototype":"x"}}}',
      '{"action":{"type":"reset"},"match":{"body":{"path":"a","equals":{"__proto__":{"polluted":true}}}}}',
    ];
    for (const json of inputs) {
      const err = rejects(JSON.parse(json));
      expect(err.detail).toMatch(/is not allowed/);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects an object whose prototype was replaced (not plain data)', () => {
    rejects(Object.assign(Object.create({ evil: true }), { action: { type: 'reset' } }));
  });

  it('accepts each action type and fills the defaults', () => {
    const ok = [
      { action: { type: 'latency', ms: 0 } },
      { action: { type: 'latency', minMs: 100, maxMs: 800 } },
      { action: { type: 'error', status: 503, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT', detail: 'down' } },
      { action: { type: 'error', status: 400, scimType: 'invalidFilter' } },
      { action: { type: 'conflict', kind: 'uniqueness' } },
      { action: { type: 'conflict', kind: 'precondition' } },
      { action: { type: 'reset' } },
      { action: { type: 'hang', maxMs: 1000 } },
      { action: { type: 'malformed', variant: 'html' } },
      { action: { type: 'rateLimit', limit: 10, windowMs: 1000 } },
    ];
    for (const input of ok) {
      const { rule } = validateFaultRule(input);
      expect(rule.action).toEqual(input.action);
      expect(rule.probability).toBe(1);
      expect(rule.after).toBe(0);
      expect(rule.times).toBeUndefined();
    }
  });

  it('normalises an HTTP date given for retryAfter and keeps seconds as a number', () => {
    const a = validateFaultRule({ action: { type: 'error', status: 503, retryAfter: '2015-10-21T07:28:00Z' } });
    expect(a.rule.action).toMatchObject({ retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' });
    const b = validateFaultRule({ action: { type: 'error', status: 429, retryAfter: 30 } });
    expect(b.rule.action).toMatchObject({ retryAfter: 30 });
  });

  it('accepts a listed rule posted again (counters are ignored)', () => {
    const listed = {
      id: 'fault-1',
      match: { path: '/Users/*' },
      action: { type: 'reset' },
      probability: 1,
      after: 0,
      matched: 4,
      fired: 2,
      lastFiredAt: '2025-01-01T00:00:00.000Z',
      retired: true,
    };
    const { rule } = validateFaultRule(listed);
    expect(rule).toEqual({ id: 'fault-1', match: { path: '/Users/*' }, action: { type: 'reset' }, probability: 1, after: 0 });
  });

  it('copies the input: later changes to it do not change the rule', () => {
    const input = { action: { type: 'error', status: 500 }, match: { method: ['GET'] } };
    const { rule, matches } = validateFaultRule(input);
    input.action.status = 400;
    (input.match.method as string[]).push('POST');
    expect(rule.action).toEqual({ type: 'error', status: 500 });
    expect(matches(req({ method: 'POST' }))).toBe(false);
  });
});

describe('path globs', () => {
  const table: Array<[string, string, boolean]> = [
    ['/Users/*', '/Users/abc', true],
    ['/Users/*', '/Users', false],
    ['/Users/*', '/Users/abc/def', false],
    ['/Users/*', '/Users/', false],
    ['/Users/*', '/users/ABC', true],
    ['/Users/*', '/Users/abc/', true],
    ['/Users', '/Users', true],
    ['/Users', '/Users/', true],
    ['/Users', '/Groups', false],
    ['/Users', '/UsersX', false],
    ['/**', '/', true],
    ['/**', '/Users/abc/def', true],
    ['/Users/**', '/Users', true],
    ['/Users/**', '/Users/a/b', true],
    ['/Users/**', '/Groups/a', false],
    ['/**/.search', '/.search', true],
    ['/**/.search', '/Users/.search', true],
    ['/**/.search', '/Users/xsearch', false],
    ['/*/.search', '/.search', false],
    ['/Schemas/urn:*', '/Schemas/urn:ietf:params:scim:schemas:core:2.0:User', true],
    ['/Schemas/urn:*', '/Schemas/urn%3Aietf%3Aparams', true],
    ['/Users/abc*', '/Users/abcdef', true],
    ['/Users/abc*', '/Users/xabc', false],
    ['/Users/a.c', '/Users/abc', false],
    ['/Users/(x)', '/Users/(x)', true],
    ['/', '/', true],
    ['/', '/Users', false],
    ['/Users/*', '/Users/abc?attributes=id', true],
  ];
  it.each(table)('%s ~ %s = %s', (glob, path, expected) => {
    expect(pathMatchesGlob(glob, path)).toBe(expected);
  });

  it('compiles to an anchored, case-insensitive expression', () => {
    expect(globToRegExp('/Users/*').flags).toContain('i');
    expect(globToRegExp('/Users/*').source.startsWith('^')).toBe(true);
  });
});

describe('body paths', () => {
  const patch = {
    schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
    Operations: [
      { op: 'Replace', path: 'displayName', value: 'Tour Guides' },
      { op: 'Add', path: 'members', value: [{ value: 'u1' }, { value: 'u2' }] },
    ],
  };
  it('selects through arrays, with [*], [n] and automatically', () => {
    expect(selectBodyValues(patch, parseBodyPath('Operations[*].path'))).toEqual(['displayName', 'members']);
    expect(selectBodyValues(patch, parseBodyPath('Operations.path'))).toEqual(['displayName', 'members']);
    expect(selectBodyValues(patch, parseBodyPath('operations[1].op'))).toEqual(['Add']);
    expect(selectBodyValues(patch, parseBodyPath('Operations[5].op'))).toEqual([]);
    expect(selectBodyValues(patch, parseBodyPath('Operations[*].value.value'))).toEqual(['u1', 'u2']);
    expect(selectBodyValues(patch, parseBodyPath('Operations[*].value[*].value'))).toEqual(['u1', 'u2']);
  });
  it('reads bracketed keys that contain dots', () => {
    const user = {
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984', manager: { value: 'm1' } },
    };
    const steps = parseBodyPath('["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"].manager.value');
    expect(selectBodyValues(user, steps)).toEqual(['m1']);
    expect(selectBodyValues(user, parseBodyPath("['urn:ietf:params:scim:schemas:extension:enterprise:2.0:User'].employeeNumber"))).toEqual(['701984']);
  });
  it('is the syntax journal queries use: the same paths are accepted, refused and select the same values', () => {
    const user = {
      userName: 'bjensen',
      emails: [{ value: 'b@example.com', type: 'work' }, { value: 'b@home.example', type: 'home' }],
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User': { employeeNumber: '701984', manager: { value: 'm1' } },
    };
    const good = [
      'userName', '$.userName', '$', 'emails.value', 'EMAILS[1].type', 'emails[*].value', '$[0]',
      'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber', '["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"][*]',
    ];
    for (const path of good) {
      const selected = selectBodyValues(user, parseBodyPath(path));
      expect(resolveJournalBodyPath(user, parseJournalBodyPath(path)), path).toEqual(selected);
    }
    expect(selectBodyValues(user, parseBodyPath('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.employeeNumber'))).toEqual(['701984']);
    expect(selectBodyValues(user, parseBodyPath('["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"][*]'))).toEqual(['701984', { value: 'm1' }]);
    expect(selectBodyValues(user, parseBodyPath('$'))).toEqual([user]);
    for (const path of ['', 'a..b', 'a[x]', 'a[', 'a.', '[""]', 'emails[0]value']) {
      expect(() => parseBodyPath(path), path).toThrow(/not a valid body path/);
      expect(() => parseJournalBodyPath(path), path).toThrow(/not a valid body path/);
    }
    // Fault rules refuse prototype names as keys (their copies are stored); journal queries only read own keys.
    expect(() => parseBodyPath('a.__proto__')).toThrow(/not allowed/);
  });

  it('selects nothing from a missing body or a scalar', () => {
    expect(selectBodyValues(undefined, parseBodyPath('userName'))).toEqual([]);
    expect(selectBodyValues('text', parseBodyPath('userName'))).toEqual([]);
    expect(selectBodyValues({ userName: null }, parseBodyPath('userName'))).toEqual([null]);
  });
});

describe('match conditions', () => {
  const m = (match: unknown) => validateFaultRule({ match, action: { type: 'reset' } }).matches;

  it('an empty match matches everything', () => {
    expect(m({})(req())).toBe(true);
    expect(validateFaultRule({ action: { type: 'reset' } }).matches(req({ method: 'DELETE' }))).toBe(true);
  });

  it('method: string or list, case-insensitive', () => {
    expect(m({ method: 'get' })(req({ method: 'GET' }))).toBe(true);
    expect(m({ method: ['POST', 'put'] })(req({ method: 'PUT' }))).toBe(true);
    expect(m({ method: ['POST', 'put'] })(req({ method: 'GET' }))).toBe(false);
  });

  it('resourceType and operation', () => {
    expect(m({ resourceType: 'user' })(req())).toBe(true);
    expect(m({ resourceType: 'Group' })(req())).toBe(false);
    expect(m({ resourceType: 'User' })(req({ resourceType: undefined }))).toBe(false);
    expect(m({ operation: 'list' })(req())).toBe(true);
    expect(m({ operation: ['create', 'replace', 'patch'] })(req({ operation: 'patch' }))).toBe(true);
    expect(m({ operation: ['create', 'replace'] })(req({ operation: 'patch' }))).toBe(false);
  });

  it('all conditions must hold', () => {
    const test = m({ method: 'GET', path: '/Users/*', operation: 'get' });
    expect(test(req({ method: 'GET', relativePath: '/Users/1', operation: 'get' }))).toBe(true);
    expect(test(req({ method: 'GET', relativePath: '/Groups/1', operation: 'get' }))).toBe(false);
    expect(test(req({ method: 'PUT', relativePath: '/Users/1', operation: 'replace' }))).toBe(false);
  });

  it('query: exact, contains, matches; names case-insensitive; any of repeated values', () => {
    const q = { filter: 'userName eq "bjensen"', count: ['10', '20'] };
    expect(m({ query: { filter: 'userName eq "bjensen"' } })(req({ query: q }))).toBe(true);
    expect(m({ query: { Filter: { contains: 'userName' } } })(req({ query: q }))).toBe(true);
    expect(m({ query: { filter: { contains: 'USERNAME' } } })(req({ query: q }))).toBe(false);
    expect(m({ query: { filter: { contains: 'USERNAME', ignoreCase: true } } })(req({ query: q }))).toBe(true);
    expect(m({ query: { count: '20' } })(req({ query: q }))).toBe(true);
    expect(m({ query: { count: { matches: '^\\d{3}$' } } })(req({ query: q }))).toBe(false);
    expect(m({ query: { startIndex: '1' } })(req({ query: q }))).toBe(false);
  });

  it('headers: exact, contains, matches; names case-insensitive', () => {
    const headers = { 'user-agent': 'Azure AD SCIM Client/1.0', 'if-match': 'W/"3"' };
    expect(m({ headers: { 'User-Agent': { contains: 'Azure' } } })(req({ headers }))).toBe(true);
    expect(m({ headers: { 'user-agent': { matches: '^Okta' } } })(req({ headers }))).toBe(false);
    expect(m({ headers: { 'If-Match': 'W/"3"' } })(req({ headers }))).toBe(true);
    expect(m({ headers: { 'If-Match': 'W/"4"' } })(req({ headers }))).toBe(false);
    expect(m({ headers: { 'x-request-id': { matches: '.*' } } })(req({ headers }))).toBe(false);
  });

  it('headers: keys differing only in case, and array values, all count; one request matched by many rules', () => {
    const info = req({ headers: { 'X-Tenant': 'acme', 'x-tenant': ['beta', 7 as unknown as string], accept: 'application/scim+json' } });
    expect(m({ headers: { 'x-tenant': 'acme' } })(info)).toBe(true);
    expect(m({ headers: { 'X-TENANT': 'beta' } })(info)).toBe(true);
    expect(m({ headers: { 'x-tenant': '7' } })(info)).toBe(false);
    // The W6 shape: rules that all name the same header, asked in turn about one request; only the one whose
    // value the request carries matches, and a rule's other conditions still count.
    const rules = Array.from({ length: 50 }, (_, i) => m({ resourceType: 'user', headers: { 'X-Tenant': i === 37 ? 'beta' : `t-${i}` } }));
    expect(rules.map((rule, i) => (rule(info) ? i : -1)).filter((i) => i >= 0)).toEqual([37]);
    expect(rules[37]!({ ...info, resourceType: 'Group' })).toBe(false);
    // The same request object with other headers is looked up anew.
    info.headers = { 'x-tenant': 't-3' };
    expect(rules.map((rule, i) => (rule(info) ? i : -1)).filter((i) => i >= 0)).toEqual([3]);
  });

  it('body: equals, contains, matches, exists, ignoreCase, lists and anyOf', () => {
    const user = { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'bjensen', active: false, emails: [{ value: 'b@example.com', primary: true }] };
    expect(m({ body: { path: 'userName', equals: 'bjensen' } })(req({ body: user }))).toBe(true);
    expect(m({ body: { path: 'UserName', equals: 'BJENSEN' } })(req({ body: user }))).toBe(false);
    expect(m({ body: { path: 'UserName', equals: 'BJENSEN', ignoreCase: true } })(req({ body: user }))).toBe(true);
    expect(m({ body: { path: 'active', equals: false } })(req({ body: user }))).toBe(true);
    expect(m({ body: { path: 'active', equals: 'false' } })(req({ body: user }))).toBe(false);
    expect(m({ body: { path: 'emails', equals: { value: 'b@example.com', primary: true } } })(req({ body: user }))).toBe(true);
    expect(m({ body: { path: 'schemas', contains: 'core:2.0:User' } })(req({ body: user }))).toBe(true);
    expect(m({ body: { path: 'emails.value', matches: '@example\\.com$' } })(req({ body: user }))).toBe(true);
    expect(m({ body: { path: 'password', exists: true } })(req({ body: user }))).toBe(false);
    expect(m({ body: { path: 'password', exists: false } })(req({ body: user }))).toBe(true);
    expect(m({ body: { path: 'userName', exists: true } })(req({ body: undefined }))).toBe(false);
    expect(m({ body: [{ path: 'userName', exists: true }, { path: 'active', equals: true }] })(req({ body: user }))).toBe(false);
    expect(m({ body: { anyOf: [{ path: 'nickName', exists: true }, { path: 'active', equals: false }] } })(req({ body: user }))).toBe(true);
  });

  describe('a PATCH whose operations touch members', () => {
    const touchesMembers = m({
      operation: 'patch',
      body: {
        anyOf: [
          { path: 'Operations[*].path', contains: 'members', ignoreCase: true },
          { path: 'Operations[*].value.members', exists: true },
        ],
      },
    });
    const patch = (...ops: unknown[]) =>
      req({
        method: 'PATCH',
        relativePath: '/Groups/g1',
        operation: 'patch',
        resourceType: 'Group',
        body: { schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: ops },
      });
    it('Entra "Add" to members', () => {
      expect(touchesMembers(patch({ op: 'Add', path: 'members', value: [{ $ref: null, value: 'u1' }] }))).toBe(true);
    });
    it('remove with a value filter', () => {
      expect(touchesMembers(patch({ op: 'remove', path: 'members[value eq "u1"]' }))).toBe(true);
    });
    it('path-less replace carrying members (Okta style)', () => {
      expect(touchesMembers(patch({ op: 'replace', value: { id: 'g1', displayName: 'x', members: [{ value: 'u1' }] } }))).toBe(true);
    });
    it('PascalCase path', () => {
      expect(touchesMembers(patch({ op: 'Add', path: 'Members', value: [] }))).toBe(true);
    });
    it('not a rename only', () => {
      expect(touchesMembers(patch({ op: 'replace', path: 'displayName', value: 'x' }))).toBe(false);
      expect(touchesMembers(patch({ op: 'replace', value: { id: 'g1', displayName: 'x' } }))).toBe(false);
    });
    it('not a PUT with members', () => {
      expect(
        touchesMembers(req({ method: 'PUT', operation: 'replace', body: { Operations: [{ path: 'members' }] } })),
      ).toBe(false);
    });
  });
});
