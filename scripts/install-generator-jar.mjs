// The 2.x openapi-generator-cli wrapper downloads its JAR from Maven Central, which is
// unreachable here. The 1.0.18-5.0.0-beta2 npm package ships that JAR, so we copy it to where
// openapi-generator.mjs runs it from: the storageDir of openapitools.json, under the version name
// it pins (where the wrapper looks too, so it also runs offline).
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { generatorJarPath, repositoryRoot } from './openapi-generator.mjs';

const require = createRequire(join(repositoryRoot, 'package.json'));

let source;
try {
  source = join(dirname(require.resolve('openapi-generator-jar/package.json')), 'bin', 'openapi-generator.jar');
} catch {
  // Installs that skip dev dependencies (production deploys) have nothing to generate.
  console.log('install-generator-jar: openapi-generator-jar not installed, skipping');
  process.exit(0);
}
const target = generatorJarPath();
if (existsSync(target) && statSync(target).size === statSync(source).size) process.exit(0);
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
console.log(`install-generator-jar: ${target}`);
