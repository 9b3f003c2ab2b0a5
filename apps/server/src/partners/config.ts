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

class ConfigError extends Error {
  override name = 'ConfigError';
}

function record(value: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`${where} must be an object`);
  const unknown = Object.keys(value).filter((key) => !keys.includes(key));
  if (unknown.length > 0) throw new ConfigError(`${where} has unknown keys: ${unknown.join(', ')}`);
  return value as Record<string, unknown>;
}

function text(value: unknown, where: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${where} must be a non-empty string`);
  return value;
}

function list<T>(value: unknown, where: string, item: (entry: unknown, at: string) => T): T[] {
  if (!Array.isArray(value)) throw new ConfigError(`${where} must be an array`);
  return value.map((entry, index) => item(entry, `${where}[${index}]`));
}

function unique(values: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new ConfigError(`${what} ${JSON.stringify(value)} appears more than once`);
    seen.add(value);
  }
}

function positive(value: unknown, where: string, integer: boolean): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new ConfigError(`${where} must be a positive ${integer ? 'integer' : 'number'}`);
  }
  return value;
}

function parseThrottle(value: unknown, where = 'throttle'): ThrottleConfig {
  const fields = record(value, where, ['requestsPerSecond', 'burst']);
  return {
    requestsPerSecond: positive(fields.requestsPerSecond, `${where}.requestsPerSecond`, false),
    burst: positive(fields.burst, `${where}.burst`, true),
  };
}

/** Checks a parsed config file; `source` names it in error messages. Customer IDs come back lower case. */
export function parseConfig(value: unknown, source = 'config'): ServerConfig {
  try {
    const root = record(value, 'the config', ['partners', 'throttle']);
    const partners = list(root.partners, 'partners', (entry, at): PartnerConfig => {
      const fields = record(entry, at, ['id', 'name', 'tokens', 'customers']);
      return {
        id: text(fields.id, `${at}.id`),
        name: text(fields.name, `${at}.name`),
        tokens: list(fields.tokens, `${at}.tokens`, (token, where) => {
          if (typeof token !== 'string' || !BEARER_TOKEN.test(token)) {
            throw new ConfigError(`${where} must be a bearer token (letters, digits and -._~+/, then any =)`);
          }
          return token;
        }),
        customers: list(fields.customers, `${at}.customers`, (customer, where) => {
          if (!isCustomerTenantId(customer)) throw new ConfigError(`${where} must be a GUID`);
          return (customer as string).toLowerCase();
        }),
      };
    });
    if (partners.length === 0) throw new ConfigError('partners must list at least one partner');
    unique(
      partners.map((partner) => partner.id),
      'partner id',
    );
    unique(
      partners.flatMap((partner) => partner.tokens),
      'token',
    );
    unique(
      partners.flatMap((partner) => partner.customers),
      'customer',
    );
    return root.throttle === undefined ? { partners } : { partners, throttle: parseThrottle(root.throttle) };
  } catch (error) {
    if (error instanceof ConfigError) throw new Error(`${source}: ${error.message}`);
    throw error;
  }
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
