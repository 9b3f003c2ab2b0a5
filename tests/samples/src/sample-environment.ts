// What every sample and README block runs against: the reference server with the demo partner,
// and the environment a user would set, pointed at it.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { demoPartner, type ServerProcess, startServerProcess } from '@usagebudget/server/testing';

const require = createRequire(import.meta.url);
const cliManifestPath = require.resolve('@usagebudget/cli/package.json');
const cliManifest = require(cliManifestPath) as { bin: Record<string, string> };

export interface SampleEnvironment {
  readonly server: ServerProcess;
  /**
   * The whole environment of a sample: `PARTNER_CENTER_BASE_URL` (the server), `PARTNER_CENTER_TOKEN`
   * and `CUSTOMER_TENANT_ID` (the demo partner's), and a `PATH` on which `usagebudget` is the built CLI.
   */
  readonly env: NodeJS.ProcessEnv;
  /** Stops the server by its pid and removes the scratch folder. */
  close(): Promise<void>;
}

/** Starts the reference server (demo partner, fresh database, free port) and a scratch folder with the CLI on it. */
export async function startSampleEnvironment(): Promise<SampleEnvironment> {
  const binDir = await mkdtemp(join(tmpdir(), 'usagebudget-samples-'));
  let server: ServerProcess | undefined;
  try {
    // As `npm install --global @usagebudget/cli` would put it: `usagebudget` on PATH.
    const cli = join(dirname(cliManifestPath), cliManifest.bin.usagebudget as string);
    await writeFile(join(binDir, 'usagebudget'), `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`);
    await chmod(join(binDir, 'usagebudget'), 0o755);
    server = await startServerProcess();
  } catch (error) {
    await rm(binDir, { recursive: true, force: true });
    throw error;
  }
  const started = server;
  return {
    server: started,
    env: {
      PATH: `${binDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: binDir,
      NO_COLOR: '1',
      PARTNER_CENTER_BASE_URL: started.url,
      PARTNER_CENTER_TOKEN: demoPartner.token,
      CUSTOMER_TENANT_ID: demoPartner.customerId,
    },
    close: async () => {
      await started.stop();
      await rm(binDir, { recursive: true, force: true });
    },
  };
}
