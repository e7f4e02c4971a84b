/**
 * CLI shorthands for the common faults, turned into ordinary rule inputs:
 *   --latency 200          every request waits 200 ms           (also "200ms")
 *   --latency 100-800      every request waits 100..800 ms, drawn from the seeded generator
 *   --fail-rate 0.1:503    10 % of requests get a 503 (":status" optional, default 500)
 *   --rate-limit 10/s      a token bucket of 10 per second       (also /m, /min, /h, /500ms, /2s)
 * Invalid text throws an Error with a one-line reason.
 */
import { MAX_LATENCY_MS } from './rules.js';
import type { FaultRuleInput } from './types.js';

export function parseLatencyShorthand(text: string | number): FaultRuleInput {
  const s = String(text).trim();
  const m = /^(\d+)\s*(?:ms)?(?:\s*-\s*(\d+)\s*(?:ms)?)?$/i.exec(s);
  if (!m) throw new Error(`--latency: "${s}" is not a delay; expected milliseconds such as 200 or a range such as 100-800`);
  const min = Number(m[1]);
  const max = m[2] === undefined ? undefined : Number(m[2]);
  for (const v of [min, max]) {
    if (v !== undefined && v > MAX_LATENCY_MS) throw new Error(`--latency: ${v} ms is more than the maximum of ${MAX_LATENCY_MS} ms`);
  }
  if (max === undefined) return { name: `--latency ${s}`, action: { type: 'latency', ms: min } };
  if (max < min) throw new Error(`--latency: the range "${s}" ends below its start; write it low-high, e.g. 100-800`);
  return { name: `--latency ${s}`, action: { type: 'latency', minMs: min, maxMs: max } };
}

export function parseFailRateShorthand(text: string | number): FaultRuleInput {
  const s = String(text).trim();
  const m = /^(\d*\.?\d+)(?::(\d{3}))?$/.exec(s);
  if (!m) throw new Error(`--fail-rate: "${s}" is not a rate; expected a probability with an optional status, e.g. 0.1:503`);
  const probability = Number(m[1]);
  if (!(probability >= 0 && probability <= 1)) {
    throw new Error(`--fail-rate: the probability ${m[1]} must be from 0 to 1 (0.1 = 10 % of requests)`);
  }
  const status = m[2] === undefined ? 500 : Number(m[2]);
  if (status < 400 || status > 599) throw new Error(`--fail-rate: the status ${status} must be from 400 to 599`);
  return { name: `--fail-rate ${s}`, probability, action: { type: 'error', status } };
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

export function parseRateLimitShorthand(text: string): FaultRuleInput {
  const s = String(text).trim();
  const m = /^(\d+)\s*\/\s*(\d*)\s*(ms|s|sec|m|min|h)$/i.exec(s);
  if (!m) throw new Error(`--rate-limit: "${s}" is not a rate; expected requests per window such as 10/s, 100/min or 5/500ms`);
  const limit = Number(m[1]);
  const windowMs = (m[2] === '' ? 1 : Number(m[2])) * UNIT_MS[m[3]!.toLowerCase()]!;
  if (limit < 1 || limit > 1_000_000) throw new Error(`--rate-limit: the limit ${limit} must be from 1 to 1000000 requests`);
  if (windowMs < 1 || windowMs > 86_400_000) throw new Error(`--rate-limit: the window must be from 1 ms to 24 h`);
  return { name: `--rate-limit ${s}`, action: { type: 'rateLimit', limit, windowMs } };
}

export interface FaultShorthands {
  latency?: string | number | Array<string | number>;
  failRate?: string | number | Array<string | number>;
  rateLimit?: string | string[];
}

/**
 * All shorthand flags as rules, in the order that lets them compose: latency first (it delays every
 * request, then evaluation goes on), then rate limits, then failure rates.
 */
export function shorthandRules(flags: FaultShorthands): FaultRuleInput[] {
  const all = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  return [
    ...all(flags.latency).map(parseLatencyShorthand),
    ...all(flags.rateLimit).map(parseRateLimitShorthand),
    ...all(flags.failRate).map(parseFailRateShorthand),
  ];
}
