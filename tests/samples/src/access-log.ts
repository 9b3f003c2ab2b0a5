// Which requests the reference server answered while something ran, from its access log (one JSON
// line per request on stderr, written in batches). A request of the test's own, with a fresh
// MS-RequestId, marks each end: every line before its line was written before it.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerProcess } from '@usagebudget/server/testing';

export interface AccessLine {
  readonly method: string;
  /** The spec's path template, or the static route, or `null`. */
  readonly route: string | null;
  readonly path: string;
  readonly status: number;
}

async function markLog(server: ServerProcess): Promise<{ start: number; end: number }> {
  const requestId = randomUUID();
  const response = await fetch(`${server.url}/healthz`, { headers: { 'MS-RequestId': requestId } });
  await response.body?.cancel();
  const needle = `"requestId":"${requestId}"`;
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const output = server.output();
    const at = output.indexOf(needle);
    if (at !== -1) {
      const start = output.lastIndexOf('\n', at) + 1;
      const newline = output.indexOf('\n', at);
      return { start, end: newline === -1 ? output.length : newline + 1 };
    }
    await sleep(20);
  }
  throw new Error(`the access log never showed the marker request ${requestId}`);
}

/** Runs `action` and returns its result with the requests the server answered meanwhile. */
export async function requestsDuring<T>(
  server: ServerProcess,
  action: () => Promise<T>,
): Promise<{ result: T; requests: AccessLine[] }> {
  const before = await markLog(server);
  const result = await action();
  const after = await markLog(server);
  const requests = server
    .output()
    .slice(before.end, after.start)
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as AccessLine & { kind: string })
    .filter((line) => line.kind === 'access');
  return { result, requests };
}
