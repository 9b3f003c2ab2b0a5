import { rmSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { spec } from '@usagebudget/openapi';
import { specOperations } from '@usagebudget/openapi/operations';
import { MOCK_ADMIN_PATH } from './admin.js';
import { type Mock, startMock } from './start-mock.js';

const DEFAULT_PORT = 4010;

const USAGE = `Usage: usagebudget-mock [options]

A mock of the Partner Center customer usage budget API, from its OpenAPI spec.

Options:
  --mode MODE        stateful (default): the reference server in memory, seeded, with test
                     controls under ${MOCK_ADMIN_PATH}; static: Prism serving the spec's examples
  --seed FILE        stateful: partners, tokens, customers with their usage and
                     budgets, as JSON in the reference server's config format
                     (default: the demo partner and its 240 customers, token
                     usagebudget-demo-token)
  --host HOST        address to listen on (default 127.0.0.1)
  --port PORT        port to listen on; 0 picks a free one (default ${DEFAULT_PORT})
  --shared URL       no mock process of its own: make a namespace (a partner of its own, seeded
                     from --seed's one partner) on the shared reference server at URL, whose
                     admin token is read from $USAGEBUDGET_ADMIN_TOKEN; the namespace is deleted
                     when this process stops (SIGTERM or SIGINT)
  --ttl S            shared: the namespace expires after S seconds unless deleted first
                     (default: the server's, 1 hour)
  --pid-file FILE    write this process's id there (removed when it stops), to stop it by pid
  --access-log       stateful: write the JSON access log to stderr
  --allowed-host NAME
                     stateful: the test controls also answer requests sent to this host name
                     (Host header), besides loopback, IP addresses and --host; repeat it for
                     more (a CI service reached as http://mock:4010 needs --allowed-host mock)
  --webhook-allow ENTRY
                     stateful: a receiver webhook events may be sent to: loopback, HOST or
                     HOST:PORT; repeat it for more (default loopback only; a receiver in another
                     container needs its name, such as --webhook-allow receiver:8080)
  --webhook-root-file FILE
                     stateful: write the test root that signs the mock's webhook events there
                     (PEM), for a receiver under test to trust; it is also served at
                     /webhooks/certificates/root.pem
  --journal-max-bytes N
                     stateful: the request journal keeps the newest requests that fit in N
                     bytes (headers, path, query and body of each, plus 1 KiB); default
                     33554432 (32 MiB), 0 keeps none
  -h, --help         show this help

The first line on stdout is "listening on http://HOST:PORT" (shared: the shared server's URL); the
second is JSON with the mode, URL, token and customers (stateful: also the controls' URL, admin,
and the URL of the webhook test root, webhookRoot; shared: namespace, expiresAt, appOnlyToken). SIGTERM or SIGINT stops the mock (exit 0). Exit codes: 1 the mock could
not start (a bad seed names every bad field), 2 usage error.`;

class UsageError extends Error {}

/** The bin's flags, checked. */
interface Flags {
  readonly mode: 'stateful' | 'static' | 'shared';
  readonly shared: string | undefined;
  readonly ttlSeconds: number | undefined;
  readonly host: string;
  readonly port: number;
  readonly seed: string | undefined;
  readonly pidFile: string | undefined;
  readonly accessLog: boolean;
  readonly journalMaxBytes: number | undefined;
  readonly allowedHosts: string[] | undefined;
  readonly webhookAllow: string[] | undefined;
  readonly webhookRootFile: string | undefined;
}

/** The bin's flags, as `parseArgs` reads them. */
const OPTIONS = {
  mode: { type: 'string', default: 'stateful' },
  seed: { type: 'string' },
  shared: { type: 'string' },
  ttl: { type: 'string' },
  host: { type: 'string', default: '127.0.0.1' },
  port: { type: 'string', default: String(DEFAULT_PORT) },
  'pid-file': { type: 'string' },
  'access-log': { type: 'boolean', default: false },
  'journal-max-bytes': { type: 'string' },
  'allowed-host': { type: 'string', multiple: true },
  'webhook-allow': { type: 'string', multiple: true },
  'webhook-root-file': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

/** `--shared` and `--ttl`, checked: a shared mock has no process of its own to configure. */
function sharedFlags(
  values: { mode: string; shared?: string | undefined; ttl?: string | undefined },
  ownProcessOnly: readonly unknown[],
): { shared: string | undefined; ttlSeconds: number | undefined } {
  const { shared, ttl } = values;
  if (shared !== undefined && (values.mode !== 'stateful' || ownProcessOnly.some((value) => value !== undefined))) {
    throw new UsageError(
      '--shared uses the shared server: --mode, --access-log, --journal-max-bytes, --allowed-host, --webhook-allow and --webhook-root-file need a mock of its own',
    );
  }
  if (ttl !== undefined && (shared === undefined || !/^\d+$/.test(ttl))) {
    throw new UsageError(`--ttl: a whole number of seconds, with --shared (got ${JSON.stringify(ttl)})`);
  }
  return { shared, ttlSeconds: ttl === undefined ? undefined : Number(ttl) };
}

/** The flags, or `help` when they ask for the usage (whatever else they say). */
function parseFlags(argv: string[]): Flags | 'help' {
  const { values } = parseArgs({ args: argv, options: OPTIONS });
  if (values.help) return 'help';
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535)
    throw new UsageError(`--port: invalid value ${JSON.stringify(values.port)}`);
  if (values.mode !== 'stateful' && values.mode !== 'static') {
    throw new UsageError(`--mode: must be stateful or static, not ${JSON.stringify(values.mode)}`);
  }
  const journalMaxBytes = values['journal-max-bytes'];
  if (journalMaxBytes !== undefined && !/^\d+$/.test(journalMaxBytes)) {
    throw new UsageError(`--journal-max-bytes: invalid value ${JSON.stringify(journalMaxBytes)} (a number of bytes)`);
  }
  const allowedHosts = values['allowed-host'];
  const webhookAllow = values['webhook-allow'];
  const webhookRootFile = values['webhook-root-file'];
  const statefulOnly = [
    values.seed,
    values['access-log'] || undefined,
    journalMaxBytes,
    allowedHosts,
    webhookAllow,
    webhookRootFile,
  ];
  if (values.mode === 'static' && statefulOnly.some((value) => value !== undefined)) {
    throw new UsageError(
      '--seed, --access-log, --journal-max-bytes, --allowed-host, --webhook-allow and --webhook-root-file need the stateful mode: a static mock serves the spec’s examples',
    );
  }
  const { shared, ttlSeconds } = sharedFlags(values, statefulOnly.slice(1));
  return {
    mode: shared === undefined ? values.mode : 'shared',
    shared,
    ttlSeconds,
    host: values.host,
    port,
    seed: values.seed,
    pidFile: values['pid-file'],
    accessLog: values['access-log'],
    journalMaxBytes: journalMaxBytes === undefined ? undefined : Number(journalMaxBytes),
    allowedHosts,
    webhookAllow,
    webhookRootFile,
  };
}

async function start(flags: Flags): Promise<Mock> {
  if (flags.shared !== undefined) {
    return startMock({
      shared: { url: flags.shared, ...(flags.ttlSeconds === undefined ? {} : { ttlSeconds: flags.ttlSeconds }) },
      ...(flags.seed ? { seed: flags.seed } : {}),
    });
  }
  if (flags.mode === 'static') return startMock({ mode: 'static', host: flags.host, port: flags.port });
  if (flags.webhookAllow) {
    // The server's own check of the list, loaded with the stateful mode it belongs to.
    const { allowListProblem } = await import('@usagebudget/server');
    const problem = allowListProblem(flags.webhookAllow);
    if (problem) throw new UsageError(`--webhook-allow: ${problem}`);
  }
  return startMock({
    host: flags.host,
    port: flags.port,
    ...(flags.seed ? { seed: flags.seed } : {}),
    ...(flags.accessLog ? { accessLog: (chunk: string) => process.stderr.write(chunk) } : {}),
    ...(flags.journalMaxBytes === undefined ? {} : { journalMaxBytes: flags.journalMaxBytes }),
    ...(flags.allowedHosts === undefined ? {} : { allowedHosts: flags.allowedHosts }),
    ...(flags.webhookAllow === undefined ? {} : { webhooks: { allow: flags.webhookAllow } }),
  });
}

/**
 * Stops the mock on SIGTERM or SIGINT, and exits 0 (1 when it cannot stop). Installed before the
 * first await: a signal that comes while it starts still stops it cleanly. Returns whether a stop
 * has begun.
 */
function stopOnSignals(starting: Promise<Mock>, pidFile: string | undefined): () => boolean {
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    starting
      .then((mock) => mock.close())
      .finally(() => {
        if (pidFile) rmSync(pidFile, { force: true });
      })
      .then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`usagebudget-mock: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return () => stopping;
}

/**
 * A request of the spec's first operation with its path parameters' examples, for a person to try
 * on a static mock: it follows the spec when the spec changes.
 */
function exampleRequestPath(): string {
  const [first] = specOperations(spec);
  return (first?.path ?? '/').replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = first?.parameters.find(({ value }) => value.in === 'path' && value.name === name);
    return String(parameter?.value.example ?? name);
  });
}

/** The listening line and the JSON summary on stdout; for a static mock, how to try it on stderr. */
function announce(mock: Mock): void {
  process.stdout.write(`listening on ${mock.url}\n`);
  process.stdout.write(
    `${JSON.stringify({
      mode: mock.mode,
      url: mock.url,
      ...(mock.mode === 'stateful' ? { admin: mock.admin.url, webhookRoot: mock.webhooks.rootUrl } : {}),
      ...(mock.mode === 'shared'
        ? { namespace: mock.namespace.id, expiresAt: mock.namespace.expiresAt, appOnlyToken: mock.appOnlyToken }
        : {}),
      token: mock.token,
      customers: mock.customers,
    })}\n`,
  );
  if (mock.mode === 'static') {
    process.stderr.write(
      `usagebudget-mock: Prism answers with the spec's examples (send Authorization: Bearer <anything>; pick a response with Prefer: code=404 or example=NAME)\n` +
        `usagebudget-mock: try curl -H 'Authorization: Bearer x' -H 'Prefer: code=404' ${mock.url}${exampleRequestPath()}\n`,
    );
  }
}

/** Writes the webhook test root for `--webhook-root-file`, naming the flag when it cannot. */
function writeRoot(file: string, rootCertificate: string): void {
  try {
    writeFileSync(file, rootCertificate);
  } catch (error) {
    throw new Error(`--webhook-root-file: cannot write ${file}: ${(error as Error).message}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const flags = parseFlags(argv);
  if (flags === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const starting = start(flags);
  const stopping = stopOnSignals(starting, flags.pidFile);
  const mock = await starting;
  if (stopping()) return;
  if (flags.pidFile) writeFileSync(flags.pidFile, `${process.pid}\n`);
  // A shared mock has no server of its own to keep this process alive: it waits for its signal,
  // which deletes the namespace.
  if (mock.mode === 'shared') setInterval(() => {}, 2 ** 30);
  if (flags.webhookRootFile && mock.mode === 'stateful')
    writeRoot(flags.webhookRootFile, mock.webhooks.rootCertificate);
  announce(mock);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`usagebudget-mock: ${(error as Error).message}\n${usage ? `\n${USAGE}\n` : ''}`);
  process.exit(usage ? 2 : 1);
});
