import type { BulkFigures } from './bulk-apply.js';
import type { Mode, Variant, VariantFigures } from './client-overhead.js';
import type { EngineFigures } from './engines.js';
import { type EventLoopFigures, eventLoopCheck, renderEventLoopMarkdown } from './event-loop.js';
import type { Method } from './load.js';
import type { ReadyProbe } from './ready.js';
import type { BenchServerKind } from './servers.js';
import type { BundleSize, ImportProbe } from './startup.js';
import { type Check, check, latencyRow, median, pairedRatio } from './stats.js';
import type { Scenario, ThroughputRun, ThroughputSettings } from './throughput.js';
import { type WebhookLatencyFigures, webhookLatencyChecks } from './webhook-latency.js';
import { type WebhookVerifyFigures, webhookVerifyCheck } from './webhook-verify.js';

export interface Measurements {
  readonly throughput: { readonly settings: ThroughputSettings; readonly scenarios: readonly Scenario[] };
  readonly client: {
    readonly concurrency: number;
    readonly rounds: number;
    readonly figures: readonly VariantFigures[];
  };
  readonly bundle: BundleSize;
  readonly imports: Readonly<Record<ImportProbe, readonly number[]>>;
  /** Milliseconds from spawn to ready, per round. */
  readonly ready: Readonly<Record<ReadyProbe, readonly number[]>>;
  readonly eventLoop: EventLoopFigures;
  readonly bulk: BulkFigures;
  readonly webhooks: WebhookFigures;
  readonly engines: EngineFigures;
}

/** The budget alert's figures: crossing to delivery on the reference server, and the SDK's verification. */
export interface WebhookFigures {
  readonly latency: WebhookLatencyFigures;
  readonly verification: WebhookVerifyFigures;
}

export interface Machine {
  readonly date: string;
  readonly node: string;
  readonly cpu: { readonly model: string; readonly cores: number };
}

export interface Results extends Machine, Measurements {
  readonly checks: readonly Check[];
  /** Per server and method, the medians over the rounds. */
  readonly serverMedians: readonly ServerMedians[];
}

export type ServerMedians = Pick<Scenario, 'kind' | 'server' | 'method'> & ReturnType<typeof summarize>;

/**
 * Medians over the rounds of a scenario. `requestsPerCpuSecond` is what the server answers per
 * second of its own CPU: when the shared cores keep it from running flat out, that still shows
 * what a request costs it.
 */
function summarize({ runs }: Pick<Scenario, 'runs'>) {
  const measured = runs.filter((run) => run.cpuPercent !== undefined) as (ThroughputRun & { cpuPercent: number })[];
  return {
    requestsPerSecond: median(runs.map((run) => run.requestsPerSecond)),
    p50Ms: median(runs.map((run) => run.p50Ms)),
    p99Ms: median(runs.map((run) => run.p99Ms)),
    cpuPercent: measured.length ? median(measured.map((run) => run.cpuPercent)) : undefined,
    requestsPerCpuSecond: measured.length
      ? median(measured.map((run) => (run.requestsPerSecond * 100) / run.cpuPercent))
      : undefined,
    generatorCpuPercent: median(runs.map((run) => run.generatorCpuPercent)),
  };
}

function runsOf(scenarios: readonly Scenario[], kind: BenchServerKind, method: Method): number[] {
  const scenario = scenarios.find((each) => each.kind === kind && each.method === method);
  if (!scenario) throw new Error(`no ${method} runs of the ${kind} server`);
  return scenario.runs.map((run) => run.requestsPerSecond);
}

function figureOf(figures: readonly VariantFigures[], variant: Variant, mode: Mode): VariantFigures {
  const figure = figures.find((each) => each.variant === variant && each.mode === mode);
  if (!figure) throw new Error(`no ${mode} figures of ${variant}`);
  return figure;
}

/** The bulk apply's targets: pace against the throttle's floor, nothing lost or twice, the runs that must refuse, flat memory. */
export function bulkChecksOf({ settings, methods, guards, memory }: BulkFigures): Check[] {
  const apply = methods.find((each) => each.method === 'usagebudget apply');
  if (!apply) throw new Error('no usagebudget apply run');
  const cli = methods.filter(
    (each) => each.method !== 'sequential SDK loop' && each.method !== 'Promise.all over the SDK',
  );
  const capped = memory.filter((each) => each.heapCapMb !== null);
  const [small, large] = capped;
  if (!small || !large) throw new Error('two memory runs under a heap cap are needed');
  return [
    check(
      `usagebudget apply vs the throttle's floor (${settings.customers} changes at ${settings.rate} req/s)`,
      apply.vsFloor,
      'x',
      'at most',
      1.15,
    ),
    check(
      'usagebudget apply: updates lost or applied twice (incl. kill -9 and rerun, two runs at once, a run continued on another server)',
      cli.reduce((sum, each) => sum + each.lost + each.appliedTwice, 0),
      'updates',
      'at most',
      0,
    ),
    check(
      'usagebudget apply: runs not refused (a second run of a file under way: exit 8; a run continued on another server: exit 2)',
      Number(guards.secondRunExitCode !== 8) + Number(guards.otherServerExitCode !== 2),
      'runs',
      'at most',
      0,
    ),
    check(
      'usagebudget apply: updates applied by the other server a run was continued on',
      guards.otherServerApplied,
      'updates',
      'at most',
      0,
    ),
    check(
      `usagebudget apply peak RSS, ${large.rows} vs ${small.rows} rows (heap capped at ${small.heapCapMb} MB)`,
      large.peakRssMb / small.peakRssMb,
      'x',
      'at most',
      1.2,
    ),
  ];
}

/** The bulk apply's figures as Markdown: each method next to the floor, then memory. */
export function renderBulkMarkdown(bulk: BulkFigures): string {
  const methods = table(
    ['method', 'elapsed s', 'floor s', 'vs floor', '429s', 'failed', 'lost', 'applied twice'],
    bulk.methods.map((each) => [
      each.method,
      each.elapsedSeconds.toFixed(1),
      each.floorSeconds.toFixed(1),
      `${each.vsFloor.toFixed(2)}x`,
      String(each.throttled),
      String(each.failed),
      String(each.lost),
      String(each.appliedTwice),
    ]),
  );
  const memory = table(
    ['rows', 'V8 heap', 'peak RSS MB', 'elapsed s'],
    bulk.memory.map((each) => [
      String(each.rows),
      each.heapCapMb === null ? 'default' : `capped at ${each.heapCapMb} MB`,
      each.peakRssMb.toFixed(1),
      each.elapsedSeconds.toFixed(1),
    ]),
  );
  const { secondRunExitCode, otherServerExitCode, otherServerApplied } = bulk.guards;
  return [
    `Bulk apply: ${bulk.settings.customers} customers on the reference server, per-partner throttle ` +
      `${bulk.settings.rate} req/s (burst ${bulk.settings.rate}); each method on a partner of its own; 429s from the ` +
      "server's access log, lost and twice from its record of applies.",
    '',
    methods,
    '',
    `Two runs of one file at once: the second exited ${secondRunExitCode ?? 'by a signal'} (8: refused, the file's lock held). ` +
      `A run killed halfway and continued against another server with the same partner: exited ${otherServerExitCode ?? 'by a signal'} ` +
      `(2: refused, its journal belongs to the first server), ${otherServerApplied} update(s) applied there; then continued on its own server.`,
    '',
    'Peak memory of `usagebudget apply` (the CLI process), every row a change, unthrottled server:',
    '',
    memory,
    '',
  ].join('\n');
}

/** The webhooks' targets: crossing-to-delivery p99, every crossing delivered once, the verifier's pace. */
export function webhookChecksOf({ latency, verification }: WebhookFigures): Check[] {
  return [...webhookLatencyChecks(latency), webhookVerifyCheck(verification)];
}

/** The webhooks' figures as Markdown: the latencies and what was delivered, then the verifications per second. */
export function renderWebhooksMarkdown({ latency, verification }: WebhookFigures): string {
  const { settings } = latency;
  const latencies = table(
    ["from the PATCH's send", 'crossings', 'p50 ms', 'p99 ms', 'max ms'],
    [latencyRow("to the delivery's arrival", latency.delivery), latencyRow("to the PATCH's answer", latency.patch)],
  );
  const verify = verification.settings;
  const paceRow = (name: string, medianPerSecond: number, rounds: readonly number[]) => [
    name,
    medianPerSecond.toFixed(0),
    rounds.map((each) => each.toFixed(0)).join(', '),
  ];
  const pace = table(
    ['verifier', 'verifications per CPU-second (median)', 'per round'],
    [
      paceRow(
        '`createWebhookVerifier`, certificate cached',
        verification.medianSdkPerSecond,
        verification.sdkPerSecond,
      ),
      paceRow('`crypto.verify` alone', verification.medianCryptoPerSecond, verification.cryptoPerSecond),
    ],
  );
  return [
    `Webhooks: ${settings.crossings} crossings on the reference server (after ${settings.warmupCrossings} for warm-up), ` +
      `each a customer's budget lowered below its cost by a PATCH, one PATCH at a time, at most one every ` +
      `${settings.intervalMs} ms, deliveries not waited for; deliveries to a node:http receiver on 127.0.0.1, ` +
      'verified with the SDK and matched to their PATCH by the time the server raised them; latency from the ' +
      `PATCH's send. ${latency.deliveredBeforeAnswer} arrived before their PATCH's answer; ` +
      `missing ${latency.missing}, extra ${latency.extra}, unverified ${latency.unverified}.`,
    '',
    latencies,
    '',
    `Verifying a delivery: ${verify.rounds} interleaved rounds of ${verify.verificationsPerRound} verifications each ` +
      `(after one for warm-up), per second of the bench process's CPU time; the ratio is the median of the per-round ratios: ` +
      `${verification.ratio.toFixed(2)}x.`,
    '',
    pace,
    '',
  ].join('\n');
}

/** The client's targets: its cost per call against raw axios, its entry's size and its import time. */
export function clientChecksOf({
  client,
  bundle,
  imports,
}: Pick<Measurements, 'client' | 'bundle' | 'imports'>): Check[] {
  return [
    check(
      'UsageBudgetClient vs raw axios, sequential (time/call)',
      figureOf(client.figures, 'UsageBudgetClient', 'sequential').vsAxios,
      'x',
      'at most',
      1.1,
    ),
    check(
      `UsageBudgetClient vs raw axios, ${client.concurrency} concurrent (time/call)`,
      figureOf(client.figures, 'UsageBudgetClient', 'concurrent').vsAxios,
      'x',
      'at most',
      1.1,
    ),
    // What `import` loads; the chunks the client loads on first use are listed apart (see
    // bench/README.md). 6.5 KB since the facade's twelve operations (6 KB for its first six).
    check('client ESM entry, minified + gzip, axios external', bundle.gzipBytes, 'B', 'at most', 6.5 * 1024),
    check('import the client in a fresh Node process (median)', median(imports.client), 'ms', 'at most', 50),
  ];
}

/** The targets, each figure a ratio measured in the same run where it compares two things. */
function checksOf({
  throughput,
  client,
  bundle,
  imports,
  ready,
  eventLoop,
  bulk,
  webhooks,
  engines,
}: Measurements): Check[] {
  const rps = (kind: BenchServerKind, method: Method) => runsOf(throughput.scenarios, kind, method);
  return [
    check(
      'stateful mock, time to ready vs Prism CLI',
      pairedRatio(ready['stateful mock'], ready['Prism CLI']),
      'x',
      'at most',
      0.5,
    ),
    check(
      'static mock, time to ready vs Prism CLI',
      pairedRatio(ready['static mock'], ready['Prism CLI']),
      'x',
      'at most',
      1.25,
    ),
    check(
      'stateful mock GET vs server GET (req/s)',
      pairedRatio(rps('mock', 'GET'), rps('reference', 'GET')),
      'x',
      'at least',
      0.5,
    ),
    check(
      'server GET vs bare node:http (req/s)',
      pairedRatio(rps('reference', 'GET'), rps('bare', 'GET')),
      'x',
      'at least',
      0.5,
    ),
    check(
      'server GET vs Prism mock (req/s)',
      pairedRatio(rps('reference', 'GET'), rps('prism', 'GET')),
      'x',
      'at least',
      10,
    ),
    check(
      'server PATCH vs bare node:http (req/s)',
      pairedRatio(rps('reference', 'PATCH'), rps('bare', 'PATCH')),
      'x',
      'at least',
      0.25,
    ),
    ...clientChecksOf({ client, bundle, imports }),
    eventLoopCheck(eventLoop),
    ...bulkChecksOf(bulk),
    ...webhookChecksOf(webhooks),
    ...engineChecksOf(engines),
  ];
}

export function resultsOf(machine: Machine, measurements: Measurements): Results {
  return {
    ...machine,
    checks: checksOf(measurements),
    serverMedians: measurements.throughput.scenarios.map(({ kind, server, method, ...runs }) => ({
      kind,
      server,
      method,
      ...summarize(runs),
    })),
    ...measurements,
  };
}

function format(value: number, unit: string): string {
  if (unit === 'x') return `${value.toFixed(2)}x`;
  if (unit === 'updates' || unit === 'runs' || unit === 'events') return `${value} ${unit}`;
  if (unit === 'B') return `${(value / 1024).toFixed(2)} KB (${value} B)`;
  return `${value.toFixed(1)} ${unit}`;
}

const fixed = (value: number | undefined, digits: number) => (value === undefined ? 'n/a' : value.toFixed(digits));

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * A check's figure as the table shows it: with more digits when rounding would show a missed
 * target's figure equal to the target (0.7996x against 0.80x, not 0.80x against 0.80x).
 */
function measured({ value, unit, target, met }: Check): string {
  const shown = format(value, unit);
  if (met || shown !== format(target, unit)) return shown;
  return unit === 'x' ? `${value.toFixed(4)}x` : `${value.toFixed(3)} ${unit}`;
}

/** Figures next to their targets, as a Markdown table. */
export function targetsTable(checks: readonly Check[]): string {
  return table(
    ['figure', 'measured', 'target', 'met'],
    checks.map((each) => [
      each.name,
      measured(each),
      `${each.bound === 'at least' ? '>=' : '<='} ${format(each.target, each.unit)}`,
      each.met ? 'yes' : '**no**',
    ]),
  );
}

/** The client's figures as Markdown: its cost per call next to the other clients', its bundle and start-up. */
export function renderClientMarkdown({
  client,
  bundle,
  imports,
}: Pick<Measurements, 'client' | 'bundle' | 'imports'>): string {
  const clients = table(
    ['client', 'mode', 'µs/call', 'vs raw axios', 'vs node:http', 'client CPU µs/call', 'CPU vs raw axios'],
    client.figures.map((figure) => [
      figure.variant,
      figure.mode === 'concurrent' ? `${client.concurrency} concurrent` : 'sequential',
      figure.medianMicros.toFixed(0),
      `${figure.vsAxios.toFixed(2)}x`,
      `${figure.vsNodeHttp.toFixed(2)}x`,
      figure.medianCpuMicros.toFixed(0),
      `${figure.cpuVsAxios.toFixed(2)}x`,
    ]),
  );
  const startup = table(
    ['figure', 'median', 'runs'],
    [
      ['client ESM entry, minified (esbuild, axios external)', format(bundle.minifiedBytes, 'B'), '1'],
      ['client ESM entry, minified + gzip -9', format(bundle.gzipBytes, 'B'), '1'],
      ...bundle.lazyChunks.map(({ name, gzipBytes }) => [
        `loaded on first use: ${name.replace(/(-[A-Z0-9]{8})+\.js$/, '')}, minified + gzip -9`,
        format(gzipBytes, 'B'),
        '1',
      ]),
      ...Object.entries(imports).map(([probe, runs]) => [
        `import: ${probe}`,
        format(median(runs), 'ms'),
        String(runs.length),
      ]),
    ],
  );
  return [
    `Client overhead: GET against the bare node:http server (its own process), keep-alive, ` +
      `median of ${client.rounds} interleaved rounds; ratios are medians of per-round ratios.`,
    '',
    clients,
    '',
    'Bundle and start-up: import time is measured inside a fresh node process around `await import()`.',
    '',
    startup,
  ].join('\n');
}

/** The engines' targets: PostgreSQL against SQLite with one replica each, and the throttle across replicas. */
export function engineChecksOf({ scenarios, throttle }: EngineFigures): Check[] {
  const rps = (kind: BenchServerKind, method: Method) => runsOf(scenarios, kind, method);
  return [
    check(
      'server on PostgreSQL GET vs on SQLite (req/s, one replica each)',
      pairedRatio(rps('reference-postgres', 'GET'), rps('reference', 'GET')),
      'x',
      'at least',
      0.5,
    ),
    check(
      'server on PostgreSQL PATCH vs on SQLite (req/s, one replica each)',
      pairedRatio(rps('reference-postgres', 'PATCH'), rps('reference', 'PATCH')),
      'x',
      'at least',
      0.5,
    ),
    check(
      `throttle across ${throttle.replicas} replicas on PostgreSQL: accepted rate off the configured ${throttle.rate} req/s`,
      Math.abs(throttle.acceptedPerSecond / throttle.rate - 1) * 100,
      '%',
      'at most',
      10,
    ),
  ];
}

/** The engines' figures as Markdown: throughput and CPU per request side by side, the projection, the throttle. */
export function renderEnginesMarkdown({ settings, cores, costs, projected, throttle }: EngineFigures): string {
  const { throughput } = settings;
  const engines = table(
    ['method', 'engine', 'req/s', 'server CPU µs/req', 'database CPU µs/req', 'total CPU µs/req', 'req/s per round'],
    costs.map((cost) => [
      cost.method,
      cost.engine,
      cost.requestsPerSecond.toFixed(0),
      fixed(cost.serverMicrosPerRequest, 0),
      fixed(cost.databaseMicrosPerRequest, 0),
      fixed(
        cost.serverMicrosPerRequest === undefined || cost.databaseMicrosPerRequest === undefined
          ? undefined
          : cost.serverMicrosPerRequest + cost.databaseMicrosPerRequest,
        0,
      ),
      cost.rounds.map((rps) => rps.toFixed(0)).join(', '),
    ]),
  );
  const projection = table(
    ['method', 'replicas', 'projected req/s'],
    projected.map((each) => [each.method, String(each.replicas), each.requestsPerSecond.toFixed(0)]),
  );
  const limit = table(
    [
      'replicas',
      'configured req/s',
      'burst',
      'seconds',
      'offered req/s',
      'accepted',
      '429',
      'accepted req/s after the burst',
    ],
    [
      [
        String(throttle.replicas),
        String(throttle.rate),
        String(throttle.burst),
        throttle.seconds.toFixed(2),
        String(throttle.offered),
        String(throttle.accepted),
        String(throttle.throttled),
        throttle.acceptedPerSecond.toFixed(1),
      ],
    ],
  );
  return [
    `Engines: the reference server on SQLite (a file, WAL) and on PostgreSQL (\`startPostgres\`, default settings, fsync on), ` +
      `one process each, autocannon with ${throughput.connections} connections, ${throughput.rounds} interleaved rounds of ` +
      `${throughput.seconds} s; CPU from /proc (the server's process; PostgreSQL's postmaster and backends), medians.`,
    '',
    engines,
    '',
    `Projected throughput of N replicas on one PostgreSQL on this machine (${cores} cores): ` +
      "min(N × one replica's rate, cores ÷ (server + database CPU per request)); reported, not targeted (the load generator shares the cores).",
    '',
    projection,
    '',
    `Throttle across replicas: ${throttle.replicas} server processes on one PostgreSQL database with \`--rate-limit ${throttle.rate}\`, ` +
      `GETs of one partner offered at ${settings.throttle.offeredPerReplica} req/s to each for ${settings.throttle.seconds} s; ` +
      'seconds: from the first answer to the last.',
    '',
    limit,
  ].join('\n');
}

/** The whole report as Markdown: targets first, then the figures behind them. */
export function renderMarkdown(results: Results): string {
  const { throughput, client, bundle, imports, ready, eventLoop, bulk, webhooks, engines } = results;
  const { settings } = throughput;
  const targets = targetsTable(results.checks);
  const servers = table(
    [
      'method',
      'server',
      'req/s',
      'p50 ms',
      'p99 ms',
      'server CPU %',
      'req per server CPU-s',
      'load gen CPU %',
      'req/s per round',
    ],
    results.serverMedians.map((medians, index) => [
      medians.method,
      medians.server,
      medians.requestsPerSecond.toFixed(0),
      medians.p50Ms.toFixed(2),
      medians.p99Ms.toFixed(2),
      fixed(medians.cpuPercent, 0),
      fixed(medians.requestsPerCpuSecond, 0),
      medians.generatorCpuPercent.toFixed(0),
      (throughput.scenarios[index]?.runs ?? []).map((run) => run.requestsPerSecond.toFixed(0)).join(', '),
    ]),
  );
  const readiness = table(
    ['started', 'median', 'runs (ms)'],
    Object.entries(ready).map(([probe, runs]) => [
      probe,
      format(median(runs), 'ms'),
      runs.map((each) => each.toFixed(0)).join(', '),
    ]),
  );
  return [
    `Node ${results.node} · ${results.cpu.model} × ${results.cpu.cores} · ${results.date}`,
    '',
    targets,
    '',
    `Server throughput: autocannon in the bench process, ${settings.connections} connections, ` +
      `${settings.rounds} interleaved rounds of ${settings.seconds} s per scenario, medians; ratios are medians of per-round ratios.`,
    '',
    servers,
    '',
    renderClientMarkdown({ client, bundle, imports }),
    '',
    'Time to ready: from spawning the process to its ready line (its port then answers), interleaved rounds; ' +
      'the mock through its bin (`usagebudget-mock`, `--mode static` runs Prism as a child), Prism through its own CLI.',
    '',
    readiness,
    '',
    renderEventLoopMarkdown(eventLoop),
    '',
    renderBulkMarkdown(bulk),
    '',
    renderWebhooksMarkdown(webhooks),
    '',
    renderEnginesMarkdown(engines),
  ].join('\n');
}
