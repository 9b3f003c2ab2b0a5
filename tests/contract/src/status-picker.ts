import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A proxy in front of the Prism mock that picks the status Prism answers: `URL/status/404` as a
 * base URL sends `Prefer: code=404`. The CLI has no option to send that header, nor should it.
 */
export async function startStatusPicker(prismUrl: string): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer((incoming, outgoing) => {
    const match = /^\/status\/(\d{3})(\/.*)$/.exec(incoming.url ?? '');
    if (!match) {
      outgoing.writeHead(400).end('expected /status/NNN/...');
      return;
    }
    const forwarded = request(
      `${prismUrl}${match[2]}`,
      {
        method: incoming.method,
        headers: { ...incoming.headers, host: new URL(prismUrl).host, prefer: `code=${match[1]}` },
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.once('error', (error) => outgoing.writeHead(502).end(error.message));
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
