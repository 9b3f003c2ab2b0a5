import { OUTBOX_CHANNEL } from './postgres-listener.js';
import type { Sql } from './postgres-sql.js';
import {
  type AttemptRow,
  attemptValues,
  EVENT_COLUMNS,
  type EventRow,
  type RegistrationRow,
  toEvent,
  toRegistration,
} from './rows.js';
import type { ClaimedDelivery, WebhookEventRecord, WebhookStore } from './webhook-store.js';

/** The events of `rows` with their attempts, read in one query. */
async function withAttempts(sql: Sql, rows: readonly EventRow[]): Promise<WebhookEventRecord[]> {
  if (rows.length === 0) return [];
  const attempts = await sql.rows<AttemptRow & { event_id: string }>(
    'SELECT * FROM webhook_attempts WHERE event_id = ANY($1) ORDER BY event_id, attempt',
    [rows.map(({ event_id }) => event_id)],
  );
  const byEvent = new Map<string, AttemptRow[]>();
  for (const attempt of attempts) byEvent.set(attempt.event_id, [...(byEvent.get(attempt.event_id) ?? []), attempt]);
  return rows.map((row) => toEvent(row, byEvent.get(row.event_id) ?? []));
}

/**
 * Hands due events to `owner`: the due rows are locked `FOR UPDATE SKIP LOCKED`, so replicas
 * claiming at once skip each other's rows instead of waiting, and no event goes to two of them.
 * An event whose lease ran out (its replica died or hung) is due again.
 */
async function claimDue(tx: Sql, owner: string, now: number, leaseMs: number, limit: number) {
  const rows = await tx.rows<EventRow & { seq: number }>(
    `UPDATE webhook_events SET lease_owner = $1, lease_until = $2
     WHERE seq IN (SELECT seq FROM webhook_events
                   WHERE state = 'pending' AND next_attempt_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
                   ORDER BY next_attempt_at, seq LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING seq, ${EVENT_COLUMNS}`,
    [owner, now + leaseMs, now, limit],
  );
  rows.sort((a, b) => a.next_attempt_at - b.next_attempt_at || a.seq - b.seq);
  const partners = [...new Set(rows.map(({ partner_id }) => partner_id))];
  const registrations = await tx.rows<RegistrationRow>(
    'SELECT * FROM webhook_registrations WHERE partner_id = ANY($1)',
    [partners],
  );
  const byPartner = new Map(registrations.map((row) => [row.partner_id, toRegistration(row)]));
  return rows.map(
    (row): ClaimedDelivery => ({
      eventId: row.event_id,
      partnerId: row.partner_id,
      eventName: row.event_name,
      body: row.body,
      attempt: row.attempts + 1,
      registration: byPartner.get(row.partner_id),
    }),
  );
}

/**
 * The webhook store on PostgreSQL. Leases are not released at start: other replicas hold theirs;
 * a dead replica's run out.
 */
export function postgresWebhooks(sql: Sql): WebhookStore {
  return {
    registration: async (partnerId) => {
      const [row] = await sql.rows<RegistrationRow>('SELECT * FROM webhook_registrations WHERE partner_id = $1', [
        partnerId,
      ]);
      return row && toRegistration(row);
    },
    createRegistration: async (r) =>
      (await sql.run(
        `INSERT INTO webhook_registrations (partner_id, subscriber_id, webhook_url, webhook_events, signature_in_ms_header, last_modified)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (partner_id) DO NOTHING`,
        [
          r.partnerId,
          r.subscriberId,
          r.webhookUrl,
          JSON.stringify(r.webhookEvents),
          r.signatureInMsSignatureHeader ? 1 : 0,
          r.lastModified,
        ],
      )) === 1,
    replaceRegistration: async (r) =>
      (await sql.run(
        `UPDATE webhook_registrations SET webhook_url = $1, webhook_events = $2, signature_in_ms_header = $3, last_modified = $4
         WHERE partner_id = $5`,
        [
          r.webhookUrl,
          JSON.stringify(r.webhookEvents),
          r.signatureInMsSignatureHeader ? 1 : 0,
          r.lastModified,
          r.partnerId,
        ],
      )) === 1,
    enqueueEvent: async (e) => {
      await sql.run(
        `INSERT INTO webhook_events (event_id, partner_id, event_name, body, correlation_id, callback_url, state, attempts,
           next_attempt_at, raised_at) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0, $7, $7)`,
        [e.eventId, e.partnerId, e.eventName, e.body, e.correlationId ?? null, e.callbackUrl, e.raisedAt],
      );
      // Delivered at commit (never for a rolled-back event), to every replica's listener.
      await sql.run(`SELECT pg_notify('${OUTBOX_CHANNEL}', '')`);
    },
    validationEvent: async (partnerId, correlationId) => {
      const rows = await sql.rows<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE partner_id = $1 AND correlation_id = $2`,
        [partnerId, correlationId],
      );
      return (await withAttempts(sql, rows))[0];
    },
    webhookEvents: async (filter = {}) => {
      const rows = await sql.rows<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE ($1::text IS NULL OR partner_id = $1)
           AND ($2::text IS NULL OR state = $2) ORDER BY seq`,
        [filter.partnerId ?? null, filter.state ?? null],
      );
      return withAttempts(sql, rows);
    },
    claimDeliveries: ({ owner, now, leaseMs, limit }) => sql.atomic((tx) => claimDue(tx, owner, now, leaseMs, limit)),
    recordAttempt: (outcome) =>
      sql.atomic(async (tx) => {
        const [holder] = await tx.rows<{ lease_owner: string | null; attempts: number }>(
          'SELECT lease_owner, attempts FROM webhook_events WHERE event_id = $1 FOR UPDATE',
          [outcome.eventId],
        );
        const { record: attempt, next } = outcome;
        if (holder?.lease_owner !== outcome.owner || holder.attempts !== attempt.attempt - 1) return false;
        await tx.run(
          `INSERT INTO webhook_attempts (event_id, attempt, url, started_at, status, response_code, response_message, system_error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
          attemptValues(outcome.eventId, attempt),
        );
        await tx.run(
          `UPDATE webhook_events SET state = $1, attempts = $2, next_attempt_at = $3, settled_at = $4, lease_owner = NULL,
             lease_until = NULL WHERE event_id = $5`,
          [next.state, attempt.attempt, next.at, next.state === 'pending' ? null : next.at, outcome.eventId],
        );
        return true;
      }),
    nextDeliveryDue: async () => {
      const [row] = await sql.rows<{ due: number | null }>(
        "SELECT MIN(GREATEST(next_attempt_at, COALESCE(lease_until, 0))) AS due FROM webhook_events WHERE state = 'pending'",
      );
      return row?.due ?? undefined;
    },
    pruneWebhookEvents: (before) =>
      sql.atomic(async (tx) => {
        await tx.run(
          `DELETE FROM webhook_attempts WHERE event_id IN
             (SELECT event_id FROM webhook_events WHERE state <> 'pending' AND raised_at < $1)`,
          [before],
        );
        await tx.run("DELETE FROM webhook_events WHERE state <> 'pending' AND raised_at < $1", [before]);
      }),
  };
}
