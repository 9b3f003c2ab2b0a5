// The server's one extension point: code in front of the API, as `@usagebudget/mock` puts its test
// controls there. The server knows nothing of what an extension does; it gives it the API to pass
// requests to, a way to start again from another config, and its fault log.
import type { RequestListener } from 'node:http';
import type { ResolvedConfig } from '../partners/config-format.js';

/** What an extension gets of the server it extends. */
export interface ExtensionContext {
  /** The API: the server's own request listener. Pass it each request the extension does not answer itself. */
  readonly api: RequestListener;
  /** The host the server listens on (`startServer`'s `host`). */
  readonly host: string;
  /**
   * Starts again from `config`: deletes every stored row (budgets and replay records included),
   * seeds the store from `config` as a start does, and serves its partners, tokens and throttle
   * from the next request on.
   */
  reset(config: ResolvedConfig): void;
  /** Writes an unexpected error of the extension to the access log, as a fault with no request id. */
  reportFault(error: unknown): void;
}

/** What an extension puts in front of the API. */
export interface ServerExtension {
  /** Receives every request the server accepts, in the API's place (which is `ExtensionContext.api`). */
  readonly listener: RequestListener;
  /** Called once when the server starts closing, before it waits for the requests in flight to finish. */
  close?(): void;
}

/**
 * Makes an extension: called once by `startServer({ extend })`, after the store is open and
 * seeded from the config and before the server listens. A throw stops the start.
 */
export type ExtendServer = (server: ExtensionContext) => ServerExtension;
