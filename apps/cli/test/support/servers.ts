import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServerConfig, serverBinPath } from '@usagebudget/server';
import { startNodeServer } from '@usagebudget/testkit';

export interface TestServer {
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Spawns the reference server's own bin on a free port with a fresh database (and `config`, when
 * given), as a user would start it. `stop()` ends it by pid and removes its files.
 */
export async function spawnReferenceServer(
  options: { config?: ServerConfig; args?: string[] } = {},
): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'usagebudget-cli-test-'));
  const args = ['--port', '0', '--db', join(dir, 'usagebudget.sqlite'), ...(options.args ?? [])];
  if (options.config) {
    writeFileSync(join(dir, 'config.json'), JSON.stringify(options.config));
    args.push('--config', join(dir, 'config.json'));
  }
  try {
    const server = await startNodeServer({ name: 'usagebudget-server', script: serverBinPath, args });
    return {
      url: server.url,
      stop: async () => {
        await server.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function close(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** A server that only counts the requests it gets (and fails them), to prove the CLI sent none. */
export async function startRequestCounter(): Promise<TestServer & { count(): number }> {
  let count = 0;
  const server = createServer((_request, response) => {
    count += 1;
    response.writeHead(500).end();
  });
  return { url: await listen(server), count: () => count, stop: () => close(server) };
}

/**
 * A proxy in front of the Prism mock that picks the status Prism answers: `URL/status/404` as
 * the CLI's base URL sends `Prefer: code=404`. The CLI has no option to send that header, nor should it.
 */
export async function startStatusPicker(prismUrl: string): Promise<TestServer> {
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
  return { url: await listen(server), stop: () => close(server) };
}
