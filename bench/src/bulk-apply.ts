import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { UsageBudgetClient } from '@usagebudget/client';
import {
  readBudgetApplies,
  runToEnd,
  type ServerProcess,
  startProcess,
  startServerProcess,
} from '@usagebudget/server/testing';

/** How big the bulk-apply runs are. */
export interface BulkSettings {
  /** Customers (and changes) per run. */
  readonly customers: number;
  /** The server's per-partner throttle: requests per second, and its burst. */
  readonly rate: number;
  /** The two file sizes whose peak memory is compared. */
  readonly memoryRows: readonly [number, number];
}

/** One way of applying the same changes, measured. */
export interface BulkMethodFigures {
  readonly method:
    | 'usagebudget apply'
    | 'apply, kill -9 halfway, rerun'
    | 'two runs of one file at once'
    | 'apply, kill -9 halfway, rerun on another server, then on its own'
    | 'sequential SDK loop'
    | 'Promise.all over the SDK';
  readonly changes: number;
  readonly elapsedSeconds: number;
  /** changes / rate: no client can be faster than the throttle allows. */
  readonly floorSeconds: number;
  readonly vsFloor: number;
  /** 429s the server answered during the run (its access log). */
  readonly throttled: number;
  /** Customers whose update the server never applied, or applied with another amount, at the end. */
  readonly lost: number;
  /** Customers whose update the server applied more than once. */
  readonly appliedTwice: number;
  /** Updates that ended in an error (the SDK baselines). */
  readonly failed: number;
}

export interface BulkMemoryFigures {
  readonly rows: number;
  /** V8's old-space limit for the run (`--max-old-space-size`), or null for its default. */
  readonly heapCapMb: number | null;
  /** Peak resident set size of the CLI process, in MB. */
  readonly peakRssMb: number;
  readonly elapsedSeconds: number;
}

/** What the runs that must be refused did: a second run of a file under way, a run continued on another server. */
export interface BulkGuardFigures {
  /** The exit code of `apply` started on a file another run is applying (8: refused). */
  readonly secondRunExitCode: number | null;
  /** The exit code of the rerun of a killed run against another server (2: refused). */
  readonly otherServerExitCode: number | null;
  /** Updates the other server applied (its own record). */
  readonly otherServerApplied: number;
}

export interface BulkFigures {
  readonly settings: BulkSettings;
  readonly methods: readonly BulkMethodFigures[];
  readonly guards: BulkGuardFigures;
  readonly memory: readonly BulkMemoryFigures[];
}

type Progress = (line: string) => void;

const cliManifest = createRequire(import.meta.url).resolve('@usagebudget/cli/package.json');
/** The `usagebudget` bin, as @usagebudget/cli declares it: what users run. */
const CLI = join(
  dirname(cliManifest),
  (JSON.parse(readFileSync(cliManifest, 'utf8')) as { bin: { usagebudget: string } }).bin.usagebudget,
);
// Loaded into the CLI's process: writes its peak RSS (kB, as the kernel counts it) when it exits.
/** The old-space limit of the capped memory runs: room for the usage records of 50,000 customers. */
export const MEMORY_HEAP_CAP_MB = 128;

const RSS_PROBE =
  'data:text/javascript,import{writeFileSync}from"node:fs";' +
  'process.on("exit",()=>writeFileSync(process.env.BENCH_RSS_FILE,String(process.resourceUsage().maxRSS)))';

interface Partner {
  readonly id: string;
  readonly name: string;
  readonly tokens: string[];
  readonly customers: string[];
}

function partnerOf(name: string, customers: number): Partner {
  return {
    id: randomUUID(),
    name,
    tokens: [randomUUID()],
    customers: Array.from({ length: customers }, () => randomUUID()),
  };
}

/** The amount each customer is set to: every one a change (the customers start with no budget). */
const targetOf = (index: number) => `${(index % 997) + 1}.25`;

/** The file `report --csv` writes, with the new budgets. */
function writeCsv(path: string, customers: readonly string[]): void {
  const lines = ['customerId,customerName,budget,cost,currency,percentUsed'];
  customers.forEach((id, index) => {
    lines.push(`${id},"Customer ${index}, Ltd",${targetOf(index)},0,USD,0`);
  });
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** 429s in the server's access log so far (it writes a batch at most 100 ms late). */
function throttledSoFar(server: ServerProcess): number {
  return server.output().split('"status":429').length - 1;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

/** Lost and twice-applied updates of a partner, by the stopped server's record. */
function checkApplies(db: string, partner: Partner): { lost: number; appliedTwice: number } {
  const byCustomer = new Map<string, { count: number; amount: string | null }>();
  for (const apply of readBudgetApplies(db)) {
    if (apply.partnerId !== partner.id) continue;
    const seen = byCustomer.get(apply.customerId);
    byCustomer.set(apply.customerId, { count: (seen?.count ?? 0) + 1, amount: apply.amount });
  }
  let lost = 0;
  let appliedTwice = 0;
  partner.customers.forEach((id, index) => {
    const applied = byCustomer.get(id);
    if (!applied || applied.amount !== targetOf(index)) lost++;
    if (applied && applied.count > 1) appliedTwice++;
  });
  return { lost, appliedTwice };
}

async function runCli(args: readonly string[], env: NodeJS.ProcessEnv, nodeArgs: readonly string[] = []) {
  const started = performance.now();
  const finished = await runToEnd(process.execPath, [...nodeArgs, CLI, ...args], {
    env: { PATH: process.env.PATH, ...env },
  });
  return { ...finished, seconds: (performance.now() - started) / 1000 };
}

/**
 * 5,000 customers on the reference server with a per-partner throttle: `usagebudget apply` against
 * the throttle's floor, next to a plain sequential loop and an unbounded `Promise.all` over the
 * SDK (each on a partner of its own, so each has the whole limit); a run killed halfway and rerun;
 * two runs of one file started together (the second must be refused); a run killed halfway and
 * continued against another server (refused) and then its own; then the CLI's peak memory for two
 * file sizes on an unthrottled server.
 */
export async function measureBulkApply(settings: BulkSettings, progress: Progress): Promise<BulkFigures> {
  const dir = mkdtempSync(join(tmpdir(), 'usagebudget-bench-bulk-'));
  try {
    const { methods, guards } = await measureMethods(settings, dir, progress);
    const memory = await measureMemory(settings, dir, progress);
    return { settings, methods, guards, memory };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Starts `usagebudget apply FILE --json`, ready once a row has its result. */
function startApply(file: string, base: readonly string[], token: string) {
  return startProcess({
    name: 'usagebudget apply',
    command: process.execPath,
    args: [CLI, 'apply', file, '--json', ...base],
    env: { PATH: process.env.PATH, PARTNER_CENTER_TOKEN: token },
    ready: /"outcome"/,
    timeoutMs: 120_000,
  });
}

/** Starts `apply` on `file` and kills it (`SIGKILL`) once half of `rows` have a result. */
async function killHalfway(file: string, base: readonly string[], token: string, rows: number): Promise<void> {
  const cli = await startApply(file, base, token);
  while ((cli.stdout().match(/"outcome"/g)?.length ?? 0) < rows / 2 && cli.child.exitCode === null) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await cli.stop('SIGKILL');
}

const METHOD_PARTNERS = {
  'usagebudget apply': 'apply',
  'apply, kill -9 halfway, rerun': 'killed',
  'two runs of one file at once': 'together',
  'apply, kill -9 halfway, rerun on another server, then on its own': 'moved',
  'sequential SDK loop': 'sequential',
  'Promise.all over the SDK': 'all',
} as const satisfies Record<BulkMethodFigures['method'], string>;

async function measureMethods(
  settings: BulkSettings,
  dir: string,
  progress: Progress,
): Promise<{ methods: BulkMethodFigures[]; guards: BulkGuardFigures }> {
  const { customers, rate } = settings;
  const names = Object.values(METHOD_PARTNERS);
  const partners = Object.fromEntries(names.map((name) => [name, partnerOf(`Bench ${name}`, customers)])) as Record<
    (typeof names)[number],
    Partner
  >;
  const db = join(dir, 'server.sqlite');
  const throttleArgs = ['--rate-limit', String(rate), '--burst', String(rate)];
  // The access log counts the 429s; this process reads it, which costs little next to the throttle.
  const server = await startServerProcess({ config: { partners: Object.values(partners) }, db, args: throttleArgs });
  // Another server with the same partner, customers and token: only its address tells it apart.
  const otherDb = join(dir, 'other-server.sqlite');
  let other: ServerProcess | undefined;
  let secondRunExitCode: number | null = null;
  let otherServerExitCode: number | null = null;
  const floorSeconds = customers / rate;
  const measured: Omit<BulkMethodFigures, 'lost' | 'appliedTwice'>[] = [];
  const figures = (method: BulkMethodFigures['method'], elapsedSeconds: number, throttled: number, failed: number) => {
    measured.push({
      method,
      changes: customers,
      elapsedSeconds,
      floorSeconds,
      vsFloor: elapsedSeconds / floorSeconds,
      throttled,
      failed,
    });
    progress(`bulk: ${method}: ${elapsedSeconds.toFixed(1)} s (floor ${floorSeconds.toFixed(1)} s), ${throttled} 429s`);
  };
  try {
    other = await startServerProcess({
      config: { partners: [partners.moved] },
      db: otherDb,
      args: [...throttleArgs, '--no-access-log'],
    });
    const base = ['--base-url', server.url];
    for (const [name, partner] of Object.entries(partners)) writeCsv(join(dir, `${name}.csv`), partner.customers);

    progress(`bulk: usagebudget apply, ${customers} changes at ${rate} requests/s`);
    let before = throttledSoFar(server);
    const applied = await runCli(['apply', join(dir, 'apply.csv'), ...base], {
      PARTNER_CENTER_TOKEN: partners.apply.tokens[0],
    });
    if (applied.code !== 0) throw new Error(`usagebudget apply exited ${applied.code}: ${applied.stderr.slice(-2000)}`);
    await settle();
    figures('usagebudget apply', applied.seconds, throttledSoFar(server) - before, 0);

    progress('bulk: usagebudget apply, killed (SIGKILL) halfway, then run again');
    before = throttledSoFar(server);
    const killedFile = join(dir, 'killed.csv');
    let started = performance.now();
    await killHalfway(killedFile, base, partners.killed.tokens[0] as string, customers);
    const rerun = await runCli(['apply', killedFile, ...base], { PARTNER_CENTER_TOKEN: partners.killed.tokens[0] });
    if (rerun.code !== 0)
      throw new Error(`the rerun of usagebudget apply exited ${rerun.code}: ${rerun.stderr.slice(-2000)}`);
    await settle();
    figures('apply, kill -9 halfway, rerun', (performance.now() - started) / 1000, throttledSoFar(server) - before, 0);

    progress('bulk: two runs of usagebudget apply on one file at once (the second must refuse)');
    before = throttledSoFar(server);
    const togetherFile = join(dir, 'together.csv');
    started = performance.now();
    const first = await startApply(togetherFile, base, partners.together.tokens[0] as string);
    const second = await runCli(['apply', togetherFile, ...base], {
      PARTNER_CENTER_TOKEN: partners.together.tokens[0],
    });
    secondRunExitCode = second.code;
    const firstCode = await first.exited;
    if (firstCode !== 0) throw new Error(`the first of two runs exited ${firstCode}: ${first.output().slice(-2000)}`);
    await settle();
    figures('two runs of one file at once', (performance.now() - started) / 1000, throttledSoFar(server) - before, 0);
    progress(`bulk: the second run exited ${second.code}: ${second.stderr.trim().slice(0, 200)}`);

    progress('bulk: usagebudget apply, killed halfway, continued on another server (must refuse), then on its own');
    before = throttledSoFar(server);
    const movedFile = join(dir, 'moved.csv');
    const movedToken = { PARTNER_CENTER_TOKEN: partners.moved.tokens[0] };
    started = performance.now();
    await killHalfway(movedFile, base, partners.moved.tokens[0] as string, customers);
    const elsewhere = await runCli(['apply', movedFile, '--base-url', other.url], movedToken);
    otherServerExitCode = elsewhere.code;
    progress(`bulk: the run on another server exited ${elsewhere.code}: ${elsewhere.stderr.trim().slice(0, 200)}`);
    const home = await runCli(['apply', movedFile, ...base], movedToken);
    if (home.code !== 0)
      throw new Error(`the run continued on its server exited ${home.code}: ${home.stderr.slice(-2000)}`);
    await settle();
    figures(
      'apply, kill -9 halfway, rerun on another server, then on its own',
      (performance.now() - started) / 1000,
      throttledSoFar(server) - before,
      0,
    );

    for (const [name, method] of [
      ['sequential', 'sequential SDK loop'],
      ['all', 'Promise.all over the SDK'],
    ] as const) {
      progress(`bulk: ${method}`);
      const partner = partners[name];
      const client = new UsageBudgetClient({ baseURL: server.url, credential: partner.tokens[0] as string });
      before = throttledSoFar(server);
      let failed = 0;
      const set = (id: string, index: number) =>
        client.setBudget(id, Number(targetOf(index))).then(
          () => undefined,
          () => {
            failed++;
          },
        );
      const start = performance.now();
      if (name === 'sequential') {
        for (const [index, id] of partner.customers.entries()) await set(id, index);
      } else {
        await Promise.all(partner.customers.map(set));
      }
      const seconds = (performance.now() - start) / 1000;
      await settle();
      figures(method, seconds, throttledSoFar(server) - before, failed);
    }
  } finally {
    await Promise.all([server.stop(), other?.stop()]);
  }
  // The servers' own records, read from their stopped databases.
  const methods = measured.map((each) => ({ ...each, ...checkApplies(db, partners[METHOD_PARTNERS[each.method]]) }));
  const guards = { secondRunExitCode, otherServerExitCode, otherServerApplied: readBudgetApplies(otherDb).length };
  return { methods, guards };
}

async function measureMemory(settings: BulkSettings, dir: string, progress: Progress): Promise<BulkMemoryFigures[]> {
  const largest = Math.max(...settings.memoryRows);
  const heapCaps = [null, MEMORY_HEAP_CAP_MB] as const;
  // A partner per heap setting, each with no budgets yet, so that every row of every run is a change.
  const partners = heapCaps.map((heapCapMb) => partnerOf(`Bench memory, heap ${heapCapMb ?? 'default'}`, largest));
  // No throttle: memory, not pace, is measured here.
  const server = await startServerProcess({ config: { partners }, args: ['--no-access-log'] });
  const figures: BulkMemoryFigures[] = [];
  try {
    // Uncapped, V8 lets its heap grow with the allocation rate of a longer run, and peak RSS grows
    // with it whatever the program keeps; under one heap cap for both sizes, peak RSS shows what the
    // run needs. Both are reported; the flat-memory target is held against the capped pair.
    for (const [pass, heapCapMb] of heapCaps.entries()) {
      const partner = partners[pass] as Partner;
      for (const [run, rows] of settings.memoryRows.entries()) {
        // Each run its own customers, so that every row is a change.
        const offset = run === 0 ? 0 : largest - rows;
        const file = join(dir, `memory-${rows}-${heapCapMb ?? 'default'}.csv`);
        writeCsv(file, partner.customers.slice(offset, offset + rows));
        const rssFile = `${file}.rss`;
        const heap = heapCapMb === null ? 'V8 default heap' : `heap capped at ${heapCapMb} MB`;
        progress(`bulk: peak memory of usagebudget apply, ${rows} rows, ${heap}`);
        const finished = await runCli(
          ['apply', file, '--base-url', server.url],
          { PARTNER_CENTER_TOKEN: partner.tokens[0], BENCH_RSS_FILE: rssFile },
          ['--import', RSS_PROBE, ...(heapCapMb === null ? [] : [`--max-old-space-size=${heapCapMb}`])],
        );
        if (finished.code !== 0)
          throw new Error(`usagebudget apply exited ${finished.code}: ${finished.stderr.slice(-2000)}`);
        const peakRssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
        figures.push({ rows, heapCapMb, peakRssMb, elapsedSeconds: finished.seconds });
        progress(`bulk: ${rows} rows, ${heap}: peak RSS ${peakRssMb.toFixed(1)} MB, ${finished.seconds.toFixed(1)} s`);
      }
    }
  } finally {
    await server.stop();
  }
  return figures;
}
