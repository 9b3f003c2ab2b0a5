// The product source files below some roots, for the lint scripts: TypeScript files, less
// declaration files and generated code (any folder named `generated`), which are not product source.
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Every product source file below `path` (a folder or one file), as absolute paths. */
export function* sourceFiles(path) {
  if (statSync(path).isDirectory()) {
    for (const entry of readdirSync(path)) {
      if (entry === 'generated' || entry === 'node_modules') continue;
      yield* sourceFiles(join(path, entry));
    }
  } else if (/\.(m|c)?tsx?$/.test(path) && !/\.d\.(m|c)?ts$/.test(path)) yield resolve(path);
}
