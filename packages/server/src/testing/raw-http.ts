// Requests as a test needs them to be, not as an HTTP client would send them: raw, on a fresh
// connection each, with what came back.
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  /** Sent as it is: no URL normalisation, so `..` and odd encodings reach the server. */
  readonly path: string;
  readonly headers?: Record<string, string | number>;
  /** A string or bytes, or chunks sent one after another (chunked when no Content-Length is given). */
  readonly body?: string | Buffer | readonly (string | Buffer)[];
}

/**
 * One HTTP/1.1 request over a fresh connection, with full control of the path and headers: for a
 * test that must send what `fetch` would refuse or rewrite (a `Host`, an odd path, a body in
 * chunks). Resolves with the whole answer; rejects when the connection fails or is cut.
 */
export function sendRaw(baseUrl: string, options: RawRequest): Promise<RawResponse> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        method: options.method ?? 'GET',
        path: options.path,
        headers: options.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    const body = options.body;
    if (Array.isArray(body)) for (const chunk of body) req.write(chunk);
    else if (body !== undefined) req.write(body);
    req.end();
  });
}

/** `Authorization` and, with a body, `Content-Type: application/json`, plus `extra`. */
export function jsonHeaders(token: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
    ...extra,
  };
}

/** The path of a customer's budget. */
export function budgetPath(customerId: string): string {
  return `/v1/customers/${customerId}/usagebudget`;
}

/**
 * Writes `request` as it is on a fresh connection, ends the writing side, and resolves with all
 * the server sent until it closed: for requests no HTTP client would send.
 */
export function exchangeRaw(baseUrl: string, request: string): Promise<string> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.end(request));
    let text = '';
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
    });
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/** A raw response's status line, headers (names in lower case) and body. */
export function parseRaw(text: string): { statusLine: string; headers: Record<string, string>; body: string } {
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]),
  );
  return { statusLine, headers, body: rest.join('\r\n\r\n') };
}
