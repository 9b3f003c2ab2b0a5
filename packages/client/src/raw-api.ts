// The entry of `@usagebudget/client/generated`: the classes openapi-generator wrote, as they are
// (no retries, no typed errors). Hand-written, unlike src/generated/. Importing it loads axios; the
// facade loads it on a client's first call (internal/raw-api-loader.ts).
export {
  UsageBudgetApi,
  type UsageBudgetApiGetUsageBudgetRequest,
  type UsageBudgetApiUpdateUsageBudgetRequest,
} from './generated/api.js';
export { Configuration, type ConfigurationParameters } from './generated/configuration.js';
