import type { LookupAddress } from 'node:dns';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../platform/errors.ts';
import {
  checkTargetUrl,
  FORBIDDEN_CODE,
  ForbiddenTargetError,
  isForbiddenAddress,
  isForbiddenHostName,
  parseCidrList,
  type Resolve,
  resolveAndCheck,
  STRICT_URL_POLICY,
  safeLookup,
  type UrlPolicy,
} from './url-policy.ts';

const strict = STRICT_URL_POLICY;
const privateAllowed: UrlPolicy = { ...strict, allowPrivate: true };
const withCidrs = (...allowCidrs: string[]): UrlPolicy => ({ ...strict, allowCidrs });

describe('isForbiddenAddress', () => {
  // [last address allowed below, first forbidden, last forbidden, first allowed above, the range's name]
  it.each([
    ['0.0.0.0', '0.255.255.255', '1.0.0.0', '"this network" 0.0.0.0/8'],
    ['10.0.0.0', '10.255.255.255', '11.0.0.0', 'private network 10.0.0.0/8'],
    ['100.64.0.0', '100.127.255.255', '100.128.0.0', 'carrier-grade NAT 100.64.0.0/10'],
    ['127.0.0.0', '127.255.255.255', '128.0.0.0', 'loopback 127.0.0.0/8'],
    ['169.254.0.0', '169.254.255.255', '169.255.0.0', 'link-local 169.254.0.0/16'],
    ['172.16.0.0', '172.31.255.255', '172.32.0.0', 'private network 172.16.0.0/12'],
    ['192.0.0.0', '192.0.0.255', '192.0.1.0', 'IETF protocol assignments 192.0.0.0/24'],
    ['192.0.2.0', '192.0.2.255', '192.0.3.0', 'documentation (TEST-NET-1) 192.0.2.0/24'],
    ['192.168.0.0', '192.168.255.255', '192.169.0.0', 'private network 192.168.0.0/16'],
    ['198.18.0.0', '198.19.255.255', '198.20.0.0', 'benchmarking 198.18.0.0/15'],
    ['198.51.100.0', '198.51.100.255', '198.51.101.0', 'documentation (TEST-NET-2) 198.51.100.0/24'],
    ['203.0.113.0', '203.0.113.255', '203.0.114.0', 'documentation (TEST-NET-3) 203.0.113.0/24'],
    ['224.0.0.0', '239.255.255.255', null, 'multicast 224.0.0.0/4'],
    ['240.0.0.0', '255.255.255.254', null, 'reserved 240.0.0.0/4'],
  ])('IPv4 %s – %s: forbidden, its neighbours not', (first, last, above, reason) => {
    expect(isForbiddenAddress(first, strict)).toBe(reason);
    expect(isForbiddenAddress(last, strict)).toBe(reason);
    if (above) expect(isForbiddenAddress(above, strict)).toBeNull();
  });

  it('allows the addresses just below each range', () => {
    for (const below of ['9.255.255.255', '100.63.255.255', '126.255.255.255', '169.253.255.255', '172.15.255.255']) {
      expect(isForbiddenAddress(below, strict)).toBeNull();
    }
    for (const below of ['191.255.255.255', '192.0.1.255', '192.167.255.255', '198.17.255.255', '223.255.255.255']) {
      expect(isForbiddenAddress(below, strict)).toBeNull();
    }
    expect(isForbiddenAddress('198.51.99.255', strict)).toBeNull();
    expect(isForbiddenAddress('203.0.112.255', strict)).toBeNull();
    expect(isForbiddenAddress('8.8.8.8', strict)).toBeNull();
  });

  it('names the cloud metadata address and the broadcast address precisely', () => {
    expect(isForbiddenAddress('169.254.169.254', strict)).toBe('cloud metadata service 169.254.169.254/32');
    expect(isForbiddenAddress('169.254.169.253', strict)).toBe('link-local 169.254.0.0/16');
    expect(isForbiddenAddress('255.255.255.255', strict)).toBe('broadcast 255.255.255.255/32');
    expect(isForbiddenAddress('fd00:ec2::254', strict)).toBe('cloud metadata service (AWS IPv6) fd00:ec2::254/128');
  });

  it.each([
    ['::', 'unspecified ::/128'],
    ['::1', 'loopback ::1/128'],
    ['0:0:0:0:0:0:0:1', 'loopback ::1/128'],
    ['::2', 'IPv4-compatible (deprecated) ::/96'],
    ['::127.0.0.1', 'IPv4-compatible (deprecated) ::/96'],
    ['fc00::', 'unique local (private network) fc00::/7'],
    ['fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'unique local (private network) fc00::/7'],
    ['fe80::', 'link-local fe80::/10'],
    ['fe80::1%eth0', 'link-local fe80::/10'],
    ['febf:ffff::1', 'link-local fe80::/10'],
    ['fec0::1', 'site-local (deprecated) fec0::/10'],
    ['ff02::1', 'multicast ff00::/8'],
    ['2001:db8::', 'documentation 2001:db8::/32'],
    ['2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'documentation 2001:db8::/32'],
    ['64:ff9b:1::a', 'local-use NAT64 64:ff9b:1::/48'],
    ['100::1', 'discard-only 100::/64'],
  ])('IPv6 %s: %s', (address, reason) => {
    expect(isForbiddenAddress(address, strict)).toBe(reason);
  });

  it('allows public IPv6 next to the forbidden blocks', () => {
    for (const address of ['2001:4860:4860::8888', 'fbff:ffff::1', 'fe00::1']) {
      expect(isForbiddenAddress(address, strict)).toBeNull();
    }
    expect(isForbiddenAddress('2001:db7:ffff::1', strict)).toBeNull();
    expect(isForbiddenAddress('2001:db9::', strict)).toBeNull();
    expect(isForbiddenAddress('64:ff9b:2::1', strict)).toBeNull();
  });

  it('applies the IPv4 rules to IPv4-mapped, NAT64 and 6to4 addresses', () => {
    expect(isForbiddenAddress('::ffff:127.0.0.1', strict)).toBe(
      'IPv4-mapped address of 127.0.0.1: loopback 127.0.0.0/8',
    );
    expect(isForbiddenAddress('::ffff:7f00:1', strict)).toBe('IPv4-mapped address of 127.0.0.1: loopback 127.0.0.0/8');
    expect(isForbiddenAddress('::ffff:a9fe:a9fe', strict)).toBe(
      'IPv4-mapped address of 169.254.169.254: cloud metadata service 169.254.169.254/32',
    );
    expect(isForbiddenAddress('64:ff9b::10.0.0.1', strict)).toBe(
      'NAT64 address of 10.0.0.1: private network 10.0.0.0/8',
    );
    expect(isForbiddenAddress('64:ff9b::c0a8:101', strict)).toBe(
      'NAT64 address of 192.168.1.1: private network 192.168.0.0/16',
    );
    expect(isForbiddenAddress('2002:ac10:1::1', strict)).toBe(
      '6to4 address of 172.16.0.1: private network 172.16.0.0/12',
    );
    expect(isForbiddenAddress('::ffff:8.8.8.8', strict)).toBeNull();
    expect(isForbiddenAddress('64:ff9b::808:808', strict)).toBeNull();
    expect(isForbiddenAddress('2002:808:808::1', strict)).toBeNull();
  });

  it('refuses what is not an IP address', () => {
    for (const text of ['', 'example.com', '127.1', '0x7f.0.0.1', '2130706433', '1.2.3.4.5', ':::1']) {
      expect(isForbiddenAddress(text, strict)).toMatch(/is not an IP address$/);
    }
  });

  it('allowPrivate lifts every range except cloud metadata', () => {
    for (const address of ['10.1.2.3', '127.0.0.1', '169.254.1.1', '::1', 'fd12::1', '::ffff:192.168.0.1']) {
      expect(isForbiddenAddress(address, privateAllowed)).toBeNull();
    }
    expect(isForbiddenAddress('169.254.169.254', privateAllowed)).toMatch(/^cloud metadata/);
    expect(isForbiddenAddress('::ffff:169.254.169.254', privateAllowed)).toMatch(/cloud metadata/);
    expect(isForbiddenAddress('100.100.100.200', privateAllowed)).toMatch(/^cloud metadata/);
  });

  it('allowCidrs opens exactly the listed blocks, in either family and through mapped forms', () => {
    const policy = withCidrs('10.20.0.0/16', 'fd00:1234::/32', '169.254.169.254');
    expect(isForbiddenAddress('10.20.255.255', policy)).toBeNull();
    expect(isForbiddenAddress('10.21.0.0', policy)).toBe('private network 10.0.0.0/8');
    expect(isForbiddenAddress('10.19.255.255', policy)).toBe('private network 10.0.0.0/8');
    expect(isForbiddenAddress('::ffff:10.20.0.1', policy)).toBeNull();
    expect(isForbiddenAddress('fd00:1234:ffff::1', policy)).toBeNull();
    expect(isForbiddenAddress('fd00:1235::1', policy)).toBe('unique local (private network) fc00::/7');
    expect(isForbiddenAddress('169.254.169.254', policy)).toBeNull();
    expect(isForbiddenAddress('127.0.0.1', withCidrs('not-a-cidr'))).toBe('loopback 127.0.0.0/8');
  });
});

describe('isForbiddenHostName', () => {
  it('refuses metadata names always, local-only and single-label names unless private targets are allowed', () => {
    for (const name of ['metadata.google.internal', 'METADATA.google.internal.', 'metadata', 'instance-data']) {
      expect(isForbiddenHostName(name, privateAllowed)).toMatch(/^cloud metadata service name/);
    }
    for (const name of ['localhost', 'LocalHost.', 'api.localhost', 'printer.local', 'db.corp.internal', 'redis']) {
      expect(isForbiddenHostName(name, strict)).not.toBeNull();
      expect(isForbiddenHostName(name, privateAllowed)).toBeNull();
    }
    expect(isForbiddenHostName('hooks.example.com', strict)).toBeNull();
    expect(isForbiddenHostName('localhost.example.com', strict)).toBeNull();
  });
});

describe('checkTargetUrl', () => {
  const reasonOf = (raw: string, policy = strict) => {
    const r = checkTargetUrl(raw, policy);
    return r.ok ? null : r.reason;
  };

  it('accepts a public https URL and returns it parsed', () => {
    const r = checkTargetUrl('https://hooks.example.com:8443/iotops?tenant=7', strict);
    expect(r.ok && r.url.href).toBe('https://hooks.example.com:8443/iotops?tenant=7');
    expect(reasonOf('https://[2001:4860:4860::8888]/x')).toBeNull();
    expect(reasonOf('https://8.8.8.8/x')).toBeNull();
  });

  it('https only, http when the policy allows it, nothing else', () => {
    expect(reasonOf('http://hooks.example.com/')).toBe('the scheme must be https, not http');
    expect(reasonOf('http://hooks.example.com/', { ...strict, allowHttp: true })).toBeNull();
    expect(reasonOf('ftp://hooks.example.com/', { ...strict, allowHttp: true })).toBe(
      'the scheme must be https or http, not ftp',
    );
    for (const raw of ['file:///etc/passwd', 'gopher://x.example/', 'javascript:alert(1)', 'data:,x']) {
      expect(reasonOf(raw)).toMatch(/^the scheme must be https/);
    }
  });

  it('refuses junk, credentials, fragments and URLs over 2,000 characters', () => {
    expect(reasonOf('hooks.example.com/x')).toBe('not a valid absolute URL');
    expect(reasonOf('https://exa mple.com/')).toBe(
      'a space or control character (U+0020) at position 12 is not allowed',
    );
    // The URL parser would drop these silently: the target called would not be the one typed.
    expect(reasonOf('https://hooks.exa\r\nmple.com/')).toBe(
      'a space or control character (U+000D) at position 18 is not allowed',
    );
    expect(reasonOf('https://hooks.example.com/a\tb')).toMatch(/U\+0009/);
    expect(reasonOf(' https://hooks.example.com/')).toMatch(/U\+0020\) at position 1 /);
    expect(reasonOf('https://hooks.example.com:0/')).toBe('port 0 is not a port a receiver can listen on');
    expect(reasonOf('https://user:pw@hooks.example.com/')).toBe('a user name or password in the URL is not allowed');
    expect(reasonOf('https://user@hooks.example.com/')).toBe('a user name or password in the URL is not allowed');
    expect(reasonOf('https://hooks.example.com/#x')).toBe('a fragment (#…) is not allowed');
    expect(reasonOf('https://hooks.example.com/#')).toBe('a fragment (#…) is not allowed');
    const base = 'https://hooks.example.com/';
    expect(reasonOf(base + 'a'.repeat(2000 - base.length))).toBeNull();
    expect(reasonOf(base + 'a'.repeat(2001 - base.length))).toBe('the URL is longer than 2000 characters');
  });

  it('checks the port against the list when there is one, with 443 and 80 as defaults', () => {
    const policy: UrlPolicy = { ...strict, allowHttp: true, allowPorts: [443, 8443] };
    expect(reasonOf('https://hooks.example.com/', policy)).toBeNull();
    expect(reasonOf('https://hooks.example.com:8443/', policy)).toBeNull();
    expect(reasonOf('https://hooks.example.com:22/', policy)).toBe('port 22 is not allowed (allowed: 443, 8443)');
    expect(reasonOf('http://hooks.example.com/', policy)).toBe('port 80 is not allowed (allowed: 443, 8443)');
    expect(reasonOf('https://hooks.example.com:6379/')).toBeNull();
  });

  it('sees through the IPv4 spellings new URL() normalises', () => {
    for (const raw of [
      'https://2130706433/',
      'https://0x7f.1/',
      'https://0x7f000001/',
      'https://0177.0.0.1/',
      'https://127.1/',
      'https://127.0.0.1./',
      'https://017700000001/',
    ]) {
      expect(reasonOf(raw)).toBe('127.0.0.1 is not allowed: loopback 127.0.0.0/8');
    }
    expect(reasonOf('https://0xa9.0xfe.0xa9.0xfe/latest/meta-data/')).toBe(
      '169.254.169.254 is not allowed: cloud metadata service 169.254.169.254/32',
    );
    expect(reasonOf('https://0/')).toBe('0.0.0.0 is not allowed: "this network" 0.0.0.0/8');
  });

  it('checks IPv6 literals in brackets, including mapped and NAT64 forms', () => {
    expect(reasonOf('https://[::1]:8080/')).toBe('::1 is not allowed: loopback ::1/128');
    expect(reasonOf('https://[::ffff:127.0.0.1]/')).toMatch(/^::ffff:7f00:1 is not allowed: IPv4-mapped .* loopback/);
    expect(reasonOf('https://[64:ff9b::a9fe:a9fe]/')).toMatch(/NAT64 address of 169.254.169.254: cloud metadata/);
    expect(reasonOf('https://[fe80::1]/')).toBe('fe80::1 is not allowed: link-local fe80::/10');
    expect(reasonOf('https://[fd00::1]/', withCidrs('fd00::/8'))).toBeNull();
  });

  it('refuses local-only and metadata host names', () => {
    expect(reasonOf('https://localhost/')).toBe('localhost is not allowed: local-only name localhost');
    expect(reasonOf('https://LOCALHOST./')).toBe('localhost. is not allowed: local-only name localhost');
    expect(reasonOf('https://x.localhost/')).toMatch(/local-only name x.localhost$/);
    expect(reasonOf('https://metadata.google.internal/computeMetadata/v1/', privateAllowed)).toMatch(
      /cloud metadata service name metadata.google.internal$/,
    );
    expect(reasonOf('https://intranet/')).toMatch(/single-label name intranet/);
    expect(reasonOf('https://localhost:3000/', { ...privateAllowed, allowHttp: true })).toBeNull();
  });
});

describe('parseCidrList', () => {
  it('reads a comma-separated config value', () => {
    expect(parseCidrList('10.0.0.0/8,fd00::/8')).toEqual(['10.0.0.0/8', 'fd00::/8']);
    expect(parseCidrList(' 192.168.1.0/24 , 2001:db8::1 ,, ')).toEqual(['192.168.1.0/24', '2001:db8::1']);
    expect(parseCidrList('')).toEqual([]);
    expect(parseCidrList('0.0.0.0/0')).toEqual(['0.0.0.0/0']);
  });

  it.each([
    ['10.0.0.0/8,10.0.0.0/33', '10.0.0.0/33', 'the prefix length must be 0 to 32'],
    ['fd00::/129', 'fd00::/129', 'the prefix length must be 0 to 128'],
    ['10.0.0.0/x', '10.0.0.0/x', 'the prefix length must be 0 to 32'],
    ['10.0.0.0/-1', '10.0.0.0/-1', 'the prefix length must be 0 to 32'],
    ['10.1.0.0/8', '10.1.0.0/8', 'host bits are set after the prefix length'],
    ['fd00::1/8', 'fd00::1/8', 'host bits are set after the prefix length'],
    ['intranet.example', 'intranet.example', 'not an IP address or CIDR block'],
    ['10.0.0.0/8/8', '10.0.0.0/8/8', 'not an IP address or CIDR block'],
    ['10.0.0/8', '10.0.0/8', 'not an IP address or CIDR block'],
  ])('refuses %s naming the bad entry', (value, entry, reason) => {
    try {
      parseCidrList(value);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(AppError);
      expect((e as AppError).message).toBe(`Invalid CIDR block "${entry}": ${reason}`);
      expect((e as AppError).details).toEqual([{ value: entry, reason }]);
    }
  });
});

/** A resolver answering from a table, as a DNS server under an attacker's control would. */
const fakeDns =
  (table: Record<string, string[]>): Resolve =>
  async (hostname) =>
    (table[hostname] ?? []).map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 }));

const dns = fakeDns({
  'hooks.example.com': ['93.184.215.14', '2606:2800:21f:cb07:6820:80da:af6b:8b2c'],
  'rebind.example.com': ['93.184.215.14', '10.0.0.5'],
  'sneaky.example.com': ['2606:2800:21f:cb07::1', '::ffff:169.254.169.254'],
  'receiver.test.example': ['127.0.0.1'],
});

async function refusal(run: () => Promise<unknown>): Promise<ForbiddenTargetError> {
  const err = await run().then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ForbiddenTargetError);
  return err as ForbiddenTargetError;
}

describe('resolveAndCheck', () => {
  it('returns every address when all are allowed', async () => {
    expect(await resolveAndCheck('hooks.example.com', strict, dns)).toHaveLength(2);
  });

  it('refuses when ANY address is forbidden (DNS rebinding, mixed answers)', async () => {
    const err = await refusal(() => resolveAndCheck('rebind.example.com', strict, dns));
    expect(err.code).toBe(FORBIDDEN_CODE);
    expect(err.reason).toBe('it resolves to 10.0.0.5, private network 10.0.0.0/8');
    const mapped = await refusal(() => resolveAndCheck('sneaky.example.com', strict, dns));
    expect(mapped.reason).toMatch(/IPv4-mapped address of 169.254.169.254: cloud metadata/);
    expect(await resolveAndCheck('rebind.example.com', withCidrs('10.0.0.0/24'), dns)).toHaveLength(2);
  });

  it('checks literals and forbidden names without asking DNS', async () => {
    const noDns: Resolve = () => Promise.reject(new Error('DNS must not be asked'));
    expect(await resolveAndCheck('[2001:4860:4860::8888]', strict, noDns)).toEqual([
      { address: '2001:4860:4860::8888', family: 6 },
    ]);
    expect((await refusal(() => resolveAndCheck('127.0.0.1', strict, noDns))).reason).toBe('loopback 127.0.0.0/8');
    expect((await refusal(() => resolveAndCheck('metadata.google.internal', strict, noDns))).reason).toMatch(/^cloud/);
  });

  it('refuses a name without addresses', async () => {
    expect((await refusal(() => resolveAndCheck('nowhere.example.com', strict, dns))).reason).toBe(
      'the name has no address',
    );
  });
});

describe('safeLookup', () => {
  const lookupWith = (hostname: string, options: Parameters<ReturnType<typeof safeLookup>>[1], policy = strict) =>
    new Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }>((resolve) =>
      safeLookup(policy, dns)(hostname, options, (err, address, family) => resolve({ err, address, family })),
    );

  it('answers with one checked address, or all of them, filtered by family', async () => {
    expect(await lookupWith('hooks.example.com', {})).toEqual({ err: null, address: '93.184.215.14', family: 4 });
    expect(await lookupWith('hooks.example.com', { family: 6 })).toMatchObject({
      address: '2606:2800:21f:cb07:6820:80da:af6b:8b2c',
      family: 6,
    });
    expect((await lookupWith('hooks.example.com', { all: true })).address).toHaveLength(2);
    expect(await lookupWith('hooks.example.com', { all: true, family: 'IPv4' })).toMatchObject({
      address: [{ address: '93.184.215.14', family: 4 }],
    });
    expect((await lookupWith('receiver.test.example', { family: 6 }, privateAllowed)).err?.code).toBe('ENOTFOUND');
  });

  it('fails with EWEBHOOKFORBIDDEN when one address of the answer is private', async () => {
    const { err } = await lookupWith('rebind.example.com', { all: true });
    expect(err).toBeInstanceOf(ForbiddenTargetError);
    expect(err?.code).toBe('EWEBHOOKFORBIDDEN');
  });

  it('plugs into http.request: the connection is refused before it is made, allowed when the policy says so', async () => {
    const server = http.createServer((_req, res) => res.end('ok'));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    const get = (policy: UrlPolicy) =>
      new Promise<string>((resolve, reject) => {
        const req = http.request(
          `http://receiver.test.example:${port}/`,
          { lookup: safeLookup(policy, dns) },
          (res) => {
            res.setEncoding('utf8');
            let text = '';
            res.on('data', (c: string) => {
              text += c;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
    try {
      await expect(get({ ...strict, allowHttp: true })).rejects.toMatchObject({ code: FORBIDDEN_CODE });
      await expect(get({ ...privateAllowed, allowHttp: true })).resolves.toBe('ok');
    } finally {
      server.close();
    }
  });
});
