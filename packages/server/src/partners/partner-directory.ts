import { faults } from '../contract/faults.js';
import type { CustomerStore } from '../storage/customer-store.js';
import type { Caller, CallerPartner } from './caller.js';
import type { ResolvedConfig } from './config-format.js';
import type { NamespaceCallers } from './namespace-callers.js';
import type { TokenIssuer, VerifiedToken } from './token-issuer.js';

export type { Caller, CallerPartner } from './caller.js';

export interface PartnerDirectory {
  /**
   * The caller an `Authorization: Bearer <token>` header names; 401 when missing or unknown. The
   * config's tokens are answered at once, a namespace's from the store (a promise).
   */
  authenticate(authorization: string | undefined): Caller | Promise<Caller>;
  /**
   * Checks that `customerId` (lower case) is this partner's customer: 404 when no one's, 403 when
   * another config partner's. A namespace's customers are its own alone: for a namespace, or for
   * anyone asking of a namespace's customer, any other answer is 404, so a namespace learns
   * nothing of another's (nor of the config's) customers.
   */
  authorize(partner: CallerPartner, customerId: string): void | Promise<void>;
}

const BEARER = /^bearer +(\S+) *$/i;

/**
 * The directory of the config's partners (in memory) and, when `namespaces` is given, of the
 * namespaces (in the store). With an `issuer`, a JWT bearer that is no configured token is
 * verified against it, and authenticates the config's partner whose id is its tenant (`tid`).
 */
export function createPartnerDirectory(
  config: ResolvedConfig,
  namespaces?: { readonly callers: NamespaceCallers; readonly store: Pick<CustomerStore, 'customer'> },
  issuer?: TokenIssuer,
): PartnerDirectory {
  const byToken = new Map<string, Caller>();
  const byCustomer = new Map<string, string>();
  for (const partner of config.partners) {
    for (const { token, kind } of partner.tokens) byToken.set(token, { partner, tokenKind: kind });
    for (const customer of partner.customers) byCustomer.set(customer.id, partner.id);
  }
  const namespaceCaller = async (token: string): Promise<Caller> => {
    const caller = await namespaces?.callers.find(token);
    if (!caller) throw faults.tokenInvalid();
    return caller;
  };
  const byTenant = new Map(config.partners.map((partner) => [partner.id.toLowerCase(), partner]));
  const tokenCaller = ({ tenantId, kind, mfa }: VerifiedToken): Caller => {
    const partner = byTenant.get(tenantId);
    if (!partner) throw faults.tenantNotPartner(tenantId);
    return { partner, tokenKind: kind, mfa };
  };
  return {
    authenticate(authorization) {
      const token = authorization === undefined ? undefined : BEARER.exec(authorization)?.[1];
      if (token === undefined) throw faults.tokenMissing();
      const caller = byToken.get(token);
      if (caller) return caller;
      if (issuer?.claims(token)) {
        const verified = issuer.verify(token);
        return verified instanceof Promise ? verified.then(tokenCaller) : tokenCaller(verified);
      }
      if (!namespaces) throw faults.tokenInvalid();
      return namespaceCaller(token);
    },
    authorize(partner, customerId) {
      if (partner.namespace) {
        if (!namespaces) throw faults.tenantNotFound();
        return namespaces.store.customer(partner.id, customerId).then((found) => {
          if (!found) throw faults.tenantNotFound();
        });
      }
      const owner = byCustomer.get(customerId);
      if (!owner) throw faults.tenantNotFound();
      if (owner !== partner.id) throw faults.noRelationship(partner.id, customerId);
    },
  };
}
