// How to start a mock, in either mode: `startMock`'s options.
import type { Seed } from './test-controls/seed.js';

/** Where a mock listens. */
export interface CommonOptions {
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
  /**
   * Webhooks: `allow`, the receivers events may be sent to (`loopback`, `HOST` or `HOST:PORT`;
   * default loopback only: a receiver in another container needs its name here, such as
   * `receiver:8080`); `firstRetryMs` and `maxRetryMs`, the waits between attempts (15 s doubling
   * to 1 hour by default, as the spec says; a test of retries shortens them); `timeoutMs`, an
   * attempt's time limit (10 s).
   */
  webhooks?: MockWebhookOptions;
}

/** How a stateful mock delivers webhook events. */
export interface MockWebhookOptions {
  /** The receivers events may be sent to: `loopback`, `HOST` or `HOST:PORT` entries. Default `['loopback']`; a list replaces it. */
  readonly allow?: readonly string[];
  /** The wait after an event's first failed attempt, doubled after each: 15 000. */
  readonly firstRetryMs?: number;
  /** The longest wait between attempts: 3 600 000 (1 hour). */
  readonly maxRetryMs?: number;
  /** An attempt's time limit, connecting included: 10 000. */
  readonly timeoutMs?: number;
}

/** How to start a static mock. */
export interface StaticMockOptions extends CommonOptions {
  /** `static`: Prism serving the spec's examples. */
  mode: 'static';
}

/** A shared reference server to make the mock's namespace on (its admin API must be on). */
export interface SharedServerOptions {
  /** The server's base URL, `http://HOST:PORT`. */
  readonly url: string;
  /**
   * The server's admin token. Default: `$USAGEBUDGET_ADMIN_TOKEN`, so that a CI job takes it from
   * its secrets, never from its code.
   */
  readonly adminToken?: string;
  /** How long the namespace lives unless `close()` deletes it first: the server's default (1 hour), at most 1 day. */
  readonly ttlSeconds?: number;
  /** The namespace's partner name (its usage summary's `resourceName`); default the server's. */
  readonly name?: string;
}

/**
 * How to use a namespace of a shared reference server as the mock: no process is started; the
 * namespace (a partner of its own, seeded, that no other job sees) is made at the start and
 * deleted by `close()`.
 */
export interface SharedMockOptions {
  /** `shared`; optional, `shared` alone says it. */
  mode?: 'shared';
  readonly shared: SharedServerOptions;
  /**
   * One partner in the reference server's config format (a `Seed` object, or the path of a JSON
   * file of one): its customers, generated customers, billing period and locale; its id and
   * tokens are ignored, the server makes the namespace's. Default: the demo partner's 240 customers.
   */
  seed?: Seed | string;
}

/** The options of any mode. */
export type MockOptions = StatefulMockOptions | StaticMockOptions | SharedMockOptions;
