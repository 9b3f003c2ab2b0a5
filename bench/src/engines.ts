// The reference server on its two engines side by side (issue 24): GET and durable PATCH
// throughput with one replica each, CPU per request (the server's and PostgreSQL's processes),
// the projected throughput of N replicas from it, and the throttle's accuracy across 3 replicas
// on one PostgreSQL database.
import { cpus } from 'node:os';
import { type StartedPostgres, startPostgres } from '@usagebudget/server/testing';
import autocannon from 'autocannon';
import { budgetPath, sdkHeaders } from './requests.js';
import { type BenchServer, startReferenceServer } from './servers.js';
import { median } from './stats.js';
import { measureThroughput, type Scenario, type ThroughputSettings } from './throughput.js';

export interface EngineSettings {
  readonly throughput: ThroughputSettings;
  readonly throttle: {
    readonly replicas: number;
    /** The partner's configured rate (`--rate-limit`), requests a second; the burst is the server's default (= rate). */
    readonly rate: number;
    readonly seconds: number;
    /** What the load offers each replica, requests a second: well above its share of the rate. */
    readonly offeredPerReplica: number;
  };
  /** The replica counts whose throughput is projected. */
  readonly projectedReplicas: readonly number[];
}

/** One engine's method: CPU per request is the medians over the rounds, in µs. */
export interface EngineCost {
  readonly engine: 'SQLite' | 'PostgreSQL';
  readonly method: 'GET' | 'PATCH';
  readonly requestsPerSecond: number;
  /** req/s of each round, in round order. */
  readonly rounds: readonly number[];
  readonly serverMicrosPerRequest: number | undefined;
  /** PostgreSQL's processes (the postmaster and every backend); 0 on SQLite, which runs in the server's process. */
  readonly databaseMicrosPerRequest: number | undefined;
}

export interface ThrottleAccuracy {
  readonly replicas: number;
  readonly rate: number;
  readonly burst: number;
  /** From the first answer to the last, on this process's clock: the time the load lasted. */
  readonly seconds: number;
  readonly offered: number;
  readonly accepted: number;
  readonly throttled: number;
  /** (accepted − burst) ÷ seconds: the rate the replicas together let through once the burst was spent. */
  readonly acceptedPerSecond: number;
}

export interface EngineFigures {
  readonly settings: EngineSettings;
  readonly cores: number;
  /** SQLite and PostgreSQL, GET then PATCH, interleaved rounds. */
  readonly scenarios: readonly Scenario[];
  readonly costs: readonly EngineCost[];
  /** PostgreSQL's PATCH and GET: min(N × one replica's rate, cores ÷ CPU per request), per N. */
  readonly projected: readonly {
    readonly method: 'GET' | 'PATCH';
    readonly replicas: number;
    readonly requestsPerSecond: number;
  }[];
  readonly throttle: ThrottleAccuracy;
}

const engineOf = (scenario: Scenario): EngineCost['engine'] =>
  scenario.kind === 'reference-postgres' ? 'PostgreSQL' : 'SQLite';

function costOf(scenario: Scenario): EngineCost {
  const perRequest = (percent: number | undefined, rps: number) =>
    percent === undefined ? undefined : (percent / 100 / rps) * 1e6;
  const server = scenario.runs.map((run) => perRequest(run.cpuPercent, run.requestsPerSecond));
  const database = scenario.runs.map((run) =>
    scenario.kind === 'reference-postgres' ? perRequest(run.databaseCpuPercent, run.requestsPerSecond) : 0,
  );
  const medianOf = (values: (number | undefined)[]) =>
    values.every((value) => value !== undefined) ? median(values as number[]) : undefined;
  return {
    engine: engineOf(scenario),
    method: scenario.method,
    requestsPerSecond: median(scenario.runs.map((run) => run.requestsPerSecond)),
    rounds: scenario.runs.map((run) => run.requestsPerSecond),
    serverMicrosPerRequest: medianOf(server),
    databaseMicrosPerRequest: medianOf(database),
  };
}

/**
 * Sends `offered` requests a second to each replica for `seconds` (GETs of the same partner, which
 * the throttle counts like any request) and counts the 2xx and the 429 answers; anything else
 * fails the run.
 */
async function offerLoad(
  replicas: readonly BenchServer[],
  offered: number,
  seconds: number,
): Promise<{ accepted: number; throttled: number; windowSeconds: number }> {
  let accepted = 0;
  let throttled = 0;
  let first: number | undefined;
  let last = 0;
  const runs = replicas.map(
    (replica) =>
      new Promise<void>((resolve, reject) => {
        const other: number[] = [];
        const instance = autocannon(
          {
            url: replica.origin,
            connections: 4,
            overallRate: offered,
            duration: seconds,
            timeout: 10,
            requests: [
              { method: 'GET', path: budgetPath, setupRequest: (request) => ({ ...request, headers: sdkHeaders() }) },
            ],
          },
          (error: unknown, result) => {
            if (error) return reject(error);
            if (result.errors > 0 || other.length > 0) {
              return reject(
                new Error(`throttle load on ${replica.origin}: ${result.errors} errors, statuses ${other.join(', ')}`),
              );
            }
            resolve();
          },
        );
        instance.on('response', (_client, statusCode) => {
          last = performance.now();
          first ??= last;
          if (statusCode >= 200 && statusCode < 300) accepted++;
          else if (statusCode === 429) throttled++;
          else other.push(statusCode);
        });
      }),
  );
  await Promise.all(runs);
  return { accepted, throttled, windowSeconds: first === undefined ? 0 : (last - first) / 1000 };
}

/** The throttle across replicas: `replicas` server processes on one database, the partner limited to `rate`. */
async function measureThrottle(
  postgres: StartedPostgres,
  settings: EngineSettings['throttle'],
  progress: (line: string) => void,
): Promise<ThrottleAccuracy> {
  const url = await postgres.createDatabase('bench_throttle');
  const pid = postgres.pid();
  if (pid === undefined) throw new Error('PostgreSQL is not running');
  const replicas: BenchServer[] = [];
  try {
    // One after another: the first migrates, the others find the schema done.
    for (let index = 0; index < settings.replicas; index++) {
      replicas.push(
        await startReferenceServer({ postgres: { url, pid }, args: ['--rate-limit', String(settings.rate)] }),
      );
    }
    progress(`throttle: ${settings.replicas} replicas at --rate-limit ${settings.rate}, ${settings.seconds} s`);
    const { accepted, throttled, windowSeconds } = await offerLoad(
      replicas,
      settings.offeredPerReplica,
      settings.seconds,
    );
    const burst = Math.max(1, Math.ceil(settings.rate));
    return {
      replicas: settings.replicas,
      rate: settings.rate,
      burst,
      seconds: windowSeconds,
      offered: settings.offeredPerReplica * settings.replicas,
      accepted,
      throttled,
      acceptedPerSecond: (accepted - burst) / windowSeconds,
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.stop()));
  }
}

/**
 * How many of the demo partner's customers the engines' PATCHes go to, in turn. A partner sets
 * the budgets of many customers (`apply` spreads a portfolio), so the PATCH figure is of writes
 * spread over customers: PATCHes of one customer from 16 connections would measure one row's lock,
 * which PostgreSQL holds until each commit's WAL flush (0.26x SQLite on one customer, 0.53-0.55x
 * spread over 64, measured ad hoc), while SQLite has no row locks and no flush per commit.
 */
const PATCHED_CUSTOMERS = 64;

/** The first `count` customers of the demo partner, from the server's own list (one page). */
async function portfolioCustomers(server: BenchServer, count: number): Promise<string[]> {
  const response = await fetch(`${server.origin}/v1/customers?size=${count}`, { headers: sdkHeaders() });
  if (!response.ok) throw new Error(`the customer list answered ${response.status}`);
  const { items } = (await response.json()) as { items: { id: string }[] };
  if (items.length !== count) throw new Error(`the customer list gave ${items.length} customers, not ${count}`);
  return items.map(({ id }) => id);
}

/** The engines side by side, then the throttle across replicas; every process stopped by its pid at the end. */
export async function measureEngines(
  settings: EngineSettings,
  progress: (line: string) => void,
): Promise<EngineFigures> {
  progress('engines: starting PostgreSQL');
  const postgres = await startPostgres();
  const running: BenchServer[] = [];
  try {
    const pid = postgres.pid();
    if (pid === undefined) throw new Error('PostgreSQL is not running');
    const url = await postgres.createDatabase('bench_engines');
    running.push(await startReferenceServer(), await startReferenceServer({ postgres: { url, pid } }));
    const [sqlite, onPostgres] = running as [BenchServer, BenchServer];
    const patchCustomers = await portfolioCustomers(sqlite, PATCHED_CUSTOMERS);
    const scenarios = await measureThroughput(
      [
        { server: sqlite, method: 'GET' },
        { server: onPostgres, method: 'GET' },
        { server: sqlite, method: 'PATCH', patchCustomers },
        { server: onPostgres, method: 'PATCH', patchCustomers },
      ],
      settings.throughput,
      progress,
    );
    await Promise.all(running.splice(0).map((server) => server.stop()));
    const throttle = await measureThrottle(postgres, settings.throttle, progress);
    const costs = scenarios.map(costOf);
    const cores = cpus().length;
    const projected = costs
      .filter((cost) => cost.engine === 'PostgreSQL')
      .flatMap((cost) => {
        const perRequest = (cost.serverMicrosPerRequest ?? Number.NaN) + (cost.databaseMicrosPerRequest ?? Number.NaN);
        const ceiling = (cores * 1e6) / perRequest;
        return settings.projectedReplicas.map((replicas) => ({
          method: cost.method,
          replicas,
          requestsPerSecond: Math.min(replicas * cost.requestsPerSecond, ceiling),
        }));
      });
    return { settings, cores, scenarios, costs, projected, throttle };
  } finally {
    await Promise.all(running.map((server) => server.stop()));
    await postgres.stop();
  }
}
