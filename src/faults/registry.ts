/**
 * One tenant's fault rules, their counters, and the decision of which rules act on a request.
 *
 * Evaluation order: rules are consulted in the order they were added. For each rule not yet retired whose
 * `match` holds, `matched` grows; the first `after` matches are let through; then `probability` is drawn
 * from the tenant's seeded generator (only when it is strictly between 0 and 1). A rule that passes all
 * this fires, except a `rateLimit` rule that still has a token (the request passes it, and later rules are
 * consulted).
 *
 * The first rule that fires wins, with one composition: when it is a `latency` rule, evaluation goes on
 * for the first later non-latency rule that fires (later latency rules are skipped, not even counted as
 * matched). So a request gets at most one delay and at most one other fault, delay first.
 */
import type { Clock } from '../scim/clock.js';
import { isoTime } from '../scim/clock.js';
import type { SeededRandom } from '../scim/random.js';
import { malformedEffect, preconditionDetail, retryAfterHeader, scimErrorEffect, uniquenessDetail } from './responses.js';
import { DEFAULT_HANG_MS, FaultRuleError, validateFaultRule, type RequestPredicate } from './rules.js';
import type { FaultDecision, FaultEffect, FaultRequestInfo, FaultRule } from './types.js';

interface Bucket {
  tokens: number;
  last: number;
}

interface Entry {
  rule: FaultRule;
  matches: RequestPredicate;
  bucket?: Bucket;
}

export interface FaultRegistryOptions {
  random: SeededRandom;
  clock: Clock;
  /** Prefix of generated ids (default "fault-"). */
  idPrefix?: string;
}

export class FaultRegistry {
  private readonly random: SeededRandom;
  private readonly clock: Clock;
  private readonly idPrefix: string;
  private entries: Entry[] = [];
  private seq = 0;

  constructor(opts: FaultRegistryOptions) {
    this.random = opts.random;
    this.clock = opts.clock;
    this.idPrefix = opts.idPrefix ?? 'fault-';
  }

  /** Validates and appends a rule; throws FaultRuleError (a 400 ScimError naming the field) on bad input. */
  add(input: unknown): FaultRule {
    const { rule: v, matches } = validateFaultRule(input);
    let id = v.id;
    if (id !== undefined) {
      if (this.entries.some((e) => e.rule.id === id)) fail('id', `id "${id}" is already used by another fault rule`);
    } else {
      do id = `${this.idPrefix}${++this.seq}`;
      while (this.entries.some((e) => e.rule.id === id));
    }
    const rule: FaultRule = {
      id,
      ...(v.name !== undefined ? { name: v.name } : {}),
      match: v.match,
      action: v.action,
      probability: v.probability,
      ...(v.times !== undefined ? { times: v.times } : {}),
      after: v.after,
      matched: 0,
      fired: 0,
      retired: false,
    };
    const entry: Entry = { rule, matches };
    if (v.action.type === 'rateLimit') entry.bucket = { tokens: v.action.limit, last: this.clock.now() };
    this.entries.push(entry);
    return snapshot(rule);
  }

  list(): FaultRule[] {
    return this.entries.map((e) => snapshot(e.rule));
  }

  get(id: string): FaultRule | undefined {
    const e = this.entries.find((x) => x.rule.id === id);
    return e && snapshot(e.rule);
  }

  remove(id: string): boolean {
    const before = this.entries.length;
    this.entries = this.entries.filter((e) => e.rule.id !== id);
    return this.entries.length !== before;
  }

  /** Removes every rule. Generated ids keep counting, so an old id never names a new rule. */
  clear(): void {
    this.entries = [];
  }

  get size(): number {
    return this.entries.length;
  }

  /** Decides which rules act on a request and updates their counters (see the module comment). */
  decide(req: FaultRequestInfo): FaultDecision[] {
    const out: FaultDecision[] = [];
    let delayed = false;
    for (const entry of this.entries) {
      const { rule } = entry;
      if (rule.retired) continue;
      if (delayed && rule.action.type === 'latency') continue;
      if (!entry.matches(req)) continue;
      rule.matched++;
      if (rule.matched <= rule.after) continue;
      if (!this.draw(rule.probability)) continue;
      const effect = this.effectOf(entry, req);
      if (effect === undefined) continue;
      rule.fired++;
      rule.lastFiredAt = isoTime(this.clock);
      if (rule.times !== undefined && rule.fired >= rule.times) rule.retired = true;
      out.push({ ruleId: rule.id, ...(rule.name !== undefined ? { name: rule.name } : {}), action: rule.action.type, effect });
      if (rule.action.type !== 'latency') break;
      delayed = true;
    }
    return out;
  }

  private draw(probability: number): boolean {
    if (probability >= 1) return true;
    if (probability <= 0) return false;
    return this.random.next() < probability;
  }

  /** The effect of a firing rule, or undefined when a rate limit still has a token for this request. */
  private effectOf(entry: Entry, req: FaultRequestInfo): FaultEffect | undefined {
    const action = entry.rule.action;
    switch (action.type) {
      case 'latency': {
        const ms = action.ms ?? this.random.int(action.minMs ?? 0, action.maxMs ?? action.minMs ?? 0);
        return { type: 'delay', ms };
      }
      case 'error':
        return scimErrorEffect(action.status, action.scimType, action.detail, retryAfterHeader(action.status, action.retryAfter));
      case 'conflict':
        return action.kind === 'uniqueness'
          ? scimErrorEffect(409, 'uniqueness', action.detail ?? uniquenessDetail(req))
          : scimErrorEffect(412, undefined, action.detail ?? preconditionDetail(req));
      case 'reset':
        return { type: 'reset' };
      case 'hang':
        return { type: 'hang', maxMs: action.maxMs ?? DEFAULT_HANG_MS };
      case 'malformed':
        return malformedEffect(action.variant ?? 'truncated', req);
      case 'rateLimit': {
        const retryAfter = this.takeToken(entry.bucket!, action.limit, action.windowMs);
        if (retryAfter === undefined) return undefined;
        const detail =
          action.detail ??
          `Too many requests: the limit is ${action.limit} per ${action.windowMs} ms. Retry after ${retryAfter} second(s).`;
        return scimErrorEffect(429, undefined, detail, String(retryAfter));
      }
    }
  }

  /**
   * Token bucket: `limit` tokens, refilled continuously at limit/windowMs per ms from the tenant clock.
   * Returns undefined when a token was taken, else the whole seconds (at least 1, rounded up) until one is.
   */
  private takeToken(bucket: Bucket, limit: number, windowMs: number): number | undefined {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - bucket.last);
    bucket.tokens = Math.min(limit, bucket.tokens + (elapsed * limit) / windowMs);
    bucket.last = now;
    if (bucket.tokens >= 1 - 1e-9) {
      bucket.tokens = Math.max(0, bucket.tokens - 1);
      return undefined;
    }
    const waitMs = ((1 - bucket.tokens) * windowMs) / limit;
    return Math.max(1, Math.ceil(waitMs / 1000 - 1e-9));
  }
}

function fail(field: string, detail: string): never {
  throw new FaultRuleError(field, detail);
}

function snapshot(rule: FaultRule): FaultRule {
  return structuredClone(rule);
}
