// The spec's six webhook operations: the events a partner can register for, its one registration
// (view, create, replace), test events and their delivery. The front door has checked the token,
// the headers, the path and the body against the spec; what is checked here is what the spec
// states in words: each event once and one the server offers, a URL the server may send to, one
// registration per partner, and 2 test events a minute.
import { randomUUID } from 'node:crypto';
import { faults, shown } from '../contract/faults.js';
import type { CheckedBody } from '../http/checked-body.js';
import type { Operation, OperationCall } from '../http/operation.js';
import type { Store } from '../storage/store.js';
import type { WebhookEventRecord, WebhookRegistrationRecord } from '../storage/webhook-store.js';
import { isOfferedEvent, TEST_CREATED, WEBHOOK_EVENT_NAMES } from './event-catalog.js';
import type { EventRaiser } from './event-raiser.js';
import type { WebhookTargetPolicy } from './target-policy.js';
import type { TestEventThrottle } from './test-event-throttle.js';

export interface RegistrationDependencies {
  readonly store: Store;
  readonly raiser: EventRaiser;
  readonly policy: WebhookTargetPolicy;
  readonly throttle: TestEventThrottle;
  /** The base of the URIs events carry: the server's public URL. */
  readonly baseUrl: () => string;
}

/** The body the front door bound onto `WebhookRegistration` (any casing) and checked against it. */
interface RegistrationBody {
  readonly webhookUrl: string;
  readonly webhookEvents: readonly string[];
  readonly signatureTokenToMsSignatureHeader?: boolean;
}

/** A registration as every operation answers it: camelCase, as the REST reference's schema. */
function renderRegistration(registration: WebhookRegistrationRecord): string {
  return JSON.stringify({
    subscriberId: registration.subscriberId,
    webhookUrl: registration.webhookUrl,
    webhookEvents: registration.webhookEvents,
    signatureTokenToMsSignatureHeader: registration.signatureInMsSignatureHeader,
    lastModifiedTimestamp: registration.lastModified,
  });
}

/** The registration a POST or PUT asks for; 400 3000 naming each property the spec's words refuse. */
function requestedRegistration(
  body: CheckedBody | undefined,
  policy: WebhookTargetPolicy,
): Omit<WebhookRegistrationRecord, 'partnerId' | 'subscriberId'> {
  if (!body) throw new Error('the spec gives the registration operations a request body');
  const { webhookUrl, webhookEvents, signatureTokenToMsSignatureHeader } = body.value as RegistrationBody;
  const problems: { name: string; message: string }[] = [];
  const urlRefusal = policy.refusal(webhookUrl);
  if (urlRefusal) problems.push({ name: 'webhookUrl', message: urlRefusal });
  const unknown = webhookEvents.filter((name) => !isOfferedEvent(name));
  if (unknown.length > 0) {
    problems.push({
      name: 'webhookEvents',
      message: `${unknown.map(shown).join(', ')} ${unknown.length > 1 ? 'are not events' : 'is not an event'} of GET /webhooks/v1/registration/events`,
    });
  }
  const repeated = webhookEvents.filter((name, index) => webhookEvents.indexOf(name) !== index);
  if (repeated.length > 0) {
    problems.push({
      name: 'webhookEvents',
      message: `lists ${[...new Set(repeated)].join(', ')} more than once; list each event once`,
    });
  }
  if (problems.length > 0) throw faults.invalidProperties(problems);
  return {
    webhookUrl,
    webhookEvents: [...webhookEvents],
    signatureInMsSignatureHeader: signatureTokenToMsSignatureHeader ?? false,
    lastModified: new Date().toISOString(),
  };
}

/** A test event's status: `pending` until an attempt got a `2xx` (`completed`) or the last one failed (`failed`). */
function renderValidationEvent(event: WebhookEventRecord): string {
  const status = { pending: 'pending', delivered: 'completed', parked: 'failed' }[event.state];
  return JSON.stringify({
    correlationId: event.correlationId,
    partnerId: event.partnerId,
    status,
    callbackUrl: event.callbackUrl,
    results: event.attempts.map((attempt) => ({
      responseCode: attempt.responseCode,
      responseMessage: attempt.responseMessage,
      systemError: attempt.systemError,
      dateTimeUtc: attempt.startedAt,
    })),
  });
}

/** The partner's registration; 404 `WebhookRegistrationNotFound` without one. */
async function registrationOf(store: Store, call: OperationCall): Promise<WebhookRegistrationRecord> {
  const registration = await store.registration(call.partner.id);
  if (!registration) throw faults.webhookRegistrationNotFound();
  return registration;
}

/** Sends a test event: 404 without a registration, 409 without `test-created` in it, 429 past 2 a minute. */
async function sendTestEvent(deps: RegistrationDependencies, call: OperationCall): Promise<string> {
  const registration = await registrationOf(deps.store, call);
  if (!registration.webhookEvents.includes(TEST_CREATED)) throw faults.testEventNotRegistered();
  const wait = deps.throttle.wait(call.partner.id);
  if (wait > 0) throw faults.throttled(wait);
  const correlationId = randomUUID();
  const resourceUri = `${deps.baseUrl()}/webhooks/v1/registration/validationEvents/${correlationId}`;
  await deps.store.transaction((tx) =>
    deps.raiser.raise(tx, call.partner.id, { eventName: TEST_CREATED, resourceUri, correlationId }, new Date()),
  );
  deps.throttle.sent(call.partner.id);
  return JSON.stringify({ correlationId });
}

/** The spec's webhook operations, by operationId. */
export function registrationOperations(deps: RegistrationDependencies): Readonly<Record<string, Operation>> {
  const { store, policy } = deps;
  return {
    listWebhookEvents: { handle: () => ({ status: 200, body: JSON.stringify(WEBHOOK_EVENT_NAMES) }) },
    getWebhookRegistration: {
      handle: async (call) => ({ status: 200, body: renderRegistration(await registrationOf(store, call)) }),
    },
    createWebhookRegistration: {
      handle: async (call) => {
        const registration = {
          ...requestedRegistration(call.body, policy),
          partnerId: call.partner.id,
          subscriberId: randomUUID(),
        };
        if (!(await store.createRegistration(registration))) throw faults.webhookRegistrationExists();
        return { status: 200, body: renderRegistration(registration) };
      },
    },
    updateWebhookRegistration: {
      handle: async (call) => {
        const requested = requestedRegistration(call.body, policy);
        const { subscriberId } = await registrationOf(store, call);
        const registration = { ...requested, partnerId: call.partner.id, subscriberId };
        if (!(await store.replaceRegistration(registration))) throw faults.webhookRegistrationNotFound();
        return { status: 200, body: renderRegistration(registration) };
      },
    },
    createWebhookValidationEvent: { handle: async (call) => ({ status: 200, body: await sendTestEvent(deps, call) }) },
    getWebhookValidationEvent: {
      handle: async (call) => {
        const correlationId = (call.pathParameters.correlationId ?? '').toLowerCase();
        const event = await store.validationEvent(call.partner.id, correlationId);
        if (!event) throw faults.validationEventNotFound();
        return { status: 200, body: renderValidationEvent(event) };
      },
    },
  };
}
