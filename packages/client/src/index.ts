// `@usagebudget/client`: the facade and what its users see. Public only: call types and errors
// come from core/, the machinery in internal/ is not exported.

export { UsageBudgetClient, type UsageBudgetClientOptions } from './client.js';
export { type Cloud, type CloudName, clouds } from './clouds.js';
export { CallPromise, type WithResponse } from './core/call-promise.js';
export type {
  AccessToken,
  CallOptions,
  GetTokenOptions,
  Logger,
  LogLevel,
  ResponseInfo,
  ResponseValidator,
  Throttle,
  TokenCredential,
  TokenProvider,
} from './core/call-types.js';
export { bulkDefaults, clientDefaults } from './core/defaults.js';
export {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type ErrorFields,
  MfaRequiredError,
  NotFoundError,
  PagingError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  type ResponseProblem,
  ResponseTooLargeError,
  ResponseValidationError,
  ServerError,
  TimeoutError,
  ValidationError,
} from './core/errors.js';
export type { Page, PagedList, PageSettings } from './core/paging.js';
export { exactDecimal, isGuid } from './core/rules.js';
export { SDK_CLIENT } from './core/sdk-client.js';
// The models the facade types more precisely than the generated ones: costs are exact decimal
// strings, ApiFault's code the spec's union.
export type {
  ApiFault,
  CustomerFilter,
  CustomerListQuery,
  CustomerMonthlyUsageRecord,
  CustomerUsageSummary,
  Decimal,
  PartnerUsageSummary,
} from './core/usage-models.js';
export type { WebhookRegistrationRequest } from './core/webhook-models.js';
// The spec's other models. The generated API classes themselves, without the facade, are
// `@usagebudget/client/raw`.
export type {
  Address,
  Customer,
  CustomerBillingProfile,
  CustomerCompanyProfile,
  KeyValuePair,
  Link,
  ResourceAttributes,
  ResourceLinks,
  SpendingBudget,
  ThrottleFault,
  WebhookDeliveryResult,
  WebhookEvent,
  WebhookRegistration,
  WebhookValidationEventCreated,
  WebhookValidationEventStatus,
} from './generated/models/index.js';
export { CustomerRelationshipToPartnerEnum, ThrottleFaultStatusCodeEnum } from './generated/models/index.js';
