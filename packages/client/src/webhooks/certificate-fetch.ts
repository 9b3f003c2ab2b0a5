import { WebhookVerificationError } from './errors.js';

/** The bounds of one certificate fetch. */
export interface CertificateFetchLimits {
  /** The most bytes read: past them, the reading stops and the fetch fails. */
  readonly maxBytes: number;
  /** The whole fetch's time limit, body included. */
  readonly timeoutMs: number;
}

/** Fetches a certificate's bytes; the URL has been checked against the trust rules. */
export type CertificateFetcher = (url: URL, limits: CertificateFetchLimits) => Promise<Uint8Array>;

const fetchFailed = (url: URL, why: string, cause?: unknown) =>
  new WebhookVerificationError('certificate-fetch-failed', `GET ${url.href} ${why}`, { cause });

const tooLarge = (url: URL, maxBytes: number) =>
  new WebhookVerificationError('certificate-too-large', `GET ${url.href} answered more than ${maxBytes} bytes`);

/** Reads `body` to its end, or fails past `maxBytes` having read at most one chunk more. */
async function readBounded(body: ReadableStream<Uint8Array>, url: URL, maxBytes: number): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    length += value.byteLength;
    if (length > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, length);
}

/**
 * The default fetcher: `GET` with fetch, no redirect followed (a 3xx fails), no credentials or
 * cookies, a size bound (a `Content-Length` past it fails before the body is read; a body without
 * one is read until the bound, then the connection is dropped) and a time limit.
 */
export const fetchCertificate: CertificateFetcher = async (url, { maxBytes, timeoutMs }) => {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  try {
    const response = await fetch(url, { redirect: 'manual', signal: controller.signal, credentials: 'omit' });
    if (response.status !== 200) {
      controller.abort();
      throw fetchFailed(
        url,
        `answered ${response.status}${response.status < 400 ? ' (redirects are not followed)' : ''}`,
      );
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) {
      controller.abort();
      throw tooLarge(url, maxBytes);
    }
    if (!response.body) return new Uint8Array();
    return await readBounded(response.body, url, maxBytes);
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw error;
    const timedOut = controller.signal.aborted;
    controller.abort();
    throw fetchFailed(url, timedOut ? `took longer than ${timeoutMs} ms` : 'failed', error);
  } finally {
    clearTimeout(timer);
  }
};
