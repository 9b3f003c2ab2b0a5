// Where the server may send events: its allow-list (`--webhook-allow`, loopback only by default),
// so that a shared sandbox cannot be made to call addresses inside its network. A registration's
// URL is checked when it is registered, and again at every attempt on the address its name
// resolves to, which is the address connected to (no second look-up a DNS answer could change).
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/** The allow-list a server has unless told otherwise: receivers on this machine. */
export const DEFAULT_WEBHOOK_ALLOW: readonly string[] = Object.freeze(['loopback']);

/** An entry of the allow-list: any loopback address, or a host (a name or an IP address), on one port or any. */
type AllowEntry =
  | { readonly kind: 'loopback' }
  | { readonly kind: 'host'; readonly host: string; readonly port: string | undefined };

/** An attempt's target refused by the allow-list: the attempt fails on the sender's side. */
export class TargetRefused extends Error {
  override name = 'TargetRefused';
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');
// IPv4-mapped IPv6 (`::ffff:127.0.0.1`, which a URL writes `[::ffff:7f00:1]`).
LOOPBACK.addSubnet('::ffff:127.0.0.0', 104, 'ipv6');

/** Whether an IP address is a loopback address. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** A URL's host as a bare name or address: without an IPv6 address's brackets. */
const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');
const portOf = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** Reads an entry: `loopback`, `HOST` or `HOST:PORT` (an IPv6 address in brackets); throws saying what is wrong. */
export function parseAllowEntry(text: string): AllowEntry {
  if (text === 'loopback') return { kind: 'loopback' };
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    throw new Error(`${JSON.stringify(text)} is not loopback, HOST or HOST:PORT`);
  }
  // As a URL writes them: names in lower case, IP addresses in one form (`0x7f.1` is 127.0.0.1).
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || text.endsWith(':')) {
    throw new Error(`${JSON.stringify(text)} is not loopback, HOST or HOST:PORT`);
  }
  return { kind: 'host', host: bareHost(url), port: url.port || undefined };
}

/**
 * Why an allow-list cannot be used: none given, or its first entry that is not `loopback`, `HOST`
 * or `HOST:PORT`; `undefined` when it can. What a bin says of its `--webhook-allow` flags.
 */
export function allowListProblem(entries: readonly string[]): string | undefined {
  if (entries.length === 0) return 'the webhook allow-list needs an entry (loopback, HOST or HOST:PORT)';
  for (const entry of entries) {
    try {
      parseAllowEntry(entry);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

const isLoopbackName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

export interface WebhookTargetPolicy {
  /** The entries, as given. */
  readonly entries: readonly string[];
  /** Why a registration's `webhookUrl` is refused; `undefined` when events may be sent to it. */
  refusal(webhookUrl: string): string | undefined;
  /**
   * The address an attempt connects to: the URL's host resolved, each address checked. Throws
   * `TargetRefused` when the allow-list does not let it through, or the look-up's error.
   */
  resolve(url: URL): Promise<{ address: string; family: 4 | 6 }>;
}

type Lookup = (host: string) => Promise<readonly { address: string; family: number }[]>;

const defaultLookup: Lookup = (host) => dnsLookup(host, { all: true, verbatim: true });

/** The allow-list of `entries` (each `loopback`, `HOST` or `HOST:PORT`); throws naming a bad entry. */
export function createTargetPolicy(entries: readonly string[], lookup: Lookup = defaultLookup): WebhookTargetPolicy {
  if (entries.length === 0) throw new Error('the webhook allow-list needs an entry (loopback, HOST or HOST:PORT)');
  const parsed = entries.map(parseAllowEntry);
  const allowLoopback = parsed.some((entry) => entry.kind === 'loopback');
  const listed = (url: URL) =>
    parsed.some(
      (entry) => entry.kind === 'host' && entry.host === bareHost(url) && (entry.port ?? portOf(url)) === portOf(url),
    );
  const onLoopback = (url: URL) => allowLoopback && (isLoopbackAddress(bareHost(url)) || isLoopbackName(bareHost(url)));
  const described = `its allow-list (--webhook-allow) is ${entries.join(', ')}`;

  return {
    entries,
    refusal(webhookUrl) {
      let url: URL;
      try {
        url = new URL(webhookUrl);
      } catch {
        return 'must be an absolute https URL without a user name, password or fragment';
      }
      if (
        !['http:', 'https:'].includes(url.protocol) ||
        url.username ||
        url.password ||
        url.hash ||
        webhookUrl.includes('#')
      ) {
        return 'must be an absolute https URL without a user name, password or fragment';
      }
      if (listed(url) || onLoopback(url)) return undefined;
      return `this server sends events only to the receivers it is allowed to call, and ${url.host} is not one: ${described}`;
    },
    async resolve(url) {
      const host = bareHost(url);
      const byName = listed(url);
      if (!byName && !onLoopback(url)) throw new TargetRefused(`${url.host} is not on the allow-list: ${described}`);
      const family = isIP(host);
      const addresses = family === 0 ? await lookup(host) : [{ address: host, family }];
      // Allowed for being loopback, a name must resolve to loopback only: else a name of the
      // attacker's pointing inside the network would pass.
      const refused = byName
        ? addresses.filter(({ address }) => address === '0.0.0.0' || address === '::')
        : addresses.filter(({ address }) => !isLoopbackAddress(address));
      const [first] = addresses;
      if (refused.length > 0 || !first) {
        const shown = refused.map(({ address }) => address).join(', ') || 'no address';
        throw new TargetRefused(
          `${host} resolves to ${shown}, which is not a receiver this server may call: ${described}`,
        );
      }
      return { address: first.address, family: first.family === 6 ? 6 : 4 };
    },
  };
}
