import type { Clock } from '../shared/clock.js';

/**
 * How one kind of key (an account, a client address) is throttled: the first `free` failures
 * within `windowMs` cost nothing; after that each further attempt must wait twice as long as the
 * one before (1 s, 2 s, 4 s, ...); at `lockAt` failures the key is refused for `lockMs`.
 */
export interface ThrottleRule {
  readonly free: number;
  readonly lockAt: number;
  readonly windowMs: number;
  readonly lockMs: number;
}

const MINUTE = 60_000;

/**
 * An account is slowed after 3 failures and refused for 15 minutes after 10; an address, which
 * may be a whole office behind one NAT, after 20 and 100. Only failures count: a success clears
 * the account (never the address, or one valid account would reset a password spray).
 */
export const ACCOUNT_RULE: ThrottleRule = { free: 3, lockAt: 10, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };
export const ADDRESS_RULE: ThrottleRule = { free: 20, lockAt: 100, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE };

/** Keys remembered per kind; past it the oldest are forgotten (a flood cannot grow memory without end). */
const MAX_KEYS = 50_000;
const MAX_DELAY_MS = 5 * MINUTE;

interface Failures {
  count: number;
  windowStart: number;
  last: number;
  lockedUntil: number;
}

/** Why an attempt is refused before its password is even checked, and for how long. */
export interface Refusal {
  readonly reason: 'account' | 'address';
  readonly locked: boolean;
  readonly retryAfterMs: number;
}

class FailureCounter {
  private readonly keys = new Map<string, Failures>();

  constructor(
    private readonly rule: ThrottleRule,
    private readonly clock: Clock,
  ) {}

  /** Milliseconds until the key may try again (0: now), and whether it is locked out. */
  wait(key: string): { ms: number; locked: boolean } {
    const now = this.clock.now();
    const f = this.current(key, now);
    if (!f) return { ms: 0, locked: false };
    if (f.lockedUntil > now) return { ms: f.lockedUntil - now, locked: true };
    if (f.count < this.rule.free) return { ms: 0, locked: false };
    const delay = Math.min(MAX_DELAY_MS, 1000 * 2 ** (f.count - this.rule.free));
    return { ms: Math.max(0, f.last + delay - now), locked: false };
  }

  fail(key: string): void {
    const now = this.clock.now();
    const f = this.current(key, now) ?? { count: 0, windowStart: now, last: now, lockedUntil: 0 };
    f.count += 1;
    f.last = now;
    if (f.count >= this.rule.lockAt) f.lockedUntil = now + this.rule.lockMs;
    this.keys.delete(key); // re-inserted last: the Map's order is least recently failed first
    this.keys.set(key, f);
    while (this.keys.size > MAX_KEYS) this.keys.delete(this.keys.keys().next().value as string);
  }

  clear(key: string): void {
    this.keys.delete(key);
  }

  /** The key's failures, forgotten once both their window and any lock are over. */
  private current(key: string, now: number): Failures | undefined {
    const f = this.keys.get(key);
    if (f && f.lockedUntil <= now && now - f.last >= this.rule.windowMs) {
      this.keys.delete(key);
      return undefined;
    }
    return f;
  }
}

/**
 * Slows down and then refuses repeated failed console sign-ins, per account (tenant + user
 * name, so another user is never locked out) and per client address. A refused attempt is not
 * checked at all, so a right password during a lock-out gets the same refusal. Kept in memory:
 * per instance, and a restart forgets it (the limits then start again, never looser).
 */
export class SignInThrottle {
  private readonly accounts: FailureCounter;
  private readonly addresses: FailureCounter;

  constructor(clock: Clock, rules: { account?: ThrottleRule; address?: ThrottleRule } = {}) {
    this.accounts = new FailureCounter(rules.account ?? ACCOUNT_RULE, clock);
    this.addresses = new FailureCounter(rules.address ?? ADDRESS_RULE, clock);
  }

  /** Undefined when the attempt may go ahead. */
  check(tenantId: string, username: string, address: string): Refusal | undefined {
    const account = this.accounts.wait(accountKey(tenantId, username));
    const client = this.addresses.wait(address);
    if (account.ms === 0 && client.ms === 0) return undefined;
    const byAccount = account.ms >= client.ms;
    const worst = byAccount ? account : client;
    return { reason: byAccount ? 'account' : 'address', locked: worst.locked, retryAfterMs: worst.ms };
  }

  failed(tenantId: string, username: string, address: string): void {
    this.accounts.fail(accountKey(tenantId, username));
    this.addresses.fail(address);
  }

  succeeded(tenantId: string, username: string): void {
    this.accounts.clear(accountKey(tenantId, username));
  }
}

const accountKey = (tenantId: string, username: string): string => `${tenantId.toLowerCase()}\u0000${username.toLowerCase()}`;

/** The sentence the sign-in form shows for a refusal. */
export function refusalMessage(refusal: Refusal): string {
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000));
  const wait = seconds < 90 ? `${seconds} second${seconds === 1 ? '' : 's'}` : `${Math.ceil(seconds / 60)} minutes`;
  const who = refusal.reason === 'account' ? 'this account' : 'this network address';
  return refusal.locked
    ? `Too many failed sign-ins for ${who}. Sign-in is blocked for ${wait}.`
    : `Too many failed sign-ins for ${who}. Wait ${wait} before trying again.`;
}
