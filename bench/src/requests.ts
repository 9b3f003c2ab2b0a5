import { randomUUID } from 'node:crypto';
import { SDK_CLIENT } from '@usagebudget/client';
import { demoPartner } from '@usagebudget/server/testing';

/** Every request goes to the demo partner's first customer, with its token. */
export const customerId = demoPartner.customerId;
export const token = demoPartner.token;
/** The budget of a customer of the demo partner. */
export const budgetPathOf = (customer: string) => `/v1/customers/${customer}/usagebudget`;
export const budgetPath = budgetPathOf(customerId);

/**
 * The headers UsageBudgetClient sends, with new ids per request as it makes them: every load and
 * every baseline client sends these, so the figures compare code, not request sizes. A new
 * MS-RequestId also makes each reference-server PATCH record a replay, as real calls do.
 */
export function sdkHeaders(): Record<string, string> {
  return {
    Authorization: `Bearer ${token}`,
    'MS-RequestId': randomUUID(),
    'MS-CorrelationId': randomUUID(),
    'X-Locale': 'en-US',
    'MS-PartnerCenter-Client': SDK_CLIENT,
  };
}

/** The n-th PATCH body: the amount changes on every request, so every PATCH really writes. */
export function patchBody(n: number): string {
  return JSON.stringify({ amount: (n % 100_000) / 100 + 1 });
}
