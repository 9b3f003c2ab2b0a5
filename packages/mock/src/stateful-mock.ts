// The stateful mock: the reference server in memory, started from a seed, with the test controls
// in front of its API (`startServer({ extend })`). An ES module of its own, built apart and loaded
// only when a stateful mock starts (`startMock` imports it, from the CommonJS build too): the
// server and its SQLite load with it.
import { type ResolvedPartner, startServer, type WebhookTrust } from '@usagebudget/server';
import { demoConfig } from '@usagebudget/server/testing';
import type { MockWebhookOptions, StatefulMockOptions } from './mock-options.js';
import { seedFrom } from './seed-file.js';
import { checkJournalMaxBytes } from './test-controls/journal.js';
import { parseSeed } from './test-controls/seed.js';
import { createTestControls } from './test-controls/test-controls.js';

// The admin document, which the build writes to admin-openapi.json (scripts/admin-spec.mjs).
export { testControlsSpec } from './test-controls/admin-spec.js';

/** A stateful mock's server, listening. */
export interface StatefulServer {
  readonly url: string;
  /** The seed's first partner, with its defaults filled in. */
  readonly partner: ResolvedPartner;
  /** What a receiver of the mock's events trusts: its test root, organisation and certificate URL. */
  readonly webhooks: WebhookTrust;
  close(): Promise<void>;
}

/** The mock's webhook options as the server takes them. */
function serverWebhookOptions(options: MockWebhookOptions) {
  const { allow, firstRetryMs, maxRetryMs, timeoutMs } = options;
  const schedule = Object.fromEntries(
    Object.entries({ firstRetryMs, maxRetryMs, timeoutMs }).filter(([, value]) => value !== undefined),
  );
  return { ...(allow ? { allow } : {}), schedule };
}

/**
 * Starts the reference server in memory from the seed (checked first: a `ConfigError` names every
 * bad field), with the test controls in front of its API.
 */
export async function startStatefulServer(options: StatefulMockOptions): Promise<StatefulServer> {
  const { value, source } = await seedFrom(options.seed);
  const seed = parseSeed(value ?? demoConfig, source);
  if (options.journalMaxBytes !== undefined) checkJournalMaxBytes(options.journalMaxBytes);
  const running = await startServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    db: ':memory:',
    config: seed.config,
    extend: (server) =>
      createTestControls(
        { seed, journalMaxBytes: options.journalMaxBytes, allowedHosts: options.allowedHosts },
        server,
      ),
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
    ...(options.webhooks ? { webhooks: serverWebhookOptions(options.webhooks) } : {}),
  });
  return {
    url: running.url,
    partner: seed.config.partners[0] as ResolvedPartner,
    webhooks: running.webhooks,
    close: () => running.close(),
  };
}
