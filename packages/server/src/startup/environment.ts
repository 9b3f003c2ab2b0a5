// The bin's flags given by environment, as a container is configured: every flag `--NAME` is also
// `USAGEBUDGET_NAME` (upper case, `-` as `_`): `--rate-limit 10` is `USAGEBUDGET_RATE_LIMIT=10`.
// One rule for every flag, so a flag added later has its variable without a list to keep. A flag
// given on the command line wins over its variable; an empty variable counts as unset (compose
// files and `docker run -e NAME=` make empty ones).

/** The prefix of every variable the bin reads. */
export const VARIABLE_PREFIX = 'USAGEBUDGET_';

/** `--rate-limit` → `USAGEBUDGET_RATE_LIMIT`. */
export function flagVariable(name: string): string {
  return `${VARIABLE_PREFIX}${name.toUpperCase().replaceAll('-', '_')}`;
}

/** A flag of `parseArgs`: a string (repeatable or not) or a boolean. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
}

export type FlagValue = string | boolean | string[] | undefined;

/** What a boolean variable may say (case-insensitive). */
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['0', 'false', 'no', 'off']);

/** The flags given on the command line, completed by the environment; `source(name)` says where each came from, for messages. */
export interface ResolvedFlags<Values> {
  readonly values: Values;
  /** `--name` when given as a flag (or not at all), else its variable: how messages name a value. */
  source(name: string): string;
}

/** The value of a variable as its flag would have given it; throws `usage` naming the variable when it cannot be. */
function variableValue(spec: FlagSpec, variable: string, text: string, usage: (message: string) => Error): FlagValue {
  if (spec.type === 'boolean') {
    const word = text.trim().toLowerCase();
    if (TRUE.has(word)) return true;
    if (FALSE.has(word)) return false;
    throw usage(`${variable}: invalid value ${JSON.stringify(text)} (true or false)`);
  }
  // A repeatable flag's variable holds its values separated by commas.
  return spec.multiple
    ? text
        .split(',')
        .map((entry) => entry.trim())
        .filter((entry) => entry !== '')
    : text;
}

/**
 * `given` (parsed from the command line, without defaults) with each flag it lacks taken from its
 * variable in `env`, when set and not empty.
 */
export function withEnvironment<Values extends Record<string, FlagValue>>(
  specs: Readonly<Record<string, FlagSpec>>,
  given: Values,
  env: NodeJS.ProcessEnv,
  usage: (message: string) => Error,
): ResolvedFlags<Values> {
  const values: Record<string, FlagValue> = { ...given };
  const fromVariable = new Set<string>();
  for (const [name, spec] of Object.entries(specs)) {
    const text = env[flagVariable(name)];
    if (values[name] !== undefined || text === undefined || text === '') continue;
    values[name] = variableValue(spec, flagVariable(name), text, usage);
    fromVariable.add(name);
  }
  return {
    values: values as Values,
    source: (name) => (fromVariable.has(name) ? flagVariable(name) : `--${name}`),
  };
}
