// The callers namespaces' tokens authenticate, read from the store (`partner_tokens`), so that a
// namespace made on one replica authenticates on every replica. Kept a short while per token:
// most requests then cost no query, and a namespace deleted on another replica stops
// authenticating here within `NAMESPACE_CACHE_MS` (on this replica at once: `forget`).
import { createHash } from 'node:crypto';
import type { NamespaceStore } from '../storage/namespace-store.js';
import type { Caller } from './caller.js';

/**
 * How long a token's namespace (or its absence) is kept: 2 s bounds how long a namespace deleted
 * on another replica still authenticates here, and costs a busy CI job one query per token every
 * 2 s. An unknown token is kept as unknown too (tokens are 256 random bits, so none is asked for
 * before it exists), which spares the database a query per request of a client with a bad token.
 */
export const NAMESPACE_CACHE_MS = 2_000;
/** Tokens kept at most; past it the cache starts again (a flood of made-up tokens cannot grow it). */
const MAX_CACHED = 10_000;

/** The hex SHA-256 of a token: what the store keeps of a namespace's tokens. */
export const tokenDigest = (token: string): string => createHash('sha256').update(token).digest('hex');

export interface NamespaceCallers {
  /** The caller a namespace's token authenticates; `undefined` for none, or one that has expired. */
  find(token: string): Promise<Caller | undefined>;
  /** Forgets what is kept of the partner's tokens: it was deleted (or reset) here. */
  forget(partnerId: string): void;
}

export function namespaceCallers(
  store: Pick<NamespaceStore, 'namespaceByToken'>,
  now: () => number = Date.now,
): NamespaceCallers {
  const cached = new Map<string, { until: number; caller: Caller | undefined; expiresAt: number }>();
  return {
    async find(token) {
      const digest = tokenDigest(token);
      let entry = cached.get(digest);
      if (!entry || entry.until <= now()) {
        const found = await store.namespaceByToken(digest);
        if (cached.size >= MAX_CACHED) cached.clear();
        entry = {
          until: now() + NAMESPACE_CACHE_MS,
          caller: found && { partner: { id: found.partnerId, namespace: true }, tokenKind: found.kind },
          expiresAt: found?.expiresAt ?? 0,
        };
        cached.set(digest, entry);
      }
      // Expired is refused at once, before the sweep deletes it.
      return entry.caller && entry.expiresAt > now() ? entry.caller : undefined;
    },
    forget(partnerId) {
      for (const [digest, entry] of cached) if (entry.caller?.partner.id === partnerId) cached.delete(digest);
    },
  };
}
