import { exactDecimal } from '@usagebudget/openapi/rules';
import type { PortfolioSeed } from '../storage/customer-store.js';
import type { ResolvedConfig } from './config-format.js';

/** The config's partners and customers as the store keeps them: budgets as canonical decimal text. */
export function portfolioSeed(config: ResolvedConfig): PortfolioSeed[] {
  return config.partners.map((partner) => ({
    id: partner.id,
    name: partner.name,
    billingStart: partner.billingPeriod.start,
    billingEnd: partner.billingPeriod.end,
    currencyLocale: partner.currencyLocale,
    customers: partner.customers.map((customer) => ({
      id: customer.id,
      companyName: customer.name,
      domain: customer.domain,
      relationship: customer.relationship,
      associatedPartnerId: customer.associatedPartnerId,
      indirectProvider: customer.indirectProvider,
      usage:
        customer.offer === 'none'
          ? undefined
          : {
              offer: customer.offer,
              currency: customer.currency ?? '',
              cost: customer.cost ?? '0',
              usdCost: customer.usdCost,
              lastModified: customer.lastModified ?? partner.billingPeriod.start,
            },
      // The config checked that each budget is kept exactly.
      budget: customer.budget === null ? null : (exactDecimal(String(customer.budget)) ?? null),
    })),
  }));
}
