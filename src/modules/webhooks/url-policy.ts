/**
 * Where webhooks may be delivered: the guard against server-side request forgery. A customer chooses the target
 * URL, and our worker makes the request from inside our network, so an unchecked URL lets anyone read the cloud
 * metadata service or post to internal services.
 *
 * Two checks, both needed:
 * - checkTargetUrl, when a subscription is saved: scheme, credentials, port, and the host if it is an IP literal
 *   or a name that can only be local (the customer gets the reason at once);
 * - resolveAndCheck / safeLookup, at every delivery: the name is resolved and EVERY address must be allowed. The
 *   HTTP client is given safeLookup as its `lookup`, so it connects to the addresses that were checked; a name that
 *   resolved to a public address at subscription time and to 127.0.0.1 now (DNS rebinding) is refused.
 * Redirects must not be followed (the spec treats 3xx as a failure), or the target would escape these checks.
 * Node does not call `lookup` for an IP-literal host, so such a URL is only checked by checkTargetUrl: run it again
 * before each delivery (the policy may have changed since the subscription was saved).
 */
import type { LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP, isIPv4, isIPv6, type LookupFunction } from 'node:net';
import { invalid } from '../../platform/errors.ts';

export type UrlPolicy = {
  /** Plain http targets (a test setup); https otherwise. */
  allowHttp: boolean;
  /** Private, loopback, link-local… ranges allowed (on-premises deployments). Cloud metadata stays forbidden. */
  allowPrivate: boolean;
  /** Exceptions to the forbidden ranges, from parseCidrList: a customer's receiver on a peered network. */
  allowCidrs: readonly string[];
  /** Ports a target may use; absent: any. */
  allowPorts?: readonly number[];
};

export const STRICT_URL_POLICY: UrlPolicy = { allowHttp: false, allowPrivate: false, allowCidrs: [] };
export const MAX_URL_LENGTH = 2000;
/** The error code safeLookup and resolveAndCheck fail with, as Node's own lookup errors carry ENOTFOUND. */
export const FORBIDDEN_CODE = 'EWEBHOOKFORBIDDEN';

type Ip = { family: 4 | 6; bytes: Uint8Array };
type Cidr = Ip & { prefix: number };

/** Address bytes of an IP literal (brackets and an IPv6 zone such as %eth0 tolerated), or null. */
function parseIp(text: string): Ip | null {
  const address = text.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(address)) return { family: 4, bytes: Uint8Array.from(address.split('.'), Number) };
  if (!isIPv6(address)) return null;
  // net.isIPv6 has validated the syntax; expand '::' and a trailing dotted quad into eight 16-bit groups.
  let head = address;
  const tail: number[] = [];
  const lastColon = address.lastIndexOf(':');
  if (address.includes('.', lastColon)) {
    const [a = 0, b = 0, c = 0, d = 0] = address
      .slice(lastColon + 1)
      .split('.')
      .map(Number);
    tail.push((a << 8) | b, (c << 8) | d);
    head = address.slice(0, lastColon + 1);
  }
  const groups = (part: string) =>
    part
      .split(':')
      .filter((g) => g !== '')
      .map((g) => Number.parseInt(g, 16));
  const [left = '', right] = head.split('::');
  const before = groups(left);
  const after = right === undefined ? [] : groups(right);
  const zeros = right === undefined ? 0 : 8 - before.length - after.length - tail.length;
  const words = [...before, ...Array<number>(zeros).fill(0), ...after, ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, word] of words.entries()) {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  }
  return { family: 6, bytes };
}

function parseCidr(text: string): Cidr | { error: string } {
  const [address = '', prefixText, extra] = text.split('/');
  const ip = parseIp(address);
  if (!ip || extra !== undefined) return { error: 'not an IP address or CIDR block' };
  const max = ip.family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : Number.NaN;
  if (!(prefix >= 0 && prefix <= max)) return { error: `the prefix length must be 0 to ${max}` };
  const cidr = { ...ip, prefix };
  if (hostBitsSet(cidr)) return { error: 'host bits are set after the prefix length' };
  return cidr;
}

const bitAt = (bytes: Uint8Array, i: number) => ((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1;

function contains(cidr: Cidr, ip: Ip): boolean {
  if (cidr.family !== ip.family) return false;
  for (let i = 0; i < cidr.prefix; i++) if (bitAt(cidr.bytes, i) !== bitAt(ip.bytes, i)) return false;
  return true;
}

// 10.1.0.0/8 is most likely a typo for 10.0.0.0/8 or 10.1.0.0/16: refuse it rather than guess.
function hostBitsSet(cidr: Cidr): boolean {
  for (let i = cidr.prefix; i < cidr.bytes.length * 8; i++) if (bitAt(cidr.bytes, i) === 1) return true;
  return false;
}

/**
 * A config value such as `10.0.0.0/8, fd00::/8` as a list of CIDR blocks (a bare address is one host). Throws
 * naming the first bad entry; an empty value is an empty list.
 */
export function parseCidrList(value: string): string[] {
  const entries = value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  for (const entry of entries) {
    const parsed = parseCidr(entry);
    if ('error' in parsed) {
      throw invalid('webhooks.cidr_invalid', `Invalid CIDR block "${entry}": ${parsed.error}`, [
        { value: entry, reason: parsed.error },
      ]);
    }
  }
  return entries;
}

type Range = { cidr: Cidr; text: string; label: string; metadata: boolean };
const range = (text: string, label: string, metadata = false): Range => {
  const cidr = parseCidr(text);
  if ('error' in cidr) throw new Error(`Bad built-in range ${text}: ${cidr.error}`);
  return { cidr, text, label, metadata };
};

// The first match names the reason, so the narrow entries come before the blocks that contain them.
const FORBIDDEN_RANGES: Range[] = [
  range('169.254.169.254/32', 'cloud metadata service', true),
  range('100.100.100.200/32', 'cloud metadata service (Alibaba)', true),
  range('168.63.129.16/32', 'Azure platform endpoint (WireServer)', true),
  range('fd00:ec2::254/128', 'cloud metadata service (AWS IPv6)', true),
  range('0.0.0.0/8', '"this network"'),
  range('10.0.0.0/8', 'private network'),
  range('100.64.0.0/10', 'carrier-grade NAT'),
  range('127.0.0.0/8', 'loopback'),
  range('169.254.0.0/16', 'link-local'),
  range('172.16.0.0/12', 'private network'),
  range('192.0.0.0/24', 'IETF protocol assignments'),
  range('192.0.2.0/24', 'documentation (TEST-NET-1)'),
  range('192.168.0.0/16', 'private network'),
  range('198.18.0.0/15', 'benchmarking'),
  range('198.51.100.0/24', 'documentation (TEST-NET-2)'),
  range('203.0.113.0/24', 'documentation (TEST-NET-3)'),
  range('224.0.0.0/4', 'multicast'),
  range('255.255.255.255/32', 'broadcast'),
  range('240.0.0.0/4', 'reserved'),
  range('::/128', 'unspecified'),
  range('::1/128', 'loopback'),
  range('::/96', 'IPv4-compatible (deprecated)'),
  range('100::/64', 'discard-only'),
  range('64:ff9b:1::/48', 'local-use NAT64'),
  range('2001:db8::/32', 'documentation'),
  range('fc00::/7', 'unique local (private network)'),
  range('fe80::/10', 'link-local'),
  range('fec0::/10', 'site-local (deprecated)'),
  range('ff00::/8', 'multicast'),
];

// IPv6 forms that carry an IPv4 address and reach it: the IPv4 rules apply to what they carry.
const IPV4_CARRIERS: { cidr: Cidr; label: string; offset: number }[] = [
  { text: '::ffff:0:0/96', label: 'IPv4-mapped', offset: 12 },
  { text: '64:ff9b::/96', label: 'NAT64', offset: 12 },
  { text: '2002::/16', label: '6to4', offset: 2 },
].map(({ text, label, offset }) => ({ cidr: range(text, label).cidr, label, offset }));

const formatIpv4 = (ip: Ip) => ip.bytes.join('.');

/**
 * Why a target address is forbidden (the range, named), or null when it may be reached. allowCidrs lifts any
 * range; allowPrivate lifts all but cloud metadata, which only an explicit allowCidrs entry opens.
 */
export function isForbiddenAddress(address: string, policy: UrlPolicy): string | null {
  const ip = parseIp(address);
  if (!ip) return `"${address}" is not an IP address`;
  for (const allowed of policy.allowCidrs) {
    // An entry that does not parse (it did not come through parseCidrList) opens nothing.
    const cidr = parseCidr(allowed);
    if (!('error' in cidr) && contains(cidr, ip)) return null;
  }
  for (const carrier of IPV4_CARRIERS) {
    if (!contains(carrier.cidr, ip)) continue;
    const ipv4 = { family: 4 as const, bytes: ip.bytes.slice(carrier.offset, carrier.offset + 4) };
    const reason = isForbiddenAddress(formatIpv4(ipv4), policy);
    return reason && `${carrier.label} address of ${formatIpv4(ipv4)}: ${reason}`;
  }
  const hit = FORBIDDEN_RANGES.find((r) => contains(r.cidr, ip));
  if (!hit || (policy.allowPrivate && !hit.metadata)) return null;
  return `${hit.label} ${hit.text}`;
}

const METADATA_NAMES = new Set(['metadata', 'metadata.google.internal', 'instance-data', 'instance-data.ec2.internal']);
// Special-use names that only ever resolve to local or private hosts (RFC 6761, RFC 6762, ICANN's .internal).
const LOCAL_SUFFIXES = ['.localhost', '.local', '.internal'];

/** Why a host name is forbidden before it is even resolved, or null. */
export function isForbiddenHostName(hostname: string, policy: UrlPolicy): string | null {
  const name = hostname.toLowerCase().replace(/\.+$/, '');
  if (METADATA_NAMES.has(name)) return `cloud metadata service name ${name}`;
  if (policy.allowPrivate) return null;
  if (name === 'localhost' || LOCAL_SUFFIXES.some((s) => name.endsWith(s))) return `local-only name ${name}`;
  // A name without a dot is completed with the resolver's search domains: an internal host, whatever it is.
  if (!name.includes('.')) return `single-label name ${name} (resolved through local search domains)`;
  return null;
}

export type TargetCheck = { ok: true; url: URL } | { ok: false; reason: string };

/** The check at subscription time; the reason is shown to the customer as is. */
export function checkTargetUrl(raw: string, policy: UrlPolicy): TargetCheck {
  const refuse = (reason: string): TargetCheck => ({ ok: false, reason });
  if (raw.length > MAX_URL_LENGTH) return refuse(`the URL is longer than ${MAX_URL_LENGTH} characters`);
  // The URL parser silently drops tabs and newlines and trims spaces and controls, so what would be called is not
  // what was typed (probe round 4): such a URL is refused, naming the character.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  const control = /[\u0000-\u0020\u007f]/.exec(raw);
  if (control) {
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    return refuse(`a space or control character (U+${code}) at position ${control.index + 1} is not allowed`);
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && policy.allowHttp)) {
    return refuse(`the scheme must be https${policy.allowHttp ? ' or http' : ''}, not ${url.protocol.slice(0, -1)}`);
  }
  // Credentials in a URL end up in logs and screens; a receiver authenticates us by the signature.
  if (url.username !== '' || url.password !== '') return refuse('a user name or password in the URL is not allowed');
  // url.hash is empty for a bare trailing '#', so look at the text: a fragment is never sent, so it means a mistake.
  if (raw.includes('#')) return refuse('a fragment (#…) is not allowed');
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  if (port === 0) return refuse('port 0 is not a port a receiver can listen on');
  if (policy.allowPorts && !policy.allowPorts.includes(port)) {
    return refuse(`port ${port} is not allowed (allowed: ${policy.allowPorts.join(', ')})`);
  }
  // new URL() has already turned 2130706433, 0x7f.1 and 0177.0.0.1 into 127.0.0.1, so literals are seen as such.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const reason = isIP(host) ? isForbiddenAddress(host, policy) : isForbiddenHostName(host, policy);
  return reason ? refuse(`${host} is not allowed: ${reason}`) : { ok: true, url };
}

/** A target refused at connection time; `code` lets HTTP clients and delivery logs tell it from network errors. */
export class ForbiddenTargetError extends Error {
  readonly code = FORBIDDEN_CODE;
  readonly hostname: string;
  readonly reason: string;
  constructor(hostname: string, reason: string) {
    super(`Webhook target ${hostname} is not allowed: ${reason}`);
    this.name = 'ForbiddenTargetError';
    this.hostname = hostname;
    this.reason = reason;
  }
}

/** Every address of a name, as dns.lookup with all: true gives them. */
export type Resolve = (hostname: string) => Promise<LookupAddress[]>;
export const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true, order: 'verbatim' });

/**
 * The addresses of `host`, all of them allowed; refused when ANY is forbidden, since a client may try each in turn
 * (and an attacker's name can return one public address next to a private one).
 */
export async function resolveAndCheck(
  host: string,
  policy: UrlPolicy,
  resolve: Resolve = systemResolve,
): Promise<LookupAddress[]> {
  const name = host.replace(/^\[(.*)\]$/, '$1');
  const family = isIP(name);
  if (family !== 0) {
    const reason = isForbiddenAddress(name, policy);
    if (reason) throw new ForbiddenTargetError(host, reason);
    return [{ address: name, family }];
  }
  const nameReason = isForbiddenHostName(name, policy);
  if (nameReason) throw new ForbiddenTargetError(host, nameReason);
  const addresses = await resolve(name);
  if (addresses.length === 0) throw new ForbiddenTargetError(host, 'the name has no address');
  for (const { address } of addresses) {
    const reason = isForbiddenAddress(address, policy);
    if (reason) throw new ForbiddenTargetError(host, `it resolves to ${address}, ${reason}`);
  }
  return addresses;
}

/**
 * A `lookup` for http.request / https.request / undici's connect options: resolves, checks, and hands the client
 * only checked addresses, so the check and the connection see the same DNS answer. Supports both the single-address
 * and the `all: true` forms (Node's happy-eyeballs connect asks for all).
 */
export function safeLookup(policy: UrlPolicy, resolve: Resolve = systemResolve): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : (options.family ?? 0);
    resolveAndCheck(hostname, policy, resolve).then(
      (addresses) => {
        const usable = wanted === 0 ? addresses : addresses.filter((a) => a.family === wanted);
        const first = usable[0];
        if (!first) {
          const err: NodeJS.ErrnoException = new Error(`${hostname} has no IPv${wanted} address`);
          err.code = 'ENOTFOUND';
          callback(err, '');
        } else if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
