import { randomUUID } from 'node:crypto';
import { createServer, type Server, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { spec } from '@usagebudget/openapi';
import { createAccessLog } from './access-log.js';
import { compileContract } from './api-contract.js';
import { openBudgetStore } from './budget-store.js';
import { parseConfig, type ServerConfig, type ThrottleConfig } from './config.js';
import { DEFAULT_HOST, DEFAULT_PORT, defaultDbPath } from './defaults.js';
import { demoConfig } from './demo-partner.js';
import { faults } from './faults.js';
import { createPartnerDirectory } from './partner-directory.js';
import { createRequestHandler } from './request-handler.js';
import { specValidator } from './spec-validator.js';
import { staticFiles } from './static-routes.js';
import { createThrottle } from './throttle.js';

export interface ServerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 4020; 0 picks a free port (read it from `url`). */
  port?: number;
  /** SQLite file, created with its folder if missing, or `:memory:`. Default {@link defaultDbPath}. */
  db?: string;
  /** Partners, tokens, customers and throttling. Default: the demo partner alone. */
  config?: ServerConfig;
  /** Overrides `config.throttle`; `null` turns throttling off. */
  throttle?: ThrottleConfig | null;
  /** Receives the JSON-lines access log (one line per request, plus fault stacks). Default: no log. */
  accessLog?: (chunk: string) => void;
  /** How long `close()` lets in-flight requests finish before it cuts their connections. Default 10 s. */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  /** `http://HOST:PORT`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The database path in use. */
  readonly db: string;
  /** Stops accepting, finishes in-flight requests, closes the database. Safe to call more than once. */
  close(): Promise<void>;
}

/** A replay record answers retries for a day; a client retrying later than that is starting a new call. */
const REPLAY_TTL_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/**
 * A malformed request never reaches the handler; answer it in the same shape as every other error.
 * Bytes after a response that closed the connection (the client's `Connection: close` or ours) are
 * no request: they get no answer, which would follow the one already sent.
 */
function answerClientError(error: NodeJS.ErrnoException, socket: Socket, answered: WeakSet<object>): void {
  if (
    !socket.writable ||
    error.code === 'ECONNRESET' ||
    error.code === 'HPE_CLOSED_CONNECTION' ||
    answered.has(socket)
  ) {
    socket.destroy();
    return;
  }
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const body = JSON.stringify(faults.invalidInput('The request is not valid HTTP/1.1.').body);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nMS-RequestId: ${randomUUID()}\r\n` +
      `MS-CorrelationId: ${randomUUID()}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Starts the reference server and resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const config = parseConfig(options.config ?? demoConfig, 'options.config');
  const throttle = options.throttle === undefined ? config.throttle : (options.throttle ?? undefined);
  const host = options.host ?? DEFAULT_HOST;
  const db = options.db ?? defaultDbPath();
  const routes = compileContract(spec, specValidator);
  const files = staticFiles();
  const store = openBudgetStore(db);
  const log = options.accessLog ? createAccessLog(options.accessLog) : undefined;
  let closing = false;
  const answered = new WeakSet<object>();

  // Stale replay records only cost space: a failed prune is logged, never fatal.
  const prune = () => {
    try {
      store.pruneReplays(REPLAY_TTL_MS);
    } catch (error) {
      log?.fault(null, error);
    }
  };
  prune();
  const pruner = setInterval(prune, PRUNE_EVERY_MS).unref();

  const server = createServer(
    // A body that trickles in cannot hold a connection for ever.
    { requestTimeout: 30_000, headersTimeout: 10_000 },
    createRequestHandler({
      routes,
      partners: createPartnerDirectory(config),
      store,
      throttle: throttle ? createThrottle(throttle) : undefined,
      files,
      log,
      closing: () => closing,
      answered,
    }),
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(error, socket, answered),
  );

  let address: AddressInfo;
  try {
    address = await listen(server, options.port ?? DEFAULT_PORT, host);
  } catch (error) {
    clearInterval(pruner);
    store.close();
    throw error;
  }

  let closed: Promise<void> | undefined;
  const shutdown = async () => {
    closing = true;
    clearInterval(pruner);
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), options.shutdownGraceMs ?? 10_000);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
    log?.flush();
    store.close();
  };

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    host,
    port: address.port,
    db,
    close: () => {
      closed ??= shutdown();
      return closed;
    },
  };
}
