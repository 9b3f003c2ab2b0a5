// The per-partner throttle's buckets: where they are kept decides whether replicas share them.
// SQLite keeps them in the process (`memory-throttle.ts`: the file is one server's), PostgreSQL in
// a row per partner (`postgres-throttle.ts`), so N replicas let a partner's rate through, not N
// times it. See README.md, "The throttle kept in PostgreSQL".
import type { ThrottleConfig } from '../partners/config-format.js';

export interface ThrottleStore {
  /**
   * Takes a token from the partner's bucket (`limits.burst` tokens at most, refilled at
   * `limits.requestsPerSecond`): 0 when the request may go on, else the whole seconds (at least 1)
   * until a token is back, for `Retry-After`.
   */
  takeToken(partnerId: string, limits: ThrottleConfig): Promise<number>;
}
