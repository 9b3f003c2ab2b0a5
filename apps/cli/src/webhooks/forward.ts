// `listen --forward-to URL`: a verified delivery passed on to the partner's own receiver as it
// came, the exact body bytes and every header (their names' case kept, and each value of a
// repeated one: the signature headers a receiver verifies again), but those of one connection.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** Headers of the connection, not of the delivery: the forward has its own. */
const HOP_BY_HOP = new Set([
  'host',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'te',
  'trailer',
  'upgrade',
  'proxy-connection',
  'content-length',
]);

/** What the receiver answered: its status, or why none came. */
export type ForwardOutcome = { readonly status: number } | { readonly error: string };

/**
 * POSTs `body` with the delivery's `rawHeaders` to `target`, its own Host and Content-Length,
 * and resolves with the answer's status (the answer's body is read and dropped), or why none
 * came within `timeoutMs`. Never rejects.
 */
export function forwardDelivery(
  target: URL,
  body: Buffer,
  rawHeaders: readonly string[],
  timeoutMs: number,
): Promise<ForwardOutcome> {
  // Names in their case; a header given more than once keeps each value, in order.
  const headers: Record<string, string | string[]> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index] as string;
    const value = rawHeaders[index + 1] as string;
    if (HOP_BY_HOP.has(name.toLowerCase())) continue;
    const earlier = headers[name];
    headers[name] = earlier === undefined ? value : [...[earlier].flat(), value];
  }
  headers['Content-Length'] = String(body.length);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = send(target, { method: 'POST', headers, timeout: timeoutMs }, (answer) => {
      answer.resume();
      answer.once('end', () => resolve({ status: answer.statusCode ?? 0 }));
      answer.once('error', (error) => resolve({ error: error.message }));
    });
    outgoing.once('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    outgoing.once('error', (error) => resolve({ error: error.message }));
    outgoing.end(body);
  });
}
