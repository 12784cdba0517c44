import { type LookupAddress, type LookupOptions, lookup } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/** Networks a webhook must not reach unless insecure URLs are allowed: loopback, private, link-local… */
const internal = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 3],
] as const) {
  internal.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 127],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  // local-use NAT64 (RFC 8215) and Teredo: tunnels into networks that cannot be told from here
  ['64:ff9b:1::', 48],
  ['2001::', 32],
] as const) {
  internal.addSubnet(network, prefix, 'ipv6');
}

/**
 * The addresses of this host's own interfaces. A public one must be refused too: a receiver at
 * the host's own address would reach the service's neighbours on the box (its database, say).
 * Read at each check, as interfaces come and go.
 */
export function ownAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((entry) => entry?.address.toLowerCase() ?? ''),
  );
}

export function isInternalAddress(address: string, own: Set<string> = ownAddresses()): boolean {
  const plain = address.toLowerCase();
  const family = isIP(plain);
  if (family === 0) return false;
  const embedded = family === 6 ? embeddedIPv4(plain) : undefined;
  if (embedded !== undefined && isInternalAddress(embedded, own)) return true;
  return internal.check(plain, family === 4 ? 'ipv4' : 'ipv6') || own.has(plain);
}

/**
 * The IPv4 address an IPv6 address carries, where one reaches it: mapped (::ffff:a.b.c.d),
 * translated (::ffff:0:a.b.c.d), compatible (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) and 6to4
 * (2002:AABB:CCDD::). Each is checked as that IPv4 address: on a NAT64 or 6to4 network,
 * 64:ff9b::a9fe:a9fe is the metadata service at 169.254.169.254.
 */
export function embeddedIPv4(address: string): string | undefined {
  const words = ipv6Words(address);
  if (!words) return undefined;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  const v4 = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  const tail = v4(words[6]!, words[7]!);
  if (zeros(0, 5) && words[5] === 0xffff) return tail;
  if (zeros(0, 4) && words[4] === 0xffff && words[5] === 0) return tail;
  if (zeros(0, 6)) return tail;
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return tail;
  if (words[0] === 0x2002) return v4(words[1]!, words[2]!);
  return undefined;
}

/** The eight 16-bit words of an IPv6 address (with `::` and a dotted IPv4 tail expanded). */
function ipv6Words(address: string): number[] | undefined {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(address);
  let text = address;
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${address.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const part = (s: string) => (s === '' ? [] : s.split(':').map((w) => Number.parseInt(w, 16)));
  const front = part(head);
  const back = rest === undefined ? [] : part(rest);
  const words =
    rest === undefined ? front : [...front, ...Array(8 - front.length - back.length).fill(0), ...back];
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff)
    ? words
    : undefined;
}

/**
 * The ports a receiver may listen on: https's own, or an unprivileged one. Below 1024 live other
 * services (ssh, mail, ldap…) that a webhook has no business knocking on.
 */
function portProblem(url: URL): string | undefined {
  if (url.port === '' || url.port === '443' || Number(url.port) >= 1024) return undefined;
  return 'must use port 443 or a port from 1024 up';
}

const insecureHint =
  ' (in development, the server setting WEBHOOK_ALLOW_INSECURE_URLS=true allows plain http and private receivers)';

/** Why a subscriber's URL is refused, or undefined when it is fine. Checked again at delivery. */
export function urlProblem(raw: string, allowInsecure: boolean): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (allowInsecure) return undefined;
  if (url.protocol !== 'https:') return `must be an https URL${insecureHint}`;
  // A name may end in the root's dot: localhost. is localhost.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost') || isInternalAddress(host)) {
    return `must not point at a loopback, private, link-local or this host's own address${insecureHint}`;
  }
  return portProblem(url);
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/**
 * A DNS lookup for outgoing webhook requests that refuses internal addresses, so a public name
 * that resolves to one (or is re-pointed at one later) cannot reach into the network.
 */
export function guardedLookup(hostname: string, options: LookupOptions, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '');
    const own = ownAddresses();
    const blocked = addresses.find((a) => isInternalAddress(a.address, own));
    if (blocked) {
      const refused: NodeJS.ErrnoException = new Error(`${hostname} resolves to an internal address`);
      refused.code = 'EADDRNOTAVAIL';
      return callback(refused, '');
    }
    if (options.all) return callback(null, addresses);
    return callback(null, addresses[0]!.address, addresses[0]!.family);
  });
}
