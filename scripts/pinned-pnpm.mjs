// Prints the pnpm version that package.json's `packageManager` pins (`pnpm@X.Y.Z`, any `+sha…`
// suffix dropped): the one place bootstrap and the CI's setup checks read it from.
import { readFileSync } from 'node:fs';

const { packageManager = '' } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const version = packageManager.startsWith('pnpm@') ? packageManager.slice('pnpm@'.length).split('+')[0] : '';
if (!/^\d+\.\d+\.\d+$/.test(version)) {
  console.error('package.json has no "packageManager": "pnpm@X.Y.Z" field.');
  process.exit(1);
}
console.log(version);
