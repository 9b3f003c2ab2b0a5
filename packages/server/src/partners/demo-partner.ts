import type { CustomerConfig, ServerConfig } from './config-format.js';

/** The demo partner's generated customers, after its two hand-written ones: 240 in all. */
const GENERATED = { count: 238, seed: 'usagebudget-demo-portfolio' } as const;

/**
 * The partner a server without `--config` knows, so the demo works out of the box. Its first
 * customer is the spec's example customer, so the spec's examples can be replayed as they are.
 */
export const demoPartner = Object.freeze({
  id: '4c8a2d1e-5b7f-4e39-9a06-2f1d3c4b5a69',
  name: 'Contoso Demo Partner',
  /** An app+user token: every operation accepts it. */
  token: 'usagebudget-demo-token',
  /** An app-only token: the usage operations refuse it (403 TokenKindNotAccepted). */
  appOnlyToken: 'usagebudget-demo-app-only-token',
  /** The first of `customers`, for the common case of one: an Azure plan in EUR, no budget at start. */
  customerId: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  /** The hand-written customers; the generated portfolio follows them. */
  customers: Object.freeze(['0c39d6d5-c70d-4c55-bc02-f620844f3fd1', 'b5d3f0a2-7c41-4e8b-9f26-3a1e5c7d9b04'] as const),
  /** How many customers the demo partner has, generated ones included. */
  portfolioSize: 2 + GENERATED.count,
} as const);

const handWritten: readonly CustomerConfig[] = [
  {
    // The spec's "Azure plan without a budget" example.
    id: demoPartner.customers[0],
    name: 'Contoso Ltd',
    domain: 'contoso.onmicrosoft.com',
    relationship: 'reseller',
    offer: 'azurePlan',
    currency: 'EUR',
    cost: '412.77360021458339691162',
    usdCost: '447.91999999999998749755',
    budget: null,
  },
  {
    id: demoPartner.customers[1],
    name: 'Fabrikam, Inc.',
    domain: 'fabrikam.onmicrosoft.com',
    relationship: 'reseller',
    offer: 'azurePlan',
    currency: 'USD',
    cost: '612.50330000000000325281',
    budget: 500,
  },
];

/** The config of a server started without one: the demo partner alone, no throttling. */
export const demoConfig: ServerConfig = {
  partners: [
    {
      id: demoPartner.id,
      name: demoPartner.name,
      tokens: [demoPartner.token, { token: demoPartner.appOnlyToken, kind: 'app-only' }],
      customers: handWritten,
      generatedCustomers: GENERATED,
    },
  ],
};
