import { describe, expect, it } from 'vitest';
import { ACCOUNT_POLICY, ADDRESS_POLICY, addressSubject, verdict, waitSeconds } from './login-throttle.ts';

const at = new Date('2025-06-01T12:00:00Z');
const ago = (s: number) => new Date(at.getTime() - s * 1000);

describe('login throttle policy', () => {
  it('per account: 5 free, then 5 s doubling to a 15 min cap', () => {
    expect([4, 5, 6, 7, 12, 13, 19].map((n) => waitSeconds(ACCOUNT_POLICY, n))).toEqual([0, 5, 10, 20, 640, 900, 900]);
  });

  it('waits, locks at 20 for an hour, forgets after 12 quiet hours', () => {
    expect(verdict(ACCOUNT_POLICY, { failures: 5, lastAt: ago(4) }, at).kind).toBe('wait');
    expect(verdict(ACCOUNT_POLICY, { failures: 5, lastAt: ago(5) }, at).kind).toBe('allowed');
    expect(verdict(ACCOUNT_POLICY, { failures: 20, lastAt: ago(3599) }, at)).toEqual({
      kind: 'locked',
      until: new Date(at.getTime() + 1000),
      failures: 20,
    });
    expect(verdict(ACCOUNT_POLICY, { failures: 20, lastAt: ago(3600) }, at).kind).toBe('allowed');
    expect(verdict(ACCOUNT_POLICY, { failures: 19, lastAt: ago(12 * 3600 + 1) }, at)).toEqual({
      kind: 'allowed',
      failures: 0,
    });
  });

  it('per address: 20 free, never locked', () => {
    expect(verdict(ADDRESS_POLICY, { failures: 19, lastAt: at }, at).kind).toBe('allowed');
    expect(verdict(ADDRESS_POLICY, { failures: 20, lastAt: at }, at).kind).toBe('wait');
    expect(verdict(ADDRESS_POLICY, { failures: 500, lastAt: at }, at)).toMatchObject({ kind: 'wait' });
  });

  it('counts IPv6 clients by /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressSubject('2001:db8:1:2:aaaa::1')).toBe('address:2001:db8:1:2::/64');
    expect(addressSubject('2001:0db8:0001:0002:ffff:1:2:3')).toBe('address:2001:db8:1:2::/64');
    expect(addressSubject('2001:db8::1')).toBe('address:2001:db8:0:0::/64');
    expect(addressSubject('::1')).toBe('address:0:0:0:0::/64');
    expect(addressSubject('::ffff:192.0.2.1')).toBe('address:192.0.2.1');
    expect(addressSubject('192.0.2.1')).toBe('address:192.0.2.1');
  });
});
