// Written by scripts/generate.mjs from the bundled spec (`pnpm --filter @usagebudget/client generate`); never edit.
// The request of each operation: method, path template and, with a body, its media type. The
// headers every operation declares are the request pipeline's; `OperationParameters` has the rest.
import type { SpendingBudget, WebhookRegistration } from './models/index.js';

export const requests = {
  getUsageBudget: ['GET', '/v1/customers/{customerTenantId}/usagebudget'],
  updateUsageBudget: ['PATCH', '/v1/customers/{customerTenantId}/usagebudget', 'application/json'],
  listCustomers: ['GET', '/v1/customers'],
  listCustomerUsageRecords: ['GET', '/v1/customers/usagerecords'],
  getCustomerUsageSummary: ['GET', '/v1/customers/{customerTenantId}/usagesummary'],
  getPartnerUsageSummary: ['GET', '/v1/usagesummary'],
  listWebhookEvents: ['GET', '/webhooks/v1/registration/events'],
  getWebhookRegistration: ['GET', '/webhooks/v1/registration'],
  updateWebhookRegistration: ['PUT', '/webhooks/v1/registration', 'application/json'],
  createWebhookRegistration: ['POST', '/webhooks/v1/registration', 'application/json'],
  createWebhookValidationEvent: ['POST', '/webhooks/v1/registration/validationEvents'],
  getWebhookValidationEvent: ['GET', '/webhooks/v1/registration/validationEvents/{correlationId}'],
} as const;

/** The spec's operationIds. */
export type OperationId = keyof typeof requests;

/** What each operation takes besides the headers every operation declares, by where it goes. */
export interface OperationParameters {
  getUsageBudget: { path: { customerTenantId: string } };
  updateUsageBudget: { path: { customerTenantId: string }; body: SpendingBudget };
  listCustomers: { query: { size?: number; filter?: string; seekOperation?: 'Next' }; headers: { 'MS-ContinuationToken'?: string } };
  listCustomerUsageRecords: Record<never, never>;
  getCustomerUsageSummary: { path: { customerTenantId: string } };
  getPartnerUsageSummary: Record<never, never>;
  listWebhookEvents: Record<never, never>;
  getWebhookRegistration: Record<never, never>;
  updateWebhookRegistration: { body: WebhookRegistration };
  createWebhookRegistration: { body: WebhookRegistration };
  createWebhookValidationEvent: Record<never, never>;
  getWebhookValidationEvent: { path: { correlationId: string } };
}
