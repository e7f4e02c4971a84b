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
 *
 * A rule with `from` / `until` is consulted only inside its window on the tenant clock (from inclusive, until
 * exclusive); outside it, it is not even counted as matched. Rules with `match.bulkOperation` never act on a
 * request as a whole: `bulkOperationHook` gives the Bulk route a function that fails single operations.
 */
import type { Clock } from '../scim/clock.js';
import { isoTime } from '../scim/clock.js';
import type { SeededRandom } from '../scim/random.js';
import { wholeSeconds } from '../scim/capabilities.js';
import { ScimError } from '../scim/errors.js';
import { errorEffect, faultScimError, malformedEffect, preconditionDetail, retryAfterHeader, scimErrorEffect, uniquenessDetail } from './responses.js';
import {
  DEFAULT_HANG_MS,
  FaultRuleError,
  mayHaveHeader,
  resolveFaultTime,
  validateFaultRule,
  type BulkOperationPredicate,
  type RequestPredicate,
} from './rules.js';
import type { BulkOperationInfo, FaultDecision, FaultEffect, FaultRequestInfo, FaultRule, FaultRuleState } from './types.js';

interface Bucket {
  tokens: number;
  last: number;
}

interface Entry {
  rule: FaultRule;
  matches: RequestPredicate;
  /** What `matches` needs of a request, checked first (see MatchPrefilter). */
  operation: string | undefined;
  header: string | undefined;
  /** Rules with match.bulkOperation: which operations of a Bulk request they fail. */
  matchesOperation?: BulkOperationPredicate;
  bucket?: Bucket;
  /** The window on the tenant clock, in epoch ms. */
  from?: number;
  until?: number;
}

/** Fails single operations of one Bulk request; reports which rule failed which operations. */
export interface BulkOperationHook {
  (op: BulkOperationInfo): ScimError | undefined;
  /** Rules that failed operations so far, with the operation indexes. */
  readonly fired: ReadonlyArray<{ ruleId: string; name?: string; action: string; operations: number[] }>;
}

/** Operations that write: a lag rule delays what they change. */
const WRITE_OPERATIONS = new Set(['create', 'replace', 'patch', 'delete', 'bulk']);

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
    const { rule: v, matches, matchesOperation, prefilter } = validateFaultRule(input);
    const now = this.clock.now();
    const from = v.from && resolveFaultTime(v.from, now);
    const until = v.until && resolveFaultTime(v.until, now);
    if (from !== undefined && until !== undefined && until <= from) {
      fail('until', `until must be later than from (from is ${new Date(from).toISOString()}, until ${new Date(until).toISOString()})`);
    }
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
      ...(from !== undefined ? { from: new Date(from).toISOString() } : {}),
      ...(until !== undefined ? { until: new Date(until).toISOString() } : {}),
      state: 'active',
      matched: 0,
      fired: 0,
      retired: false,
    };
    const entry: Entry = { rule, matches, operation: prefilter?.operation, header: prefilter?.header, ...(matchesOperation ? { matchesOperation } : {}) };
    if (from !== undefined) entry.from = from;
    if (until !== undefined) entry.until = until;
    if (v.action.type === 'rateLimit') entry.bucket = { tokens: v.action.limit, last: now };
    this.entries.push(entry);
    return this.snapshot(entry);
  }

  list(): FaultRule[] {
    return this.entries.map((e) => this.snapshot(e));
  }

  get(id: string): FaultRule | undefined {
    const e = this.entries.find((x) => x.rule.id === id);
    return e && this.snapshot(e);
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
    let out: FaultDecision[] | undefined;
    let delayed = false;
    const now = this.clock.now();
    for (const entry of this.entries) {
      if (entry.operation !== undefined && entry.operation !== req.operation) continue;
      if (entry.header !== undefined && !mayHaveHeader(req, entry.header)) continue;
      const { rule } = entry;
      if (rule.retired || entry.matchesOperation) continue;
      if (delayed && rule.action.type === 'latency') continue;
      if (!inWindow(entry, now)) continue;
      if (!entry.matches(req)) continue;
      if (!this.passes(rule)) continue;
      const effect = this.effectOf(entry, req);
      if (effect === undefined) continue;
      this.fired(rule);
      const decision: FaultDecision = { ruleId: rule.id, ...(rule.name !== undefined ? { name: rule.name } : {}), action: rule.action.type, effect };
      if ('phase' in rule.action && rule.action.phase === 'after') decision.phase = 'after';
      (out ??= []).push(decision);
      if (rule.action.type !== 'latency') break;
      delayed = true;
    }
    return out ?? [];
  }

  /**
   * For a request that `match.bulkOperation` rules match as a whole (a POST /Bulk in their window): a function the
   * Bulk route calls before each operation. The first such rule whose bulkOperation matches the operation (and
   * whose after / probability / times allow it) fails it with its error. Undefined when no such rule matches.
   */
  bulkOperationHook(req: FaultRequestInfo): BulkOperationHook | undefined {
    if (req.operation !== 'bulk') return undefined;
    const now = this.clock.now();
    const candidates = this.entries.filter((e) => e.matchesOperation && !e.rule.retired && inWindow(e, now) && e.matches(req));
    if (candidates.length === 0) return undefined;
    const fired: Array<{ ruleId: string; name?: string; action: string; operations: number[] }> = [];
    const hook = (op: BulkOperationInfo): ScimError | undefined => {
      for (const entry of candidates) {
        const { rule } = entry;
        if (rule.retired || !entry.matchesOperation!(op)) continue;
        if (!this.passes(rule)) continue;
        const error = this.errorOf(rule.action, req);
        if (!error) continue;
        this.fired(rule);
        let record = fired.find((f) => f.ruleId === rule.id);
        if (!record) fired.push((record = { ruleId: rule.id, ...(rule.name !== undefined ? { name: rule.name } : {}), action: rule.action.type, operations: [] }));
        record.operations.push(op.index);
        return new ScimError(error.status, error.scimType, `Operations[${op.index}]: ${error.detail}`, error.headers);
      }
      return undefined;
    };
    return Object.assign(hook, { fired });
  }

  /** Counts a match; true when the rule is past `after` and wins its probability draw. */
  private passes(rule: FaultRule): boolean {
    rule.matched++;
    if (rule.matched <= rule.after) return false;
    return this.draw(rule.probability);
  }

  private fired(rule: FaultRule): void {
    rule.fired++;
    rule.lastFiredAt = isoTime(this.clock);
    if (rule.times !== undefined && rule.fired >= rule.times) rule.retired = true;
  }

  /** A copy of a stored rule, with its state at the tenant clock's now. */
  private snapshot(entry: Entry): FaultRule {
    const copy = structuredClone(entry.rule);
    copy.state = stateOf(entry, this.clock.now());
    return copy;
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
      case 'conflict':
        return errorEffect(this.errorOf(action, req)!);
      case 'reset':
        return { type: 'reset' };
      case 'throttle':
        return { type: 'throttle', bytesPerSecond: action.bytesPerSecond };
      case 'drift':
        // Only a page of one resource type can drift.
        if ((req.operation !== 'list' && req.operation !== 'search') || req.resourceType === undefined) return undefined;
        return { type: 'drift', insert: action.insert ?? 0, delete: action.delete ?? 0 };
      case 'lag':
        // Only writes have something to make invisible.
        if (!WRITE_OPERATIONS.has(req.operation) && !(req.operation === 'me' && /^(put|patch|delete)$/i.test(req.method))) return undefined;
        return { type: 'lag', ms: action.ms, reads: action.reads ?? false };
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

  /** The SCIM error of an error or conflict action. */
  private errorOf(action: FaultRule['action'], req: FaultRequestInfo): ScimError | undefined {
    if (action.type === 'error') return faultScimError(action.status, action.scimType, action.detail, retryAfterHeader(action.status, action.retryAfter));
    if (action.type !== 'conflict') return undefined;
    return action.kind === 'uniqueness'
      ? faultScimError(409, 'uniqueness', action.detail ?? uniquenessDetail(req))
      : faultScimError(412, undefined, action.detail ?? preconditionDetail(req));
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
    return wholeSeconds(((1 - bucket.tokens) * windowMs) / limit);
  }
}

function fail(field: string, detail: string): never {
  throw new FaultRuleError(field, detail);
}

function inWindow(entry: Entry, now: number): boolean {
  return (entry.from === undefined || now >= entry.from) && (entry.until === undefined || now < entry.until);
}

function stateOf(entry: Entry, now: number): FaultRuleState {
  if (entry.rule.retired || (entry.until !== undefined && now >= entry.until)) return 'over';
  if (entry.from !== undefined && now < entry.from) return 'pending';
  return 'active';
}
