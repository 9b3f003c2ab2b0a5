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
// The spec's models. The raw generated API class is in `@usagebudget/client/generated`.
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
