import { readFileSync } from 'node:fs';
import { isCustomerTenantId } from '../contract/spec-validator.js';

export interface PartnerConfig {
  /** Shown in 403 descriptions and access logs; Partner Center's partner ids are GUIDs. */
  readonly id: string;
  readonly name: string;
  /** Bearer tokens that authenticate as this partner. */
  readonly tokens: readonly string[];
  /** Customer tenant IDs (GUIDs) this partner manages. */
  readonly customers: readonly string[];
}

/** A per-partner token bucket: `burst` requests at once, refilled at `requestsPerSecond`. */
export interface ThrottleConfig {
  readonly requestsPerSecond: number;
  readonly burst: number;
}

export interface ServerConfig {
  readonly partners: readonly PartnerConfig[];
  /** Absent: no throttling. */
  readonly throttle?: ThrottleConfig | undefined;
}

// RFC 6750's b64token: what may follow `Bearer ` in an Authorization header.
const BEARER_TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;

/** One problem of a config, naming its place; `parseConfig` collects them all before it fails. */
class Problem extends Error {}

/** A config that cannot be used, with every problem found, each naming its place in the file. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(
      problems.length === 1
        ? `${source}: ${problems[0]}`
        : `${source}: ${problems.length} problems:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
}

/** Runs one field's check; a problem is recorded and the field reads as `undefined`. */
type Check = <T>(read: () => T) => T | undefined;

function record(value: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Problem(`${where} must be an object`);
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new Problem(`${where} has unknown keys: ${unknown.join(', ')}`);
  return value as Record<string, unknown>;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new Problem(`${where} must be a non-empty string`);
  return value;
}

/** Each entry checked on its own, so every bad entry is reported; the good ones are returned. */
function list<T>(check: Check, value: unknown, where: string, item: (entry: unknown, at: string) => T): T[] {
  if (!Array.isArray(value)) throw new Problem(`${where} must be an array`);
  const items: T[] = [];
  value.forEach((entry, index) => {
    const parsed = check(() => item(entry, `${where}[${index}]`));
    if (parsed !== undefined) items.push(parsed);
  });
  return items;
}

function unique(problems: string[], values: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) problems.push(`${what} ${JSON.stringify(value)} appears more than once`);
    seen.add(value);
  }
}

function positive(value: unknown, where: string, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new Problem(`${where} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

function parseThrottle(check: Check, value: unknown, where = 'throttle'): ThrottleConfig | undefined {
  const fields = check(() => record(value, where, ['requestsPerSecond', 'burst']));
  if (!fields) return undefined;
  const requestsPerSecond = check(() => positive(fields.requestsPerSecond, `${where}.requestsPerSecond`, false));
  const burst = check(() => positive(fields.burst, `${where}.burst`, true));
  return requestsPerSecond === undefined || burst === undefined ? undefined : { requestsPerSecond, burst };
}

function parsePartner(check: Check, entry: unknown, at: string): PartnerConfig {
  const fields = record(entry, at, ['id', 'name', 'tokens', 'customers']);
  const id = check(() => text(fields.id, `${at}.id`));
  const name = check(() => text(fields.name, `${at}.name`));
  const tokens = check(() =>
    list(check, fields.tokens, `${at}.tokens`, (token, where) => {
      if (typeof token !== 'string' || !BEARER_TOKEN.test(token)) {
        throw new Problem(`${where} must be a bearer token (letters, digits and -._~+/, then any =)`);
      }
      return token;
    }),
  );
  const customers = check(() =>
    list(check, fields.customers, `${at}.customers`, (customer, where) => {
      if (!isCustomerTenantId(customer)) throw new Problem(`${where} must be a GUID`);
      return (customer as string).toLowerCase();
    }),
  );
  // The partner is dropped when a field failed; the failure is already recorded.
  if (id === undefined || name === undefined || tokens === undefined || customers === undefined) throw new Dropped();
  return { id, name, tokens, customers };
}

/** A part whose own problems are already recorded: left out, with nothing more to report. */
class Dropped extends Error {}

/**
 * Checks a parsed config file; `source` names it in error messages. Every problem is collected
 * (each naming its place, such as `partners[1].customers[0]`) before it throws a `ConfigError`.
 * Customer IDs come back lower case.
 */
export function parseConfig(value: unknown, source = 'config'): ServerConfig {
  const problems: string[] = [];
  const check: Check = (read) => {
    try {
      return read();
    } catch (error) {
      if (error instanceof Problem) problems.push(error.message);
      else if (!(error instanceof Dropped)) throw error;
      return undefined;
    }
  };
  const root = check(() => record(value, 'the config', ['partners', 'throttle']));
  const partners =
    root && check(() => list(check, root.partners, 'partners', (entry, at) => parsePartner(check, entry, at)));
  if (root && Array.isArray(root.partners) && root.partners.length === 0) {
    problems.push('partners must list at least one partner');
  }
  if (partners) {
    unique(
      problems,
      partners.map((partner) => partner.id),
      'partner id',
    );
    unique(
      problems,
      partners.flatMap((partner) => partner.tokens),
      'token',
    );
    unique(
      problems,
      partners.flatMap((partner) => partner.customers),
      'customer',
    );
  }
  const throttle = root?.throttle === undefined ? undefined : parseThrottle(check, root.throttle);
  if (problems.length > 0 || !partners) throw new ConfigError(source, problems);
  return throttle === undefined ? { partners } : { partners, throttle };
}

/** Reads and checks a JSON config file. */
export function loadConfig(file: string): ServerConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`);
  }
  return parseConfig(parsed, file);
}
