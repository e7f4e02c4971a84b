import { CLOCK_MAX_MS, CLOCK_MIN_MS, CLOCK_RANGE_TEXT } from './datetime.js';

/** Time is injected into the SCIM core; it never reads the system clock itself. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that can be frozen, advanced and returned to real time (used by tenants and tests). */
export class ControllableClock implements Clock {
  private frozenAt: number | undefined;
  private offset = 0;

  constructor(private readonly base: Clock = systemClock) {}

  now(): number {
    return this.frozenAt ?? this.base.now() + this.offset;
  }

  /** Whether `at` is a time the clock may show: finite and within CLOCK_MIN_MS..CLOCK_MAX_MS (years 0000 to 9999). */
  static inRange(at: number): boolean {
    return Number.isFinite(at) && at >= CLOCK_MIN_MS && at <= CLOCK_MAX_MS;
  }

  /** Throws RangeError (changing nothing) unless `at` is within the clock's range (years 0000 to 9999). */
  freeze(at: number): void {
    if (!ControllableClock.inRange(at)) throw new RangeError(`the clock must stay within ${CLOCK_RANGE_TEXT}, got ${at} ms`);
    this.frozenAt = at;
  }

  /** The largest advance (ms) that keeps the clock within its range. */
  maxAdvance(): number {
    return Math.max(0, CLOCK_MAX_MS - this.now());
  }

  /** Throws RangeError (changing nothing) unless `ms` is finite and keeps the clock within its range. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || !ControllableClock.inRange(this.now() + ms)) {
      throw new RangeError(`advancing by ${ms} ms would move the clock outside ${CLOCK_RANGE_TEXT}`);
    }
    if (this.frozenAt !== undefined) this.frozenAt += ms;
    else this.offset += ms;
  }

  real(): void {
    this.frozenAt = undefined;
    this.offset = 0;
  }

  get frozen(): boolean {
    return this.frozenAt !== undefined;
  }
}

export const isoTime = (clock: Clock): string => new Date(clock.now()).toISOString();
