/**
 * The OAuth 2.0 access tokens one tenant issued (src/http/oauth.ts issues them, src/http/auth.ts checks them):
 * kept by hash (the tokens themselves are never stored), each with its expiry on the tenant clock.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../scim/clock.js';

/** Tokens kept per tenant; beyond it the expired ones, then the oldest, are forgotten. */
const MAX_TOKENS = 10_000;

export type TokenState = 'valid' | 'expired' | 'unknown';

export class TokenStore {
  private readonly tokens = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** A new token valid for `lifetimeSeconds` from now on the tenant clock. */
  issue(lifetimeSeconds: number): { token: string; expiresAt: number } {
    if (this.tokens.size >= MAX_TOKENS) this.prune();
    const token = randomBytes(32).toString('base64url');
    const expiresAt = this.clock.now() + lifetimeSeconds * 1000;
    this.tokens.set(hash(token), expiresAt);
    return { token, expiresAt };
  }

  /** Whether a presented token is one of ours and still valid; `expiresAt` when it was ours. */
  check(token: string): { state: TokenState; expiresAt?: number } {
    const expiresAt = this.tokens.get(hash(token));
    if (expiresAt === undefined) return { state: 'unknown' };
    return { state: this.clock.now() < expiresAt ? 'valid' : 'expired', expiresAt };
  }

  /** Revokes every token; returns how many were still valid. */
  revokeAll(): number {
    const { active } = this.counts();
    this.tokens.clear();
    return active;
  }

  counts(): { active: number; expired: number } {
    const now = this.clock.now();
    let active = 0;
    for (const expiresAt of this.tokens.values()) if (now < expiresAt) active++;
    return { active, expired: this.tokens.size - active };
  }

  private prune(): void {
    const now = this.clock.now();
    for (const [key, expiresAt] of this.tokens) if (expiresAt <= now) this.tokens.delete(key);
    // Still full: the oldest issued go first (a Map iterates in insertion order).
    for (const key of this.tokens.keys()) {
      if (this.tokens.size < MAX_TOKENS) break;
      this.tokens.delete(key);
    }
  }
}

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
