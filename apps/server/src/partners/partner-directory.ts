import { faults } from '../contract/faults.js';
import type { PartnerConfig, ServerConfig } from './config.js';

export interface PartnerDirectory {
  /** The partner an `Authorization: Bearer <token>` header names; 401 when missing or unknown. */
  authenticate(authorization: string | undefined): PartnerConfig;
  /** Checks that `customerId` (lower case) is this partner's customer: 404 when no one's, 403 when another's. */
  authorize(partner: PartnerConfig, customerId: string): void;
}

const BEARER = /^bearer +(\S+) *$/i;

export function createPartnerDirectory(config: ServerConfig): PartnerDirectory {
  const byToken = new Map<string, PartnerConfig>();
  const byCustomer = new Map<string, PartnerConfig>();
  for (const partner of config.partners) {
    for (const token of partner.tokens) byToken.set(token, partner);
    for (const customer of partner.customers) byCustomer.set(customer, partner);
  }
  return {
    authenticate(authorization) {
      const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
      if (token === undefined) throw faults.tokenMissing();
      const partner = byToken.get(token);
      if (!partner) throw faults.tokenInvalid();
      return partner;
    },
    authorize(partner, customerId) {
      const owner = byCustomer.get(customerId);
      if (!owner) throw faults.tenantNotFound();
      if (owner !== partner) throw faults.noRelationship(partner.id, customerId);
    },
  };
}
