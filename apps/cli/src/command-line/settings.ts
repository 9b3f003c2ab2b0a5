import { type CloudName, clientDefaults, clouds, isGuid } from '@usagebudget/client';
import { CommandLineError } from './error.js';
import { proxyURL, readSignIn, type SignInSettings } from './sign-in-options.js';
import { numberOption } from './values.js';

/** The local reference server (`usagebudget-server` with no options): the CLI's default endpoint. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:4020';
/** The client's own defaults, in the CLI's unit (seconds). */
export const DEFAULT_TIMEOUT_SECONDS = clientDefaults.timeoutMs / 1000;
export const DEFAULT_TOTAL_TIMEOUT_SECONDS = clientDefaults.totalTimeoutMs / 1000;
export const DEFAULT_RETRIES = clientDefaults.maxRetries;
const MAX_TIMEOUT_SECONDS = 86_400;
const MAX_RETRIES = 10;

/** Where the calls go: a base URL, or one of the client's clouds. */
export type Endpoint = { baseURL: string } | { cloud: CloudName };

export function endpointURL(endpoint: Endpoint): string {
  return 'baseURL' in endpoint ? endpoint.baseURL : clouds[endpoint.cloud].baseURL;
}

/**
 * What the command line sets for every command: the target, the token, the output, the time limits
 * and retries. (The client's own per-call settings are another thing: these are what it is built with.)
 */
export interface CommandLineSettings {
  endpoint: Endpoint;
  token?: string;
  tokenCommand?: string;
  /** `--auth`: a sign-in through `@azure/identity` (see `sign-in/`), with its tenant and app. */
  signIn?: SignInSettings;
  /** `--proxy`: the proxy of every request (its credentials are never shown). */
  proxy?: string;
  json: boolean;
  correlationId?: string;
  locale?: string;
  timeoutMs: number;
  /** The whole call: token, attempts, retries and the waits between them. */
  totalTimeoutMs: number;
  retries: number;
  debug: boolean;
}

/** The options every command takes, as `parseArgs` reads them (those of one command are its own). */
export const SETTINGS_OPTIONS = {
  'base-url': { type: 'string' },
  cloud: { type: 'string' },
  token: { type: 'string' },
  'token-command': { type: 'string' },
  auth: { type: 'string' },
  tenant: { type: 'string' },
  'client-id': { type: 'string' },
  proxy: { type: 'string' },
  json: { type: 'boolean', default: false },
  'correlation-id': { type: 'string' },
  locale: { type: 'string' },
  timeout: { type: 'string' },
  'total-timeout': { type: 'string' },
  retries: { type: 'string' },
  debug: { type: 'boolean', default: false },
} as const;

/** The values of {@link SETTINGS_OPTIONS} as `parseArgs` gives them. */
export interface SettingsValues {
  'base-url'?: string;
  cloud?: string;
  token?: string;
  'token-command'?: string;
  auth?: string;
  tenant?: string;
  'client-id'?: string;
  proxy?: string;
  json: boolean;
  'correlation-id'?: string;
  locale?: string;
  timeout?: string;
  'total-timeout'?: string;
  retries?: string;
  debug: boolean;
}

/** The settings of the command line, checked; a {@link CommandLineError} naming `command` otherwise. */
export function readSettings(values: SettingsValues, command: string): CommandLineSettings {
  const fail = (message: string) => new CommandLineError(message, command);
  const endpoint = readEndpoint(values, fail);
  if (values.token === '') throw fail('--token is empty');
  if (values['token-command']?.trim() === '') throw fail('--token-command is empty');
  const signIn = readSignIn(values, fail);
  const proxy = values.proxy === undefined ? undefined : proxyURL(values.proxy, fail);
  const correlationId = values['correlation-id'];
  if (correlationId !== undefined && !isGuid(correlationId)) {
    throw fail(`--correlation-id must be a GUID (got "${correlationId}")`);
  }
  const timeout = numberOption(values.timeout, DEFAULT_TIMEOUT_SECONDS, (n) => n > 0 && n <= MAX_TIMEOUT_SECONDS);
  if (timeout === undefined) throw fail(`--timeout takes seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  // Without --total-timeout, a --timeout longer than the default total still gets its one attempt.
  const totalTimeout = numberOption(
    values['total-timeout'],
    Math.max(DEFAULT_TOTAL_TIMEOUT_SECONDS, timeout),
    (n) => n > 0 && n <= MAX_TIMEOUT_SECONDS,
  );
  if (totalTimeout === undefined) {
    throw fail(`--total-timeout takes seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  }
  const retries = numberOption(
    values.retries,
    DEFAULT_RETRIES,
    (n) => Number.isInteger(n) && n >= 0 && n <= MAX_RETRIES,
  );
  if (retries === undefined) throw fail(`--retries takes a whole number from 0 to ${MAX_RETRIES}`);

  return {
    endpoint,
    token: values.token,
    tokenCommand: values['token-command'],
    ...(signIn && { signIn }),
    ...(proxy !== undefined && { proxy }),
    json: values.json,
    correlationId,
    locale: values.locale,
    timeoutMs: Math.ceil(timeout * 1000),
    totalTimeoutMs: Math.ceil(totalTimeout * 1000),
    retries,
    debug: values.debug,
  };
}

/** `--base-url` or `--cloud` (not both), or the reference server's address. */
function readEndpoint(values: SettingsValues, fail: (message: string) => CommandLineError): Endpoint {
  if (values['base-url'] !== undefined && values.cloud !== undefined) {
    throw fail('--base-url and --cloud both name the target: pass one');
  }
  if (values['base-url'] !== undefined) return { baseURL: httpUrl(values['base-url'], fail) };
  if (values.cloud === undefined) return { baseURL: DEFAULT_BASE_URL };
  if (!Object.hasOwn(clouds, values.cloud)) throw fail(`--cloud must be one of ${Object.keys(clouds).join(', ')}`);
  return { cloud: values.cloud as CloudName };
}

function httpUrl(text: string, fail: (message: string) => CommandLineError): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail(`--base-url is not a URL: "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`--base-url must be http or https: "${text}"`);
  return text;
}
