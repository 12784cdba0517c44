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
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  const plain = mapped ? mapped[1]! : address.toLowerCase();
  const family = isIP(plain);
  if (family === 0) return false;
  return internal.check(plain, family === 4 ? 'ipv4' : 'ipv6') || own.has(plain);
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
  const host = url.hostname.replace(/^\[|\]$/g, '');
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
