import type { Sql } from './postgres-sql.js';
import type { ThrottleStore } from './throttle-store.js';

// One statement per request: the bucket's row is taken (a token spent) only when it holds one,
// on the database's clock, so replicas' clocks do not skew the rate; the row lock serializes one
// partner's requests for that statement only. When it holds none, the same statement reads the
// bucket as its snapshot saw it, for `Retry-After` (no row there: a bucket made by a concurrent
// first request, which spent at most one token of a full bucket: 1 s).
const TAKE = `WITH taken AS (
    INSERT INTO throttle_buckets AS b (partner_id, tokens, at)
      VALUES ($1, $2::double precision - 1, clock_timestamp())
    ON CONFLICT (partner_id) DO UPDATE
      SET tokens = LEAST($2::double precision, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.at) * $3::double precision) - 1,
          at = clock_timestamp()
      WHERE LEAST($2::double precision, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.at) * $3::double precision) >= 1
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM taken) AS taken,
    (SELECT LEAST($2::double precision, s.tokens + EXTRACT(EPOCH FROM clock_timestamp() - s.at) * $3::double precision)
       FROM throttle_buckets s WHERE s.partner_id = $1) AS tokens`;

/** The throttle kept in PostgreSQL, a row per partner (`throttle_buckets`, migration 4): shared by every replica. */
export function postgresThrottle(sql: Sql): ThrottleStore {
  return {
    takeToken: async (partnerId, limits) => {
      const [row] = await sql.rows<{ taken: boolean; tokens: number | null }>(TAKE, [
        partnerId,
        limits.burst,
        limits.requestsPerSecond,
      ]);
      if (row?.taken) return 0;
      const tokens = row?.tokens ?? 0;
      return Math.max(1, Math.ceil((1 - tokens) / limits.requestsPerSecond));
    },
  };
}
