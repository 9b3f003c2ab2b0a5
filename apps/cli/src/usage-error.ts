/** The command line is wrong: a missing or invalid argument or option. Nothing was sent. */
export class UsageError extends Error {
  /** The command whose help to point at, when one was named. */
  readonly command: string | undefined;

  constructor(message: string, command?: string) {
    super(message);
    this.name = 'UsageError';
    this.command = command;
  }
}
