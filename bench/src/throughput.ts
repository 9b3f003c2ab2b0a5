import { type LoadRun, type Method, runLoad } from './load.js';
import type { BenchServer, BenchServerKind } from './servers.js';

export interface ThroughputSettings {
  readonly rounds: number;
  readonly seconds: number;
  /** A discarded run per scenario first, so JIT warm-up is not measured. */
  readonly warmupSeconds: number;
  readonly connections: number;
}

/** One run, with how busy the server and the load generator were meanwhile. */
export interface ThroughputRun extends LoadRun {
  /** CPU time of the server's process over the run, in % of one core; undefined off Linux. */
  readonly cpuPercent: number | undefined;
  /** CPU time of the server's database processes (PostgreSQL's) over the run, in % of one core; undefined without. */
  readonly databaseCpuPercent?: number | undefined;
  /** CPU time of this process, the load generator's, in % of one core. */
  readonly generatorCpuPercent: number;
}

export interface Scenario {
  readonly kind: BenchServerKind;
  /** The server's name. */
  readonly server: string;
  readonly method: Method;
  /** One run per round, in round order. */
  readonly runs: readonly ThroughputRun[];
}

/** A server and a method to load it with (PATCHes to `patchCustomers` in turn, when given). */
export interface PlannedScenario {
  readonly server: BenchServer;
  readonly method: Method;
  readonly patchCustomers?: readonly string[];
}

async function measure(
  { server, method, patchCustomers }: PlannedScenario,
  seconds: number,
  connections: number,
): Promise<ThroughputRun> {
  const cpuBefore = server.cpuSeconds();
  const databaseBefore = server.databaseCpuSeconds?.();
  const generatorBefore = process.cpuUsage();
  const started = performance.now();
  const run = await runLoad({
    origin: server.origin,
    method,
    connections,
    seconds,
    ...(patchCustomers ? { patchCustomers } : {}),
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const cpuAfter = server.cpuSeconds();
  const databaseAfter = server.databaseCpuSeconds?.();
  const generator = process.cpuUsage(generatorBefore);
  const cpuPercent =
    cpuBefore === undefined || cpuAfter === undefined ? undefined : ((cpuAfter - cpuBefore) / wallSeconds) * 100;
  const databaseCpuPercent =
    databaseBefore === undefined || databaseAfter === undefined
      ? undefined
      : ((databaseAfter - databaseBefore) / wallSeconds) * 100;
  return {
    ...run,
    cpuPercent,
    ...(databaseCpuPercent === undefined ? {} : { databaseCpuPercent }),
    generatorCpuPercent: (generator.user + generator.system) / 1e4 / wallSeconds,
  };
}

/**
 * Runs every scenario (a server and a method), interleaved: round 1 runs each scenario once
 * (A B C ...), then round 2, and so on, so slow drifts of the machine's load hit all scenarios alike.
 */
export async function measureThroughput(
  planned: readonly PlannedScenario[],
  settings: ThroughputSettings,
  progress: (line: string) => void,
): Promise<Scenario[]> {
  const scenarios = planned.map((scenario) => ({ ...scenario, runs: [] as ThroughputRun[] }));
  for (const scenario of scenarios) {
    progress(`warm-up ${scenario.method} ${scenario.server.name}`);
    await measure(scenario, settings.warmupSeconds, settings.connections);
  }
  for (let round = 1; round <= settings.rounds; round++) {
    for (const scenario of scenarios) {
      const { server, method, runs } = scenario;
      const run = await measure(scenario, settings.seconds, settings.connections);
      runs.push(run);
      progress(
        `round ${round}/${settings.rounds} ${method} ${server.name}: ${Math.round(run.requestsPerSecond)} req/s`,
      );
    }
  }
  return scenarios.map(({ server, method, runs }) => ({ kind: server.kind, server: server.name, method, runs }));
}
