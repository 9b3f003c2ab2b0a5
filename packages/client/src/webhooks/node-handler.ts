import type { IncomingMessage, ServerResponse } from 'node:http';
import type { WebhookEvent } from '../index.js';
import { WebhookVerificationError } from './errors.js';
import {
  createWebhookVerifier,
  type WebhookDelivery,
  type WebhookVerifier,
  type WebhookVerifierOptions,
} from './verifier.js';

/**
 * The largest delivery body a receiver reads by default, in bytes: an event is a few hundred; a
 * sender of more is refused (413) before it costs memory. `webhookHandler`'s and `usagebudget listen`'s.
 */
export const DEFAULT_MAX_WEBHOOK_BODY_BYTES = 65_536;

export interface WebhookHandlerOptions extends WebhookVerifierOptions {
  /** The largest body read, in bytes; a larger one is answered 413 unread. Default: {@link DEFAULT_MAX_WEBHOOK_BODY_BYTES}. */
  readonly maxBodyBytes?: number;
  /** A verifier to share with other handlers; one of its own (from these options) by default. */
  readonly verifier?: WebhookVerifier;
}

/** What a handler answers: the status and a line of text. */
export interface WebhookAnswer {
  readonly status: number;
  readonly text: string;
}

/**
 * What a receiver runs for each verified event: given the event and the delivery as it came (its
 * exact bytes and headers, to store or forward). A rejection is answered 500.
 */
export type WebhookEventListener = (event: WebhookEvent, delivery: WebhookDelivery) => unknown;

class BodyTooLarge extends Error {}

/** The request's body, at most `maxBytes` (a larger one fails unread: its `Content-Length`, or past the bound). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(request.headers['content-length'] ?? 0) > maxBytes) return reject(new BodyTooLarge());
    const chunks: Buffer[] = [];
    let length = 0;
    request.on('data', (chunk: Buffer) => {
      length += chunk.length;
      if (length > maxBytes) {
        request.removeAllListeners('data');
        request.pause();
        reject(new BodyTooLarge());
      } else chunks.push(chunk);
    });
    request.once('end', () => resolve(Buffer.concat(chunks, length)));
    request.once('error', reject);
  });
}

/**
 * Verifies a delivery a framework has read (Express' `express.raw()`, Fastify's raw body), runs
 * `onEvent` with its event, and resolves with the answer to send: 200 once `onEvent` resolves (a
 * replay too, without running it: the event was handled when it first came); 401 with the reason
 * when the delivery does not verify (400 for a signed body that is no event); 500 when `onEvent`
 * throws, the delivery forgotten by the replay guard so that Partner Center's next attempt runs
 * it again.
 *
 * @example
 * app.post('/events', express.raw({ type: 'application/json' }), async (req, res) => {
 *   const { status, text } = await verifyWebhookRequest(verifier, { body: req.body, headers: req.headersDistinct }, onEvent);
 *   res.status(status).type('text/plain').send(text);
 * });
 */
export async function verifyWebhookRequest(
  verifier: WebhookVerifier,
  delivery: WebhookDelivery,
  onEvent: WebhookEventListener,
): Promise<WebhookAnswer> {
  let event: WebhookEvent;
  try {
    event = await verifier.verify(delivery);
  } catch (error) {
    if (!(error instanceof WebhookVerificationError)) throw error;
    if (error.reason === 'replay') return { status: 200, text: 'replay: already handled' };
    // Signed by a trusted key, but no event: the request, not its sender, is at fault.
    return { status: error.reason === 'malformed-body' ? 400 : 401, text: error.message };
  }
  try {
    await onEvent(event, delivery);
  } catch {
    verifier.forget(delivery);
    return { status: 500, text: 'the event was not handled' };
  }
  return { status: 200, text: 'OK' };
}

/**
 * A `node:http` request listener for deliveries: `POST` only (405 otherwise), the raw body read
 * up to `maxBodyBytes` (413 past it), then {@link verifyWebhookRequest}'s answer. Every copy of
 * the signature headers is read (`headersDistinct`), so that a repeated one is refused.
 *
 * @example
 * createServer(webhookHandler({}, async (event) => queue.push(event))).listen(8080);
 */
export function webhookHandler(
  options: WebhookHandlerOptions,
  onEvent: WebhookEventListener,
): (request: IncomingMessage, response: ServerResponse) => void {
  const verifier = options.verifier ?? createWebhookVerifier(options);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_WEBHOOK_BODY_BYTES;
  const answer = (response: ServerResponse, { status, text }: WebhookAnswer, headers: Record<string, string> = {}) =>
    response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', ...headers }).end(`${text}\n`);
  return (request, response) => {
    if (request.method !== 'POST') return answer(response, { status: 405, text: 'POST only' }, { Allow: 'POST' });
    readBody(request, maxBodyBytes).then(
      (body) =>
        verifyWebhookRequest(verifier, { body, headers: request.headersDistinct }, onEvent).then(
          (result) => answer(response, result),
          () => answer(response, { status: 500, text: 'the delivery could not be verified' }),
        ),
      (error: unknown) =>
        error instanceof BodyTooLarge
          ? answer(
              response,
              { status: 413, text: `the body is larger than ${maxBodyBytes} bytes` },
              { Connection: 'close' },
            )
          : answer(response, { status: 400, text: 'the request could not be read' }),
    );
  };
}
