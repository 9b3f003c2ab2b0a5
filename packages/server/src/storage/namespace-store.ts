// What namespaces (throwaway partners made by the admin API, one per CI job) need from storage:
// a partner of origin `namespace` with its tokens (SHA-256 digests) and its expiry, made next to
// the config's partners and never replaced by their seed. The admin API is `namespaces/`.
import type { TokenKind } from '../partners/config-format.js';
import type { PortfolioSeed } from './customer-store.js';

/** A token of a namespace as the store keeps it: never the token itself. */
export interface PartnerTokenDigest {
  /** Hex SHA-256 of the token. */
  readonly sha256: string;
  readonly kind: TokenKind;
}

/** A namespace to make: its partner and customers, its tokens, and when it expires. */
export interface NamespaceSeed {
  readonly partner: PortfolioSeed;
  readonly tokens: readonly PartnerTokenDigest[];
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export interface NamespaceRecord {
  readonly id: string;
  readonly name: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
  /** Its customers, any offer. */
  readonly customerCount: number;
}

/** The namespace a token authenticates, with the token's kind. */
export interface NamespaceToken {
  readonly partnerId: string;
  readonly kind: TokenKind;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

export interface NamespaceStore {
  /**
   * Makes the namespace, atomically, unless `maxNamespaces` exist already (`full`). Replicas
   * making namespaces at once count one after another, so the limit holds across them.
   */
  createNamespace(namespace: NamespaceSeed, maxNamespaces: number): Promise<'created' | 'full'>;
  /** The namespace of the token whose SHA-256 is `sha256`; `undefined` for none. */
  namespaceByToken(sha256: string): Promise<NamespaceToken | undefined>;
  /** The namespace of this id; `undefined` for none (a config partner's id included). */
  namespace(partnerId: string): Promise<NamespaceRecord | undefined>;
  /** Ids of namespaces expired at `now` (ms), at most `limit`. */
  expiredNamespaces(now: number, limit: number): Promise<string[]>;
  /**
   * Adds `partner.customers` to the (existing) partner, after its others, with their budgets: a
   * namespace's reset, once `forgetPartner` emptied it.
   */
  seedCustomers(partner: PortfolioSeed): Promise<void>;
}
