import {
  AbortError,
  AuthenticationError,
  NotFoundError,
  PagingError,
  PermissionDeniedError,
  RateLimitError,
  ResponseValidationError,
  ValidationError,
} from '@usagebudget/client';
import { ApplyBusyError } from './apply/lock.js';
import { CommandLineError } from './command-line/error.js';
import { SignInError } from './sign-in/credential.js';
import { TokenCommandError } from './token-sources.js';

/** The exit codes scripts can branch on; listed in `--help` and the README. */
export const ExitCode = {
  ok: 0,
  failed: 1,
  badInput: 2,
  notFound: 3,
  denied: 4,
  throttled: 5,
  /** `apply`: some rows failed or were skipped; the others were applied. */
  partial: 6,
  /**
   * The service's answer was refused: a 2xx body that breaks the spec (a `ResponseValidationError`
   * naming the field), or paging that would never end or leads elsewhere (a `PagingError`).
   */
  badAnswer: 7,
  /** `apply`: another run of the same file holds its lock; this one sent nothing. */
  busy: 8,
  /**
   * Ctrl-C (SIGINT): 128 + the signal's number, as shells report a command a signal stopped. A call
   * is aborted; `apply` (stopped by SIGTERM too) finishes what is in flight first and continues on
   * a rerun.
   */
  interrupted: 130,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export function exitCodeFor(error: unknown): ExitCode {
  // The CLI aborts its call only when the process is interrupted (cli.ts: Ctrl-C, SIGTERM).
  if (error instanceof AbortError) return ExitCode.interrupted;
  if (error instanceof CommandLineError || error instanceof ValidationError) return ExitCode.badInput;
  if (error instanceof NotFoundError) return ExitCode.notFound;
  if (error instanceof AuthenticationError || error instanceof PermissionDeniedError) return ExitCode.denied;
  // No token means no authentication.
  if (error instanceof TokenCommandError || error instanceof SignInError) return ExitCode.denied;
  if (error instanceof RateLimitError) return ExitCode.throttled;
  if (error instanceof ResponseValidationError || error instanceof PagingError) return ExitCode.badAnswer;
  if (error instanceof ApplyBusyError) return ExitCode.busy;
  return ExitCode.failed;
}
