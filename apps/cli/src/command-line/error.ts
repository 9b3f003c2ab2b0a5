/**
 * The command line is wrong: a missing or invalid argument or option, or input it names that
 * cannot be used (an invalid file for `apply`). Nothing was sent; exit code 2.
 */
export class CommandLineError extends Error {
  /** The command whose help to point at, when one was named. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    // The error's type as `--json` reports it, documented (the exit code 2 of a "usage error"):
    // scripts branch on it, so it keeps that name.
    this.name = 'UsageError';
    this.command = command;
  }
}
