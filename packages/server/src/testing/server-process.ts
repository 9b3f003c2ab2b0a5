import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PartnerConfig, ServerConfig } from '../partners/config-format.js';
import type { TestAuthority } from './authority/index.js';
import { serverBinPath } from './bin-path.js';
import { DEFAULT_READY_TIMEOUT_MS } from './child-process.js';
import { type StartedServer, startNodeServer } from './node-server.js';

export interface ServerProcessOptions {
  /** Partners, tokens, customers and throttling, written to a throwaway file for `--config`. Default: the demo partner. */
  readonly config?: ServerConfig;
  /**
   * `--db`: `:memory:`, or a file of the caller's, which outlives the process (to restart on the
   * same data), or a PostgreSQL URL (`startPostgres().createDatabase(name)`). Default: a fresh
   * file in the process's scratch folder, removed with it.
   */
  readonly db?: string;
  /** More flags, such as `['--rate-limit', '1', '--no-access-log']`. */
  readonly args?: readonly string[];
  /**
   * The server's whole environment. By default this process's, without its `USAGEBUDGET_*`
   * variables: each flag has such a twin, and one left set in a developer's shell (a rate limit,
   * an admin token) would change every test server. Pass them here, or as flags, to set them.
   */
  readonly env?: NodeJS.ProcessEnv;
  /** How long to wait for the listening line; `DEFAULT_READY_TIMEOUT_MS` (90 s) by default. */
  readonly timeoutMs?: number;
  /**
   * Verify the JWTs of this test authority, of every tenant: `--token-issuer
   * <authority.issuer('common')>`, with the authority's CA added to the server's
   * `NODE_EXTRA_CA_CERTS` (Node reads it at start only).
   */
  readonly authority?: TestAuthority;
}

export interface ServerProcess extends StartedServer {
  /** The database the server uses. */
  readonly db: string;
  /** The scratch folder of its config file and default database; gone once the process has exited. */
  readonly dir: string;
}

const issuerArgs = (authority: TestAuthority | undefined) =>
  authority ? ['--token-issuer', authority.issuer('common')] : [];

/** The server's environment: the caller's (or this process's), with the authority's CA when there is one. */
/** The caller's `env`, else this process's without its `USAGEBUDGET_*` settings; the authority's CA trusted. */
function serverEnv({ env, authority }: ServerProcessOptions): NodeJS.ProcessEnv {
  const base = env ?? withoutServerSettings(process.env);
  return authority ? { ...base, NODE_EXTRA_CA_CERTS: authority.caFile } : base;
}

/**
 * Runs the `usagebudget-server` bin as users run it, on 127.0.0.1 and a port the OS picks
 * (`--port 0`, the URL read from its listening line), with a scratch folder for its config and
 * database. `stop()` stops it by its pid; once it has exited, however it ended (`kill -9`
 * included), its scratch folder is removed, and `exited` resolves after that.
 */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  const dir = await mkdtemp(join(tmpdir(), 'usagebudget-server-'));
  const db = options.db ?? join(dir, 'usagebudget.sqlite');
  const args = ['--host', '127.0.0.1', '--port', '0', '--db', db];
  let started: StartedServer;
  try {
    if (options.config) {
      const configFile = join(dir, 'config.json');
      await writeFile(configFile, JSON.stringify(options.config));
      args.push('--config', configFile);
    }
    started = await startNodeServer({
      name: 'usagebudget-server',
      script: serverBinPath,
      args: [...args, ...issuerArgs(options.authority), ...(options.args ?? [])],
      env: serverEnv(options),
      timeoutMs: options.timeoutMs ?? DEFAULT_READY_TIMEOUT_MS,
    });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const exited = started.exited.then(async (code) => {
    await rm(dir, { recursive: true, force: true });
    return code;
  });
  return {
    ...started,
    db,
    dir,
    exited,
    stop: async (signal, graceMs) => {
      await started.stop(signal, graceMs);
      return exited;
    },
  };
}

function withoutServerSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith('USAGEBUDGET_')));
}

/** A partner of the short config form: app+user tokens and customer GUIDs (Azure plans in USD, no cost yet). */
export interface SimplePartnerConfig extends PartnerConfig {
  readonly tokens: readonly string[];
  readonly customers: readonly string[];
}

/** A partner with fresh random ids and token, so no two tests share a token or a customer. */
export function randomPartner(name: string, customers = 1): SimplePartnerConfig {
  return {
    id: randomUUID(),
    name,
    tokens: [randomUUID()],
    customers: Array.from({ length: customers }, () => randomUUID()),
  };
}
