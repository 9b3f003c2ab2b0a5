// `@usagebudget/client/generated`: the generated layer for callers who want it raw (no retries,
// no typed errors). Importing it loads axios; the main entry loads it only on a client's first call.
export {
  UsageBudgetApi,
  type UsageBudgetApiGetUsageBudgetRequest,
  type UsageBudgetApiUpdateUsageBudgetRequest,
} from './generated/api.js';
export { Configuration, type ConfigurationParameters } from './generated/configuration.js';
