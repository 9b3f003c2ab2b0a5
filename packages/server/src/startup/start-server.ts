import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { spec } from '@usagebudget/openapi';
import { budgetOperations } from '../budget/budget-operations.js';
import { compileContract, operationRule } from '../contract/compile-contract.js';
import { faults } from '../contract/faults.js';
import { specValidator } from '../contract/spec-validator.js';
import { createContinuationTokens } from '../customers/continuation-token.js';
import { customerOperations } from '../customers/customer-list.js';
import { createAccessLog } from '../http/access-log.js';
import { answerClientError, writeRawFault } from '../http/client-error.js';
import { connectionLimit } from '../http/connection-limit.js';
import { createRequestHandler } from '../http/request-handler.js';
import { staticFiles } from '../http/static-routes.js';
import { createThrottle } from '../http/throttle.js';
import type { ResolvedConfig, ServerConfig, ThrottleConfig } from '../partners/config-format.js';
import { parseConfig } from '../partners/config-reader.js';
import { demoConfig } from '../partners/demo-partner.js';
import { createPartnerDirectory } from '../partners/partner-directory.js';
import { portfolioSeed } from '../partners/portfolio-seed.js';
import { openSqliteStore } from '../storage/sqlite-store.js';
import { checkJournalMaxBytes } from '../test-controls/journal.js';
import { parseSeed } from '../test-controls/seed.js';
import { createTestControls } from '../test-controls/test-controls.js';
import { usageOperations } from '../usage/usage-operations.js';
import { DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT, defaultDbPath } from './defaults.js';

export interface ServerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 4020; 0 picks a free port (read it from `url`). */
  port?: number;
  /** SQLite file, created with its folder if missing, or `:memory:`. Default {@link defaultDbPath}. */
  db?: string;
  /** Partners, tokens, customers (with their usage) and throttling. Default: the demo partner and its portfolio. */
  config?: ServerConfig;
  /** Overrides `config.throttle`; `null` turns throttling off. */
  throttle?: ThrottleConfig | null;
  /** Receives the JSON-lines access log (one line per request, plus fault stacks). Default: no log. */
  accessLog?: (chunk: string) => void;
  /** How long `close()` lets in-flight requests finish before it cuts their connections. Default 10 s. */
  shutdownGraceMs?: number;
  /**
   * Makes the server a mock: test controls under `/_mock` (fault rules, a request journal, reset
   * and re-seed; described by `testControlsSpec`), and its partners, customers and budgets from a
   * seed, applied at the start and at every reset (stored data is deleted first). Off by default:
   * a normal server answers 404 under `/_mock`.
   */
  /** A request's headers must arrive within this many milliseconds of its start; default 10 000 (or `requestTimeoutMs` when shorter). */
  headersTimeoutMs?: number;
  /** A whole request (headers and body) must arrive within this many milliseconds; default 30 000. */
  requestTimeoutMs?: number;
  /** Open connections at most; requests on those past it are answered 503. Default 1 000. */
  maxConnections?: number;
  testControls?: TestControlsOptions;
}

export interface TestControlsOptions {
  /**
   * The server's config format (partners, tokens, customers with their usage and budgets,
   * throttle): see `Seed`. Checked at the start, every problem named with its place. Default: the
   * demo partner and its portfolio.
   */
  readonly seed?: unknown;
  /**
   * The request journal's budget, in bytes: the newest requests whose headers, path, query and
   * bodies (each cut at 64 KiB), plus 1 KiB each, fit in it are kept; the oldest go first, and are
   * counted as dropped. Default 32 MiB; 0 keeps none.
   */
  readonly journalMaxBytes?: number;
  /**
   * Host names the test controls answer requests sent to (their `Host`), besides loopback
   * (`localhost`), IP addresses and `host`: a mock another container reaches by a service name
   * needs that name here. Any other `Host` is refused (421), as DNS rebinding would send.
   */
  readonly allowedHosts?: readonly string[];
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

// A tenth of a timeout, but not so often that checking costs more than it saves.
const MIN_CHECKING_INTERVAL_MS = 100;

function checkLimits(headersTimeoutMs: number, requestTimeoutMs: number, maxConnections: number): void {
  const limits = { requestTimeoutMs, headersTimeoutMs, maxConnections };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got ${value})`);
  }
  // Node refuses a headers timeout longer than the request's: the headers are part of the request.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(`headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs})`);
  }
}

/** Starts the reference server and resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  if (options.testControls && options.config) {
    throw new Error('startServer: with testControls, partners come from testControls.seed, not config');
  }
  const seed = options.testControls ? parseSeed(options.testControls.seed ?? demoConfig) : undefined;
  if (options.testControls?.journalMaxBytes !== undefined) checkJournalMaxBytes(options.testControls.journalMaxBytes);
  const config = seed?.config ?? parseConfig(options.config ?? demoConfig, 'options.config');
  const throttleFor = (served: ServerConfig) => {
    const limits = options.throttle === undefined ? served.throttle : (options.throttle ?? undefined);
    return limits ? createThrottle(limits) : undefined;
  };
  const host = options.host ?? DEFAULT_HOST;
  const db = options.db ?? defaultDbPath();
  const routes = compileContract(spec, specValidator);
  const files = staticFiles();
  const { requestTimeoutMs = DEFAULT_LIMITS.requestTimeoutMs, maxConnections = DEFAULT_LIMITS.maxConnections } =
    options;
  const { headersTimeoutMs = Math.min(DEFAULT_LIMITS.headersTimeoutMs, requestTimeoutMs) } = options;
  checkLimits(headersTimeoutMs, requestTimeoutMs, maxConnections);
  const store = openSqliteStore(db);
  try {
    // A mock's test controls seed the store themselves, at the start and at every reset.
    if (!seed) store.seed(portfolioSeed(config));
  } catch (error) {
    store.close();
    throw error;
  }
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

  const connections = connectionLimit(maxConnections);
  const handlerFor = (served: ResolvedConfig): RequestListener =>
    createRequestHandler({
      routes,
      partners: createPartnerDirectory(served),
      operations: {
        ...budgetOperations(store),
        ...customerOperations(store, createContinuationTokens(served.continuationTokenSecret), (operationId) =>
          operationRule(routes, operationId),
        ),
        ...usageOperations(store),
      },
      store,
      throttle: throttleFor(served),
      files,
      log,
      closing: () => closing,
      overCapacity: connections.overCapacity,
      answered,
    });
  let handler = handlerFor(config);
  // Test controls sit in front of the handler, and swap it when a re-seed brings other partners.
  const controls = seed
    ? createTestControls({
        seed,
        journalMaxBytes: options.testControls?.journalMaxBytes,
        listenHost: host,
        allowedHosts: options.testControls?.allowedHosts,
        store,
        reconfigure: (served) => {
          handler = handlerFor(served);
        },
        next: (req, res) => handler(req, res),
        onFault: (error) => log?.fault(null, error),
      })
    : undefined;

  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: headersTimeoutMs,
      // Node checks both every connectionsCheckingInterval, 30 s by default: a slow connection
      // lived about four times its 10 s headers timeout. A tenth of the shorter one keeps each
      // within about 10 % of what is configured.
      connectionsCheckingInterval: Math.max(
        MIN_CHECKING_INTERVAL_MS,
        Math.min(headersTimeoutMs, requestTimeoutMs) / 10,
      ),
      // Checked by the handler, which answers with an ApiFault and the ids (Node's 400 has neither).
      requireHostHeader: false,
    },
    controls ? controls.listener : handler,
  );
  connections.watch(server);
  // Without these listeners Node answers itself, outside the API's contract: a bare 417 to an
  // Expect other than 100-continue (the handler answers it), and no answer at all to CONNECT.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
  server.on('connect', (_req: IncomingMessage, socket: Socket) => writeRawFault(socket, faults.connectNotAllowed()));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(error, socket, answered, { headersTimeoutMs, requestTimeoutMs }),
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
    controls?.close();
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
