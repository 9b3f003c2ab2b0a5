import { randomUUID } from 'node:crypto';
import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import { type LoopbackServer, listenOnLoopback } from '@usagebudget/server/testing';

/**
 * What the proxy does to a budget update (`PATCH`): pass it on; pass it on and lose the answer
 * (the service applied it, the caller never hears); or pass it on with a request id the service
 * has never seen, as a service that forgot its request ids (after its replay window) sees it.
 */
export type UpdateHandling = 'pass' | 'lose-answer' | 'forget-request-id';

export interface LossyProxy extends LoopbackServer {
  handle(updates: UpdateHandling): void;
  /** Updates the service answered whose answer was lost. */
  lost(): number;
}

/**
 * A proxy on loopback in front of `target` (the reference server): every request is passed on as
 * it is, except budget updates, which are handled as `handle()` last said. A lost answer keeps
 * the caller's connection open without a byte of answer, as a network that dropped it would
 * (`close()` ends those connections).
 */
export async function startLossyProxy(target: string): Promise<LossyProxy> {
  let updates: UpdateHandling = 'pass';
  let lost = 0;
  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const headers = { ...incoming.headers };
    const isUpdate = incoming.method === 'PATCH';
    if (isUpdate && updates === 'forget-request-id') headers['ms-requestid'] = randomUUID();
    const upstream = forward(
      new URL(incoming.url ?? '/', target),
      { method: incoming.method, headers },
      (answer: IncomingMessage) => {
        if (isUpdate && updates === 'lose-answer') {
          answer.resume();
          answer.once('end', () => {
            lost++;
          });
          return;
        }
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    upstream.once('error', () => outgoing.destroy());
    incoming.pipe(upstream);
  });
  const listening = await listenOnLoopback(server);
  return {
    ...listening,
    handle: (next) => {
      updates = next;
    },
    lost: () => lost,
  };
}
