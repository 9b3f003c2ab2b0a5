import type { ServerConfig } from './config.js';

/**
 * The partner a server without `--config` knows, so the demo works out of the box. Its first
 * customer is the spec's example customer, so the spec's examples can be replayed as they are.
 */
export const demoPartner = Object.freeze({
  id: '4c8a2d1e-5b7f-4e39-9a06-2f1d3c4b5a69',
  name: 'Contoso Demo Partner',
  token: 'usagebudget-demo-token',
  /** The first of `customers`, for the common case of one. */
  customerId: '0c39d6d5-c70d-4c55-bc02-f620844f3fd1',
  customers: Object.freeze(['0c39d6d5-c70d-4c55-bc02-f620844f3fd1', 'b5d3f0a2-7c41-4e8b-9f26-3a1e5c7d9b04'] as const),
} as const);

/** The config of a server started without one: the demo partner alone, no throttling. */
export const demoConfig: ServerConfig = {
  partners: [
    { id: demoPartner.id, name: demoPartner.name, tokens: [demoPartner.token], customers: demoPartner.customers },
  ],
};
