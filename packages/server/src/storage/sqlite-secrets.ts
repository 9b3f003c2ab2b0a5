import type { Database } from 'better-sqlite3';
import type { SecretStore } from './secret-store.js';
import type { Synchronous } from './sqlite-gate.js';

/** The server's secrets on SQLite: the same statements as PostgreSQL's, on the server's one connection. */
export function sqliteSecrets(db: Database): Synchronous<SecretStore> {
  const read = db.prepare<[string], { value: string }>('SELECT value FROM server_secrets WHERE name = ?');
  const insert = db.prepare(
    'INSERT INTO server_secrets (name, value, created_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING',
  );
  const replace = db.prepare('UPDATE server_secrets SET value = ?, created_at = ? WHERE name = ? AND value = ?');
  const secret = (name: string) => read.get(name)?.value;
  return {
    secret,
    keepSecret: (name, value, replacing) => {
      if (replacing === undefined) insert.run(name, value, Date.now());
      else replace.run(value, Date.now(), name, replacing);
      const kept = secret(name);
      if (kept === undefined) throw new Error(`the secret ${name} was not kept`);
      return kept;
    },
  };
}
