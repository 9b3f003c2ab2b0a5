// The entry of `@usagebudget/client/raw`: the API classes openapi-generator wrote, as they are, with
// no facade (no retries, no typed errors, and costs through JSON.parse, which loses digits): "raw"
// means this, and nothing else. Importing it loads axios; the facade loads axios on a client's
// first call (internal/pipeline/transport.ts) and sends from its own request table
// (src/generated/requests.ts). `raw/package.json` points resolvers that do not read `exports`
// (TypeScript's node10) at its build.
export {
  CustomersApi,
  type CustomersApiListCustomersRequest,
  UsageApi,
  type UsageApiGetCustomerUsageSummaryRequest,
  type UsageApiGetPartnerUsageSummaryRequest,
  type UsageApiListCustomerUsageRecordsRequest,
  UsageBudgetApi,
  type UsageBudgetApiGetUsageBudgetRequest,
  type UsageBudgetApiUpdateUsageBudgetRequest,
  WebhooksApi,
  type WebhooksApiCreateWebhookRegistrationRequest,
  type WebhooksApiCreateWebhookValidationEventRequest,
  type WebhooksApiGetWebhookRegistrationRequest,
  type WebhooksApiGetWebhookValidationEventRequest,
  type WebhooksApiListWebhookEventsRequest,
  type WebhooksApiUpdateWebhookRegistrationRequest,
} from './generated/api.js';
export { Configuration, type ConfigurationParameters } from './generated/configuration.js';
