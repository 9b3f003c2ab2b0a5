// The 2.x openapi-generator-cli wrapper downloads its JAR from Maven Central, which is
// unreachable here. The 1.0.18-5.0.0-beta2 npm package ships that JAR, so we copy it to the
// wrapper's storageDir under the version name openapitools.json pins; the wrapper then runs offline.
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const config = JSON.parse(readFileSync(join(root, 'openapitools.json'), 'utf8'))['generator-cli'];
const require = createRequire(join(root, 'package.json'));

let source;
try {
  source = join(dirname(require.resolve('openapi-generator-jar/package.json')), 'bin', 'openapi-generator.jar');
} catch {
  // Installs that skip dev dependencies (production deploys) have nothing to generate.
  console.log('install-generator-jar: openapi-generator-jar not installed, skipping');
  process.exit(0);
}
const target = join(root, config.storageDir, `${config.version}.jar`);
if (existsSync(target) && statSync(target).size === statSync(source).size) process.exit(0);
mkdirSync(dirname(target), { recursive: true });
copyFileSync(source, target);
console.log(`install-generator-jar: ${target}`);
