import { constants, verify, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { WebhookEvent } from '../index.js';
import { CertificateCache } from './certificate-cache.js';
import {
  type CertificateTrust,
  checkDates,
  parseCertificates,
  type TrustedCertificate,
  trustCertificate,
} from './certificate-chain.js';
import { type CertificateFetcher, fetchCertificate } from './certificate-fetch.js';
import { type CertificateUrlRules, PARTNER_CENTER_CERTIFICATES, trustedCertificateUrl } from './certificate-url.js';
import { refuseUnless, WebhookVerificationError } from './errors.js';
import { parseEventBody } from './event-body.js';
import { deliveryKey, memoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import { readSignatureHeaders, type WebhookHeaders } from './signature-headers.js';

/** A delivery as it arrived: the body's exact bytes (a string is taken as its UTF-8 bytes) and the headers. */
export interface WebhookDelivery {
  readonly body: Uint8Array | string;
  readonly headers: WebhookHeaders;
}

/** Whom to trust instead of Partner Center (a reference server or a mock under test). */
export interface WebhookTrust {
  /** Trusted roots, PEM. Default: the system's (`tls.rootCertificates`). */
  readonly roots?: readonly string[];
  /** Intermediate certificates, PEM, to chain through besides those the certificate URL serves. */
  readonly intermediates?: readonly string[];
  /** Hosts certificates may be fetched from (`host` or `host:port`). Default: `3psostorageacct.blob.core.windows.net`. */
  readonly certificateHosts?: readonly string[];
  /** The path certificate URLs start with. Default: `/cert/`. */
  readonly certificatePathPrefix?: string;
  /** Accept `http:` certificate URLs on the trusted hosts (a test server on loopback). Default: `false`. */
  readonly allowHttp?: boolean;
  /** The signing certificate's subject organisation. Default: `Microsoft Corporation`. */
  readonly organisation?: string;
}

export interface WebhookVerifierOptions {
  /** Whom to trust; Partner Center alone by default. */
  readonly trust?: WebhookTrust;
  /** Fetches a certificate, the URL already checked; a bounded `fetch` without redirects by default. */
  readonly fetchCertificate?: CertificateFetcher;
  /** The time checks are made at (certificate dates, the replay window). Default: the clock. */
  readonly now?: () => Date;
  /** The replay guard; `false` turns it off. Default: in memory, a 10-minute window. */
  readonly replayGuard?: ReplayGuard | false;
  /** The largest certificate (or chain) read, in bytes. Default: 65,536. */
  readonly maxCertificateBytes?: number;
  /** A certificate fetch's time limit. Default: 10,000 ms. */
  readonly timeoutMs?: number;
  /** How many certificates are cached (by URL). Default: 16. */
  readonly maxCachedCertificates?: number;
}

/** Verifies deliveries with one certificate cache and one replay guard. */
export interface WebhookVerifier {
  /** The delivery's event, verified; or a `WebhookVerificationError` saying which check refused it. */
  verify(delivery: WebhookDelivery): Promise<WebhookEvent>;
  /** Forgets a verified delivery in the replay guard, so that its redelivery verifies: for a receiver that failed to process it. */
  forget(delivery: WebhookDelivery): void;
}

/** The defaults of the verifier's options, for a tool that shows them. */
export const webhookVerifierDefaults = {
  organisation: 'Microsoft Corporation',
  certificateHosts: PARTNER_CENTER_CERTIFICATES.hosts,
  certificatePathPrefix: PARTNER_CENTER_CERTIFICATES.pathPrefix,
  maxCertificateBytes: 65_536,
  timeoutMs: 10_000,
  replayWindowMs: 600_000,
  maxCachedCertificates: 16,
} as const;

let systemRoots: X509Certificate[] | undefined;

/** The system's roots, parsed once per process, on the first verifier that trusts them. */
function defaultRoots(): X509Certificate[] {
  systemRoots ??= rootCertificates.map((pem) => new X509Certificate(pem));
  return systemRoots;
}

function certificateTrust(trust: WebhookTrust): CertificateTrust {
  return {
    roots: trust.roots ? trust.roots.flatMap((pem) => parseCertificates(Buffer.from(pem))) : defaultRoots(),
    intermediates: (trust.intermediates ?? []).flatMap((pem) => parseCertificates(Buffer.from(pem))),
    organisation: trust.organisation ?? webhookVerifierDefaults.organisation,
  };
}

function urlRules(trust: WebhookTrust): CertificateUrlRules {
  return {
    hosts: trust.certificateHosts ?? webhookVerifierDefaults.certificateHosts,
    pathPrefix: trust.certificatePathPrefix ?? webhookVerifierDefaults.certificatePathPrefix,
    allowHttp: trust.allowHttp ?? false,
  };
}

const bytesOf = (body: Uint8Array | string): Uint8Array =>
  typeof body === 'string' ? Buffer.from(body, 'utf8') : body;

const RSA_PKCS1_SHA256 = { padding: constants.RSA_PKCS1_PADDING } as const;

/**
 * A verifier that keeps the certificates it trusted (by URL) and the deliveries it verified (the
 * replay guard) across calls: make one per receiver. Each delivery is checked in the spec's
 * order: its headers; the certificate URL, before anything is fetched; the certificate (fetched
 * bounded, without redirects, once per URL until it expires), its chain, dates and
 * organisation; the RSA PKCS#1 v1.5 SHA-256 signature over the body's exact bytes; the body as
 * an event; and last, the replay guard (only verified deliveries are remembered).
 */
export function createWebhookVerifier(options: WebhookVerifierOptions = {}): WebhookVerifier {
  const trust = options.trust ?? {};
  const chainTrust = certificateTrust(trust);
  const rules = urlRules(trust);
  const fetcher = options.fetchCertificate ?? fetchCertificate;
  const limits = {
    maxBytes: options.maxCertificateBytes ?? webhookVerifierDefaults.maxCertificateBytes,
    timeoutMs: options.timeoutMs ?? webhookVerifierDefaults.timeoutMs,
  };
  const cache = new CertificateCache(options.maxCachedCertificates ?? webhookVerifierDefaults.maxCachedCertificates);
  const guard = options.replayGuard === false ? undefined : (options.replayGuard ?? memoryReplayGuard());
  const clock = options.now ?? (() => new Date());

  const load = async (url: URL, now: number): Promise<TrustedCertificate> => {
    const bytes = await fetcher(url, limits);
    refuseUnless(bytes.byteLength <= limits.maxBytes, 'certificate-too-large', `more than ${limits.maxBytes} bytes`);
    return trustCertificate(parseCertificates(bytes), chainTrust, now);
  };

  return {
    async verify(delivery) {
      const now = clock().getTime();
      const { signature, certificateUrl } = readSignatureHeaders(delivery.headers);
      const url = trustedCertificateUrl(certificateUrl, rules);
      const certificate = await cache.get(url.href, now, () => load(url, now));
      checkDates(certificate, now);
      const body = bytesOf(delivery.body);
      if (!verify('sha256', body, { key: certificate.publicKey, ...RSA_PKCS1_SHA256 }, signature)) {
        throw new WebhookVerificationError('bad-signature', "the signature does not verify over the body's bytes");
      }
      const event = parseEventBody(body);
      refuseUnless(
        !guard || guard.check(deliveryKey(body, signature), now),
        'replay',
        'the same body and signature were verified within the replay window',
      );
      return event;
    },
    forget(delivery) {
      const { signature } = readSignatureHeaders(delivery.headers);
      guard?.forget(deliveryKey(bytesOf(delivery.body), signature));
    },
  };
}

// The verifiers `verifyWebhookEvent` made, one per options object (and one without), so that its
// calls share a certificate cache and a replay guard as a verifier's do.
const verifiers = new WeakMap<WebhookVerifierOptions, WebhookVerifier>();
const noOptions: WebhookVerifierOptions = {};

/**
 * Verifies one delivery (see {@link createWebhookVerifier} for the checks) and resolves with its
 * event, or rejects with a `WebhookVerificationError`. Calls with the same options object (or
 * none) share one verifier: its certificate cache and its replay guard.
 */
export function verifyWebhookEvent(
  delivery: WebhookDelivery,
  options: WebhookVerifierOptions = noOptions,
): Promise<WebhookEvent> {
  let verifier = verifiers.get(options);
  if (!verifier) {
    verifier = createWebhookVerifier(options);
    verifiers.set(options, verifier);
  }
  return verifier.verify(delivery);
}
