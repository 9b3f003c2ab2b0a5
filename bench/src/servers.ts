import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageBudgetClient } from '@usagebudget/client';
import type { WebhookTrust } from '@usagebudget/client/webhooks';
import { startPrism } from '@usagebudget/mock/prism';
import type { PartnerConfig } from '@usagebudget/server';
import {
  type StartedProcess,
  startNodeServer,
  startServerProcess,
  startWebhookReceiver,
  type WebhookReceiver,
} from '@usagebudget/server/testing';

/** Which server is under load. */
export type BenchServerKind = 'reference' | 'reference-postgres' | 'bare' | 'prism' | 'mock';

/** The `usagebudget-mock` bin, run as users run it. */
export const mockBinPath = join(
  dirname(createRequire(import.meta.url).resolve('@usagebudget/mock/package.json')),
  'bin',
  'usagebudget-mock.js',
);

/** A server under load, each in a process of its own so it never shares the load generator's event loop. */
export interface BenchServer {
  readonly kind: BenchServerKind;
  readonly name: string;
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** CPU seconds (user + system, all threads) the process has used so far; undefined off Linux. */
  cpuSeconds(): number | undefined;
  /** CPU seconds its database's processes have used so far (PostgreSQL's), when it has any apart from itself. */
  databaseCpuSeconds?(): number | undefined;
  /** Stops the process by its pid and waits for it to exit. */
  stop(): Promise<unknown>;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  try {
    ticksPerSecond ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    ticksPerSecond = 100;
  }
  return ticksPerSecond;
}

/** The fields of /proc/PID/stat after the name (in parentheses, which may hold spaces); undefined when gone. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** utime + stime of /proc/PID/stat (fields 14 and 15). */
export function cpuSecondsOf(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields && (Number(fields[11]) + Number(fields[12])) / clockTicks();
}

/**
 * The CPU seconds of a process and of its children: its own utime + stime, its reaped children's
 * (cutime + cstime, fields 16 and 17), and the live children's own. For PostgreSQL's postmaster,
 * that is every backend of the cluster, the ones that ended included.
 */
export function treeCpuSecondsOf(pid: number): number | undefined {
  const fields = statFields(pid);
  if (!fields) return undefined;
  let ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const child = statFields(Number(entry));
    if (child?.[1] === String(pid)) ticks += Number(child[11]) + Number(child[12]);
  }
  return ticks / clockTicks();
}

function benchServer(kind: BenchServerKind, name: string, origin: string, started: StartedProcess): BenchServer {
  return { kind, name, origin, cpuSeconds: () => cpuSecondsOf(started.pid), stop: () => started.stop() };
}

/** The reference server's partners (the demo partner by default), and its database. */
export interface ReferenceServerOptions {
  readonly partners?: readonly PartnerConfig[];
  /** A PostgreSQL cluster's database (its URL) and the cluster's postmaster, whose CPU is counted as the database's. */
  readonly postgres?: { readonly url: string; readonly pid: number };
  /** More flags, such as `['--rate-limit', '50']`. */
  readonly args?: readonly string[];
}

/** The reference server's own bin, on a fresh file-backed SQLite database (it turns WAL on itself) or on PostgreSQL. */
export async function startReferenceServer(options: ReferenceServerOptions = {}): Promise<BenchServer> {
  // The access log would be read by this process, the load generator's: it stays off.
  const started = await startServerProcess({
    ...(options.partners ? { config: { partners: options.partners } } : {}),
    ...(options.postgres ? { db: options.postgres.url } : {}),
    args: ['--no-access-log', ...(options.args ?? [])],
  });
  const { postgres } = options;
  if (!postgres) return benchServer('reference', 'reference server', started.url, started);
  return {
    ...benchServer('reference-postgres', 'reference server on PostgreSQL', started.url, started),
    databaseCpuSeconds: () => treeCpuSecondsOf(postgres.pid),
  };
}

/** A reference server whose partner is registered for webhook events, its receiver, and how to trust its deliveries. */
export interface WebhookBench {
  readonly server: BenchServer;
  /** The client, with the partner's token. */
  readonly client: UsageBudgetClient;
  /** Node's `http` on 127.0.0.1, answering 200 and keeping each delivery with the time it arrived. */
  readonly receiver: WebhookReceiver;
  /** The reference server as a verifier must trust it: its root, its host, its organisation. */
  readonly trust: WebhookTrust;
  /** Stops the server and the receiver. */
  stop(): Promise<unknown>;
}

/**
 * The reference server with `partner` alone, registered (with its first token, through the client)
 * to send `events` to a receiver on loopback, which the server's default allow-list (loopback)
 * admits.
 */
export async function startWebhookBench(partner: PartnerConfig, events: readonly string[]): Promise<WebhookBench> {
  const receiver = await startWebhookReceiver();
  let server: BenchServer | undefined;
  try {
    server = await startReferenceServer({ partners: [partner] });
    const token = partner.tokens[0];
    if (typeof token !== 'string') throw new Error('the webhook bench partner needs an app+user token first');
    const client = new UsageBudgetClient({ baseURL: server.origin, credential: token });
    await client.createWebhookRegistration({ webhookUrl: receiver.url, webhookEvents: [...events] });
    const rootResponse = await fetch(`${server.origin}/webhooks/certificates/root.pem`);
    if (!rootResponse.ok) throw new Error(`the reference server's root: ${rootResponse.status}`);
    const trust: WebhookTrust = {
      roots: [await rootResponse.text()],
      certificateHosts: [new URL(server.origin).host],
      certificatePathPrefix: '/webhooks/certificates/',
      allowHttp: true,
      organisation: 'usagebudget reference server',
    };
    const started = server;
    return { server, client, receiver, trust, stop: () => Promise.all([started.stop(), receiver.close()]) };
  } catch (error) {
    await Promise.all([server?.stop(), receiver.close()]);
    throw error;
  }
}

/** The bare node:http baseline, answering `budgetJson` (see bare-server.ts). */
export async function startBareServer(budgetJson: string): Promise<BenchServer> {
  const started = await startNodeServer({
    name: 'bare node:http server',
    script: fileURLToPath(new URL('./bare-server.js', import.meta.url)),
    env: { ...process.env, BENCH_BUDGET_JSON: budgetJson },
    timeoutMs: 30_000,
  });
  return benchServer('bare', 'bare node:http server', started.url, started);
}

/** Prism mocking the bundled spec, as the project's contract tests run it. */
export async function startPrismMock(): Promise<BenchServer> {
  const prism = await startPrism({ mode: 'mock' });
  return benchServer('prism', 'Prism mock', prism.url, prism);
}

/** The stateful mock's bin (the reference server in memory with test controls: every request journaled). */
export async function startStatefulMock(): Promise<BenchServer> {
  const started = await startNodeServer({
    name: 'usagebudget-mock',
    script: mockBinPath,
    args: ['--port', '0'],
    timeoutMs: 30_000,
  });
  return benchServer('mock', 'stateful mock', started.url, started);
}
