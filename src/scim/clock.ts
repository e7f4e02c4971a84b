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

  freeze(at: number): void {
    this.frozenAt = at;
  }

  advance(ms: number): void {
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
