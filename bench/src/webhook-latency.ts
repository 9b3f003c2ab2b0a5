// Crossing-to-delivery latency of the budget alert on the reference server: a customer's budget
// lowered below its cost with a PATCH, to the signed `usagerecords-thresholdExceeded` delivery's
// arrival at a receiver on loopback. Each crossing is another customer (cost 80, budget 100,
// lowered to 50): the server's rule raises exactly one event for each, once per billing period.
//
// The event names no customer and its ResourceUri is the same for all, so a delivery is matched to
// its PATCH by when the server raised it (ResourceChangeUtcDate, inside the PATCH's transaction):
// between that PATCH's send and its answer. That is exact only if no two PATCHes are in flight at
// once, so the PATCHes go one at a time, at most one every `intervalMs`; the deliveries are not
// waited for, and overlap as they come.
import { randomUUID } from 'node:crypto';
import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWebhookVerifier, type WebhookTrust } from '@usagebudget/client/webhooks';
import type { PartnerConfig } from '@usagebudget/server';
import { type ReceivedDelivery, randomPartner } from '@usagebudget/server/testing';
import { pacedLoop } from './schedule.js';
import { startWebhookBench } from './servers.js';
import { type Check, check, type LatencyFigures, latencyFigures } from './stats.js';

export const THRESHOLD_EXCEEDED = 'usagerecords-thresholdExceeded';

/** How many crossings, at what pace. */
export interface WebhookLatencySettings {
  /** Crossings measured. */
  readonly crossings: number;
  /** Crossings made first whose latencies are left out (delivered and counted all the same). */
  readonly warmupCrossings: number;
  /**
   * A crossing is made every this many milliseconds, or as soon as the last PATCH is answered if
   * that is later; never waiting for a delivery.
   */
  readonly intervalMs: number;
  /** How long to wait for the deliveries still missing once every PATCH has been answered. */
  readonly settleMs: number;
}

/** One crossing's PATCH: `performance.now()` and the wall clock at its send and at its answer. */
export interface CrossingTimes {
  readonly sentAt: number;
  readonly sentWall: number;
  readonly answeredAt: number;
  readonly answeredWall: number;
}

/** A verified delivery: when the server raised it (its `ResourceChangeUtcDate`, ms) and when it arrived. */
export interface ArrivedEvent {
  readonly changedWall: number;
  readonly receivedAt: number;
}

export interface WebhookLatencyFigures {
  readonly settings: WebhookLatencySettings;
  /** From the PATCH's send to the delivery's arrival, measured crossings delivered (`requests`: how many). */
  readonly delivery: LatencyFigures;
  /** The PATCH's own round trip, measured crossings. */
  readonly patch: LatencyFigures;
  /** Measured crossings delivered before the answer to their PATCH had arrived. */
  readonly deliveredBeforeAnswer: number;
  /** Over all crossings (the warm-up's too): crossings no delivery was matched to. */
  readonly missing: number;
  /** Verified threshold events no crossing was matched to (one raised twice, or delivered twice). */
  readonly extra: number;
  /** Deliveries the SDK's verifier refused, or that were not a threshold event. */
  readonly unverified: number;
}

/**
 * Pairs crossings, sent one after the other (each PATCH after the last one's answer), with the
 * events that arrived, in the order the server raised them (ties in arrival order). An event is a
 * crossing's when the server raised it between that PATCH's send and its answer (the same clock,
 * to the millisecond); a crossing with no such event is missing, an event that fits none, or a
 * second one in a crossing's window, is extra.
 */
export function matchDeliveries(crossings: readonly CrossingTimes[], events: readonly ArrivedEvent[]) {
  const ordered = [...events].sort((a, b) => a.changedWall - b.changedWall || a.receivedAt - b.receivedAt);
  const pairs: { readonly index: number; readonly crossing: CrossingTimes; readonly event: ArrivedEvent }[] = [];
  let next = 0;
  let extra = 0;
  crossings.forEach((crossing, index) => {
    // Events raised before this crossing's PATCH was sent belong to none that is left.
    while (next < ordered.length && (ordered[next] as ArrivedEvent).changedWall < crossing.sentWall) {
      extra++;
      next++;
    }
    const event = ordered[next];
    if (event && event.changedWall <= crossing.answeredWall) {
      pairs.push({ index, crossing, event });
      next++;
    }
  });
  extra += ordered.length - next;
  return { pairs, missing: crossings.length - pairs.length, extra };
}

/** A partner whose `count` customers each spend 80 of a budget of 100 this billing period. */
function crossingPartner(count: number): PartnerConfig {
  const partner = randomPartner('Webhook latency partner', count);
  return { ...partner, customers: partner.customers.map((id) => ({ id, cost: '80', budget: 100 })) };
}

/** PATCHes the customer's budget to 50, below its cost of 80: a crossing. Rejects unless answered 200. */
function lowerBudget(origin: string, token: string, customerId: string, agent: Agent): Promise<CrossingTimes> {
  return new Promise((resolve, reject) => {
    const sentWall = Date.now();
    const sentAt = performance.now();
    const req = request(
      `${origin}/v1/customers/${customerId}/usagebudget`,
      {
        method: 'PATCH',
        agent,
        headers: {
          Authorization: `Bearer ${token}`,
          'Content-Type': 'application/json',
          'MS-RequestId': randomUUID(),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const answeredAt = performance.now();
          if (res.statusCode !== 200) {
            reject(new Error(`PATCH of ${customerId} was answered ${res.statusCode}: ${Buffer.concat(chunks)}`));
          } else resolve({ sentAt, sentWall, answeredAt, answeredWall: Date.now() });
        });
        res.on('error', reject);
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error(`PATCH of ${customerId}: no answer in 10 s`)));
    req.on('error', reject);
    req.end(JSON.stringify({ amount: 50 }));
  });
}

/** The deliveries the SDK verifies as threshold events, with when each was raised; how many it refused. */
async function verifiedEvents(deliveries: readonly ReceivedDelivery[], trust: WebhookTrust) {
  // Two crossings in one millisecond send the same bytes: no replay guard, every delivery is checked on its own.
  const verifier = createWebhookVerifier({ trust, replayGuard: false });
  const events: ArrivedEvent[] = [];
  for (const delivery of deliveries) {
    try {
      const event = await verifier.verify({ body: delivery.body, headers: delivery.headers });
      if (event.EventName !== THRESHOLD_EXCEEDED) continue;
      events.push({ changedWall: Date.parse(event.ResourceChangeUtcDate), receivedAt: delivery.receivedAt });
    } catch {
      // Counted below.
    }
  }
  return { events, unverified: deliveries.length - events.length };
}

/**
 * Makes `warmupCrossings + crossings` crossings on the schedule, waits for their deliveries (at
 * most `settleMs`, then half a second more for any extra one), verifies each with the SDK and
 * matches them to their PATCHes.
 */
export async function measureWebhookLatency(
  settings: WebhookLatencySettings,
  progress: (line: string) => void,
): Promise<WebhookLatencyFigures> {
  const total = settings.warmupCrossings + settings.crossings;
  const partner = crossingPartner(total);
  const token = partner.tokens[0] as string;
  const customers = partner.customers.map((customer) => (customer as { id: string }).id);
  progress(`webhook latency: ${total} crossings, one every ${settings.intervalMs} ms`);
  const bench = await startWebhookBench(partner, [THRESHOLD_EXCEEDED]);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  try {
    const crossings = await pacedLoop(total, settings.intervalMs, (index) =>
      lowerBudget(bench.server.origin, token, customers[index] as string, agent),
    );
    await bench.receiver.waitFor(total, settings.settleMs).catch(() => undefined);
    await sleep(500);
    const { events, unverified } = await verifiedEvents(bench.receiver.deliveries, bench.trust);
    const { pairs, missing, extra } = matchDeliveries(crossings, events);
    const measured = pairs.filter(({ index }) => index >= settings.warmupCrossings);
    if (measured.length === 0) throw new Error(`none of ${total} crossings was delivered`);
    const figures: WebhookLatencyFigures = {
      settings,
      delivery: latencyFigures(measured.map(({ crossing, event }) => event.receivedAt - crossing.sentAt)),
      patch: latencyFigures(
        crossings.slice(settings.warmupCrossings).map(({ sentAt, answeredAt }) => answeredAt - sentAt),
      ),
      deliveredBeforeAnswer: measured.filter(({ crossing, event }) => event.receivedAt < crossing.answeredAt).length,
      missing,
      extra,
      unverified,
    };
    progress(
      `webhook latency: ${figures.delivery.requests} of ${settings.crossings} delivered, ` +
        `p50 ${figures.delivery.p50Ms.toFixed(1)} ms, p99 ${figures.delivery.p99Ms.toFixed(1)} ms`,
    );
    return figures;
  } finally {
    agent.destroy();
    await bench.stop();
  }
}

/** The target (p99 at most 250 ms), and every crossing delivered once, verified. */
export function webhookLatencyChecks(figures: WebhookLatencyFigures): Check[] {
  const { settings } = figures;
  return [
    check(
      `webhook crossing-to-delivery p99 (${settings.crossings} crossings, receiver on loopback)`,
      figures.delivery.p99Ms,
      'ms',
      'at most',
      250,
    ),
    check(
      'webhook crossings not delivered exactly once, verified (missing + extra + unverified)',
      figures.missing + figures.extra + figures.unverified,
      'events',
      'at most',
      0,
    ),
  ];
}
