// A receiver of webhook events for tests, scripts and benchmarks: an HTTP server on a free
// 127.0.0.1 port that keeps every delivery as it arrived (the exact bytes a signature covers, the
// headers), answers with the status a test chooses, and can go down and come back on its port.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One delivery as the receiver got it. */
export interface ReceivedDelivery {
  /** The body's exact bytes. */
  readonly body: Buffer;
  readonly headers: IncomingHttpHeaders;
  /** `performance.now()` when the body had arrived. */
  readonly receivedAt: number;
}

export interface WebhookReceiver {
  /** Where to register it: `http://127.0.0.1:PORT/events`. */
  readonly url: string;
  /** Every delivery so far, in order (those answered with an error included). */
  readonly deliveries: readonly ReceivedDelivery[];
  /** Answers the next deliveries with `status` (200 at first), and these headers. */
  answerWith(status: number, headers?: Readonly<Record<string, string>>): void;
  /** Keeps the next deliveries (they are recorded) without answering them, until `answerWith`: a receiver that hangs. */
  hold(): void;
  /** Resolves with the deliveries once there are `count` of them; rejects after `timeoutMs` (10 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedDelivery[]>;
  /** Stops listening (connections refused) until `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function stop(server: Server): Promise<void> {
  if (!server.listening) return Promise.resolve();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** Starts a receiver on a free 127.0.0.1 port. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const deliveries: ReceivedDelivery[] = [];
  const waiters = new Set<() => void>();
  let answer: { status: number; headers: Readonly<Record<string, string>> } | 'hold' = { status: 200, headers: {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      deliveries.push({ body: Buffer.concat(chunks), headers: req.headers, receivedAt: performance.now() });
      if (answer !== 'hold') {
        res
          .writeHead(answer.status, { 'Content-Type': 'text/plain', ...answer.headers })
          .end(`answered ${answer.status}`);
      }
      for (const waiter of waiters) waiter();
    });
  });
  const port = await listen(server, 0);
  return {
    url: `http://127.0.0.1:${port}/events`,
    deliveries,
    answerWith: (status, headers = {}) => {
      answer = { status, headers };
    },
    hold: () => {
      answer = 'hold';
    },
    waitFor: (count, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (deliveries.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(deliveries.slice(0, count));
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`the receiver got ${deliveries.length} deliveries in ${timeoutMs} ms, not ${count}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    down: () => stop(server),
    up: async () => {
      await listen(server, port);
    },
    close: () => stop(server),
  };
}
