import Database from 'better-sqlite3';
import { sqliteWebhooks } from '../storage/sqlite-webhooks.js';
import type { WebhookEventFilter, WebhookEventRecord } from '../storage/webhook-store.js';

/**
 * The webhook events a stopped server's database keeps (the last 7 days'), oldest first, each with
 * its attempts: delivered, pending and parked ones. Opens the file read-only; a running server
 * holds its database's lock, so stop it first. Not part of the API: tests check what a server did
 * with it (a parked event, attempts after a `kill -9`).
 */
export function readWebhookEvents(dbPath: string, filter?: WebhookEventFilter): WebhookEventRecord[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return sqliteWebhooks(db, { readOnly: true }).webhookEvents(filter);
  } finally {
    db.close();
  }
}
