import { describe, expect, it } from 'vitest';
import { FaultRegistry } from '../../src/faults/registry.js';
import { FaultRuleError } from '../../src/faults/rules.js';
import type { FaultDecision, FaultRequestInfo } from '../../src/faults/types.js';
import { ControllableClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';

const T0 = Date.parse('2025-03-01T12:00:00.000Z');

function setup(seed: number | string = 7) {
  const clock = new ControllableClock();
  clock.freeze(T0);
  const faults = new FaultRegistry({ random: new SeededRandom(seed), clock });
  return { clock, faults };
}

const req = (over: Partial<FaultRequestInfo> = {}): FaultRequestInfo => ({
  method: 'GET',
  relativePath: '/Users/abc',
  operation: 'get',
  resourceType: 'User',
  headers: {},
  query: {},
  body: undefined,
  ...over,
});

const respond = (d: FaultDecision | undefined) => {
  if (!d || d.effect.type !== 'respond') throw new Error(`expected a response, got ${JSON.stringify(d)}`);
  return { ...d.effect, json: d.effect.body === '' ? undefined : JSON.parse(d.effect.body) };
};

describe('FaultRegistry: add, list, get, remove, clear', () => {
  it('gives deterministic ids and lists rules in order with counters', () => {
    const { faults } = setup();
    const a = faults.add({ action: { type: 'reset' } });
    const b = faults.add({ name: 'slow', action: { type: 'latency', ms: 5 } });
    expect(a.id).toBe('fault-1');
    expect(b.id).toBe('fault-2');
    expect(faults.list().map((r) => r.id)).toEqual(['fault-1', 'fault-2']);
    expect(faults.get('fault-2')).toEqual({
      id: 'fault-2',
      name: 'slow',
      match: {},
      action: { type: 'latency', ms: 5 },
      probability: 1,
      after: 0,
      matched: 0,
      fired: 0,
      retired: false,
      state: 'active',
    });
    expect(faults.remove('fault-1')).toBe(true);
    expect(faults.remove('fault-1')).toBe(false);
    expect(faults.get('fault-1')).toBeUndefined();
    faults.clear();
    expect(faults.list()).toEqual([]);
    expect(faults.add({ action: { type: 'reset' } }).id).toBe('fault-3');
  });

  it('honours an idPrefix and a given id, refusing duplicates', () => {
    const clock = new ControllableClock();
    const faults = new FaultRegistry({ random: new SeededRandom(1), clock, idPrefix: 't1-fault-' });
    expect(faults.add({ id: 'fault-x', action: { type: 'reset' } }).id).toBe('fault-x');
    expect(faults.add({ action: { type: 'reset' } }).id).toBe('t1-fault-1');
    expect(() => faults.add({ id: 'fault-x', action: { type: 'reset' } })).toThrowError(FaultRuleError);
    expect(faults.add({ id: 't1-fault-2', action: { type: 'reset' } }).id).toBe('t1-fault-2');
    expect(faults.add({ action: { type: 'reset' } }).id).toBe('t1-fault-3');
  });

  it('returns copies: changing a listed rule changes nothing', () => {
    const { faults } = setup();
    const rule = faults.add({ match: { method: ['GET'] }, action: { type: 'error', status: 500 } });
    (rule.match.method as string[]).push('POST');
    faults.list()[0]!.fired = 99;
    expect(faults.get(rule.id)).toMatchObject({ match: { method: ['GET'] }, fired: 0 });
    expect(faults.decide(req({ method: 'POST' }))).toEqual([]);
  });

  it('rejects bad input with a FaultRuleError and adds nothing', () => {
    const { faults } = setup();
    expect(() => faults.add({ action: { type: 'error', status: 200 } })).toThrowError(/action\.status must be an integer from 400 to 599/);
    expect(faults.list()).toEqual([]);
  });
});

describe('FaultRegistry.decide', () => {
  it('a non-matching request leaves the counters alone', () => {
    const { faults } = setup();
    const rule = faults.add({ match: { path: '/Groups/*' }, action: { type: 'reset' } });
    expect(faults.decide(req())).toEqual([]);
    expect(faults.get(rule.id)).toMatchObject({ matched: 0, fired: 0 });
  });

  it('times: 2 fires exactly twice, then the rule is retired but still listed', () => {
    const { faults } = setup();
    const rule = faults.add({ action: { type: 'error', status: 500 }, times: 2 });
    const fired = Array.from({ length: 5 }, () => faults.decide(req()).length);
    expect(fired).toEqual([1, 1, 0, 0, 0]);
    expect(faults.get(rule.id)).toMatchObject({ fired: 2, matched: 2, retired: true, times: 2 });
    expect(faults.list()).toHaveLength(1);
  });

  it('after: 3 lets the first three matches through, then fires', () => {
    const { faults } = setup();
    const rule = faults.add({ match: { method: 'POST' }, action: { type: 'error', status: 503 }, after: 3 });
    const results = [] as number[];
    for (let i = 0; i < 6; i++) {
      faults.decide(req({ method: 'GET' })); // never matches, never counts
      results.push(faults.decide(req({ method: 'POST' })).length);
    }
    expect(results).toEqual([0, 0, 0, 1, 1, 1]);
    expect(faults.get(rule.id)).toMatchObject({ matched: 6, fired: 3 });
  });

  it('after and times together: skip 1, then fire twice', () => {
    const { faults } = setup();
    faults.add({ action: { type: 'reset' }, after: 1, times: 2 });
    expect(Array.from({ length: 5 }, () => faults.decide(req()).length)).toEqual([0, 1, 1, 0, 0]);
  });

  it('records lastFiredAt from the clock', () => {
    const { faults, clock } = setup();
    const rule = faults.add({ action: { type: 'reset' } });
    expect(faults.get(rule.id)!.lastFiredAt).toBeUndefined();
    clock.advance(1500);
    faults.decide(req());
    expect(faults.get(rule.id)!.lastFiredAt).toBe('2025-03-01T12:00:01.500Z');
  });

  it('probability 0.5 over 1,000 decisions fires 430..570 times, the same on the same seed', () => {
    const run = (seed: number) => {
      const { faults } = setup(seed);
      faults.add({ action: { type: 'error', status: 500 }, probability: 0.5 });
      return Array.from({ length: 1000 }, () => faults.decide(req()).length === 1);
    };
    const first = run(2024);
    const count = first.filter(Boolean).length;
    expect(count).toBeGreaterThanOrEqual(430);
    expect(count).toBeLessThanOrEqual(570);
    expect(run(2024)).toEqual(first);
    expect(run(2025)).not.toEqual(first);
  });

  it('probability 0 never fires and 1 always does, neither drawing from the generator', () => {
    const random = new SeededRandom(3);
    const faults = new FaultRegistry({ random, clock: new ControllableClock() });
    faults.add({ action: { type: 'reset' }, probability: 0 });
    faults.add({ action: { type: 'error', status: 500 }, probability: 1 });
    for (let i = 0; i < 10; i++) expect(faults.decide(req()).map((d) => d.action)).toEqual(['error']);
    expect(random.next()).toBe(new SeededRandom(3).next());
  });

  it('the first firing rule wins; a rule whose probability misses lets later rules fire', () => {
    const { faults } = setup(11);
    const miss = faults.add({ action: { type: 'reset' }, probability: 0 });
    faults.add({ action: { type: 'error', status: 502 } });
    const never = faults.add({ action: { type: 'error', status: 504 } });
    const d = faults.decide(req());
    expect(d.map((x) => x.ruleId)).toEqual(['fault-2']);
    expect(faults.get(miss.id)).toMatchObject({ matched: 1, fired: 0 });
    expect(faults.get(never.id)).toMatchObject({ matched: 0, fired: 0 });
  });

  describe('latency composition', () => {
    it('latency then one later non-latency rule: both apply, delay first', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'latency', ms: 100 } });
      faults.add({ action: { type: 'latency', ms: 900 } });
      faults.add({ action: { type: 'error', status: 503 } });
      faults.add({ action: { type: 'reset' } });
      const d = faults.decide(req());
      expect(d.map((x) => [x.ruleId, x.action])).toEqual([
        ['fault-1', 'latency'],
        ['fault-3', 'error'],
      ]);
      expect(d[0]!.effect).toEqual({ type: 'delay', ms: 100 });
      // the second latency rule was skipped, not counted; the reset rule was never reached
      expect(faults.get('fault-2')).toMatchObject({ matched: 0, fired: 0 });
      expect(faults.get('fault-4')).toMatchObject({ matched: 0, fired: 0 });
    });

    it('a non-latency rule first ends evaluation: later latency rules do not apply', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'error', status: 500 } });
      faults.add({ action: { type: 'latency', ms: 100 } });
      expect(faults.decide(req()).map((x) => x.action)).toEqual(['error']);
      expect(faults.get('fault-2')).toMatchObject({ matched: 0 });
    });

    it('latency alone lets the request through to the handler (one decision)', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'latency', ms: 50 } });
      faults.add({ match: { path: '/Groups' }, action: { type: 'reset' } });
      expect(faults.decide(req()).map((x) => x.effect)).toEqual([{ type: 'delay', ms: 50 }]);
    });

    it('a latency range draws uniformly within its bounds, reproducibly', () => {
      const draws = (seed: number) => {
        const { faults } = setup(seed);
        faults.add({ action: { type: 'latency', minMs: 100, maxMs: 800 } });
        return Array.from({ length: 200 }, () => {
          const e = faults.decide(req())[0]!.effect;
          return e.type === 'delay' ? e.ms : -1;
        });
      };
      const a = draws(5);
      expect(Math.min(...a)).toBeGreaterThanOrEqual(100);
      expect(Math.max(...a)).toBeLessThanOrEqual(800);
      expect(new Set(a).size).toBeGreaterThan(50);
      expect(draws(5)).toEqual(a);
    });
  });

  describe('rateLimit (token bucket on the injected clock)', () => {
    it('5 per second lets exactly 5 of a 20-request burst through; the rest get 429 with Retry-After >= 1', () => {
      const { faults } = setup();
      const rule = faults.add({ action: { type: 'rateLimit', limit: 5, windowMs: 1000 } });
      const decisions = Array.from({ length: 20 }, () => faults.decide(req()));
      expect(decisions.filter((d) => d.length === 0)).toHaveLength(5);
      expect(decisions.slice(0, 5).every((d) => d.length === 0)).toBe(true);
      for (const d of decisions.slice(5)) {
        const r = respond(d[0]);
        expect(r.status).toBe(429);
        expect(Number(r.headers['Retry-After'])).toBeGreaterThanOrEqual(1);
        expect(r.headers['Retry-After']).toBe('1');
        expect(r.json).toEqual({
          schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
          status: '429',
          detail: 'Too many requests: the limit is 5 per 1000 ms. Retry after 1 second(s).',
        });
      }
      expect(faults.get(rule.id)).toMatchObject({ matched: 20, fired: 15 });
    });

    it('refills continuously: one token per windowMs/limit', () => {
      const { faults, clock } = setup();
      faults.add({ action: { type: 'rateLimit', limit: 5, windowMs: 1000 } });
      for (let i = 0; i < 5; i++) expect(faults.decide(req())).toEqual([]);
      expect(faults.decide(req())).toHaveLength(1);
      clock.advance(199);
      expect(faults.decide(req())).toHaveLength(1);
      clock.advance(1);
      expect(faults.decide(req())).toEqual([]);
      expect(faults.decide(req())).toHaveLength(1);
      clock.advance(10_000); // never more than `limit` tokens
      for (let i = 0; i < 5; i++) expect(faults.decide(req())).toEqual([]);
      expect(faults.decide(req())).toHaveLength(1);
    });

    it('Retry-After is the whole seconds, rounded up, until a token is available', () => {
      const { faults, clock } = setup();
      faults.add({ action: { type: 'rateLimit', limit: 1, windowMs: 10_000 } });
      expect(faults.decide(req())).toEqual([]);
      expect(respond(faults.decide(req())[0]).headers['Retry-After']).toBe('10');
      clock.advance(2_500);
      expect(respond(faults.decide(req())[0]).headers['Retry-After']).toBe('8');
      clock.advance(7_000);
      expect(respond(faults.decide(req())[0]).headers['Retry-After']).toBe('1');
      clock.advance(500);
      expect(faults.decide(req())).toEqual([]);
    });

    it('a rate limit with a token passes the request on to later rules', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'rateLimit', limit: 1, windowMs: 60_000 } });
      faults.add({ match: { method: 'DELETE' }, action: { type: 'error', status: 500 } });
      expect(faults.decide(req({ method: 'DELETE' })).map((d) => d.action)).toEqual(['error']);
      expect(faults.decide(req({ method: 'DELETE' })).map((d) => d.action)).toEqual(['rateLimit']);
    });

    it('only matching requests take tokens', () => {
      const { faults } = setup();
      faults.add({ match: { operation: 'create' }, action: { type: 'rateLimit', limit: 2, windowMs: 1000 } });
      for (let i = 0; i < 10; i++) expect(faults.decide(req())).toEqual([]);
      expect(faults.decide(req({ method: 'POST', operation: 'create' }))).toEqual([]);
      expect(faults.decide(req({ method: 'POST', operation: 'create' }))).toEqual([]);
      expect(faults.decide(req({ method: 'POST', operation: 'create' }))).toHaveLength(1);
    });

    it('a clock set back does not mint tokens', () => {
      const { faults, clock } = setup();
      faults.add({ action: { type: 'rateLimit', limit: 1, windowMs: 1000 } });
      expect(faults.decide(req())).toEqual([]);
      clock.freeze(T0 - 60_000);
      expect(faults.decide(req())).toHaveLength(1);
    });
  });

  describe('responses', () => {
    it('error: a SCIM error body with scimType and detail', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'error', status: 400, scimType: 'invalidFilter', detail: 'Filter is bad.' } });
      const r = respond(faults.decide(req())[0]);
      expect(r.status).toBe(400);
      expect(r.headers).toEqual({ 'Content-Type': 'application/scim+json; charset=utf-8' });
      expect(r.json).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '400',
        scimType: 'invalidFilter',
        detail: 'Filter is bad.',
      });
    });

    it('429 and 503 get Retry-After: 1 by default; other statuses none unless given', () => {
      const statuses = [429, 503, 500, 502];
      const headers = statuses.map((status) => {
        const { faults } = setup();
        faults.add({ action: { type: 'error', status } });
        return respond(faults.decide(req())[0]).headers['Retry-After'];
      });
      expect(headers).toEqual(['1', '1', undefined, undefined]);
      const { faults } = setup();
      faults.add({ action: { type: 'error', status: 500, retryAfter: 7 } });
      expect(respond(faults.decide(req())[0]).headers['Retry-After']).toBe('7');
    });

    it('503 with Retry-After as an HTTP date', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'error', status: 503, retryAfter: 'Wed, 21 Oct 2015 07:28:00 GMT' } });
      const r = respond(faults.decide(req())[0]);
      expect(r.headers['Retry-After']).toBe('Wed, 21 Oct 2015 07:28:00 GMT');
      expect(r.json.detail).toBe('The service is temporarily unavailable. Retry after Wed, 21 Oct 2015 07:28:00 GMT.');
    });

    it('conflict uniqueness: 409 naming the duplicate attribute', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'conflict', kind: 'uniqueness' } });
      const r = respond(
        faults.decide(req({ method: 'POST', relativePath: '/Users', operation: 'create', body: { UserName: 'bjensen' } }))[0],
      );
      expect(r.status).toBe(409);
      expect(r.json).toEqual({
        schemas: ['urn:ietf:params:scim:api:messages:2.0:Error'],
        status: '409',
        scimType: 'uniqueness',
        detail: 'userName "bjensen" is already taken by another User (compared case-insensitively).',
      });
      const g = respond(
        faults.decide(req({ resourceType: 'Group', operation: 'create', body: { displayName: 'Tour Guides' } }))[0],
      );
      expect(g.json.detail).toBe('displayName "Tour Guides" is already taken by another Group (compared case-insensitively).');
      const e = respond(faults.decide(req({ operation: 'create', body: { externalId: 'E-1' } }))[0]);
      expect(e.json.detail).toBe('externalId "E-1" is already taken by another User.');
    });

    it('conflict precondition: 412 without scimType, naming the If-Match sent', () => {
      const { faults } = setup();
      faults.add({ action: { type: 'conflict', kind: 'precondition' } });
      const r = respond(faults.decide(req({ method: 'PUT', operation: 'replace', headers: { 'if-match': 'W/"3"' } }))[0]);
      expect(r.status).toBe(412);
      expect(r.json.scimType).toBeUndefined();
      expect(r.json.status).toBe('412');
      expect(r.json.detail).toBe('Precondition failed: the resource is at a newer version, but If-Match asked for W/"3". Read the resource again and retry with its current ETag.');
      const plain = respond(faults.decide(req({ method: 'PUT', operation: 'replace' }))[0]);
      expect(plain.json.detail).toMatch(/^Precondition failed: the resource has changed on the server\./);
    });

    it('malformed variants are 200 with a SCIM content type and an unparsable body', () => {
      for (const [variant, operation, check] of [
        ['truncated', 'list', (b: string) => b.startsWith('{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"]')],
        ['truncated', 'get', (b: string) => b.includes('"userName":"bjensen"')],
        ['html', 'get', (b: string) => b.startsWith('<!DOCTYPE html>')],
        ['empty', 'get', (b: string) => b === ''],
      ] as const) {
        const { faults } = setup();
        faults.add({ action: { type: 'malformed', variant } });
        const d = faults.decide(req({ operation }))[0]!;
        expect(d.effect.type).toBe('respond');
        if (d.effect.type !== 'respond') return;
        expect(d.effect.status).toBe(200);
        expect(d.effect.headers['Content-Type']).toBe('application/scim+json; charset=utf-8');
        expect(check(d.effect.body)).toBe(true);
        expect(() => JSON.parse(d.effect.type === 'respond' ? d.effect.body : '')).toThrow();
      }
    });

    it('reset and hang effects (hang defaults to 300000 ms)', () => {
      const { faults } = setup();
      faults.add({ match: { method: 'DELETE' }, action: { type: 'reset' } });
      faults.add({ match: { method: 'GET' }, action: { type: 'hang' } });
      faults.add({ match: { method: 'PUT' }, action: { type: 'hang', maxMs: 250 } });
      expect(faults.decide(req({ method: 'DELETE' }))[0]!.effect).toEqual({ type: 'reset' });
      expect(faults.decide(req({ method: 'GET' }))[0]!.effect).toEqual({ type: 'hang', maxMs: 300000 });
      expect(faults.decide(req({ method: 'PUT' }))[0]!.effect).toEqual({ type: 'hang', maxMs: 250 });
    });
  });
});

describe('FaultRegistry: rules a request cannot match are passed over first (operation, a named header)', () => {
  const rule = (i: number, match: Record<string, unknown>) => ({ name: `r${i}`, match, action: { type: 'error', status: 503 } });

  it('decides as the full match does: header names in any case, several operations, headers given as a list', () => {
    const { faults } = setup();
    faults.add(rule(0, { operation: 'get', headers: { 'X-Fail': 'yes' } }));
    faults.add(rule(1, { operation: ['patch', 'get'], headers: { 'x-other': { contains: 'b' } } }));
    faults.add(rule(2, { operation: 'patch' }));
    const fired = (r: FaultRequestInfo) => faults.decide(r).map((d) => d.name);
    expect(fired(req())).toEqual([]);
    expect(fired(req({ headers: { 'x-fail': 'yes' } }))).toEqual(['r0']);
    // Keys not in lower case (a FaultRequestInfo not made by node): found ignoring case.
    expect(fired(req({ headers: { 'X-Fail': 'yes' } }))).toEqual(['r0']);
    expect(fired(req({ headers: { 'X-FAIL': 'no', 'x-other': ['a', 'abc'] } }))).toEqual(['r1']);
    expect(fired(req({ operation: 'patch', method: 'PATCH', headers: { 'x-fail': 'yes' } }))).toEqual(['r2']);
    expect(fired(req({ operation: 'patch', method: 'PATCH', headers: { 'X-Other': 'b' } }))).toEqual(['r1']);
  });

  it('counts a match only for the rules a request matched, as before', () => {
    const { faults } = setup();
    for (let i = 0; i < 50; i++) faults.add(rule(i, { operation: 'get', resourceType: 'User', headers: { 'X-Bench-Fault': `rule-${i}` } }));
    for (let i = 0; i < 10; i++) expect(faults.decide(req({ headers: { host: 'h', 'user-agent': 'ua' } }))).toEqual([]);
    expect(faults.decide(req({ headers: { 'x-bench-fault': 'rule-7' } })).map((d) => d.name)).toEqual(['r7']);
    expect(faults.decide(req({ operation: 'list', relativePath: '/Users', headers: { 'x-bench-fault': 'rule-8' } }))).toEqual([]);
    expect(faults.list().filter((r) => r.matched > 0).map((r) => [r.name, r.matched, r.fired])).toEqual([['r7', 1, 1]]);
  });
});
