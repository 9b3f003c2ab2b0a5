import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { spec } from '@usagebudget/openapi';
import { budgetOperations } from '../budget/budget-operations.js';
import { compileContract, operationRule } from '../contract/compile-contract.js';
import { faults } from '../contract/faults.js';
import { specValidator } from '../contract/spec-validator.js';
import { createContinuationTokens } from '../customers/continuation-token.js';
import { customerOperations } from '../customers/customer-list.js';
import { type AccessLog, createAccessLog } from '../http/access-log.js';
import { answerClientError, writeRawFault } from '../http/client-error.js';
import { connectionLimit } from '../http/connection-limit.js';
import { createRequestHandler, type HandlerDependencies } from '../http/request-handler.js';
import { type StaticFile, staticFiles } from '../http/static-routes.js';
import { NAMESPACE_SWEEP_MS, namespaceAdmin, sweepExpiredNamespaces } from '../namespaces/namespace-admin.js';
import type { ResolvedConfig, ServerConfig, ThrottleConfig } from '../partners/config-format.js';
import { parseConfig } from '../partners/config-reader.js';
import { demoConfig } from '../partners/demo-partner.js';
import { type NamespaceCallers, namespaceCallers } from '../partners/namespace-callers.js';
import { createPartnerDirectory } from '../partners/partner-directory.js';
import { portfolioSeed } from '../partners/portfolio-seed.js';
import { discoverTokenIssuer, type TokenIssuer } from '../partners/token-issuer.js';
import { POSTGRES_URL, shownPostgresUrl } from '../storage/postgres-url.js';
import { certificateSecretName, SECRET_NAMES } from '../storage/secret-store.js';
import { openSqliteStore } from '../storage/sqlite-store.js';
import type { Store, StoreOperations } from '../storage/store.js';
import { increaseCost } from '../usage/cost-changes.js';
import { usageOperations } from '../usage/usage-operations.js';
import { isOfferedEvent } from '../webhooks/event-catalog.js';
import {
  fileKeyHome,
  loadSigningKeys,
  memoryKeyHome,
  type SigningKeyHome,
  secretKeyHome,
} from '../webhooks/signing-keys.js';
import { createWebhooks, type WebhookOptions, type Webhooks, type WebhookTrust } from '../webhooks/webhooks.js';
import { DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT, defaultDbPath } from './defaults.js';
import type { ExtendServer, ExtensionContext, ServerExtension } from './extension.js';

export interface ServerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 4020; 0 picks a free port (read it from `url`). */
  port?: number;
  /**
   * SQLite file, created with its folder if missing, or `:memory:`; or a PostgreSQL URL
   * (`postgres://` or `postgresql://`), its schema migrated at start. Default {@link defaultDbPath}.
   */
  db?: string;
  /**
   * PostgreSQL only: connections of this process at most (default 10). A request that waits more
   * than 5 s for one is answered 503 with `Retry-After: 1`.
   */
  dbPoolSize?: number;
  /** Partners, tokens, customers (with their usage) and throttling. Default: the demo partner and its portfolio. */
  config?: ServerConfig;
  /** Overrides `config.throttle`; `null` turns throttling off. */
  throttle?: ThrottleConfig | null;
  /** Receives the JSON-lines access log (one line per request, plus fault stacks). Default: no log. */
  accessLog?: (chunk: string) => void;
  /** How long `close()` lets in-flight requests finish before it cuts their connections. Default 10 s. */
  shutdownGraceMs?: number;
  /** A request's headers must arrive within this many milliseconds of its start; default 10 000 (or `requestTimeoutMs` when shorter). */
  headersTimeoutMs?: number;
  /** A whole request (headers and body) must arrive within this many milliseconds; default 30 000. */
  requestTimeoutMs?: number;
  /** Open connections at most; requests on those past it are answered 503. Default 1 000. */
  maxConnections?: number;
  /**
   * Webhooks: the allow-list of receivers events may be sent to (`allow`: `loopback`, `HOST` or
   * `HOST:PORT`; default loopback only), and the delivery schedule (`schedule`: tests shorten it).
   */
  webhooks?: WebhookOptions;
  /**
   * The server's URL as receivers of its events reach it: the base of the `ResourceUri` and
   * `x-ms-certificate-url` of every event. Default: `url`, where it listens.
   */
  publicUrl?: string;
  /**
   * Turns the admin API on (`/_admin/namespaces`: a namespace per CI job), with this bearer token
   * of its own (at least 16 characters; never a partner's). Default: off, and its paths are 404.
   */
  adminToken?: string;
  /** How often expired namespaces are looked for and deleted, in milliseconds; default 10 000. */
  namespaceSweepMs?: number;
  /**
   * An OpenID Connect issuer (such as `https://login.microsoftonline.com/<tenant>/v2.0`, or
   * `.../common/v2.0` for every tenant): JWT bearers are verified against its keys and
   * authenticate the configured partner of their tenant (`tid`). Read at start (its discovery
   * document); a start fails when it cannot be read. Default: configured string tokens only.
   */
  tokenIssuer?: string;
  /**
   * Puts code in front of the API, as `@usagebudget/mock` puts its test controls (see
   * `ExtendServer`): what it returns receives every request first and passes the API's on. Default:
   * none, the API alone, as the bin serves it.
   */
  extend?: ExtendServer;
}

export interface RunningServer {
  /** `http://HOST:PORT`, with the port actually bound. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The database in use: the SQLite path, or the PostgreSQL URL without its password. */
  readonly db: string;
  /**
   * What a receiver of the server's events trusts: its test root (PEM), the organisation of its
   * signing certificate, and where both are served.
   */
  readonly webhooks: WebhookTrust;
  /** Stops accepting, finishes in-flight requests, closes the database. Safe to call more than once. */
  close(): Promise<void>;
}

/** A replay record answers retries for a day; a client retrying later than that is starting a new call. */
const REPLAY_TTL_MS = 24 * 60 * 60 * 1000;
/** Webhook events (test events' delivery status included) are kept 7 days, as Partner Center keeps test events. */
const WEBHOOK_EVENT_TTL_MS = 7 * 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
// A tenth of a timeout, but not so often that checking costs more than it saves.
const MIN_CHECKING_INTERVAL_MS = 100;
const DEFAULT_SHUTDOWN_GRACE_MS = 10_000;

/** How long a request may take to arrive, and how many connections may be open. */
interface ConnectionLimits {
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxConnections: number;
}

/** The options' limits with their defaults, checked. */
function connectionLimits(options: ServerOptions): ConnectionLimits {
  const { requestTimeoutMs = DEFAULT_LIMITS.requestTimeoutMs, maxConnections = DEFAULT_LIMITS.maxConnections } =
    options;
  const { headersTimeoutMs = Math.min(DEFAULT_LIMITS.headersTimeoutMs, requestTimeoutMs) } = options;
  const limits = { requestTimeoutMs, headersTimeoutMs, maxConnections };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer (got ${value})`);
  }
  // Node refuses a headers timeout longer than the request's: the headers are part of the request.
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new Error(`headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs})`);
  }
  return limits;
}

/** The store at `db`, seeded with the config's partners and customers (closed again when that fails). */
async function openSeededStore(db: string, config: ResolvedConfig, poolSize: number | undefined): Promise<Store> {
  if (!POSTGRES_URL.test(db) && poolSize !== undefined) {
    throw new Error('dbPoolSize applies to a PostgreSQL db only (SQLite is one connection)');
  }
  if (poolSize !== undefined && !(Number.isInteger(poolSize) && poolSize > 0)) {
    throw new Error(`dbPoolSize must be a positive integer (got ${poolSize})`);
  }
  const store = POSTGRES_URL.test(db)
    ? // The driver loads only for a PostgreSQL database (postgres-url.ts says why).
      await (await import('../storage/postgres-store.js')).openPostgresStore(
        db,
        poolSize === undefined ? {} : { poolSize },
      )
    : openSqliteStore(db);
  try {
    await store.seed(portfolioSeed(config));
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

/** Forgets stale replay records and webhook events now and every hour; returns what stops it. They only cost space: a failed prune is logged, never fatal. */
function startPruning(store: Store, log: AccessLog | undefined): () => void {
  const prune = async () => {
    try {
      await store.pruneReplays(REPLAY_TTL_MS);
      await store.pruneWebhookEvents(Date.now() - WEBHOOK_EVENT_TTL_MS);
    } catch (error) {
      log?.fault(null, error);
    }
  };
  void prune();
  const pruner = setInterval(prune, PRUNE_EVERY_MS).unref();
  return () => clearInterval(pruner);
}

/**
 * The namespaces' parts: the callers their tokens authenticate, the admin API (when there is an
 * admin token), and the sweep of expired ones, started.
 */
function startNamespaces(
  store: Store,
  webhooks: Webhooks,
  adminToken: string | undefined,
  sweepMs: number | undefined,
  log: AccessLog | undefined,
) {
  const callers = namespaceCallers(store);
  const admin =
    adminToken === undefined
      ? undefined
      : namespaceAdmin({ store, adminToken, callers, thresholds: webhooks.thresholds });
  return { callers, admin, stopSweeping: startSweeping(store, callers, sweepMs ?? NAMESPACE_SWEEP_MS, log) };
}

/** Deletes expired namespaces now and every `everyMs`; returns what stops it. A failed sweep is logged and tried again. */
function startSweeping(store: Store, callers: NamespaceCallers, everyMs: number, log: AccessLog | undefined) {
  let running = false;
  const sweep = async () => {
    if (running) return;
    running = true;
    try {
      await sweepExpiredNamespaces(store, callers);
    } catch (error) {
      log?.fault(null, error);
    } finally {
      running = false;
    }
  };
  const sweeper = setInterval(sweep, everyMs).unref();
  return () => clearInterval(sweeper);
}

/** The admin token, checked: long enough to be a secret, and no partner's token (each API refuses the other's). */
function checkedAdminToken(token: string | undefined, config: ResolvedConfig): string | undefined {
  if (token === undefined) return undefined;
  if (token.length < 16 || /\s/.test(token)) {
    throw new Error('the admin token must be at least 16 characters, without spaces');
  }
  if (config.partners.some((partner) => partner.tokens.some((entry) => entry.token === token))) {
    throw new Error("the admin token is also a partner's token in the config: give the admin API a token of its own");
  }
  return token;
}

/** What the API's request handler shares across configs: the store, the log, the connection state, the namespaces. */
type ApiParts = Pick<HandlerDependencies, 'log' | 'closing' | 'overCapacity' | 'answered' | 'admin'> & {
  readonly store: Store;
  /** Signs continuation tokens when the config gives no `continuationTokenSecret`: the database's, shared by replicas. */
  readonly tokenSecret: string;
  readonly throttle: ThrottleConfig | null | undefined;
  readonly webhooks: Webhooks;
  readonly callers: NamespaceCallers;
  readonly issuer: TokenIssuer | undefined;
};

/**
 * The API's request listener for a config: its partners, tokens, continuation token secret and
 * throttle (unless `throttle` overrides it), over the one store. Made again when an extension
 * resets the server to another config.
 */
function apiFactory(parts: ApiParts): (config: ResolvedConfig) => RequestListener {
  const routes = compileContract(spec, specValidator);
  const { store, webhooks } = parts;
  const files = new Map<string, StaticFile>([...staticFiles(), ...webhooks.files]);
  return (config) => {
    const chosen = parts.throttle === undefined ? config.throttle : (parts.throttle ?? undefined);
    // A copy per config: the in-process buckets are kept per limits object, so a reset starts
    // them full, as it empties PostgreSQL's (`clear`).
    const limits = chosen && { ...chosen };
    return createRequestHandler({
      routes,
      partners: createPartnerDirectory(config, { callers: parts.callers, store }, parts.issuer),
      operations: {
        ...budgetOperations(store, webhooks.thresholds),
        ...customerOperations(
          store,
          createContinuationTokens(config.continuationTokenSecret ?? parts.tokenSecret),
          (operationId) => operationRule(routes, operationId),
        ),
        ...usageOperations(store),
        ...webhooks.operations,
      },
      store,
      throttle: limits ? (partnerId: string) => store.takeToken(partnerId, limits) : undefined,
      files,
      admin: parts.admin,
      findFile: webhooks.findCertificate,
      log: parts.log,
      closing: parts.closing,
      overCapacity: parts.overCapacity,
      answered: parts.answered,
    });
  };
}

/** Node's HTTP server for `listener`, with the API's answers to what Node would otherwise answer itself. */
function createHttpServer(listener: RequestListener, limits: ConnectionLimits, answered: WeakSet<object>): Server {
  const { headersTimeoutMs, requestTimeoutMs } = limits;
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
    listener,
  );
  // Without these listeners Node answers itself, outside the API's contract: a bare 417 to an
  // Expect other than 100-continue (the handler answers it), and no answer at all to CONNECT.
  server.on('checkExpectation', (req: IncomingMessage, res: ServerResponse) => server.emit('request', req, res));
  server.on('connect', (_req: IncomingMessage, socket: Socket) => writeRawFault(socket, faults.connectNotAllowed()));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) =>
    answerClientError(error, socket, answered, { headersTimeoutMs, requestTimeoutMs }),
  );
  return server;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting, and resolves once the requests in flight are done; after `graceMs`, cuts the connections left. */
function closeGracefully(server: Server, graceMs: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const force = setTimeout(() => server.closeAllConnections(), graceMs);
    server.close(() => {
      clearTimeout(force);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/**
 * Where the webhook signing keys are kept: files beside a SQLite database (`webhook-signing/`);
 * the database's secrets on PostgreSQL, which its replicas share; nowhere for `:memory:` (made at
 * each start). Why SQLite keeps files is in src/storage/README.md (`Server secrets`).
 */
function signingKeyHome(db: string, store: Promise<Store>): SigningKeyHome {
  if (POSTGRES_URL.test(db)) return secretKeyHome(store);
  return db === ':memory:' ? memoryKeyHome : fileKeyHome(join(dirname(db), 'webhook-signing'));
}

/** The database as logs and `RunningServer.db` show it: a URL's password masked. */
function shownDb(db: string): string {
  return POSTGRES_URL.test(db) ? shownPostgresUrl(db) : db;
}

/**
 * The store at `db`, seeded; the webhook signing keys (made meanwhile, on libuv's threads); the
 * continuation token secret kept in the database, for configs that give none.
 */
async function openStoreAndSecrets(db: string, config: ResolvedConfig, poolSize: number | undefined) {
  const opening = openSeededStore(db, config, poolSize);
  const keys = loadSigningKeys(signingKeyHome(db, opening));
  keys.catch(() => {});
  const store = await opening;
  try {
    const tokenSecret = await store.keepSecret(SECRET_NAMES.continuationToken, randomBytes(32).toString('base64url'));
    const signing = await keys;
    // Every certificate any server signed with, by name: any replica serves each one's URL.
    await store.keepSecret(certificateSecretName(signing.certificateName), signing.certificatePem);
    return { store, keys: signing, tokenSecret };
  } catch (error) {
    await store.close();
    throw error;
  }
}

/** The partners of a config evaluated against their budgets, in the transaction of the seed (or one of their own). */
function evaluateSeed(tx: StoreOperations, webhooks: Webhooks, config: ResolvedConfig): Promise<void> {
  return webhooks.thresholds.evaluatePartners(
    tx,
    config.partners.map((partner) => partner.id),
    new Date(),
  );
}

/** What an extension gets: the API, a reset to another config, and the hooks a test makes things happen with. */
function extensionContext(
  parts: { store: Store; webhooks: Webhooks; host: string; log: AccessLog | undefined; baseUrl: () => string },
  api: { current: RequestListener; config: ResolvedConfig; make: (config: ResolvedConfig) => RequestListener },
): ExtensionContext {
  const { store, webhooks } = parts;
  return {
    api: (req, res) => api.current(req, res),
    host: parts.host,
    reset: async (next) => {
      await store.transaction(async (tx) => {
        await tx.clear();
        await tx.seed(portfolioSeed(next));
        await evaluateSeed(tx, webhooks, next);
      });
      webhooks.reset();
      api.current = api.make(next);
      api.config = next;
    },
    reportFault: (error) => parts.log?.fault(null, error),
    increaseCost: (customerId, increase) => {
      // The config's customer ids are its partners' alone (the config is checked for it).
      const id = customerId.toLowerCase();
      const owner = api.config.partners.find((partner) => partner.customers.some((customer) => customer.id === id));
      return owner ? increaseCost(store, webhooks.thresholds, owner.id, id, increase) : Promise.resolve(undefined);
    },
    raiseWebhookEvent: async (partnerId, event) => {
      if (!isOfferedEvent(event.eventName)) throw new RangeError(`the server offers no event ${event.eventName}`);
      const resourceUri = event.resourceUri?.startsWith('/')
        ? `${parts.baseUrl()}${event.resourceUri}`
        : event.resourceUri;
      return store.transaction((tx) => webhooks.raiser.raise(tx, partnerId, { ...event, resourceUri }, new Date()));
    },
    webhookEvents: (filter) => store.webhookEvents(filter),
  };
}

/** The options checked, with their defaults, and the token issuer read: what a start needs before it opens anything. */
async function startSettings(options: ServerOptions) {
  const config = parseConfig(options.config ?? demoConfig, 'options.config');
  return {
    issuer: options.tokenIssuer === undefined ? undefined : await discoverTokenIssuer(options.tokenIssuer),
    config,
    host: options.host ?? DEFAULT_HOST,
    db: options.db ?? defaultDbPath(),
    limits: connectionLimits(options),
    adminToken: checkedAdminToken(options.adminToken, config),
  };
}

/** Starts the reference server and resolves once it listens. */
export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const { config, host, db, limits, adminToken, issuer } = await startSettings(options);
  const { store, keys, tokenSecret } = await openStoreAndSecrets(db, config, options.dbPoolSize);
  const log = options.accessLog ? createAccessLog(options.accessLog) : undefined;
  let publicUrl = options.publicUrl ?? '';
  const webhooks = createWebhooks({
    store,
    keys,
    options: options.webhooks ?? {},
    baseUrl: () => publicUrl,
    log: log && ((entry) => log.webhook(entry)),
    fault: (error) => log?.fault(null, error),
  });
  const namespaces = startNamespaces(store, webhooks, adminToken, options.namespaceSweepMs, log);
  const stopPruning = startPruning(store, log);
  const stopTimers = () => {
    for (const stop of [stopPruning, namespaces.stopSweeping]) stop();
  };
  let closing = false;
  const [answered, connections] = [new WeakSet<object>(), connectionLimit(limits.maxConnections)];
  const apiFor = apiFactory({
    store,
    tokenSecret,
    webhooks,
    throttle: options.throttle,
    log,
    closing: () => closing,
    overCapacity: connections.overCapacity,
    answered,
    issuer,
    ...namespaces,
  });
  const api = { current: apiFor(config), config, make: apiFor };
  let extension: ServerExtension | undefined;
  let server: Server;
  let address: AddressInfo;
  try {
    extension = options.extend?.(extensionContext({ store, webhooks, host, log, baseUrl: () => publicUrl }, api));
    server = createHttpServer(extension?.listener ?? ((req, res) => api.current(req, res)), limits, answered);
    connections.watch(server);
    address = await listen(server, options.port ?? DEFAULT_PORT, host);
  } catch (error) {
    extension?.close?.();
    stopTimers();
    await store.close();
    throw error;
  }
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  publicUrl ||= url;
  await store.transaction((tx) => evaluateSeed(tx, webhooks, config));
  webhooks.start();
  let closed: Promise<void> | undefined;
  const shutdown = async () => {
    closing = true;
    stopTimers();
    extension?.close?.();
    await closeGracefully(server, options.shutdownGraceMs ?? DEFAULT_SHUTDOWN_GRACE_MS);
    await webhooks.close();
    log?.flush();
    await store.close();
  };
  return {
    url,
    host,
    port: address.port,
    db: shownDb(db),
    webhooks: webhooks.trust(),
    close: () => {
      closed ??= shutdown();
      return closed;
    },
  };
}
