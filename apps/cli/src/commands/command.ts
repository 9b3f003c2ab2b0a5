import type { CallOptions } from '@usagebudget/client';
import type { CommandLineSettings } from '../command-line/settings.js';
import type { Connection, ConnectOptions } from '../connection.js';
import type { ExitCode } from '../exit-codes.js';
import type { Style } from '../output.js';

/**
 * A command of `usagebudget`: its name, the arguments and options it reads, its help, and how it
 * runs. Each lives in a file of its own under `commands/`, and `registry.ts` lists them: a new
 * command is a new file and a line there, and touches no other.
 */
export interface Command<Name extends string = string, Args extends object = object> {
  /** The word that names it, `usagebudget <name>`, or a group's two (`webhooks show`). */
  readonly name: Name;
  /** Its positional arguments after its name, as the errors name them (`<customer-tenant-id>`). */
  readonly arguments: readonly string[];
  /** The options only it takes, as `parseArgs` reads them; any other command refuses them. */
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly help: CommandHelp;
  /**
   * SIGTERM stops it as a first Ctrl-C does (`interrupt` aborts, and it finishes what is in
   * flight), instead of ending the process: for a command that keeps a journal (`apply`).
   */
  readonly stopsOnTerminate?: boolean;
  /** Reads its own arguments and options: a `CommandLineError` for anything wrong; sends nothing. */
  parse(words: CommandWords): Args;
  /** Runs it; resolves to its exit code, or throws what the error report shows. */
  run(call: Call<Name, Args>, context: CommandContext): Promise<ExitCode>;
}

/** An option of a command, as `node:util`'s `parseArgs` reads it. */
export type OptionSpec =
  | { readonly type: 'string'; readonly multiple?: true }
  | { readonly type: 'boolean'; readonly default: false };

/** What `usagebudget <command> --help` says. */
export interface CommandHelp {
  /** How it is written: `usagebudget get <customer-tenant-id> [options]`. */
  readonly synopsis: string;
  readonly summary: string;
  readonly examples: string;
  /** Its own options, one a line, as the help lists them. */
  readonly options?: string;
}

/** The part of the command line a command reads itself. */
export interface CommandWords {
  /** Its positional arguments: as many as it declares. */
  readonly arguments: readonly string[];
  /** The text of a string option, `undefined` when absent. */
  text(option: string): string | undefined;
  /** Every text of a string option given more than once (`multiple`), in order; none when absent. */
  texts(option: string): readonly string[];
  /** Whether a boolean option is given. */
  flag(option: string): boolean;
  readonly settings: CommandLineSettings;
}

/** A command line that runs a command: the command's name, what it read, and the settings. */
export type Call<Name extends string = string, Args extends object = object> = {
  readonly kind: 'call';
  readonly command: Name;
  readonly settings: CommandLineSettings;
} & Args;

/** What a command runs with. */
export interface CommandContext {
  /** The process's environment (the config folder of `sign-out`). */
  readonly env: NodeJS.ProcessEnv;
  /** Writes to stdout, as it comes. */
  write(text: string): void;
  /** Writes to stderr (progress, notes): the CLI's own text, each line made safe for a terminal. */
  note(text: string): void;
  /** How stdout is styled: colours on a terminal only. */
  readonly style: Style;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** Standard input (`apply -`). */
  readonly stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  /**
   * The one abort signal of the process's signals (see `cli.ts`): Ctrl-C, and SIGTERM. The call in
   * flight stops with it (exit code 130), a listing between its pages, `apply` after its updates in
   * flight.
   */
  readonly interrupt: AbortSignal;
  /** The options of every call a command makes: its correlation ID, and {@link interrupt}. */
  readonly callOptions: CallOptions;
  /**
   * Makes the client the command calls the service through: its endpoint, its token (checked now:
   * no token is a `CommandLineError`) and the CLI's logger. A command that calls the service does
   * so first, as every command here does.
   */
  connect(options?: ConnectOptions): Connection;
}
