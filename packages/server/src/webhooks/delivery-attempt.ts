// One attempt to deliver an event: a POST of its exact bytes, with its signature headers, to the
// address the allow-list let through, within a time limit. A `2xx` is a delivery; a redirect is
// not followed; nothing the receiver sends back is kept beyond the start of an error answer.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { httpStatusName } from './http-status-names.js';
import { TargetRefused, type WebhookTargetPolicy } from './target-policy.js';

/** What an attempt sends, and within how long it must be answered. */
export interface AttemptRequest {
  readonly url: string;
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

/** How an attempt ended, as the test-event results report it. */
export interface AttemptResult {
  readonly delivered: boolean;
  /** The receiver's status; `null` when no answer came. */
  readonly status: number | null;
  readonly responseCode: string;
  readonly responseMessage: string;
  /** Failed on the sender's side: the target refused by the allow-list. */
  readonly systemError: boolean;
}

/** What of an error answer is kept: its start, as the results' `responseMessage`. */
const MESSAGE_CHARS = 256;

const noAnswer = (message: string, systemError = false): AttemptResult => ({
  delivered: false,
  status: null,
  responseCode: '',
  responseMessage: message.slice(0, 1024),
  systemError,
});

/** The result of an answer: delivered for a `2xx`, else its start (or, for a redirect, where it led). */
function answered(response: IncomingMessage, text: string): AttemptResult {
  const status = response.statusCode ?? 0;
  const delivered = status >= 200 && status < 300;
  const location = response.headers.location;
  const message =
    status >= 300 && status < 400
      ? `redirect${location ? ` to ${location.slice(0, 200)}` : ''} not followed`
      : text.slice(0, MESSAGE_CHARS);
  return {
    delivered,
    status,
    responseCode: httpStatusName(status),
    responseMessage: delivered ? '' : message,
    systemError: false,
  };
}

/** POSTs to `address`, resolving once the answer's status (and, for an error, the start of its body) is in. */
function post(url: URL, address: { address: string; family: 4 | 6 }, attempt: AttemptRequest): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const options: RequestOptions & { servername?: string } = {
      method: 'POST',
      headers: { ...attempt.headers, 'Content-Length': String(attempt.body.length) },
      agent: false,
      // The address the allow-list checked, not a second look-up.
      lookup: (_host, lookupOptions, callback) => {
        if ((lookupOptions as { all?: boolean }).all) {
          (callback as (error: null, addresses: { address: string; family: number }[]) => void)(null, [address]);
        } else callback(null, address.address, address.family);
      },
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, options, (response) => {
      let text = '';
      response.setEncoding('utf8');
      const finish = () => {
        clearTimeout(timer);
        resolve(answered(response, text));
        outgoing.destroy();
      };
      if (response.statusCode !== undefined && response.statusCode < 300) return finish();
      response.on('data', (chunk: string) => {
        text += chunk;
        if (text.length >= MESSAGE_CHARS) finish();
      });
      response.on('end', finish);
      response.on('error', finish);
    });
    const timer = setTimeout(() => {
      outgoing.destroy(new Error(`no answer within ${attempt.timeoutMs / 1000} s`));
    }, attempt.timeoutMs);
    outgoing.on('error', (error) => {
      clearTimeout(timer);
      resolve(noAnswer(error.message));
    });
    outgoing.end(attempt.body);
  });
}

/** Makes one attempt: the target checked against the policy, then the POST. Never throws. */
export async function sendAttempt(policy: WebhookTargetPolicy, attempt: AttemptRequest): Promise<AttemptResult> {
  const url = new URL(attempt.url);
  let address: { address: string; family: 4 | 6 };
  try {
    address = await policy.resolve(url);
  } catch (error) {
    if (error instanceof TargetRefused) return noAnswer(`not sent: ${error.message}`, true);
    return noAnswer((error as Error).message);
  }
  return post(url, address, attempt);
}
