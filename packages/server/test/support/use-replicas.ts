import { afterAll, beforeAll } from 'vitest';
import type { ServerConfig } from '../../src/partners/config-format.js';
import {
  type ServerProcess,
  type StartedPostgres,
  startPostgres,
  startServerProcess,
} from '../../src/testing/index.js';

/** Replicas on one database: its name (for `psql`) and the server processes. */
export interface Replicas {
  readonly name: string;
  readonly servers: readonly ServerProcess[];
}

/**
 * Server processes sharing PostgreSQL databases, for a test file: a cluster started before its
 * tests; `start` makes a fresh database and starts `count` replicas on it at once (with
 * `--no-access-log` and `args`); every replica and the cluster are stopped after the tests.
 */
export function useReplicas(prefix: string): {
  start(config: ServerConfig, count: number, args?: readonly string[]): Promise<Replicas>;
  /** Starts `count` more replicas on the database `name` (made by `start`). */
  startOn(name: string, config: ServerConfig, count: number, args?: readonly string[]): Promise<Replicas>;
  postgres(): StartedPostgres;
} {
  let postgres: StartedPostgres | undefined;
  let made = 0;
  const running: ServerProcess[] = [];
  beforeAll(async () => {
    postgres = await startPostgres({ settings: { fsync: 'off' } });
  });
  afterAll(async () => {
    await Promise.allSettled(running.map((server) => server.stop()));
    await postgres?.stop();
  });
  const current = () => {
    if (!postgres) throw new Error('PostgreSQL has not started: use it inside a test');
    return postgres;
  };
  const startOn = async (name: string, config: ServerConfig, count: number, args: readonly string[] = []) => {
    const db = current().url.replace(/\/postgres$/, `/${name}`);
    // Each is kept for the cleanup as soon as it has started, even when another fails to.
    const servers = await Promise.all(
      Array.from({ length: count }, async () => {
        const server = await startServerProcess({ config, db, args: ['--no-access-log', ...args] });
        running.push(server);
        return server;
      }),
    );
    return { name, servers };
  };
  return {
    postgres: current,
    startOn,
    start: async (config, count, args = []) => {
      const name = `${prefix}_${++made}`;
      await current().createDatabase(name);
      return startOn(name, config, count, args);
    },
  };
}
