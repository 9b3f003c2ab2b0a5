import { parseArgs } from 'node:util';
import type { CommandWords, OptionSpec } from '../commands/command.js';
import { type AnyCall, COMMANDS, type CommandName, commandNamed, isCommand } from '../commands/registry.js';
import { CommandLineError } from './error.js';
import { readSettings, SETTINGS_OPTIONS, type SettingsValues } from './settings.js';

export type { CommandName } from '../commands/registry.js';

/** What a command line asks for: help, the version, or a command run. */
export type Invocation = { kind: 'help'; command?: CommandName } | { kind: 'version' } | AnyCall;

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
    if (OPTIONS[option]?.type !== spec.type) throw new Error(`--${option} is read two ways: ${command.name}'s differs`);
    OWNERS.set(option, [...(OWNERS.get(option) ?? []), command.name]);
  }
}

type Values = SettingsValues & { help: boolean; version: boolean } & Record<string, string | boolean | undefined>;

// parseArgs reads "-1" as an unknown option; a negative amount deserves the amount's own message.
const NEGATIVE_NUMBER = /^-(?:\d|\.\d)/;

/** Reads the command line. Throws a `CommandLineError` for anything wrong with it; sends nothing. */
export function parseCommandLine(argv: readonly string[]): Invocation {
  const { values, positionals } = readWords(argv);
  const [first, ...rest] = positionals;
  if (first === 'help') return helpFor(rest[0]);
  if (values.help) return first === undefined || isCommand(first) ? { kind: 'help', command: first } : helpFor(first);
  if (values.version) return { kind: 'version' };
  if (first === undefined) throw new CommandLineError('no command given');
  if (!isCommand(first)) throw new CommandLineError(`unknown command "${first}"`);
  const command = commandNamed(first);

  for (const [option, owners] of OWNERS) {
    if (values[option] && !owners.includes(first)) {
      throw new CommandLineError(
        `--${option} is an option of ${owners.map((o) => `"usagebudget ${o}"`).join(' and ')}`,
        first,
      );
    }
  }
  const settings = readSettings(values, first);
  const expected = command.arguments;
  if (rest.length < expected.length) {
    throw new CommandLineError(`missing ${expected.slice(rest.length).join(' ')}`, first);
  }
  if (rest.length > expected.length) {
    throw new CommandLineError(`unexpected argument "${rest[expected.length]}"`, first);
  }
  const words: CommandWords = {
    arguments: rest,
    text: (option) => values[option] as string | undefined,
    flag: (option) => values[option] === true,
    settings,
  };
  return { kind: 'call', command: first, ...command.parse(words), settings } as AnyCall;
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

function helpFor(word: string | undefined): Invocation {
  if (word === undefined || isCommand(word)) return { kind: 'help', command: word };
  throw new CommandLineError(`unknown command "${word}"`);
}
