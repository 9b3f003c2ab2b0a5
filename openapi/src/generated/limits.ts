// Written by scripts/generate-limits.mjs from the bundled spec (`pnpm --filter @usagebudget/openapi generate`); never edit.
// The spec's limits on what a request carries, for code that checks a request before sending it.
// No import: the client inlines this module.

/** Parameter `CustomerTenantId`: `customerTenantId` in path. */
export const CUSTOMER_TENANT_ID = { maxLength: 36 } as const;

/** Parameter `RequestId`: `MS-RequestId` in header. */
export const REQUEST_ID = { maxLength: 36, pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/ } as const;

/** Parameter `CorrelationId`: `MS-CorrelationId` in header. */
export const CORRELATION_ID = { maxLength: 36, pattern: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/ } as const;

/** Parameter `Locale`: `X-Locale` in header. */
export const LOCALE = { maxLength: 35, pattern: /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/, default: "en-US" } as const;

/** Parameter `ContractVersion`: `MS-Contract-Version` in header. */
export const CONTRACT_VERSION = { enum: ["v1"] } as const;

/** Parameter `PartnerCenterApplication`: `MS-PartnerCenter-Application` in header. */
export const PARTNER_CENTER_APPLICATION = { minLength: 1, maxLength: 256 } as const;

/** Parameter `PartnerCenterClient`: `MS-PartnerCenter-Client` in header. */
export const PARTNER_CENTER_CLIENT = { minLength: 1, maxLength: 256 } as const;

/** Parameter `PageSize`: `size` in query. */
export const PAGE_SIZE = { minimum: 1, maximum: 500, default: 500 } as const;

/** Parameter `Filter`: `filter` in query. */
export const FILTER = { maxLength: 2048 } as const;

/** Parameter `SeekOperation`: `seekOperation` in query. */
export const SEEK_OPERATION = { enum: ["Next"] } as const;

/** Parameter `ContinuationToken`: `MS-ContinuationToken` in header. */
export const CONTINUATION_TOKEN = { minLength: 1, maxLength: 2048, pattern: /^[!-~]+$/ } as const;

/** Parameter `ValidationEventCorrelationId`: `correlationId` in path. */
export const VALIDATION_EVENT_CORRELATION_ID = { maxLength: 36 } as const;

/** Schema `CustomerFilter` (a request carries it): the limits of its properties. */
export const CUSTOMER_FILTER = {
  Field: { enum: ["CompanyName", "Domain", "IndirectReseller", "IndirectCloudSolutionProvider"] },
  Value: { minLength: 1, maxLength: 256 },
  Operator: { enum: ["starts_with"] },
} as const;

/** Schema `SpendingBudget` (a request carries it): the limits of its properties. */
export const SPENDING_BUDGET = {
  amount: { minimum: 0 },
  usageSpendingBudget: { minimum: 0 },
} as const;

/** Schema `WebhookRegistration` (a request carries it): the limits of its properties. */
export const WEBHOOK_REGISTRATION = {
  webhookUrl: { maxLength: 2048, pattern: /^https?:\/\// },
  webhookEvents: { minItems: 1, maxItems: 64, items: { minLength: 1, maxLength: 128, pattern: /^[A-Za-z]+(-[A-Za-z]+)*$/ } },
  signatureTokenToMsSignatureHeader: { default: false },
} as const;

/** The properties the spec types as a cost (`x-anyOf: [Decimal, number]`): a reader takes their number as its exact text. */
export const COST_PROPERTIES = ["totalCost", "usdTotalCost"] as const;
