import { faults } from '../contract/faults.js';
import type { ResolvedConfig, ResolvedPartner, TokenKind } from './config-format.js';

/** Who a request's token authenticates, and which kind of token it is. */
export interface Caller {
  readonly partner: ResolvedPartner;
  readonly tokenKind: TokenKind;
}

export interface PartnerDirectory {
  /** The caller an `Authorization: Bearer <token>` header names; 401 when missing or unknown. */
  authenticate(authorization: string | undefined): Caller;
  /** Checks that `customerId` (lower case) is this partner's customer: 404 when no one's, 403 when another's. */
  authorize(partner: ResolvedPartner, customerId: string): void;
}

const BEARER = /^bearer +(\S+) *$/i;

export function createPartnerDirectory(config: ResolvedConfig): PartnerDirectory {
  const byToken = new Map<string, Caller>();
  const byCustomer = new Map<string, ResolvedPartner>();
  for (const partner of config.partners) {
    for (const { token, kind } of partner.tokens) byToken.set(token, { partner, tokenKind: kind });
    for (const customer of partner.customers) byCustomer.set(customer.id, partner);
  }
  return {
    authenticate(authorization) {
      const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
      if (token === undefined) throw faults.tokenMissing();
      const caller = byToken.get(token);
      if (!caller) throw faults.tokenInvalid();
      return caller;
    },
    authorize(partner, customerId) {
      const owner = byCustomer.get(customerId);
      if (!owner) throw faults.tenantNotFound();
      if (owner !== partner) throw faults.noRelationship(partner.id, customerId);
    },
  };
}
