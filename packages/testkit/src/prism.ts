import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { specPaths } from '@usagebudget/openapi';
import { freePort, type StartedProcess, startProcess } from '@usagebudget/server/testing';

const require = createRequire(import.meta.url);

/** The Prism CLI entry point, run with this Node directly: an npx wrapper would outlive a kill. */
export function prismBin(): string {
  const pkg = require.resolve('@stoplight/prism-cli/package.json');
  const manifest = require(pkg) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.prism;
  if (!bin) throw new Error('@stoplight/prism-cli declares no prism bin');
  return join(dirname(pkg), bin);
}

export interface PrismOptions {
  /** `mock` answers from the spec; `proxy` forwards to `upstream` and validates both directions. */
  mode?: 'mock' | 'proxy';
  /** Required for `proxy`. */
  upstream?: string;
  /** The spec file; defaults to the bundled spec of `@usagebudget/openapi`. */
  spec?: string;
  /** Port on 127.0.0.1; defaults to a free one. */
  port?: number;
  /** Answer spec violations with an error instead of a log line (`--errors`). Default true. */
  errors?: boolean;
  /** Generate random bodies instead of the spec's examples (`--dynamic`). Default false. */
  dynamic?: boolean;
}

export interface StartedPrism extends StartedProcess {
  readonly url: string;
}

/** Starts Prism on 127.0.0.1 and resolves once it listens. Stop it with `stop()`. */
export async function startPrism(options: PrismOptions = {}): Promise<StartedPrism> {
  const mode = options.mode ?? 'mock';
  const port = options.port ?? (await freePort());
  const args = [prismBin(), mode, '--host', '127.0.0.1', '--port', String(port)];
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
    // Prism takes seconds to start on an idle machine and over a minute on two busy cores.
    timeoutMs: 180_000,
  });
  return Object.assign(started, { url: `http://127.0.0.1:${port}` });
}
