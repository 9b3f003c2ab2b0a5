import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CustomerPrefix } from '../storage/customer-store.js';

/** Where a listing goes on: its page size and filter (the first request's), and the next offset. */
export interface ListingPosition {
  readonly size: number;
  readonly filter: CustomerPrefix | undefined;
  readonly offset: number;
}

export interface ContinuationTokens {
  /** An opaque token that only `read` with the same partner can open. */
  issue(partnerId: string, position: ListingPosition): string;
  /** The position a token holds; `undefined` when it is malformed, tampered with, or another partner's. */
  read(partnerId: string, token: string): ListingPosition | undefined;
}

const VERSION = 'v1';
const FIELDS: readonly string[] = ['companyName', 'domain', 'associatedPartnerId', 'indirectProvider'];

/** The payload fields in a fixed order: `[size, offset, field, prefix]`, or `[size, offset]` unfiltered. */
type Payload = [number, number] | [number, number, string, string];

function isPosition(value: unknown): value is Payload {
  if (!Array.isArray(value) || (value.length !== 2 && value.length !== 4)) return false;
  const [size, offset, field, prefix] = value as unknown[];
  const counts =
    Number.isSafeInteger(size) && (size as number) >= 1 && Number.isSafeInteger(offset) && (offset as number) >= 0;
  return counts && (value.length === 2 || (FIELDS.includes(field as string) && typeof prefix === 'string'));
}

/**
 * Continuation tokens `v1.<payload>.<signature>`, both base64url: the payload is the listing's
 * position as JSON, the signature an HMAC-SHA256 of the partner id and the payload under a server
 * secret. A token cannot be forged or edited without the secret, and a token of one partner does
 * not open for another (its id is signed, not sent). `startServer` passes the config's secret, else
 * the one kept in the database (`server_secrets`: shared by replicas, kept across restarts); without
 * a secret, a random one, so tokens last as long as these tokens do.
 */
export function createContinuationTokens(secret: string | undefined): ContinuationTokens {
  const key = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  const sign = (partnerId: string, payload: string) =>
    createHmac('sha256', key).update(`${VERSION}\n${partnerId}\n${payload}`).digest();
  return {
    issue(partnerId, { size, filter, offset }) {
      const fields: Payload = filter ? [size, offset, filter.field, filter.prefix] : [size, offset];
      const payload = Buffer.from(JSON.stringify(fields), 'utf8').toString('base64url');
      return `${VERSION}.${payload}.${sign(partnerId, payload).toString('base64url')}`;
    },
    read(partnerId, token) {
      const [version, payload, signature, ...rest] = token.split('.');
      if (version !== VERSION || payload === undefined || signature === undefined || rest.length > 0) return undefined;
      const expected = sign(partnerId, payload);
      const given = Buffer.from(signature, 'base64url');
      // base64url decoding skips stray characters: compare the text too, so a token has one spelling.
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      if (given.toString('base64url') !== signature) return undefined;
      let fields: unknown;
      try {
        fields = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
      } catch {
        return undefined;
      }
      if (!isPosition(fields)) return undefined;
      const [size, offset, field, prefix] = fields;
      return {
        size,
        offset,
        filter:
          field === undefined || prefix === undefined ? undefined : { field: field as CustomerPrefix['field'], prefix },
      };
    },
  };
}
