import { parseConfig, type ResolvedConfig, type ServerConfig } from '@usagebudget/server';

/**
 * What a mock starts from, and goes back to at every reset: the server's config format, whole
 * (partners, tokens, customers with their usage and starting budget, billing periods, generated
 * portfolios, throttle). Usage summaries and records are derived from it as the server derives
 * them from its config, so a seeded budget and cost give the percent used the API reports.
 */
export type Seed = ServerConfig;

/** A checked seed. */
export interface ParsedSeed {
  /** The seed with every default filled in, as the server is configured with it. */
  readonly config: ResolvedConfig;
  /** The seed as it was given, for `GET /_mock/seed`. */
  readonly given: unknown;
}

/**
 * Checks a seed with the server's own config parser, so a seed and a config file are one format
 * checked in one place (each value against the spec's schema for it). Throws a `ConfigError`
 * listing every problem, each naming its place (`partners[0].customers[1].cost`).
 */
export function parseSeed(value: unknown, source = 'seed'): ParsedSeed {
  return { config: parseConfig(value, source), given: value };
}
