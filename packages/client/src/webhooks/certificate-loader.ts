import type { X509Certificate } from 'node:crypto';
import {
  type CertificateTrust,
  issuerUrls,
  parseCertificates,
  type TrustedCertificate,
  trustCertificate,
} from './certificate-chain.js';
import type { CertificateFetcher, CertificateFetchLimits } from './certificate-fetch.js';
import { type CertificateUrlRules, trustedCertificateUrl } from './certificate-url.js';
import { refuseUnless, WebhookVerificationError } from './errors.js';

/** The most intermediates downloaded for one certificate. */
const MAX_ISSUER_DOWNLOADS = 2;

export interface CertificateLoaderSettings {
  readonly fetcher: CertificateFetcher;
  readonly limits: CertificateFetchLimits;
  readonly trust: CertificateTrust;
  /** Where intermediates a certificate names (AIA) may be downloaded from; no hosts, none. */
  readonly issuerRules: CertificateUrlRules;
}

/**
 * Loads a certificate whose URL passed the trust rules, and trusts it: the chain built from what
 * the URL serves; when that does not reach a root, from the intermediates the last certificate
 * names (its Authority Information Access "CA Issuers" URL, on an allowed issuer host), one at a
 * time, each download bounded as the certificate's. What is downloaded is trusted only if it
 * chains to a root.
 */
export function certificateLoader({ fetcher, limits, trust, issuerRules }: CertificateLoaderSettings) {
  const download = async (url: URL) => {
    const bytes = await fetcher(url, limits);
    refuseUnless(bytes.byteLength <= limits.maxBytes, 'certificate-too-large', `more than ${limits.maxBytes} bytes`);
    return parseCertificates(bytes);
  };
  /** The URL of the next intermediate to download after `error`, or `error` itself when there is none to. */
  const nextIssuer = (error: unknown, served: readonly X509Certificate[], downloads: number): URL => {
    const untrusted = error instanceof WebhookVerificationError && error.reason === 'certificate-untrusted';
    const [issuerUrl] = issuerUrls(served.at(-1) as X509Certificate);
    if (!untrusted || downloads >= MAX_ISSUER_DOWNLOADS || !issuerUrl || issuerRules.hosts.length === 0) throw error;
    try {
      return trustedCertificateUrl(issuerUrl, issuerRules);
    } catch {
      throw error; // an issuer off the allowed hosts is not downloaded: the chain stays untrusted
    }
  };
  return async (url: URL, now: number): Promise<TrustedCertificate> => {
    const served = await download(url);
    for (let downloads = 0; ; downloads++) {
      try {
        return trustCertificate(served, trust, now);
      } catch (error) {
        served.push(...(await download(nextIssuer(error, served, downloads))));
      }
    }
  };
}
