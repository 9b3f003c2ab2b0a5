import { type KeyObject, X509Certificate } from 'node:crypto';
import { WebhookVerificationError } from './errors.js';

/** What the certificate must chain to, and name. */
export interface CertificateTrust {
  /** The trusted roots. */
  readonly roots: readonly X509Certificate[];
  /** Intermediate certificates to build chains with, besides those the certificate URL serves after the signing one. */
  readonly intermediates: readonly X509Certificate[];
  /** The signing certificate's subject organisation (`O=`), exactly. */
  readonly organisation: string;
}

/** A signing certificate that chained to a trusted root, and when that chain is valid. */
export interface TrustedCertificate {
  readonly publicKey: KeyObject;
  /** From the latest `notBefore` of the chain to its earliest `notAfter` (ms since the epoch). */
  readonly validFrom: number;
  readonly validTo: number;
  readonly subject: string;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** The longest chain built: signing certificate, intermediates, root. */
const MAX_DEPTH = 6;

/** Certificates from DER (one) or PEM (one or more, the signing certificate first). */
export function parseCertificates(bytes: Uint8Array): X509Certificate[] {
  const text = Buffer.from(bytes).toString('latin1');
  try {
    const pems = text.match(PEM_CERTIFICATE);
    const certificates = pems ? pems.map((pem) => new X509Certificate(pem)) : [new X509Certificate(Buffer.from(bytes))];
    if (certificates.length === 0) throw new Error('no certificate');
    return certificates;
  } catch (error) {
    throw new WebhookVerificationError('malformed-certificate', 'the certificate is not X.509 in DER or PEM', {
      cause: error,
    });
  }
}

/**
 * Where the certificate's issuer can be downloaded (its Authority Information Access "CA Issuers"
 * URIs), as Node prints them: `CA Issuers - URI:http://…`, a value with special characters quoted.
 */
export function issuerUrls(certificate: X509Certificate): string[] {
  const urls: string[] = [];
  for (const line of (certificate.infoAccess ?? '').split('\n')) {
    const match = /^CA Issuers - URI:(.+)$/.exec(line);
    if (!match?.[1]) continue;
    const value = match[1];
    try {
      urls.push(value.startsWith('"') ? (JSON.parse(value) as string) : value);
    } catch {
      // An unreadable value is no URL to follow.
    }
  }
  return urls;
}

/** Whether `issuer` issued and signed `certificate`: names and key identifiers (OpenSSL's check), then the signature. */
const signed = (certificate: X509Certificate, issuer: X509Certificate) =>
  certificate.checkIssued(issuer) && certificate.verify(issuer.publicKey);

/** The chain from `leaf` up to a trusted root (root included), or a `certificate-untrusted` error. */
function chainOf(
  leaf: X509Certificate,
  served: readonly X509Certificate[],
  trust: CertificateTrust,
): X509Certificate[] {
  const candidates = [...served, ...trust.intermediates].filter((each) => each.ca);
  const chain = [leaf];
  for (let current = leaf; chain.length <= MAX_DEPTH; ) {
    const root = trust.roots.find((each) => each.fingerprint256 === current.fingerprint256 || signed(current, each));
    if (root) return root.fingerprint256 === current.fingerprint256 ? chain : [...chain, root];
    const issuer = candidates.find((each) => !chain.includes(each) && signed(current, each));
    if (!issuer) break;
    chain.push(issuer);
    current = issuer;
  }
  throw new WebhookVerificationError(
    'certificate-untrusted',
    `the certificate (${oneLine(leaf.subject)}) does not chain to a trusted root`,
  );
}

const oneLine = (name: string) => name.split('\n').join(', ');

/** The subject's organisations, from the parsed name (never from its text, which a value could fake). */
function organisations(certificate: X509Certificate): string[] {
  const value = (certificate.toLegacyObject().subject as Record<string, string | string[] | undefined>).O;
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/**
 * Checks a certificate as the spec says: it chains to a trusted root (through the certificates
 * served after it or the trusted intermediates), each certificate of the chain is within its
 * validity dates at `now`, its subject names exactly one organisation, the trusted one, and its
 * key is RSA.
 */
export function trustCertificate(served: readonly X509Certificate[], trust: CertificateTrust, now: number) {
  const [leaf, ...rest] = served as [X509Certificate, ...X509Certificate[]];
  const chain = chainOf(leaf, rest, trust);
  const validFrom = Math.max(...chain.map((each) => Date.parse(each.validFrom)));
  const validTo = Math.min(...chain.map((each) => Date.parse(each.validTo)));
  const certificate: TrustedCertificate = {
    publicKey: leaf.publicKey,
    validFrom,
    validTo,
    subject: oneLine(leaf.subject),
  };
  checkDates(certificate, now);
  const names = organisations(leaf);
  if (names.length !== 1 || names[0] !== trust.organisation) {
    throw new WebhookVerificationError(
      'wrong-organisation',
      `the certificate's subject organisation is ${JSON.stringify(names)}, not ${JSON.stringify(trust.organisation)}`,
    );
  }
  if (leaf.publicKey.asymmetricKeyType !== 'rsa') {
    throw new WebhookVerificationError('malformed-certificate', 'the certificate key is not RSA');
  }
  return certificate;
}

/** A `certificate-expired` error unless `now` is within the chain's validity dates. */
export function checkDates({ validFrom, validTo, subject }: TrustedCertificate, now: number): void {
  if (now < validFrom || now > validTo) {
    throw new WebhookVerificationError(
      'certificate-expired',
      `the certificate (${subject}) or its chain is valid from ${new Date(validFrom).toISOString()} to ${new Date(validTo).toISOString()}, not at ${new Date(now).toISOString()}`,
    );
  }
}
