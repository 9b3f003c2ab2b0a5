/**
 * Why a delivery was refused, one code per check (in the order they run):
 *
 * - `missing-header`: no signature (`Authorization: Signature …` or `x-ms-signature`), no
 *   `x-ms-certificate-url`, or no `x-ms-signature-algorithm`;
 * - `duplicate-header`: one of them given twice (or a signature in both headers);
 * - `unsupported-algorithm`: an algorithm other than `rsa-sha256`;
 * - `untrusted-certificate-url`: a certificate URL off the trusted hosts and path, or with
 *   another scheme, a port, a user name or password, a query or a fragment: refused before
 *   anything is fetched;
 * - `certificate-fetch-failed`: the fetch failed, timed out, was redirected, or answered another
 *   status than 200;
 * - `certificate-too-large`: the certificate is larger than `maxCertificateBytes` (its reading
 *   stopped there);
 * - `malformed-certificate`: the bytes are no X.509 certificate (DER or PEM), or its key is not RSA;
 * - `certificate-untrusted`: it does not chain to a trusted root;
 * - `certificate-expired`: it, or a certificate of its chain, is outside its validity dates;
 * - `wrong-organisation`: its subject's organisation (`O=`) is not the trusted one;
 * - `bad-signature`: the signature is not base64, or does not verify over the body's bytes;
 * - `malformed-body`: the body verified, but is not a JSON event (`EventName`, `ResourceName`,
 *   `ResourceChangeUtcDate`);
 * - `replay`: the same body and signature were verified within the replay window.
 */
export type WebhookVerificationReason =
  | 'missing-header'
  | 'duplicate-header'
  | 'unsupported-algorithm'
  | 'untrusted-certificate-url'
  | 'certificate-fetch-failed'
  | 'certificate-too-large'
  | 'malformed-certificate'
  | 'certificate-untrusted'
  | 'certificate-expired'
  | 'wrong-organisation'
  | 'bad-signature'
  | 'malformed-body'
  | 'replay';

/** A delivery that did not verify: `reason` says which check refused it, the message how. */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookVerificationReason;

  constructor(reason: WebhookVerificationReason, message: string, options?: { cause?: unknown }) {
    super(`${reason}: ${message}`, options);
    this.reason = reason;
  }
}
Object.defineProperty(WebhookVerificationError.prototype, 'name', { value: 'WebhookVerificationError' });

/** Throws a `WebhookVerificationError` with `reason` unless `ok`. */
export function refuseUnless(ok: boolean, reason: WebhookVerificationReason, message: string): asserts ok {
  if (!ok) throw new WebhookVerificationError(reason, message);
}
