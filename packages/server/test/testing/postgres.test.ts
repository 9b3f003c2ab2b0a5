import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isRunning, portIsFree, startPostgres } from '../../src/testing/index.js';

describe('startPostgres', () => {
  it('runs a fresh cluster on loopback in a temporary folder, keeps its data across a restart, and removes it all when stopped', async () => {
    const postgres = await startPostgres({ settings: { fsync: 'off' } });
    const first = postgres.pid() as number;
    try {
      expect(postgres.url).toBe(`postgres://usagebudget@127.0.0.1:${postgres.port}/postgres`);
      expect(await portIsFree(postgres.port)).toBe(false);
      expect(isRunning(first)).toBe(true);
      // Its own socket folder and data, nothing of the machine's: a throwaway cluster.
      expect(await postgres.psql('SHOW unix_socket_directories')).toBe(postgres.dir);
      expect(await postgres.psql('SHOW data_directory')).toBe(join(postgres.dir, 'data'));
      expect(await postgres.psql("SHOW listen_addresses; SHOW fsync; SELECT current_setting('server_encoding')")).toBe(
        '127.0.0.1\noff\nUTF8',
      );
      expect(statSync(join(postgres.dir, 'data')).mode & 0o077).toBe(0);

      const url = await postgres.createDatabase('kept');
      expect(url).toBe(`postgres://usagebudget@127.0.0.1:${postgres.port}/kept`);
      await postgres.psql("CREATE TABLE t (v text); INSERT INTO t VALUES ('survives')", 'kept');
      await expect(postgres.createDatabase('no; DROP')).rejects.toThrow('not a plain database name');

      await postgres.shutDown();
      expect(postgres.pid()).toBeUndefined();
      expect(isRunning(first)).toBe(false);
      expect(await portIsFree(postgres.port)).toBe(true);
      await expect(postgres.psql('SELECT 1')).rejects.toThrow(/psql failed/);

      await postgres.startAgain();
      expect(postgres.pid()).not.toBe(first);
      expect(await postgres.psql('SELECT v FROM t', 'kept')).toBe('survives');
    } finally {
      await postgres.stop();
    }
    const last = postgres.pid();
    expect(last).toBeUndefined();
    expect(isRunning(first)).toBe(false);
    expect(await portIsFree(postgres.port)).toBe(true);
    expect(existsSync(postgres.dir)).toBe(false);
    await postgres.stop();
  });
});
