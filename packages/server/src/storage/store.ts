// Everything the server keeps, as the server sees it: the budget, customer, threshold and webhook
// stores, and what an engine adds (transactions, `ping`, `close`). `startServer` opens the engine
// for `--db` (SQLite today). The design, and the locking of each operation on each engine, is in
// README.md.
import type { BudgetStore, QuietUpdate } from './budget-store.js';
import type { CustomerStore } from './customer-store.js';
import type { NamespaceStore } from './namespace-store.js';
import type { SecretStore } from './secret-store.js';
import type { ThresholdStore } from './threshold-store.js';
import type { ThrottleStore } from './throttle-store.js';
import type { WebhookStore } from './webhook-store.js';

/**
 * The database cannot be reached now (refused, cut, restarting, no free connection in time): a
 * condition that passes, answered 503 with `Retry-After`, unlike a failure of the data itself.
 */
export class StoreUnavailable extends Error {
  constructor(cause: unknown) {
    super(`the database is unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'StoreUnavailable';
  }
}

/** What a transaction sees: every read and write of the server's data. */
export interface StoreOperations
  extends BudgetStore,
    CustomerStore,
    ThresholdStore,
    WebhookStore,
    NamespaceStore,
    SecretStore {
  /**
   * Deletes every row of the config's partners (of every table keyed by partner), and leaves the
   * namespaces' and the server's secrets alone: an extension's `reset`, before it seeds again.
   */
  clear(): Promise<void>;
  /**
   * Deletes every row of one partner (`everything`: a namespace deleted or expired), or every row
   * but the partner and its tokens (`data`: a namespace's reset, before `seedCustomers`).
   */
  forgetPartner(partnerId: string, what: 'everything' | 'data'): Promise<void>;
}

/** Everything the server keeps, on one engine; the throttle's buckets too, outside any transaction. */
export interface Store extends StoreOperations, ThrottleStore {
  /**
   * Runs `work` as one transaction: every call it makes on `tx` commits together, or none does
   * when it throws (the error is then rethrown). Code run inside takes `tx` as its store: a call
   * on this `Store` from inside `work` would wait for the transaction to end (SQLite) or run
   * outside it, on another connection (PostgreSQL). `tx` is valid only until `work` settles.
   * Transactions do not nest; a method of several statements (`update`, `seed`, ...) is atomic
   * on its own, and part of the caller's transaction when called on `tx`.
   */
  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T>;
  /**
   * A budget update as one statement of its own when the threshold has nothing to do (PostgreSQL:
   * no round trip to the server while the customer's row is locked); absent on an engine where a
   * transaction costs no round trip (SQLite).
   */
  readonly updateQuietly?: QuietUpdate;
  /**
   * Calls `raised` when another server sharing the database may have put an event in the outbox
   * (PostgreSQL: a `NOTIFY` at the commit of the transaction that enqueued it, on a connection of
   * its own, made again when the database comes back, and once each time it is made). SQLite's
   * file is one server's alone: its raiser wakes its deliverer itself, and `raised` is never
   * called. `stop()` ends the watch.
   */
  watchWebhookEvents(raised: () => void): { stop(): Promise<void> };
  /** Rejects when the database cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
