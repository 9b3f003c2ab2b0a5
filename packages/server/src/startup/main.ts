import { parseArgs } from 'node:util';
import type { ServerConfig, ThrottleConfig } from '../partners/config-format.js';
import { loadConfig } from '../partners/config-reader.js';
import { demoConfig, demoPartner } from '../partners/demo-partner.js';
import { DEFAULT_POOL_SIZE, POSTGRES_URL } from '../storage/postgres-url.js';
import { DEFAULT_DELIVERY_SCHEDULE } from '../webhooks/dispatcher.js';
import { allowListProblem, DEFAULT_WEBHOOK_ALLOW } from '../webhooks/target-policy.js';
import type { WebhookOptions } from '../webhooks/webhooks.js';
import { DEFAULT_HOST, DEFAULT_LIMITS, DEFAULT_PORT, defaultDbPath } from './defaults.js';
import { flagVariable, VARIABLE_PREFIX, withEnvironment } from './environment.js';
import { listeningLine } from './listening-line.js';
import { type RunningServer, type ServerOptions, startServer } from './start-server.js';

const USAGE = `Usage: usagebudget-server [options]

Reference server for the Partner Center customer usage budget API.

Options:
  --host HOST          address to listen on (default ${DEFAULT_HOST})
  --port PORT          port to listen on; 0 picks a free one (default ${DEFAULT_PORT})
  --db PATH|URL        SQLite database file, or :memory: (default ${defaultDbPath()},
                       under $USAGEBUDGET_DATA_DIR when set); or postgres://USER@HOST:PORT/DB
                       (or postgresql://), migrated at start
  --db-pool-size N     PostgreSQL connections of this process at most (default ${DEFAULT_POOL_SIZE})
  --config FILE        partners, tokens, customers and their usage as JSON (default: the
                       demo partner and its portfolio of ${demoPartner.portfolioSize} customers)
  --rate-limit RPS     throttle each partner to RPS requests a second (default: off)
  --burst N            requests a partner may send at once before throttling (default: RPS, at least 1)
  --headers-timeout S  a request's headers must arrive within S seconds
                       (default ${DEFAULT_LIMITS.headersTimeoutMs / 1000}, or --request-timeout when shorter)
  --request-timeout S  a whole request must arrive within S seconds (default ${DEFAULT_LIMITS.requestTimeoutMs / 1000})
  --max-connections N  open connections at most; requests on more are answered 503
                       (default ${DEFAULT_LIMITS.maxConnections})
  --public-url URL     the server's URL as receivers of its webhook events reach it
                       (default: where it listens)
  --webhook-allow ENTRY  a receiver webhook events may be sent to: loopback, HOST or
                       HOST:PORT (repeatable; default: loopback only); checked on the
                       address the name resolves to
  --webhook-first-retry S  wait S seconds after an event's first failed attempt, doubling
                       after each (default ${DEFAULT_DELIVERY_SCHEDULE.firstRetryMs / 1000})
  --webhook-max-retry S  wait at most S seconds between attempts (default ${DEFAULT_DELIVERY_SCHEDULE.maxRetryMs / 1000})
  --webhook-timeout S  an attempt must be answered within S seconds (default ${DEFAULT_DELIVERY_SCHEDULE.timeoutMs / 1000})
  --admin-token TOKEN  turn the admin API on (/_admin/namespaces: a throwaway partner per CI
                       job) with this bearer token of its own, at least 16 characters; better
                       given as $USAGEBUDGET_ADMIN_TOKEN, which keeps it off the command line
                       (default: off, its paths are 404)
  --token-issuer URL   also accept JWT access tokens of this OpenID Connect issuer (its
                       discovery document and keys are read from URL), each authenticating
                       the partner whose id is its tenant (tid); URL/common/v2.0 of Entra ID
                       takes every tenant's (default: configured string tokens only)
  --namespace-sweep S  look for expired namespaces to delete every S seconds (default 10)
  --webhook-poll S     look at the outbox at least every S seconds, for events other replicas
                       raised unnoticed (default ${DEFAULT_DELIVERY_SCHEDULE.pollMs / 1000})
  --no-access-log      do not write the JSON access log to stderr
  -h, --help           show this help

Environment: every option is also a variable, ${VARIABLE_PREFIX} and its name in upper case with
"_" for "-" (--db is ${flagVariable('db')}, --rate-limit ${flagVariable('rate-limit')}, --no-access-log
${flagVariable('access-log')}=false); a repeatable option's variable separates its values with
commas. An option given on the command line wins over its variable.

The first line on stdout is "listening on http://HOST:PORT". SIGTERM or SIGINT stops the server
gracefully (exit 0). Exit 2: bad options; exit 1: the server could not start (the config, the
database: the reason is on stderr).`;

class UsageError extends Error {}

function number(value: string | undefined, flag: string, valid: (n: number) => boolean): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (value.trim() === '' || !valid(parsed)) throw new UsageError(`${flag}: invalid value ${JSON.stringify(value)}`);
  return parsed;
}

function throttleFrom(
  rate: number | undefined,
  burst: number | undefined,
  source: (flag: string) => string,
): ThrottleConfig | undefined {
  if (rate === undefined) {
    if (burst !== undefined)
      throw new UsageError(`${source('burst')} needs --rate-limit (or ${flagVariable('rate-limit')})`);
    return undefined;
  }
  return { requestsPerSecond: rate, burst: burst ?? Math.max(1, Math.ceil(rate)) };
}

/** The webhook flags: the allow-list (each entry checked) and the delivery schedule. */
function webhookOptions(
  values: {
    'webhook-allow'?: string[] | undefined;
    'webhook-first-retry'?: string | undefined;
    'webhook-max-retry'?: string | undefined;
    'webhook-timeout'?: string | undefined;
    'webhook-poll'?: string | undefined;
  },
  source: (flag: string) => string,
): WebhookOptions {
  const allow = values['webhook-allow'] ?? [...DEFAULT_WEBHOOK_ALLOW];
  const problem = allowListProblem(allow);
  if (problem) throw new UsageError(`${source('webhook-allow')}: ${problem}`);
  const milliseconds = (flag: 'webhook-first-retry' | 'webhook-max-retry' | 'webhook-timeout' | 'webhook-poll') => {
    const value = number(values[flag], source(flag), (n) => Number.isFinite(n) && n >= 0.001 && n <= 86_400);
    return value === undefined ? undefined : Math.round(value * 1000);
  };
  const schedule = {
    firstRetryMs: milliseconds('webhook-first-retry'),
    maxRetryMs: milliseconds('webhook-max-retry'),
    timeoutMs: milliseconds('webhook-timeout'),
    pollMs: milliseconds('webhook-poll'),
  };
  return {
    allow,
    schedule: Object.fromEntries(Object.entries(schedule).filter(([, value]) => value !== undefined)),
  };
}

/** The admin API's token (the flag, else `$USAGEBUDGET_ADMIN_TOKEN`) and the sweep's period, checked. */
function namespaceOptions(
  adminToken: string | undefined,
  sweep: string | undefined,
  source: (name: string) => string,
): ServerOptions {
  if (adminToken !== undefined && (adminToken.length < 16 || /\s/.test(adminToken))) {
    throw new UsageError(`${source('admin-token')}: at least 16 characters, without spaces`);
  }
  const seconds = number(sweep, source('namespace-sweep'), (n) => Number.isFinite(n) && n >= 0.01 && n <= 3600);
  return {
    ...(adminToken === undefined ? {} : { adminToken }),
    ...(seconds === undefined ? {} : { namespaceSweepMs: Math.round(seconds * 1000) }),
  };
}

/** `--token-issuer`: an https URL (http on loopback only, for tests). */
function tokenIssuerOption(url: string | undefined, source: string): ServerOptions {
  if (url === undefined) return {};
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {}
  const loopback = parsed && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
  if (!parsed || !(parsed.protocol === 'https:' || (parsed.protocol === 'http:' && loopback))) {
    throw new UsageError(
      `${source}: ${JSON.stringify(url)} is not an https URL such as https://login.microsoftonline.com/TENANT/v2.0`,
    );
  }
  return { tokenIssuer: url };
}

/** What the flags ask for: the server's options, and what the start line reports of them. */
interface Start {
  readonly options: ServerOptions;
  readonly config: ServerConfig;
  /** No `--config`: the demo partner. */
  readonly demo: boolean;
  readonly throttle: ThrottleConfig | undefined;
}

/** The flags `parseArgs` reads; each is also its environment variable (`environment.ts`). */
const FLAGS = {
  host: { type: 'string' },
  port: { type: 'string' },
  db: { type: 'string' },
  'db-pool-size': { type: 'string' },
  config: { type: 'string' },
  'rate-limit': { type: 'string' },
  burst: { type: 'string' },
  'headers-timeout': { type: 'string' },
  'request-timeout': { type: 'string' },
  'max-connections': { type: 'string' },
  'public-url': { type: 'string' },
  'webhook-allow': { type: 'string', multiple: true },
  'webhook-first-retry': { type: 'string' },
  'webhook-max-retry': { type: 'string' },
  'webhook-timeout': { type: 'string' },
  'webhook-poll': { type: 'string' },
  'admin-token': { type: 'string' },
  'namespace-sweep': { type: 'string' },
  'token-issuer': { type: 'string' },
  'access-log': { type: 'boolean' },
} as const;

/** The command line's flags, completed by the environment (a flag wins), or `help`. */
function readFlags(argv: string[], env: NodeJS.ProcessEnv) {
  const { values } = parseArgs({
    args: argv,
    allowNegative: true,
    options: { ...FLAGS, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help) return 'help' as const;
  const { help: _, ...given } = values;
  return withEnvironment(FLAGS, given, env, (message) => new UsageError(message));
}

/** `--db-pool-size`: PostgreSQL's alone (SQLite is one connection). */
function poolSize(text: string | undefined, source: string, db: string | undefined): number | undefined {
  const size = number(text, source, (n) => Number.isInteger(n) && n > 0 && n <= 1000);
  if (size !== undefined && !(db && POSTGRES_URL.test(db))) {
    throw new UsageError(`${source} applies to a PostgreSQL --db only (SQLite is one connection)`);
  }
  return size;
}

/** The flags, checked (a `UsageError` names the first bad one, flag or variable), or `help`. */
function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Start | 'help' {
  const flags = readFlags(argv, env);
  if (flags === 'help') return 'help';
  const { values, source } = flags;
  const port = number(
    values.port ?? String(DEFAULT_PORT),
    source('port'),
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
  ) as number;
  const throttle = throttleFrom(
    number(values['rate-limit'], source('rate-limit'), (n) => Number.isFinite(n) && n > 0),
    number(values.burst, source('burst'), (n) => Number.isInteger(n) && n > 0),
    source,
  );
  const seconds = (flag: 'headers-timeout' | 'request-timeout') => {
    const value = number(values[flag], source(flag), (n) => Number.isFinite(n) && n >= 0.001 && n <= 86_400);
    return value === undefined ? undefined : Math.round(value * 1000);
  };
  const headersTimeoutMs = seconds('headers-timeout');
  const requestTimeoutMs = seconds('request-timeout');
  if (headersTimeoutMs !== undefined && headersTimeoutMs > (requestTimeoutMs ?? DEFAULT_LIMITS.requestTimeoutMs)) {
    throw new UsageError(`${source('headers-timeout')} must not exceed ${source('request-timeout')}`);
  }
  const maxConnections = number(
    values['max-connections'],
    source('max-connections'),
    (n) => Number.isInteger(n) && n > 0,
  );
  const dbPoolSize = poolSize(values['db-pool-size'], source('db-pool-size'), values.db);
  const config: ServerConfig = values.config ? loadConfig(values.config) : demoConfig;
  const publicUrl = values['public-url'];
  if (publicUrl !== undefined && !/^https?:\/\/[^/?#]+$/.test(publicUrl)) {
    throw new UsageError(
      `${source('public-url')}: ${JSON.stringify(publicUrl)} is not a URL such as http://HOST:PORT (no path)`,
    );
  }
  const options: ServerOptions = {
    host: values.host ?? DEFAULT_HOST,
    ...namespaceOptions(values['admin-token'], values['namespace-sweep'], source),
    port,
    db: values.db,
    ...(dbPoolSize === undefined ? {} : { dbPoolSize }),
    config,
    ...(throttle ? { throttle } : {}),
    headersTimeoutMs,
    requestTimeoutMs,
    maxConnections,
    webhooks: webhookOptions(values, source),
    ...(publicUrl ? { publicUrl } : {}),
    ...tokenIssuerOption(values['token-issuer'], source('token-issuer')),
    ...(values['access-log'] !== false ? { accessLog: (chunk: string) => process.stderr.write(chunk) } : {}),
  };
  return { options, config, demo: !values.config, throttle };
}

/**
 * Stops the server gracefully on SIGTERM or SIGINT, and exits 0 (1 when it cannot). Installed
 * before the first await, so before anyone can see the server: a signal that came in between
 * would otherwise kill it with the default action instead of stopping it. Returns whether a stop
 * has begun.
 */
function stopOnSignals(running: Promise<RunningServer>): () => boolean {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), kind: 'stop', signal })}\n`);
    running
      .then((server) => server.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`usagebudget-server: ${(error as Error).stack ?? String(error)}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return () => stopping;
}

/** The listening line on stdout, and the start line of the log on stderr. */
function announce(server: RunningServer, start: Start): void {
  process.stdout.write(`${listeningLine(server.url)}\n`);
  process.stderr.write(
    `${JSON.stringify({
      time: new Date().toISOString(),
      kind: 'start',
      url: server.url,
      db: server.db,
      partners: start.config.partners.map((partner) => partner.id),
      demo: start.demo,
      throttle: start.throttle ?? start.config.throttle ?? null,
      admin: start.options.adminToken !== undefined,
      tokenIssuer: start.options.tokenIssuer ?? null,
      webhooks: { allow: start.options.webhooks?.allow, root: server.webhooks.rootUrl },
    })}\n`,
  );
}

async function main(argv: string[]): Promise<void> {
  const start = parseFlags(argv, process.env);
  if (start === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const running = startServer(start.options);
  const stopping = stopOnSignals(running);
  const server = await running;
  if (stopping()) return;
  announce(server, start);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`usagebudget-server: ${(error as Error).message}\n${usage ? `\n${USAGE}\n` : ''}`);
  process.exit(usage ? 2 : 1);
});
