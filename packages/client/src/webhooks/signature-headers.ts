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
  readonly certificateUrl: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Every value of header `name`. Node joins the copies of most repeated headers with `, ` (and
 * keeps only the first `Authorization`), fetch's `Headers` joins them all: none of these headers'
 * values may hold a comma, so one means a copy.
 */
function values(headers: WebhookHeaders, name: string): string[] {
  const raw = typeof headers.get === 'function' ? headers.get(name) : (headers as Record<string, unknown>)[name];
  const list = raw === null || raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return list.flatMap((value) => value.split(','));
}

/** The one value of header `name`, or `undefined`; a second is a `duplicate-header`. */
function single(headers: WebhookHeaders, name: string): string | undefined {
  const found = values(headers, name);
  refuseUnless(found.length <= 1, 'duplicate-header', `${name} is given ${found.length} times`);
  return found[0]?.trim();
}

/** The signature's base64: `Authorization: Signature <base64>`, or `x-ms-signature` with or without the scheme. */
function signatureText(headers: WebhookHeaders): string {
  const authorization = single(headers, 'authorization');
  const fromAuthorization = authorization?.match(/^Signature\s+(\S+)$/i)?.[1];
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
  return { signature: Buffer.from(text, 'base64'), certificateUrl };
}
