// The server's one extension point: code in front of the API, as `@usagebudget/mock` puts its test
// controls there. The server knows nothing of what an extension does; it gives it the API to pass
// requests to, a way to start again from another config, its fault log, and the hooks a test
// needs to make things happen as they would in Partner Center: a customer's cost growing, an
// event raised.
import type { RequestListener } from 'node:http';
import type { ResolvedConfig } from '../partners/config-format.js';
import type { WebhookEventFilter, WebhookEventRecord } from '../storage/webhook-store.js';
import type { CostChange, CostIncrease } from '../usage/cost-changes.js';
import type { EventToRaise, RaiseOutcome } from '../webhooks/event-raiser.js';

/** An event an extension raises: any event the server offers (`GET /webhooks/v1/registration/events`). */
export type WebhookEventToRaise = Omit<EventToRaise, 'correlationId'>;

/** What an extension gets of the server it extends. */
export interface ExtensionContext {
  /** The API: the server's own request listener. Pass it each request the extension does not answer itself. */
  readonly api: RequestListener;
  /** The host the server listens on (`startServer`'s `host`). */
  readonly host: string;
  /**
   * Starts again from `config`: deletes every stored row of the config's partners (budgets, replay
   * records, webhook registrations and events included; a namespace's rows, made by the admin
   * API, stay), seeds the store from `config` as a start does, and serves its partners, tokens and
   * throttle from the next request on.
   */
  reset(config: ResolvedConfig): Promise<void>;
  /** Writes an unexpected error of the extension to the access log, as a fault with no request id. */
  reportFault(error: unknown): void;
  /**
   * Adds to a customer's cost this billing period, as Partner Center's usage figures grow, and
   * evaluates its budget threshold in the same transaction: a cost pushed past the budget raises
   * `usagerecords-thresholdExceeded` (once per crossing per billing period). `undefined` for an
   * unknown customer or one without a usage-based subscription; a `RangeError` for an amount that
   * is not a decimal string above 0.
   */
  increaseCost(customerId: string, increase: CostIncrease): Promise<CostChange | undefined>;
  /**
   * Raises an event for the partner now, delivered (signed, retried) like any other when the
   * partner's registration lists it; else nothing is raised, and the outcome says why.
   * `resourceUri` is made absolute against the server's URL when it starts with `/`; a name the
   * server does not offer throws a `RangeError`.
   */
  raiseWebhookEvent(partnerId: string, event: WebhookEventToRaise): Promise<RaiseOutcome>;
  /** The webhook events of the outbox, oldest first, with every attempt: delivered, pending and parked ones. */
  webhookEvents(filter?: WebhookEventFilter): Promise<WebhookEventRecord[]>;
}

/** What an extension puts in front of the API. */
export interface ServerExtension {
  /** Receives every request the server accepts, in the API's place (which is `ExtensionContext.api`). */
  readonly listener: RequestListener;
  /** Called once when the server starts closing, before it waits for the requests in flight to finish. */
  close?(): void;
}

/**
 * Makes an extension: called once by `startServer({ extend })`, after the store is open and
 * seeded from the config and before the server listens. A throw stops the start.
 */
export type ExtendServer = (server: ExtensionContext) => ServerExtension;
