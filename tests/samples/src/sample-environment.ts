// What every sample and README block runs against: the reference server with the demo partner,
// and the environment a user would set, pointed at it. For the webhook operations, whose state is
// the partner's one registration and its 2 test events a minute, the server also knows partners
// no sample has used yet, and a receiver on loopback takes the events it sends.
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  demoConfig,
  demoPartner,
  randomPartner,
  type ServerProcess,
  startServerProcess,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@usagebudget/server/testing';

const require = createRequire(import.meta.url);
const cliManifestPath = require.resolve('@usagebudget/cli/package.json');
const cliManifest = require(cliManifestPath) as { bin: Record<string, string> };

/** How many fresh partners the server knows: one per run of a webhook sample that needs its own, and spare. */
const FRESH_PARTNERS = 24;

export interface SampleEnvironment {
  readonly server: ServerProcess;
  /**
   * The whole environment of a sample: `PARTNER_CENTER_BASE_URL` (the server), `PARTNER_CENTER_TOKEN`
   * and `CUSTOMER_TENANT_ID` (the demo partner's), and a `PATH` on which `usagebudget` is the built CLI.
   */
  readonly env: NodeJS.ProcessEnv;
  /** A receiver on 127.0.0.1 the server may send events to (its allow-list is loopback); any path of its URL reaches it. */
  readonly receiver: WebhookReceiver;
  /**
   * The token of a partner of the server no sample has used yet: no webhook registration, no test
   * event sent. Each call gives another; throws once all are given.
   */
  freshPartnerToken(): string;
  /** Stops the server by its pid, closes the receiver and removes the scratch folder. */
  close(): Promise<void>;
}

/** Starts the reference server (demo partner, fresh partners, fresh database, free port), the receiver, and a scratch folder with the CLI on it. */
export async function startSampleEnvironment(): Promise<SampleEnvironment> {
  const binDir = await mkdtemp(join(tmpdir(), 'usagebudget-samples-'));
  const freshPartners = Array.from({ length: FRESH_PARTNERS }, (_, index) =>
    randomPartner(`Samples partner ${index + 1}`),
  );
  let server: ServerProcess | undefined;
  let receiver: WebhookReceiver | undefined;
  try {
    // As `npm install --global @usagebudget/cli` would put it: `usagebudget` on PATH.
    const cli = join(dirname(cliManifestPath), cliManifest.bin.usagebudget as string);
    await writeFile(join(binDir, 'usagebudget'), `#!/bin/sh\nexec '${process.execPath}' '${cli}' "$@"\n`);
    await chmod(join(binDir, 'usagebudget'), 0o755);
    server = await startServerProcess({ config: { partners: [...demoConfig.partners, ...freshPartners] } });
    receiver = await startWebhookReceiver();
  } catch (error) {
    await server?.stop();
    await rm(binDir, { recursive: true, force: true });
    throw error;
  }
  const started = server;
  const listening = receiver;
  const unused = freshPartners.map(({ tokens: [token] }) => token as string);
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
    receiver: listening,
    freshPartnerToken() {
      const token = unused.shift();
      if (token === undefined) throw new Error(`all ${FRESH_PARTNERS} fresh partners are used: raise FRESH_PARTNERS`);
      return token;
    },
    close: async () => {
      await started.stop();
      await listening.close();
      await rm(binDir, { recursive: true, force: true });
    },
  };
}
