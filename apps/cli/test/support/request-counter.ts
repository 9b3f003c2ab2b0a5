import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server that only counts the requests it gets (and fails them), to prove the CLI sent none. */
export async function startRequestCounter(): Promise<{ url: string; count(): number; stop(): Promise<void> }> {
  let count = 0;
  const server = createServer((_request, response) => {
    count += 1;
    response.writeHead(500).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    count: () => count,
    stop: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
