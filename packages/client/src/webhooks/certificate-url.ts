import { WebhookVerificationError } from './errors.js';

/** Where certificates may be fetched from: checked on the URL alone, before anything is fetched. */
export interface CertificateUrlRules {
  /** Hosts, as `URL.host` writes them (`host` or `host:port`), compared without regard to case. */
  readonly hosts: readonly string[];
  /** The path every certificate URL starts with. */
  readonly pathPrefix: string;
  /** Whether `http:` is accepted too (a test server on loopback has no TLS certificate). */
  readonly allowHttp: boolean;
}

/** Partner Center's: `https://3psostorageacct.blob.core.windows.net/cert/…`, default port. */
export const PARTNER_CENTER_CERTIFICATES: CertificateUrlRules = {
  hosts: ['3psostorageacct.blob.core.windows.net'],
  pathPrefix: '/cert/',
  allowHttp: false,
};

function parse(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw refusal(text, 'is not an absolute URL');
  }
}

function refusal(text: string, why: string): WebhookVerificationError {
  return new WebhookVerificationError('untrusted-certificate-url', `${JSON.stringify(text.slice(0, 200))} ${why}`);
}

/**
 * The certificate URL a delivery names, when `rules` trust it: `https` (or `http` when allowed),
 * on a trusted host (a port only when the host is trusted with it), no user name or password, no
 * query or fragment, a path under the prefix with no encoded slash or dot segment. The URL is
 * attacker-controlled input: this check is what keeps the fetch from reaching anything else.
 */
export function trustedCertificateUrl(text: string, rules: CertificateUrlRules): URL {
  // Checked on the text: `new URL` drops an empty query or fragment, and resolves dot segments.
  if (/[#?\\]|%2e|%2f|%5c/i.test(text)) throw refusal(text, 'has a query, a fragment or an encoded path separator');
  if (/\/\.{1,2}(\/|$)/.test(text)) throw refusal(text, 'has a dot segment');
  const url = parse(text);
  const schemes = rules.allowHttp ? ['https:', 'http:'] : ['https:'];
  if (!schemes.includes(url.protocol)) throw refusal(text, `is not ${schemes.join(' or ')}`);
  if (url.username !== '' || url.password !== '') throw refusal(text, 'has a user name or password');
  const host = url.host.toLowerCase();
  if (!rules.hosts.some((trusted) => trusted.toLowerCase() === host)) {
    throw refusal(text, `is not on a trusted host (${rules.hosts.join(', ')})`);
  }
  if (!url.pathname.startsWith(rules.pathPrefix) || url.pathname.length === rules.pathPrefix.length) {
    throw refusal(text, `is not a file under ${rules.pathPrefix}`);
  }
  return url;
}
