// A script of a test run as a process of its own that trusts the test authority's CA (Node reads
// NODE_EXTRA_CA_CERTS at start only), where @azure/identity's credentials sign the client in.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { TestAuthority } from '@usagebudget/server/testing';

/** What a script imports, as file URLs: @azure/identity as this package resolves it, and the client's build. */
export const scriptImports = {
  identity: pathToFileURL(createRequire(import.meta.url).resolve('@azure/identity')).href,
  client: pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'index.js')).href,
};

/** Writes `source` as `<name>.mjs` in the authority's folder; returns its path. */
export function writeScript(authority: TestAuthority, name: string, source: string): string {
  const path = join(authority.folder, `${name}.mjs`);
  writeFileSync(path, source);
  return path;
}

/**
 * Runs a script with Node, trusting the authority's CA, its URL in `AUTHORITY` and `env` besides
 * (`AZURE_LOG_LEVEL` passes through, for debugging); resolves with its stdout.
 */
export async function runScript(path: string, authority: TestAuthority, env: Record<string, string>): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path], {
    env: {
      PATH: process.env.PATH ?? '',
      AZURE_LOG_LEVEL: process.env.AZURE_LOG_LEVEL ?? '',
      NODE_EXTRA_CA_CERTS: authority.caFile,
      AUTHORITY: authority.url,
      ...env,
    },
    timeout: 60_000,
  });
  return stdout;
}
