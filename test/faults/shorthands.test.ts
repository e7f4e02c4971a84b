import { describe, expect, it } from 'vitest';
import { FaultRegistry } from '../../src/faults/registry.js';
import {
  parseFailRateShorthand,
  parseLatencyShorthand,
  parseRateLimitShorthand,
  shorthandRules,
} from '../../src/faults/shorthands.js';
import { ControllableClock } from '../../src/scim/clock.js';
import { SeededRandom } from '../../src/scim/random.js';

describe('CLI shorthands', () => {
  it('--latency', () => {
    expect(parseLatencyShorthand('200').action).toEqual({ type: 'latency', ms: 200 });
    expect(parseLatencyShorthand(200).action).toEqual({ type: 'latency', ms: 200 });
    expect(parseLatencyShorthand('200ms').action).toEqual({ type: 'latency', ms: 200 });
    expect(parseLatencyShorthand('100-800').action).toEqual({ type: 'latency', minMs: 100, maxMs: 800 });
    expect(parseLatencyShorthand(' 100ms - 800ms ').action).toEqual({ type: 'latency', minMs: 100, maxMs: 800 });
    expect(parseLatencyShorthand('100-800').name).toBe('--latency 100-800');
  });

  it('--fail-rate', () => {
    expect(parseFailRateShorthand('0.1:503')).toEqual({
      name: '--fail-rate 0.1:503',
      probability: 0.1,
      action: { type: 'error', status: 503 },
    });
    expect(parseFailRateShorthand('0.25')).toMatchObject({ probability: 0.25, action: { type: 'error', status: 500 } });
    expect(parseFailRateShorthand('1:429')).toMatchObject({ probability: 1, action: { status: 429 } });
    expect(parseFailRateShorthand('.5:502')).toMatchObject({ probability: 0.5, action: { status: 502 } });
  });

  it('--rate-limit', () => {
    const rl = (s: string) => parseRateLimitShorthand(s).action;
    expect(rl('10/s')).toEqual({ type: 'rateLimit', limit: 10, windowMs: 1000 });
    expect(rl('10/sec')).toEqual({ type: 'rateLimit', limit: 10, windowMs: 1000 });
    expect(rl('100/m')).toEqual({ type: 'rateLimit', limit: 100, windowMs: 60_000 });
    expect(rl('100/min')).toEqual({ type: 'rateLimit', limit: 100, windowMs: 60_000 });
    expect(rl('1000/h')).toEqual({ type: 'rateLimit', limit: 1000, windowMs: 3_600_000 });
    expect(rl('5/500ms')).toEqual({ type: 'rateLimit', limit: 5, windowMs: 500 });
    expect(rl('3/2s')).toEqual({ type: 'rateLimit', limit: 3, windowMs: 2000 });
  });

  const bad: Array<[string, () => unknown, RegExp]> = [
    ['latency word', () => parseLatencyShorthand('slow'), /^--latency: "slow" is not a delay/],
    ['latency negative', () => parseLatencyShorthand('-5'), /not a delay/],
    ['latency reversed', () => parseLatencyShorthand('800-100'), /ends below its start/],
    ['latency huge', () => parseLatencyShorthand('9999999'), /maximum/],
    ['fail-rate > 1', () => parseFailRateShorthand('1.5:503'), /from 0 to 1/],
    ['fail-rate percent', () => parseFailRateShorthand('10%'), /not a rate/],
    ['fail-rate status', () => parseFailRateShorthand('0.1:200'), /from 400 to 599/],
    ['fail-rate status text', () => parseFailRateShorthand('0.1:abc'), /not a rate/],
    ['rate-limit unit', () => parseRateLimitShorthand('10/day'), /not a rate/],
    ['rate-limit zero', () => parseRateLimitShorthand('0/s'), /from 1/],
    ['rate-limit no slash', () => parseRateLimitShorthand('10'), /not a rate/],
  ];
  it.each(bad)('rejects %s with a one-line Error', (_l, fn, message) => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('\n');
  });

  it('every shorthand is a valid rule, and together they compose (latency first)', () => {
    const inputs = shorthandRules({ latency: '100-800', failRate: ['0.1:503'], rateLimit: '10/s' });
    expect(inputs.map((r) => r.action.type)).toEqual(['latency', 'rateLimit', 'error']);
    const faults = new FaultRegistry({ random: new SeededRandom(1), clock: new ControllableClock() });
    for (const input of inputs) faults.add(input);
    expect(faults.list()).toHaveLength(3);
    expect(shorthandRules({})).toEqual([]);
  });
});
