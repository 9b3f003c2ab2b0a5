// The deliverer: claims due events from the outbox (with a lease, so that servers sharing a store
// never send one event twice at once), signs and sends each, and records the attempt with what
// becomes of the event: delivered on a `2xx`, tried again later, or parked after the last attempt.
// It wakes when an event is raised (by this server, or by another on the same PostgreSQL database:
// `Store.watchWebhookEvents`), when the next attempt is due, and at least every `pollMs`.
import { randomUUID } from 'node:crypto';
import type { WebhookLogEntry } from '../http/access-log.js';
import type { Store } from '../storage/store.js';
import type { ClaimedDelivery, DeliveryAttemptRecord } from '../storage/webhook-store.js';
import { type AttemptResult, sendAttempt } from './delivery-attempt.js';
import type { WebhookSigningKeys } from './signing-keys.js';
import type { WebhookTargetPolicy } from './target-policy.js';

/** How deliveries are paced: attempts per event, the wait after each failure, the time an attempt may take. */
export interface DeliverySchedule {
  /** 10: Partner Center's. */
  readonly attempts: number;
  /** The wait after the first failed attempt, doubled after each one: 15 s. */
  readonly firstRetryMs: number;
  /** The longest wait: 1 hour. */
  readonly maxRetryMs: number;
  /** One attempt, connecting included: 10 s. */
  readonly timeoutMs: number;
  /** Attempts in flight at once. */
  readonly concurrency: number;
  /**
   * The longest wait between two looks at the outbox: 5 s. What replicas sharing a database miss
   * of each other's notifications (a listening connection down) is found at the next look.
   */
  readonly pollMs: number;
}

export const DEFAULT_DELIVERY_SCHEDULE: DeliverySchedule = Object.freeze({
  attempts: 10,
  firstRetryMs: 15_000,
  maxRetryMs: 60 * 60 * 1000,
  timeoutMs: 10_000,
  concurrency: 8,
  pollMs: 5_000,
});

/** The wait before attempt `attempt + 1`, after attempt `attempt` failed. */
export function retryDelayMs(schedule: DeliverySchedule, attempt: number): number {
  return Math.min(schedule.maxRetryMs, schedule.firstRetryMs * 2 ** (attempt - 1));
}

export interface DispatcherOptions {
  readonly store: Store;
  readonly keys: WebhookSigningKeys;
  readonly policy: WebhookTargetPolicy;
  readonly schedule: DeliverySchedule;
  /** The URL the signing certificate is served at (`x-ms-certificate-url`). */
  readonly certificateUrl: () => string;
  readonly log?: ((entry: WebhookLogEntry) => void) | undefined;
  /** An unexpected error (the store failing): logged, and the deliverer goes on. */
  readonly fault: (error: unknown) => void;
}

/** The headers of an attempt: the signature where the registration wants it, the certificate's URL, the algorithm. */
function signedHeaders(delivery: ClaimedDelivery, keys: WebhookSigningKeys, certificateUrl: string, body: Buffer) {
  const signature = `Signature ${keys.sign(body)}`;
  const inMsHeader = delivery.registration?.signatureInMsSignatureHeader ?? false;
  return {
    'Content-Type': 'application/json; charset=utf-8',
    ...(inMsHeader ? { 'x-ms-signature': signature } : { Authorization: signature }),
    'x-ms-certificate-url': certificateUrl,
    'x-ms-signature-algorithm': 'rsa-sha256',
    'User-Agent': 'usagebudget-server webhooks',
  };
}

export interface Dispatcher {
  /** Looks for due events soon (after the current turn: after the transaction that raised one). */
  wake(): void;
  /** Stops claiming, and resolves once the attempts in flight are recorded. */
  close(): Promise<void>;
}

/** Starts delivering from the store's outbox. */
export function startDispatcher(options: DispatcherOptions): Dispatcher {
  const { store, schedule } = options;
  const owner = randomUUID();
  const inFlight = new Set<Promise<void>>();
  let closed = false;
  let woken = false;
  // One pump at a time: a wake during a pump runs another once it is done.
  let pumping: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const attempt = async (delivery: ClaimedDelivery) => {
    const startedAt = new Date();
    const url = delivery.registration?.webhookUrl;
    const body = Buffer.from(delivery.body, 'utf8');
    const result: AttemptResult = url
      ? await sendAttempt(options.policy, {
          url,
          body,
          headers: signedHeaders(delivery, options.keys, options.certificateUrl(), body),
          timeoutMs: schedule.timeoutMs,
        })
      : {
          delivered: false,
          status: null,
          responseCode: '',
          responseMessage: 'not sent: no registration',
          systemError: true,
        };
    await record(delivery, url ?? '', startedAt, result);
  };

  const record = async (delivery: ClaimedDelivery, url: string, startedAt: Date, result: AttemptResult) => {
    const last = delivery.attempt >= schedule.attempts;
    const now = Date.now();
    const next = result.delivered
      ? ({ state: 'delivered', at: now } as const)
      : last
        ? ({ state: 'parked', at: now } as const)
        : ({ state: 'pending', at: now + retryDelayMs(schedule, delivery.attempt) } as const);
    const attemptRecord: DeliveryAttemptRecord = {
      attempt: delivery.attempt,
      url,
      startedAt: startedAt.toISOString(),
      status: result.status,
      responseCode: result.responseCode,
      responseMessage: result.responseMessage,
      systemError: result.systemError,
    };
    if (!(await store.recordAttempt({ eventId: delivery.eventId, owner, record: attemptRecord, next }))) return;
    options.log?.({
      eventId: delivery.eventId,
      partnerId: delivery.partnerId,
      eventName: delivery.eventName,
      attempt: delivery.attempt,
      url,
      status: result.status,
      outcome: next.state === 'pending' ? 'retry' : next.state,
      message: result.responseMessage,
    });
  };

  // The next look: when the earliest pending event is due (or its lease ends), and at the latest
  // after `pollMs`, for events another replica enqueued unnoticed.
  const schedulePump = async () => {
    const due = await store.nextDeliveryDue();
    clearTimeout(timer);
    const wait = due === undefined ? schedule.pollMs : Math.min(schedule.pollMs, Math.max(0, due - Date.now()));
    if (!closed) timer = setTimeout(wake, wait).unref();
  };

  async function pumpOnce(): Promise<void> {
    woken = false;
    if (closed) return;
    try {
      const room = schedule.concurrency - inFlight.size;
      const claimed =
        room > 0
          ? await store.claimDeliveries({ owner, now: Date.now(), leaseMs: schedule.timeoutMs + 5_000, limit: room })
          : [];
      for (const delivery of claimed) {
        const running: Promise<void> = attempt(delivery)
          .catch(options.fault)
          .finally(() => {
            inFlight.delete(running);
            wake();
          });
        inFlight.add(running);
      }
      await schedulePump();
    } catch (error) {
      options.fault(error);
      clearTimeout(timer);
      if (!closed) timer = setTimeout(wake, Math.min(1000, schedule.pollMs)).unref();
    }
  }

  function pump(): void {
    if (pumping) return;
    pumping = pumpOnce().finally(() => {
      pumping = undefined;
      if (woken) pump();
    });
  }

  function wake(): void {
    if (woken || closed) return;
    woken = true;
    setImmediate(pump);
  }

  wake();
  return {
    wake,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await pumping;
      await Promise.allSettled([...inFlight]);
    },
  };
}
