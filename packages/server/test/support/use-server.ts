import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { ServerConfig } from '../../src/partners/config-format.js';
import { type ServerProcess, type ServerProcessOptions, startServerProcess } from '../../src/testing/index.js';

/**
 * One server process for a test file: started with `config` and `options` before its tests,
 * stopped (its scratch folder with it) after them.
 */
export function useServer(
  config: ServerConfig,
  options: Omit<ServerProcessOptions, 'config'> = {},
): { readonly current: ServerProcess } {
  let started: ServerProcess | undefined;
  beforeAll(async () => {
    started = await startServerProcess({ config, ...options });
  });
  afterAll(async () => {
    await started?.stop();
  });
  return {
    get current() {
      if (!started) throw new Error('the server has not started: use it inside a test');
      return started;
    },
  };
}

/** A folder of the test's own, for databases that outlive one server process; `remove()` deletes it. */
export function scratchDir(): { readonly dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'usagebudget-server-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
