import { budgetStanding, percentUsed, sumDecimals } from '@usagebudget/openapi/rules';
import { faults } from '../contract/faults.js';
import { jsonText, NumberText } from '../http/json-number-text.js';
import { customerOf, type Operation, type OperationCall } from '../http/operation.js';
import type { CustomerStore, CustomerUsage, PartnerRecord, UsageRecord } from '../storage/customer-store.js';

/** A usage response's `budget`: a `SpendingBudget` whose `amount` is absent when none is set, as Partner Center writes it. */
function budgetJson(amount: string | null) {
  return {
    ...(amount === null ? {} : { amount: new NumberText(amount) }),
    attributes: { objectType: 'SpendingBudget' },
  };
}

/** The cost members: an Azure plan's currency code and US dollar cost, or a legacy offer's locale. */
function costJson(usage: UsageRecord) {
  return {
    totalCost: new NumberText(usage.cost),
    ...(usage.offer === 'azurePlan'
      ? {
          currencyCode: usage.currency,
          ...(usage.usdCost === undefined ? {} : { usdTotalCost: new NumberText(usage.usdCost) }),
        }
      : { currencyLocale: usage.currency }),
  };
}

const selfLink = (uri: string) => ({ self: { uri, method: 'GET', headers: [] } });

function partnerRecord(store: CustomerStore, partnerId: string): PartnerRecord {
  const partner = store.partner(partnerId);
  if (!partner) throw new Error(`partner ${partnerId} was not seeded`);
  return partner;
}

/** The latest of some date-times (compared as instants, written as given); `fallback` when there are none. */
function latest(dates: readonly string[], fallback: string): string {
  return dates.reduce((found, date) => (Date.parse(date) > Date.parse(found) ? date : found), dates[0] ?? fallback);
}

function usageRecordJson({ customer, budget }: CustomerUsage) {
  return {
    budget: budgetJson(budget),
    percentUsed: new NumberText(percentUsed(customer.usage.cost, budget)),
    isUpgraded: customer.usage.offer === 'azurePlan',
    resourceId: customer.id,
    resourceName: customer.companyName,
    ...costJson(customer.usage),
    lastModifiedDate: customer.usage.lastModified,
    attributes: { objectType: 'CustomerMonthlyUsageRecord' },
  };
}

/**
 * The spec's three usage reads, by operationId: a customer's usage summary, every customer's
 * usage record, and the partner's usage summary. `percentUsed`, the counts and the totals are
 * computed on each request from the current budgets, with the spec's rules on exact decimals.
 */
export function usageOperations(store: CustomerStore): Readonly<Record<string, Operation>> {
  return {
    getCustomerUsageSummary: {
      handle: (call: OperationCall) => {
        const found = store.customer(customerOf(call));
        if (!found) throw faults.tenantNotFound();
        const { customer, budget } = found;
        if (!customer.usage) throw faults.noUsageBasedSubscription();
        const period = partnerRecord(store, call.partner.id);
        return {
          status: 200,
          body: jsonText({
            budget: budgetJson(budget),
            resourceId: customer.id,
            resourceName: customer.companyName,
            billingStartDate: period.billingStart,
            billingEndDate: period.billingEnd,
            ...costJson(customer.usage),
            lastModifiedDate: customer.usage.lastModified,
            links: selfLink(call.selfUri),
            attributes: { objectType: 'CustomerUsageSummary' },
          }),
        };
      },
    },
    listCustomerUsageRecords: {
      handle: (call) => {
        const items = store.usage(call.partner.id).map(usageRecordJson);
        return {
          status: 200,
          body: jsonText({
            totalCount: items.length,
            items,
            links: selfLink(call.selfUri),
            attributes: { objectType: 'Collection' },
          }),
        };
      },
    },
    getPartnerUsageSummary: {
      handle: (call) => {
        const period = partnerRecord(store, call.partner.id);
        const usage = store.usage(call.partner.id);
        const standings = usage.map(({ customer, budget }) => budgetStanding(customer.usage.cost, budget));
        const count = (standing: string) => standings.filter((found) => found === standing).length;
        // Partner Center: the total "will not return consumption for customers that have an Azure plan".
        const legacy = usage.filter(({ customer }) => customer.usage.offer === 'legacy');
        return {
          status: 200,
          body: jsonText({
            customersOverBudget: count('overBudget'),
            customersTrendingOver: count('trendingOver'),
            customersWithUsageBasedSubscription: usage.length,
            resourceId: period.id,
            resourceName: period.name,
            billingStartDate: period.billingStart,
            billingEndDate: period.billingEnd,
            totalCost: new NumberText(sumDecimals(legacy.map(({ customer }) => customer.usage.cost))),
            currencyLocale: period.currencyLocale,
            lastModifiedDate: latest(
              usage.map(({ customer }) => customer.usage.lastModified),
              period.billingStart,
            ),
            links: selfLink(call.selfUri),
            attributes: { objectType: 'PartnerUsageSummary' },
          }),
        };
      },
    },
  };
}
