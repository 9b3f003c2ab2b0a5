import type { WebhookEvent } from '../index.js';
import { WebhookVerificationError } from './errors.js';

const MEMBERS = ['EventName', 'ResourceUri', 'ResourceName', 'AuditUri', 'ResourceChangeUtcDate'] as const;
const REQUIRED = ['EventName', 'ResourceName', 'ResourceChangeUtcDate'] as const;

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
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(body));
  } catch (error) {
    throw malformed('is not JSON in UTF-8', error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw malformed('is not a JSON object');
  const event: Record<string, unknown> = { ...parsed };
  for (const name of MEMBERS) {
    const camel = name.charAt(0).toLowerCase() + name.slice(1);
    if (!(name in event) && camel in event) {
      event[name] = event[camel];
      delete event[camel];
    }
    const value = event[name];
    const required = (REQUIRED as readonly string[]).includes(name);
    if (typeof value !== 'string' && !(value == null && !required)) {
      throw malformed(`has no ${name} string`);
    }
  }
  return event as unknown as WebhookEvent;
}
