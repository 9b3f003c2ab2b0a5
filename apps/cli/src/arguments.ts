import { parseArgs } from 'node:util';
import { type CloudName, clouds, isGuid } from '@usagebudget/client';
import { parseAmount } from './amount.js';
import { UsageError } from './usage-error.js';

/** The local reference server (`usagebudget-server` with no options): the CLI's default endpoint. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:4020';
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** The client's own default: two full attempts at the default timeout. */
export const DEFAULT_TOTAL_TIMEOUT_SECONDS = 120;
export const DEFAULT_RETRIES = 3;
const MAX_TIMEOUT_SECONDS = 86_400;
const MAX_RETRIES = 10;

const COMMANDS = ['get', 'set', 'clear'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Where the calls go: a base URL, or one of the client's clouds. */
export type Endpoint = { baseURL: string } | { cloud: CloudName };

export function endpointURL(endpoint: Endpoint): string {
  return 'baseURL' in endpoint ? endpoint.baseURL : clouds[endpoint.cloud].baseURL;
}

export interface CallSettings {
  endpoint: Endpoint;
  token?: string;
  tokenCommand?: string;
  json: boolean;
  correlationId?: string;
  locale?: string;
  timeoutMs: number;
  /** The whole call: token, attempts, retries and the waits between them. */
  totalTimeoutMs: number;
  retries: number;
  debug: boolean;
}

export type Invocation =
  | { kind: 'help'; command?: CommandName }
  | { kind: 'version' }
  | { kind: 'call'; command: 'get' | 'clear'; customerTenantId: string; settings: CallSettings }
  | { kind: 'call'; command: 'set'; customerTenantId: string; amount: number; settings: CallSettings };

const OPTIONS = {
  'base-url': { type: 'string' },
  cloud: { type: 'string' },
  token: { type: 'string' },
  'token-command': { type: 'string' },
  json: { type: 'boolean', default: false },
  'correlation-id': { type: 'string' },
  locale: { type: 'string' },
  timeout: { type: 'string' },
  'total-timeout': { type: 'string' },
  retries: { type: 'string' },
  debug: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

// parseArgs reads "-1" as an unknown option; a negative amount deserves the amount's own message.
const NEGATIVE_NUMBER = /^-(?:\d|\.\d)/;

function isCommand(word: string | undefined): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word ?? '');
}

/** Reads the command line. Throws a `UsageError` for anything wrong with it; sends nothing. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const hidden = new Map<string, string>();
  const args = argv.map((arg, index) => {
    if (!NEGATIVE_NUMBER.test(arg)) return arg;
    const placeholder = `\u0000${index}`;
    hidden.set(placeholder, arg);
    return placeholder;
  });
  const unhide = (value: string) => hidden.get(value) ?? value;

  const parsed = parse(args, argv.find(isCommand));
  const values = Object.fromEntries(
    Object.entries(parsed.values).map(([key, value]) => [key, typeof value === 'string' ? unhide(value) : value]),
  ) as Values;
  const [first, ...rest] = parsed.positionals.map(unhide);

  if (first === 'help') return helpFor(rest[0]);
  if (values.help) return first === undefined || isCommand(first) ? { kind: 'help', command: first } : helpFor(first);
  if (values.version) return { kind: 'version' };
  if (first === undefined) throw new UsageError('no command given');
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}"`);

  const settings = callSettings(values, first);
  const arity = first === 'set' ? 2 : 1;
  if (rest.length < arity) {
    const missing = ['<customer-tenant-id>', '<amount>'].slice(rest.length, arity);
    throw new UsageError(`missing ${missing.join(' ')}`, first);
  }
  if (rest.length > arity) throw new UsageError(`unexpected argument "${rest[arity]}"`, first);
  const customerTenantId = customerId(rest[0] as string, first);
  if (first === 'set')
    return { kind: 'call', command: first, customerTenantId, amount: parseAmount(rest[1] as string), settings };
  return { kind: 'call', command: first, customerTenantId, settings };
}

function helpFor(word: string | undefined): Invocation {
  if (word === undefined || isCommand(word)) return { kind: 'help', command: word };
  throw new UsageError(`unknown command "${word}"`);
}

function customerId(text: string, command: CommandName): string {
  if (isGuid(text)) return text;
  throw new UsageError(
    `invalid customer tenant ID "${text}": expected a GUID such as 0c39d6d5-c70d-4c55-bc02-f620844f3fd1`,
    command,
  );
}

function parse(args: string[], command: CommandName | undefined) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new UsageError((error as Error).message, command);
  }
}

type Values = ReturnType<typeof parse>['values'];

function callSettings(values: Values, command: CommandName): CallSettings {
  const fail = (message: string) => new UsageError(message, command);
  if (values['base-url'] !== undefined && values.cloud !== undefined) {
    throw fail('--base-url and --cloud both name the target: pass one');
  }
  let endpoint: Endpoint = { baseURL: DEFAULT_BASE_URL };
  if (values.cloud !== undefined) {
    const cloud = values.cloud;
    if (!Object.hasOwn(clouds, cloud)) throw fail(`--cloud must be one of ${Object.keys(clouds).join(', ')}`);
    endpoint = { cloud: cloud as CloudName };
  }
  if (values['base-url'] !== undefined) endpoint = { baseURL: httpUrl(values['base-url'], fail) };

  if (values.token === '') throw fail('--token is empty');
  if (values['token-command']?.trim() === '') throw fail('--token-command is empty');
  const correlationId = values['correlation-id'];
  if (correlationId !== undefined && !isGuid(correlationId)) {
    throw fail(`--correlation-id must be a GUID (got "${correlationId}")`);
  }
  const timeout = number(values.timeout, DEFAULT_TIMEOUT_SECONDS, (n) => n > 0 && n <= MAX_TIMEOUT_SECONDS);
  if (timeout === undefined) throw fail(`--timeout takes seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  // Without --total-timeout, a --timeout longer than the default total still gets its one attempt.
  const totalTimeout = number(
    values['total-timeout'],
    Math.max(DEFAULT_TOTAL_TIMEOUT_SECONDS, timeout),
    (n) => n > 0 && n <= MAX_TIMEOUT_SECONDS,
  );
  if (totalTimeout === undefined) {
    throw fail(`--total-timeout takes seconds, more than 0 and at most ${MAX_TIMEOUT_SECONDS}`);
  }
  const retries = number(values.retries, DEFAULT_RETRIES, (n) => Number.isInteger(n) && n >= 0 && n <= MAX_RETRIES);
  if (retries === undefined) throw fail(`--retries takes a whole number from 0 to ${MAX_RETRIES}`);

  return {
    endpoint,
    token: values.token,
    tokenCommand: values['token-command'],
    json: values.json,
    correlationId,
    locale: values.locale,
    timeoutMs: Math.ceil(timeout * 1000),
    totalTimeoutMs: Math.ceil(totalTimeout * 1000),
    retries,
    debug: values.debug,
  };
}

function httpUrl(text: string, fail: (message: string) => UsageError): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw fail(`--base-url is not a URL: "${text}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fail(`--base-url must be http or https: "${text}"`);
  return text;
}

/** The option's number, its default when absent, or `undefined` when it is not a valid one. */
function number(text: string | undefined, fallback: number, valid: (n: number) => boolean): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && valid(value) ? value : undefined;
}
