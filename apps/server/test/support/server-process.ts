import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type StartedServer, startNodeServer } from '@usagebudget/testkit';
import { afterAll, beforeAll } from 'vitest';
import { serverBinPath } from '../../src/bin-path.js';
import type { PartnerConfig, ServerConfig } from '../../src/config.js';

/** The bin as package managers link it: tests run the program users run. */
export const CLI = serverBinPath;

export type ServerProcess = StartedServer;

/** Starts `usagebudget-server --port 0` with `args` and resolves once it prints its URL. */
export function startServerProcess(args: readonly string[]): Promise<ServerProcess> {
  return startNodeServer({
    name: 'usagebudget-server',
    script: CLI,
    args: ['--host', '127.0.0.1', '--port', '0', ...args],
    timeoutMs: 20_000,
  });
}

/** A partner with fresh random ids, so no two test files share a token or a customer. */
export function randomPartner(name: string, customers = 1): PartnerConfig {
  return {
    id: randomUUID(),
    name,
    tokens: [randomUUID()],
    customers: Array.from({ length: customers }, () => randomUUID()),
  };
}

/** A temporary folder for a config file and a database, removed by `remove()`. */
export function scratchDir(): { readonly dir: string; config(config: ServerConfig): string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'usagebudget-server-test-'));
  return {
    dir,
    config(config) {
      const file = join(dir, `config-${randomUUID()}.json`);
      writeFileSync(file, JSON.stringify(config));
      return file;
    },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function budgetPath(customerId: string): string {
  return `/v1/customers/${customerId}/usagebudget`;
}

/**
 * One server process for a test file: started with `config` and `args(dir)` before its tests,
 * stopped (and its scratch folder removed) after them.
 */
export function useServer(
  config: ServerConfig,
  args: (dir: string) => readonly string[] = () => ['--db', ':memory:'],
): { readonly current: ServerProcess } {
  const scratch = scratchDir();
  let started: ServerProcess | undefined;
  beforeAll(async () => {
    started = await startServerProcess(['--config', scratch.config(config), ...args(scratch.dir)]);
  });
  afterAll(async () => {
    await started?.stop();
    scratch.remove();
  });
  return {
    get current() {
      if (!started) throw new Error('the server has not started: use it inside a test');
      return started;
    },
  };
}
