import { readFile } from 'node:fs/promises';
import type { ResolvedPartner, Seed } from '@usagebudget/server';
import { connectMockAdmin, type MockAdmin } from './admin.js';

/** What a mock serves: the stateful reference server, or Prism's answers from the spec's examples. */
export type MockMode = 'stateful' | 'static';

/** Where a mock listens. */
interface CommonOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: a free port (read it from `url`). */
  port?: number;
}

/** How to start a stateful mock. */
export interface StatefulMockOptions extends CommonOptions {
  /** `stateful`, the default. */
  mode?: 'stateful';
  /**
   * Partners, tokens, customers with their usage and budgets (the reference server's config
   * format): a `Seed` object, or the path of a JSON file of one. Checked at the start, each value
   * against the spec; every bad field is named. Default: the demo partner and its 240 customers.
   */
  seed?: Seed | string;
  /** Receives the server's JSON-lines access log. Default: no log. */
  accessLog?: (chunk: string) => void;
  /**
   * The request journal's budget, in bytes: the newest requests whose headers, path, query and
   * bodies (each cut at 64 KiB), plus 1 KiB each, fit in it are kept, the oldest dropped first
   * (and counted). Default 32 MiB (33554432); 0 keeps none.
   */
  journalMaxBytes?: number;
  /**
   * Host names the test controls answer requests sent to, besides loopback (`localhost`), IP
   * addresses and `host`: the service name another container reaches the mock by (`mock` in
   * `http://mock:4010`). A request to any other `Host` is refused (421), as DNS rebinding sends.
   */
  allowedHosts?: readonly string[];
}

/** How to start a static mock. */
export interface StaticMockOptions extends CommonOptions {
  /** `static`: Prism serving the spec's examples. */
  mode: 'static';
}

/** The options of either mode. */
export type MockOptions = StatefulMockOptions | StaticMockOptions;

/** The partner a mock's `token` authenticates as. */
export interface MockPartner {
  /** The partner's tenant ID. */
  readonly id: string;
  /** The partner's name, as its usage summary's `resourceName` gives it. */
  readonly name: string;
}

/** What every mock gives. */
interface MockBase {
  /** `http://HOST:PORT`: the API's base URL, for the client's `baseURL`. */
  readonly url: string;
  /** A bearer token of `partner`, ready to use: an app+user token when it has one, which every operation accepts. */
  readonly token: string;
  /** The seed's first partner (static mode: the demo partner, whose first customer is the spec's example). */
  readonly partner: MockPartner;
  /** That partner's customer tenant IDs, in listing order (generated ones included), lower case. */
  readonly customers: readonly string[];
  /** Stops the mock and frees its port; safe to call twice. */
  close(): Promise<void>;
}

/** The reference server with an in-memory store and test controls. */
export interface StatefulMock extends MockBase {
  /** `stateful`. */
  readonly mode: 'stateful';
  /** The test controls: fault rules, journal, reset, re-seed. */
  readonly admin: MockAdmin;
}

/** Prism serving the bundled spec's examples (`Prefer: code=`, `example=`); it has no test controls. */
export interface StaticMock extends MockBase {
  /** `static`. */
  readonly mode: 'static';
}

/** A running mock, of either mode (`mode` tells which). */
export type Mock = StatefulMock | StaticMock;

async function seedFrom(seed: Seed | string | undefined): Promise<{ value: unknown; source: string }> {
  if (typeof seed !== 'string') return { value: seed, source: 'seed' };
  let text: string;
  try {
    text = await readFile(seed, 'utf8');
  } catch (error) {
    throw new Error(`${seed}: ${(error as Error).message}`);
  }
  try {
    return { value: JSON.parse(text), source: seed };
  } catch (error) {
    throw new Error(`${seed}: not JSON: ${(error as Error).message}`);
  }
}

function onlyOnce(close: () => Promise<unknown>): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= close().then(() => undefined);
    return closed;
  };
}

async function startStateful(options: StatefulMockOptions): Promise<StatefulMock> {
  // The server (and its SQLite) loads only for this mode; it is ESM, and this also runs from CommonJS.
  const server = await import('@usagebudget/server');
  const { value, source } = await seedFrom(options.seed);
  let seed: ReturnType<typeof server.parseSeed>;
  try {
    seed = server.parseSeed(value ?? (await import('@usagebudget/server/testing')).demoConfig, source);
  } catch (error) {
    throw error instanceof server.ConfigError ? new server.ConfigError(source, error.problems) : error;
  }
  const running = await server.startServer({
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    db: ':memory:',
    testControls: {
      seed: seed.given,
      ...(options.journalMaxBytes === undefined ? {} : { journalMaxBytes: options.journalMaxBytes }),
      ...(options.allowedHosts === undefined ? {} : { allowedHosts: options.allowedHosts }),
    },
    ...(options.accessLog ? { accessLog: options.accessLog } : {}),
  });
  const [partner] = seed.config.partners as [ResolvedPartner];
  const token = partner.tokens.find(({ kind }) => kind === 'app+user') ?? partner.tokens[0];
  return {
    mode: 'stateful',
    url: running.url,
    // A partner may list no token; the mock still serves the seed's other partners.
    token: token?.token ?? '',
    partner: { id: partner.id, name: partner.name },
    customers: partner.customers.map(({ id }) => id),
    admin: connectMockAdmin(running.url),
    close: onlyOnce(() => running.close()),
  };
}

async function startStatic(options: StaticMockOptions): Promise<StaticMock> {
  const stateful = (['seed', 'accessLog', 'journalMaxBytes', 'allowedHosts'] as const).filter(
    (option) => option in options,
  );
  if (stateful.length > 0) {
    throw new Error(
      `startMock: a static mock serves the spec’s examples; ${stateful.join(', ')} need${stateful.length > 1 ? '' : 's'} the stateful mode`,
    );
  }
  const [{ startPrism }, { demoPartner }] = await Promise.all([
    import('./prism.js'),
    import('@usagebudget/server/testing'),
  ]);
  const prism = await startPrism({ mode: 'mock', host: options.host ?? '127.0.0.1', port: options.port ?? 0 });
  return {
    mode: 'static',
    url: prism.url,
    token: demoPartner.token,
    partner: { id: demoPartner.id, name: demoPartner.name },
    customers: demoPartner.customers,
    close: onlyOnce(() => prism.stop()),
  };
}

/**
 * Starts a mock of the Partner Center usage budget API on loopback and resolves once it listens:
 * `stateful` (default), the reference server with an in-memory store, a seed and test controls; or
 * `static`, Prism serving the spec's examples. `close()` stops it; a static mock's Prism process
 * also ends when this process ends first, however it ends (`kill -9` included).
 */
export function startMock(options?: StatefulMockOptions): Promise<StatefulMock>;
/** Starts a static mock: Prism serving the bundled spec's examples. */
export function startMock(options: StaticMockOptions): Promise<StaticMock>;
/** Starts a mock of the mode `options.mode` names. */
export function startMock(options?: MockOptions): Promise<Mock>;
export function startMock(options: MockOptions = {}): Promise<Mock> {
  if (options.mode === 'static') return startStatic(options);
  if (options.mode !== undefined && options.mode !== 'stateful') {
    return Promise.reject(
      new Error(`startMock: mode must be 'stateful' or 'static', not ${JSON.stringify(options.mode)}`),
    );
  }
  return startStateful(options);
}
