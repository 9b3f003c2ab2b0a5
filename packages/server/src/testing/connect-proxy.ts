import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect, type Socket } from 'node:net';

/** A forward proxy on loopback: `CONNECT` tunnels and absolute-URI requests, each counted. */
export interface TestProxy {
  /** `http://127.0.0.1:<port>`, or with `user:pass@` when it asks for credentials. */
  readonly url: string;
  /** The `host:port` of each `CONNECT` tunnel opened, in order. */
  readonly tunnels: string[];
  /** The absolute URIs of the requests it forwarded, in order. */
  readonly forwarded: string[];
  /** The `Proxy-Authorization` of every request it got (tunnels and forwards). */
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/**
 * Starts a proxy on a free loopback port. With `credentials` (`user:pass`), a request without
 * them as Basic `Proxy-Authorization` gets `407`.
 */
export async function startProxy(credentials?: string): Promise<TestProxy> {
  const tunnels: string[] = [];
  const forwarded: string[] = [];
  const authorizations: (string | undefined)[] = [];
  const sockets = new Set<Socket>();
  const expected = credentials && `Basic ${Buffer.from(credentials).toString('base64')}`;
  const allowed = (headers: IncomingHttpHeaders) => {
    authorizations.push(headers['proxy-authorization']);
    return !expected || headers['proxy-authorization'] === expected;
  };
  const server = createServer((request, response) => {
    if (!allowed(request.headers)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    forwarded.push(request.url ?? '');
    const target = new URL(request.url ?? '');
    const { 'proxy-authorization': _, ...headers } = request.headers;
    const upstream = httpRequest(target, { method: request.method, headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on('error', () => response.writeHead(502).end());
    request.pipe(upstream);
  });
  server.on('connect', (request, client: Socket, head: Buffer) => {
    if (!allowed(request.headers)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    tunnels.push(request.url ?? '');
    const [host = '', port = ''] = (request.url ?? '').split(/:(?=\d+$)/);
    const upstream = connect({ host: host === 'localhost' ? '127.0.0.1' : host, port: Number(port) }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://${credentials ? `${credentials}@` : ''}127.0.0.1:${port}`,
    tunnels,
    forwarded,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
