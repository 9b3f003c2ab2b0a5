import { createServer, request } from 'node:http';
import { type LoopbackServer, listenOnLoopback } from '@usagebudget/server/testing';

/**
 * A proxy in front of the Prism mock that picks the response Prism answers: `URL/status/404` as a
 * base URL sends `Prefer: code=404`, `URL/status/200:lastPage` sends `Prefer: code=200,
 * example=lastPage`. The CLI has no option to send that header, nor should it.
 */
export function startStatusPicker(prismUrl: string): Promise<LoopbackServer> {
  const server = createServer((incoming, outgoing) => {
    const match = /^\/status\/(\d{3})(?::(\w+))?(\/.*)$/.exec(incoming.url ?? '');
    if (!match) {
      outgoing.writeHead(400).end('expected /status/NNN/... or /status/NNN:example/...');
      return;
    }
    const [, status, example, path] = match;
    const forwarded = request(
      `${prismUrl}${path}`,
      {
        method: incoming.method,
        headers: {
          ...incoming.headers,
          host: new URL(prismUrl).host,
          prefer: example ? `code=${status}, example=${example}` : `code=${status}`,
        },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.once('error', (error) => outgoing.writeHead(502).end(error.message));
    incoming.pipe(forwarded);
  });
  return listenOnLoopback(server);
}
