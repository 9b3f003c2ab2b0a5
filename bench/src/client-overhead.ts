import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { UsageBudgetClient } from '@usagebudget/client';
import { Configuration, UsageBudgetApi } from '@usagebudget/client/raw';
import axios from 'axios';
import { budgetPath, customerId, sdkHeaders, token } from './requests.js';
import { median, pairedRatio } from './stats.js';

export interface ClientSettings {
  /** Measured rounds, after one discarded warm-up round. */
  readonly rounds: number;
  readonly sequentialCalls: number;
  readonly concurrentCalls: number;
  /** Calls in flight in the concurrent mode. */
  readonly concurrency: number;
}

export const VARIANTS = ['UsageBudgetClient', 'UsageBudgetApi (generated)', 'axios', 'node:http', 'fetch'] as const;
export type Variant = (typeof VARIANTS)[number];
export type Mode = 'sequential' | 'concurrent';

export interface VariantFigures {
  readonly variant: Variant;
  readonly mode: Mode;
  /** Microseconds per call (wall clock), one figure per round. */
  readonly rounds: readonly number[];
  readonly medianMicros: number;
  /** Median of the per-round ratios to raw axios and to node:http. */
  readonly vsAxios: number;
  readonly vsNodeHttp: number;
  /**
   * CPU microseconds of this process per call (the server runs in another), per round, and the
   * median of its per-round ratios to raw axios: what other work on the machine disturbs least.
   */
  readonly cpuRounds: readonly number[];
  readonly medianCpuMicros: number;
  readonly cpuVsAxios: number;
}

/** A GET of the budget that resolves with the parsed body. */
type Call = () => Promise<unknown>;

function nodeHttpGet(url: string, agent: Agent): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers: sdkHeaders(), timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`node:http got ${res.statusCode}`));
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('node:http: no response in 10 s')));
    req.on('error', reject);
    req.end();
  });
}

/**
 * The five ways to read a budget. Every one sends the same headers (new ids per call) and parses
 * the JSON body; the axios-based ones and node:http share one keep-alive agent, fetch keeps its
 * connections alive in its own (undici) pool.
 */
function makeCalls(origin: string, agent: Agent): Record<Variant, Call> {
  const url = `${origin}${budgetPath}`;
  const instance = axios.create({ httpAgent: agent, timeout: 10_000 });
  const client = new UsageBudgetClient({ baseURL: origin, credential: token, axios: instance, timeoutMs: 10_000 });
  const api = new UsageBudgetApi(new Configuration({ basePath: origin, accessToken: token }), origin, instance);
  const { 'X-Locale': xLocale, 'MS-PartnerCenter-Client': mSPartnerCenterClient } = sdkHeaders();
  return {
    UsageBudgetClient: () => client.getBudget(customerId),
    'UsageBudgetApi (generated)': async () =>
      (
        await api.getUsageBudget({
          customerTenantId: customerId,
          mSRequestId: randomUUID(),
          mSCorrelationId: randomUUID(),
          xLocale,
          mSPartnerCenterClient,
        })
      ).data,
    axios: async () => (await instance.get(url, { headers: sdkHeaders() })).data,
    'node:http': () => nodeHttpGet(url, agent),
    fetch: async () => {
      const response = await fetch(url, { headers: sdkHeaders(), signal: AbortSignal.timeout(10_000) });
      if (response.status !== 200) throw new Error(`fetch got ${response.status}`);
      return response.json();
    },
  };
}

/** Wall-clock and CPU microseconds per call for `count` calls, `concurrency` at a time. */
async function timeCalls(call: Call, count: number, concurrency: number): Promise<{ wall: number; cpu: number }> {
  let issued = 0;
  const worker = async () => {
    while (issued < count) {
      issued++;
      await call();
    }
  };
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const used = process.cpuUsage(cpu);
  return { wall: ((performance.now() - started) * 1000) / count, cpu: (used.user + used.system) / count };
}

/**
 * Calls the server with each variant, sequentially and `concurrency` at a time. Rounds are
 * interleaved and each starts with a different variant, so no variant always runs first or last.
 */
export async function measureClientOverhead(
  origin: string,
  settings: ClientSettings,
  progress: (line: string) => void,
): Promise<VariantFigures[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: settings.concurrency });
  try {
    const calls = makeCalls(origin, agent);
    for (const variant of VARIANTS) {
      const body = await calls[variant]();
      if (typeof body !== 'object' || body === null || !('amount' in body)) {
        throw new Error(`${variant} did not read a SpendingBudget: ${JSON.stringify(body)}`);
      }
    }
    const modes: Record<Mode, { count: number; concurrency: number }> = {
      sequential: { count: settings.sequentialCalls, concurrency: 1 },
      concurrent: { count: settings.concurrentCalls, concurrency: settings.concurrency },
    };
    const times = new Map<string, { wall: number; cpu: number }[]>();
    for (let round = 0; round <= settings.rounds; round++) {
      for (const [mode, { count, concurrency }] of Object.entries(modes)) {
        for (let index = 0; index < VARIANTS.length; index++) {
          const variant = VARIANTS[(index + round) % VARIANTS.length] as Variant;
          const micros = await timeCalls(calls[variant], count, concurrency);
          if (round === 0) continue; // warm-up
          const key = `${mode} ${variant}`;
          times.set(key, [...(times.get(key) ?? []), micros]);
        }
      }
      progress(round === 0 ? 'client warm-up round done' : `client round ${round}/${settings.rounds} done`);
    }
    return (Object.keys(modes) as Mode[]).flatMap((mode) => {
      const wall = (variant: Variant) => (times.get(`${mode} ${variant}`) ?? []).map((each) => each.wall);
      const cpu = (variant: Variant) => (times.get(`${mode} ${variant}`) ?? []).map((each) => each.cpu);
      return VARIANTS.map((variant) => ({
        variant,
        mode,
        rounds: wall(variant),
        medianMicros: median(wall(variant)),
        vsAxios: pairedRatio(wall(variant), wall('axios')),
        vsNodeHttp: pairedRatio(wall(variant), wall('node:http')),
        cpuRounds: cpu(variant),
        medianCpuMicros: median(cpu(variant)),
        cpuVsAxios: pairedRatio(cpu(variant), cpu('axios')),
      }));
    });
  } finally {
    agent.destroy();
  }
}
