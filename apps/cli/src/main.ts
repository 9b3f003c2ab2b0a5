import { AuthenticationError } from '@usagebudget/client';
import { helpText } from './command-line/help.js';
import { type Invocation, parseCommandLine } from './command-line/parse.js';
import { endpointURL } from './command-line/settings.js';
import type { CommandContext } from './commands/command.js';
import { type AnyCall, commandNamed } from './commands/registry.js';
import { connect } from './connection.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';
import { colorEnabled, errorJson, errorStacks, formatError, style } from './output.js';
import { SignInError } from './sign-in/credential.js';
import { terminalLines } from './terminal-text.js';
import { TokenCommandError } from './token-sources.js';
import { cliVersion } from './version.js';

/** What a run of the CLI has of its process: its environment, its standard streams and its signals. */
export interface Terminal {
  env: NodeJS.ProcessEnv;
  stdout: { isTTY?: boolean; write(text: string): unknown };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  signals: ProcessSignals;
}

/** The process's signals as a command gets them (the bin, `cli.ts`, is the one place that listens to them). */
export interface ProcessSignals {
  /** Aborts on Ctrl-C (SIGINT) and SIGTERM: the call in flight stops, and a running --token-command. */
  readonly interrupt: AbortSignal;
  /** SIGTERM stops the command as a first Ctrl-C does, rather than ending the process (`stopsOnTerminate`). */
  stopOnTerminate(): void;
}

/** Runs one command line and returns the exit code. Output goes to `terminal`; nothing throws. */
export async function run(argv: readonly string[], terminal: Terminal): Promise<ExitCode> {
  let invocation: Invocation | undefined;
  try {
    invocation = parseCommandLine(argv);
    if (invocation.kind === 'help') terminal.stdout.write(helpText(invocation.command, invocation.group));
    else if (invocation.kind === 'version') terminal.stdout.write(`${cliVersion()}\n`);
    else return await runCommand(invocation, terminal);
    return ExitCode.ok;
  } catch (thrown) {
    return reportError(thrown, argv, invocation, terminal);
  }
}

/** Runs the command of `call` with its context; what it prints goes to stdout as it comes. */
function runCommand(call: AnyCall, terminal: Terminal): Promise<ExitCode> {
  const command = commandNamed(call.command);
  if (command.stopsOnTerminate) terminal.signals.stopOnTerminate();
  const { env, stdout, stderr, signals } = terminal;
  const context: CommandContext = {
    env,
    write: (text) => stdout.write(text),
    // Notes quote the file's rows and the service's words: shown as terminalText, line by line.
    note: (text) => stderr.write(terminalLines(text)),
    style: style(colorEnabled(stdout, env)),
    stderr,
    get stdin() {
      return terminal.stdin;
    },
    interrupt: signals.interrupt,
    // Ctrl-C stops the call in flight, and a listing between its pages.
    callOptions: { correlationId: call.settings.correlationId, signal: signals.interrupt },
    connect: (options) => connect(call, env, stderr, signals.interrupt, options),
  };
  // `call` is what this command's own `parse` read.
  return command.run(call, context);
}

/** The error report on stderr (a JSON line under `--json`; stacks with `--debug`), and its exit code. */
function reportError(thrown: unknown, argv: readonly string[], invocation: Invocation | undefined, terminal: Terminal) {
  const { env, stderr } = terminal;
  const settings = invocation?.kind === 'call' ? invocation.settings : undefined;
  // The client wraps a failed token provider; the command's own error says what went wrong.
  const cause = thrown instanceof AuthenticationError ? thrown.cause : undefined;
  const error = cause instanceof TokenCommandError || cause instanceof SignInError ? cause : thrown;
  const code = exitCodeFor(error);
  // A command line that did not parse still decides the error's format by what it asked for.
  const json = settings?.json ?? argv.includes('--json');
  const url = settings && endpointURL(settings.endpoint);
  stderr.write(json ? errorJson(error, code) : formatError(error, style(colorEnabled(stderr, env)), url));
  if (settings?.debug ?? argv.includes('--debug')) stderr.write(errorStacks(error));
  return code;
}
