export { type Cloud, type CloudName, clouds, UsageBudgetClient, type UsageBudgetClientOptions } from './client.js';
export {
  AbortError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  ConnectionError,
  type ErrorFields,
  NotFoundError,
  PartnerCenterError,
  PermissionDeniedError,
  RateLimitError,
  ServerError,
  TimeoutError,
  ValidationError,
} from './errors.js';
// The generated layer: the raw API class (no retries, no typed errors) and the spec's models.
export {
  UsageBudgetApi,
  type UsageBudgetApiGetUsageBudgetRequest,
  type UsageBudgetApiUpdateUsageBudgetRequest,
} from './generated/api.js';
export { Configuration, type ConfigurationParameters } from './generated/configuration.js';
export type {
  ApiFault,
  KeyValuePair,
  Link,
  ResourceAttributes,
  ResourceLinks,
  SpendingBudget,
  ThrottleFault,
} from './generated/models/index.js';
export { ThrottleFaultStatusCodeEnum } from './generated/models/index.js';
export {
  type CallOptions,
  CallPromise,
  type Logger,
  type ResponseInfo,
  type TokenProvider,
  type WithResponse,
} from './transport.js';
