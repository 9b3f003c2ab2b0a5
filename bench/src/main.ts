import { renameSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { measureBulkApply } from './bulk-apply.js';
import { measureClientOverhead } from './client-overhead.js';
import { measureEngines } from './engines.js';
import { measureEventLoop } from './event-loop.js';
import { measureTimeToReady } from './ready.js';
import {
  bulkChecksOf,
  clientChecksOf,
  engineChecksOf,
  renderBulkMarkdown,
  renderClientMarkdown,
  renderEnginesMarkdown,
  renderMarkdown,
  renderWebhooksMarkdown,
  resultsOf,
  targetsTable,
  type WebhookFigures,
  webhookChecksOf,
} from './report.js';
import { budgetPath, sdkHeaders } from './requests.js';
import {
  type BenchServer,
  startBareServer,
  startPrismMock,
  startReferenceServer,
  startStatefulMock,
} from './servers.js';
import { measureBundle, measureImports } from './startup.js';
import type { Check } from './stats.js';
import { measureThroughput } from './throughput.js';
import { measureWebhookLatency } from './webhook-latency.js';
import { measureWebhookVerification } from './webhook-verify.js';

const USAGE = `Usage: node bench/dist/main.js [--quick] [--bulk | --client | --webhooks | --engines]

Measures the reference server, the mock, the client and its bundle side by side, the bulk apply of
a portfolio's budgets and the webhooks; prints a Markdown report and writes bench/results.json.
--quick runs short rounds as a smoke test and writes no results file; --bulk runs only the bulk
apply, --client only the client's figures (its cost per call, its bundle and import time),
--webhooks only the webhooks' (crossing-to-delivery latency, verifications per second), --engines
only the server on PostgreSQL beside SQLite (GET and PATCH, CPU per request, the throttle across 3
replicas), and none of them writes a file.`;

// The whole bench must end in time even if a server hangs: every load is bounded, and this is the backstop.
const DEADLINE_MS = 900_000;

const FULL = {
  throughput: { rounds: 5, seconds: 2, warmupSeconds: 1, connections: 16 },
  client: { rounds: 15, sequentialCalls: 150, concurrentCalls: 500, concurrency: 16 },
  // 4 reads of a 50,000-customer portfolio's usage records (17 MB each) under a small request every 20 ms.
  eventLoop: { customers: 50_000, bigReads: 4, seconds: 10, intervalMs: 20 },
  importRuns: 7,
  readyRounds: 3,
  // 5,000 changes at 200 requests a second: a 25 s floor per run.
  bulk: { customers: 5000, rate: 200, memoryRows: [5000, 50_000] as const },
  // 1,000 crossings, one every 20 ms: a 20 s floor.
  webhookLatency: { crossings: 1000, warmupCrossings: 20, intervalMs: 20, settleMs: 15_000 },
  webhookVerify: { rounds: 15, verificationsPerRound: 2000 },
  engines: {
    throughput: { rounds: 5, seconds: 2, warmupSeconds: 1, connections: 16 },
    throttle: { replicas: 3, rate: 50, seconds: 10, offeredPerReplica: 100 },
    projectedReplicas: [1, 2, 3, 4],
  },
};
const QUICK = {
  throughput: { rounds: 2, seconds: 1, warmupSeconds: 0.5, connections: 16 },
  client: { rounds: 2, sequentialCalls: 100, concurrentCalls: 200, concurrency: 16 },
  eventLoop: { customers: 10_000, bigReads: 4, seconds: 3, intervalMs: 20 },
  importRuns: 3,
  readyRounds: 1,
  bulk: { customers: 500, rate: 100, memoryRows: [500, 5000] as const },
  webhookLatency: { crossings: 100, warmupCrossings: 10, intervalMs: 20, settleMs: 15_000 },
  // Rounds as long as the full run's: shorter ones measure the verifier before the JIT has optimized it.
  webhookVerify: { rounds: 3, verificationsPerRound: 2000 },
  engines: {
    throughput: { rounds: 2, seconds: 1, warmupSeconds: 0.5, connections: 16 },
    throttle: { replicas: 3, rate: 50, seconds: 4, offeredPerReplica: 100 },
    projectedReplicas: [1, 2, 3, 4],
  },
};

const startedAt = performance.now();
const progress = (line: string) =>
  process.stderr.write(`bench ${((performance.now() - startedAt) / 1000).toFixed(0).padStart(3)} s: ${line}\n`);

/** The body the reference server answers a GET with, for the bare server to answer too. */
async function budgetJson(reference: BenchServer): Promise<string> {
  const response = await fetch(`${reference.origin}${budgetPath}`, { headers: sdkHeaders() });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`reference server answered GET with ${response.status}: ${body}`);
  return body;
}

/** The client's figures alone: the reference server only gives the bare server its body, then stops. */
async function measureClientOnly(settings: typeof FULL | typeof QUICK) {
  const reference = await startReferenceServer();
  let body: string;
  try {
    body = await budgetJson(reference);
  } finally {
    await reference.stop();
  }
  const bare = await startBareServer(body);
  try {
    progress('bundle size and import time');
    const bundle = await measureBundle();
    const imports = await measureImports(settings.importRuns, bare.origin);
    const figures = await measureClientOverhead(bare.origin, settings.client, progress);
    return {
      client: { concurrency: settings.client.concurrency, rounds: settings.client.rounds, figures },
      bundle,
      imports,
    };
  } finally {
    await bare.stop();
  }
}

/** The webhooks' figures, one after the other: the latency first, its servers stopped before the verifier's rounds. */
async function measureWebhooks(settings: typeof FULL | typeof QUICK): Promise<WebhookFigures> {
  const latency = await measureWebhookLatency(settings.webhookLatency, progress);
  const verification = await measureWebhookVerification(settings.webhookVerify, progress);
  return { latency, verification };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      bulk: { type: 'boolean', default: false },
      client: { type: 'boolean', default: false },
      webhooks: { type: 'boolean', default: false },
      engines: { type: 'boolean', default: false },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const settings = values.quick ? QUICK : FULL;
  const deadline = setTimeout(() => {
    progress(`gave up after ${DEADLINE_MS / 1000} s`);
    process.exit(1); // the process helper's exit hook kills the servers by pid
  }, DEADLINE_MS);
  deadline.unref();

  // One section alone: its targets, then its report.
  const section = async <T>(
    measure: () => Promise<T>,
    checks: (figures: T) => Check[],
    render: (figures: T) => string,
  ) => {
    const figures = await measure();
    process.stdout.write(`${targetsTable(checks(figures))}\n\n${render(figures)}`);
  };
  let alone: (() => Promise<void>) | undefined;
  if (values.client) {
    alone = () =>
      section(
        () => measureClientOnly(settings),
        clientChecksOf,
        (client) => `${renderClientMarkdown(client)}\n`,
      );
  } else if (values.webhooks) {
    alone = () => section(() => measureWebhooks(settings), webhookChecksOf, renderWebhooksMarkdown);
  } else if (values.engines) {
    alone = () =>
      section(
        () => measureEngines(settings.engines, progress),
        engineChecksOf,
        (engines) => `${renderEnginesMarkdown(engines)}\n`,
      );
  } else if (values.bulk) {
    alone = () => section(() => measureBulkApply(settings.bulk, progress), bulkChecksOf, renderBulkMarkdown);
  }
  if (alone) {
    try {
      await alone();
    } finally {
      clearTimeout(deadline);
    }
    return;
  }

  const running: BenchServer[] = [];
  try {
    // Start-up times first, while nothing else runs.
    const ready = await measureTimeToReady(settings.readyRounds, progress);

    progress('starting the reference server, Prism, the stateful mock and the bare server');
    const started = await Promise.allSettled([startReferenceServer(), startPrismMock(), startStatefulMock()]);
    for (const each of started) if (each.status === 'fulfilled') running.push(each.value);
    for (const each of started) if (each.status === 'rejected') throw each.reason;
    const [reference, prism, mock] = running as [BenchServer, BenchServer, BenchServer];
    const bare = await startBareServer(await budgetJson(reference));
    running.push(bare);

    // Start-up first, while the servers sit idle.
    progress('bundle size and import time');
    const bundle = await measureBundle();
    const imports = await measureImports(settings.importRuns, bare.origin);

    const scenarios = await measureThroughput(
      [
        ...[reference, bare, prism, mock].map((server) => ({ server, method: 'GET' as const })),
        ...[reference, bare, prism].map((server) => ({ server, method: 'PATCH' as const })),
      ],
      settings.throughput,
      progress,
    );
    // The client rounds need one server only; the others would just compete for the CPU.
    await Promise.all([reference.stop(), prism.stop(), mock.stop()]);

    const figures = await measureClientOverhead(bare.origin, settings.client, progress);
    await bare.stop();
    // Alone too: the small request's latency is the figure.
    const eventLoop = await measureEventLoop(settings.eventLoop, progress);
    // Alone as well: the latency is the figure, and the verifier's rounds are timed by this process's CPU.
    const webhooks = await measureWebhooks(settings);
    // Alone: its servers and PostgreSQL load the cores, and its throttle's accuracy is timed.
    const engines = await measureEngines(settings.engines, progress);
    // Last, alone on the machine: its servers are throttled, and its timing is the figure.
    const bulk = await measureBulkApply(settings.bulk, progress);
    const measurements = {
      throughput: { settings: settings.throughput, scenarios },
      client: { concurrency: settings.client.concurrency, rounds: settings.client.rounds, figures },
      bundle,
      imports,
      ready,
      eventLoop,
      bulk,
      webhooks,
      engines,
    };
    const cpu = cpus();
    const machine = {
      date: new Date().toISOString(),
      node: process.version,
      cpu: { model: cpu[0]?.model.trim() ?? 'unknown', cores: cpu.length },
    };
    const results = resultsOf(machine, measurements);
    process.stdout.write(renderMarkdown(results));
    if (!values.quick) {
      const file = new URL('../results.json', import.meta.url);
      const temporary = new URL('../results.json.tmp', import.meta.url);
      writeFileSync(temporary, `${JSON.stringify(results, null, 2)}\n`);
      renameSync(temporary, file);
      progress('wrote bench/results.json');
    }
  } finally {
    // Stopping the reference server removes its database too.
    await Promise.all(running.map((server) => server.stop()));
    clearTimeout(deadline);
  }
}

// Ctrl-C must still stop the servers: exiting runs the process helper's hook that kills them by pid.
process.once('SIGINT', () => process.exit(130));
main().catch((error: unknown) => {
  process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
