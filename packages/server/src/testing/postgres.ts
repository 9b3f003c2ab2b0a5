// A real PostgreSQL server for tests, scripts and the bench: a fresh cluster in a temporary folder,
// listening on 127.0.0.1 and a free port, stopped by the pid of its postmaster. The binaries are
// Debian's `postgresql` package (`scripts/bootstrap.sh` installs it). PostgreSQL refuses to run as
// root: as root, the cluster is the `postgres` user's (Debian's package makes it), its folder
// handed to that user.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { runToEnd, type StartedProcess, type SystemUser, startProcess } from './child-process.js';
import { startOnFreePort } from './loopback.js';

/** The environment variable naming the folder of `initdb` and `postgres`, when they are not where Debian puts them. */
export const POSTGRES_BIN_VARIABLE = 'USAGEBUDGET_POSTGRES_BIN';
/** The cluster's superuser (trusted on loopback: a throwaway cluster). */
export const POSTGRES_TEST_USER = 'usagebudget';
const READY = /database system is ready to accept connections/;
const PROGRAMS = ['initdb', 'postgres', 'psql'] as const;

export interface PostgresOptions {
  /** Settings given as `-c NAME=VALUE`, such as `{ fsync: 'off' }` for a test that needs no durability. */
  readonly settings?: Readonly<Record<string, string>>;
  /** How long `initdb` and each start may take; 60 s by default (two busy cores). */
  readonly timeoutMs?: number;
  /**
   * The superuser's password: given, connections over TCP must send it (`scram-sha-256`, as a
   * production server asks), and the URLs carry it. Default: none, every connection trusted.
   */
  readonly password?: string;
}

export interface StartedPostgres {
  /** `postgres://usagebudget@127.0.0.1:PORT/postgres` (with `:PASSWORD` when given): the cluster's default database. */
  readonly url: string;
  readonly port: number;
  /** The temporary folder: the cluster's data (`data/`) and its Unix socket. Removed by `stop()`. */
  readonly dir: string;
  /** The postmaster's pid now (another after `startAgain()`); `undefined` while shut down. */
  pid(): number | undefined;
  /** Creates an empty database and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Runs SQL with `psql` on a database (default `postgres`) and returns its rows, one a line, fields split by `|`. */
  psql(sql: string, database?: string): Promise<string>;
  /** Stops the server (a fast shutdown: sessions are cut), keeping its data: a database that goes away. */
  shutDown(): Promise<void>;
  /** Starts the server again on the same data and port after `shutDown()`. */
  startAgain(): Promise<void>;
  /** Stops the server by its pid and removes its folder. Safe to call more than once. */
  stop(): Promise<void>;
}

const runnable = (path: string) => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const hasPrograms = (dir: string) => PROGRAMS.every((program) => runnable(join(dir, program)));

/**
 * The folder of PostgreSQL's programs: `USAGEBUDGET_POSTGRES_BIN`, else Debian's newest
 * `/usr/lib/postgresql/N/bin`, else the folder `initdb` on PATH links to.
 */
export function postgresBinDir(): string {
  const given = process.env[POSTGRES_BIN_VARIABLE];
  if (given) {
    if (!hasPrograms(given)) throw new Error(`${POSTGRES_BIN_VARIABLE}=${given}: no ${PROGRAMS.join(', ')} there`);
    return given;
  }
  const debian = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(debian).filter((name) => /^\d+$/.test(name));
  } catch {
    // not Debian's layout
  }
  for (const version of versions.sort((a, b) => Number(b) - Number(a))) {
    const dir = join(debian, version, 'bin');
    if (hasPrograms(dir)) return dir;
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const initdb = join(dir, 'initdb');
    if (dir && runnable(initdb) && hasPrograms(dirname(realpathSync(initdb)))) return dirname(realpathSync(initdb));
  }
  throw new Error(
    `PostgreSQL not found: run ./scripts/bootstrap.sh (it installs Debian's postgresql), or apt-get install postgresql, or set ${POSTGRES_BIN_VARIABLE} to the folder of initdb, postgres and psql`,
  );
}

/** Whom the cluster runs as: this process's user, or `postgres` when this is root (PostgreSQL refuses root). */
function clusterUser(): SystemUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => {
    try {
      return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
    } catch {
      throw new Error(
        "PostgreSQL refuses to run as root, and there is no 'postgres' user to run it as: install Debian's postgresql (it creates one), or run the tests as another user",
      );
    }
  };
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * `initdb` a cluster in `dir/data`: UTF-8, the C locale, its superuser trusted (a throwaway cluster
 * on loopback), or asked for `password` over TCP.
 */
async function initCluster(
  bin: string,
  dir: string,
  user: SystemUser | undefined,
  options: { timeoutMs: number; password: string | undefined },
) {
  const { timeoutMs, password } = options;
  const auth = ['--auth=trust'];
  if (password !== undefined) {
    const pwfile = join(dir, 'pwfile');
    await writeFile(pwfile, password, { mode: 0o600 });
    if (user) await chown(pwfile, user.uid, user.gid);
    auth.splice(0, 1, '--auth-local=trust', '--auth-host=scram-sha-256', `--pwfile=${pwfile}`);
  }
  const args = ['-D', join(dir, 'data'), '-U', POSTGRES_TEST_USER, ...auth, '-E', 'UTF8', '--locale=C'];
  const finished = await runToEnd(join(bin, 'initdb'), [...args, '--no-sync', '--no-instructions'], {
    ...(user ? { user } : {}),
    env: { ...process.env, LC_ALL: 'C' },
    timeoutMs,
  });
  if (password !== undefined) await rm(join(dir, 'pwfile'), { force: true });
  if (finished.code !== 0) {
    throw new Error(`initdb failed (${finished.code ?? finished.signal}):\n${finished.stderr || finished.stdout}`);
  }
}

/** Starts a fresh PostgreSQL cluster on 127.0.0.1 and a free port, in a temporary folder. */
export async function startPostgres(options: PostgresOptions = {}): Promise<StartedPostgres> {
  const bin = postgresBinDir();
  const user = clusterUser();
  const timeoutMs = options.timeoutMs ?? 60_000;
  const dir = await mkdtemp(join(tmpdir(), 'usagebudget-postgres-'));
  let server: StartedProcess | undefined;
  let port = 0;
  const settings = Object.entries({
    listen_addresses: '127.0.0.1',
    unix_socket_directories: dir,
    ...options.settings,
  }).flatMap(([name, value]) => ['-c', `${name}=${value}`]);
  const start = async () => {
    server = await startProcess({
      name: 'postgres',
      command: join(bin, 'postgres'),
      args: ['-D', join(dir, 'data'), '-p', String(port), ...settings],
      ...(user ? { user } : {}),
      env: { ...process.env, LC_ALL: 'C' },
      ready: READY,
      timeoutMs,
    });
  };
  const shutDown = async () => {
    // SIGINT: PostgreSQL's fast shutdown (sessions cut, a clean checkpoint); SIGKILL after 10 s.
    await server?.stop('SIGINT', 10_000);
    server = undefined;
  };
  try {
    if (user) await chown(dir, user.uid, user.gid);
    await initCluster(bin, dir, user, { timeoutMs, password: options.password });
    await startOnFreePort(async (free) => {
      port = free;
      await start();
    });
  } catch (error) {
    await shutDown();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const credentials =
    options.password === undefined
      ? POSTGRES_TEST_USER
      : `${POSTGRES_TEST_USER}:${encodeURIComponent(options.password)}`;
  const urlOf = (database: string) => `postgres://${credentials}@127.0.0.1:${port}/${database}`;
  const psql = async (sql: string, database = 'postgres') => {
    const args = ['-X', '-A', '-t', '-q', '-v', 'ON_ERROR_STOP=1', '-d', urlOf(database), '-c', sql];
    const finished = await runToEnd(join(bin, 'psql'), args, { timeoutMs });
    if (finished.code !== 0) throw new Error(`psql failed (${finished.code ?? finished.signal}): ${finished.stderr}`);
    return finished.stdout.trimEnd();
  };
  let stopped: Promise<void> | undefined;
  return {
    url: urlOf('postgres'),
    port,
    dir,
    pid: () => server?.pid,
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await psql(`CREATE DATABASE "${name}"`);
      return urlOf(name);
    },
    psql,
    shutDown,
    startAgain: async () => {
      if (server) throw new Error('PostgreSQL is running: shut it down first');
      await start();
    },
    stop: () => {
      stopped ??= shutDown().finally(() => rm(dir, { recursive: true, force: true }));
      return stopped;
    },
  };
}
