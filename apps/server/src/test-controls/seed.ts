import { exactDecimal } from '@usagebudget/openapi/rules';
import { isCustomerTenantId, specValidator } from '../contract/spec-validator.js';
import { ConfigError, parseConfig, type ServerConfig } from '../partners/config.js';

/**
 * What a mock starts from: the server's config (partners, tokens, customers, throttle) and each
 * customer's budget. JSON, as a file or an object.
 */
export interface Seed extends ServerConfig {
  /** Budgets at the start, by customer tenant ID: an amount (kept exactly), or `null` for none. */
  readonly budgets?: Readonly<Record<string, number | null>>;
}

/** A checked seed: the server's config, and each budget as canonical decimal text. */
export interface ParsedSeed {
  readonly config: ServerConfig;
  /** Lower-case customer tenant ID to amount text (`null`: no budget). */
  readonly budgets: ReadonlyMap<string, string | null>;
  /** The seed as it was given, for `GET /_mock/seed`. */
  readonly given: unknown;
}

const checkAmount = specValidator.compile('#/components/schemas/SpendingBudget/properties/amount');

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The problems of one budget entry; its amount's canonical text when there are none. */
function parseBudget(
  customer: string,
  amount: unknown,
  known: ReadonlySet<string> | undefined,
  problems: string[],
): string | null | undefined {
  const at = `budgets.${customer}`;
  const before = problems.length;
  if (!isCustomerTenantId(customer)) problems.push(`${at}: the key must be a customer tenant ID (a GUID)`);
  else if (known && !known.has(customer.toLowerCase())) {
    problems.push(`${at}: no partner of the seed has this customer`);
  }
  const check = checkAmount(amount);
  if (!check.valid) problems.push(`${at} must be a number >= 0 or null (the spec's SpendingBudget.amount)`);
  else if (amount !== null && exactDecimal(String(amount)) === undefined) {
    problems.push(`${at}: ${String(amount)} is not a decimal a JSON number carries exactly`);
  }
  if (problems.length > before) return undefined;
  return amount === null ? null : (exactDecimal(String(amount)) as string);
}

/**
 * Checks a seed: its config part with the server's own config parser (so the format is the
 * server's), its budgets against the spec. Throws a `ConfigError` listing every problem, each
 * naming its place (`partners[0].customers[1]`, `budgets.<customer>`).
 */
export function parseSeed(value: unknown, source = 'seed'): ParsedSeed {
  if (!isPlainObject(value)) throw new ConfigError(source, ['the seed must be a JSON object']);
  const { budgets, ...rest } = value;
  const problems: string[] = [];
  let config: ServerConfig | undefined;
  try {
    config = parseConfig(rest, source);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  const known = config && new Set(config.partners.flatMap((partner) => partner.customers));
  const parsedBudgets = new Map<string, string | null>();
  if (budgets !== undefined && !isPlainObject(budgets)) {
    problems.push('budgets must be an object of customer tenant IDs to amounts');
  } else if (budgets) {
    for (const [customer, amount] of Object.entries(budgets)) {
      const parsed = parseBudget(customer, amount, known, problems);
      if (parsed === undefined) continue;
      const key = customer.toLowerCase();
      if (parsedBudgets.has(key)) problems.push(`budgets.${customer}: this customer's budget is given more than once`);
      parsedBudgets.set(key, parsed);
    }
  }
  if (problems.length > 0 || !config) throw new ConfigError(source, problems);
  return { config, budgets: parsedBudgets, given: value };
}
