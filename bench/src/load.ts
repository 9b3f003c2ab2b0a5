import autocannon from 'autocannon';
import { budgetPath, budgetPathOf, patchBody, sdkHeaders } from './requests.js';
import { percentile } from './stats.js';

export type Method = 'GET' | 'PATCH';

export interface LoadOptions {
  /** The server's origin, `http://127.0.0.1:PORT`. */
  readonly origin: string;
  readonly method: Method;
  readonly connections: number;
  readonly seconds: number;
  /** The customers PATCHes go to, in turn; the demo partner's first alone by default. */
  readonly patchCustomers?: readonly string[];
}

export interface LoadRun {
  /** 2xx responses per second over the run. */
  readonly requestsPerSecond: number;
  /** Latency of 2xx responses in milliseconds. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly responses: number;
}

/**
 * GETs built once: autocannon then sends the same bytes again without rebuilding them, which keeps
 * the load generator (sharing 2 cores with the server) cheap. The ids cycle, as GET records nothing.
 */
function prebuiltGets(): autocannon.Request[] {
  return Array.from({ length: 100 }, () => ({ method: 'GET', path: budgetPath, headers: sdkHeaders() }));
}

/**
 * PATCHes built per request: a new MS-RequestId and amount each, so none is a replay and each
 * writes; to `customers` in turn when given.
 */
function patches(customers: readonly string[] | undefined): autocannon.Request {
  let sent = 0;
  return {
    method: 'PATCH',
    path: budgetPath,
    setupRequest: (request) => {
      sent++;
      const path = customers?.length ? budgetPathOf(customers[sent % customers.length] as string) : budgetPath;
      return {
        ...request,
        path,
        headers: { ...sdkHeaders(), 'Content-Type': 'application/json' },
        body: patchBody(sent),
      };
    },
  };
}

/**
 * Runs autocannon against the budget path for `seconds`. Latencies are collected from each
 * response (autocannon's own histogram keeps whole milliseconds only, too coarse at ~1 ms). Any
 * error or non-2xx answer fails the run: a figure that counts failures is not a throughput.
 */
export function runLoad({ origin, method, connections, seconds, patchCustomers }: LoadOptions): Promise<LoadRun> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections,
        duration: seconds,
        // Stop a stuck server instead of waiting: the whole bench is bounded in time.
        timeout: 10,
        requests: method === 'GET' ? prebuiltGets() : [patches(patchCustomers)],
      },
      (error: unknown, result) => {
        if (error) return reject(error);
        const failed = result.errors + result.non2xx;
        if (failed > 0) {
          const codes = JSON.stringify(result.statusCodeStats ?? {});
          return reject(new Error(`${method} ${origin}: ${result.errors} errors, status codes ${codes}`));
        }
        if (latencies.length === 0) return reject(new Error(`${method} ${origin}: no response in ${seconds} s`));
        const sorted = Float64Array.from(latencies).sort();
        resolve({
          requestsPerSecond: latencies.length / result.duration,
          p50Ms: percentile(sorted, 50),
          p99Ms: percentile(sorted, 99),
          responses: latencies.length,
        });
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
    });
  });
}
