import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { startServerProcess } from '@usagebudget/server/testing';
import { openLoop } from './schedule.js';
import { type Check, check, type LatencyFigures, latencyFigures, latencyRow, median } from './stats.js';

/** How big and how long the event-loop run is. */
export interface EventLoopSettings {
  /** Customers of the big partner, whose usage records are read. */
  readonly customers: number;
  /** Big usage-records reads in flight at once, each read again as soon as it ends. */
  readonly bigReads: number;
  /** How long the small requests are sent for, alone and then under the big reads. */
  readonly seconds: number;
  /** A small request is sent every this many milliseconds, whether or not the last one was answered. */
  readonly intervalMs: number;
}

export interface EventLoopFigures {
  readonly settings: EventLoopSettings;
  /** Another partner's `GET /v1/customers?size=1`, with nothing else running. */
  readonly idle: LatencyFigures;
  /** The same, while `bigReads` reads of the big partner's usage records run. */
  readonly underBigReads: LatencyFigures;
  /** Big reads completed during the loaded phase, and the median time of one. */
  readonly bigReadsDone: number;
  readonly bigReadMedianMs: number;
  /** Bytes of one big read's body. */
  readonly bigReadBytes: number;
}

type Progress = (line: string) => void;

interface Partner {
  readonly id: string;
  readonly name: string;
  readonly tokens: string[];
  readonly customers: string[];
}

const partnerOf = (name: string, customers: number): Partner => ({
  id: randomUUID(),
  name,
  tokens: [randomUUID()],
  customers: Array.from({ length: customers }, () => randomUUID()),
});

/** One GET over `agent`: resolves with its status, body size and milliseconds; its body is counted, not kept. */
function get(origin: string, path: string, token: string, agent: Agent) {
  const started = performance.now();
  return new Promise<{ status: number; bytes: number; ms: number }>((resolve, reject) => {
    const req = request(`${origin}${path}`, { agent, headers: { Authorization: `Bearer ${token}` } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, ms: performance.now() - started }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`GET ${path}: no answer in 60 s`)));
    req.on('error', reject);
    req.end();
  });
}

/**
 * Small requests on a fixed schedule (open loop: a stalled server gets as many late samples as
 * requests it held up, not one), for `seconds`; every one must be answered 200.
 */
async function smallRequests(origin: string, token: string, settings: EventLoopSettings): Promise<number[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const count = Math.round((settings.seconds * 1000) / settings.intervalMs);
  try {
    return await openLoop(count, settings.intervalMs, () =>
      get(origin, '/v1/customers?size=1', token, agent).then(({ status, ms }) => {
        if (status !== 200) throw new Error(`the small request was answered ${status}`);
        return ms;
      }),
    );
  } finally {
    agent.destroy();
  }
}

/**
 * A partner with `customers` customers and another with one, on one reference-server process:
 * the p99 of the small partner's `GET /v1/customers?size=1`, sent every `intervalMs`, first alone,
 * then while `bigReads` reads of the big partner's usage records (`GET /v1/customers/usagerecords`,
 * the whole portfolio in one response) run back to back. A server that builds such a response in
 * one piece holds every other request until it is done.
 */
export async function measureEventLoop(settings: EventLoopSettings, progress: Progress): Promise<EventLoopFigures> {
  const big = partnerOf('Bench event loop, big', settings.customers);
  const small = partnerOf('Bench event loop, small', 1);
  progress(`event loop: seeding a partner of ${settings.customers} customers`);
  // The access log would be read by this process, which also measures the latencies: it stays off.
  const server = await startServerProcess({ config: { partners: [big, small] }, args: ['--no-access-log'] });
  const bigToken = big.tokens[0] as string;
  const smallToken = small.tokens[0] as string;
  const bigAgent = new Agent({ keepAlive: true, maxSockets: settings.bigReads });
  try {
    const first = await get(server.url, '/v1/customers/usagerecords', bigToken, bigAgent);
    if (first.status !== 200) throw new Error(`the big partner's usage records were answered ${first.status}`);
    progress(`event loop: ${settings.seconds} s of small requests alone`);
    const idle = await smallRequests(server.url, smallToken, settings);

    progress(`event loop: ${settings.seconds} s of small requests under ${settings.bigReads} big reads`);
    let loading = true;
    const bigReads: number[] = [];
    const reader = async () => {
      while (loading) {
        const read = await get(server.url, '/v1/customers/usagerecords', bigToken, bigAgent);
        if (read.status !== 200 || read.bytes !== first.bytes) {
          throw new Error(`a big read was answered ${read.status} with ${read.bytes} bytes (first: ${first.bytes})`);
        }
        bigReads.push(read.ms);
      }
    };
    const readers = Array.from({ length: settings.bigReads }, reader);
    // Every reader is sending before the first small request goes.
    await new Promise((resolve) => setTimeout(resolve, 200));
    let underBigReads: number[];
    try {
      underBigReads = await smallRequests(server.url, smallToken, settings);
    } finally {
      loading = false;
      await Promise.allSettled(readers);
    }
    await Promise.all(readers);
    const figures: EventLoopFigures = {
      settings,
      idle: latencyFigures(idle),
      underBigReads: latencyFigures(underBigReads),
      bigReadsDone: bigReads.length,
      bigReadMedianMs: bigReads.length ? median(bigReads) : Number.NaN,
      bigReadBytes: first.bytes,
    };
    progress(
      `event loop: small request p99 ${figures.idle.p99Ms.toFixed(1)} ms alone, ` +
        `${figures.underBigReads.p99Ms.toFixed(1)} ms under big reads (${bigReads.length} big reads done)`,
    );
    return figures;
  } finally {
    bigAgent.destroy();
    await server.stop();
  }
}

/** The target: another partner's small request keeps its p99 under 100 ms while the big reads run. */
export function eventLoopCheck({ settings, underBigReads }: EventLoopFigures): Check {
  return check(
    `another partner's GET /v1/customers?size=1 p99, under ${settings.bigReads} reads of a ` +
      `${settings.customers.toLocaleString('en-US')}-customer portfolio's usage records`,
    underBigReads.p99Ms,
    'ms',
    'at most',
    100,
  );
}

/** The event-loop figures as Markdown: the small request alone and under the big reads. */
export function renderEventLoopMarkdown(figures: EventLoopFigures): string {
  const { settings } = figures;
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `Event loop: a partner of ${settings.customers.toLocaleString('en-US')} customers and another of one, on one ` +
      `reference-server process; the small partner's \`GET /v1/customers?size=1\` every ${settings.intervalMs} ms ` +
      `for ${settings.seconds} s (sent on schedule, answered or not), alone, then under ${settings.bigReads} ` +
      `back-to-back reads of the big partner's usage records (${(figures.bigReadBytes / 1e6).toFixed(1)} MB each; ` +
      `${figures.bigReadsDone} done, median ${(figures.bigReadMedianMs / 1000).toFixed(1)} s).`,
    '',
    line(['small request', 'requests', 'p50 ms', 'p99 ms', 'max ms']),
    line(['---', '---', '---', '---', '---']),
    line(latencyRow('alone', figures.idle)),
    line(latencyRow(`under ${settings.bigReads} big reads`, figures.underBigReads)),
    '',
  ].join('\n');
}
