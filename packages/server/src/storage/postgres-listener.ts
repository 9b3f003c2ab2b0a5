// The outbox's wake-up across replicas: the transaction that enqueues a webhook event sends
// `NOTIFY webhook_outbox` (delivered at its commit, to every listening session), and each replica
// listens on a connection of its own, outside the pool, made again while the database is away.
import pg from 'pg';

/** The channel of the outbox's notifications. */
export const OUTBOX_CHANNEL = 'webhook_outbox';
/** The wait before connecting again after the listening connection failed or ended. */
const RECONNECT_MS = 1_000;

/**
 * Listens on `OUTBOX_CHANNEL` at `url` and calls `raised` on each notification, and once each time
 * the connection is made (events may have been enqueued while none listened). A lost connection
 * (the database restarting) is made again every second until it succeeds.
 */
export function listenForOutbox(
  url: string,
  raised: () => void,
  types: pg.CustomTypesConfig,
): { stop(): Promise<void> } {
  let stopped = false;
  let current: pg.Client | undefined;
  let retry: NodeJS.Timeout | undefined;
  const again = () => {
    if (!stopped) retry = setTimeout(connect, RECONNECT_MS).unref();
  };
  async function connect(): Promise<void> {
    const client = new pg.Client({ connectionString: url, application_name: 'usagebudget-server outbox', types });
    current = client;
    // Lost once, whichever says so first: a failed connect, or the connection's end (a database
    // cut emits `error`, then `end`).
    let lost = false;
    const lose = () => {
      if (lost) return;
      lost = true;
      if (current === client) current = undefined;
      client.end().catch(() => {});
      again();
    };
    client.on('error', () => {});
    client.on('end', lose);
    client.on('notification', () => raised());
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
    } catch {
      lose();
      return;
    }
    if (!lost) raised();
  }
  void connect();
  return {
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      const client = current;
      current = undefined;
      await client?.end().catch(() => {});
    },
  };
}
