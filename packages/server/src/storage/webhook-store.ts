// What the webhook domain needs from storage: each partner's registration, the durable outbox of
// events (each with its delivery attempts), and a claim on due deliveries. The domain sees only
// this interface; `startServer` picks the engine.
//
// The outbox is written in the same transaction as the change that raises an event (see
// `Store.transaction`: `enqueueEvent` on its `tx`), so an event exists exactly when its change does. A delivery is claimed
// with a lease (an owner and a time it ends): a store shared by several servers (issue 24:
// PostgreSQL, `SELECT ... FOR UPDATE SKIP LOCKED`) gives each due event to one of them, and an
// attempt is recorded only by the owner of the lease it was made under. On PostgreSQL the enqueue
// also sends `NOTIFY webhook_outbox` (at commit), which wakes every replica's deliverer
// (`Store.watchWebhookEvents`).

/** A partner's webhook registration. */
export interface WebhookRegistrationRecord {
  readonly partnerId: string;
  /** A GUID, given at creation and kept by replacements. */
  readonly subscriberId: string;
  readonly webhookUrl: string;
  /** Event names, in the order registered, each once. */
  readonly webhookEvents: readonly string[];
  /** `signatureTokenToMsSignatureHeader`: the signature goes in `x-ms-signature`, not `Authorization`. */
  readonly signatureInMsSignatureHeader: boolean;
  /** When it was created or last replaced, ISO 8601. */
  readonly lastModified: string;
}

/** An event to deliver, as raised: its body is the exact bytes every attempt sends and signs. */
export interface NewWebhookEvent {
  /** A GUID of the server's, for logs and tests; the body carries no ID. */
  readonly eventId: string;
  readonly partnerId: string;
  readonly eventName: string;
  /** The JSON body, UTF-8. */
  readonly body: string;
  /** A test event's correlation ID; `undefined` for the others. */
  readonly correlationId: string | undefined;
  /** The registration's URL when the event was raised (a test event's `callbackUrl`). */
  readonly callbackUrl: string;
  /** Milliseconds since the epoch: when it was raised, and when its first attempt is due. */
  readonly raisedAt: number;
}

/** Where an event is: being delivered (or waiting for its next attempt), delivered, or given up on. */
export type DeliveryState = 'pending' | 'delivered' | 'parked';

/** One delivery attempt, as the test-event status reports it. */
export interface DeliveryAttemptRecord {
  /** 1 for the first. */
  readonly attempt: number;
  /** Where it was sent. */
  readonly url: string;
  /** When it started, ISO 8601. */
  readonly startedAt: string;
  /** The receiver's HTTP status; `null` when no answer came. */
  readonly status: number | null;
  /** The status as .NET's `HttpStatusCode` names it; empty without an answer. */
  readonly responseCode: string;
  readonly responseMessage: string;
  /** The attempt failed on the sender's side (the target refused by its allow-list). */
  readonly systemError: boolean;
}

/** An event of the outbox, with every attempt made to deliver it. */
export interface WebhookEventRecord {
  readonly eventId: string;
  readonly partnerId: string;
  readonly eventName: string;
  readonly body: string;
  readonly correlationId: string | undefined;
  readonly callbackUrl: string;
  readonly state: DeliveryState;
  /** Milliseconds since the epoch. */
  readonly raisedAt: number;
  /** When it was delivered or parked; `undefined` while pending. */
  readonly settledAt: number | undefined;
  /** When the next attempt is due, while pending. */
  readonly nextAttemptAt: number | undefined;
  readonly attempts: readonly DeliveryAttemptRecord[];
}

/** A due event handed to one deliverer, with where to send it now. */
export interface ClaimedDelivery {
  readonly eventId: string;
  readonly partnerId: string;
  readonly eventName: string;
  readonly body: string;
  /** The number of this attempt, 1 for the first. */
  readonly attempt: number;
  /** The partner's registration now: events go to its current URL. */
  readonly registration: WebhookRegistrationRecord | undefined;
}

/** What a claim asks for. */
export interface DeliveryClaim {
  /** Who claims: one deliverer (a server process), unique for as long as its leases last. */
  readonly owner: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** How long the claimed events are this owner's: the attempt's time limit and a margin. */
  readonly leaseMs: number;
  /** At most this many events. */
  readonly limit: number;
}

/** What an attempt did, and what becomes of the event. */
export interface AttemptOutcome {
  readonly eventId: string;
  /** The owner of the lease the attempt was made under. */
  readonly owner: string;
  readonly record: DeliveryAttemptRecord;
  /** `delivered`, `parked`, or `pending` with when to try again. */
  readonly next:
    | { readonly state: 'delivered' | 'parked'; readonly at: number }
    | { readonly state: 'pending'; readonly at: number };
}

/** Which events to list. */
export interface WebhookEventFilter {
  readonly partnerId?: string | undefined;
  readonly state?: DeliveryState | undefined;
}

export interface WebhookStore {
  registration(partnerId: string): Promise<WebhookRegistrationRecord | undefined>;
  /** Creates the partner's registration; `false`, changing nothing, when it has one. */
  createRegistration(registration: WebhookRegistrationRecord): Promise<boolean>;
  /** Replaces the partner's registration (its `subscriberId` kept); `false` when it has none. */
  replaceRegistration(registration: WebhookRegistrationRecord): Promise<boolean>;
  /** Puts an event in the outbox, due at once. Call it inside the transaction of the change that raised it. */
  enqueueEvent(event: NewWebhookEvent): Promise<void>;
  /** A partner's test event by its correlation ID. */
  validationEvent(partnerId: string, correlationId: string): Promise<WebhookEventRecord | undefined>;
  /** The events of the outbox that pass the filter, oldest first. */
  webhookEvents(filter?: WebhookEventFilter): Promise<WebhookEventRecord[]>;
  /**
   * Hands up to `limit` due events (pending, their next attempt due, no lease in force) to
   * `owner`, leased until `now + leaseMs`, oldest due first. No event is handed to two owners at
   * once.
   */
  claimDeliveries(claim: DeliveryClaim): Promise<ClaimedDelivery[]>;
  /**
   * Records an attempt and what becomes of its event, and ends the lease, atomically; `false`,
   * recording nothing, when `owner` no longer holds the lease (it ran out and another owner
   * claimed the event, or the outbox was cleared).
   */
  recordAttempt(outcome: AttemptOutcome): Promise<boolean>;
  /** When the earliest pending event is due (or its lease ends); `undefined` when none is pending. */
  nextDeliveryDue(): Promise<number | undefined>;
  /** Forgets delivered and parked events (and their attempts) raised before `before`. */
  pruneWebhookEvents(before: number): Promise<void>;
}
