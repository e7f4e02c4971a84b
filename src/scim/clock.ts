import { MAX_DATE_MS } from './datetime.js';

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

  /** Throws RangeError (changing nothing) unless `at` is a finite time within a Date's range (±8.64e15 ms). */
  freeze(at: number): void {
    if (!Number.isFinite(at) || Math.abs(at) > MAX_DATE_MS) throw new RangeError(`the clock must stay within ±${MAX_DATE_MS} ms of the epoch, got ${at}`);
    this.frozenAt = at;
  }

  /** The largest advance (ms) that keeps the clock within a Date's range. */
  maxAdvance(): number {
    return Math.max(0, MAX_DATE_MS - this.now());
  }

  /** Throws RangeError (changing nothing) unless `ms` is finite and keeps the clock within a Date's range. */
  advance(ms: number): void {
    if (!Number.isFinite(ms) || Math.abs(this.now() + ms) > MAX_DATE_MS) {
      throw new RangeError(`advancing by ${ms} ms would move the clock outside ±${MAX_DATE_MS} ms of the epoch`);
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
