import { parseArgs } from 'node:util';
import type { CommandWords, OptionSpec } from '../commands/command.js';
import {
  type AnyCall,
  COMMANDS,
  type CommandName,
  commandNamed,
  groupCommands,
  isCommand,
} from '../commands/registry.js';
import { CommandLineError } from './error.js';
import { readSettings, SETTINGS_OPTIONS, type SettingsValues } from './settings.js';

export type { CommandName } from '../commands/registry.js';

/** What a command line asks for: help (the program's, a command's or a group's), the version, or a command run. */
export type Invocation = { kind: 'help'; command?: CommandName; group?: string } | { kind: 'version' } | AnyCall;

/** Every option `parseArgs` knows: the settings', the help's, and each command's own. */
const OPTIONS: Readonly<Record<string, OptionSpec | { type: 'boolean'; short?: string; default: false }>> = {
  ...SETTINGS_OPTIONS,
  ...Object.fromEntries(COMMANDS.flatMap((command) => Object.entries(command.options ?? {}))),
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
};

/** The commands that take each option that not every command takes. */
const OWNERS = new Map<string, string[]>();
for (const command of COMMANDS) {
  for (const [option, spec] of Object.entries(command.options ?? {})) {
    // parseArgs reads an option one way for every command.
    const known = OPTIONS[option] as { type: string; multiple?: boolean } | undefined;
    if (known?.type !== spec.type || known.multiple !== (spec as { multiple?: boolean }).multiple) {
      throw new Error(`--${option} is read two ways: ${command.name}'s differs`);
    }
    OWNERS.set(option, [...(OWNERS.get(option) ?? []), command.name]);
  }
}

type Values = SettingsValues & { help: boolean; version: boolean } & Record<
    string,
    string | string[] | boolean | undefined
  >;

// parseArgs reads "-1" as an unknown option; a negative amount deserves the amount's own message.
const NEGATIVE_NUMBER = /^-(?:\d|\.\d)/;

/** Reads the command line. Throws a `CommandLineError` for anything wrong with it; sends nothing. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const { values, positionals } = readWords(argv);
  if (positionals[0] === 'help') return helpFor(positionals.slice(1));
  if (values.help) return helpFor(positionals);
  if (values.version) return { kind: 'version' };
  const { name, rest } = commandWords(positionals);
  const command = commandNamed(name);

  for (const [option, owners] of OWNERS) {
    if (values[option] && !owners.includes(name)) {
      throw new CommandLineError(
        `--${option} is an option of ${owners.map((o) => `"usagebudget ${o}"`).join(' and ')}`,
        name,
      );
    }
  }
  const settings = readSettings(values, name);
  const expected = command.arguments;
  if (rest.length < expected.length) {
    throw new CommandLineError(`missing ${expected.slice(rest.length).join(' ')}`, name);
  }
  if (rest.length > expected.length) {
    throw new CommandLineError(`unexpected argument "${rest[expected.length]}"`, name);
  }
  const words: CommandWords = {
    arguments: rest,
    text: (option) => values[option] as string | undefined,
    texts: (option) => (values[option] as string[] | undefined) ?? [],
    flag: (option) => values[option] === true,
    settings,
  };
  return { kind: 'call', command: name, ...command.parse(words), settings } as AnyCall;
}

/**
 * The command the first words name (`get`, or a group's command of two words: `webhooks show`),
 * and the words after it; a {@link CommandLineError} when they name none.
 */
function commandWords(positionals: readonly string[]): { name: CommandName; rest: readonly string[] } {
  const [first, second, ...more] = positionals;
  if (first === undefined) throw new CommandLineError('no command given');
  if (isCommand(first)) return { name: first, rest: positionals.slice(1) };
  const inGroup = groupCommands(first);
  if (inGroup.length === 0) throw new CommandLineError(`unknown command "${first}"`);
  const name = `${first} ${second}`;
  if (second !== undefined && isCommand(name)) return { name, rest: more };
  const choices = inGroup.map((command) => command.slice(first.length + 1)).join(', ');
  const got = second === undefined ? '' : ` (got "${second}")`;
  throw new CommandLineError(`"usagebudget ${first}" takes one of: ${choices}${got}`, first);
}

/**
 * The options' values and the positional words, as `parseArgs` reads them (strictly: an unknown
 * option is a `CommandLineError`), with negative numbers kept as words.
 */
function readWords(argv: readonly string[]): { values: Values; positionals: string[] } {
  const hidden = new Map<string, string>();
  const args = argv.map((arg, index) => {
    if (!NEGATIVE_NUMBER.test(arg)) return arg;
    const placeholder = `\u0000${index}`;
    hidden.set(placeholder, arg);
    return placeholder;
  });
  const unhide = (value: string) => hidden.get(value) ?? value;
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (error) {
    throw new CommandLineError((error as Error).message, argv.find(isCommand));
  }
  const values = Object.fromEntries(
    Object.entries(parsed.values).map(([key, value]) => [key, typeof value === 'string' ? unhide(value) : value]),
  ) as Values;
  return { values, positionals: parsed.positionals.map(unhide) };
}

/** The help the words after `help` (or before `--help`) ask for: a command's, a group's, or the program's. */
function helpFor(words: readonly string[]): Invocation {
  const [first, second] = words;
  if (first === undefined) return { kind: 'help' };
  if (isCommand(first)) return { kind: 'help', command: first };
  const name = `${first} ${second}`;
  if (isCommand(name)) return { kind: 'help', command: name };
  if (groupCommands(first).length > 0) return { kind: 'help', group: first };
  throw new CommandLineError(`unknown command "${first}"`);
}
