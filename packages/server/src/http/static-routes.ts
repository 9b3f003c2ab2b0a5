import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { specPaths } from '@usagebudget/openapi';

export interface StaticFile {
  readonly contentType: string;
  /** Read on first use, then kept. */
  body(): Buffer;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.yaml': 'application/yaml; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

function file(path: string): StaticFile {
  let cached: Buffer | undefined;
  return {
    contentType: CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
    body: () => {
      cached ??= readFileSync(path);
      return cached;
    },
  };
}

/** Where the HTML docs live; `/docs` redirects here so the page's relative links resolve. */
export const DOCS_PREFIX = '/docs/';

/**
 * The spec files and the built docs, by exact URL path. Only the files listed when the server
 * starts can be reached, so no request path can walk out of the docs folder.
 */
export function staticFiles(): ReadonlyMap<string, StaticFile> {
  const files = new Map<string, StaticFile>([
    ['/openapi.json', file(specPaths.json)],
    ['/openapi.yaml', file(specPaths.yaml)],
  ]);
  for (const entry of readdirSync(specPaths.docs, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const served = file(join(specPaths.docs, entry.name));
    files.set(`${DOCS_PREFIX}${entry.name}`, served);
    if (entry.name === 'index.html') files.set(DOCS_PREFIX, served);
  }
  return files;
}
