// Written by scripts/generate.mjs from the bundled spec (`pnpm --filter @usagebudget/client generate`); never edit.
// The request of each operation: method, path template and, with a body, its media type. The
// headers every operation declares are the request pipeline's; `OperationParameters` has the rest.
import type { SpendingBudget } from './models/index.js';

export const requests = {
  getUsageBudget: ['GET', '/v1/customers/{customerTenantId}/usagebudget'],
  updateUsageBudget: ['PATCH', '/v1/customers/{customerTenantId}/usagebudget', 'application/json'],
  listCustomers: ['GET', '/v1/customers'],
  listCustomerUsageRecords: ['GET', '/v1/customers/usagerecords'],
  getCustomerUsageSummary: ['GET', '/v1/customers/{customerTenantId}/usagesummary'],
  getPartnerUsageSummary: ['GET', '/v1/usagesummary'],
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
}
