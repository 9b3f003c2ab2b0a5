// The server's own secrets, kept in its database: each is written once, by the first server to
// need it, and read by every server after (on PostgreSQL: every replica). What is kept, and why
// on which engine, is in README.md (`Server secrets`).

/** The names of the secrets the server keeps. */
export const SECRET_NAMES = {
  /** Signs continuation tokens when the config gives no `continuationTokenSecret`. */
  continuationToken: 'continuation-token',
  /** The webhook test root: its key and certificate (PostgreSQL; SQLite keeps files). */
  webhookRoot: 'webhook-root',
  /** The webhook signing key and certificate (PostgreSQL; SQLite keeps files). */
  webhookSigning: 'webhook-signing',
} as const;

/**
 * The name a signing certificate (public, PEM) is kept under, by its file name: every one a
 * server signed with, so that any replica serves the certificate another one sends the URL of.
 */
export const certificateSecretName = (fileName: string) => `webhook-certificate:${fileName}`;

export interface SecretStore {
  /** The secret kept under `name`; `undefined` when there is none. */
  secret(name: string): Promise<string | undefined>;
  /**
   * Keeps `value` under `name` when none is kept there yet, or, given `replacing`, when what is
   * kept is still `replacing`; returns what is kept afterwards. Of servers writing at once, the
   * first wins and every one gets its value back, so they agree.
   */
  keepSecret(name: string, value: string, replacing?: string): Promise<string>;
}
