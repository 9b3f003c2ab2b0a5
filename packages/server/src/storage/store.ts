// Everything the server keeps, as the server sees it: the budget and customer stores and what a
// whole store adds. `startServer` picks the implementation (SQLite today).
import type { BudgetStore } from './budget-store.js';
import type { CustomerStore } from './customer-store.js';

/** Everything the server keeps. */
export interface Store extends BudgetStore, CustomerStore {
  /** Deletes every stored row (whatever tables the migrations made): an extension's `reset`. */
  clear(): void;
}
