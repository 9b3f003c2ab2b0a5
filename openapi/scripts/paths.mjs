// Where the spec package reads its source and writes its build, shared by the build scripts.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const sourceSpec = join(packageDir, 'usagebudget.yaml');
export const changelogMd = join(packageDir, 'CHANGELOG.md');
export const distDir = join(packageDir, 'dist');
export const bundledJson = join(distDir, 'usagebudget.json');
export const bundledYaml = join(distDir, 'usagebudget.yaml');
export const bundledTypes = join(distDir, 'types.d.ts');
export const docsDir = join(distDir, 'docs');
export const docsHtml = join(docsDir, 'index.html');
