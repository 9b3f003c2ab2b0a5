import { constants, verify, X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import type { WebhookEvent } from '../index.js';
import { CertificateCache } from './certificate-cache.js';
import { type CertificateTrust, checkDates, parseCertificates, type TrustedCertificate } from './certificate-chain.js';
import { type CertificateFetcher, fetchCertificate } from './certificate-fetch.js';
import { certificateLoader } from './certificate-loader.js';
import { type CertificateUrlRules, PARTNER_CENTER_CERTIFICATES, trustedCertificateUrl } from './certificate-url.js';
import { refuseUnless, WebhookVerificationError } from './errors.js';
import { parseEventBody } from './event-body.js';
import { deliveryKey, memoryReplayGuard, type ReplayGuard } from './replay-guard.js';
import { readSignatureHeaders, type SignatureHeaders, type WebhookHeaders } from './signature-headers.js';

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
  /**
   * Hosts an intermediate certificate may be downloaded from, when the certificate does not chain
   * without it and names its issuer's URL (Authority Information Access), as browsers do: `http`
   * or `https`, bounded as the certificate's fetch, at most 2. What is downloaded is trusted only
   * if it chains to a root. Default: Microsoft's and DigiCert's (`www.microsoft.com`,
   * `cacerts.digicert.com`), which issue Partner Center's certificates; `[]` downloads none.
   */
  readonly issuerHosts?: readonly string[];
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
  issuerHosts: ['www.microsoft.com', 'cacerts.digicert.com'],
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
  const limits = {
    maxBytes: options.maxCertificateBytes ?? webhookVerifierDefaults.maxCertificateBytes,
    timeoutMs: options.timeoutMs ?? webhookVerifierDefaults.timeoutMs,
  };
  const cache = new CertificateCache(options.maxCachedCertificates ?? webhookVerifierDefaults.maxCachedCertificates);
  const guard = options.replayGuard === false ? undefined : (options.replayGuard ?? memoryReplayGuard());
  const { now: clockOption } = options;
  const clock = clockOption ? () => clockOption().getTime() : Date.now;

  const load = certificateLoader({
    fetcher: options.fetchCertificate ?? fetchCertificate,
    limits,
    trust: chainTrust,
    issuerRules: { hosts: trust.issuerHosts ?? webhookVerifierDefaults.issuerHosts, pathPrefix: '/', allowHttp: true },
  });

  /** The checks after the certificate: its dates, the signature, the body, the replay guard. */
  const finish = (
    certificate: TrustedCertificate,
    delivery: WebhookDelivery,
    headers: SignatureHeaders,
    now: number,
  ) => {
    checkDates(certificate, now);
    const body = bytesOf(delivery.body);
    if (
      !verify('sha256', body, { key: certificate.publicKey, padding: constants.RSA_PKCS1_PADDING }, headers.signature)
    ) {
      throw new WebhookVerificationError('bad-signature', "the signature does not verify over the body's bytes");
    }
    const event = parseEventBody(body);
    refuseUnless(
      !guard || guard.check(deliveryKey(headers.signatureText), now),
      'replay',
      'the same body and signature were verified within the replay window',
    );
    return event;
  };

  return {
    // Not async: with the certificate cached, the whole check runs at once (no awaits on the way).
    verify(delivery) {
      try {
        const now = clock();
        const headers = readSignatureHeaders(delivery.headers);
        const { certificateUrl } = headers;
        // Cached by the header's text: a URL in the cache passed the URL check when it was stored.
        const certificate = cache.get(certificateUrl, now, () =>
          load(trustedCertificateUrl(certificateUrl, rules), now),
        );
        if (certificate instanceof Promise) return certificate.then((loaded) => finish(loaded, delivery, headers, now));
        return Promise.resolve(finish(certificate, delivery, headers, now));
      } catch (error) {
        return Promise.reject(error);
      }
    },
    forget(delivery) {
      guard?.forget(deliveryKey(readSignatureHeaders(delivery.headers).signatureText));
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
