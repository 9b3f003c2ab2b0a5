import type { WebhookEvent } from '../index.js';
import { WebhookVerificationError } from './errors.js';

// Each member's PascalCase and camelCase names.
const MEMBERS = ['EventName', 'ResourceUri', 'ResourceName', 'AuditUri', 'ResourceChangeUtcDate'].map(
  (name) => [name, name.charAt(0).toLowerCase() + name.slice(1)] as const,
);
const OPTIONAL: ReadonlySet<string> = new Set(['ResourceUri', 'AuditUri']);

// One decoder for every body: it keeps no state between `decode` calls without `stream`.
const utf8 = new TextDecoder('utf-8', { fatal: true });

const malformed = (why: string, cause?: unknown) =>
  new WebhookVerificationError('malformed-body', `the body ${why}`, { cause });

/**
 * A verified body as the event: a JSON object with `EventName`, `ResourceName` and
 * `ResourceChangeUtcDate` strings, `ResourceUri` and `AuditUri` strings or `null`. Members are
 * read in PascalCase or camelCase (Microsoft's documentation shows both); other members are kept.
 */
export function parseEventBody(body: Uint8Array): WebhookEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(body));
  } catch (error) {
    throw malformed('is not JSON in UTF-8', error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed('is not a JSON object');
  // A fresh object of JSON.parse's: read in place.
  const event = parsed as Record<string, unknown>;
  for (const [name, camel] of MEMBERS) {
    if (event[name] === undefined && event[camel] !== undefined) {
      event[name] = event[camel];
      delete event[camel];
    }
    const value = event[name];
    if (typeof value !== 'string' && !(value == null && OPTIONAL.has(name))) {
      throw malformed(`has no ${name} string`);
    }
  }
  return event as unknown as WebhookEvent;
}
