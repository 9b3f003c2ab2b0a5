import { createServer } from 'node:http';
import { type LoopbackServer, listenOnLoopback } from '@usagebudget/server/testing';

/** A server that only counts the requests it gets (and fails them), to prove the CLI sent none. */
export async function startRequestCounter(): Promise<LoopbackServer & { count(): number }> {
  let count = 0;
  const server = createServer((_request, response) => {
    count += 1;
    response.writeHead(500).end();
  });
  return { ...(await listenOnLoopback(server)), count: () => count };
}
