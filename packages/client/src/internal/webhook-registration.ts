import { WEBHOOK_REGISTRATION } from '@usagebudget/openapi/limits';
import type { WebhookRegistrationRequest } from '../core/webhook-models.js';
import type { WebhookRegistration } from '../generated/models/index.js';
import { check } from './argument-checks.js';

// The spec's limits on a registration (`WebhookRegistration`, its `WebhookEventName` items).
const { webhookUrl: URL_LIMITS, webhookEvents: EVENT_LIMITS } = WEBHOOK_REGISTRATION;
const MAX_URL_LENGTH = URL_LIMITS.maxLength;
const MAX_EVENTS = EVENT_LIMITS.maxItems;
const EVENT_NAME = EVENT_LIMITS.items;

/** Whether `value` is an absolute `https` or `http` URL with no user name, password or fragment. */
function isWebhookUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > MAX_URL_LENGTH || !URL_LIMITS.pattern.test(value)) return false;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.username === '' && url.password === '' && !value.includes('#');
}

function checkEvents(events: unknown): asserts events is string[] {
  check(
    Array.isArray(events) && events.length >= EVENT_LIMITS.minItems && events.length <= MAX_EVENTS,
    'webhookEvents',
    `must be an array of ${EVENT_LIMITS.minItems} to ${MAX_EVENTS} event names`,
  );
  const seen = new Set<string>();
  for (const [index, name] of (events as unknown[]).entries()) {
    check(
      typeof name === 'string' &&
        name.length >= EVENT_NAME.minLength &&
        name.length <= EVENT_NAME.maxLength &&
        EVENT_NAME.pattern.test(name),
      `webhookEvents[${index}]`,
      'must be an event name such as "usagerecords-thresholdExceeded" (letters and single hyphens)',
      name,
    );
    check(!seen.has(name as string), `webhookEvents[${index}]`, 'is listed twice', name);
    seen.add(name as string);
  }
}

/**
 * The body of a `POST` or `PUT` of the registration, checked before anything is sent: an absolute
 * `https` (or `http`, for a test receiver) URL without credentials or fragment, 1 to 64 distinct
 * event names, and an optional boolean. Only the members the spec lets a request set are sent.
 */
export function registrationBody(registration: WebhookRegistrationRequest): WebhookRegistration {
  check(registration !== null && typeof registration === 'object', 'registration', 'must be an object');
  const { webhookUrl, webhookEvents, signatureTokenToMsSignatureHeader } = registration;
  check(
    isWebhookUrl(webhookUrl),
    'webhookUrl',
    `must be an absolute https or http URL of at most ${MAX_URL_LENGTH} characters, without user name, password or fragment`,
    webhookUrl,
  );
  checkEvents(webhookEvents);
  check(
    signatureTokenToMsSignatureHeader === undefined || typeof signatureTokenToMsSignatureHeader === 'boolean',
    'signatureTokenToMsSignatureHeader',
    'must be a boolean',
    signatureTokenToMsSignatureHeader,
  );
  return {
    webhookUrl,
    webhookEvents: [...webhookEvents],
    ...(signatureTokenToMsSignatureHeader !== undefined && { signatureTokenToMsSignatureHeader }),
  };
}

/** A registration as Partner Center may write it (PascalCase, as its examples) read in the spec's camelCase. */
export function camelRegistration(body: Record<string, unknown>): WebhookRegistration {
  const read: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    const camel = key.charAt(0).toLowerCase() + key.slice(1);
    if (!(camel in read) || key === camel) read[camel] = value;
  }
  return read as unknown as WebhookRegistration;
}
