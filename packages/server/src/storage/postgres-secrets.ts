import type { Sql } from './postgres-sql.js';
import type { SecretStore } from './secret-store.js';

/**
 * The server's secrets on PostgreSQL: written with `INSERT ... ON CONFLICT DO NOTHING` (or an
 * `UPDATE` of the value read), then read back, so that replicas writing at once each get the one
 * that won.
 */
export function postgresSecrets(sql: Sql): SecretStore {
  const secret = async (name: string) => {
    const [row] = await sql.rows<{ value: string }>('SELECT value FROM server_secrets WHERE name = $1', [name]);
    return row?.value;
  };
  return {
    secret,
    keepSecret: async (name, value, replacing) => {
      if (replacing === undefined) {
        await sql.run(
          'INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING',
          [name, value, Date.now()],
        );
      } else {
        await sql.run('UPDATE server_secrets SET value = $1, created_at = $2 WHERE name = $3 AND value = $4', [
          value,
          Date.now(),
          name,
          replacing,
        ]);
      }
      const kept = await secret(name);
      if (kept === undefined) throw new Error(`the secret ${name} was not kept`);
      return kept;
    },
  };
}
