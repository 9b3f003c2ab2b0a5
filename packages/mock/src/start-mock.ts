import { connectMockAdmin, type MockAdmin } from './admin.js';
import type { MockOptions, SharedMockOptions, StatefulMockOptions, StaticMockOptions } from './mock-options.js';
import { type SharedMockAdmin, type SharedNamespace, startShared } from './shared-mock.js';

/**
 * What a mock serves: the stateful reference server, Prism's answers from the spec's examples, or
 * a namespace of a shared reference server.
 */
export type MockMode = 'stateful' | 'static' | 'shared';

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

/**
 * What a receiver under test trusts instead of Partner Center's certificate: the mock signs its
 * events with a test root of its own, made at its start.
 */
export interface MockWebhooks {
  /** The mock's test root, PEM: the one root to trust. */
  readonly rootCertificate: string;
  /** The organisation (`O=`) of the signing certificate's subject: `usagebudget reference server`. */
  readonly organization: string;
  /** The `x-ms-certificate-url` of every event: the signing certificate, on the mock's own host. */
  readonly certificateUrl: string;
  /** Where the mock serves its test root (`/webhooks/certificates/root.pem`). */
  readonly rootUrl: string;
}

/** The reference server with an in-memory store and test controls. */
export interface StatefulMock extends MockBase {
  /** `stateful`. */
  readonly mode: 'stateful';
  /** The test controls: fault rules, journal, reset, re-seed, costs that grow, events raised and their deliveries. */
  readonly admin: MockAdmin;
  /** How its webhook events are signed: what a receiver under test trusts. */
  readonly webhooks: MockWebhooks;
}

/** Prism serving the bundled spec's examples (`Prefer: code=`, `example=`); it has no test controls. */
export interface StaticMock extends MockBase {
  /** `static`. */
  readonly mode: 'static';
}

/**
 * A namespace of a shared reference server: a partner of its own (tenant id, tokens, customers)
 * that no other job sees. The test controls of a mock of its own (fault rules, journal, costs,
 * webhook events) run in that mock's process and are not here; `admin.reset()` is.
 */
export interface SharedMock extends MockBase {
  /** `shared`. */
  readonly mode: 'shared';
  /** The namespace's app-only token (`token` is its app+user one). */
  readonly appOnlyToken: string;
  readonly namespace: SharedNamespace;
  /** The namespace's reset. */
  readonly admin: SharedMockAdmin;
}

/** A running mock, of any mode (`mode` tells which). */
export type Mock = StatefulMock | StaticMock | SharedMock;

function onlyOnce(close: () => Promise<unknown>): () => Promise<void> {
  let closed: Promise<void> | undefined;
  return () => {
    closed ??= close().then(() => undefined);
    return closed;
  };
}

async function startStateful(options: StatefulMockOptions): Promise<StatefulMock> {
  // The server (and its SQLite) loads only for this mode: the module is ESM, built apart (see
  // tsup.config.ts) and imported from the CommonJS build too.
  const { startStatefulServer } = await import('./stateful-mock.js');
  const running = await startStatefulServer(options);
  const { partner } = running;
  const token = partner.tokens.find(({ kind }) => kind === 'app+user') ?? partner.tokens[0];
  return {
    mode: 'stateful',
    url: running.url,
    // A partner may list no token; the mock still serves the seed's other partners.
    token: token?.token ?? '',
    partner: { id: partner.id, name: partner.name },
    customers: partner.customers.map(({ id }) => id),
    admin: connectMockAdmin(running.url),
    webhooks: { ...running.webhooks },
    close: onlyOnce(() => running.close()),
  };
}

async function startStatic(options: StaticMockOptions): Promise<StaticMock> {
  const stateful = (['seed', 'accessLog', 'journalMaxBytes', 'allowedHosts', 'webhooks'] as const).filter(
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
/**
 * Makes a namespace on a shared reference server (`shared.url`, its admin API on) from the seed's
 * one partner, instead of starting a process: `close()` deletes it.
 */
export function startMock(options: SharedMockOptions): Promise<SharedMock>;
/** Starts a mock of the mode `options.mode` names. */
export function startMock(options?: MockOptions): Promise<Mock>;
export function startMock(options: MockOptions = {}): Promise<Mock> {
  if ('shared' in options && options.shared !== undefined) {
    return startShared(options).then((mock) => mock satisfies SharedMock);
  }
  if (options.mode === 'shared') return Promise.reject(new Error('startMock: the shared mode needs shared: { url }'));
  if (options.mode === 'static') return startStatic(options);
  if (options.mode !== undefined && options.mode !== 'stateful') {
    return Promise.reject(
      new Error(`startMock: mode must be 'stateful', 'static' or 'shared', not ${JSON.stringify(options.mode)}`),
    );
  }
  return startStateful(options as StatefulMockOptions);
}
