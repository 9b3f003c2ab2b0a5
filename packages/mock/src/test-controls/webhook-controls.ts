// The controls that make budget alerts happen as they would in Partner Center: a customer's cost
// growing (so its budget is crossed), any event raised now, and the events with their delivery
// attempts. Each calls the server's extension hooks; the server raises, signs and delivers.

import { createSpecValidator } from '@usagebudget/openapi/validator';
import type { ExtensionContext, WebhookEventRecord } from '@usagebudget/server';
import { adminError } from './admin-errors.js';
import { testControlsSpec } from './admin-spec.js';

/** `POST /_mock/usage`: how much a customer's cost grows. */
export interface CostIncreaseRequest {
  /** The customer tenant ID. */
  readonly customer: string;
  /** Added to its `totalCost`: a decimal string above 0, such as `"12.5"`. */
  readonly increaseBy: string;
  /** Added to its `usdTotalCost`; default `increaseBy` for an Azure plan in USD, otherwise unchanged. */
  readonly usdIncreaseBy?: string;
}

/** The customer's usage after the increase, and whether it crossed its budget. */
export interface CostIncreaseResult {
  /** The customer tenant ID, in lower case. */
  readonly customer: string;
  /** Its partner's tenant ID. */
  readonly partner: string;
  /** Its cost this billing period now, every digit (`"250.6"`). */
  readonly totalCost: string;
  /** Its cost in USD now; `null` without one. */
  readonly usdTotalCost: string | null;
  /** Its budget as decimal text; `null` without one. */
  readonly budget: string | null;
  /** Its cost is strictly above its budget. */
  readonly overBudget: boolean;
  /** This increase crossed the budget and raised `usagerecords-thresholdExceeded`. */
  readonly thresholdExceeded: boolean;
  /** The event raised, as `webhookDeliveries()` lists it; `null` when none was. */
  readonly eventId: string | null;
}

/** `POST /_mock/webhooks/events`: an event to raise now. */
export interface WebhookEventRequest {
  /** An event the API offers (`GET /webhooks/v1/registration/events`). */
  readonly eventName: string;
  /** The partner's tenant ID; default the seed's first partner. */
  readonly partner?: string;
  /** Absolute, or a path made absolute against the mock's URL; default the usage records for a threshold event, else `null`. */
  readonly resourceUri?: string | null;
  /** The event's `ResourceName`; default the one Partner Center documents for the event. */
  readonly resourceName?: string;
  /** The event's `AuditUri`; default `null`. */
  readonly auditUri?: string | null;
}

/** An event raised: its ID, and the exact JSON text sent (and signed) at every attempt. */
export interface RaisedWebhookEvent {
  /** The event, as `webhookDeliveries()` lists it. */
  readonly eventId: string;
  /** The exact JSON text sent, and signed, at every attempt. */
  readonly body: string;
}

/** Which events `webhookDeliveries` lists. */
export interface WebhookDeliveryFilter {
  /** Only this partner's (tenant ID). */
  readonly partner?: string;
  /** Only events in this state. */
  readonly state?: 'pending' | 'delivered' | 'parked';
}

/** An event with every attempt to deliver it. */
export interface WebhookDelivery {
  /** The event's ID in the outbox. */
  readonly eventId: string;
  /** The partner's tenant ID. */
  readonly partner: string;
  /** Such as `usagerecords-thresholdExceeded`. */
  readonly eventName: string;
  /** The exact JSON text sent, and signed, at every attempt. */
  readonly body: string;
  /** A test event's correlation ID; `null` for other events. */
  readonly correlationId: string | null;
  /** `parked`: 10 attempts failed, no more are made. */
  readonly state: 'pending' | 'delivered' | 'parked';
  /** When it was raised (ISO 8601). */
  readonly raisedAt: string;
  /** When it was delivered or parked; `null` while pending. */
  readonly settledAt: string | null;
  /** When the next attempt is due; `null` once settled. */
  readonly nextAttemptAt: string | null;
  /** Every attempt, oldest first: its receiver's HTTP `status` (`null` without an answer) and what the test event's status reports of it. */
  readonly attempts: readonly {
    readonly attempt: number;
    readonly url: string;
    readonly startedAt: string;
    readonly status: number | null;
    readonly responseCode: string;
    readonly responseMessage: string;
    readonly systemError: boolean;
  }[];
}

const validator = createSpecValidator(testControlsSpec);

/** The body checked against its schema of the controls' spec; 400 `InvalidRequest` naming each bad field. */
function checked<T>(schema: string, value: unknown, code = 'InvalidRequest'): T {
  const check = validator.validate(`#/components/schemas/${schema}`, value);
  if (check.valid) return value as T;
  const fields = check.details.map(
    (detail) =>
      detail.instancePath.slice(1) ||
      String(detail.params.missingProperty ?? detail.params.additionalProperty ?? 'body'),
  );
  throw adminError(400, code, `Invalid request: ${check.errors.join('; ')}.`, [...new Set(fields)]);
}

const iso = (time: number | undefined) => (time === undefined ? null : new Date(time).toISOString());

function toDelivery(event: WebhookEventRecord): WebhookDelivery {
  return {
    eventId: event.eventId,
    partner: event.partnerId,
    eventName: event.eventName,
    body: event.body,
    correlationId: event.correlationId ?? null,
    state: event.state,
    raisedAt: new Date(event.raisedAt).toISOString(),
    settledAt: iso(event.settledAt),
    nextAttemptAt: iso(event.nextAttemptAt),
    attempts: event.attempts.map((attempt) => ({ ...attempt })),
  };
}

/** The webhook and usage controls on a server; `partners()` are the seed's partner IDs, the first the default. */
export function createWebhookControls(server: ExtensionContext, partners: () => readonly string[]) {
  return {
    async increaseCost(body: unknown): Promise<CostIncreaseResult> {
      const request = checked<CostIncreaseRequest>('CostIncrease', body);
      let change: Awaited<ReturnType<ExtensionContext['increaseCost']>>;
      try {
        change = await server.increaseCost(request.customer, {
          cost: request.increaseBy,
          usdCost: request.usdIncreaseBy,
        });
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        throw adminError(400, 'InvalidRequest', `Invalid request: ${error.message}.`, [
          error.message.startsWith('usdCost') ? 'usdIncreaseBy' : 'increaseBy',
        ]);
      }
      if (!change) {
        throw adminError(
          404,
          'CustomerNotFound',
          'No customer of the seed with a usage-based subscription has this tenant ID.',
          ['customer'],
        );
      }
      const raised = change.thresholdExceeded?.raised === true ? change.thresholdExceeded : undefined;
      return {
        customer: change.customerId,
        partner: change.partnerId,
        totalCost: change.totalCost,
        usdTotalCost: change.usdTotalCost ?? null,
        budget: change.budget,
        overBudget: change.overBudget,
        thresholdExceeded: raised !== undefined,
        eventId: raised?.eventId ?? null,
      };
    },
    async raiseWebhookEvent(body: unknown): Promise<RaisedWebhookEvent> {
      const request = checked<WebhookEventRequest>('WebhookEventToRaise', body);
      const partner = request.partner?.toLowerCase() ?? partners()[0] ?? '';
      if (!partners().includes(partner))
        throw adminError(404, 'PartnerNotFound', 'The seed has no partner with this ID.', ['partner']);
      const defaultUri = request.eventName === 'usagerecords-thresholdExceeded' ? '/v1/customers/usagerecords' : null;
      let outcome: Awaited<ReturnType<ExtensionContext['raiseWebhookEvent']>>;
      try {
        outcome = await server.raiseWebhookEvent(partner, {
          eventName: request.eventName,
          resourceUri: request.resourceUri === undefined ? defaultUri : request.resourceUri,
          resourceName: request.resourceName,
          auditUri: request.auditUri,
        });
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        throw adminError(
          400,
          'InvalidRequest',
          `Invalid request: ${error.message}; GET /webhooks/v1/registration/events lists the events.`,
          ['eventName'],
        );
      }
      if (!outcome.raised) {
        const why =
          outcome.reason === 'notRegistered'
            ? 'has no webhook registration'
            : `is not registered for ${request.eventName}`;
        throw adminError(
          409,
          'NotRegistered',
          `The partner ${why}: register it (POST or PUT /webhooks/v1/registration) first.`,
          ['eventName'],
        );
      }
      return { eventId: outcome.eventId, body: outcome.body };
    },
    async deliveries(query: string): Promise<{ deliveries: WebhookDelivery[] }> {
      const params = new URLSearchParams(query);
      const filter = checked<WebhookDeliveryFilter>(
        'WebhookDeliveryFilter',
        Object.fromEntries(params),
        'InvalidQuery',
      );
      const events = await server.webhookEvents({ partnerId: filter.partner?.toLowerCase(), state: filter.state });
      return { deliveries: events.map(toDelivery) };
    },
  };
}

export type WebhookControls = ReturnType<typeof createWebhookControls>;
