// The HTTP side of `listen`: a server on 127.0.0.1 that takes each POST whole (its exact bytes:
// what the signature covers), bounded in size, and hands it to the command, which answers it.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_MAX_WEBHOOK_BODY_BYTES } from '@usagebudget/client/webhooks';

/** A body past the SDK's receiver limit is refused (413) unread, as its `webhookHandler` does. */
export const MAX_DELIVERY_BYTES = DEFAULT_MAX_WEBHOOK_BODY_BYTES;
/** The path `listen` prints as its URL (any path is accepted: a registered URL may carry a query). */
export const RECEIVER_PATH = '/webhooks';

/** One POST as it arrived. */
export interface Delivery {
  readonly receivedAt: Date;
  readonly body: Buffer;
  /** Every copy of each header (`headersDistinct`): the SDK refuses a signature header given twice. */
  readonly headers: NodeJS.Dict<string[]>;
  /** The headers as sent: names in their case, in order, repeats kept (for `--forward-to`). */
  readonly rawHeaders: readonly string[];
}

/** Answers the sender: `status`, and a short text/plain body. Once. */
export type Answer = (status: number, text: string) => void;

export interface Receiver {
  /** `http://127.0.0.1:PORT/webhooks`. */
  readonly url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1:`port` (0: a free one) and calls `handle` for each POST. */
export async function startReceiver(
  port: number,
  handle: (delivery: Delivery, answer: Answer) => Promise<void>,
): Promise<Receiver> {
  const server = createServer((request, response) => {
    const answer = answerOnce(response);
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      answer(405, 'webhook events are POSTed');
      request.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_DELIVERY_BYTES) chunks.push(chunk);
    });
    request.once('end', () => {
      if (size > MAX_DELIVERY_BYTES) return answer(413, `a delivery is at most ${MAX_DELIVERY_BYTES} bytes`);
      const delivery = {
        receivedAt: new Date(),
        body: Buffer.concat(chunks),
        headers: request.headersDistinct,
        rawHeaders: request.rawHeaders,
      };
      handle(delivery, answer).catch((error: unknown) => answer(500, (error as Error).message));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}${RECEIVER_PATH}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function answerOnce(response: ServerResponse): Answer {
  return (status, text) => {
    if (response.headersSent) return;
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
  };
}
