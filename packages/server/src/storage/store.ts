// Everything the server keeps, as the server sees it: the budget, customer, threshold and webhook
// stores and what a whole store adds. `startServer` picks the implementation (SQLite today).
import type { BudgetStore } from './budget-store.js';
import type { CustomerStore } from './customer-store.js';
import type { ThresholdStore } from './threshold-store.js';
import type { WebhookStore } from './webhook-store.js';

/** Everything the server keeps. */
export interface Store extends BudgetStore, CustomerStore, ThresholdStore, WebhookStore {
  /**
   * Runs `work` as one transaction: every write it makes through this store commits together, or
   * none does when it throws (a change and the events it raises, say). Transactions nest. On
   * SQLite `work` is synchronous; a store whose calls are asynchronous (issue 24) takes and
   * returns a promise instead.
   */
  transaction<T>(work: () => T): T;
  /** Deletes every stored row (whatever tables the migrations made): an extension's `reset`. */
  clear(): void;
}
