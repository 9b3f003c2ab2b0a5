// `@usagebudget/mock/prism`: Prism, the stateless mock (or validating proxy) of an OpenAPI
// document, started with its own binary on a loopback port and stopped by its pid. The one place
// this repository starts Prism: the static mock, the contract tests, `pnpm mock` and the bench.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { specPaths } from '@usagebudget/openapi';
import type { StartedProcess } from '@usagebudget/server/testing';

const require = createRequire(import.meta.url);

/** The Prism CLI entry point, run with this Node directly: an npx wrapper would outlive a kill. */
export function prismBin(): string {
  const pkg = require.resolve('@stoplight/prism-cli/package.json');
  const manifest = require(pkg) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.prism;
  if (!bin) throw new Error('@stoplight/prism-cli declares no prism bin');
  return join(dirname(pkg), bin);
}

/** How to start Prism. */
export interface PrismOptions {
  /** `mock` answers from the spec; `proxy` forwards to `upstream` and validates both directions. */
  mode?: 'mock' | 'proxy';
  /** Required for `proxy`. */
  upstream?: string;
  /** The spec file; defaults to the bundled spec of `@usagebudget/openapi`. */
  spec?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: a free port. */
  port?: number;
  /** Answer spec violations with an error instead of a log line (`--errors`). Default true. */
  errors?: boolean;
  /** Generate random bodies instead of the spec's examples (`--dynamic`). Default false. */
  dynamic?: boolean;
}

/** A running Prism process. */
export interface StartedPrism extends StartedProcess {
  /** `http://HOST:PORT`. */
  readonly url: string;
}

/**
 * Starts Prism and resolves once it listens. Stop it with `stop()`; send it an `Authorization`
 * header. It ends with this process however this process ends, `kill -9` included.
 */
export async function startPrism(options: PrismOptions = {}): Promise<StartedPrism> {
  // Imported when needed: the process helper is ESM, and this entry also loads from CommonJS.
  const { startOnFreePort } = await import('@usagebudget/server/testing');
  return options.port ? startPrismOn(options.port, options) : startOnFreePort((port) => startPrismOn(port, options));
}

async function startPrismOn(port: number, options: PrismOptions): Promise<StartedPrism> {
  const { startProcess } = await import('@usagebudget/server/testing');
  const mode = options.mode ?? 'mock';
  const host = options.host ?? '127.0.0.1';
  const args = [prismBin(), mode, '--host', host, '--port', String(port)];
  if (options.errors ?? true) args.push('--errors');
  if (options.dynamic) args.push('--dynamic');
  args.push(options.spec ?? specPaths.yaml);
  if (mode === 'proxy') {
    if (!options.upstream) throw new Error('startPrism: proxy mode needs an upstream URL');
    args.push(options.upstream);
  }
  const started = await startProcess({
    name: `prism ${mode}`,
    command: process.execPath,
    args,
    ready: /Prism is listening on (http:\/\/\S+)/,
    // However this process ends (kill -9 included), Prism ends with it and lets its port go.
    exitWithParent: true,
    // Prism takes seconds to start on an idle machine and over a minute on two busy cores.
    timeoutMs: 180_000,
  });
  return Object.assign(started, { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` });
}
