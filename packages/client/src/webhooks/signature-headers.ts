import { refuseUnless } from './errors.js';

/**
 * A delivery's headers: Node's `IncomingHttpHeaders` (better, `req.headersDistinct`, which keeps
 * every copy of a repeated header), any record of lower-case names, or a fetch `Headers`.
 */
export type WebhookHeaders =
  | Readonly<Record<string, string | readonly string[] | undefined>>
  | { get(name: string): string | null };

/** What a delivery's headers say about its signature. */
export interface SignatureHeaders {
  /** The signature's bytes, base64-decoded. */
  readonly signature: Uint8Array;
  /** The signature as the header gave it, base64. */
  readonly signatureText: string;
  readonly certificateUrl: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const SIGNATURE_SCHEME = /^Signature\s/i;

/**
 * The one value of header `name`, or `undefined`; a second is a `duplicate-header`. Node joins
 * the copies of most repeated headers with `, ` (and keeps only the first `Authorization`, unless
 * given `headersDistinct`), fetch's `Headers` joins them all: none of these headers' values may
 * hold a comma, so one means a copy.
 */
function single(headers: WebhookHeaders, name: string): string | undefined {
  const raw = typeof headers.get === 'function' ? headers.get(name) : (headers as Record<string, unknown>)[name];
  if (raw === null || raw === undefined) return undefined;
  let value: string;
  if (Array.isArray(raw)) {
    refuseUnless(raw.length <= 1, 'duplicate-header', `${name} is given ${raw.length} times`);
    if (raw.length === 0) return undefined;
    value = String(raw[0]);
  } else value = String(raw);
  refuseUnless(!value.includes(','), 'duplicate-header', `${name} is given more than once`);
  return value.trim();
}

/** The signature's base64: `Authorization: Signature <base64>`, or `x-ms-signature` with or without the scheme. */
function signatureText(headers: WebhookHeaders): string {
  const authorization = single(headers, 'authorization');
  const fromAuthorization =
    authorization !== undefined && SIGNATURE_SCHEME.test(authorization)
      ? authorization.slice('Signature'.length).trimStart()
      : undefined;
  const msSignature = single(headers, 'x-ms-signature');
  const fromMsSignature = msSignature === undefined ? undefined : msSignature.replace(/^Signature\s+/i, '');
  refuseUnless(
    fromAuthorization === undefined || fromMsSignature === undefined,
    'duplicate-header',
    'a signature is given in both Authorization and x-ms-signature',
  );
  const text = fromAuthorization ?? fromMsSignature;
  refuseUnless(
    text !== undefined && text !== '',
    'missing-header',
    'no signature: Authorization: Signature <base64>, or x-ms-signature',
  );
  return text;
}

/**
 * The signature and certificate URL of a delivery, checked as the spec says: exactly one
 * signature, one certificate URL and `x-ms-signature-algorithm: rsa-sha256`.
 */
export function readSignatureHeaders(headers: WebhookHeaders): SignatureHeaders {
  const text = signatureText(headers);
  const certificateUrl = single(headers, 'x-ms-certificate-url');
  refuseUnless(certificateUrl !== undefined && certificateUrl !== '', 'missing-header', 'no x-ms-certificate-url');
  const algorithm = single(headers, 'x-ms-signature-algorithm');
  refuseUnless(algorithm !== undefined && algorithm !== '', 'missing-header', 'no x-ms-signature-algorithm');
  refuseUnless(
    algorithm.toLowerCase() === 'rsa-sha256',
    'unsupported-algorithm',
    `x-ms-signature-algorithm ${JSON.stringify(algorithm.slice(0, 32))} is not rsa-sha256`,
  );
  refuseUnless(BASE64.test(text) && text.length % 4 === 0, 'bad-signature', 'the signature is not base64');
  return { signature: Buffer.from(text, 'base64'), signatureText: text, certificateUrl };
}
