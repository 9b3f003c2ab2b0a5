// `@usagebudget/client/bulk`: budgets for a whole portfolio. A subpath of its own, so that the
// main entry's bundle does not carry it.

export { AdaptiveThrottle, type AdaptiveThrottleOptions, type ThrottleState } from './bulk/adaptive-throttle.js';
export {
  type ApplyBudgetsOptions,
  applyBudgets,
  type BudgetEntry,
  type BudgetOutcome,
  type BudgetResult,
  type BulkProgress,
  type BulkRun,
  canonicalAmount,
} from './bulk/apply-budgets.js';
export { type ReadBudgetsOptions, readBudgets } from './bulk/read-budgets.js';
export { bulkRequestId } from './bulk/request-ids.js';
export type { CallPromise, Throttle, UsageBudgetClient } from './index.js';
// The bulk operations' defaults, and the main entry's types that the bulk operations take or
// document, named here too: from the main entry itself, in each format (nothing of it is bundled twice).
export { bulkDefaults } from './index.js';
