import { parseArgs } from 'node:util';
import { type CloudName, clouds, isGuid } from '@usagebudget/client';
import { parseAmount } from './amount.js';
import { CommandLineError } from './command-line-error.js';

/** The local reference server (`usagebudget-server` with no options): the CLI's default endpoint. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:4020';
export const DEFAULT_TIMEOUT_SECONDS = 60;
/** The client's own default: two full attempts at the default timeout. */
export const DEFAULT_TOTAL_TIMEOUT_SECONDS = 120;
export const DEFAULT_RETRIES = 3;
const MAX_TIMEOUT_SECONDS = 86_400;
const MAX_RETRIES = 10;

const COMMANDS = ['get', 'set', 'clear', 'customers', 'usage', 'report', 'partner-usage', 'apply'] as const;
export type CommandName = (typeof COMMANDS)[number];
/** The most customers one page of `customers` may ask for: the spec's limit of `size`. */
export const MAX_PAGE_SIZE = 500;
/** `apply`: updates sent at once by default, and at most. */
export const DEFAULT_CONCURRENCY = 16;
export const MAX_CONCURRENCY = 64;

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
  json: boolean;
  correlationId?: string;
  locale?: string;
  timeoutMs: number;
  /** The whole call: token, attempts, retries and the waits between them. */
  totalTimeoutMs: number;
  retries: number;
  debug: boolean;
}

/** How `report` prints: an aligned table, JSON lines (`--json`) or CSV (`--csv`). */
export type ReportFormat = 'table' | 'json' | 'csv';

export type Invocation =
  | { kind: 'help'; command?: CommandName }
  | { kind: 'version' }
  | { kind: 'call'; command: 'get' | 'clear'; customerTenantId: string; settings: CommandLineSettings }
  | { kind: 'call'; command: 'usage'; customerTenantId: string; settings: CommandLineSettings }
  | { kind: 'call'; command: 'set'; customerTenantId: string; amount: number; settings: CommandLineSettings }
  | { kind: 'call'; command: 'customers'; pageSize?: number; maxPages?: number; settings: CommandLineSettings }
  | { kind: 'call'; command: 'report'; overPercent?: number; format: ReportFormat; settings: CommandLineSettings }
  | { kind: 'call'; command: 'partner-usage'; settings: CommandLineSettings }
  | {
      kind: 'call';
      command: 'apply';
      file: string;
      dryRun: boolean;
      skipInvalid: boolean;
      concurrency: number;
      settings: CommandLineSettings;
    };

/** The positional arguments each command takes after its name. */
const ARGUMENTS: Readonly<Record<CommandName, readonly string[]>> = {
  get: ['<customer-tenant-id>'],
  set: ['<customer-tenant-id>', '<amount>'],
  clear: ['<customer-tenant-id>'],
  customers: [],
  usage: ['<customer-tenant-id>'],
  report: [],
  'partner-usage': [],
  apply: ['<file.csv>'],
};

/** The options only some commands take. */
const COMMAND_OPTIONS = {
  'page-size': 'customers',
  'max-pages': 'customers',
  over: 'report',
  csv: 'report',
  'dry-run': 'apply',
  'skip-invalid': 'apply',
  concurrency: 'apply',
} as const;

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
  'page-size': { type: 'string' },
  'max-pages': { type: 'string' },
  over: { type: 'string' },
  csv: { type: 'boolean', default: false },
  'dry-run': { type: 'boolean', default: false },
  'skip-invalid': { type: 'boolean', default: false },
  concurrency: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

// parseArgs reads "-1" as an unknown option; a negative amount deserves the amount's own message.
const NEGATIVE_NUMBER = /^-(?:\d|\.\d)/;

function isCommand(word: string | undefined): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word ?? '');
}

/** Reads the command line. Throws a `CommandLineError` for anything wrong with it; sends nothing. */
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
  if (first === undefined) throw new CommandLineError('no command given');
  if (!isCommand(first)) throw new CommandLineError(`unknown command "${first}"`);

  for (const [option, owner] of Object.entries(COMMAND_OPTIONS)) {
    if (values[option as keyof typeof COMMAND_OPTIONS] && owner !== first) {
      throw new CommandLineError(`--${option} is an option of "usagebudget ${owner}"`, first);
    }
  }
  const settings = commandLineSettings(values, first);
  const expected = ARGUMENTS[first];
  if (rest.length < expected.length) {
    throw new CommandLineError(`missing ${expected.slice(rest.length).join(' ')}`, first);
  }
  if (rest.length > expected.length)
    throw new CommandLineError(`unexpected argument "${rest[expected.length]}"`, first);
  if (first === 'customers') {
    const pageSize = customersCount(values['page-size'], 'page-size', MAX_PAGE_SIZE);
    const maxPages = customersCount(values['max-pages'], 'max-pages', MAX_MAX_PAGES);
    return {
      kind: 'call',
      command: first,
      ...(pageSize !== undefined && { pageSize }),
      ...(maxPages !== undefined && { maxPages }),
      settings,
    };
  }
  if (first === 'report') {
    if (values.csv && values.json) throw new CommandLineError('--csv and --json both name the output: pass one', first);
    const format: ReportFormat = values.csv ? 'csv' : values.json ? 'json' : 'table';
    return { kind: 'call', command: first, ...overPercent(values.over), format, settings };
  }
  if (first === 'partner-usage') return { kind: 'call', command: first, settings };
  if (first === 'apply') {
    const concurrency = number(
      values.concurrency,
      DEFAULT_CONCURRENCY,
      (n) => Number.isInteger(n) && n >= 1 && n <= MAX_CONCURRENCY,
    );
    if (concurrency === undefined) {
      throw new CommandLineError(`--concurrency takes a whole number from 1 to ${MAX_CONCURRENCY}`, first);
    }
    return {
      kind: 'call',
      command: first,
      file: rest[0] as string,
      dryRun: values['dry-run'],
      skipInvalid: values['skip-invalid'],
      concurrency,
      settings,
    };
  }
  const customerTenantId = customerId(rest[0] as string, first);
  if (first === 'set')
    return { kind: 'call', command: first, customerTenantId, amount: parseAmount(rest[1] as string), settings };
  return { kind: 'call', command: first, customerTenantId, settings };
}

/** The most pages `customers` reads by default: the client's. */
export const DEFAULT_MAX_PAGES = 10_000;
const MAX_MAX_PAGES = 1_000_000;

/** `--page-size` or `--max-pages` of `customers`: absent, or a whole number from 1 to `max`. */
function customersCount(text: string | undefined, option: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  const count = number(text, 0, (n) => Number.isInteger(n) && n >= 1 && n <= max);
  if (count === undefined) throw new CommandLineError(`--${option} takes a whole number from 1 to ${max}`, 'customers');
  return count;
}

// A percentage as people write it: 80, 100, 92.5; no sign, no exponent, no % sign.
const PERCENT = /^\d+(?:\.\d+)?$/;

function overPercent(text: string | undefined): { overPercent?: number } {
  if (text === undefined) return {};
  if (!PERCENT.test(text.trim())) {
    throw new CommandLineError(`--over takes a percentage of the budget such as 80 or 100 (got "${text}")`, 'report');
  }
  return { overPercent: Number(text) };
}

function helpFor(word: string | undefined): Invocation {
  if (word === undefined || isCommand(word)) return { kind: 'help', command: word };
  throw new CommandLineError(`unknown command "${word}"`);
}

function customerId(text: string, command: CommandName): string {
  if (isGuid(text)) return text;
  throw new CommandLineError(
    `invalid customer tenant ID "${text}": expected a GUID such as 0c39d6d5-c70d-4c55-bc02-f620844f3fd1`,
    command,
  );
}

function parse(args: string[], command: CommandName | undefined) {
  try {
    return parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new CommandLineError((error as Error).message, command);
  }
}

type Values = ReturnType<typeof parse>['values'];

function commandLineSettings(values: Values, command: CommandName): CommandLineSettings {
  const fail = (message: string) => new CommandLineError(message, command);
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

/** The option's number, its default when absent, or `undefined` when it is not a valid one. */
function number(text: string | undefined, fallback: number, valid: (n: number) => boolean): number | undefined {
  if (text === undefined) return fallback;
  const value = Number(text);
  return text.trim() !== '' && Number.isFinite(value) && valid(value) ? value : undefined;
}
