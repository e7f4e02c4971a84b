import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  JOURNAL_BODY_LIMIT,
  Journal,
  JournalQueryError,
  JournalTimeoutError,
  compileGlob,
  parseBodyPath,
  redactBody,
  redactHeaders,
  type JournalEntry,
} from '../../src/journal/journal.js';
import { frozenClock, input } from './helpers.js';

const ENTERPRISE = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

describe('ring buffer', () => {
  it('keeps the newest `capacity` entries: capacity 5, 12 recorded -> seqs 8..12', () => {
    const j = new Journal({ capacity: 5, clock: frozenClock() });
    for (let i = 1; i <= 12; i++) j.record(input({ path: `/scim/v2/Users/${i}` }));
    expect(j.size).toBe(5);
    expect(j.capacity).toBe(5);
    expect(j.lastSeq).toBe(12);
    const all = j.list();
    expect(all.map((e) => e.seq)).toEqual([8, 9, 10, 11, 12]);
    expect(all.map((e) => e.id)).toEqual(['req-8', 'req-9', 'req-10', 'req-11', 'req-12']);
    expect(all.map((e) => e.path)).toEqual([8, 9, 10, 11, 12].map((i) => `/scim/v2/Users/${i}`));
    expect(j.get('req-7')).toBeUndefined();
    expect(j.get('req-8')?.seq).toBe(8);
    expect(j.get('req-12')?.path).toBe('/scim/v2/Users/12');
    expect(j.get('req-13')).toBeUndefined();
    expect(j.get('8')).toBeUndefined();
    expect(j.list({ order: 'desc' }).map((e) => e.seq)).toEqual([12, 11, 10, 9, 8]);
  });

  it('20,000 records into capacity 1,000 keep exactly 1,000 entries, the newest ones', () => {
    const j = new Journal({ capacity: 1000, clock: frozenClock() });
    for (let i = 0; i < 20_000; i++) j.record(input({ requestBody: { i } }));
    expect(j.size).toBe(1000);
    expect(j.count()).toBe(1000);
    const all = j.list({ limit: 10_000 });
    expect(all).toHaveLength(1000);
    expect(all[0]!.seq).toBe(19_001);
    expect(all[999]!.seq).toBe(20_000);
    expect(all[999]!.requestBody).toEqual({ i: 19_999 });
    // The backing array never grows past its capacity.
    expect((j as unknown as { buffer: unknown[] }).buffer.length).toBe(1000);
  });

  it('clear() empties the buffer but never reuses sequence numbers', () => {
    const j = new Journal({ capacity: 3, clock: frozenClock() });
    for (let i = 0; i < 4; i++) j.record(input());
    j.clear();
    expect(j.size).toBe(0);
    expect(j.list()).toEqual([]);
    expect(j.get('req-4')).toBeUndefined();
    const e = j.record(input());
    expect(e.seq).toBe(5);
    expect(e.id).toBe('req-5');
    expect(j.get('req-5')).toBe(e);
    expect(j.list().map((x) => x.seq)).toEqual([5]);
  });

  it('takes time from the clock and defaults to 10,000 entries', () => {
    const clock = frozenClock();
    const j = new Journal({ clock });
    expect(j.capacity).toBe(10_000);
    expect(j.record(input()).time).toBe('2024-05-01T12:00:00.000Z');
    clock.advance(1500);
    expect(j.record(input()).time).toBe('2024-05-01T12:00:01.500Z');
    expect(j.record(input({ time: '2020-01-01T00:00:00.000Z' })).time).toBe('2020-01-01T00:00:00.000Z');
  });

  it('rejects a capacity that is not a positive integer', () => {
    expect(() => new Journal({ capacity: 0, clock: frozenClock() })).toThrow(RangeError);
    expect(() => new Journal({ capacity: 1.5, clock: frozenClock() })).toThrow(RangeError);
  });
});

describe('subscription', () => {
  it('subscribers see every entry after it is stored, in order; eviction is counted; unsubscribe stops delivery', () => {
    const j = new Journal({ capacity: 3, clock: frozenClock() });
    const seen: Array<[number, boolean]> = [];
    const stop = j.subscribe((e) => seen.push([e.seq, j.get(e.id) === e]));
    expect(j.subscribers).toBe(1);
    for (let i = 1; i <= 5; i++) j.record(input({ path: `/scim/v2/Users/${i}` }));
    expect(seen).toEqual([[1, true], [2, true], [3, true], [4, true], [5, true]]);
    expect(j.evicted).toBe(2);
    stop();
    expect(j.subscribers).toBe(0);
    j.record(input());
    expect(seen).toHaveLength(5);
  });

  it('a throwing subscriber neither loses the entry nor stops the others', () => {
    const j = new Journal({ capacity: 10, clock: frozenClock() });
    const got: number[] = [];
    j.subscribe(() => {
      throw new Error('boom');
    });
    j.subscribe((e) => got.push(e.seq));
    expect(() => j.record(input())).not.toThrow();
    expect(got).toEqual([1]);
    expect(j.size).toBe(1);
  });

  it('a recorded subscriber reads status, outcome and response headers without a JournalEntry being made; what it completes shows in later views', () => {
    const j = new Journal({ capacity: 10, clock: frozenClock() });
    const seen: Array<[string, number, string, string | undefined, string | undefined]> = [];
    j.subscribeRecorded((e) => {
      seen.push([e.id, e.status, e.outcome, e.responseHeader('retry-after'), e.responseHeader('location')]);
      e.client = 'client-1';
      e.findings = [{ code: 'retry-storm', rfc: 'RFC 7644 3.12', detail: 'd', requestIds: [e.id] }];
    });
    const stored = j.append(input({ status: 429, responseHeaders: { 'content-type': 'application/scim+json', 'retry-after': ['3', '4'] } }));
    expect(seen).toEqual([['req-1', 429, 'completed', '3', undefined]]);
    expect(stored.view).toBeUndefined();
    const entry = j.get('req-1')!;
    expect(entry.client).toBe('client-1');
    expect(entry.findings.map((f) => f.code)).toEqual(['retry-storm']);
    expect(entry.responseHeaders['retry-after']).toEqual(['3', '4']);
  });

  it('listeners of both kinds run in the order they subscribed: a view listener after a recorded one sees its findings', () => {
    const j = new Journal({ capacity: 10, clock: frozenClock() });
    const order: string[] = [];
    j.subscribe((e) => order.push(`view ${e.seq} ${e.client}`));
    const stop = j.subscribeRecorded((e) => {
      order.push(`recorded ${e.seq}`);
      e.client = 'c';
    });
    j.subscribe((e) => order.push(`view ${e.seq} ${e.client}`));
    expect(j.subscribers).toBe(3);
    j.record(input());
    stop();
    expect(j.subscribers).toBe(2);
    j.record(input());
    expect(order).toEqual(['view 1 null', 'recorded 1', 'view 1 c', 'view 2 null', 'view 2 null']);
  });
});

describe('redaction', () => {
  it('redacts Authorization keeping the scheme (Bearer and Basic), and the other credential headers', () => {
    expect(
      redactHeaders({
        authorization: 'Bearer eyJhbGciOiJIUzI1NiJ9.secret',
        'Proxy-Authorization': 'Basic dXNlcjpwYXNz',
        cookie: 'session=abc; other=def',
        'x-api-key': 'k-123',
        'content-type': 'application/scim+json',
        accept: ['a', 'b'],
        skipped: undefined,
      }),
    ).toEqual({
      authorization: 'Bearer [REDACTED]',
      'Proxy-Authorization': 'Basic [REDACTED]',
      cookie: '[REDACTED]',
      'x-api-key': '[REDACTED]',
      'content-type': 'application/scim+json',
      accept: ['a', 'b'],
    });
    expect(redactHeaders({ Authorization: 'Basic dXNlcjpwYXNz' })).toEqual({ Authorization: 'Basic [REDACTED]' });
    // A bare token (no scheme) is hidden entirely.
    expect(redactHeaders({ authorization: 'sk_live_abcdef' })).toEqual({ authorization: '[REDACTED]' });
    // No credentials to hide: what the client sent stays visible.
    expect(redactHeaders({ authorization: 'Bearer ' })).toEqual({ authorization: 'Bearer ' });
  });

  it('record() redacts whatever the caller passes', () => {
    const j = new Journal({ clock: frozenClock() });
    const e = j.record(
      input({
        method: 'POST',
        requestHeaders: { authorization: 'Bearer top-secret-token', host: 'h' },
        requestBody: { userName: 'bjensen', password: 't1meMa$heen' },
      }),
    );
    expect(e.requestHeaders.authorization).toBe('Bearer [REDACTED]');
    expect(e.requestBody).toEqual({ userName: 'bjensen', password: '[REDACTED]' });
    expect(JSON.stringify(j.toHar())).not.toContain('top-secret-token');
    expect(j.toNdjson()).not.toContain('t1meMa$heen');
  });

  it('redacts password values at any depth, case-insensitively, without touching the input', () => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'q1', data: { userName: 'a', PassWord: 'p1', name: { password: 'p2' } } },
        { method: 'PATCH', path: '/Users/1', data: { Operations: [{ op: 'replace', value: { password: 'p3' } }] } },
      ],
    };
    const before = JSON.stringify(body);
    const { body: out, truncated } = redactBody(body);
    expect(truncated).toBe(false);
    expect(out).toEqual({
      schemas: ['urn:ietf:params:scim:api:messages:2.0:BulkRequest'],
      Operations: [
        { method: 'POST', path: '/Users', bulkId: 'q1', data: { userName: 'a', PassWord: '[REDACTED]', name: { password: '[REDACTED]' } } },
        { method: 'PATCH', path: '/Users/1', data: { Operations: [{ op: 'replace', value: { password: '[REDACTED]' } }] } },
      ],
    });
    expect(JSON.stringify(body)).toBe(before);
  });

  it('redacts the value of a PATCH operation whose path is the password, and URN-qualified password keys', () => {
    const { body } = redactBody({
      schemas: [PATCH_OP],
      Operations: [
        { op: 'replace', path: 'password', value: 'p1' },
        { op: 'Replace', Path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', Value: 'p2' },
        { op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:password': 'p3', active: true } },
        { op: 'replace', path: 'passwordHint', value: 'kept' },
      ],
    });
    expect(JSON.stringify(body)).not.toMatch(/"p[123]"/);
    expect((body as { Operations: unknown[] }).Operations).toEqual([
      { op: 'replace', path: 'password', value: '[REDACTED]' },
      { op: 'Replace', Path: 'urn:ietf:params:scim:schemas:core:2.0:User:password', Value: '[REDACTED]' },
      { op: 'replace', value: { 'urn:ietf:params:scim:schemas:core:2.0:User:password': '[REDACTED]', active: true } },
      { op: 'replace', path: 'passwordHint', value: 'kept' },
    ]);
  });

  it('parses JSON text, keeps non-JSON text, truncates at 64 KiB, records nothing as null', () => {
    expect(redactBody('{"password":"x","a":1}')).toEqual({ body: { password: '[REDACTED]', a: 1 }, truncated: false });
    expect(redactBody('not json')).toEqual({ body: 'not json', truncated: false });
    expect(redactBody(Buffer.from('{"a":2}'))).toEqual({ body: { a: 2 }, truncated: false });
    expect(redactBody(undefined)).toEqual({ body: null, truncated: false });
    expect(redactBody('')).toEqual({ body: null, truncated: false });
    const long = 'x'.repeat(JOURNAL_BODY_LIMIT + 10);
    expect(redactBody(long)).toEqual({ body: long.slice(0, JOURNAL_BODY_LIMIT), truncated: true });
    const big = { members: Array.from({ length: 5000 }, (_, i) => ({ value: `user-${i}`, password: 'secret!' })) };
    const r = redactBody(big);
    expect(r.truncated).toBe(true);
    expect(typeof r.body).toBe('string');
    expect((r.body as string).length).toBe(JOURNAL_BODY_LIMIT);
    expect(r.body as string).not.toContain('secret!');
  });

  it('never pollutes prototypes and survives absurd nesting', () => {
    const parsed = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}') as object;
    const { body } = redactBody(parsed);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(Object.keys(body as object)).toEqual(['__proto__', 'constructor']);
    let deep: unknown = 1;
    for (let i = 0; i < 5000; i++) deep = { a: deep };
    const r = redactBody(deep);
    expect(r.truncated).toBe(true);
    expect(typeof r.body).toBe('string');
  });
});

describe('queries', () => {
  function sample(): Journal {
    const clock = frozenClock();
    const j = new Journal({ clock });
    const rec = (over: Parameters<typeof input>[0]) => {
      const e = j.record(input(over));
      clock.advance(1000);
      return e;
    };
    rec({ method: 'GET', relativePath: '/Users', operation: 'list', status: 200 }); // 1
    rec({ method: 'POST', relativePath: '/Users', operation: 'create', status: 201, requestBody: { userName: 'a' } }); // 2
    rec({ method: 'POST', relativePath: '/Users', operation: 'create', status: 409, requestBody: { userName: 'a' } }); // 3
    rec({
      method: 'PATCH',
      relativePath: '/Groups/g1',
      operation: 'patch',
      resourceType: 'Group',
      status: 204,
      requestBody: { schemas: [PATCH_OP], Operations: [{ op: 'Add', path: 'members', value: [{ value: 'u1' }] }] },
      warnings: [{ code: 'op-case', rfc: 'RFC 7644 3.5.2', detail: 'op "Add" should be "add"' }],
    }); // 4
    rec({
      method: 'PATCH',
      relativePath: '/Users/u1',
      operation: 'patch',
      status: 200,
      requestBody: { schemas: [PATCH_OP], Operations: [{ op: 'replace', path: 'active', value: false }] },
    }); // 5
    rec({ method: 'GET', relativePath: '/Users/u1', operation: 'get', status: 503, fault: { id: 'f1', name: 'flaky', action: 'error' } }); // 6
    rec({ method: 'DELETE', relativePath: '/Users/u1', operation: 'delete', status: 204 }); // 7
    rec({
      method: 'PUT',
      relativePath: '/Users/u2',
      operation: 'replace',
      status: 200,
      requestBody: { schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'], userName: 'b', [ENTERPRISE]: { employeeNumber: '701984' } },
    }); // 8
    rec({ method: 'GET', relativePath: '/ServiceProviderConfig', operation: 'discovery', resourceType: null, status: 500 }); // 9
    return j;
  }
  const seqs = (es: { seq: number }[]) => es.map((e) => e.seq);

  it('filters by method, operation, resource type, path glob', () => {
    const j = sample();
    expect(seqs(j.find({ method: 'post' }))).toEqual([2, 3]);
    expect(seqs(j.find({ method: ['PATCH', 'PUT'] }))).toEqual([4, 5, 8]);
    expect(seqs(j.find({ operation: 'patch' }))).toEqual([4, 5]);
    expect(seqs(j.find({ operation: ['create', 'delete'] }))).toEqual([2, 3, 7]);
    expect(seqs(j.find({ operation: 'patch', resourceType: 'group' }))).toEqual([4]);
    expect(seqs(j.find({ path: '/Users/*' }))).toEqual([5, 6, 7, 8]);
    expect(seqs(j.find({ path: '/users' }))).toEqual([1, 2, 3]);
    expect(seqs(j.find({ path: '/**' }))).toHaveLength(9);
    expect(seqs(j.find({ path: '/*' }))).toEqual([1, 2, 3, 9]);
  });

  it('filters by status code, class and list', () => {
    const j = sample();
    expect(seqs(j.find({ status: 204 }))).toEqual([4, 7]);
    expect(seqs(j.find({ status: '4xx' }))).toEqual([3]);
    expect(seqs(j.find({ status: '5xx' }))).toEqual([6, 9]);
    expect(seqs(j.find({ status: ['4xx', 500] }))).toEqual([3, 9]);
    expect(seqs(j.find({ status: '2XX' }))).toEqual([1, 2, 4, 5, 7, 8]);
  });

  it('filters by time, warnings and fault', () => {
    const j = sample();
    expect(seqs(j.find({ from: '2024-05-01T12:00:02Z', to: '2024-05-01T12:00:04.000Z' }))).toEqual([3, 4, 5]);
    expect(seqs(j.find({ from: '2024-05-01T14:00:05+02:00' }))).toEqual([6, 7, 8, 9]);
    expect(seqs(j.find({ hasWarnings: true }))).toEqual([4]);
    expect(seqs(j.find({ hasWarnings: false }))).toHaveLength(8);
    expect(seqs(j.find({ warningCode: 'op-case' }))).toEqual([4]);
    expect(seqs(j.find({ fault: true }))).toEqual([6]);
    expect(seqs(j.find({ fault: 'f1' }))).toEqual([6]);
    expect(seqs(j.find({ fault: 'flaky' }))).toEqual([6]);
    expect(seqs(j.find({ fault: 'f2' }))).toEqual([]);
    expect(seqs(j.find({ fault: false }))).toHaveLength(8);
  });

  it('matches the request body with a JSON-path-like path', () => {
    const j = sample();
    expect(seqs(j.find({ body: { path: 'Operations[*].op', equals: 'Add' } }))).toEqual([4]);
    expect(seqs(j.find({ body: { path: 'Operations[*].op', equals: 'add' } }))).toEqual([]);
    expect(seqs(j.find({ body: { path: 'operations[*].OP', contains: 'add' } }))).toEqual([4]);
    expect(seqs(j.find({ body: { path: 'Operations[0].path', equals: 'members' } }))).toEqual([4]);
    expect(seqs(j.find({ body: { path: 'Operations[1].path', exists: true } }))).toEqual([]);
    expect(seqs(j.find({ body: { path: 'Operations.value', equals: false } }))).toEqual([5]);
    expect(seqs(j.find({ body: { path: 'Operations[*].value[*].value', equals: 'u1' } }))).toEqual([4]);
    expect(seqs(j.find({ body: { path: 'Operations[*].value', contains: { value: 'u1' } } }))).toEqual([4]);
    expect(seqs(j.find({ body: { path: 'userName', equals: 'a' } }))).toEqual([2, 3]);
    expect(seqs(j.find({ body: { path: 'userName', exists: true }, status: 201 }))).toEqual([2]);
    expect(seqs(j.find({ body: { path: 'Operations', exists: false }, method: 'PATCH' }))).toEqual([]);
    expect(seqs(j.find({ body: { path: `${ENTERPRISE}.employeeNumber`, equals: '701984' } }))).toEqual([8]);
    expect(seqs(j.find({ body: { path: `["${ENTERPRISE}"].employeeNumber`, equals: '701984' } }))).toEqual([8]);
    expect(
      seqs(
        j.find({
          body: [
            { path: 'schemas', contains: PATCH_OP },
            { path: 'Operations[*].path', contains: 'MEMBERS' },
          ],
        }),
      ),
    ).toEqual([4]);
  });

  it('pages with since, limit and order; count ignores limit', () => {
    const j = sample();
    expect(seqs(j.list({ since: 3, limit: 2 }))).toEqual([4, 5]);
    expect(seqs(j.list({ since: 3, limit: 2, order: 'desc' }))).toEqual([9, 8]);
    expect(seqs(j.list({ since: 9 }))).toEqual([]);
    expect(seqs(j.list({ since: 0, limit: 1 }))).toEqual([1]);
    expect(j.count({ limit: 1 })).toBe(9);
    expect(j.count({ since: 4, operation: 'patch' })).toBe(1);
    const many = new Journal({ clock: frozenClock() });
    for (let i = 0; i < 150; i++) many.record(input());
    expect(many.list()).toHaveLength(100);
    expect(many.list({ limit: 10_000 })).toHaveLength(150);
  });

  it('rejects bad queries with JournalQueryError naming the field', () => {
    const j = sample();
    const bad: Array<[unknown, string]> = [
      [{ nope: 1 }, 'nope'],
      [{ method: 3 }, 'method'],
      [{ operation: 'fetch' }, 'operation'],
      [{ status: '6xx' }, 'status'],
      [{ status: 'abc' }, 'status'],
      [{ from: 'yesterday' }, 'from'],
      [{ to: '2024-05-01' }, 'to'],
      [{ hasWarnings: 'true' }, 'hasWarnings'],
      [{ fault: 1 }, 'fault'],
      [{ since: -1 }, 'since'],
      [{ limit: 0 }, 'limit'],
      [{ limit: 10_001 }, 'limit'],
      [{ limit: 2.5 }, 'limit'],
      [{ order: 'up' }, 'order'],
      [{ body: { path: 'a..b', equals: 1 } }, 'body.path'],
      [{ body: { path: 'a[', equals: 1 } }, 'body.path'],
      [{ body: { path: 'a' } }, 'body'],
      [{ body: { path: 'a', equals: 1, exists: true } }, 'body'],
      [{ body: { path: 'a', like: 1 } }, 'body.like'],
      [{ body: [{ path: 'a', equals: 1 }, { path: 1, equals: 1 }] }, 'body[1].path'],
      [JSON.parse('{"__proto__": {"x": 1}}'), '__proto__'],
      [[1], 'query'],
    ];
    for (const [q, field] of bad) {
      let err: unknown;
      try {
        j.list(q as never);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(q)).toBeInstanceOf(JournalQueryError);
      expect((err as JournalQueryError).field, JSON.stringify(q)).toBe(field);
      expect((err as Error).message).toContain(field);
    }
  });

  it('glob and body path helpers', () => {
    expect(compileGlob('/Users/*').test('/Users/abc')).toBe(true);
    expect(compileGlob('/Users/*').test('/Users/abc/def')).toBe(false);
    expect(compileGlob('/Users/**').test('/Users/abc/def')).toBe(true);
    expect(compileGlob('/Users/(x)').test('/Users/(x)')).toBe(true);
    expect(parseBodyPath('Operations[*].op')).toEqual([
      { kind: 'key', name: 'Operations' },
      { kind: 'any' },
      { kind: 'key', name: 'op' },
    ]);
    expect(parseBodyPath('$.emails[0].value')).toEqual([
      { kind: 'key', name: 'emails' },
      { kind: 'index', index: 0 },
      { kind: 'key', name: 'value' },
    ]);
  });
});

describe('waitFor', () => {
  it('resolves with the first matching entry recorded after `since`', async () => {
    const j = new Journal({ clock: frozenClock() });
    j.record(input({ operation: 'patch' })); // 1: before `since`
    const since = j.lastSeq;
    const waiting = j.waitFor({ since, operation: 'patch' }, { timeoutMs: 2000 });
    j.record(input({ operation: 'get' })); // 2
    setTimeout(() => j.record(input({ operation: 'patch', relativePath: '/Users/x' })), 20); // 3
    const e = await waiting;
    expect(e.seq).toBe(3);
    expect(e.relativePath).toBe('/Users/x');
  });

  it('resolves at once with an entry already recorded after `since`', async () => {
    const j = new Journal({ clock: frozenClock() });
    j.record(input({ operation: 'get' }));
    j.record(input({ operation: 'patch' }));
    j.record(input({ operation: 'patch' }));
    expect((await j.waitFor({ since: 1, operation: 'patch' }, { timeoutMs: 10 })).seq).toBe(2);
  });

  it('without since, waits for the next request', async () => {
    const j = new Journal({ clock: frozenClock() });
    j.record(input());
    const waiting = j.waitFor({}, { timeoutMs: 2000 });
    setTimeout(() => j.record(input()), 5);
    expect((await waiting).seq).toBe(2);
  });

  it('rejects with JournalTimeoutError when nothing matches in time', async () => {
    const j = new Journal({ clock: frozenClock() });
    const waiting = j.waitFor({ since: 0, operation: 'delete' }, { timeoutMs: 30 });
    j.record(input({ operation: 'get' }));
    await expect(waiting).rejects.toBeInstanceOf(JournalTimeoutError);
    await expect(j.waitFor({ operation: 'nope' as never }, { timeoutMs: 10 })).rejects.toBeInstanceOf(JournalQueryError);
  });

  it('stops waiting on abort', async () => {
    const j = new Journal({ clock: frozenClock() });
    const ac = new AbortController();
    const waiting = j.waitFor({}, { timeoutMs: 5000, signal: ac.signal });
    ac.abort();
    await expect(waiting).rejects.toThrow();
    expect((j as unknown as { waiters: Set<unknown> }).waiters.size).toBe(0);
  });
});

describe('conformance summary', () => {
  it('counts warning codes over the buffer with the first request of each', () => {
    const j = new Journal({ capacity: 4, clock: frozenClock() });
    const w = (code: string, detail = `${code} detail`) => ({ code, rfc: 'RFC 7644 3.5.2', detail });
    j.record(input({ warnings: [w('dropped')] })); // 1: will fall out of the buffer
    j.record(input({ warnings: [w('op-case', 'op "Replace" should be "replace"'), w('op-case', 'second'), w('bool-string')] })); // 2
    j.record(input()); // 3
    j.record(input({ warnings: [w('op-case', 'third')] })); // 4
    j.record(input({ warnings: [w('bool-string', 'later')] })); // 5
    expect(j.conformanceSummary()).toEqual({
      totalRequests: 4,
      requestsWithWarnings: 3,
      warnings: [
        { code: 'op-case', rfc: 'RFC 7644 3.5.2', count: 3, requests: 2, firstRequestId: 'req-2', example: 'op "Replace" should be "replace"' },
        { code: 'bool-string', rfc: 'RFC 7644 3.5.2', count: 2, requests: 2, firstRequestId: 'req-2', example: 'bool-string detail' },
      ],
      requestsWithFindings: 0,
      behaviour: [],
    });
  });

  it('counts behaviour findings (set by a subscriber) apart from the warnings', () => {
    const j = new Journal({ capacity: 10, clock: frozenClock() });
    const lines: string[] = [];
    j.subscribe((entry) => {
      if (entry.seq % 2 === 0) entry.findings = [{ code: 'retry-storm', rfc: 'RFC 6585 4', detail: `storm ${entry.id}`, requestIds: ['req-1', entry.id] }];
      lines.push(JSON.stringify(entry.findings));
    });
    for (let i = 0; i < 4; i++) j.record(input({ warnings: i === 0 ? [{ code: 'op-case', rfc: 'RFC 7644 3.5.2', detail: 'x' }] : [] }));
    const summary = j.conformanceSummary();
    expect(summary).toMatchObject({ totalRequests: 4, requestsWithWarnings: 1, requestsWithFindings: 2 });
    expect(summary.warnings.map((w) => w.code)).toEqual(['op-case']);
    expect(summary.behaviour).toEqual([{ code: 'retry-storm', rfc: 'RFC 6585 4', count: 2, requests: 2, firstRequestId: 'req-2', example: 'storm req-2' }]);
    expect(j.find({ findingCode: 'retry-storm' }).map((e) => e.id)).toEqual(['req-2', 'req-4']);
    expect(j.count({ hasFindings: false })).toBe(2);
    expect(lines[1]).toContain('storm req-2');
  });
});

describe('export', () => {
  it('writes HAR 1.2', () => {
    const j = new Journal({ clock: frozenClock(), creatorVersion: '9.9.9' });
    j.record(
      input({
        method: 'POST',
        path: '/scim/v2/Users',
        query: { attributes: 'userName' },
        requestHeaders: { host: 'localhost:8080', 'content-type': 'application/scim+json', authorization: 'Bearer abc' },
        requestBody: { userName: 'bjensen' },
        status: 201,
        responseHeaders: { 'content-type': 'application/scim+json', location: 'http://localhost:8080/scim/v2/Users/1' },
        responseBody: { id: '1', userName: 'bjensen' },
        durationMs: 12.5,
        operation: 'create',
      }),
    );
    j.record(input({ status: 0, outcome: 'aborted', responseHeaders: {}, responseBody: null }));
    const har = j.toHar();
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator).toEqual({ name: 'scimulator', version: '9.9.9' });
    expect(har.log.entries).toHaveLength(2);
    const [a, b] = har.log.entries;
    expect(a).toMatchObject({
      startedDateTime: '2024-05-01T12:00:00.000Z',
      time: 12.5,
      request: {
        method: 'POST',
        url: 'http://localhost:8080/scim/v2/Users?attributes=userName',
        httpVersion: 'HTTP/1.1',
        queryString: [{ name: 'attributes', value: 'userName' }],
        postData: { mimeType: 'application/scim+json', text: '{"userName":"bjensen"}' },
        headersSize: -1,
      },
      response: {
        status: 201,
        statusText: 'Created',
        content: { mimeType: 'application/scim+json', text: '{"id":"1","userName":"bjensen"}' },
        redirectURL: '',
      },
      timings: { send: 0, wait: 12.5, receive: 0 },
      _id: 'req-1',
      _operation: 'create',
      _outcome: 'completed',
    });
    expect(a!.request.headers).toContainEqual({ name: 'authorization', value: 'Bearer [REDACTED]' });
    expect(b!.response.status).toBe(0);
    expect(b!.response.content.size).toBe(0);
    expect(b!.request.postData).toBeUndefined();
    expect(JSON.parse(JSON.stringify(har))).toEqual(har);
    expect(j.toHar({ status: 0 }).log.entries).toHaveLength(1);
  });

  it('writes NDJSON, one entry per line', () => {
    const j = new Journal({ clock: frozenClock() });
    for (let i = 0; i < 3; i++) j.record(input({ relativePath: `/Users/${i}` }));
    const lines = j.toNdjson().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines.slice(0, 3).map((l) => (JSON.parse(l) as { seq: number }).seq)).toEqual([1, 2, 3]);
    expect(j.toNdjson({ since: 2 }).trim().split('\n')).toHaveLength(1);
  });
});

describe('NDJSON file stream', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('appends one line per entry and flushes on close()', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scimulator-journal-'));
    const file = join(dir, 'requests.ndjson');
    const j = new Journal({ capacity: 2, clock: frozenClock(), file });
    for (let i = 0; i < 5; i++) {
      j.record(input({ relativePath: `/Users/${i}`, requestHeaders: { authorization: 'Bearer sekrit' } }));
    }
    await j.close();
    const text = readFileSync(file, 'utf8');
    expect(text).not.toContain('sekrit');
    const lines = text.trimEnd().split('\n');
    // The file keeps everything, the ring buffer only the last 2.
    expect(lines).toHaveLength(5);
    expect(lines.map((l) => (JSON.parse(l) as { relativePath: string }).relativePath)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `/Users/${i}`),
    );
    expect(j.size).toBe(2);
    expect(j.fileError).toBeUndefined();
  });

  it('writes each line after the subscribers ran, with the client and findings they set', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scimulator-journal-'));
    const file = join(dir, 'requests.ndjson');
    const j = new Journal({ clock: frozenClock(), file });
    j.subscribe((entry) => {
      entry.client = 'c-0123456789ab';
      entry.findings = [{ code: 'pagination-gap', rfc: 'RFC 7644 3.4.2.4', detail: 'd', requestIds: [entry.id] }];
    });
    j.record(input());
    await j.close();
    const line = JSON.parse(readFileSync(file, 'utf8').trimEnd()) as JournalEntry;
    expect(line.client).toBe('c-0123456789ab');
    expect(line.findings).toEqual([{ code: 'pagination-gap', rfc: 'RFC 7644 3.4.2.4', detail: 'd', requestIds: ['req-1'] }]);
  });

  it('does not crash when the file cannot be opened', async () => {
    dir = mkdtempSync(join(tmpdir(), 'scimulator-journal-'));
    const j = new Journal({ clock: frozenClock(), file: join(dir, 'missing', 'dir', 'x.ndjson') });
    j.record(input());
    await new Promise((r) => setTimeout(r, 20));
    j.record(input());
    await j.close();
    expect(j.fileError).toBeInstanceOf(Error);
    expect(j.size).toBe(2);
  });
});


