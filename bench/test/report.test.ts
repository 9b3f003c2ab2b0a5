import { describe, expect, it } from 'vitest';
import type { BulkMethodFigures } from '../src/bulk-apply.js';
import type { VariantFigures } from '../src/client-overhead.js';
import { type Measurements, renderMarkdown, resultsOf, targetsTable } from '../src/report.js';
import { check } from '../src/stats.js';
import type { Scenario, ThroughputRun } from '../src/throughput.js';

const run = (requestsPerSecond: number): ThroughputRun => ({
  requestsPerSecond,
  p50Ms: 1,
  p99Ms: 3,
  responses: requestsPerSecond * 4,
  cpuPercent: 50,
  generatorCpuPercent: 80,
});

const scenario = (kind: Scenario['kind'], method: Scenario['method'], rps: number[]): Scenario => ({
  kind,
  server: kind,
  method,
  runs: rps.map(run),
});

const figure = (variant: VariantFigures['variant'], mode: VariantFigures['mode'], vsAxios: number): VariantFigures => ({
  variant,
  mode,
  rounds: [100],
  medianMicros: 100,
  vsAxios,
  vsNodeHttp: 1,
  cpuRounds: [80],
  medianCpuMicros: 80,
  cpuVsAxios: vsAxios,
});

const measurements: Measurements = {
  throughput: {
    settings: { rounds: 2, seconds: 4, warmupSeconds: 1, connections: 16 },
    scenarios: [
      scenario('reference', 'GET', [6000, 3000]),
      scenario('bare', 'GET', [10_000, 5000]),
      scenario('prism', 'GET', [500, 400]),
      scenario('mock', 'GET', [2000, 2000]),
      scenario('reference', 'PATCH', [2000, 1000]),
      scenario('bare', 'PATCH', [10_000, 5000]),
    ],
  },
  client: {
    concurrency: 16,
    rounds: 1,
    figures: [figure('UsageBudgetClient', 'sequential', 1.05), figure('UsageBudgetClient', 'concurrent', 1.2)],
  },
  bundle: { minifiedBytes: 11_000, gzipBytes: 4500, lazyChunks: [{ name: 'page-walk-AB12CD34.js', gzipBytes: 1000 }] },
  imports: {
    client: [120, 130, 140],
    axios: [110],
    'client, axios preloaded': [5],
    'client + first GET': [150],
  },
  ready: { 'stateful mock': [400, 600], 'static mock': [3000, 3600], 'Prism CLI': [2500, 3000] },
  eventLoop: {
    settings: { customers: 50_000, bigReads: 4, seconds: 10, intervalMs: 20 },
    idle: { requests: 500, p50Ms: 1.5, p99Ms: 12, maxMs: 20 },
    underBigReads: { requests: 500, p50Ms: 9, p99Ms: 120.25, maxMs: 130 },
    bigReadsDone: 16,
    bigReadMedianMs: 2800,
    bigReadBytes: 16_750_153,
  },
  bulk: {
    settings: { customers: 5000, rate: 200, memoryRows: [5000, 50_000] },
    methods: [
      { method: 'usagebudget apply', elapsed: 27.5, throttled: 3, failed: 0, lost: 0, twice: 0 },
      { method: 'apply, kill -9 halfway, rerun', elapsed: 30, throttled: 5, failed: 0, lost: 0, twice: 1 },
      { method: 'sequential SDK loop', elapsed: 50, throttled: 40, failed: 0, lost: 0, twice: 0 },
      { method: 'Promise.all over the SDK', elapsed: 4, throttled: 16_000, failed: 4200, lost: 4200, twice: 0 },
    ].map(({ method, elapsed, throttled, failed, lost, twice }) => ({
      method: method as BulkMethodFigures['method'],
      changes: 5000,
      elapsedSeconds: elapsed,
      floorSeconds: 25,
      vsFloor: elapsed / 25,
      throttled,
      failed,
      lost,
      appliedTwice: twice,
    })),
    guards: { secondRunExitCode: 8, otherServerExitCode: 0, otherServerApplied: 2 },
    memory: [
      { rows: 5000, heapCapMb: null, peakRssMb: 90, elapsedSeconds: 5 },
      { rows: 50_000, heapCapMb: null, peakRssMb: 180, elapsedSeconds: 40 },
      { rows: 5000, heapCapMb: 128, peakRssMb: 100, elapsedSeconds: 5 },
      { rows: 50_000, heapCapMb: 128, peakRssMb: 125, elapsedSeconds: 40 },
    ],
  },
  webhooks: {
    latency: {
      settings: { crossings: 1000, warmupCrossings: 20, intervalMs: 20, settleMs: 15_000 },
      delivery: { requests: 998, p50Ms: 6.25, p99Ms: 251.5, maxMs: 400 },
      patch: { requests: 1000, p50Ms: 2.5, p99Ms: 30, maxMs: 90 },
      deliveredBeforeAnswer: 3,
      missing: 2,
      extra: 1,
      unverified: 0,
    },
    verification: {
      settings: { rounds: 2, verificationsPerRound: 1000 },
      sdkPerSecond: [9000, 8000],
      cryptoPerSecond: [10_000, 10_000],
      medianSdkPerSecond: 8500,
      medianCryptoPerSecond: 10_000,
      ratio: 0.85,
    },
  },
  engines: {
    settings: {
      throughput: { rounds: 2, seconds: 2, warmupSeconds: 1, connections: 16 },
      throttle: { replicas: 3, rate: 50, seconds: 10, offeredPerReplica: 100 },
      projectedReplicas: [1, 2],
    },
    cores: 2,
    scenarios: [
      scenario('reference', 'GET', [6000, 3000]),
      {
        ...scenario('reference-postgres', 'GET', [4000, 1200]),
        runs: [4000, 1200].map((rps) => ({ ...run(rps), databaseCpuPercent: 20 })),
      },
      scenario('reference', 'PATCH', [2000, 1000]),
      {
        ...scenario('reference-postgres', 'PATCH', [1000, 400]),
        runs: [1000, 400].map((rps) => ({ ...run(rps), databaseCpuPercent: 40 })),
      },
    ],
    costs: [
      {
        engine: 'SQLite',
        method: 'GET',
        requestsPerSecond: 4500,
        rounds: [6000, 3000],
        serverMicrosPerRequest: 111,
        databaseMicrosPerRequest: 0,
      },
      {
        engine: 'PostgreSQL',
        method: 'PATCH',
        requestsPerSecond: 700,
        rounds: [1000, 400],
        serverMicrosPerRequest: 600,
        databaseMicrosPerRequest: 550,
      },
    ],
    projected: [{ method: 'PATCH', replicas: 2, requestsPerSecond: 1400 }],
    throttle: {
      replicas: 3,
      rate: 50,
      burst: 50,
      seconds: 10,
      offered: 300,
      accepted: 610,
      throttled: 2390,
      acceptedPerSecond: 56,
    },
  },
};

const machine = { date: '2025-01-01T00:00:00.000Z', node: 'v20.0.0', cpu: { model: 'Test CPU', cores: 2 } };
const results = resultsOf(machine, measurements);

describe('the checks', () => {
  const checks = Object.fromEntries(results.checks.map((each) => [each.name, each]));

  it('compares servers by the ratio of their req/s within each round', () => {
    expect(checks['server GET vs bare node:http (req/s)']).toMatchObject({ value: 0.6, met: true });
    expect(checks['server GET vs Prism mock (req/s)']).toMatchObject({ value: 9.75, met: false });
    expect(checks['server PATCH vs bare node:http (req/s)']).toMatchObject({ value: 0.2, met: false });
  });

  it("compares the mock's start-up with Prism's CLI, and its GETs with the server's, round by round", () => {
    expect(checks['stateful mock, time to ready vs Prism CLI']).toMatchObject({ value: 0.18, met: true });
    expect(checks['static mock, time to ready vs Prism CLI']).toMatchObject({ value: 1.2, met: true });
    expect(checks['stateful mock GET vs server GET (req/s)']?.value).toBeCloseTo(0.5, 5);
  });

  it('checks the facade per mode, the gzip size and the median import time', () => {
    expect(checks['UsageBudgetClient vs raw axios, sequential (time/call)']?.met).toBe(true);
    expect(checks['UsageBudgetClient vs raw axios, 16 concurrent (time/call)']?.met).toBe(false);
    expect(checks['client ESM entry, minified + gzip, axios external']).toMatchObject({ value: 4500, met: true });
    expect(checks['import the client in a fresh Node process (median)']).toMatchObject({ value: 130, met: false });
  });
});

describe('the event-loop check', () => {
  it("holds the small request's p99 under the big reads against 100 ms, next to its p99 alone", () => {
    const name =
      "another partner's GET /v1/customers?size=1 p99, under 4 reads of a 50,000-customer portfolio's usage records";
    expect(results.checks.find((each) => each.name === name)).toMatchObject({ value: 120.25, met: false });
    const markdown = renderMarkdown(results);
    expect(markdown).toContain(`| ${name} | 120.3 ms | <= 100.0 ms | **no** |`);
    expect(markdown).toContain('| alone | 500 | 1.5 | 12.0 | 20.0 |');
    expect(markdown).toContain('| under 4 big reads | 500 | 9.0 | 120.3 | 130.0 |');
  });
});

describe('the bulk checks', () => {
  const checks = Object.fromEntries(results.checks.map((each) => [each.name, each]));

  it("compares apply with the throttle's floor, counts what the CLI lost or applied twice, and compares memory", () => {
    expect(checks["usagebudget apply vs the throttle's floor (5000 changes at 200 req/s)"]).toMatchObject({
      value: 1.1,
      met: true,
    });
    // The SDK baselines' losses are reported, not held against the CLI.
    expect(
      checks[
        'usagebudget apply: updates lost or applied twice (incl. kill -9 and rerun, two runs at once, a run continued on another server)'
      ],
    ).toMatchObject({ value: 1, met: false });
    // The second run was refused (7); the run continued on another server was not (0), and applied 2 there.
    expect(
      checks[
        'usagebudget apply: runs not refused (a second run of a file under way: exit 8; a run continued on another server: exit 2)'
      ],
    ).toMatchObject({ value: 1, met: false });
    expect(checks['usagebudget apply: updates applied by the other server a run was continued on']).toMatchObject({
      value: 2,
      met: false,
    });
    // Held against the runs under one heap cap, not the uncapped pair (2x here).
    expect(checks['usagebudget apply peak RSS, 50000 vs 5000 rows (heap capped at 128 MB)']).toMatchObject({
      value: 1.25,
      met: false,
    });
  });

  it('shows each method next to the floor with its 429s, failures, losses and doubles', () => {
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('| Promise.all over the SDK | 4.0 | 25.0 | 0.16x | 16000 | 4200 | 4200 | 0 |');
    expect(markdown).toContain(
      '| usagebudget apply: updates lost or applied twice (incl. kill -9 and rerun, two runs at once, a run continued on another server) | 1 updates | <= 0 updates | **no** |',
    );
    expect(markdown).toContain('Two runs of one file at once: the second exited 8');
    expect(markdown).toContain('continued against another server with the same partner: exited 0');
    expect(markdown).toContain('| 50000 | default | 180.0 | 40.0 |');
    expect(markdown).toContain('| 50000 | capped at 128 MB | 125.0 | 40.0 |');
  });
});

describe('the webhook checks', () => {
  const checks = Object.fromEntries(results.checks.map((each) => [each.name, each]));

  it("holds the crossing-to-delivery p99 against 250 ms, counts every fault of delivery, and the verifier's ratio against 0.8", () => {
    expect(checks['webhook crossing-to-delivery p99 (1000 crossings, receiver on loopback)']).toMatchObject({
      value: 251.5,
      target: 250,
      met: false,
    });
    expect(
      checks['webhook crossings not delivered exactly once, verified (missing + extra + unverified)'],
    ).toMatchObject({ value: 3, met: false });
    expect(checks['webhook verifications per second, cached certificate, vs crypto.verify alone']).toMatchObject({
      value: 0.85,
      met: true,
    });
  });

  it('shows the latencies next to the PATCH round trip, what was delivered, and each round of verifications', () => {
    const markdown = renderMarkdown(results);
    expect(markdown).toContain(
      '| webhook crossing-to-delivery p99 (1000 crossings, receiver on loopback) | 251.5 ms | <= 250.0 ms | **no** |',
    );
    expect(markdown).toContain(
      '| webhook crossings not delivered exactly once, verified (missing + extra + unverified) | 3 events | <= 0 events | **no** |',
    );
    expect(markdown).toContain("| to the delivery's arrival | 998 | 6.3 | 251.5 | 400.0 |");
    expect(markdown).toContain("| to the PATCH's answer | 1000 | 2.5 | 30.0 | 90.0 |");
    expect(markdown).toContain("3 arrived before their PATCH's answer; missing 2, extra 1, unverified 0.");
    expect(markdown).toContain('| `createWebhookVerifier`, certificate cached | 8500 | 9000, 8000 |');
    expect(markdown).toContain('the ratio is the median of the per-round ratios: 0.85x.');
  });
});

describe('the engine checks', () => {
  const checks = Object.fromEntries(results.checks.map((each) => [each.name, each]));

  it('compares PostgreSQL with SQLite round by round, and the throttle across replicas with its configured rate', () => {
    // Rounds: 4000/6000 and 1200/3000, so the median of 0.67 and 0.4.
    expect(checks['server on PostgreSQL GET vs on SQLite (req/s, one replica each)']?.value).toBeCloseTo(0.5333, 3);
    expect(checks['server on PostgreSQL PATCH vs on SQLite (req/s, one replica each)']).toMatchObject({
      value: 0.45,
      met: false,
    });
    const throttle = checks['throttle across 3 replicas on PostgreSQL: accepted rate off the configured 50 req/s'];
    expect(throttle?.value).toBeCloseTo(12, 5);
    expect(throttle?.met).toBe(false);
  });

  it('shows CPU per request per engine, the projection and the throttle run', () => {
    const markdown = renderMarkdown(results);
    expect(markdown).toContain('| PATCH | PostgreSQL | 700 | 600 | 550 | 1150 | 1000, 400 |');
    expect(markdown).toContain('| PATCH | 2 | 1400 |');
    expect(markdown).toContain('| 3 | 50 | 50 | 10.00 | 300 | 610 | 2390 | 56.0 |');
  });
});

describe('targetsTable', () => {
  it('shows a missed figure that rounds to its target with the digits that tell them apart', () => {
    const table = targetsTable([
      check('ratio just under', 0.79984, 'x', 'at least', 0.8),
      check('ratio just over', 0.80004, 'x', 'at least', 0.8),
      check('latency just over', 250.04, 'ms', 'at most', 250),
    ]);
    expect(table).toContain('| ratio just under | 0.7998x | >= 0.80x | **no** |');
    expect(table).toContain('| ratio just over | 0.80x | >= 0.80x | yes |');
    expect(table).toContain('| latency just over | 250.040 ms | <= 250.0 ms | **no** |');
  });
});

describe('renderMarkdown', () => {
  const markdown = renderMarkdown(results);

  it('puts each figure next to its target and says whether it is met', () => {
    expect(markdown).toContain('| server GET vs bare node:http (req/s) | 0.60x | >= 0.50x | yes |');
    expect(markdown).toContain(
      '| client ESM entry, minified + gzip, axios external | 4.39 KB (4500 B) | <= 6.50 KB (6656 B) | yes |',
    );
    expect(markdown).toContain(
      '| import the client in a fresh Node process (median) | 130.0 ms | <= 50.0 ms | **no** |',
    );
  });

  it("lists the client's chunks loaded on first use apart from its entry", () => {
    expect(markdown).toContain('| loaded on first use: page-walk, minified + gzip -9 | 0.98 KB (1000 B) | 1 |');
  });

  it('shows the time to ready of every round', () => {
    expect(markdown).toContain('| static mock | 3300.0 ms | 3000, 3600 |');
  });

  it('shows every round behind a server median and names the machine', () => {
    expect(markdown).toContain('| GET | reference | 4500 | 1.00 | 3.00 | 50 | 9000 | 80 | 6000, 3000 |');
    expect(markdown).toMatch(/^Node v20\.0\.0 · Test CPU × 2 · 2025-01-01/);
  });
});
