/**
 * The login throttle's policy, pure: when a subject (an account's e-mail, a client address) may try again.
 * Modelled on Keycloak's brute-force detection (free failures, then a wait that doubles up to a cap, then a lockout)
 * and Zammad's lockout after repeated failures. The numbers are the README's and docs/SECURITY.md's.
 */
import { isIPv6 } from 'node:net';

export type ThrottlePolicy = {
  /** Failures allowed without any wait. */
  free: number;
  /** Wait after the first failure past the free ones, in seconds; doubles with each further failure. */
  baseSeconds: number;
  /** Longest wait between two attempts, in seconds. */
  capSeconds: number;
  /** Consecutive failures that lock the subject; null: never locked (only slowed). */
  lockAfter: number | null;
  /** How long a lock lasts from the last failure, in seconds (an admin may lift it earlier). */
  lockSeconds: number;
  /** A count with no attempt for this long starts again from zero, in seconds. */
  forgetSeconds: number;
};

/**
 * Per account: 5 free failures, then 5 s, 10 s, 20 s … up to 15 min between attempts; the 20th consecutive failure
 * locks it for 1 h (then one attempt an hour until a success, or until an admin unlocks it). Reaching the lock at the
 * fastest allowed pace takes about two hours, so an online guesser gets ~20 guesses per account per three hours.
 * A success resets the count; 12 quiet hours forget it (Keycloak's default failure reset time).
 */
export const ACCOUNT_POLICY: ThrottlePolicy = {
  free: 5,
  baseSeconds: 5,
  capSeconds: 900,
  lockAfter: 20,
  lockSeconds: 3600,
  forgetSeconds: 12 * 3600,
};

/**
 * Per client address: 20 free failures (a NAT or an office shares one), then 5 s doubling up to 15 min; never a
 * lock (one address's lock would lock everyone behind it). Successes do not count and do not reset it (else one
 * valid account would reset a guesser's count); an hour without attempts forgets it.
 */
export const ADDRESS_POLICY: ThrottlePolicy = {
  free: 20,
  baseSeconds: 5,
  capSeconds: 900,
  lockAfter: null,
  lockSeconds: 0,
  forgetSeconds: 3600,
};

export type ThrottleState = { failures: number; lastAt: Date };

export type Verdict =
  | { kind: 'allowed'; failures: number }
  | { kind: 'wait'; until: Date; failures: number }
  | { kind: 'locked'; until: Date; failures: number };

/** The failures that still count at `now` (zero once forgotten). */
export function liveFailures(p: ThrottlePolicy, s: ThrottleState | undefined, now: Date): number {
  if (!s) return 0;
  // Same boundary as the counting upsert (login.repo.ts): a count older than the period starts again.
  return now.getTime() - s.lastAt.getTime() > p.forgetSeconds * 1000 ? 0 : s.failures;
}

/** Seconds to wait after `failures` consecutive failures (0 while they are free). */
export function waitSeconds(p: ThrottlePolicy, failures: number): number {
  if (failures < p.free) return 0;
  // 2^(n - free) overflows nothing: the exponent is clamped long before the cap stops mattering.
  return Math.min(p.capSeconds, p.baseSeconds * 2 ** Math.min(failures - p.free, 30));
}

/** May the subject try now, and if not, until when must it wait? */
export function verdict(p: ThrottlePolicy, s: ThrottleState | undefined, now: Date): Verdict {
  const failures = liveFailures(p, s, now);
  if (!s || failures === 0) return { kind: 'allowed', failures };
  const last = s.lastAt.getTime();
  if (p.lockAfter !== null && failures >= p.lockAfter) {
    // Locked for lockSeconds after the last failure; afterwards one attempt per lock period until a success.
    const until = new Date(last + p.lockSeconds * 1000);
    return until > now ? { kind: 'locked', until, failures } : { kind: 'allowed', failures };
  }
  const until = new Date(last + waitSeconds(p, failures) * 1000);
  return until > now ? { kind: 'wait', until, failures } : { kind: 'allowed', failures };
}

/**
 * The address a client is counted under. IPv6 clients by their /64 (one host usually holds a whole /64, so
 * counting single addresses would give a guesser 2^64 fresh counters); IPv4-mapped IPv6 as IPv4.
 */
export function addressSubject(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return `address:${mapped[1]}`;
  if (!isIPv6(ip)) return `address:${ip}`;
  return `address:${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

export const accountSubject = (email: string) => `account:${email.trim().toLowerCase()}`;

/** The eight hextets of an IPv6 address, without zone, leading zeros dropped. */
function expandIPv6(ip: string): string[] {
  const bare = ip.split('%')[0]!;
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail (::1.2.3.4) takes two hextets.
  const last = right.at(-1) ?? left.at(-1);
  const v4 = last?.includes('.') ? 1 : 0;
  const fill = tail === undefined ? [] : Array<string>(8 - left.length - right.length - v4).fill('0');
  return [...left, ...fill, ...right].map((h) =>
    h.includes('.') ? h : (Number.parseInt(h || '0', 16) || 0).toString(16),
  );
}
