import type { TrustedCertificate } from './certificate-chain.js';

/**
 * Trusted certificates by URL, at most `maxEntries` (the least recently used goes first), each
 * until its chain's `notAfter`: an expired one is fetched again, so a renewed certificate at the
 * same URL is picked up. A load in progress is shared by every verification that needs it.
 */
export class CertificateCache {
  readonly #entries = new Map<string, TrustedCertificate>();
  readonly #loading = new Map<string, Promise<TrustedCertificate>>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    this.#maxEntries = maxEntries;
  }

  /** The certificate of `url`, cached and valid at `now`, or loaded with `load` (a failure is not cached). */
  get(
    url: string,
    now: number,
    load: () => Promise<TrustedCertificate>,
  ): Promise<TrustedCertificate> | TrustedCertificate {
    const cached = this.#entries.get(url);
    if (cached && now <= cached.validTo) {
      // Most recently used last: a Map keeps insertion order.
      this.#entries.delete(url);
      this.#entries.set(url, cached);
      return cached;
    }
    this.#entries.delete(url);
    const loading = this.#loading.get(url);
    if (loading) return loading;
    const loaded = load().then(
      (certificate) => {
        this.#loading.delete(url);
        this.#remember(url, certificate);
        return certificate;
      },
      (error: unknown) => {
        this.#loading.delete(url);
        throw error;
      },
    );
    this.#loading.set(url, loaded);
    return loaded;
  }

  #remember(url: string, certificate: TrustedCertificate): void {
    this.#entries.set(url, certificate);
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(oldest);
    }
  }
}
