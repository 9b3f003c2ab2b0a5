import { spawn } from 'node:child_process';
import { clouds, type TokenCredential, type TokenProvider } from '@usagebudget/client';
import { CommandLineError } from './command-line/error.js';

/** `--token-command` failed, timed out, or printed no usable token. The message never holds its output. */
export class TokenCommandError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TokenCommandError';
  }
}

export type TokenOrigin = '--token' | 'PARTNER_CENTER_TOKEN' | '--token-command';

export interface TokenSource {
  /** Where the token comes from, for --debug; never the token. */
  origin: TokenOrigin;
  credential: string | TokenProvider;
}

// Visible ASCII only: a token with a space or a line break would corrupt the Authorization header.
const TOKEN = /^[\x21-\x7e]+$/;

/** The token: `--token`, else `$PARTNER_CENTER_TOKEN`, else what `--token-command` prints. */
export function tokenSource(
  options: { token?: string; tokenCommand?: string; timeoutMs: number },
  env: NodeJS.ProcessEnv,
  interrupt?: AbortSignal,
): TokenSource {
  if (options.token !== undefined) return { origin: '--token', credential: checked(options.token, '--token') };
  if (env.PARTNER_CENTER_TOKEN) {
    return { origin: 'PARTNER_CENTER_TOKEN', credential: checked(env.PARTNER_CENTER_TOKEN, 'PARTNER_CENTER_TOKEN') };
  }
  const { tokenCommand, timeoutMs } = options;
  if (tokenCommand === undefined) {
    throw new CommandLineError(
      'no token: pass --token, set PARTNER_CENTER_TOKEN, pass --token-command "<command>", or sign in with --auth (see --help)',
    );
  }
  // Run once, and again only when the client asks for a fresh token after a 401.
  let cached: Promise<string> | undefined;
  return {
    origin: '--token-command',
    credential: ({ forceRefresh, signal }) => {
      if (!cached || forceRefresh) {
        // The call's signal, and the process's (a SIGTERM ends the process right after: the
        // command, in a process group of its own, must be stopped first).
        const stops = [signal, interrupt].filter((each): each is AbortSignal => each !== undefined);
        cached = runTokenCommand(tokenCommand, timeoutMs, stops.length > 0 ? AbortSignal.any(stops) : undefined);
      }
      return cached;
    },
  };
}

/**
 * The token a credential gives now, for the CLI's own reading of it (`apply`'s partner, `whoami`):
 * a `TokenCredential` is asked for Partner Center's `.default` scope, which every cloud shares.
 */
export async function currentToken(
  credential: string | TokenProvider | TokenCredential,
  signal?: AbortSignal,
): Promise<string> {
  if (typeof credential === 'string') return credential;
  if (typeof credential === 'function') return credential({ forceRefresh: false, ...(signal && { signal }) });
  const token = await credential.getToken(clouds.global.scope, signal ? { abortSignal: signal } : {});
  if (!token) throw new TokenCommandError('the sign-in gave no token');
  return token.token;
}

function checked(token: string, origin: string): string {
  if (TOKEN.test(token)) return token;
  throw new CommandLineError(`${origin} must hold the token alone, without spaces or line breaks`);
}

/**
 * Runs `command` in a shell and reads the token from its stdout: the trimmed output, or the
 * `accessToken` (or `access_token`) of a JSON object, as `az account get-access-token` prints.
 * Its stderr goes to ours, so the tool's own messages reach the user. `signal` (the call's, and
 * the process's: Ctrl-C, SIGTERM) stops it.
 */
export function runTokenCommand(command: string, timeoutMs: number, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that stopping it stops what its shell started too.
    const child = spawn(command, { shell: true, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
    const stopGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    // A signal reaches only our process group, not the command's: Ctrl-C and SIGTERM abort
    // `signal` (cli.ts), which stops it.
    const onAbort = () => {
      done();
      stopGroup();
      reject(new TokenCommandError('--token-command was stopped: the call was interrupted or ran out of time'));
    };
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    signal?.addEventListener('abort', onAbort);
    const timer = setTimeout(() => {
      done();
      stopGroup();
      reject(new TokenCommandError(`--token-command did not finish within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => {
      done();
      reject(new TokenCommandError(`could not run --token-command: ${error.message}`));
    });
    child.once('close', (code, killedBy) => {
      done();
      if (code !== 0) {
        const how = code === null ? `was stopped by ${killedBy}` : `exited with code ${code}`;
        reject(new TokenCommandError(`--token-command ${how}${code === 127 ? ' (command not found)' : ''}`));
        return;
      }
      try {
        resolve(tokenFromOutput(Buffer.concat(chunks).toString('utf8')));
      } catch (error) {
        reject(error);
      }
    });
  });
}

function tokenFromOutput(output: string): string {
  const text = output.trim();
  if (text === '') throw new TokenCommandError('--token-command printed nothing on stdout');
  const token = text.startsWith('{') ? accessTokenOf(text) : text;
  if (token === undefined) {
    throw new TokenCommandError('--token-command printed no JSON object with a string "accessToken" or "access_token"');
  }
  if (!TOKEN.test(token)) {
    throw new TokenCommandError(
      '--token-command printed more than a token: print the token alone on stdout (or JSON with "accessToken")',
    );
  }
  return token;
}

function accessTokenOf(json: string): string | undefined {
  try {
    const parsed = JSON.parse(json) as { accessToken?: unknown; access_token?: unknown };
    const token = parsed.accessToken ?? parsed.access_token;
    return typeof token === 'string' ? token : undefined;
  } catch {
    return undefined;
  }
}
