import type { Database } from 'better-sqlite3';
import {
  type AttemptRow,
  attemptValues,
  EVENT_COLUMNS,
  type EventRow,
  type RegistrationRow,
  toEvent,
  toRegistration,
} from './rows.js';
import type { Synchronous } from './sqlite-gate.js';
import type { ClaimedDelivery, DeliveryState, WebhookStore } from './webhook-store.js';

/** The registration statements. */
function registrationQueries(db: Database) {
  return {
    select: db.prepare<[string], RegistrationRow>('SELECT * FROM webhook_registrations WHERE partner_id = ?'),
    insert: db.prepare(
      `INSERT INTO webhook_registrations (partner_id, subscriber_id, webhook_url, webhook_events, signature_in_ms_header, last_modified)
       VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (partner_id) DO NOTHING`,
    ),
    update: db.prepare(
      `UPDATE webhook_registrations SET webhook_url = ?, webhook_events = ?, signature_in_ms_header = ?, last_modified = ?
       WHERE partner_id = ?`,
    ),
  };
}

/** The outbox statements. */
function outboxQueries(db: Database) {
  return {
    insert: db.prepare(
      `INSERT INTO webhook_events (event_id, partner_id, event_name, body, correlation_id, callback_url, state, attempts,
         next_attempt_at, raised_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)`,
    ),
    byCorrelation: db.prepare<[string, string], EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE partner_id = ? AND correlation_id = ?`,
    ),
    all: db.prepare<{ partner: string | null; state: string | null }, EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM webhook_events WHERE (@partner IS NULL OR partner_id = @partner)
         AND (@state IS NULL OR state = @state) ORDER BY seq`,
    ),
    attempts: db.prepare<[string], AttemptRow>('SELECT * FROM webhook_attempts WHERE event_id = ? ORDER BY attempt'),
    // Oldest due first; an event whose lease ran out (its owner died or hung) is due again.
    due: db.prepare<{ now: number; limit: number }, EventRow>(
      `SELECT ${EVENT_COLUMNS} FROM webhook_events
       WHERE state = 'pending' AND next_attempt_at <= @now AND (lease_until IS NULL OR lease_until <= @now)
       ORDER BY next_attempt_at, seq LIMIT @limit`,
    ),
    lease: db.prepare('UPDATE webhook_events SET lease_owner = ?, lease_until = ? WHERE event_id = ?'),
    leaseHolder: db.prepare<[string], { lease_owner: string | null; attempts: number; state: DeliveryState }>(
      'SELECT lease_owner, attempts, state FROM webhook_events WHERE event_id = ?',
    ),
    insertAttempt: db.prepare(
      `INSERT INTO webhook_attempts (event_id, attempt, url, started_at, status, response_code, response_message, system_error)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    settle: db.prepare(
      `UPDATE webhook_events SET state = ?, attempts = ?, next_attempt_at = ?, settled_at = ?, lease_owner = NULL,
         lease_until = NULL WHERE event_id = ?`,
    ),
    nextDue: db
      .prepare<[], number | null>(
        "SELECT MIN(MAX(next_attempt_at, IFNULL(lease_until, 0))) FROM webhook_events WHERE state = 'pending'",
      )
      .pluck(),
    releaseLeases: db.prepare(
      'UPDATE webhook_events SET lease_owner = NULL, lease_until = NULL WHERE lease_owner IS NOT NULL',
    ),
    pruneAttempts: db.prepare(
      `DELETE FROM webhook_attempts WHERE event_id IN
         (SELECT event_id FROM webhook_events WHERE state <> 'pending' AND raised_at < ?)`,
    ),
    pruneEvents: db.prepare("DELETE FROM webhook_events WHERE state <> 'pending' AND raised_at < ?"),
  };
}

/** The claim of due events and the record of an attempt, each one transaction. */
function deliveryTransactions(
  db: Database,
  registrations: ReturnType<typeof registrationQueries>,
  outbox: ReturnType<typeof outboxQueries>,
) {
  const claim = db.transaction((owner: string, now: number, leaseMs: number, limit: number): ClaimedDelivery[] => {
    const rows = outbox.due.all({ now, limit });
    for (const row of rows) outbox.lease.run(owner, now + leaseMs, row.event_id);
    return rows.map((row) => {
      const registration = registrations.select.get(row.partner_id);
      return {
        eventId: row.event_id,
        partnerId: row.partner_id,
        eventName: row.event_name,
        body: row.body,
        attempt: row.attempts + 1,
        registration: registration && toRegistration(registration),
      };
    });
  });
  const record = db.transaction((outcome: Parameters<WebhookStore['recordAttempt']>[0]): boolean => {
    const holder = outbox.leaseHolder.get(outcome.eventId);
    const { record: attempt, next } = outcome;
    if (holder?.lease_owner !== outcome.owner || holder.attempts !== attempt.attempt - 1) return false;
    outbox.insertAttempt.run(attemptValues(outcome.eventId, attempt));
    const settled = next.state === 'pending' ? null : next.at;
    outbox.settle.run(next.state, attempt.attempt, next.at, settled, outcome.eventId);
    return true;
  });
  return { claim, record };
}

/**
 * The webhook store on an open, migrated SQLite database. The server holds the database's lock for
 * as long as it runs, so no lease of an earlier process can still be in use: they are released
 * here (unless `readOnly`), and what a killed server had claimed is due again at once.
 */
export function sqliteWebhooks(db: Database, { readOnly = false } = {}): Synchronous<WebhookStore> {
  const registrations = registrationQueries(db);
  const outbox = outboxQueries(db);
  if (!readOnly) outbox.releaseLeases.run();
  const withAttempts = (row: EventRow) => toEvent(row, outbox.attempts.all(row.event_id));
  const { claim, record } = deliveryTransactions(db, registrations, outbox);
  return {
    registration: (partnerId) => {
      const row = registrations.select.get(partnerId);
      return row && toRegistration(row);
    },
    createRegistration: (r) =>
      registrations.insert.run(
        r.partnerId,
        r.subscriberId,
        r.webhookUrl,
        JSON.stringify(r.webhookEvents),
        r.signatureInMsSignatureHeader ? 1 : 0,
        r.lastModified,
      ).changes === 1,
    replaceRegistration: (r) =>
      registrations.update.run(
        r.webhookUrl,
        JSON.stringify(r.webhookEvents),
        r.signatureInMsSignatureHeader ? 1 : 0,
        r.lastModified,
        r.partnerId,
      ).changes === 1,
    enqueueEvent: (e) => {
      outbox.insert.run(
        e.eventId,
        e.partnerId,
        e.eventName,
        e.body,
        e.correlationId ?? null,
        e.callbackUrl,
        e.raisedAt,
        e.raisedAt,
      );
    },
    validationEvent: (partnerId, correlationId) => {
      const row = outbox.byCorrelation.get(partnerId, correlationId);
      return row && withAttempts(row);
    },
    webhookEvents: (filter = {}) =>
      outbox.all.all({ partner: filter.partnerId ?? null, state: filter.state ?? null }).map(withAttempts),
    claimDeliveries: ({ owner, now, leaseMs, limit }) => claim.immediate(owner, now, leaseMs, limit),
    recordAttempt: (outcome) => record.immediate(outcome),
    nextDeliveryDue: () => outbox.nextDue.get() ?? undefined,
    pruneWebhookEvents: (before) => {
      outbox.pruneAttempts.run(before);
      outbox.pruneEvents.run(before);
    },
  };
}
